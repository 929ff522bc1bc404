#include "cli/render.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <ctime>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/terminal.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/notification_text.hpp"
#include "shared/paths.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;

// Grey, for a bar block that asks nothing of the user now.
constexpr const char* dim_color = "#888888";

std::chrono::seconds seconds(const json& value) {
    return std::chrono::seconds(value.is_number() ? value.get<std::int64_t>() : 0);
}

// The three forms of core/duration.hpp, from a reply's whole seconds.
std::string left(const json& s) { return format_left(seconds(s)); }
std::string elapsed(const json& s) { return format_elapsed(seconds(s)); }
std::string length(const json& s) { return format_length(seconds(s)); }

std::string areas(const json& stretch) {
    std::vector<std::string> t;
    for (auto& a : stretch.value("targets", json::array())) t.push_back(a.get<std::string>());
    return fmt::format("{}", fmt::join(t, ", "));
}

// "once", "twice each side", "10-12 times": the words of the bubble.
std::string times(const json& stretch) {
    auto reps = parse_reps(stretch.value("reps", "1")).value_or(Reps{});
    return repetitions(reps, stretch.value("per_side", false));
}

double fraction(const json& rule) {
    double every = rule.value("every_s", 1.0);
    return every > 0 ? std::clamp(rule.value("sitting_s", 0.0) / every, 0.0, 1.0) : 0.0;
}

bool due_now(const json& rule) { return rule.is_object() && rule.value("due", false) && !rule.contains("snoozed_for_s"); }

bool off_hours(const json& reply) { return reply.value("off_hours", false) || reply.value("state", "") == "off_hours"; }

LocalTime local_now() {
    std::time_t t = std::time(nullptr);
    std::tm tm{};
    localtime_r(&t, &tm);
    return LocalTime{(tm.tm_wday + 6) % 7, tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec};
}

// When the reminder hours start again, on this machine's clock: "09:00", or
// "Mon 09:00" when that is a day or more away. Empty when the reply does not
// carry the hours or they never start.
std::string hours_resume(const json& reply) {
    const json& hours = reply.value("hours", json());
    if (!hours.is_object()) return {};
    auto from = parse_clock(hours.value("from", ""));
    auto to = parse_clock(hours.value("to", ""), true);
    if (!from || !to) return {};
    Schedule schedule{{}, *from, *to};
    for (auto& day : hours.value("days", json::array()))
        if (auto d = day.is_string() ? parse_weekday(day.get<std::string>()) : std::nullopt)
            schedule.days[static_cast<std::size_t>(*d)] = true;
    LocalTime now = local_now();
    // The daemon said off hours; this clock may already be past the start.
    std::optional<int> wait = schedule.active_at(now) ? std::optional(0) : schedule.seconds_until_change(now);
    if (!wait) return {};
    int at = now.seconds_of_day + *wait;
    std::string clock = format_clock(at % seconds_per_day);
    if (*wait < seconds_per_day) return clock;
    std::string day(weekday_name((now.weekday + at / seconds_per_day) % 7));
    day[0] = static_cast<char>(day[0] - 'a' + 'A');
    return fmt::format("{} {}", day, clock);
}

// ": no reminders until 09:00", or nothing when the time is not known.
std::string until_hours(const json& reply) {
    auto resume = hours_resume(reply);
    return resume.empty() ? std::string() : fmt::format(": no reminders until {}", resume);
}

// "In a call for 23m (microphone: pw-record)", "In a meeting for 5m, 40m left",
// "A call ended; reminders wait 45s more in case it resumes".
std::string call_line(const json& call) {
    if (call["settle_left_s"].is_number())
        return fmt::format("A call just ended; reminders wait {} more in case it goes on.", left(call["settle_left_s"]));
    std::string out = fmt::format("In a {} for {}", call.value("manual", false) ? "meeting" : "call", elapsed(call["length_s"]));
    if (call["manual_left_s"].is_number()) out += fmt::format(", {} left", left(call["manual_left_s"]));
    std::vector<std::string> uses;
    if (const json& devices = call.value("devices", json()); devices.is_array())
        for (auto& d : devices) uses.push_back(fmt::format("{}: {}", d.value("device", ""), d.value("application", "")));
    if (!uses.empty()) out += fmt::format(" ({})", fmt::join(uses, ", "));
    return out + ": reminders wait until it is over.";
}

