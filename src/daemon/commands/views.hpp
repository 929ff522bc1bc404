#pragma once
// How the engine's state looks on the wire. Field names are snake_case and
// stable: status bars and scripts parse them (docs/protocol.md).

#include <nlohmann/json.hpp>

#include "core/engine.hpp"
#include "daemon/delivery/fullscreen_source.hpp"
#include "daemon/presence/activity.hpp"
#include "daemon/presence/call/capture.hpp"
#include "daemon/presence/logind.hpp"

namespace stretch {

// Whole seconds, rounded: a pause of 1h read back a millisecond later is still 3600.
std::int64_t seconds_of(Duration d);

nlohmann::json stretch_json(const Stretch& stretch, const Config& config, bool full);
nlohmann::json status_json(const EngineStatus& status, const Config& config);
nlohmann::json next_json(const EngineStatus& status, const Config& config);
// A call under way (status and `meeting_start`): null when none.
nlohmann::json call_json(const std::optional<CallStatus>& call);
nlohmann::json reminder_json(const Reminder& reminder, const Config& config);
// The reminder hours as configured: {"days":["mon",...],"from":"09:00","to":"17:30"}.
// The CLI works out from them, on its own clock, when reminders start again.
nlohmann::json hours_json(const Schedule& schedule);
nlohmann::json record_json(const Record& record, std::int64_t wall_s);
// The event name subscribers see for a record, or empty for none.
std::string_view record_event_name(RecordKind kind);

// {"source", "detail"}: the activity source in use, for `status`.
nlohmann::json activity_status_json(const Activity::Status& status);

// What the daemon knows of presence, gathered for `stretch doctor`.
struct PresenceFacts {
    Activity::Report activity;
    DisplayEnv display;       // DisplayEnvironment::current()
    bool user_manager = false;  // the user manager's environment was read
    std::string session_bus_problem;  // empty when connected
    Logind::Facts logind;
};
// The presence half of `stretch doctor`: the selection's probes, the display
// environment, logind, and the problems worth a line, each with its fix.
nlohmann::json doctor_json(const PresenceFacts& facts);

// The full-screen half of `stretch doctor`: {"source": the first in use or
// "none", "in_use": [names], "probes": [{"source", "in_use", "detail",
// "fix" when there is one}], "warnings": [{"problem", "fix"}] for the probes
// with a fix, which doctor also lists among its problems}.
nlohmann::json fullscreen_json(const std::vector<FullscreenReport>& reports);
// doctor's `calls`: each call detector, working or why not, and the captures in use now.
// Doctor's `calls`: each detector, and each capture with whether [meeting] counts it.
nlohmann::json calls_json(const std::vector<CallDetectorReport>& detectors, const std::vector<Capture>& captures,
                          const Meeting& meeting);

}  // namespace stretch
