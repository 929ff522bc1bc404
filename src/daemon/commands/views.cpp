#include "daemon/commands/views.hpp"

#include "core/duration.hpp"

namespace stretch {
namespace {

using nlohmann::json;

std::int64_t secs(Duration d) { return seconds_of(d); }

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

json reminder_json(const Reminder& r, const Config& config) {
    json out = {{"break", r.rule},           {"sitting_s", secs(r.sitting)}, {"count", r.count},
                {"snoozes_left", r.snoozes_left}, {"snooze_s", secs(r.snooze)}, {"skippable", r.skippable}};
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
    return out;
}

}  // namespace stretch
