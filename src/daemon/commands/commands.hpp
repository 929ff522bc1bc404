#pragma once
// The protocol's commands, in one table: name, arguments, handler, help.
// Arguments are checked against the table in one place, and every failure
// becomes an error reply with a stable code in one function.

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "shared/protocol.hpp"

namespace stretch {

class Daemon;
class Connection;

struct ArgSpec {
    enum class Type { string, duration, clock, integer, boolean };
    std::string_view name;
    Type type;
    std::string_view help;
};

struct CommandInfo {
    std::string_view name;
    std::span<const ArgSpec> args;
    std::string_view help;
};

// Runs one request, from a socket client (origin "cli", with its
// connection) or from a notification action (origin "action", none), so
// both take exactly the same path. Throws protocol::Error.
nlohmann::json execute(Daemon& daemon, const protocol::Request& request, std::string_view origin, Connection* connection);

// Parses one request line, runs it, and returns the reply line. Never throws.
std::string handle_request(Daemon& daemon, Connection& connection, std::string_view line);

// The table, for documentation and tests.
std::vector<CommandInfo> command_list();

}  // namespace stretch
