#include "cli/render.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/duration.hpp"
#include "ipc/paths.hpp"
#include "ipc/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;

std::string short_time(const json& seconds) {
    return format_duration_short(std::chrono::seconds(seconds.is_number() ? seconds.get<std::int64_t>() : 0));
}

// Time left, rounded up to the minute: "in 30m" rather than "in 29m" at 29m59s.
std::string countdown(const json& seconds) {
    std::int64_t s = seconds.is_number() ? seconds.get<std::int64_t>() : 0;
    if (s >= 60) s = (s + 59) / 60 * 60;
    return format_duration_short(std::chrono::seconds(s));
}

std::string areas(const json& stretch) {
    std::vector<std::string> t;
    for (auto& a : stretch.value("targets", json::array())) t.push_back(a.get<std::string>());
    return fmt::format("{}", fmt::join(t, ", "));
}

double fraction(const json& rule) {
    double every = rule.value("every_s", 1.0);
    return every > 0 ? std::clamp(rule.value("sitting_s", 0.0) / every, 0.0, 1.0) : 0.0;
}

// What the user should know first, in the order it matters.
std::string headline(const json& reply) {
    const json& next = reply["next"];
    std::string state = reply.value("state", "active");
    if (state == "paused") {
        auto left = reply["paused_for_s"];
        return left.is_number() && left.get<int>() > 0 ? fmt::format("Paused for {} more.", countdown(left))
                                                       : std::string("Paused until you run \"stretch resume\".");
    }
    if (state == "standing") return "Standing: sitting time is on hold until \"stretch sit\".";
    if (next.is_null()) return "No break rule is enabled.";
    std::string rule = next.value("break", "");
    if (next.value("due", false) && !next.contains("snoozed_for_s")) {
        auto held = reply.value("held", json());
        if (held == "away") return fmt::format("The {} break is due; it will be shown when you are back.", rule);
        if (held == "off_hours") return fmt::format("The {} break is due, but it is outside your reminder hours.", rule);
        if (held == "do_not_disturb")
            return fmt::format("The {} break is due; its reminder waits while notifications are paused.", rule);
        if (held == "fullscreen") return fmt::format("The {} break is due; its reminder waits while a full-screen window is open.", rule);
        if (held == "grace") return fmt::format("The {} break is due; you get a moment first.", rule);
        return fmt::format("Time for the {} break.", rule);
    }
    if (next.contains("snoozed_for_s")) return fmt::format("The {} break is snoozed: {} left.", rule, countdown(next["snoozed_for_s"]));
    return fmt::format("Next: the {} break in {}.", rule, countdown(next["due_in_s"]));
}

std::string watch_text(const json& status) {
    std::string state = status.value("state", "active");
    const json& next = status.value("next", json());
    if (state == "paused") return "⏸";
    if (state == "standing") return "🧍";
    if (next.is_null()) return "🧘";
    if (next.value("due", false) && !next.contains("snoozed_for_s")) return "🧘 now";
    return fmt::format("🧘 {}", countdown(next["due_in_s"]));
}

std::string watch_tooltip(const json& status) {
    const json& next = status.value("next", json());
    std::string out = fmt::format("Sitting {}", short_time(status["sitting_s"]));
    if (next.is_object()) {
        out += fmt::format("\n{} break: {} of {}", next.value("break", ""), short_time(next["sitting_s"]), short_time(next["every_s"]));
        if (next["stretch"].is_object()) out += fmt::format("\nNext stretch: {}", next["stretch"].value("name", ""));
    }
    return out;
}

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
        out += fmt::format("  {} · hold {} · {} {}{}\n", s.value("position", ""), s.value("hold", ""),
                           s.value("reps", "1"), s.value("reps", "1") == "1" ? "time" : "times",
                           s.value("per_side", false) ? " each side" : "");
    }
    out += fmt::format("  {} {} of {} sitting\n", progress_bar(fraction(next), 20), short_time(next["sitting_s"]),
                       short_time(next["every_s"]));
    return out;
}

