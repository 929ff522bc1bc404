#pragma once
// What `stretch doctor` prints from the daemon's `doctor` reply
// (docs/protocol.md): how activity is tracked, each source probed with why
// it did or did not work, logind, notifications, and one fix per problem.

#include <string>

#include <nlohmann/json.hpp>

#include "cli/render.hpp"

namespace stretch {

std::string render_doctor(const nlohmann::json& reply, const Style& style);

}  // namespace stretch
