#pragma once
// The protocol's commands and their arguments, in one table: for each
// command its arguments (name, type, range, whether required), which of
// them exclude each other, and a line of help. Every argument of every
// request is checked here and nowhere else: the daemon before it runs a
// handler, and the CLI without a daemon (`list`, `show`) through the same
// function, so both refuse a value in the same words. Needs no daemon.

#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace stretch {

struct ArgSpec {
    enum class Type { string, duration, clock, integer, boolean, date, body_area, position };
    std::string_view name;
    Type type;
    std::string_view help;
    bool required = false;
    std::int64_t min = 0, max = 0;  // for integers
};

// "a duration like \"10m\"": how each type is described to whoever sent a wrong one.
std::string_view arg_type_name(ArgSpec::Type type);

struct CommandSpec {
    std::string_view name;
    std::vector<ArgSpec> args;
    std::string_view help;
    std::vector<std::pair<std::string_view, std::string_view>> exclusive = {};  // give one or the other
};

// Every command, in the order `stretch help` and the docs list them.
const std::vector<CommandSpec>& command_specs();
const CommandSpec* find_command(std::string_view name);

// Checks a request's command and arguments against the table. Throws
// protocol::Error: unknown_command (with did-you-mean) or bad_argument
// (naming the command, the argument, the value and what is expected).
const CommandSpec& check_request(std::string_view cmd, const nlohmann::json& args);

// A day of the calendar as "YYYY-MM-DD".
bool is_date(std::string_view text);

}  // namespace stretch
