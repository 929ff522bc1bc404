#include "cli/stats_view.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>

#include <fmt/format.h>

#include "core/duration.hpp"

namespace stretch {
namespace {

using nlohmann::json;

// A full bar is a working day, or the longest day shown if that is longer.
constexpr std::int64_t bar_day_s = 8 * 60 * 60;
constexpr int bar_width = 20;

std::int64_t number(const json& j, const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number() ? it->get<std::int64_t>() : 0;
}

std::string hours(std::int64_t seconds) { return format_duration_short(std::chrono::seconds(seconds)); }

std::string percent(const json& share) {
    return share.is_number() ? fmt::format("{}%", std::lround(share.get<double>() * 100)) : std::string("—");
}

std::vector<std::string> strings(const json& list) {
    std::vector<std::string> out;
    for (auto& s : list) out.push_back(s.get<std::string>());
    return out;
}

std::string areas_text(const json& d) {
    auto areas = strings(d.value("areas", json::array()));
    return areas.empty() ? std::string("none yet") : fmt::format("{}", fmt::join(areas, ", "));
}

std::string top_text(const json& d) {
    std::vector<std::string> items;
    for (auto& s : d.value("top_stretches", json::array()))
        items.push_back(fmt::format("{} ×{}", s.value("name", s.value("id", "")), number(s, "count")));
    return items.empty() ? std::string("none yet") : fmt::format("{}", fmt::join(items, ", "));
}

std::string counts_text(const json& d) {
    return fmt::format("reminded {} · taken {} · natural {} · snoozed {} · skipped {}", number(d, "reminded"),
                       number(d, "taken"), number(d, "natural"), number(d, "snoozed"), number(d, "skipped"));
}

// "Mon" for "2025-11-24".
std::string weekday(const std::string& date) {
    static constexpr const char* names[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    int y = 0;
    unsigned m = 0, d = 0;
    if (std::sscanf(date.c_str(), "%d-%u-%u", &y, &m, &d) != 3) return "";
    std::chrono::year_month_day ymd{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
    if (!ymd.ok()) return "";
    return names[std::chrono::weekday{std::chrono::sys_days{ymd}}.c_encoding()];
}

std::string bar(std::int64_t value, std::int64_t full, const Style& style) {
    return style.accent(
        progress_bar(full > 0 ? static_cast<double>(value) / static_cast<double>(full) : 0.0, bar_width));
}

std::string one_day(const json& d, const Style& style) {
    std::int64_t sitting = number(d, "sitting_s"), longest = number(d, "longest_sitting_s");
    std::int64_t full = std::max(bar_day_s, sitting);
    const json& share = d["share_taken"];
    std::string out = style.bold(fmt::format("{} {}", weekday(d.value("date", "")), d.value("date", ""))) + "\n";
    out += fmt::format("  {:<12} {:>5}  {}\n", "sitting", hours(sitting), bar(sitting, full, style));
    out += fmt::format("  {:<12} {:>5}  {}\n", "longest run", hours(longest), bar(longest, full, style));
    std::int64_t calls = number(d, "call_s");
    out += fmt::format("  {:<12} {:>5}  {}\n", "in calls", hours(calls), bar(calls, full, style));
    out += fmt::format("  {:<12} {:>5}  {}  {}\n", "share taken", percent(share),
                       style.accent(progress_bar(share.is_number() ? share.get<double>() : 0.0, bar_width)),
                       share.is_number()
                           ? style.dim(fmt::format("{} taken, {} skipped", number(d, "taken"), number(d, "skipped")))
                           : style.dim("nothing taken or skipped"));
    out += fmt::format("  {:<12} {}\n", "breaks", counts_text(d));
    out += fmt::format("  {:<12} {}\n", "areas", areas_text(d));
    out += fmt::format("  {:<12} {}\n", "most done", top_text(d));
    return out;
}

std::string several_days(const json& reply, const Style& style) {
    const json& days = reply["days"];
    std::int64_t full = 60 * 60;
    for (auto& d : days) full = std::max(full, number(d, "sitting_s"));
    std::string out = style.bold(fmt::format("{} to {}", reply.value("from", ""), reply.value("to", ""))) + "\n";
    out += style.dim(fmt::format("  {:<14} {}  {:>5}  {:>8}  {}", "", fmt::format("{:<{}}", "sitting", bar_width + 2), "",
                                 "in calls", "taken/reminded")) +
           "\n";
    for (auto& d : days) {
        std::int64_t sitting = number(d, "sitting_s");
        out += fmt::format("  {:<3} {:<10} {}  {:>5}  {:>8}  {}/{}\n", weekday(d.value("date", "")), d.value("date", ""),
                           bar(sitting, full, style), hours(sitting), hours(number(d, "call_s")), number(d, "taken"),
                           number(d, "reminded"));
    }
    const json& t = reply["total"];
    out += fmt::format("  {:<12} sitting {} · in calls {} · longest run {} · share taken {}\n", "total",
                       hours(number(t, "sitting_s")), hours(number(t, "call_s")), hours(number(t, "longest_sitting_s")),
                       percent(t["share_taken"]));
    out += fmt::format("  {:<12} {}\n", "breaks", counts_text(t));
    out += fmt::format("  {:<12} {}\n", "areas", areas_text(t));
    out += fmt::format("  {:<12} {}\n", "most done", top_text(t));
    return out;
}

std::string local_time(std::int64_t unix_s) {
    std::time_t t = static_cast<std::time_t>(unix_s);
    std::tm tm{};
    localtime_r(&t, &tm);
    char buffer[32];
    std::strftime(buffer, sizeof buffer, "%Y-%m-%d %H:%M:%S", &tm);
    return buffer;
}

// What a person wants to know about an event beyond its kind.
std::string details(const json& e) {
    std::string kind = e.value("kind", "");
    std::int64_t amount = number(e, "amount_s"), count = number(e, "count");
    std::string out;
    if (kind == "reminded")
        out = count > 1 ? fmt::format("reminder {}, after {} sitting", count, hours(amount))
                        : fmt::format("after {} sitting", hours(amount));
    else if ((kind == "taken" || kind == "skipped") && amount > 0)
        out = fmt::format("after {} sitting", hours(amount));
    else if (kind == "snoozed")
        out = fmt::format("for {} (snooze {})", hours(amount), count);
    else if (kind == "natural" || kind == "back")
        out = fmt::format("away {}", hours(amount));
    else if (kind == "call")
        out = fmt::format("lasted {}", hours(amount));
    else if (kind == "paused")
        out = amount > 0 ? fmt::format("for {}", hours(amount)) : std::string("until resumed");
    std::string origin = e.value("origin", "");
    std::string via = origin == "cli" ? "via stretch" : origin == "action" ? "via the notification" : "";
    if (!via.empty()) out += out.empty() ? via : ", " + via;
    return out;
}

}  // namespace

std::string render_stats(const json& reply, const Style& style) {
    const json& days = reply["days"];
    if (days.size() == 1) return one_day(days[0], style);
    return several_days(reply, style);
}

std::string render_stats_csv(const json& reply) {
    std::string out =
        "date,sitting_s,longest_sitting_s,reminded,taken,natural,snoozed,skipped,share_taken,areas,top_stretches,call_s\n";
    for (auto& d : reply["days"]) {
        std::vector<std::string> top;
        for (auto& s : d.value("top_stretches", json::array()))
            top.push_back(fmt::format("{}:{}", s.value("id", ""), number(s, "count")));
        // share_taken as the JSON has it; ids and body areas are [a-z0-9-], so
        // space-separated lists need no quoting.
        const json& share = d["share_taken"];
        out +=
            fmt::format("{},{},{},{},{},{},{},{},{},{},{},{}\n", d.value("date", ""), number(d, "sitting_s"),
                        number(d, "longest_sitting_s"), number(d, "reminded"), number(d, "taken"), number(d, "natural"),
                        number(d, "snoozed"), number(d, "skipped"), share.is_number() ? share.dump() : "",
                        fmt::join(strings(d.value("areas", json::array())), " "), fmt::join(top, " "), number(d, "call_s"));
    }
    return out;
}

std::string render_history(const json& reply, const Style& style) {
    const json& events = reply["events"];
    if (events.empty()) return fmt::format("Nothing recorded since {}.\n", reply.value("since", ""));
    std::size_t kind_w = 0, rule_w = 0, stretch_w = 0;
    for (auto& e : events) {
        kind_w = std::max(kind_w, e.value("kind", "").size());
        rule_w = std::max(rule_w, e.value("break", "").size());
        stretch_w = std::max(stretch_w, e.value("stretch", "").size());
    }
    std::string out;
    if (reply.value("truncated", false))
        out += style.dim(fmt::format("The latest {} events since {}:", events.size(), reply.value("since", ""))) + "\n";
    for (auto& e : events) {
        std::string line = fmt::format("{}  {:<{}}  {:<{}}  {:<{}}", local_time(number(e, "time")), e.value("kind", ""),
                                       kind_w, e.value("break", ""), rule_w, e.value("stretch", ""), stretch_w);
        auto more = details(e);
        if (more.empty()) line.erase(line.find_last_not_of(' ') + 1);
        out += (more.empty() ? line : line + "  " + style.dim(more)) + "\n";
    }
    return out;
}

}  // namespace stretch
