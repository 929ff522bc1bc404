#include "daemon/commands/commands.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <map>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"
#include "core/stats.hpp"
#include "core/suggest.hpp"
#include "daemon/plumbing/calendar.hpp"
#include "daemon/daemon.hpp"
#include "daemon/commands/arguments.hpp"
#include "daemon/commands/library.hpp"
#include "daemon/commands/views.hpp"
#include "shared/protocol.hpp"
#include "version.hpp"

namespace stretch {
namespace {

using nlohmann::json;
using protocol::Error;

std::int64_t secs(Duration d) { return seconds_of(d); }

// A request's arguments, already checked against the command's table entry
// (arguments.hpp), so the getters cannot fail.
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
    const json& raw() const { return args_; }

private:
    const json& args_;
};

// What a handler gets: the daemon, its checked arguments, who asked
// ("cli" for a socket client, "action" for a notification button), the
// connection when there is one, and the time the request came in: read
// once, so every part of one reply speaks of the same moment.
struct Call {
    Daemon& d;
    const Args& a;
    std::string_view origin;
    Connection* connection;
    Now now;
};

using Handler = json (*)(const Call&);

// Carries out an engine command: effects first (they happened whether or
// not the command was refused), then the refusal as an error reply.
std::string run(const Call& c, Outcome outcome) {
    c.d.apply(std::move(outcome.effects), c.now);
    if (outcome.refusal) throw Error(outcome.refusal->code, outcome.refusal->message);
    return outcome.rule;
}

constexpr std::int64_t default_history_limit = 1000;
// How far before the first day events are read: a run at the desk across
// midnight starts where it started, a crash the evening before ends where
// it ended.
constexpr std::int64_t stats_lookback_s = 24 * 60 * 60;

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
                {"areas", d.areas},         {"top_stretches", std::move(top)},
                {"call_s", d.call_s}};
    if (!d.date.empty()) out["date"] = d.date;
    return out;
}

// The shape of subscribers' record events: empty fields left out.
json history_event_json(const HistoryRow& r) {
    json out = {{"id", r.id}, {"time", r.time}, {"kind", record_kind_name(r.kind)}};
    if (!r.rule.empty()) out["break"] = r.rule;
    if (!r.stretch.empty()) out["stretch"] = r.stretch;
    if (r.amount_s) out["amount_s"] = r.amount_s;
    if (r.count) out["count"] = r.count;
    if (!r.origin.empty()) out["origin"] = r.origin;
    if (!r.detail.empty()) out["detail"] = r.detail;
    return out;
}

// ---- the handlers, one per command, in the order of command_specs() ----

json status(const Call& c) {
    json out = c.d.status_view(c.now);
    out["config"] = c.d.config_source();
    return out;
}

json next(const Call& c) {
    const auto& s = c.d.status(c.now);
    return {{"state", engine_mode_name(s.mode)},
            {"sitting_s", secs(s.sitting)},
            {"held", c.d.held(c.now)},
            {"off_hours", s.off_hours},
            {"hours", hours_json(c.d.engine().config().schedule)},
            {"paused_for_s", s.paused_for ? json(secs(*s.paused_for)) : json(nullptr)},
            {"next", next_json(s, c.d.engine().config())}};
}

json snooze(const Call& c) {
    auto rule = run(c, c.d.engine().snooze(c.now, c.a.duration("for"), c.a.string("break"), c.origin));
    json out = {{"break", rule}};
    for (auto& r : c.d.status(c.now).rules)
        if (r.name == rule) {
            out["snoozed_for_s"] = r.snoozed_for ? secs(*r.snoozed_for) : 0;
            out["snoozes"] = r.snoozes;
            out["max_snoozes"] = r.max_snoozes;
        }
    return out;
}

json skip(const Call& c) { return {{"break", run(c, c.d.engine().skip(c.now, c.a.string("break"), c.origin))}}; }

json done(const Call& c) { return {{"break", run(c, c.d.engine().done(c.now, c.a.string("break"), c.origin))}}; }

