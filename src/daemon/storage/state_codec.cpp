#include "daemon/storage/state_codec.hpp"

#include <fstream>

#include <nlohmann/json.hpp>

namespace stretch {
namespace {

using nlohmann::json;

constexpr int format_version = 1;

std::int64_t ms(MonoTime t) { return t.time_since_epoch().count(); }
std::int64_t ms(Duration d) { return d.count(); }
json opt(const std::optional<MonoTime>& t) { return t ? json(ms(*t)) : json(nullptr); }

}  // namespace

std::string read_boot_id() {
    std::ifstream in("/proc/sys/kernel/random/boot_id");
    std::string id;
    std::getline(in, id);
    return id;
}

std::string encode_state(const EngineState& s, const Now& now, const std::string& boot_id) {
    json rules = json::object();
    for (auto& [name, r] : s.rules) {
        rules[name] = {{"base", ms(r.base)}, {"resting", r.resting}, {"snoozes", r.snoozes},
                       {"snoozed_until", opt(r.snoozed_until)}, {"next_stretch", r.next_stretch}};
        rules[name]["next_why"] = r.next_why ? json{{"reason", pick_reason_name(r.next_why->reason)},
                                                    {"detail", r.next_why->detail},
                                                    {"count", r.next_why->count}}
                                             : json(nullptr);
    }
    json shown = nullptr;
    if (s.shown) shown = {{"rule", s.shown->rule}, {"stretch", s.shown->stretch}, {"count", s.shown->count}, {"last_shown", ms(s.shown->last_shown)}};
    json out = {
        {"format", format_version}, {"boot_id", boot_id}, {"saved_mono", ms(now.mono)}, {"saved_wall", now.wall_s},
        {"last", ms(s.last)}, {"sat", ms(s.sat)}, {"unbroken_base", ms(s.unbroken_base)}, {"unbroken_resting", s.unbroken_resting},
        {"idle", s.idle}, {"locked", s.locked}, {"suspended", s.suspended}, {"standing", s.standing},
        {"restored_away", s.restored_away},
        {"away_since", opt(s.away_since)}, {"present_at", opt(s.present_at)}, {"paused", s.paused},
        {"pause_until", opt(s.pause_until)}, {"quiet_until", opt(s.quiet_until)}, {"shown", shown}, {"rules", rules},
        {"pause_until_local", s.pause_until_local ? json(*s.pause_until_local) : json(nullptr)},
        {"call", {{"manual", s.call_manual}, {"manual_until", opt(s.call_manual_until)}, {"since", opt(s.call_since)},
                  {"free_since", opt(s.call_free_since)}, {"hold_since", opt(s.call_hold_since)},
                  {"just_ended", s.call_just_ended ? json(ms(*s.call_just_ended)) : json(nullptr)}}},
        {"picker", {{"recent", s.picker.recent}, {"area_seen", s.picker.area_seen}, {"sequence", s.picker.sequence}, {"rng", s.picker.rng}}},
    };
    return out.dump();
}

std::optional<RestoredState> decode_state(const std::string& text, const Now& now, const std::string& boot_id) {
    json j = json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    try {
        // Inside the try: a format that is no number (damaged text) throws, and is refused like any other.
        if (j.value("format", 0) != format_version) return std::nullopt;
        std::int64_t saved_mono = j.at("saved_mono"), saved_wall = j.at("saved_wall");
        Duration wall_gap = std::chrono::seconds(std::max<std::int64_t>(0, now.wall_s - saved_wall));
        // Same boot: the monotonic clock tells the gap exactly. Another boot:
        // the wall clock does, and every saved time moves by the same amount.
        bool same_boot = !boot_id.empty() && j.value("boot_id", "") == boot_id;
        Duration shift = same_boot ? Duration::zero() : now.mono - (MonoTime(Duration(saved_mono)) + wall_gap);
        auto mono = [&](const json& v) { return MonoTime(Duration(v.get<std::int64_t>())) + shift; };
        auto opt_mono = [&](const json& v) -> std::optional<MonoTime> {
            if (v.is_null()) return std::nullopt;
            return mono(v);
        };

        RestoredState out;
        EngineState& s = out.state;
        s.last = mono(j.at("last"));
        s.sat = Duration(j.at("sat").get<std::int64_t>());
        s.unbroken_base = Duration(j.at("unbroken_base").get<std::int64_t>());
        s.unbroken_resting = j.at("unbroken_resting");
        // Idle, lock and suspend are reported afresh by whoever sees them.
        // An absence under way goes on as one, so that it is neither ended
        // (a `back` the user never made) nor counted again as a new one.
        s.standing = j.at("standing");
        bool away = j.at("idle").get<bool>() || j.at("locked").get<bool>() || j.at("suspended").get<bool>() ||
                    j.value("restored_away", false);
        s.restored_away = away && !s.standing;
        s.away_since = s.standing || s.restored_away ? opt_mono(j.at("away_since")) : std::nullopt;
        if (s.restored_away && !s.away_since) s.restored_away = false;
        s.present_at = opt_mono(j.at("present_at"));
        s.paused = j.at("paused");
        s.pause_until = opt_mono(j.at("pause_until"));
        // Absent in states saved before `pause --until` followed clock changes.
        if (auto it = j.find("pause_until_local"); it != j.end() && it->is_number_integer())
            s.pause_until_local = it->get<std::int64_t>();
        s.quiet_until = opt_mono(j.at("quiet_until"));
        if (auto& shown = j.at("shown"); !shown.is_null())
            s.shown = ShownReminder{shown.at("rule"), shown.at("stretch"), shown.at("count"), mono(shown.at("last_shown"))};
        for (auto& [name, r] : j.at("rules").items()) {
            RuleState rs;
            rs.base = Duration(r.at("base").get<std::int64_t>());
            rs.resting = r.at("resting");
            rs.snoozes = r.at("snoozes");
            rs.snoozed_until = opt_mono(r.at("snoozed_until"));
            rs.next_stretch = r.at("next_stretch");
            // Absent in states saved before the reason was kept; a reason this
            // version does not know is dropped, not guessed.
            if (auto w = r.find("next_why"); w != r.end() && w->is_object()) {
                if (auto reason = parse_pick_reason(w->value("reason", "")))
                    rs.next_why = PickWhy{*reason, w->value("detail", ""), w->value("count", std::int64_t{-1})};
            }
            s.rules[name] = std::move(rs);
        }
        // Absent in states saved before calls were followed. The devices are
        // reported afresh; until they are, a call restored without a manual
        // meeting is settling: it goes on if they are still in use.
        if (auto it = j.find("call"); it != j.end() && it->is_object()) {
            auto& c = *it;
            s.call_manual = c.at("manual");
            s.call_manual_until = opt_mono(c.at("manual_until"));
            s.call_since = opt_mono(c.at("since"));
            s.call_free_since = opt_mono(c.at("free_since"));
            s.call_hold_since = opt_mono(c.at("hold_since"));
            if (auto& e = c.at("just_ended"); !e.is_null()) s.call_just_ended = Duration(e.get<std::int64_t>());
            if (s.call_since && !s.call_manual && !s.call_free_since) s.call_free_since = s.last;
        }
        auto& p = j.at("picker");
        s.picker.recent = p.at("recent").get<std::vector<std::string>>();
        s.picker.area_seen = p.at("area_seen").get<std::map<std::string, std::int64_t>>();
        s.picker.sequence = p.at("sequence");
        s.picker.rng = p.at("rng");
        out.downtime = std::max(Duration::zero(), now.mono - s.last);
        return out;
    } catch (const json::exception&) {
        return std::nullopt;
    }
}

}  // namespace stretch
