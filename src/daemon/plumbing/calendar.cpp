#include "daemon/plumbing/calendar.hpp"

#include <ctime>

#include <fmt/format.h>

namespace stretch {
namespace {

// Midnight of year-month-day, normalised (day 0 is the last of the previous
// month, and so on). A midnight that a clock change skips becomes the first
// moment that exists.
std::int64_t midnight(int year, int month, int day, std::tm* normalised = nullptr) {
    std::tm tm{};
    tm.tm_year = year - 1900;
    tm.tm_mon = month - 1;
    tm.tm_mday = day;
    tm.tm_isdst = -1;
    std::time_t t = std::mktime(&tm);
    if (normalised) *normalised = tm;
    return static_cast<std::int64_t>(t);
}

LocalDay day_of(int year, int month, int day) {
    std::tm tm{};
    LocalDay out;
    out.start = midnight(year, month, day, &tm);
    out.end = midnight(year, month, day + 1);
    out.date = fmt::format("{:04}-{:02}-{:02}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    return out;
}

}  // namespace

std::vector<LocalDay> last_days(std::int64_t now, int count) {
    std::time_t t = static_cast<std::time_t>(now);
    std::tm today{};
    localtime_r(&t, &today);
    std::vector<LocalDay> out;
    for (int back = count - 1; back >= 0; --back)
        out.push_back(day_of(today.tm_year + 1900, today.tm_mon + 1, today.tm_mday - back));
    return out;
}

std::optional<std::int64_t> next_offset_change(std::int64_t from, std::int64_t horizon) {
    auto offset = [](std::int64_t at) {
        std::time_t t = static_cast<std::time_t>(at);
        std::tm tm{};
        localtime_r(&t, &tm);
        return tm.tm_gmtoff;
    };
    long before = offset(from);
    std::int64_t lo = from, hi = from + horizon;
    // Zones change their offset at most twice a year, so never twice within
    // the horizon: the same offset at its end means no change in between.
    if (offset(hi) == before) return std::nullopt;
    // offset(lo) == before, offset(hi) != before: the change lies in (lo, hi].
    while (hi - lo > 1) {
        std::int64_t mid = lo + (hi - lo) / 2;
        (offset(mid) == before ? lo : hi) = mid;
    }
    return hi;
}

std::optional<LocalDay> local_day(std::string_view date) {
    if (date.size() != 10 || date[4] != '-' || date[7] != '-') return std::nullopt;
    int parts[3] = {0, 0, 0};
    int part = 0;
    for (std::size_t i = 0; i < date.size(); ++i) {
        if (i == 4 || i == 7) {
            ++part;
            continue;
        }
        if (date[i] < '0' || date[i] > '9') return std::nullopt;
        parts[part] = parts[part] * 10 + (date[i] - '0');
    }
    auto [year, month, day] = parts;
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31) return std::nullopt;
    LocalDay out = day_of(year, month, day);
    // mktime moves 2025-02-30 to March: not a date.
    if (out.date != date) return std::nullopt;
    return out;
}

}  // namespace stretch