// What the user should know first, in the order it matters.
std::string headline(const json& reply) {
    const json& next = reply["next"];
    std::string state = reply.value("state", "active");
    if (state == "paused") {
        auto left_s = reply["paused_for_s"];
        return left_s.is_number() && left_s.get<std::int64_t>() > 0 ? fmt::format("Paused for {} more.", left(left_s))
                                                                    : std::string("Paused until you run \"stretch resume\".");
    }
    if (state == "standing") return "Standing: sitting time is on hold until \"stretch sit\".";
    if (next.is_null()) return "No break rule is enabled.";
    std::string rule = next.value("break", "");
    if (due_now(next)) {
        if (off_hours(reply))
            return fmt::format("The {} break is due, but it is outside your reminder hours{}.", rule, until_hours(reply));
        auto held = reply.value("held", json());
        if (held == "away") return fmt::format("The {} break is due; it will be shown when you are back.", rule);
        if (held == "do_not_disturb")
            return fmt::format("The {} break is due; its reminder waits while notifications are paused.", rule);
        if (held == "fullscreen") return fmt::format("The {} break is due; its reminder waits while a full-screen window is open.", rule);
        if (held == "grace") return fmt::format("The {} break is due; you get a moment first.", rule);
        if (held == "call") return fmt::format("The {} break is due; its reminder waits until your call is over.", rule);
        return fmt::format("Time for the {} break.", rule);
    }
    if (next.contains("snoozed_for_s")) return fmt::format("The {} break is snoozed: {} left.", rule, left(next["snoozed_for_s"]));
    return fmt::format("Next: the {} break in {}.", rule, left(next["due_in_s"]));
}

// The bar's text: "🧘 12m", "🧘 now", "⏸ 20m"; `detail` adds when the
// reminder hours start again to a break due outside them.
std::string watch_text(const json& status, bool detail = true) {
    std::string state = status.value("state", "active");
    const json& next = status.value("next", json());
    if (state == "paused") {
        auto left_s = status.value("paused_for_s", json());
        return left_s.is_number() && left_s.get<std::int64_t>() > 0 ? fmt::format("⏸ {}", left(left_s)) : "⏸";
    }
    if (state == "standing") return "🧍";
    if (next.is_null()) return "🧘";
    if (due_now(next)) {
        if (status.value("held", json()) == "call") return "🧘 after the call";
        if (!off_hours(status)) return "🧘 now";
        auto resume = detail ? hours_resume(status) : std::string();
        return resume.empty() ? "🧘 due" : fmt::format("🧘 due · reminders from {}", resume);
    }
    return fmt::format("🧘 {}", left(next["due_in_s"]));
}

std::string watch_tooltip(const json& status) {
    const json& next = status.value("next", json());
    std::string out = fmt::format("Sitting {}", elapsed(status["sitting_s"]));
    if (const json& call = status.value("call", json()); call.is_object())
        out += fmt::format("\nIn a call for {}", elapsed(call["length_s"]));
    if (next.is_object()) {
        out += fmt::format("\n{} break: {} of {}", next.value("break", ""), elapsed(next["sitting_s"]), length(next["every_s"]));
        if (next["stretch"].is_object()) out += fmt::format("\nNext stretch: {}", next["stretch"].value("name", ""));
    }
    if (off_hours(status))
        if (auto resume = hours_resume(status); !resume.empty()) out += fmt::format("\nReminders from {}", resume);
    return out;
}

// A bar's percentage, rounded down like the sitting time beside it: 100 only once the break is due.
int percentage(const json& rule) { return rule.is_object() ? static_cast<int>(std::floor(fraction(rule) * 100)) : 0; }

}  // namespace

