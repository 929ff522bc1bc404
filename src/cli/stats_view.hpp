#pragma once
// What `stretch stats` and `stretch history` print, from the daemon's
// replies (docs/protocol.md): a table with bars for one day, one bar per day
// for several, CSV for spreadsheets, and the history one event per line.

#include <string>

#include <nlohmann/json.hpp>

#include "cli/render.hpp"

namespace stretch {

std::string render_stats(const nlohmann::json& reply, const Style& style);
// A header row, then one row per day; the columns are the reply's fields.
std::string render_stats_csv(const nlohmann::json& reply);
// One line per event, in local time.
std::string render_history(const nlohmann::json& reply, const Style& style);

}  // namespace stretch
