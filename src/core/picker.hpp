#pragma once
// Chooses the next stretch for a break rule: never one the profile excludes,
// not one of the last few shown, every other time one for a focus area of
// the profile, and otherwise preferring stretches for the body areas that
// have gone longest without one, so that a day covers them all. Ties are
// broken by a seeded generator, so a given seed always gives the same day.
// The choice comes with the step that decided it, for `stretch next --why`.

#include <cstdint>
#include <map>
#include <optional>
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

// The step that decided a choice (docs/schedule.md, "Choosing the stretch").
enum class PickReason {
    only_choice,  // the rule's pool holds this one stretch
    not_recent,   // the others were among the last repeat_after shown
    other_break,  // the other choice is already suggested for another break
    focus,        // a focus area's turn
    rotation,     // its body area has gone longest without a stretch
};
std::string_view pick_reason_name(PickReason reason);
std::optional<PickReason> parse_pick_reason(std::string_view name);

// Why a stretch was chosen. Plain data, persisted with the rule's state.
struct PickWhy {
    PickReason reason = PickReason::rotation;
    // focus, rotation: the body area that decided; other_break: the id
    // suggested for the other break.
    std::string detail;
    // rotation: suggestions since `detail` was last stretched; not_recent:
    // suggestions since this stretch was shown. -1: never, or not remembered.
    std::int64_t count = -1;
    friend bool operator==(const PickWhy&, const PickWhy&) = default;
};

// One line for the user: "focus area hamstrings".
std::string pick_why_text(const PickWhy& why);

struct Pick {
    const Stretch* stretch = nullptr;
    PickWhy why;
};

// The stretch to suggest for `rule` (nullptr if its pool is empty, which a
// validated config rules out for enabled rules) and why. `avoid_id` is a
// stretch already suggested for another rule; it is chosen only if nothing
// else can be. `previous_id` is the rule's previous suggestion: when it was
// not for a focus area, this one is, if the pool allows.
Pick pick_stretch(const Config& config, const BreakRule& rule, PickerMemory& memory, std::string_view avoid_id = {},
                  std::string_view previous_id = {});

// Whether the stretch targets one of the profile's focus areas.
bool is_focus_stretch(const Config& config, const Stretch& stretch);

// Notes that a stretch was shown, for the repeat and rotation rules.
void remember_shown(PickerMemory& memory, const Stretch& stretch, std::size_t keep);

}  // namespace stretch
