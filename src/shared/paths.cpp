#include "shared/paths.hpp"

#include <cstdlib>
#include <stdexcept>

namespace stretch {

std::optional<std::string> env(const char* name) {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

std::filesystem::path socket_path(const std::optional<std::string>& override) {
    if (override && !override->empty()) return *override;
    if (auto s = env("STRETCH_SOCKET")) return *s;
    if (auto runtime = env("XDG_RUNTIME_DIR")) return std::filesystem::path(*runtime) / "stretch" / "stretchd.sock";
    throw std::runtime_error(
        "XDG_RUNTIME_DIR is not set, so there is no place for the socket: log in through a session that sets it, "
        "or pass --socket PATH (or set STRETCH_SOCKET)");
}

std::filesystem::path user_config_path() {
    if (auto config = env("XDG_CONFIG_HOME")) return std::filesystem::path(*config) / "stretch" / "config.toml";
    if (auto home = env("HOME")) return std::filesystem::path(*home) / ".config" / "stretch" / "config.toml";
    return "config.toml";
}

}  // namespace stretch
