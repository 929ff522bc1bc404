#pragma once
// `stretch guide`: walks through one stretch in the terminal, step by step,
// with a countdown per hold. Reports the break done only if it ran to the end.

#include <nlohmann/json.hpp>

#include "cli/render.hpp"

namespace stretch {

// Returns true if the guide finished, false if the user pressed Ctrl-C.
// `pace` scales every wait (1.0 = real time). Throws OutputFailed when
// standard output cannot be written.
bool run_guide(const nlohmann::json& stretch, const Style& style, double pace);

}  // namespace stretch
