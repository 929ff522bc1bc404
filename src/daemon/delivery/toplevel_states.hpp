#pragma once
// What a compositor's toplevel list says about the focused window: the
// bookkeeping behind WaylandFullscreen, with no Wayland in it, so the tests
// feed it events as zwlr_foreign_toplevel_handle_v1 would send them.
//
// Each handle's `state` events are pending until its `done`, which applies
// them together (the protocol's atomicity); `closed` forgets the handle and
// the manager's `finished` forgets them all. Every call returns whether the
// answer of focused_fullscreen() changed. Plain data; nothing here throws
// except std::bad_alloc.

#include <cstdint>
#include <span>
#include <unordered_map>

namespace stretch {

class ToplevelStates {
public:
    using Id = std::uintptr_t;  // the handle's proxy, as a number

    // The protocol's `state` enum values that matter here.
    static constexpr std::uint32_t activated = 2;
    static constexpr std::uint32_t fullscreen = 3;

    // A toplevel announced by the manager; nothing is known of it until done.
    void added(Id id);
    // The `state` event: the handle's states, pending until done.
    void state(Id id, std::span<const std::uint32_t> states);
    bool done(Id id);
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
