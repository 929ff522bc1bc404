#pragma once
// The replies of `list` and `show`, from a config alone: the daemon answers
// from its live config, the CLI from the file on disk when the daemon is not
// running, and both give the same reply. Arguments are checked before
// (check_request in arguments.hpp).

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/config.hpp"

namespace stretch {

// {"stretches": [...]}: every stretch matching all the given filters
// (`target`, `position`, `tag`), in library order.
nlohmann::json list_reply(const Config& config, const nlohmann::json& args);

// {"stretch": {...}}; throws protocol::Error unknown_stretch (with
// did-you-mean) for an id the library does not have.
nlohmann::json show_reply(const Config& config, std::string_view id);

}  // namespace stretch
