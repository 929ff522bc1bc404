#pragma once
// The wire protocol between stretch and stretchd: newline-delimited JSON,
// one request and one reply per line (docs/protocol.md). Shared by both
// programs so they agree on framing, versions and error shapes.

#include <stdexcept>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stretch::protocol {

using nlohmann::json;

inline constexpr int version = 1;
// A request line longer than this is refused and the connection closed.
inline constexpr std::size_t max_line = 64 * 1024;

// A request that cannot be served, with a stable code from docs/protocol.md.
class Error : public std::runtime_error {
public:
    Error(std::string code, std::string message)
        : std::runtime_error(message), code_(std::move(code)), message_(std::move(message)) {}
    const std::string& code() const { return code_; }
    // The whole message: what() stops at a NUL that client input may carry.
    const std::string& message() const { return message_; }

private:
    std::string code_;
    std::string message_;
};

struct Request {
    std::string cmd;
    json args = json::object();
};

// Parses one line (without its newline). Throws Error: bad_json,
// bad_request (not an object, no cmd, args not an object) or
// unsupported_version.
Request parse_request(std::string_view line);

// Reply lines, newline included. `body` must be an object; ok and v are added.
std::string ok_reply(json body = json::object());
std::string error_reply(std::string_view code, std::string_view message);
// An unsolicited event line for subscribers.
std::string event_line(std::string_view event, json body);
std::string request_line(std::string_view cmd, json args = json::object());

// Serialises without ever throwing on bad UTF-8 (it is replaced), since
// values quoted back to a client may come from arbitrary input.
std::string dump(const json& value);
// A value for quoting in a message: dumped, and cut short if long.
std::string quote(const json& value);

}  // namespace stretch::protocol