std::string Style::bold(std::string_view s) const { return color ? fmt::format("\033[1m{}\033[0m", s) : std::string(s); }
std::string Style::dim(std::string_view s) const { return color ? fmt::format("\033[2m{}\033[0m", s) : std::string(s); }
std::string Style::accent(std::string_view s) const { return color ? fmt::format("\033[36m{}\033[0m", s) : std::string(s); }
std::string Style::warn(std::string_view s) const { return color ? fmt::format("\033[33m{}\033[0m", s) : std::string(s); }

Style style_for(std::FILE* stream) {
    auto term = env("TERM");
    return Style{isatty(fileno(stream)) && !env("NO_COLOR") && term != "dumb"};
}

std::string progress_bar(double f, int width) {
    static constexpr const char* eighths[] = {"", "▏", "▎", "▍", "▌", "▋", "▊", "▉"};
    int total = static_cast<int>(std::lround(std::clamp(f, 0.0, 1.0) * width * 8));
    std::string out = "▕";
    for (int i = 0; i < total / 8; ++i) out += "█";
    int rest = width - total / 8;
    if (total % 8) {
        out += eighths[total % 8];
        --rest;
    }
    for (int i = 0; i < rest; ++i) out += " ";
    return out + "▏";
}

std::string render_next(const json& reply, const Style& style) {
    std::string out = style.bold(headline(reply)) + "\n";
    const json& next = reply["next"];
    if (!next.is_object()) return out;
    if (const json& s = next["stretch"]; s.is_object()) {
        out += fmt::format("  {}  {}\n", style.accent(s.value("name", "")), style.dim(areas(s)));
        out += fmt::format("  {} · hold {} · {}\n", s.value("position", ""), s.value("hold", ""), times(s));
    }
    out += fmt::format("  {} {} of {} sitting\n", progress_bar(fraction(next), 20), elapsed(next["sitting_s"]),
                       length(next["every_s"]));
    return out;
}

std::string render_next_short(const json& reply) { return watch_text(reply); }

std::string render_next_why(const json& reply) {
    const json& next = reply["next"];
    if (!next.is_object() || !next["stretch"].is_object()) return {};
    const json& why = next.value("why", json());
    // A stretch chosen before stretchd kept reasons (an upgrade mid-day): say so rather than guess.
    if (!why.is_object()) return "Why: not recorded; the next choice will say\n";
    return fmt::format("Why: {}\n", why.value("text", ""));
}

std::string render_status(const json& reply, const Style& style) {
    std::string out = style.bold(headline(reply)) + "\n";
    out += fmt::format("Sitting for {} without a break", elapsed(reply["sitting_s"]));
    if (reply.value("away", false)) out += " (away now)";
    out += ".\n";
    if (const json& call = reply.value("call", json()); call.is_object()) out += call_line(call) + "\n";
    // A held reminder is one the engine has put up and the bubble has not: the headline says why.
    if (const json& r = reply["reminder"]; r.is_object() && reply.value("held", json()).is_null())
        out += fmt::format("Reminder showing: {} break, {}\n", r.value("break", ""),
                           r.value("count", 1) > 1 ? fmt::format("reminded {} times", r.value("count", 1)) : "first reminder");
    std::vector<std::vector<std::string>> rows;
    for (auto& b : reply["breaks"]) {
        std::string when;
        if (!b.value("enabled", true)) when = "disabled";
        else if (b.contains("snoozed_for_s")) when = fmt::format("snoozed, {} left ({}/{})", left(b["snoozed_for_s"]), b.value("snoozes", 0), b.value("max_snoozes", 0));
        else if (b.value("due", false)) when = style.warn("due now");
        else when = fmt::format("in {}", left(b["due_in_s"]));
        std::string stretch = b["stretch"].is_object() ? b["stretch"].value("name", "") : "";
        rows.push_back({"", b.value("break", ""), progress_bar(fraction(b), 12),
                        fmt::format("{}/{}", elapsed(b["sitting_s"]), length(b["every_s"])), when, style.dim(stretch)});
    }
    for (auto& line : align_columns(rows)) out += line + "\n";
    if (const json& a = reply.value("activity", json()); a.is_object()) {
        if (a.value("source", "none") == "none")
            out += style.dim(fmt::format("Activity: not tracked ({}); `stretch doctor` says why", a.value("detail", ""))) + "\n";
        else
            out += style.dim(fmt::format("Activity: {} ({})", a.value("source", ""), a.value("detail", ""))) + "\n";
    }
    // Every time, not once: until stretchd restarts, every event is lost when it stops.
    if (const json& h = reply.value("history", json()); h.is_object() && !h.value("durable", true))
        out += style.warn(fmt::format("History is kept in memory only ({}): {}.", h.value("problem", ""), h.value("fix", ""))) + "\n";
    return out;
}

