#pragma once
// `list`, `show` and `guide` without the daemon. The stretch library is
// built into the program, so when stretchd is not running it is read from
// the user's config file if there is one, else from the built-in config.
// When the daemon runs it is asked instead: its config is the live one.

#include <string_view>

#include <nlohmann/json.hpp>

namespace stretch {

// The reply stretchd would give to `cmd` ("list" or "show") with `args`,
// shaped exactly like the daemon's, so that the same renderers and the same
// --json output serve both. Refusals are error replies, as the daemon's:
// unknown_stretch, or config_invalid for a config file that does not load.
// The arguments are the CLI's, already checked.
nlohmann::json offline_reply(std::string_view cmd, const nlohmann::json& args);

}  // namespace stretch
