// The one rule for the durations people read: time left rounds up to the
// unit shown, time elapsed rounds down, configured lengths are exact, and
// every form is written the same way.

#include <doctest/doctest.h>

#include "core/duration.hpp"
#include "core/notification_text.hpp"

using namespace stretch;
using namespace std::chrono_literals;

namespace {

struct Row {
    Duration d;
    const char* left;
    const char* elapsed;
    const char* length;
};

// clang-format off
const Row table[] = {
    // seconds               left       elapsed    length
    {0s,                     "0s",      "0s",      "0s"},
    {1s,                     "1s",      "1s",      "1s"},
    {59s,                    "59s",     "59s",     "59s"},
    {60s,                    "1m",      "1m",      "1m"},
    {61s,                    "2m",      "1m",      "1m01s"},
    {89s,                    "2m",      "1m",      "1m29s"},
    {90s,                    "2m",      "1m",      "1m30s"},
    {3599s,                  "1h",      "59m",     "59m59s"},
    {3600s,                  "1h",      "1h",      "1h"},
    {3601s,                  "1h01m",   "1h",      "1h00m01s"},
    {16h + 26min + 30s,      "16h27m",  "16h26m",  "16h26m30s"},
};
// clang-format on

}  // namespace

TEST_CASE("time left rounds up, time elapsed rounds down, lengths are exact") {
    for (const Row& row : table) {
        auto s = std::chrono::duration_cast<std::chrono::seconds>(row.d).count();
        CAPTURE(s);
        CHECK(format_left(row.d) == row.left);
        CHECK(format_elapsed(row.d) == row.elapsed);
        CHECK(format_length(row.d) == row.length);
    }
}

TEST_CASE("a part of a second counts as a second left and as nothing elapsed") {
    CHECK(format_left(59s + 500ms) == "1m");
    CHECK(format_left(500ms) == "1s");
    CHECK(format_elapsed(59s + 999ms) == "59s");
    CHECK(format_elapsed(-5s) == "0s");
    CHECK(format_left(-5s) == "0s");
}

TEST_CASE("every form reads back as a config duration") {
    for (const Row& row : table)
        for (const char* text : {row.left, row.elapsed, row.length}) CHECK_MESSAGE(parse_duration(text), text);
    CHECK(parse_duration(format_length(16h + 26min + 30s)) == Duration(16h + 26min + 30s));
}

TEST_CASE("the old short form is the elapsed one") {
    CHECK(format_duration_short(16h + 26min + 30s) == "16h26m");
    CHECK(spoken_duration(90s) == "1m");
}

TEST_CASE("a bubble's title names the break and its exact length") {
    CHECK(break_title("micro", 30s) == "Micro break — 30s");
    CHECK(break_title("stretch", 5min) == "Stretch break — 5m");
    CHECK(break_title("micro", 90s) == "Micro break — 1m30s");
    CHECK(break_title("micro", 0s) == "Micro break");
}

TEST_CASE("repetitions are said in words") {
    CHECK(repetitions(Reps{1, 1}, false) == "once");
    CHECK(repetitions(Reps{1, 1}, true) == "once each side");
    CHECK(repetitions(Reps{2, 2}, true) == "twice each side");
    CHECK(repetitions(Reps{3, 3}, true) == "3 times each side");
    CHECK(repetitions(Reps{10, 12}, false) == "10-12 times");
}
