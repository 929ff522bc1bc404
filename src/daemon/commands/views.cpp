#include "daemon/commands/views.hpp"
#include "daemon/presence/call/call_filter.hpp"

#include <fmt/format.h>

#include "core/duration.hpp"

namespace stretch {
namespace {

using nlohmann::json;

std::int64_t secs(Duration d) { return seconds_of(d); }

constexpr const char* import_fix =
    "run systemctl --user import-environment DISPLAY WAYLAND_DISPLAY (in your session's startup), then stretch reload";

std::string_view probe_state_name(ActivityProbe::State state) {
    switch (state) {
        case ActivityProbe::State::active: return "active";
        case ActivityProbe::State::probing: return "probing";
        case ActivityProbe::State::available: return "available";
        case ActivityProbe::State::failed: return "failed";
        case ActivityProbe::State::not_used: return "not_used";
        case ActivityProbe::State::skipped: return "skipped";
    }
    return "skipped";
}

json rule_json(const RuleStatus& r, const Config& config) {
    json out = {{"break", r.name},         {"sitting_s", secs(r.sitting)}, {"every_s", secs(r.every)},
                {"due_in_s", secs(r.due_in)}, {"due", r.due},                {"enabled", r.enabled},
                {"snoozes", r.snoozes},     {"max_snoozes", r.max_snoozes}};
    if (r.snoozed_for) out["snoozed_for_s"] = secs(*r.snoozed_for);
    out["stretch"] = r.stretch ? stretch_json(*r.stretch, config, false) : json(nullptr);
    return out;
}

}  // namespace

std::int64_t seconds_of(Duration d) { return std::chrono::round<std::chrono::seconds>(d).count(); }

json stretch_json(const Stretch& s, const Config& config, bool full) {
    json out = {{"id", s.id}, {"name", s.name}, {"targets", s.targets}};
    if (!full) return out;
    out["position"] = position_name(s.position);
    out["hold"] = format_hold(s.hold);
    out["hold_s"] = hold_seconds(s.hold);
    out["reps"] = format_reps(s.reps);
    out["per_side"] = s.per_side;
    out["equipment"] = s.equipment;
    out["tags"] = s.tags;
    out["steps"] = s.steps;
    out["caution"] = s.caution ? json(*s.caution) : json(nullptr);
    out["variation_of"] = s.variation_of ? json(*s.variation_of) : json(nullptr);
    out["allowed"] = config.allows(s);
    return out;
}

json next_json(const EngineStatus& status, const Config& config) {
    if (!status.next) return nullptr;
    json out = rule_json(*status.next, config);
    if (status.next->stretch) out["stretch"] = stretch_json(*status.next->stretch, config, true);
    auto& why = status.next->why;
    out["why"] = why ? json{{"reason", pick_reason_name(why->reason)}, {"text", pick_why_text(*why)}} : json(nullptr);
    return out;
}

json status_json(const EngineStatus& status, const Config& config) {
    json out = {{"state", engine_mode_name(status.mode)},
                {"sitting_s", secs(status.sitting)},
                {"away", status.away},
                {"off_hours", status.off_hours},
                {"hours", hours_json(config.schedule)}};
    out["paused_for_s"] = status.paused_for ? json(secs(*status.paused_for)) : json(nullptr);
    out["held"] = status.held ? json(hold_reason_name(*status.held)) : json(nullptr);
    out["call"] = call_json(status.call);
    if (status.shown)
        out["reminder"] = {{"break", status.shown->rule}, {"stretch", status.shown->stretch}, {"count", status.shown->count}};
    else
        out["reminder"] = nullptr;
    out["next"] = status.next ? rule_json(*status.next, config) : json(nullptr);
    json breaks = json::array();
    for (auto& r : status.rules) breaks.push_back(rule_json(r, config));
    out["breaks"] = std::move(breaks);
    return out;
}

json call_json(const std::optional<CallStatus>& call) {
    if (!call) return nullptr;
    auto maybe = [](const std::optional<Duration>& d) { return d ? json(secs(*d)) : json(nullptr); };
    return {{"length_s", secs(call->length)},
            {"detected", call->detected},
            {"manual", call->manual},
            {"manual_left_s", maybe(call->manual_left)},
            {"settle_left_s", maybe(call->settle_left)}};
}

json reminder_json(const Reminder& r, const Config& config) {
    json out = {{"break", r.rule},           {"sitting_s", secs(r.sitting)}, {"count", r.count},
                {"snoozes_left", r.snoozes_left}, {"snooze_s", secs(r.snooze)}, {"skippable", r.skippable}};
    out["after_call_s"] = r.after_call ? json(secs(*r.after_call)) : json(nullptr);
    const Stretch* s = config.find_stretch(r.stretch_id);
    out["stretch"] = s ? stretch_json(*s, config, true) : json(nullptr);
    return out;
}

json hours_json(const Schedule& schedule) {
    json days = json::array();
    for (int d = 0; d < 7; ++d)
        if (schedule.days[static_cast<std::size_t>(d)]) days.push_back(weekday_name(d));
    return {{"days", std::move(days)}, {"from", format_clock(schedule.from_s)}, {"to", format_clock(schedule.to_s)}};
}

std::string_view record_event_name(RecordKind kind) {
    switch (kind) {
        case RecordKind::reminded: return {};  // the "reminder" event carries it
        case RecordKind::taken: return "done";
        case RecordKind::natural: return "natural_break";
        case RecordKind::stood: return "stand";
        case RecordKind::sat: return "sit";
        default: return record_kind_name(kind);
    }
}

json record_json(const Record& r, std::int64_t wall_s) {
    json out = {{"kind", record_kind_name(r.kind)}, {"time", wall_s}, {"origin", r.origin}};
    if (!r.rule.empty()) out["break"] = r.rule;
    if (!r.stretch.empty()) out["stretch"] = r.stretch;
    if (r.amount != Duration::zero()) out["amount_s"] = secs(r.amount);
    if (r.count) out["count"] = r.count;
    if (!r.detail.empty()) out["detail"] = r.detail;
    return out;
}

json activity_status_json(const Activity::Status& status) {
    return {{"source", status.source ? activity_source_name(*status.source) : "none"}, {"detail", status.detail}};
}

json doctor_json(const PresenceFacts& facts) {
    const Activity::Report& activity = facts.activity;
    const Logind::Facts& logind = facts.logind;
    const DisplayEnv& env = facts.display;
    json out;
    out["setting"] = activity.setting;
    out["active"] = activity_status_json(activity.active);
    out["environment"] = {{"DISPLAY", env.x11},
                          {"WAYLAND_DISPLAY", env.wayland},
                          {"XDG_RUNTIME_DIR", env.runtime_dir},
                          {"user_manager", facts.user_manager}};
    json probes = json::array();
    for (const auto& p : activity.probes) {
        json probe = {{"source", activity_source_name(p.source)}, {"state", probe_state_name(p.state)}, {"detail", p.detail}};
        if (!p.fix.empty()) probe["fix"] = p.fix;
        probes.push_back(std::move(probe));
    }
    out["probes"] = std::move(probes);
    out["logind"] = {{"detail", logind.detail}, {"ok", logind.session}};
    if (!logind.fix.empty()) out["logind"]["fix"] = logind.fix;

    // The problems worth a line of their own, each with what to do.
    json problems = json::array();
    if (activity.setting != "none" && !activity.active.source) {
        if (env.x11.empty() && env.wayland.empty())
            problems.push_back({{"problem", "DISPLAY and WAYLAND_DISPLAY are not in the systemd user environment"},
                                {"fix", import_fix}});
        problems.push_back({{"problem", "no activity source works, so sitting time runs on the clock alone"},
                            {"fix", "see the failed probes above; meanwhile mark breaks with `stretch done`"}});
    } else if (activity.active.source == ActivitySourceName::logind && !logind.idle_hint_seen) {
        problems.push_back({{"problem", "logind's IdleHint is the only source, and nothing has set it yet"},
                            {"fix", "GNOME sets it; with sway, run swayidle with `idlehint 300`"}});
    }
    if (!logind.session && !logind.resolving)
        problems.push_back({{"problem", fmt::format("screen locking is not seen: {}", logind.detail)}, {"fix", logind.fix}});
    if (!facts.session_bus_problem.empty())
        problems.push_back({{"problem", facts.session_bus_problem},
                            {"fix", "the user's dbus must be running: systemctl --user status dbus.socket"}});
    out["problems"] = std::move(problems);
    return out;
}

json fullscreen_json(const std::vector<FullscreenReport>& reports) {
    json in_use = json::array(), probes = json::array(), warnings = json::array();
    for (const auto& r : reports) {
        std::string name(fullscreen_source_name(r.source));
        if (r.in_use) in_use.push_back(name);
        probes.push_back({{"source", name}, {"in_use", r.in_use}, {"detail", r.detail}});
        if (!r.fix.empty()) {
            probes.back()["fix"] = r.fix;
            warnings.push_back(
                {{"problem", fmt::format("full-screen windows are not seen: {}", r.detail)}, {"fix", r.fix}});
        }
    }
    std::string source = in_use.empty() ? "none" : in_use.front().get<std::string>();
    return {{"source", source},
            {"in_use", std::move(in_use)},
            {"probes", std::move(probes)},
            {"warnings", std::move(warnings)}};
}

json calls_json(const std::vector<CallDetectorReport>& detectors, const std::vector<Capture>& captures,
               const Meeting& meeting) {
    json out = {{"detectors", json::array()}, {"captures", json::array()}};
    for (const auto& d : detectors)
        out["detectors"].push_back(
            {{"detector", call_detector_name(d.detector)}, {"working", d.working}, {"detail", d.detail}});
    for (const auto& c : captures)
        out["captures"].push_back({{"device", capture_device_name(c.device)},
                                   {"application", c.application},
                                   {"detector", call_detector_name(c.detector)},
                                   {"counts", counts_as_call(c, meeting)}});
    out["enabled"] = meeting.enabled;
    return out;
}

}  // namespace stretch
