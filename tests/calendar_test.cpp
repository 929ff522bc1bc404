// Local calendar arithmetic by the C library's time zone rules. Each test
// sets TZ itself (ZoneScope).

#include <doctest/doctest.h>

#include <optional>

#include "daemon/plumbing/calendar.hpp"
#include "fakes/zone_scope.hpp"

namespace stretch {
namespace {

constexpr std::int64_t two_days = 2 * 24 * 60 * 60;

}  // namespace

TEST_CASE("the next daylight-saving change is found to the second") {
    ZoneScope berlin("Europe/Berlin");
    // 2024-03-31 01:00 UTC: 02:00 CET becomes 03:00 CEST.
    CHECK(next_offset_change(1711846800 - 3600 * 12, two_days) == 1711846800);
    // 2024-10-27 01:00 UTC: 03:00 CEST becomes 02:00 CET.
    CHECK(next_offset_change(1729990800 - 60, two_days) == 1729990800);
    // The change itself is not "next" once it has happened.
    CHECK(next_offset_change(1711846800, two_days) == std::nullopt);
}

TEST_CASE("no change within the horizon, or in a zone without daylight saving, is none") {
    {
        ZoneScope berlin("Europe/Berlin");
        CHECK(next_offset_change(1718000000, two_days) == std::nullopt);  // June
    }
    ZoneScope utc("UTC");
    CHECK(next_offset_change(1711846800 - 3600, two_days) == std::nullopt);
}

}  // namespace stretch
