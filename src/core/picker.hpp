#pragma once
// Chooses the next stretch for a break rule: never one the profile excludes,
// not one of the last few shown, and preferring stretches for the body areas
// that have gone longest without one, so that a day covers them all. Ties are
// broken by a seeded generator, so a given seed always gives the same day.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/config.hpp"

namespace stretch {

// What the picker remembers between choices. Plain data: it is part of the
// engine's persisted state.
struct PickerMemory {
    std::vector<std::string> recent;              // ids shown, oldest first
    std::map<std::string, std::int64_t> area_seen;  // area -> sequence number it was last shown
    std::int64_t sequence = 0;
    std::uint64_t rng = 0;
};

// The stretch to suggest for `rule`, or nullptr if its pool is empty (which
// a validated config rules out for enabled rules). `avoid_id` is a stretch
// already suggested for another rule; it is chosen only if nothing else can be.
const Stretch* pick_stretch(const Config& config, const BreakRule& rule, PickerMemory& memory,
                            std::string_view avoid_id = {});

// Notes that a stretch was shown, for the repeat and rotation rules.
void remember_shown(PickerMemory& memory, const Stretch& stretch, std::size_t keep);

}  // namespace stretch
