#pragma once
// Turns the daemon's JSON replies into what a person reads: short lines,
// progress bars of Unicode blocks, colour only on a terminal and never when
// NO_COLOR is set.

#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace stretch {

struct Style {
    bool color = false;
    std::string bold(std::string_view s) const;
    std::string dim(std::string_view s) const;
    std::string accent(std::string_view s) const;  // things to act on
    std::string warn(std::string_view s) const;
};

Style style_for(std::FILE* stream);

// `fraction` of `width` cells, drawn with eighth blocks.
std::string progress_bar(double fraction, int width);

std::string render_next(const nlohmann::json& reply, const Style& style);
// One compact token for a prompt or tmux: "🧘 12m", "🧘 now", "⏸ 20m",
// "🧘 due · reminders from 09:00" outside the reminder hours.
std::string render_next_short(const nlohmann::json& reply);
// `next --why`: one line, why the next stretch was chosen; empty when no break comes next.
std::string render_next_why(const nlohmann::json& reply);
std::string render_status(const nlohmann::json& reply, const Style& style);
std::string render_list(const nlohmann::json& reply, const Style& style);
std::string render_stretch(const nlohmann::json& stretch, const Style& style);

// One line per change for `stretch watch`, from a status object. Plain is
// the text alone, for any bar; waybar's is JSON with text, tooltip, class
// and percentage; i3blocks' is JSON with i3bar's keys (full_text,
// short_text, urgent, color), for a block with format=json.
std::string render_watch_plain(const nlohmann::json& status);
std::string render_watch_waybar(const nlohmann::json& status);
std::string render_watch_i3blocks(const nlohmann::json& status);
// The line in `format` while the daemon is not running; `why` for a tooltip.
std::string render_watch_down(std::string_view format, std::string_view why);

}  // namespace stretch
