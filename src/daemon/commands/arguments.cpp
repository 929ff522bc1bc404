#include "daemon/commands/arguments.hpp"

#include <algorithm>
#include <chrono>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/duration.hpp"
#include "core/stretch.hpp"
#include "core/suggest.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;
using protocol::Error;
using Type = ArgSpec::Type;

// A day is about a hundred rows, so a year is still a small read.
constexpr std::int64_t max_stats_days = 366;
// One reply must fit the daemon's 1 MiB output queue: events are ~150 bytes.
constexpr std::int64_t max_history_limit = 5000;

constexpr std::string_view rule_help = "the rule (default: the current break)";

std::string quote(const json& value) { return protocol::quote(value); }

[[noreturn]] void refuse(const CommandSpec& c, const ArgSpec& a, const json& value) {
    throw Error("bad_argument", fmt::format("{}: \"{}\" must be {}, got {}", c.name, a.name, arg_type_name(a.type), quote(value)));
}

void check_value(const CommandSpec& c, const ArgSpec& a, const json& value) {
    auto text = value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
    switch (a.type) {
        case Type::string:
            if (!text) refuse(c, a, value);
            return;
        case Type::duration:
            if (!text || !parse_duration(*text)) refuse(c, a, value);
            return;
        case Type::clock:
            if (!text || !parse_clock(*text)) refuse(c, a, value);
            return;
        case Type::boolean:
            if (!value.is_boolean()) refuse(c, a, value);
            return;
        case Type::date:
            if (!text || !is_date(*text)) refuse(c, a, value);
            return;
        case Type::position:
            if (!text || !parse_position(*text))
                throw Error("bad_argument", fmt::format("{}: {} {}: expected seated, standing or floor", c.name, a.name, quote(value)));
            return;
        case Type::body_area: {
            const auto& areas = body_areas();
            if (!text || std::find(areas.begin(), areas.end(), *text) == areas.end())
                throw Error("bad_argument", fmt::format("{}: {} {} is not a body area{}; the areas are {}", c.name, a.name, quote(value),
                                                        text ? did_you_mean(*text, areas) : "", fmt::join(areas, ", ")));
            return;
        }
        case Type::integer:
            if (!value.is_number_integer()) refuse(c, a, value);
            if (auto n = value.get<std::int64_t>(); n < a.min || n > a.max)
                throw Error("bad_argument", fmt::format("{}: \"{}\" must be from {} to {}, got {}", c.name, a.name, a.min, a.max, n));
            return;
    }
}

}  // namespace

std::string_view arg_type_name(ArgSpec::Type type) {
    switch (type) {
        case Type::string: return "a string";
        case Type::duration: return "a duration like \"10m\" or \"1h30m\"";
        case Type::clock: return "a clock time like \"14:30\"";
        case Type::integer: return "a whole number like 7";
        case Type::boolean: return "true or false";
        case Type::date: return "a day of the calendar like \"2025-11-24\"";
        case Type::body_area: return "a body area like \"neck\"";
        case Type::position: return "seated, standing or floor";
    }
    return "a value";
}

