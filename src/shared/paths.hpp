#pragma once
// Where things live, shared by both programs so they always agree.
// Each function reads the environment (and nothing else) once per call.

#include <filesystem>
#include <optional>
#include <string>

namespace stretch {

// The daemon's socket: `override` (from --socket) if given, else
// $STRETCH_SOCKET, else $XDG_RUNTIME_DIR/stretch/stretchd.sock. Throws
// std::runtime_error naming the fix when none of them is set.
std::filesystem::path socket_path(const std::optional<std::string>& override);

// The user's config file: $XDG_CONFIG_HOME/stretch/config.toml, falling back
// to ~/.config/stretch/config.toml. It may not exist.
std::filesystem::path user_config_path();

// Environment variable, or nullopt when unset or empty.
std::optional<std::string> env(const char* name);

}  // namespace stretch
