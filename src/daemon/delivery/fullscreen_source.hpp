#pragma once
// Where the answer to "is the focused window full-screen?" comes from. The
// names are the `fullscreen` values of `doctor` (docs/protocol.md).

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace stretch {

enum class FullscreenSource {
    x11,                           // EWMH _NET_WM_STATE of _NET_ACTIVE_WINDOW
    wlr_foreign_toplevel,          // zwlr_foreign_toplevel_manager_v1 (sway, Hyprland, labwc, river)
    kde_plasma_window_management,  // org_kde_plasma_window_management (KWin)
};

inline constexpr std::array<std::pair<FullscreenSource, std::string_view>, 3> fullscreen_source_names = {{
    {FullscreenSource::x11, "x11"},
    {FullscreenSource::wlr_foreign_toplevel, "wlr-foreign-toplevel"},
    {FullscreenSource::kde_plasma_window_management, "kde-plasma-window-management"},
}};

constexpr std::string_view fullscreen_source_name(FullscreenSource source) {
    for (auto [s, name] : fullscreen_source_names)
        if (s == source) return name;
    return "unknown";
}

constexpr std::optional<FullscreenSource> fullscreen_source_from_name(std::string_view name) {
    for (auto [s, n] : fullscreen_source_names)
        if (n == name) return s;
    return std::nullopt;
}

// One probe's state for doctor: in use (it answers), or off and why.
struct FullscreenReport {
    FullscreenSource source;
    bool in_use = false;
    std::string detail;  // "on wayland-1", or why it is off
    std::string fix = {};  // when off for a reason the user can mend: what to do
};

}  // namespace stretch
