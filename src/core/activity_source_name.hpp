#pragma once
// The ways of knowing whether the user is at the computer, best first:
// [tracking] source = "auto" tries them in this order. One table names them
// in both directions, for the config, the log, `status` and `doctor`; adding
// a source is a row here and its file in src/daemon/presence/.

#include <array>
#include <optional>
#include <string_view>

namespace stretch {

enum class ActivitySourceName { gnome, wayland, x11, logind };

struct ActivitySourceRow {
    ActivitySourceName source;
    std::string_view name;  // on the wire and in the config: stable
};

inline constexpr std::array activity_source_table = {
    ActivitySourceRow{ActivitySourceName::gnome, "gnome"},
    ActivitySourceRow{ActivitySourceName::wayland, "wayland"},
    ActivitySourceRow{ActivitySourceName::x11, "x11"},
    ActivitySourceRow{ActivitySourceName::logind, "logind"},
};

constexpr std::string_view activity_source_name(ActivitySourceName source) {
    for (const auto& row : activity_source_table)
        if (row.source == source) return row.name;
    return "?";
}

constexpr std::optional<ActivitySourceName> activity_source_from_name(std::string_view name) {
    for (const auto& row : activity_source_table)
        if (row.name == name) return row.source;
    return std::nullopt;
}

// The names alone, best first.
inline constexpr auto activity_source_names = [] {
    std::array<std::string_view, activity_source_table.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = activity_source_table[i].name;
    return out;
}();

}  // namespace stretch
