#include "core/stretch.hpp"

#include <array>
#include <charconv>

#include <fmt/format.h>

namespace stretch {
namespace {

constexpr int seconds_per_breath = 5;
constexpr int max_hold = 600;
constexpr int max_reps = 100;

std::optional<int> parse_int(std::string_view text, int max) {
    int value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value <= 0 || value > max) return std::nullopt;
    return value;
}

// "N" or "N-M" with 0 < N <= M <= max.
std::optional<std::pair<int, int>> parse_range(std::string_view text, int max) {
    auto dash = text.find('-');
    if (dash == std::string_view::npos) {
        auto v = parse_int(text, max);
        if (!v) return std::nullopt;
        return std::pair{*v, *v};
    }
    auto lo = parse_int(text.substr(0, dash), max);
    auto hi = parse_int(text.substr(dash + 1), max);
    if (!lo || !hi || *lo > *hi) return std::nullopt;
    return std::pair{*lo, *hi};
}

std::string format_range(int lo, int hi) { return lo == hi ? fmt::format("{}", lo) : fmt::format("{}-{}", lo, hi); }

}  // namespace

const std::vector<std::string>& body_areas() {
    static const std::vector<std::string> areas = {
        "neck",  "shoulders", "upper-back", "lower-back", "chest",      "arms",   "wrists", "forearms", "hips",
        "hip-flexors", "glutes", "hamstrings", "quads",   "calves",     "ankles", "eyes",   "circulation"};
    return areas;
}

std::string_view position_name(Position p) {
    switch (p) {
        case Position::seated: return "seated";
        case Position::standing: return "standing";
        case Position::floor: return "floor";
    }
    return "standing";
}

std::optional<Position> parse_position(std::string_view text) {
    for (auto p : {Position::seated, Position::standing, Position::floor})
        if (position_name(p) == text) return p;
    return std::nullopt;
}

std::optional<Hold> parse_hold(std::string_view text) {
    Hold hold;
    std::string_view number;
    if (constexpr std::string_view breaths = " breaths"; text.ends_with(breaths)) {
        hold.unit = Hold::Unit::breaths;
        number = text.substr(0, text.size() - breaths.size());
    } else if (text.ends_with("m") && text.find('-') == std::string_view::npos) {
        auto minutes = parse_int(text.substr(0, text.size() - 1), max_hold / 60);
        if (!minutes) return std::nullopt;
        hold.min = hold.max = *minutes * 60;
        return hold;
    } else if (text.ends_with("s")) {
        number = text.substr(0, text.size() - 1);
    } else {
        return std::nullopt;
    }
    auto range = parse_range(number, max_hold);
    if (!range) return std::nullopt;
    std::tie(hold.min, hold.max) = *range;
    return hold;
}

std::string format_hold(const Hold& hold) {
    if (hold.unit == Hold::Unit::breaths)
        return fmt::format("{} breath{}", format_range(hold.min, hold.max), hold.max == 1 ? "" : "s");
    if (hold.min == hold.max && hold.min % 60 == 0) return fmt::format("{}m", hold.min / 60);
    return fmt::format("{}s", format_range(hold.min, hold.max));
}

std::optional<Reps> parse_reps(std::string_view text) {
    auto range = parse_range(text, max_reps);
    if (!range) return std::nullopt;
    return Reps{range->first, range->second};
}

std::string format_reps(const Reps& reps) { return format_range(reps.min, reps.max); }

int hold_seconds(const Hold& hold) {
    return hold.unit == Hold::Unit::breaths ? hold.max * seconds_per_breath : hold.max;
}

}  // namespace stretch
