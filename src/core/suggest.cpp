#include "core/suggest.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace stretch {
namespace {

// Edit distance where swapping two neighbouring letters costs one, as it
// does when typing ("mirco" for "micro").
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
    for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
    for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
        for (std::size_t j = 1; j <= b.size(); ++j) {
            d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
        }
    return d[a.size()][b.size()];
}

}  // namespace

std::optional<std::string> closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // Nothing a user types by mistake for one of our names is this long, and
    // the distance costs length times length: a request with a huge word
    // (the socket takes lines up to 64 KiB) must not hold the daemon's loop.
    constexpr std::size_t longest_typo = 64;
    if (word.size() > longest_typo) return std::nullopt;
    // A unique candidate that starts with what was typed is what was meant ("child" -> "childs-pose").
    if (word.size() >= 3) {
        std::optional<std::string> prefixed;
        int count = 0;
        for (const auto& c : candidates)
            if (c.starts_with(word) && c != word) {
                prefixed = c;
                ++count;
            }
        if (count == 1) return prefixed;
    }
    std::size_t limit = std::max<std::size_t>(1, word.size() / 3);
    std::optional<std::string> best;
    std::size_t best_distance = limit + 1;
    for (const auto& c : candidates) {
        // The distance is at least the difference in length.
        std::size_t gap = c.size() > word.size() ? c.size() - word.size() : word.size() - c.size();
        if (gap >= best_distance) continue;
        auto d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
    auto match = closest_match(word, candidates);
    return match ? fmt::format(" (did you mean \"{}\"?)", *match) : std::string{};
}

}  // namespace stretch
