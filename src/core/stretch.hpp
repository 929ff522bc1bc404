#pragma once
// One entry of the stretch library, as the config describes it.

#include <optional>
#include <string>
#include <vector>

namespace stretch {

enum class Position { seated, standing, floor };

// How long to hold a stretch: seconds or breaths, possibly a range
// ("20-30s", "5-10 breaths"). min == max when it is a single number.
struct Hold {
    enum class Unit { seconds, breaths };
    Unit unit = Unit::seconds;
    int min = 0;
    int max = 0;
};

// Repetitions, possibly a range ("10-12").
struct Reps {
    int min = 1;
    int max = 1;
};

struct Stretch {
    std::string id;
    std::string name;
    std::vector<std::string> steps;
    Hold hold;
    Reps reps;
    bool per_side = false;
    std::vector<std::string> targets;  // body areas, from body_areas()
    Position position = Position::standing;
    std::vector<std::string> equipment;
    std::vector<std::string> tags;
    std::optional<std::string> caution;
    std::optional<std::string> variation_of;
};

// The body areas a stretch may target, in the order they are shown.
const std::vector<std::string>& body_areas();

std::string_view position_name(Position p);
std::optional<Position> parse_position(std::string_view text);

// "30s", "20-30s", "5 breaths", "5-10 breaths".
std::optional<Hold> parse_hold(std::string_view text);
std::string format_hold(const Hold& hold);
// "3", "10-12".
std::optional<Reps> parse_reps(std::string_view text);
std::string format_reps(const Reps& reps);

// Roughly how long one repetition takes, for the terminal guide's countdown:
// seconds as given, a slow breath taken as five seconds, the upper bound of
// a range.
int hold_seconds(const Hold& hold);

}  // namespace stretch
