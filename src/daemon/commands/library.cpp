#include "daemon/commands/library.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "core/suggest.hpp"
#include "daemon/commands/views.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;

bool has(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool matches(const Stretch& s, const json& args) {
    if (args.contains("target") && !has(s.targets, args["target"].get<std::string>())) return false;
    if (args.contains("position") && position_name(s.position) != args["position"].get<std::string>()) return false;
    if (args.contains("tag") && !has(s.tags, args["tag"].get<std::string>())) return false;
    return true;
}

}  // namespace

json list_reply(const Config& config, const json& args) {
    json out = json::array();
    for (auto& s : config.stretches)
        if (matches(s, args)) out.push_back(stretch_json(s, config, true));
    return {{"stretches", std::move(out)}};
}

json show_reply(const Config& config, std::string_view id) {
    if (auto* s = config.find_stretch(id)) return {{"stretch", stretch_json(*s, config, true)}};
    std::vector<std::string> ids;
    for (auto& s : config.stretches) ids.push_back(s.id);
    throw protocol::Error("unknown_stretch",
                          fmt::format("no stretch with id \"{}\"{}: \"stretch list\" shows them all", id, did_you_mean(id, ids)));
}

}  // namespace stretch
