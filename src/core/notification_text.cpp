#include "core/notification_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace stretch {
namespace {

// Shown before the rest fades into "…": enough to start moving.
constexpr std::size_t first_steps = 2;

}  // namespace

std::string escape_markup(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string spoken_duration(Duration d) {
    auto minutes = std::chrono::duration_cast<std::chrono::minutes>(d).count();
    if (minutes < 1) return "under a minute";
    if (minutes < 60) return fmt::format("{} min", minutes);
    return fmt::format("{} h {:02} min", minutes / 60, minutes % 60);
}

NotificationText reminder_text(const Reminder& r, const Stretch* s, const TextOptions& o) {
    auto text = [&](std::string_view t) { return o.markup ? escape_markup(t) : std::string(t); };
    auto bold = [&](std::string_view t) { return o.markup ? fmt::format("<b>{}</b>", escape_markup(t)) : std::string(t); };

    NotificationText out;
    out.summary = fmt::format("Time to stretch — {} sitting", spoken_duration(r.sitting));
    std::string& body = out.body;
    if (s) {
        body += bold(s->name);
        body += text(fmt::format(" ({})\n", fmt::join(s->targets, ", ")));
        std::size_t shown = o.full_steps ? s->steps.size() : std::min(first_steps, s->steps.size());
        for (std::size_t i = 0; i < shown; ++i) body += text(fmt::format("{}. {}\n", i + 1, s->steps[i]));
        if (shown < s->steps.size()) body += text(fmt::format("… {} more steps: click for all\n", s->steps.size() - shown));
        body += text(fmt::format("Hold {}, {} {}{}", format_hold(s->hold), format_reps(s->reps),
                                 s->reps.max == 1 ? "time" : "times", s->per_side ? " each side" : ""));
        if (o.full_steps && s->caution) {
            body += '\n';
            body += text(fmt::format("Caution: {}", *s->caution));
        }
    } else {
        body += text(fmt::format("Take your {} break: stand up and move.", r.rule));
    }
    if (!o.actions) {
        body += text("\nWhen done: stretch done");
        if (r.snoozes_left > 0) body += text(fmt::format(" · later: stretch snooze"));
        if (r.skippable) body += text(" · not now: stretch skip");
    }
    return out;
}

}  // namespace stretch
