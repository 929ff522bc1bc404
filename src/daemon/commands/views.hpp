#pragma once
// How the engine's state looks on the wire. Field names are snake_case and
// stable: status bars and scripts parse them (docs/protocol.md).

#include <nlohmann/json.hpp>

#include "core/engine.hpp"

namespace stretch {

// Whole seconds, rounded: a pause of 1h read back a millisecond later is still 3600.
std::int64_t seconds_of(Duration d);

nlohmann::json stretch_json(const Stretch& stretch, const Config& config, bool full);
nlohmann::json status_json(const EngineStatus& status, const Config& config);
nlohmann::json next_json(const EngineStatus& status, const Config& config);
nlohmann::json reminder_json(const Reminder& reminder, const Config& config);
// The reminder hours as configured: {"days":["mon",...],"from":"09:00","to":"17:30"}.
// The CLI works out from them, on its own clock, when reminders start again.
nlohmann::json hours_json(const Schedule& schedule);
nlohmann::json record_json(const Record& record, std::int64_t wall_s);
// The event name subscribers see for a record, or empty for none.
std::string_view record_event_name(RecordKind kind);

}  // namespace stretch
