#pragma once
// Running the protocol's commands: each request is checked against the one
// table of commands and arguments (arguments.hpp), then handed to its
// handler, one named function per command; every failure becomes an error
// reply with a stable code in one function.

#include <string>
#include <string_view>
#include <vector>

#include "shared/protocol.hpp"

namespace stretch {

class Daemon;
class Connection;

// Runs one request, from a socket client (origin "cli", with its
// connection) or from a notification action (origin "action", none), so
// both take exactly the same path. Throws protocol::Error.
nlohmann::json execute(Daemon& daemon, const protocol::Request& request, std::string_view origin, Connection* connection);

// Parses one request line, runs it, and returns the reply line. Never throws.
std::string handle_request(Daemon& daemon, Connection& connection, std::string_view line);

// Whether the daemon runs `command` (every one of command_specs() must).
bool has_handler(std::string_view command);

}  // namespace stretch
