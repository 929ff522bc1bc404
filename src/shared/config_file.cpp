#include "shared/config_file.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "shared/paths.hpp"

namespace stretch {

LoadedConfig load_config_file(const std::optional<std::filesystem::path>& explicit_path) {
    std::filesystem::path path = explicit_path.value_or(user_config_path());
    std::ifstream in(path);
    if (!in) {
        if (!explicit_path && errno == ENOENT) return {default_config(), "built-in default config"};
        throw ConfigError(fmt::format("{}: cannot read the config: {}", path.string(), std::strerror(errno)));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return {load_config(text.str(), path.string(), &default_config()), path.string()};
}

}  // namespace stretch