std::string render_list(const json& reply, const Style& style) {
    std::vector<std::vector<std::string>> rows;
    for (auto& s : reply["stretches"]) {
        bool allowed = s.value("allowed", true);
        rows.push_back({s.value("id", ""), s.value("position", ""), s.value("name", ""),
                        allowed ? style.dim(areas(s)) : areas(s) + "  (excluded by your profile)"});
    }
    std::string out;
    std::size_t i = 0;
    for (auto& line : align_columns(rows)) {
        // Dimmed after aligning: colour codes take no columns, but dim the whole of an excluded line.
        bool allowed = reply["stretches"][i++].value("allowed", true);
        out += (allowed ? line : style.dim(line)) + "\n";
    }
    if (out.empty()) out = "No stretch matches.\n";
    return out;
}

std::string render_stretch(const json& s, const Style& style) {
    std::string out = style.bold(s.value("name", "")) + style.dim(fmt::format("  ({})", s.value("id", ""))) + "\n";
    out += fmt::format("{} · {} · hold {} · {}\n", areas(s), s.value("position", ""), s.value("hold", ""), times(s));
    if (!s["equipment"].empty()) out += fmt::format("Needs: {}\n", fmt::join(s["equipment"].get<std::vector<std::string>>(), ", "));
    int n = 1;
    for (auto& step : s["steps"]) out += fmt::format("  {}. {}\n", n++, step.get<std::string>());
    if (s["caution"].is_string()) out += style.warn(fmt::format("Caution: {}", s["caution"].get<std::string>())) + "\n";
    if (s["variation_of"].is_string()) out += style.dim(fmt::format("An easier form of: {}", s["variation_of"].get<std::string>())) + "\n";
    return out;
}

std::string render_watch_plain(const json& status) { return watch_text(status); }

std::string render_watch_waybar(const json& status) {
    std::string state = status.value("state", "active");
    json out = {{"text", watch_text(status)},
                {"tooltip", watch_tooltip(status)},
                {"class", state},
                {"percentage", percentage(status.value("next", json()))}};
    return protocol::dump(out);
}

// For a block with format=json: i3bar's keys, one object a line.
std::string render_watch_i3blocks(const json& status) {
    std::string state = status.value("state", "active");
    const json& next = status.value("next", json());
    // Urgent only when a reminder may be shown: not outside the hours, not
    // while the notification server or a full-screen window holds it back.
    bool urgent = due_now(next) && !off_hours(status) && status.value("held", json()).is_null();
    json out = {{"full_text", watch_text(status)}, {"short_text", watch_text(status, false)}, {"urgent", urgent}};
    if (state == "paused" || state == "standing" || off_hours(status)) out["color"] = dim_color;
    return protocol::dump(out);
}

std::string render_watch_down(std::string_view format, std::string_view why) {
    if (format == "waybar")
        return protocol::dump(json{{"text", "🧘 off"}, {"tooltip", why}, {"class", "stopped"}, {"percentage", 0}});
    if (format == "i3blocks")
        return protocol::dump(json{{"full_text", "🧘 off"}, {"short_text", "🧘 off"}, {"urgent", false}, {"color", dim_color}});
    return "🧘 off";
}

}  // namespace stretch
