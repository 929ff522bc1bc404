#include "cli/offline.hpp"

#include <algorithm>
#include <stdexcept>

#include <fmt/format.h>

#include "core/suggest.hpp"
#include "daemon/commands/views.hpp"
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

bool contains(const std::vector<std::string>& list, const json& args, std::string_view key) {
    return std::find(list.begin(), list.end(), args[key].get<std::string>()) != list.end();
}

// The daemon's filter for `list` (src/daemon/commands.cpp): every given
// argument must match.
bool matches(const Stretch& s, const json& args) {
    if (args.contains("target") && !contains(s.targets, args, "target")) return false;
    if (args.contains("position") && position_name(s.position) != args["position"].get<std::string>()) return false;
    if (args.contains("tag") && !contains(s.tags, args, "tag")) return false;
    return true;
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
    if (cmd == "list") {
        json stretches = json::array();
        for (auto& s : config.stretches)
            if (matches(s, args)) stretches.push_back(stretch_json(s, config, true));
        return ok({{"stretches", std::move(stretches)}});
    }
    if (cmd == "show") {
        std::string id = args.value("id", "");
        if (auto* s = config.find_stretch(id)) return ok({{"stretch", stretch_json(*s, config, true)}});
        std::vector<std::string> ids;
        for (auto& s : config.stretches) ids.push_back(s.id);
        return refused("unknown_stretch", fmt::format("no stretch with id \"{}\"{}: \"stretch list\" shows them all",
                                                      id, did_you_mean(id, ids)));
    }
    throw std::logic_error(fmt::format("offline_reply: no offline form of \"{}\"", cmd));
}

}  // namespace stretch
