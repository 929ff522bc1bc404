#include <doctest/doctest.h>

#include "core/duration.hpp"

using namespace stretch;
using namespace std::chrono_literals;

TEST_CASE("durations read the way people write them") {
    CHECK(parse_duration("30s") == Duration(30s));
    CHECK(parse_duration("45m") == Duration(45min));
    CHECK(parse_duration("1h30m") == Duration(90min));
    CHECK(parse_duration("1h0m30s") == Duration(3630s));
    CHECK(parse_duration("0s") == Duration(0s));
}

TEST_CASE("durations that are not clear are refused") {
    for (auto bad : {"", "30", "30x", "m", "1m1h", "1h1h", "-5m", "1.5h", " 5m", "5m ", "5 m", "101000h"})
        CHECK_MESSAGE(!parse_duration(bad), bad);
}

TEST_CASE("durations format back to the shortest string") {
    CHECK(format_duration(90min) == "1h30m");
    CHECK(format_duration(45s) == "45s");
    CHECK(format_duration(0s) == "0s");
    CHECK(format_duration(3630s) == "1h30s");
    CHECK(format_duration_short(12min + 30s) == "12m");
    CHECK(format_duration_short(65min) == "1h05m");
    CHECK(format_duration_short(40s) == "40s");
}

TEST_CASE("clock times and weekdays") {
    CHECK(parse_clock("09:00") == 9 * 3600);
    CHECK(parse_clock("23:59") == 23 * 3600 + 59 * 60);
    CHECK(!parse_clock("24:00"));
    CHECK(parse_clock("24:00", true) == 86400);
    CHECK(!parse_clock("9:00"));
    CHECK(!parse_clock("09:60"));
    CHECK(!parse_clock("25:00", true));
    CHECK(format_clock(9 * 3600 + 5 * 60) == "09:05");
    CHECK(parse_weekday("mon") == 0);
    CHECK(parse_weekday("sun") == 6);
    CHECK(!parse_weekday("Monday"));
    CHECK(seconds_until_clock({0, 8 * 3600}, 9 * 3600) == 3600);
    CHECK(seconds_until_clock({0, 10 * 3600}, 9 * 3600) == 23 * 3600);
}
