// The loop's primitives on the real sd-event: timers armed with std::chrono
// lengths, a deferred call, an inotify watch. The loop is stepped until a
// condition holds (bounded by a generous run_once timeout per step), so no
// assertion depends on how fast the machine is.

#include <doctest/doctest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "daemon/plumbing/event_loop.hpp"
#include "fakes/step_until.hpp"

namespace stretch {
namespace {

using namespace std::chrono_literals;

// Steps the loop until `done` holds or 200 steps pass (each waits at most 5 s).
TEST_CASE("a timer armed with a length fires once, and a disarmed one not at all") {
    EventLoop loop;
    int fired = 0;
    auto timer = loop.add_timer(CLOCK_MONOTONIC, [&] { ++fired; });
    CHECK_FALSE(timer.armed());
    timer.arm_in(1ms);
    CHECK(timer.armed());
    std::uint64_t start = loop.now(CLOCK_MONOTONIC);
    REQUIRE(step_until(loop, [&] { return fired == 1; }));
    CHECK(loop.now(CLOCK_MONOTONIC) >= start + 1000);
    CHECK_FALSE(timer.armed());  // one-shot

    int other = 0;
    auto disarmed = loop.add_timer(CLOCK_MONOTONIC, [&] { ++other; });
    disarmed.arm_in(0ms);
    disarmed.disarm();
    timer.arm_in(2ms);  // something that does fire, to step past
    REQUIRE(step_until(loop, [&] { return fired == 2; }));
    CHECK(other == 0);
}

TEST_CASE("a length of zero or less fires at once, on the next step") {
    EventLoop loop;
    bool fired = false;
    auto timer = loop.add_timer(CLOCK_BOOTTIME, [&] { fired = true; });
    timer.arm_in(-5s);
    CHECK(timer.armed());
    loop.run_once(5'000'000);
    CHECK(fired);
}

TEST_CASE("a deferred call runs once, on a later turn") {
    EventLoop loop;
    int calls = 0;
    auto defer = loop.add_defer([&] { ++calls; });
    CHECK(calls == 0);
    loop.run_once(5'000'000);
    CHECK(calls == 1);
    bool other = false;
    auto timer = loop.add_timer(CLOCK_MONOTONIC, [&] { other = true; });
    timer.arm_in(1ms);
    REQUIRE(step_until(loop, [&] { return other; }));
    CHECK(calls == 1);
}

TEST_CASE("an inotify watch reports a file created in the directory; a missing path is an error") {
    EventLoop loop;
    char dir_template[] = "/tmp/stretch-loop-XXXXXX";
    REQUIRE(::mkdtemp(dir_template) != nullptr);
    std::filesystem::path dir(dir_template);
    std::vector<std::string> names;
    std::error_code error;
    auto watch = loop.add_inotify(dir.c_str(), IN_CREATE | IN_MOVED_TO,
                                  [&](const inotify_event& e) { names.emplace_back(e.len ? e.name : ""); }, error);
    REQUIRE(watch);
    CHECK_FALSE(error);
    int fd = ::open((dir / "bus").c_str(), O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
    REQUIRE(fd >= 0);
    ::close(fd);
    REQUIRE(step_until(loop, [&] { return !names.empty(); }));
    CHECK(names == std::vector<std::string>{"bus"});

    auto missing = loop.add_inotify((dir / "none").c_str(), IN_CREATE, [](const inotify_event&) {}, error);
    CHECK_FALSE(missing);
    CHECK(error == std::errc::no_such_file_or_directory);
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace stretch
