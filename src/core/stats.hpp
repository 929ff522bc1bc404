#pragma once
// The figures of `stretch stats`, worked out from the history alone: the
// event rows, the local days to report on, and the config (for the names and
// body areas of stretches). Pure: the caller reads the clock and the time
// zone and passes `now` and the day boundaries in.
//
// Presence. The user is present (at the desk) from a `start`, `back` or
// `sat` until an `away`, `stood` or `stop`, with these corrections:
//   - `back` carries the length of the absence (amount_s), so the absence
//     began amount_s before the `back`. That can be earlier than its `away`
//     row (idle noticed late; a suspend noticed only on waking, when `away`
//     and `back` are written together): the run before it ends there.
//   - A `start` while present means stretchd ended without a `stop` (a
//     crash, a power cut): that run ends at the last event before the
//     `start`, the last moment stretchd is known to have been running.
//   - Before the first event that changes presence, the user is taken to be
//     present from `since` if that event is `away`, `stood` or `stop`, and
//     absent if it is `start`, `back` or `sat`.
//   - A run still open after the last event lasts until `now`.
// Paused time is present time: a pause silences reminders, not sitting.
//
// The figures, for each day and for the whole range:
//   sitting_s          present time within the day.
//   longest_sitting_s  the most present time between two consecutive break
//                      points within the day. Break points are `taken`,
//                      `natural`, `stood`, `stop` and `start`. A short
//                      absence (an `away` and `back` with no natural break)
//                      does not end a run, but its time is not counted; a
//                      `skipped` does not end it either.
//   reminded           new reminders (count 1); re-reminders are not counted.
//   taken, snoozed,    one per event.
//   skipped
//   natural            absences long enough to reset at least one rule, one
//                      per absence (one that resets two rules writes two
//                      `natural` rows), on the day of its first such row.
//   share_taken        taken ÷ (taken + skipped): of the breaks the user
//                      answered, the share taken. Natural breaks and
//                      reminders left unanswered count neither way. Empty
//                      when nothing was answered.
//   areas              the body areas of the stretches taken, in
//                      body_areas() order.
//   top_stretches      the stretches taken most, up to 3: most first, then
//                      by id.
//   call_s             time in calls within the day. A call runs from its
//                      `call_started` row for the length its `call` row
//                      carries (amount_s); one still going at the last event
//                      runs until `now`; a `call` row without its start
//                      (pruned) is taken to have ended when it was written.
// The total treats the range as one span: a run across midnight counts
// whole in its longest_sitting_s.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/config.hpp"
#include "core/effects.hpp"

namespace stretch {

// One row of the history, as the daemon's store keeps it.
struct HistoryEvent {
    std::int64_t time = 0;  // Unix seconds
    RecordKind kind{};
    std::string rule;
    std::string stretch;
    std::int64_t amount_s = 0;
    std::int64_t count = 0;
    std::string origin;
    std::string detail;  // Record::detail
};

// A local calendar day: [start, end) in Unix seconds (23 or 25 hours long
// on daylight-saving days).
struct LocalDay {
    std::string date;  // "YYYY-MM-DD"
    std::int64_t start = 0;
    std::int64_t end = 0;
};

struct StretchCount {
    std::string id;
    std::string name;  // the id when the stretch is no longer in the library
    std::int64_t count = 0;
};

struct DayStats {
    std::string date;  // empty for the total
    std::int64_t sitting_s = 0;
    std::int64_t longest_sitting_s = 0;
    std::int64_t reminded = 0;
    std::int64_t taken = 0;
    std::int64_t natural = 0;
    std::int64_t snoozed = 0;
    std::int64_t skipped = 0;
    std::optional<double> share_taken;
    std::vector<std::string> areas;
    std::vector<StretchCount> top_stretches;
    std::int64_t call_s = 0;
};

struct Stats {
    std::vector<DayStats> days;  // in the order given
    DayStats total;              // from the first day's start to the last day's end
};

// `events`: every row from `since` up to `now`, oldest first (the order
// they were written). `days`: in order, not overlapping.
Stats compute_stats(const std::vector<HistoryEvent>& events, std::int64_t since, std::int64_t now,
                    const std::vector<LocalDay>& days, const Config& config);

}  // namespace stretch
