// The time strings of config, command line and protocol: durations, clock
// times, weekdays, holds and reps. Each accepted string must mean what its
// formatted form means, so that what the user is shown reads back the same.

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

#include "core/duration.hpp"
#include "core/notification_text.hpp"
#include "core/stretch.hpp"

using namespace stretch;

namespace {

void check(bool ok, std::string_view what, std::string_view input) {
    if (ok) return;
    std::fprintf(stderr, "property violated: %.*s\ninput: \"%.*s\"\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(input.size()), input.data());
    std::abort();
}

bool only(std::string_view text, std::string_view allowed) {
    return text.find_first_not_of(allowed) == std::string_view::npos;
}

void check_duration(std::string_view text) {
    auto d = parse_duration(text);
    if (!d) return;
    check(only(text, "0123456789hms"), "a duration holds only digits and units", text);
    check(d->count() >= 0 && *d <= std::chrono::hours(24 * 100), "a duration is from 0s to 100 days", text);
    check(d->count() % 1000 == 0, "a duration is whole seconds", text);
    auto formatted = format_duration(*d);
    check(parse_duration(formatted) == d, "format_duration reads back to the same duration", text);
    check(format_duration(*parse_duration(formatted)) == formatted, "format_duration is canonical", text);
    check(!format_duration_short(*d).empty() && !spoken_duration(*d).empty(), "short forms are never empty", text);
}

void check_clock(std::string_view text) {
    for (bool end : {false, true}) {
        auto c = parse_clock(text, end);
        if (!c) continue;
        check(*c >= 0 && *c <= (end ? seconds_per_day : seconds_per_day - 1), "a clock time is within the day", text);
        check(*c % 60 == 0, "a clock time is whole minutes", text);
        check(format_clock(*c) == text, "format_clock gives back the very string read", text);
    }
}

void check_weekday(std::string_view text) {
    if (auto w = parse_weekday(text)) check(weekday_name(*w) == text, "weekday_name gives back the name read", text);
}

void check_hold_and_reps(std::string_view text) {
    if (auto h = parse_hold(text)) {
        check(h->min > 0 && h->min <= h->max && h->max <= 600, "a hold is a range 0 < min <= max <= 600", text);
        check(hold_seconds(*h) > 0, "a hold takes some time", text);
        // "1 breath" is formatted in the singular for reading; the config
        // only ever spells the unit "breaths".
        bool singular = h->unit == Hold::Unit::breaths && h->max == 1;
        if (!singular) {
            auto again = parse_hold(format_hold(*h));
            check(again && again->unit == h->unit && again->min == h->min && again->max == h->max,
                  "format_hold reads back to the same hold", text);
        }
    }
    if (auto r = parse_reps(text)) {
        check(r->min > 0 && r->min <= r->max && r->max <= 100, "reps are a range 0 < min <= max <= 100", text);
        auto again = parse_reps(format_reps(*r));
        check(again && again->min == r->min && again->max == r->max, "format_reps reads back to the same reps", text);
    }
}

// Any length at all, as the engine might hand one over: formatting never
// fails, and within the parseable range it reads back whole seconds.
void check_any_length(const std::uint8_t* data, std::size_t size) {
    if (size < sizeof(std::int64_t)) return;
    std::int64_t ms;
    std::memcpy(&ms, data, sizeof ms);
    Duration d(ms);
    auto formatted = format_duration(d);
    (void)format_duration_short(d);
    (void)spoken_duration(d);
    if (d <= Duration::zero()) {
        check(formatted == "0s", "a length of zero or less formats as 0s", formatted);
    } else if (d <= std::chrono::hours(24 * 100)) {
        check(parse_duration(formatted) == std::chrono::duration_cast<std::chrono::seconds>(d),
              "format_duration of any length reads back rounded down to seconds", formatted);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    check_duration(text);
    check_clock(text);
    check_weekday(text);
    check_hold_and_reps(text);
    check_any_length(data, size);
    return 0;
}
