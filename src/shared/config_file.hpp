#pragma once
// Reading the config from disk: the one place both programs do it, so that
// `stretch config check` gives exactly the daemon's messages.

#include <filesystem>
#include <optional>

#include "core/config.hpp"

namespace stretch {

struct LoadedConfig {
    Config config;
    std::string source;  // the file it came from, or "built-in default config"
};

// `explicit_path` (from --config) must exist. Otherwise the user's file is
// used when it exists, else the built-in default. Throws ConfigError.
LoadedConfig load_config_file(const std::optional<std::filesystem::path>& explicit_path);

}  // namespace stretch
