#pragma once
// How a stretch or routine felt, as the user says it: `stretch done --felt
// WORD` and the question at the end of `stretch guide`. The words are the
// protocol's and the history's (RecordKind::felt keeps the name).

#include <array>
#include <optional>
#include <string_view>
#include <utility>

namespace stretch {

enum class Felt { easy, right, hard, hurt };

inline constexpr std::array felt_names = {
    std::pair{Felt::easy, std::string_view{"easy"}},
    std::pair{Felt::right, std::string_view{"right"}},
    std::pair{Felt::hard, std::string_view{"hard"}},
    std::pair{Felt::hurt, std::string_view{"hurt"}},
};

inline std::string_view felt_name(Felt felt) {
    for (auto& [f, name] : felt_names)
        if (f == felt) return name;
    return "right";
}

inline std::optional<Felt> parse_felt(std::string_view name) {
    for (auto& [f, n] : felt_names)
        if (n == name) return f;
    return std::nullopt;
}

}  // namespace stretch