json pause(const Call& c) {
    run(c, c.d.engine().pause(c.now, c.a.duration("for"), c.a.clock("until"), c.origin));
    const auto& s = c.d.status(c.now);
    return {{"paused_for_s", s.paused_for ? secs(*s.paused_for) : 0}};
}

json resume(const Call& c) {
    run(c, c.d.engine().resume(c.now, c.origin));
    return json::object();
}

json stand(const Call& c) {
    run(c, c.d.engine().stand(c.now, c.origin));
    return json::object();
}

json sit(const Call& c) {
    run(c, c.d.engine().sit(c.now, c.origin));
    return json::object();
}

json meeting_start(const Call& c) {
    run(c, c.d.engine().meeting_start(c.now, c.a.duration("for"), c.origin));
    return {{"call", call_json(c.d.status(c.now).call)}};
}

json meeting_end(const Call& c) {
    run(c, c.d.engine().meeting_end(c.now, c.origin));
    return {{"call", call_json(c.d.status(c.now).call)}};
}

json list(const Call& c) { return list_reply(c.d.engine().config(), c.a.raw()); }

json show(const Call& c) { return show_reply(c.d.engine().config(), c.a.string("id")); }

json reload(const Call& c) {
    if (auto error = c.d.reload()) throw Error("config_invalid", *error + " (the running config is kept)");
    return {{"config", c.d.config_source()}};
}

json subscribe(const Call& c) {
    if (!c.connection) throw Error("bad_request", "subscribe needs a connection to send events on");
    c.d.subscribe(*c.connection, c.a.boolean("bell"));
    json out = status(c);
    out["subscribed"] = true;
    return out;
}

json stats(const Call& c) {
    std::int64_t now = c.now.wall_s;
    auto days = last_days(now, static_cast<int>(c.a.integer("days").value_or(1)));
    std::int64_t since = days.front().start - stats_lookback_s;
    auto events = history_events(c.d.store().history(since, std::max(days.back().end, now + 1)));
    Stats stats = compute_stats(events, since, now, days, c.d.engine().config());
    json out_days = json::array();
    for (auto& day : stats.days) out_days.push_back(day_stats_json(day));
    return {{"from", days.front().date}, {"to", days.back().date}, {"days", std::move(out_days)},
            {"total", day_stats_json(stats.total)}};
}

json history(const Call& c) {
    auto limit = c.a.integer("limit").value_or(default_history_limit);
    LocalDay from = last_days(c.now.wall_s, 1).front();
    if (c.a.has("since"))
        if (auto day = local_day(c.a.string("since"))) from = *day;
    auto rows = c.d.store().history(from.start, std::numeric_limits<std::int64_t>::max());
    bool truncated = rows.size() > static_cast<std::size_t>(limit);
    json events = json::array();
    for (auto it = truncated ? rows.end() - limit : rows.begin(); it != rows.end(); ++it)
        events.push_back(history_event_json(*it));
    return {{"since", from.date}, {"events", std::move(events)}, {"truncated", truncated}};
}

json doctor(const Call& c) { return c.d.doctor_view(); }

json version_(const Call&) { return {{"version", version}, {"protocol", protocol::version}}; }

// Which handler runs each command of command_specs(): one line each.
const std::map<std::string_view, Handler>& handlers() {
    static const std::map<std::string_view, Handler> table = {
        {"status", status}, {"next", next},     {"snooze", snooze},   {"skip", skip},       {"done", done},
        {"pause", pause},   {"resume", resume}, {"stand", stand},     {"sit", sit},         {"list", list},
        {"show", show},     {"reload", reload}, {"subscribe", subscribe}, {"stats", stats}, {"history", history},
        {"doctor", doctor}, {"version", version_}, {"meeting_start", meeting_start}, {"meeting_end", meeting_end},
    };
    return table;
}

}  // namespace

bool has_handler(std::string_view command) { return handlers().count(command) > 0; }

json execute(Daemon& daemon, const protocol::Request& request, std::string_view origin, Connection* connection) {
    const CommandSpec& command = check_request(request.cmd, request.args);
    Args args(request.args);
    return handlers().at(command.name)(Call{daemon, args, origin, connection, daemon.enter()});
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
