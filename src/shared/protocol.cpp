#include "shared/protocol.hpp"

#include <fmt/format.h>

namespace stretch::protocol {

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

namespace {

// Deeper nesting than any request needs; refusing it up front keeps the
// recursive parts of JSON handling (dumping a value into a message) from
// ever running deep enough to exhaust the stack.
constexpr int max_depth = 32;

bool nests_too_deep(std::string_view line) {
    int depth = 0;
    bool in_string = false, escaped = false;
    for (char c : line) {
        if (in_string) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') in_string = false;
        } else if (c == '"') {
            in_string = true;
        } else if (c == '[' || c == '{') {
            if (++depth > max_depth) return true;
        } else if (c == ']' || c == '}') {
            --depth;
        }
    }
    return false;
}

}  // namespace

std::string quote(const json& value) {
    constexpr std::size_t max_quoted = 60;
    std::string text = dump(value);
    if (text.size() > max_quoted) text = text.substr(0, max_quoted) + "…";
    return text;
}

Request parse_request(std::string_view line) {
    if (nests_too_deep(line))
        throw Error("bad_request", fmt::format("the request nests deeper than {} levels: no command needs that", max_depth));
    json parsed = json::parse(line, nullptr, false);
    if (parsed.is_discarded())
        throw Error("bad_json", "the request is not valid JSON: send one JSON object per line, e.g. {\"v\":1,\"cmd\":\"status\"}");
    if (!parsed.is_object()) throw Error("bad_request", "the request must be a JSON object like {\"v\":1,\"cmd\":\"status\"}");
    if (auto v = parsed.find("v"); v != parsed.end()) {
        if (!v->is_number_integer() || v->get<long long>() != version)
            throw Error("unsupported_version",
                        fmt::format("protocol version {} is not supported: this stretchd speaks version {}", dump(*v), version));
    }
    auto cmd = parsed.find("cmd");
    if (cmd == parsed.end() || !cmd->is_string())
        throw Error("bad_request", "the request has no \"cmd\" string: e.g. {\"v\":1,\"cmd\":\"status\"}");
    Request request{cmd->get<std::string>(), json::object()};
    if (auto args = parsed.find("args"); args != parsed.end()) {
        if (!args->is_object()) throw Error("bad_request", "\"args\" must be a JSON object");
        request.args = *args;
    }
    for (auto& [key, value] : parsed.items())
        if (key != "v" && key != "cmd" && key != "args")
            throw Error("bad_request", fmt::format("unknown field \"{}\" in the request: only v, cmd and args are read", key));
    return request;
}

std::string ok_reply(json body) {
    body["ok"] = true;
    body["v"] = version;
    return dump(body) + '\n';
}

std::string error_reply(std::string_view code, std::string_view message) {
    json body = {{"ok", false}, {"v", version}, {"error", {{"code", code}, {"message", message}}}};
    return dump(body) + '\n';
}

std::string event_line(std::string_view event, json body) {
    body["v"] = version;
    body["event"] = event;
    return dump(body) + '\n';
}

std::string request_line(std::string_view cmd, json args) {
    json request = {{"v", version}, {"cmd", cmd}};
    if (!args.empty()) request["args"] = std::move(args);
    return dump(request) + '\n';
}

}  // namespace stretch::protocol
