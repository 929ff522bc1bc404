#pragma once
// What the engine asks its caller to do. The engine never acts itself: the
// daemon turns ShowReminder into a notification, Record into a history row
// and a subscriber event, and so on.

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/time.hpp"

namespace stretch {

struct Reminder {
    std::string rule;        // break rule name
    std::string stretch_id;  // the suggested stretch
    Duration sitting{};      // the rule's sitting time when shown
    int count = 1;           // 1 for the first reminder, 2, 3... for re-reminders
    int snoozes_left = 0;
    Duration snooze{};       // the rule's default snooze length
    bool skippable = true;
    Duration length{};       // the break's own length (the rule's `duration`), for the bubble's title
    std::optional<Duration> after_call;  // shown as a call it waited for ended: that call's length
};

// Show a reminder. `replace` means a bubble is already up and this one takes
// its place (re-reminder, or a longer break folding a shorter one in).
struct ShowReminder {
    Reminder reminder;
    bool replace = false;
};

// Why a reminder's bubble goes (the `reason` of `reminder_closed` events).
enum class CloseReason {
    done,      // its break (or a longer one) was taken
    skipped,
    snoozed,
    natural,   // the user was away long enough
    paused,
    standing,
    resolved,  // nothing is due any more (a reload, the clock)
    config,    // its rule was disabled or removed by a reload
    call,      // a call began: it comes back when the call is over
};

std::string_view close_reason_name(CloseReason reason);

struct CloseReminder {
    std::string rule;
    CloseReason reason{};
};

enum class RecordKind {
    reminded,  // a reminder was shown (count in `count`)
    taken,     // the break was done
    natural,   // away long enough: the break happened on its own (`amount` = time away)
    snoozed,   // `amount` = snooze length
    skipped,
    paused,    // `amount` = length, zero when until resumed
    resumed,
    stood,
    sat,
    away,      // the user left the desk (idle, lock, suspend, standing)
    back,      // and came back (`amount` = time away)
    config_reloaded,
    call_started,  // a call began (the devices, or `meeting start`)
    call,          // a call ended (`amount` = its length, from its start to the devices' release)
    felt,          // how a stretch or routine felt (`stretch`; `detail` = a Felt name)
    progressed,    // the picker moved to another form of a stretch (`stretch` = the new one, `detail` = the old one)
    guided,        // `stretch guide` ended (`stretch`; `count` = steps finished; `amount` = time; `detail` = "finished" or "stopped")
    start,     // stretchd started (recorded by the daemon, never by the engine)
    stop,      // stretchd stopped cleanly
};

std::string_view record_kind_name(RecordKind kind);
// The kind a history row names; nullopt for a name this version does not know.
std::optional<RecordKind> parse_record_kind(std::string_view name);

// Something worth keeping in the history and telling subscribers about.
struct Record {
    RecordKind kind{};
    std::string rule;     // empty when not about one rule
    std::string stretch;  // the stretch involved, if any
    Duration amount{};
    int count = 0;
    std::string origin;   // who caused it: "cli", "action", "timer", "activity", ...
    std::string detail;   // a kind's own word (felt, progressed, guided); empty for the others
};

using Effect = std::variant<ShowReminder, CloseReminder, Record>;
using Effects = std::vector<Effect>;

}  // namespace stretch
