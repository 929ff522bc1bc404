#pragma once
// What a compositor's window list says about the focused window: the
// bookkeeping behind WaylandFullscreen, with no Wayland in it, so the tests
// feed it events as the two protocols would send them, with one meaning of
// "focused and full-screen" for both:
//
// - zwlr_foreign_toplevel_handle_v1 (wlroots): each handle's `state` events
//   are pending until its `done`, which applies them together (the
//   protocol's atomicity); `closed` forgets the handle and the manager's
//   `finished` forgets them all.
// - org_kde_plasma_window (KWin): `state_changed` carries the whole bitfield
//   and applies at once (that protocol has no `done`); `unmapped` forgets the
//   window, as `closed` does.
//
// Every call returns whether the answer of focused_fullscreen() changed.
// Plain data; nothing here throws except std::bad_alloc.

#include <cstdint>
#include <span>
#include <unordered_map>

namespace stretch {

class ToplevelStates {
public:
    using Id = std::uintptr_t;  // the handle's proxy, as a number

    // zwlr_foreign_toplevel_handle_v1's `state` enum values that matter here.
    static constexpr std::uint32_t activated = 2;
    static constexpr std::uint32_t fullscreen = 3;
    // org_kde_plasma_window_management's `state` bits that matter here.
    static constexpr std::uint32_t plasma_active = 1u << 0;
    static constexpr std::uint32_t plasma_fullscreen = 1u << 3;

    // A toplevel announced by the manager; nothing is known of it until done.
    void added(Id id);
    // The `state` event: the handle's states, pending until done.
    void state(Id id, std::span<const std::uint32_t> states);
    bool done(Id id);
    // org_kde_plasma_window's `state_changed`: the bitfield, applied now.
    bool plasma_state(Id id, std::uint32_t flags);
    // `closed` (wlr), or `unmapped` (KDE).
    bool closed(Id id);
    // The manager's `finished`, or the connection gone.
    bool finished();

    // Some toplevel is both focused and full-screen. A compositor may say
    // several are activated (one per seat): any of them counts.
    bool focused_fullscreen() const;
    std::size_t count() const { return toplevels_.size(); }

private:
    struct Flags {
        bool activated = false;
        bool fullscreen = false;
        bool both() const { return activated && fullscreen; }
    };
    struct Toplevel {
        Flags pending, applied;
    };
    bool apply(auto&& change);

    std::unordered_map<Id, Toplevel> toplevels_;
};

}  // namespace stretch
