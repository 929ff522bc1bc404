#include "core/picker.hpp"

#include <algorithm>
#include <limits>

namespace stretch {
namespace {

// splitmix64: small, fast, and the same sequence everywhere.
std::uint64_t next_random(std::uint64_t& state) {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

// Lower is better: when the least recently covered of its areas was last seen.
std::int64_t staleness(const PickerMemory& memory, const Stretch& s) {
    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto& area : s.targets) {
        auto it = memory.area_seen.find(area);
        best = std::min(best, it == memory.area_seen.end() ? std::int64_t{-1} : it->second);
    }
    return best;
}

}  // namespace

const Stretch* pick_stretch(const Config& config, const BreakRule& rule, PickerMemory& memory, std::string_view avoid_id) {
    auto pool = config.pool(rule);
    if (pool.empty()) return nullptr;

    // Drop recently shown ones, but never so many that nothing is left.
    std::size_t window = std::min<std::size_t>(static_cast<std::size_t>(config.profile.repeat_after), pool.size() - 1);
    std::vector<const Stretch*> candidates;
    auto recent_begin = memory.recent.end() - static_cast<std::ptrdiff_t>(std::min(window, memory.recent.size()));
    for (auto* s : pool)
        if (std::find(recent_begin, memory.recent.end(), s->id) == memory.recent.end()) candidates.push_back(s);
    if (candidates.empty()) candidates = pool;
    if (candidates.size() > 1 && !avoid_id.empty()) {
        std::erase_if(candidates, [&](auto* s) { return s->id == avoid_id; });
        if (candidates.empty()) candidates = pool;
    }

    std::int64_t best = std::numeric_limits<std::int64_t>::max();
    for (auto* s : candidates) best = std::min(best, staleness(memory, *s));
    std::erase_if(candidates, [&](auto* s) { return staleness(memory, *s) != best; });
    return candidates[next_random(memory.rng) % candidates.size()];
}

void remember_shown(PickerMemory& memory, const Stretch& stretch, std::size_t keep) {
    memory.recent.push_back(stretch.id);
    if (memory.recent.size() > keep) memory.recent.erase(memory.recent.begin(), memory.recent.end() - static_cast<std::ptrdiff_t>(keep));
    ++memory.sequence;
    for (auto& area : stretch.targets) memory.area_seen[area] = memory.sequence;
}

}  // namespace stretch