const std::vector<CommandSpec>& command_specs() {
    static const std::vector<CommandSpec> table = {
        {"status", {}, "The whole state: mode, sitting time, every break, the reminder up."},
        {"next", {}, "The break the user meets next, when, and its stretch."},
        {"snooze",
         {{"for", Type::duration, "how long, e.g. \"10m\" (default: the rule's snooze)"}, {"break", Type::string, rule_help}},
         "Postpone the current break."},
        {"skip", {{"break", Type::string, rule_help}}, "Skip the current break without taking it."},
        {"done", {{"break", Type::string, rule_help}}, "Mark the current break as taken."},
        {"pause",
         {{"for", Type::duration, "how long, e.g. \"1h\""}, {"until", Type::clock, "a local time, e.g. \"14:00\""}},
         "Silence reminders for a while, until a time, or until resume.",
         {{"for", "until"}}},
        {"resume", {}, "End a pause."},
        {"stand", {}, "Standing from now: sitting time stops."},
        {"sit", {}, "Sitting again."},
        {"meeting_start", {{"for", Type::duration, "how long, e.g. \"45m\" (default: until meeting_end)"}},
         "In a call the devices cannot reveal (a phone, a meeting room): reminders wait until it ends."},
        {"meeting_end", {}, "The meeting begun with meeting_start is over."},
        {"list",
         {{"target", Type::body_area, "only stretches for this body area"},
          {"position", Type::position, "only seated, standing or floor"},
          {"tag", Type::string, "only stretches with this tag"}},
         "The stretch library."},
        {"show", {{"id", Type::string, "the stretch's id", true}}, "One stretch with its steps."},
        {"reload", {}, "Re-read the config file."},
        {"subscribe", {{"bell", Type::boolean, "true: this client rings a terminal bell on `bell` events (default false)"}},
         "Receive an event line for every change from now on."},
        {"stats", {{"days", Type::integer, "how many days, ending today (default 1, at most 366)", false, 1, max_stats_days}},
         "Sitting time, breaks and stretches per local day."},
        {"history",
         {{"since", Type::date, "a local date, e.g. \"2025-11-24\" (default: today)"},
          {"limit", Type::integer, "at most this many events, the latest (default 1000, at most 5000)", false, 1, max_history_limit}},
         "The recorded events since a date, oldest first."},
        {"doctor", {}, "How activity is tracked, what was probed, and fixes for what is missing."},
        {"version", {}, "The daemon's version."},
    };
    return table;
}

const CommandSpec* find_command(std::string_view name) {
    const auto& table = command_specs();
    auto it = std::find_if(table.begin(), table.end(), [&](auto& c) { return c.name == name; });
    return it == table.end() ? nullptr : &*it;
}

const CommandSpec& check_request(std::string_view cmd, const json& args) {
    const CommandSpec* command = find_command(cmd);
    if (!command) {
        std::vector<std::string> names;
        for (auto& c : command_specs()) names.emplace_back(c.name);
        throw Error("unknown_command", fmt::format("unknown command \"{}\"{}", cmd, did_you_mean(cmd, names)));
    }
    std::vector<std::string> names;
    for (auto& spec : command->args) names.emplace_back(spec.name);
    for (auto& [key, value] : args.items()) {
        // Not [&]: clang before 16 cannot capture a structured binding.
        auto spec = std::find_if(command->args.begin(), command->args.end(), [&wanted = key](auto& s) { return s.name == wanted; });
        if (spec == command->args.end())
            throw Error("bad_argument", names.empty() ? fmt::format("{}: takes no arguments, got \"{}\"", command->name, key)
                                                      : fmt::format("{}: unknown argument \"{}\"{}; it takes: {}", command->name,
                                                                    key, did_you_mean(key, names), fmt::join(names, ", ")));
        check_value(*command, *spec, value);
    }
    for (auto& spec : command->args)
        if (spec.required && !args.contains(spec.name))
            throw Error("bad_argument", fmt::format("{}: \"{}\" is required ({})", command->name, spec.name, spec.help));
    for (auto& [a, b] : command->exclusive)
        if (args.contains(a) && args.contains(b))
            throw Error("bad_argument", fmt::format("{}: give \"{}\" or \"{}\", not both", command->name, a, b));
    return *command;
}

bool is_date(std::string_view text) {
    if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
    int parts[3] = {0, 0, 0};
    for (std::size_t i = 0, part = 0; i < text.size(); ++i) {
        if (i == 4 || i == 7) {
            ++part;
            continue;
        }
        if (text[i] < '0' || text[i] > '9') return false;
        parts[part] = parts[part] * 10 + (text[i] - '0');
    }
    using namespace std::chrono;
    return parts[0] >= 1970 &&
           year_month_day(year(parts[0]), month(static_cast<unsigned>(parts[1])), day(static_cast<unsigned>(parts[2]))).ok();
}

}  // namespace stretch
