#include "daemon/commands/commands.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"
#include "core/stats.hpp"
#include "core/suggest.hpp"
#include "daemon/plumbing/calendar.hpp"
#include "daemon/daemon.hpp"
#include "daemon/commands/views.hpp"
#include "shared/protocol.hpp"
#include "version.hpp"

namespace stretch {
namespace {

using nlohmann::json;
using protocol::Error;
using Type = ArgSpec::Type;

std::int64_t secs(Duration d) { return seconds_of(d); }

// A request's arguments, already checked against the command's table entry,
// so the getters cannot fail.
class Args {
public:
    explicit Args(const json& args) : args_(args) {}
    std::string string(std::string_view name) const {
        auto it = args_.find(name);
        return it == args_.end() ? std::string{} : it->get<std::string>();
    }
    std::optional<Duration> duration(std::string_view name) const { return has(name) ? parse_duration(string(name)) : std::nullopt; }
    std::optional<int> clock(std::string_view name) const { return has(name) ? parse_clock(string(name)) : std::nullopt; }
    std::optional<std::int64_t> integer(std::string_view name) const {
        auto it = args_.find(name);
        return it == args_.end() ? std::nullopt : std::optional(it->get<std::int64_t>());
    }
    bool boolean(std::string_view name) const { return args_.value(name, false); }
    bool has(std::string_view name) const { return args_.contains(name); }

private:
    const json& args_;
};

// What a handler gets: the daemon, its checked arguments, who asked
// ("cli" for a socket client, "action" for a notification button), and the
// connection when there is one.
struct Call {
    Daemon& d;
    const Args& a;
    std::string_view origin;
    Connection* connection;
};

using Handler = std::function<json(const Call&)>;

struct Command {
    std::string_view name;
    std::vector<ArgSpec> args;
    Handler handler;
    std::string_view help;
};

// Carries out an engine command: effects first (they happened whether or
// not the command was refused), then the refusal as an error reply.
std::string run(Daemon& d, Outcome outcome) {
    d.apply(std::move(outcome.effects));
    if (outcome.refusal) throw Error(outcome.refusal->code, outcome.refusal->message);
    return outcome.rule;
}

json status_reply(Daemon& d) {
    json out = d.status_view(d.now());
    out["config"] = d.config_source();
    return out;
}

json next_reply(Daemon& d) {
    Now now = d.now();
    auto status = d.engine().status(now);
    return {{"state", engine_mode_name(status.mode)},
            {"sitting_s", secs(status.sitting)},
            {"held", d.status_view(now)["held"]},
            {"off_hours", status.off_hours},
            {"hours", hours_json(d.engine().config().schedule)},
            {"paused_for_s", status.paused_for ? json(secs(*status.paused_for)) : json(nullptr)},
            {"next", next_json(status, d.engine().config())}};
}

const Stretch& find_stretch(Daemon& d, const std::string& id) {
    const auto& config = d.engine().config();
    if (auto* s = config.find_stretch(id)) return *s;
    std::vector<std::string> ids;
    for (auto& s : config.stretches) ids.push_back(s.id);
    throw Error("unknown_stretch",
                fmt::format("no stretch with id \"{}\"{}: \"stretch list\" shows them all", id, did_you_mean(id, ids)));
}

json list_reply(Daemon& d, const Args& args) {
    const auto& config = d.engine().config();
    auto target = args.string("target"), position = args.string("position"), tag = args.string("tag");
    if (!target.empty() && std::find(body_areas().begin(), body_areas().end(), target) == body_areas().end())
        throw Error("bad_argument", fmt::format("list: target \"{}\" is not a body area{}; known areas: {}", target,
                                                did_you_mean(target, body_areas()), fmt::join(body_areas(), ", ")));
    if (!position.empty() && !parse_position(position))
        throw Error("bad_argument", fmt::format("list: position \"{}\": expected seated, standing or floor", position));
    json out = json::array();
    for (auto& s : config.stretches) {
        if (!target.empty() && std::find(s.targets.begin(), s.targets.end(), target) == s.targets.end()) continue;
        if (!position.empty() && position_name(s.position) != position) continue;
        if (!tag.empty() && std::find(s.tags.begin(), s.tags.end(), tag) == s.tags.end()) continue;
        out.push_back(stretch_json(s, config, true));
    }
    return {{"stretches", std::move(out)}};
}

// A day is about a hundred rows, so a year is still a small read.
constexpr std::int64_t max_stats_days = 366;
// One reply must fit the daemon's 1 MiB output queue: events are ~150 bytes.
constexpr std::int64_t max_history_limit = 5000;
constexpr std::int64_t default_history_limit = 1000;
// How far before the first day events are read: a run at the desk across
// midnight starts where it started, a crash the evening before ends where
// it ended.
constexpr std::int64_t stats_lookback_s = 24 * 60 * 60;

std::int64_t in_range(const Args& args, std::string_view command, std::string_view name, std::int64_t fallback,
                      std::int64_t max) {
    auto value = args.integer(name).value_or(fallback);
    if (value < 1 || value > max)
        throw Error("bad_argument", fmt::format("{}: \"{}\" must be from 1 to {}, got {}", command, name, max, value));
    return value;
}

std::vector<HistoryEvent> history_events(const std::vector<HistoryRow>& rows) {
    std::vector<HistoryEvent> out;
    out.reserve(rows.size());
    for (auto& r : rows) out.push_back(r);  // the event without its row id
    return out;
}

json day_stats_json(const DayStats& d) {
    json top = json::array();
    for (auto& s : d.top_stretches) top.push_back({{"id", s.id}, {"name", s.name}, {"count", s.count}});
    json out = {{"sitting_s", d.sitting_s}, {"longest_sitting_s", d.longest_sitting_s},
                {"reminded", d.reminded},   {"taken", d.taken},
                {"natural", d.natural},     {"snoozed", d.snoozed},
                {"skipped", d.skipped},     {"share_taken", d.share_taken ? json(*d.share_taken) : json(nullptr)},
                {"areas", d.areas},         {"top_stretches", std::move(top)}};
    if (!d.date.empty()) out["date"] = d.date;
    return out;
}

json stats_reply(Daemon& d, const Args& args) {
    auto count = in_range(args, "stats", "days", 1, max_stats_days);
    std::int64_t now = d.now().wall_s;
    auto days = last_days(now, static_cast<int>(count));
    std::int64_t since = days.front().start - stats_lookback_s;
    auto events = history_events(d.store().history(since, std::max(days.back().end, now + 1)));
    Stats stats = compute_stats(events, since, now, days, d.engine().config());
    json out_days = json::array();
    for (auto& day : stats.days) out_days.push_back(day_stats_json(day));
    return {{"from", days.front().date}, {"to", days.back().date}, {"days", std::move(out_days)},
            {"total", day_stats_json(stats.total)}};
}

// The shape of subscribers' record events: empty fields left out.
json history_event_json(const HistoryRow& r) {
    json out = {{"id", r.id}, {"time", r.time}, {"kind", r.kind}};
    if (!r.rule.empty()) out["break"] = r.rule;
    if (!r.stretch.empty()) out["stretch"] = r.stretch;
    if (r.amount_s) out["amount_s"] = r.amount_s;
    if (r.count) out["count"] = r.count;
    if (!r.origin.empty()) out["origin"] = r.origin;
    return out;
}

json history_reply(Daemon& d, const Args& args) {
    auto limit = in_range(args, "history", "limit", default_history_limit, max_history_limit);
    std::int64_t now = d.now().wall_s;
    LocalDay from = last_days(now, 1).front();
    if (args.has("since")) {
        auto day = local_day(args.string("since"));
        if (!day)
            throw Error("bad_argument", fmt::format("history: \"since\" must be a date like \"{}\", got \"{}\"",
                                                    from.date, args.string("since")));
        from = *day;
    }
    auto rows = d.store().history(from.start, std::numeric_limits<std::int64_t>::max());
    bool truncated = rows.size() > static_cast<std::size_t>(limit);
    json events = json::array();
    for (auto it = truncated ? rows.end() - limit : rows.begin(); it != rows.end(); ++it)
        events.push_back(history_event_json(*it));
    return {{"since", from.date}, {"events", std::move(events)}, {"truncated", truncated}};
}

const std::vector<Command>& commands() {
    static const std::vector<Command> table = {
        {"status", {}, [](const Call& c) { return status_reply(c.d); },
         "The whole state: mode, sitting time, every break, the reminder up."},
        {"next", {}, [](const Call& c) { return next_reply(c.d); },
         "The break the user meets next, when, and its stretch."},
        {"snooze",
         {{"for", Type::duration, "how long, e.g. \"10m\" (default: the rule's snooze)"},
          {"break", Type::string, "the rule (default: the current break)"}},
         [](const Call& c) {
             auto rule = run(c.d, c.d.engine().snooze(c.d.now(), c.a.duration("for"), c.a.string("break"), c.origin));
             auto status = c.d.engine().status(c.d.now());
             json out = {{"break", rule}};
             for (auto& r : status.rules)
                 if (r.name == rule) {
                     out["snoozed_for_s"] = r.snoozed_for ? secs(*r.snoozed_for) : 0;
                     out["snoozes"] = r.snoozes;
                     out["max_snoozes"] = r.max_snoozes;
                 }
             return out;
         },
         "Postpone the current break."},
        {"skip", {{"break", Type::string, "the rule (default: the current break)"}},
         [](const Call& c) { return json{{"break", run(c.d, c.d.engine().skip(c.d.now(), c.a.string("break"), c.origin))}}; },
         "Skip the current break without taking it."},
        {"done", {{"break", Type::string, "the rule (default: the current break)"}},
         [](const Call& c) { return json{{"break", run(c.d, c.d.engine().done(c.d.now(), c.a.string("break"), c.origin))}}; },
         "Mark the current break as taken."},
        {"pause",
         {{"for", Type::duration, "how long, e.g. \"1h\""}, {"until", Type::clock, "a local time, e.g. \"14:00\""}},
         [](const Call& c) {
             if (c.a.has("for") && c.a.has("until"))
                 throw Error("bad_argument", "pause: give \"for\" or \"until\", not both");
             run(c.d, c.d.engine().pause(c.d.now(), c.a.duration("for"), c.a.clock("until"), c.origin));
             auto status = c.d.engine().status(c.d.now());
             return json{{"paused_for_s", status.paused_for ? secs(*status.paused_for) : 0}};
         },
         "Silence reminders for a while, until a time, or until resume."},
        {"resume", {}, [](const Call& c) { run(c.d, c.d.engine().resume(c.d.now(), c.origin)); return json::object(); },
         "End a pause."},
        {"stand", {}, [](const Call& c) { run(c.d, c.d.engine().stand(c.d.now(), c.origin)); return json::object(); },
         "Standing from now: sitting time stops."},
        {"sit", {}, [](const Call& c) { run(c.d, c.d.engine().sit(c.d.now(), c.origin)); return json::object(); },
         "Sitting again."},
        {"list",
         {{"target", Type::string, "only stretches for this body area"},
          {"position", Type::string, "only seated, standing or floor"},
          {"tag", Type::string, "only stretches with this tag"}},
         [](const Call& c) { return list_reply(c.d, c.a); },
         "The stretch library."},
        {"show", {{"id", Type::string, "the stretch's id"}},
         [](const Call& c) {
             if (!c.a.has("id")) throw Error("bad_argument", "show: \"id\" is required, e.g. {\"id\":\"childs-pose\"}");
             return json{{"stretch", stretch_json(find_stretch(c.d, c.a.string("id")), c.d.engine().config(), true)}};
         },
         "One stretch with its steps."},
        {"reload", {},
         [](const Call& c) {
             if (auto error = c.d.reload()) throw Error("config_invalid", *error + " (the running config is kept)");
             return json{{"config", c.d.config_source()}};
         },
         "Re-read the config file."},
        {"subscribe",
         {{"bell", Type::boolean, "true: this client rings a terminal bell on `bell` events (default false)"}},
         [](const Call& c) {
             if (!c.connection) throw Error("bad_request", "subscribe needs a connection to send events on");
             c.d.subscribe(*c.connection, c.a.boolean("bell"));
             json out = status_reply(c.d);
             out["subscribed"] = true;
             return out;
         },
         "Receive an event line for every change from now on."},
        {"stats",
         {{"days", Type::integer, "how many days, ending today (default 1, at most 366)"}},
         [](const Call& c) { return stats_reply(c.d, c.a); },
         "Sitting time, breaks and stretches per local day."},
        {"history",
         {{"since", Type::string, "a local date, e.g. \"2025-11-24\" (default: today)"},
          {"limit", Type::integer, "at most this many events, the latest (default 1000, at most 5000)"}},
         [](const Call& c) { return history_reply(c.d, c.a); },
         "The recorded events since a date, oldest first."},
        {"doctor", {}, [](const Call& c) { return c.d.doctor_view(); },
         "How activity is tracked, what was probed, and fixes for what is missing."},
        {"version", {},
         [](const Call&) { return json{{"version", version}, {"protocol", protocol::version}}; },
         "The daemon's version."},
    };
    return table;
}

// The one place arguments are checked: known names, right types, valid values.
void check_args(const Command& command, const json& args) {
    std::vector<std::string> names;
    for (auto& spec : command.args) names.emplace_back(spec.name);
    for (auto& [key, value] : args.items()) {
        // Not [&]: clang before 16 cannot capture a structured binding.
        auto spec = std::find_if(command.args.begin(), command.args.end(),
                                 [&wanted = key](auto& s) { return s.name == wanted; });
        if (spec == command.args.end())
            throw Error("bad_argument", names.empty() ? fmt::format("{}: takes no arguments, got \"{}\"", command.name, key)
                                                      : fmt::format("{}: unknown argument \"{}\"{}; it takes: {}", command.name,
                                                                    key, did_you_mean(key, names), fmt::join(names, ", ")));
        auto text = value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
        switch (spec->type) {
            case Type::string:
                if (!text) throw Error("bad_argument", fmt::format("{}: \"{}\" must be a string, got {}", command.name, key, protocol::quote(value)));
                break;
            case Type::duration:
                if (!text || !parse_duration(*text))
                    throw Error("bad_argument", fmt::format("{}: \"{}\" must be a duration like \"10m\" or \"1h30m\", got {}",
                                                            command.name, key, protocol::quote(value)));
                break;
            case Type::clock:
                if (!text || !parse_clock(*text))
                    throw Error("bad_argument", fmt::format("{}: \"{}\" must be a clock time like \"14:30\", got {}",
                                                            command.name, key, protocol::quote(value)));
                break;
            case Type::integer:
                if (!value.is_number_integer())
                    throw Error("bad_argument", fmt::format("{}: \"{}\" must be a whole number like 7, got {}",
                                                            command.name, key, protocol::quote(value)));
                break;
            case Type::boolean:
                if (!value.is_boolean())
                    throw Error("bad_argument", fmt::format("{}: \"{}\" must be true or false, got {}", command.name, key,
                                                            protocol::quote(value)));
                break;
        }
    }
}

}  // namespace

std::vector<CommandInfo> command_list() {
    std::vector<CommandInfo> out;
    for (auto& c : commands()) out.push_back({c.name, c.args, c.help});
    return out;
}

json execute(Daemon& daemon, const protocol::Request& request, std::string_view origin, Connection* connection) {
    const auto& table = commands();
    auto command = std::find_if(table.begin(), table.end(), [&](auto& c) { return c.name == request.cmd; });
    if (command == table.end()) {
        std::vector<std::string> names;
        for (auto& c : table) names.emplace_back(c.name);
        throw Error("unknown_command", fmt::format("unknown command \"{}\"{}", request.cmd, did_you_mean(request.cmd, names)));
    }
    check_args(*command, request.args);
    Args args(request.args);
    return command->handler(Call{daemon, args, origin, connection});
}

std::string handle_request(Daemon& daemon, Connection& connection, std::string_view line) {
    try {
        return protocol::ok_reply(execute(daemon, protocol::parse_request(line), "cli", &connection));
    } catch (const Error& e) {
        return protocol::error_reply(e.code(), e.message());
    } catch (const std::exception& e) {
        spdlog::error("request {} failed: {}", protocol::dump(std::string(line.substr(0, 200))), e.what());
        return protocol::error_reply("internal", fmt::format("stretchd failed to handle the request: {}", e.what()));
    }
}

}  // namespace stretch
