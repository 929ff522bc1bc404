#include "cli/offline.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "daemon/commands/arguments.hpp"
#include "daemon/commands/library.hpp"
#include "shared/config_file.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;

json ok(json body) {
    body["ok"] = true;
    body["v"] = protocol::version;
    return body;
}

json refused(std::string_view code, std::string_view message) {
    return {{"ok", false}, {"v", protocol::version}, {"error", {{"code", code}, {"message", message}}}};
}

}  // namespace

json offline_reply(std::string_view cmd, const json& args) {
    Config config;
    try {
        config = load_config_file(std::nullopt).config;
    } catch (const ConfigError& e) {
        return refused(
            "config_invalid",
            fmt::format("{} (while stretchd is not running, the stretch library is read from this file)", e.what()));
    }
    // The daemon's own check and replies (src/daemon/commands/), so a
    // refusal reads the same with the daemon up or down.
    try {
        check_request(cmd, args);
        if (cmd == "list") return ok(list_reply(config, args));
        if (cmd == "show") return ok(show_reply(config, args.value("id", "")));
    } catch (const protocol::Error& e) {
        return refused(e.code(), e.message());
    }
    throw std::logic_error(fmt::format("offline_reply: no offline form of \"{}\"", cmd));
}

}  // namespace stretch