std::string render_next_short(const json& reply) { return watch_text(reply); }

std::string render_status(const json& reply, const Style& style) {
    std::string out = style.bold(headline(reply)) + "\n";
    out += fmt::format("Sitting for {} without a break", short_time(reply["sitting_s"]));
    if (reply.value("away", false)) out += " (away now)";
    out += ".\n";
    if (const json& r = reply["reminder"]; r.is_object())
        out += fmt::format("Reminder showing: {} break, {}\n", r.value("break", ""),
                           r.value("count", 1) > 1 ? fmt::format("reminded {} times", r.value("count", 1)) : "first reminder");
    std::size_t width = 0;
    for (auto& b : reply["breaks"]) width = std::max(width, b.value("break", "").size());
    for (auto& b : reply["breaks"]) {
        std::string when;
        if (!b.value("enabled", true)) when = "disabled";
        else if (b.contains("snoozed_for_s")) when = fmt::format("snoozed, {} left ({}/{})", countdown(b["snoozed_for_s"]), b.value("snoozes", 0), b.value("max_snoozes", 0));
        else if (b.value("due", false)) when = style.warn("due now");
        else when = fmt::format("in {}", countdown(b["due_in_s"]));
        std::string stretch = b["stretch"].is_object() ? b["stretch"].value("name", "") : "";
        out += fmt::format("  {:<{}}  {} {:>5}/{:<5} {}  {}\n", b.value("break", ""), width, progress_bar(fraction(b), 12),
                           short_time(b["sitting_s"]), short_time(b["every_s"]), when, style.dim(stretch));
    }
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
    std::string out;
    std::size_t width = 0;
    for (auto& s : reply["stretches"]) width = std::max(width, s.value("id", "").size());
    for (auto& s : reply["stretches"]) {
        std::string id = s.value("id", "");
        std::string line = fmt::format("{:<{}}  {:<8}  {}  {}", id, width, s.value("position", ""), s.value("name", ""), style.dim(areas(s)));
        if (!s.value("allowed", true)) line = style.dim(line + "  (excluded by your profile)");
        out += line + "\n";
    }
    if (out.empty()) out = "No stretch matches.\n";
    return out;
}

std::string render_stretch(const json& s, const Style& style) {
    std::string out = style.bold(s.value("name", "")) + style.dim(fmt::format("  ({})", s.value("id", ""))) + "\n";
    out += fmt::format("{} · {} · hold {} · {} {}{}\n", areas(s), s.value("position", ""), s.value("hold", ""), s.value("reps", "1"),
                       s.value("reps", "1") == "1" ? "time" : "times", s.value("per_side", false) ? " each side" : "");
    if (!s["equipment"].empty()) out += fmt::format("Needs: {}\n", fmt::join(s["equipment"].get<std::vector<std::string>>(), ", "));
    int n = 1;
    for (auto& step : s["steps"]) out += fmt::format("  {}. {}\n", n++, step.get<std::string>());
    if (s["caution"].is_string()) out += style.warn(fmt::format("Caution: {}", s["caution"].get<std::string>())) + "\n";
    if (s["variation_of"].is_string()) out += style.dim(fmt::format("An easier form of: {}", s["variation_of"].get<std::string>())) + "\n";
    return out;
}

std::string render_watch_plain(const json& status) { return watch_text(status); }

std::string render_watch_waybar(const json& status) {
    const json& next = status.value("next", json());
    int percentage = next.is_object() ? static_cast<int>(std::lround(fraction(next) * 100)) : 0;
    std::string state = status.value("state", "active");
    json out = {{"text", watch_text(status)}, {"tooltip", watch_tooltip(status)}, {"class", state}, {"percentage", percentage}};
    return protocol::dump(out);
}

std::string render_watch_i3blocks(const json& status) { return watch_text(status); }

}  // namespace stretch
