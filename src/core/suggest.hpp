#pragma once
// "Did you mean" for keys and names typed by hand.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stretch {

// The candidate closest to `word` by edit distance, if it is close enough to
// be a plausible typo (at most a third of the word's length, and at least 1).
std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates);

// ` (did you mean "x"?)`, or empty when nothing is close.
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace stretch
