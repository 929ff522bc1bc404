#include "core/picker.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

#include <fmt/format.h>

namespace stretch {
namespace {

constexpr std::array reason_names = {
    std::pair{PickReason::only_choice, std::string_view{"only_choice"}},
    std::pair{PickReason::not_recent, std::string_view{"not_recent"}},
    std::pair{PickReason::other_break, std::string_view{"other_break"}},
    std::pair{PickReason::focus, std::string_view{"focus"}},
    std::pair{PickReason::rotation, std::string_view{"rotation"}},
};

// splitmix64: small, fast, and the same sequence everywhere.
std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::int64_t area_staleness(const PickerMemory& memory, const std::string& area) {
    auto it = memory.area_seen.find(area);
    return it == memory.area_seen.end() ? std::int64_t{-1} : it->second;
}

// Lower is better: when the least recently covered of its areas was last seen.
std::int64_t staleness(const PickerMemory& memory, const Stretch& s) {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto& area : s.targets) best = std::min(best, area_staleness(memory, area));
    return best;
}

// The least recently covered of the stretch's areas that `keep` accepts;
// the first in the stretch's order on a tie.
template <typename Keep>
std::string stalest_area(const PickerMemory& memory, const Stretch& s, Keep keep) {
    std::string out;
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto& area : s.targets)
        if (keep(area) && area_staleness(memory, area) < best) {
            best = area_staleness(memory, area);
            out = area;
        }
    return out;
}

bool is_focus_area(const Config& config, const std::string& area) {
    return std::find(config.profile.focus.begin(), config.profile.focus.end(), area) != config.profile.focus.end();
}

// How many stretches were shown after `id` last was; -1 if it is not remembered.
std::int64_t shown_since(const PickerMemory& memory, const std::string& id) {
    auto it = std::find(memory.recent.rbegin(), memory.recent.rend(), id);
    return it == memory.recent.rend() ? -1 : static_cast<std::int64_t>(it - memory.recent.rbegin());
}

}  // namespace

std::string_view pick_reason_name(PickReason reason) {
    for (auto& [r, name] : reason_names)
        if (r == reason) return name;
    return "rotation";
}

std::optional<PickReason> parse_pick_reason(std::string_view name) {
    for (auto& [r, n] : reason_names)
        if (n == name) return r;
    return std::nullopt;
}

std::string pick_why_text(const PickWhy& why) {
    switch (why.reason) {
        case PickReason::only_choice: return "the only stretch this break can suggest";
        case PickReason::not_recent:
            if (why.count < 0) return "the others were shown more recently";
            return fmt::format("not shown for {} suggestion{}; the others were shown more recently", why.count,
                               why.count == 1 ? "" : "s");
        case PickReason::other_break: return fmt::format("the other choice, {}, is already suggested for another break", why.detail);
        case PickReason::focus: return fmt::format("focus area {}", why.detail);
        case PickReason::rotation:
            if (why.count < 0) return fmt::format("{} has not been stretched yet (rotation)", why.detail);
            return fmt::format("{} has gone longest without a stretch (rotation)", why.detail);
    }
    return {};
}

bool is_focus_stretch(const Config& config, const Stretch& stretch) {
    return std::any_of(stretch.targets.begin(), stretch.targets.end(), [&](auto& a) { return is_focus_area(config, a); });
}

Pick pick_stretch(const Config& config, const BreakRule& rule, PickerMemory& memory, std::string_view avoid_id,
                  std::string_view previous_id) {
    auto pool = config.pool(rule);
    if (pool.empty()) return {};
    std::optional<PickReason> forced;  // a step that left one candidate
    if (pool.size() == 1) forced = PickReason::only_choice;

    // Drop recently shown ones, but never so many that nothing is left.
    std::size_t window = std::min<std::size_t>(static_cast<std::size_t>(config.profile.repeat_after), pool.size() - 1);
    std::vector<const Stretch*> candidates;
    auto recent_begin = memory.recent.end() - static_cast<std::ptrdiff_t>(std::min(window, memory.recent.size()));
    for (auto* s : pool)
        if (std::find(recent_begin, memory.recent.end(), s->id) == memory.recent.end()) candidates.push_back(s);
    if (candidates.empty()) candidates = pool;
    if (!forced && candidates.size() == 1) forced = PickReason::not_recent;
    if (candidates.size() > 1 && !avoid_id.empty()) {
        std::erase_if(candidates, [&](auto* s) { return s->id == avoid_id; });
        if (candidates.empty()) candidates = pool;
        if (!forced && candidates.size() == 1) forced = PickReason::other_break;
    }

    // A focus area's turn: the rule's previous suggestion was for none.
    bool focus_turn = false;
    if (!config.profile.focus.empty() && candidates.size() > 1) {
        auto* previous = config.find_stretch(previous_id);
        if (!previous || !is_focus_stretch(config, *previous)) {
            std::vector<const Stretch*> focused;
            for (auto* s : candidates)
                if (is_focus_stretch(config, *s)) focused.push_back(s);
            if (!focused.empty()) {
                candidates = std::move(focused);
                focus_turn = true;
            }
        }
    }

    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto* s : candidates) best = std::min(best, staleness(memory, *s));
    std::erase_if(candidates, [&](auto* s) { return staleness(memory, *s) != best; });
    Pick out;
    out.stretch = candidates[next_random(memory.rng) % candidates.size()];

    const Stretch& s = *out.stretch;
    out.why.reason = forced ? *forced : focus_turn ? PickReason::focus : PickReason::rotation;
    switch (out.why.reason) {
        case PickReason::only_choice: break;
        case PickReason::not_recent: out.why.count = shown_since(memory, s.id); break;
        case PickReason::other_break: out.why.detail = std::string(avoid_id); break;
        case PickReason::focus: out.why.detail = stalest_area(memory, s, [&](auto& a) { return is_focus_area(config, a); }); break;
        case PickReason::rotation: {
            out.why.detail = stalest_area(memory, s, [](auto&) { return true; });
            auto seen = area_staleness(memory, out.why.detail);
            out.why.count = seen < 0 ? -1 : memory.sequence - seen;
            break;
        }
    }
    return out;
}

void remember_shown(PickerMemory& memory, const Stretch& stretch, std::size_t keep) {
    memory.recent.push_back(stretch.id);
    if (memory.recent.size() > keep) memory.recent.erase(memory.recent.begin(), memory.recent.end() - static_cast<std::ptrdiff_t>(keep));
    ++memory.sequence;
    for (auto& area : stretch.targets) memory.area_seen[area] = memory.sequence;
}

}  // namespace stretch
