#pragma once
// Why delivery holds a due reminder back. The names are the `held` values
// of `status` (docs/protocol.md); the engine's own reasons (away,
// off_hours, grace) are not delivery's.

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace stretch {

enum class HeldReason {
    do_not_disturb,  // a notifier says the user asked for quiet
    fullscreen,      // the focused window is full-screen
};

inline constexpr std::array<std::pair<HeldReason, std::string_view>, 2> held_reason_names = {{
    {HeldReason::do_not_disturb, "do_not_disturb"},
    {HeldReason::fullscreen, "fullscreen"},
}};

constexpr std::string_view held_reason_name(HeldReason reason) {
    for (auto [r, name] : held_reason_names)
        if (r == reason) return name;
    return "unknown";
}

constexpr std::optional<HeldReason> held_reason_from_name(std::string_view name) {
    for (auto [r, n] : held_reason_names)
        if (n == name) return r;
    return std::nullopt;
}

}  // namespace stretch
