#pragma once
// KWin's window list, org_kde_plasma_window_management, followed on a
// Wayland connection WaylandFullscreen owns and dispatches: the manager
// announces each mapped window (`window_with_uuid` from version 13 on,
// `window` before), we ask for its org_kde_plasma_window, whose
// `state_changed` carries the `active` and `fullscreen` bits and whose
// `unmapped` ends it. What the windows say goes into the caller's
// ToplevelStates; each change of its answer is passed to `on_change`.
//
// KWin offers this global only to programs whose desktop file declares it
// (X-KDE-Wayland-Interfaces, matched on the Exec= path), which is why
// stretchd installs data/stretchd.desktop.in.
//
// The proxies are destroyed with this object, which must go before the
// wl_display they belong to. Single-threaded, on the loop; nothing here
// throws except std::bad_alloc.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>

#include "daemon/delivery/toplevel_states.hpp"

struct wl_registry;
struct org_kde_plasma_window_management;
struct org_kde_plasma_window;

namespace stretch {

class PlasmaWindows {
public:
    // The oldest version bound: 4 brought org_kde_plasma_window.destroy.
    static constexpr std::uint32_t min_version = 4;
    // The newest this build's XML knows, which the listeners cover.
    static std::uint32_t max_version();

    // Binds the global `name` at `version` (min_version..max_version).
    PlasmaWindows(wl_registry* registry, std::uint32_t name, std::uint32_t version, ToplevelStates& states,
                  std::function<void(bool changed_answer)> on_change);
    PlasmaWindows(const PlasmaWindows&) = delete;
    PlasmaWindows& operator=(const PlasmaWindows&) = delete;
    ~PlasmaWindows();

    // False when the bind failed (no memory).
    explicit operator bool() const { return manager_ != nullptr; }

private:
    struct Destroy {
        void operator()(org_kde_plasma_window_management* p) const;
        void operator()(org_kde_plasma_window* p) const;
    };
    friend struct PlasmaWindowsEvents;  // the protocol's C callbacks, in the .cpp

    void on_window(org_kde_plasma_window* window);
    void on_unmapped(org_kde_plasma_window* window);

    std::uint32_t version_;
    ToplevelStates& states_;
    std::function<void(bool)> on_change_;
    std::unique_ptr<org_kde_plasma_window_management, Destroy> manager_;
    std::map<ToplevelStates::Id, std::unique_ptr<org_kde_plasma_window, Destroy>> windows_;
};

}  // namespace stretch
