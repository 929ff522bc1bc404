#include "core/notification_text.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/duration.hpp"

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

std::string spoken_duration(Duration d) { return format_elapsed(d); }

std::string break_title(std::string_view rule, Duration length) {
    std::string name(rule);
    if (!name.empty() && name[0] >= 'a' && name[0] <= 'z') name[0] = static_cast<char>(name[0] - 'a' + 'A');
    std::string out = fmt::format("{} break", name);
    if (length > Duration::zero()) out += fmt::format(" — {}", format_length(length));
    return out;
}

std::string repetitions(const Reps& reps, bool per_side) {
    std::string_view side = per_side ? " each side" : "";
    if (reps.min == reps.max && reps.max == 1) return fmt::format("once{}", side);
    if (reps.min == reps.max && reps.max == 2) return fmt::format("twice{}", side);
    return fmt::format("{} times{}", format_reps(reps), side);
}

std::string after_call_line(Duration call) {
    auto minutes = std::chrono::duration_cast<std::chrono::minutes>(call).count();
    if (minutes < 1) return "Your call is over: time to stand up.";
    if (minutes < 60) return fmt::format("You sat through a {}-minute call: time to stand up.", minutes);
    return fmt::format("You sat through a call of {}: time to stand up.", format_elapsed(call));
}

NotificationText reminder_text(const Reminder& r, const Stretch* s, const TextOptions& o) {
    auto text = [&](std::string_view t) { return o.markup ? escape_markup(t) : std::string(t); };
    auto bold = [&](std::string_view t) { return o.markup ? fmt::format("<b>{}</b>", escape_markup(t)) : std::string(t); };

    NotificationText out;
    out.summary = break_title(r.rule, r.length);
    std::string& body = out.body;
    if (r.after_call) body += text(after_call_line(*r.after_call)) + "\n";
    if (s) {
        body += bold(s->name);
        body += text(fmt::format(" ({})\n", fmt::join(s->targets, ", ")));
        std::size_t shown = o.full_steps ? s->steps.size() : std::min(first_steps, s->steps.size());
        for (std::size_t i = 0; i < shown; ++i) body += text(fmt::format("{}. {}\n", i + 1, s->steps[i]));
        // Only a server with buttons sends the click (our "default" action) back.
        if (auto more = s->steps.size() - shown) {
            std::string_view steps = more == 1 ? "step" : "steps";
            body += text(o.actions ? fmt::format("… {} more {}: click for all\n", more, steps)
                                   : fmt::format("… {} more {}: stretch show {}\n", more, steps, s->id));
        }
        body += text(fmt::format("Hold {}, {}", format_hold(s->hold), repetitions(s->reps, s->per_side)));
        if (s->caution) body += text(fmt::format("\nCaution: {}", *s->caution));
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
