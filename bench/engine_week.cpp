// stretch_engine_week: days of desk life pushed through the engine in
// process, as fast as it will go, to measure what one event costs and to show
// that the engine's memory does not grow with the length of its history.
//
//   stretch_engine_week DAYS [SEED]
//
// Time is simulated (the engine reads no clock), so a week takes
// milliseconds. Each event is what the daemon does for one thing happening:
// the engine call itself (a timer tick at next_deadline(), an activity edge,
// a command), then next_deadline() to re-arm the timer and status() for
// systemd's STATUS line. The user is a random but seeded one: on weekdays
// at the desk from about 08:30 to 17:30 with lunch away, moving the mouse
// or not, locking for meetings, answering most reminders, snoozing and
// skipping some; on weekends the machine sleeps except for an hour.
//
// Prints one JSON object: events, seconds, microseconds per event, the
// process's peak resident memory, the sizes of the picker's memory (the only
// part of the engine's state that fills with use) and the heap in use at the
// end of each day.

#include <sys/resource.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>
#include <variant>
#include <vector>

#include <malloc.h>

#include "core/config.hpp"
#include "core/engine.hpp"

namespace {

using namespace stretch;
using namespace std::chrono_literals;

// Monday 2024-01-01 00:00 UTC; the machine booted three days before.
constexpr std::int64_t monday_wall_s = 1704067200;
constexpr Duration boot_age = 72h;

Now at(Duration since_monday) {
    auto s = std::chrono::duration_cast<std::chrono::seconds>(since_monday).count();
    Now n;
    n.mono = MonoTime{} + boot_age + since_monday;
    n.wall_s = monday_wall_s + s;
    n.local.weekday = static_cast<int>((s / seconds_per_day) % 7);
    n.local.seconds_of_day = static_cast<int>(s % seconds_per_day);
    return n;
}

class Week {
public:
    // Starts asleep at midnight before the first day.
    explicit Week(std::uint64_t seed) : rng_(seed), engine_(default_config(), seed, now_) { sleep_for(0s); }

    void run(int days) {
        // Reserved up front so that the measurement itself does not show up as growth.
        heap_by_day_.reserve(static_cast<std::size_t>(days));
        for (int day = 0; day < days; ++day) {
            Duration midnight = std::chrono::hours(24 * day);
            bool weekend = day % 7 >= 5;
            wake_at(midnight + (weekend ? 10h : 8h + minutes(20, 50)));
            Duration lunch = midnight + 12h + minutes(0, 30);
            Duration evening = midnight + (weekend ? 11h : 17h + minutes(15, 45));
            if (!weekend) {
                work_until(lunch);
                sleep_for(minutes(30, 60));
            }
            work_until(evening);
            sleep_for(0s);
            heap_by_day_.push_back(mallinfo2().uordblks);
        }
    }

    const EngineState& state() const { return engine_.state(); }
    long events() const { return events_; }
    long reminders() const { return reminders_; }
    const std::vector<std::size_t>& heap_by_day() const { return heap_by_day_; }

private:
    Duration minutes(int from, int to) {
        return std::chrono::minutes(std::uniform_int_distribution<int>(from, to)(rng_));
    }
    int percent() { return std::uniform_int_distribution<int>(0, 99)(rng_); }

    void event(Effects effects) {
        for (auto& e : effects)
            if (std::holds_alternative<ShowReminder>(e)) ++reminders_;
        next_ = engine_.next_deadline(now_);
        engine_.status(now_);
        ++events_;
    }
    void event(Outcome outcome) { event(std::move(outcome.effects)); }

    // The daemon's timer: a tick at every deadline up to `t`. A deadline
    // that does not move forward would loop here forever, so it ends the
    // ticking instead (the engine tests are where that is caught).
    void pass_to(Duration t) {
        MonoTime until = at(t).mono;
        while (next_ && *next_ <= until && *next_ > now_.mono) {
            t_ = *next_ - (MonoTime{} + boot_age);
            now_ = at(t_);
            event(engine_.tick(now_));
        }
        t_ = t;
        now_ = at(t_);
    }

    // The activity source reports idle only once no input has come for the
    // shortest natural break (2 minutes by default), so shorter pauses never
    // reach the engine; those that do are the user having left.
    void work_until(Duration end) {
        while (t_ < end) {
            pass_to(std::min(end, t_ + minutes(2, 10)));
            int p = percent();
            if (engine_.state().shown) {
                if (p < 55)
                    event(engine_.done(now_, {}, "cli"));
                else if (p < 80)
                    event(engine_.snooze(now_, std::nullopt, {}, "action"));
                else if (p < 90)
                    event(engine_.skip(now_, {}, "action"));
            } else if (p < 8) {
                event(engine_.user_idle(now_, now_.mono - 2min));
                pass_to(t_ + minutes(0, 8));
                event(engine_.user_active(now_));
            } else if (p < 12) {
                event(engine_.screen_locked(now_));
                pass_to(t_ + minutes(10, 60));
                event(engine_.screen_unlocked(now_));
            } else if (p < 13) {
                event(engine_.pause(now_, minutes(15, 45), std::nullopt, "cli"));
            } else if (p < 15) {
                event(engine_.stand(now_, "cli"));
                pass_to(t_ + minutes(10, 40));
                event(engine_.sit(now_, "cli"));
            }
        }
    }

    // Suspended: no ticks until it wakes, as on a real laptop.
    void sleep_for(Duration length) {
        event(engine_.suspended(now_));
        asleep_ = true;
        if (length > 0s) wake_at(t_ + length);
    }
    void wake_at(Duration t) {
        t_ = t;
        now_ = at(t_);
        if (asleep_) event(engine_.resumed(now_, Duration::zero()));
        asleep_ = false;
    }

    std::mt19937_64 rng_;
    Duration t_ = 0s;
    Now now_ = at(0s);
    Engine engine_;
    std::optional<MonoTime> next_;
    bool asleep_ = false;
    long events_ = 0, reminders_ = 0;
    std::vector<std::size_t> heap_by_day_;
};

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || argc > 3 || std::atoi(argv[1]) < 1) {
        std::fprintf(stderr, "usage: stretch_engine_week DAYS [SEED]\n");
        return 2;
    }
    int days = std::atoi(argv[1]);
    std::uint64_t seed = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1;

    // The config is parsed before the clock starts: the daemon does it once.
    default_config();
    Week week(seed);
    auto start = std::chrono::steady_clock::now();
    week.run(days);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "{\"days\":%d,\"events\":%ld,\"reminders\":%ld,\"seconds\":%.6f,\"us_per_event\":%.3f,"
        "\"peak_rss_kib\":%ld,\"picker_recent\":%zu,\"picker_areas\":%zu,\"heap_by_day\":[",
        days, week.events(), week.reminders(), seconds, seconds * 1e6 / static_cast<double>(week.events()),
        usage.ru_maxrss, week.state().picker.recent.size(), week.state().picker.area_seen.size());
    for (std::size_t i = 0; i < week.heap_by_day().size(); ++i)
        std::printf("%s%zu", i ? "," : "", week.heap_by_day()[i]);
    std::printf("]}\n");
}
