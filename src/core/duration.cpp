#include "core/duration.hpp"

#include <array>
#include <cstdint>

#include <fmt/format.h>

namespace stretch {
namespace {

constexpr std::int64_t max_seconds = 100LL * seconds_per_day;
constexpr std::array<std::string_view, 7> weekday_names = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The one style of the views: each unit after the first zero-padded to two
// digits, trailing zero units left out. `total` is positive.
std::string hours_minutes_seconds(std::int64_t total) {
    std::int64_t h = total / 3600, m = total / 60 % 60, s = total % 60;
    std::string out;
    if (h) out += fmt::format("{}h", h);
    if (m || (h && s)) out += h ? fmt::format("{:02}m", m) : fmt::format("{}m", m);
    if (s) out += h || m ? fmt::format("{:02}s", s) : fmt::format("{}s", s);
    return out;
}

}  // namespace

std::optional<Duration> parse_duration(std::string_view text) {
    if (text.empty()) return std::nullopt;
    std::int64_t total = 0;
    int last_unit = -1;  // index into "hms": units must come in that order, once each
    std::size_t i = 0;
    while (i < text.size()) {
        if (!is_digit(text[i])) return std::nullopt;
        std::int64_t value = 0;
        while (i < text.size() && is_digit(text[i])) {
            value = value * 10 + (text[i] - '0');
            if (value > max_seconds) return std::nullopt;
            ++i;
        }
        if (i == text.size()) return std::nullopt;  // a bare number has no unit
        constexpr std::string_view units = "hms";
        auto unit = units.find(text[i]);
        if (unit == std::string_view::npos || static_cast<int>(unit) <= last_unit) return std::nullopt;
        last_unit = static_cast<int>(unit);
        constexpr std::array<std::int64_t, 3> scale = {3600, 60, 1};
        total += value * scale[unit];
        if (total > max_seconds) return std::nullopt;
        ++i;
    }
    return std::chrono::seconds(total);
}

std::string format_duration(Duration d) {
    auto total = std::chrono::duration_cast<std::chrono::seconds>(d).count();
    if (total <= 0) return "0s";
    std::string out;
    if (auto h = total / 3600) out += fmt::format("{}h", h);
    if (auto m = total / 60 % 60) out += fmt::format("{}m", m);
    if (auto s = total % 60) out += fmt::format("{}s", s);
    return out;
}

std::string format_left(Duration d) {
    auto total = std::chrono::ceil<std::chrono::seconds>(d).count();
    if (total <= 0) return "0s";
    if (total < 60) return fmt::format("{}s", total);
    return hours_minutes_seconds((total + 59) / 60 * 60);
}

std::string format_elapsed(Duration d) {
    auto total = std::chrono::floor<std::chrono::seconds>(d).count();
    if (total <= 0) return "0s";
    if (total < 60) return fmt::format("{}s", total);
    return hours_minutes_seconds(total / 60 * 60);
}

std::string format_length(Duration d) {
    auto total = std::chrono::floor<std::chrono::seconds>(d).count();
    return total <= 0 ? "0s" : hours_minutes_seconds(total);
}

std::string format_duration_short(Duration d) { return format_elapsed(d); }

std::optional<int> parse_clock(std::string_view text, bool allow_midnight_end) {
    if (text.size() != 5 || text[2] != ':') return std::nullopt;
    for (std::size_t i : {0, 1, 3, 4})
        if (!is_digit(text[i])) return std::nullopt;
    int hours = (text[0] - '0') * 10 + (text[1] - '0');
    int minutes = (text[3] - '0') * 10 + (text[4] - '0');
    if (minutes > 59) return std::nullopt;
    if (hours == 24 && minutes == 0 && allow_midnight_end) return seconds_per_day;
    if (hours > 23) return std::nullopt;
    return hours * 3600 + minutes * 60;
}

std::string format_clock(int seconds_of_day) {
    return fmt::format("{:02}:{:02}", seconds_of_day / 3600, seconds_of_day / 60 % 60);
}

std::optional<int> parse_weekday(std::string_view text) {
    for (std::size_t i = 0; i < weekday_names.size(); ++i)
        if (weekday_names[i] == text) return static_cast<int>(i);
    return std::nullopt;
}

std::string_view weekday_name(int weekday) { return weekday_names.at(static_cast<std::size_t>(weekday)); }

}  // namespace stretch
