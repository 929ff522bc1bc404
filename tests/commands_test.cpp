// The one table of commands and arguments (daemon/commands/arguments.hpp):
// every argument of every command refuses a value of the wrong kind with
// bad_argument naming the command and the argument, unknown commands and
// arguments get did-you-mean, and every command has its handler.

#include <doctest/doctest.h>

#include <set>
#include <string>
#include <vector>

#include "daemon/commands/arguments.hpp"
#include "daemon/commands/commands.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;
using Type = ArgSpec::Type;

// The error check_request throws, or "" when it accepts the request.
std::string refusal(std::string_view cmd, const json& args) {
    try {
        check_request(cmd, args);
        return "";
    } catch (const protocol::Error& e) {
        return e.code() + ": " + e.message();
    }
}

// A value of the right kind for each type, and one of the wrong kind.
json good(const ArgSpec& a) {
    switch (a.type) {
        case Type::string: return "micro";
        case Type::duration: return "10m";
        case Type::clock: return "14:30";
        case Type::integer: return a.min;
        case Type::boolean: return true;
        case Type::date: return "2025-11-24";
        case Type::body_area: return "neck";
        case Type::position: return "seated";
    }
    return nullptr;
}

std::vector<json> bad(const ArgSpec& a) {
    switch (a.type) {
        case Type::string: return {7, json::array(), nullptr};
        case Type::duration: return {"10", "ten minutes", 600, "-5m"};
        case Type::clock: return {"25:00", "2pm", 1430};
        case Type::integer: return {"7", 1.5, a.min - 1, a.max + 1};
        case Type::boolean: return {"true", 1};
        case Type::date: return {"yesterday", "2025-02-30", "2025-1-2", 20251124};
        case Type::body_area: return {"nek", "Neck", 3};
        case Type::position: return {"sitting", "", 1};
    }
    return {};
}

TEST_CASE("every command has a handler, and the table has no duplicates") {
    std::set<std::string_view> names;
    for (auto& c : command_specs()) {
        CAPTURE(c.name);
        CHECK(has_handler(c.name));
        CHECK(names.insert(c.name).second);
        CHECK_FALSE(c.help.empty());
        for (auto& a : c.args) CHECK_FALSE(a.help.empty());
    }
    CHECK_FALSE(has_handler("nonsense"));
}

TEST_CASE("every argument of every command takes a good value and refuses bad ones, by name") {
    for (auto& c : command_specs()) {
        json required = json::object();
        for (auto& a : c.args)
            if (a.required) required[a.name] = good(a);
        CAPTURE(c.name);
        CHECK(refusal(c.name, required) == "");
        for (auto& a : c.args) {
            CAPTURE(a.name);
            json args = required;
            args[a.name] = good(a);
            CHECK(refusal(c.name, args) == "");
            for (auto& value : bad(a)) {
                CAPTURE(value.dump());
                args[a.name] = value;
                auto why = refusal(c.name, args);
                CHECK(why.rfind("bad_argument: " + std::string(c.name) + ": ", 0) == 0);
                CHECK(why.find(a.name) != std::string::npos);
            }
        }
    }
}

TEST_CASE("unknown commands and arguments are refused with did-you-mean") {
    CHECK(refusal("snoze", json::object()) == "unknown_command: unknown command \"snoze\" (did you mean \"snooze\"?)");
    CHECK(refusal("snooze", {{"fro", "5m"}}) ==
          "bad_argument: snooze: unknown argument \"fro\" (did you mean \"for\"?); it takes: for, break");
    CHECK(refusal("status", {{"x", 1}}) == "bad_argument: status: takes no arguments, got \"x\"");
}

TEST_CASE("ranges, required arguments and exclusive pairs are the table's") {
    CHECK(refusal("stats", {{"days", 367}}) == "bad_argument: stats: \"days\" must be from 1 to 366, got 367");
    CHECK(refusal("stats", {{"days", 366}}) == "");
    CHECK(refusal("history", {{"limit", 0}}) == "bad_argument: history: \"limit\" must be from 1 to 5000, got 0");
    CHECK(refusal("show", json::object()).rfind("bad_argument: show: \"id\" is required", 0) == 0);
    CHECK(refusal("pause", {{"for", "1h"}, {"until", "14:00"}}) == "bad_argument: pause: give \"for\" or \"until\", not both");
    CHECK(refusal("history", {{"since", "2024-02-29"}}) == "");  // a leap day is a day
    CHECK(refusal("list", {{"target", "nek"}}).find("did you mean \"neck\"") != std::string::npos);
}

}  // namespace
}  // namespace stretch
