// The PipeWire detector's connection, on the real loop and libpipewire,
// with a bare Unix socket in a temporary directory standing in for
// PipeWire's (the connection is all these tests need; the registry is
// tested against a real PipeWire in tests/integration/test_calls.py). It
// waits for the socket without timers, tries a socket that is bound but
// not yet listening a few times, connects, is lost when the server goes
// and comes back with a new socket. libpipewire leaves no thread behind.

#include "daemon/presence/call/pipewire_detector.hpp"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <doctest/doctest.h>

#include "fakes/temp_dir.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;

template <typename F>
bool step_until(EventLoop& loop, F done) {
    for (int i = 0; i < 200 && !done(); ++i) loop.run_once(100'000);
    return done();
}

UniqueFd bound_socket(const fs::path& path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    REQUIRE(fd);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
    REQUIRE(bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    return fd;
}

int threads() {
    int n = 0;
    for ([[maybe_unused]] const auto& t : fs::directory_iterator("/proc/self/task")) ++n;
    return n;
}

bool says(const PipeWireDetector& d, std::string_view words) {
    return d.describe().at(0).detail.find(words) != std::string::npos;
}

TEST_CASE("without PipeWire the detector waits for its socket, then connects, loses it and comes back") {
    TempDir dir("pipewire");
    auto path = dir.path() / "pipewire-0";
    EventLoop loop;
    PipeWireDetector detector(loop, path);
    int changes = 0;
    detector.listen([&] { ++changes; });
    CHECK(changes == 0);  // never from inside the constructor

    REQUIRE(step_until(loop, [&] { return says(detector, "no PipeWire at"); }));
    CHECK_FALSE(detector.describe()[0].working);
    CHECK(detector.captures().empty());
    CHECK(changes == 1);

    // Bound, not listening yet: refused, and tried again a few times.
    auto server = bound_socket(path);
    REQUIRE(step_until(loop, [&] { return says(detector, "refused the connection"); }));
    REQUIRE(listen(server.get(), 4) == 0);
    REQUIRE(step_until(loop, [&] { return detector.describe()[0].working; }));
    CHECK(threads() == 1);  // libpipewire's data-loop thread was stopped

    // The server goes: lost, nothing captured, the old socket refuses.
    server.reset();
    REQUIRE(step_until(loop, [&] { return says(detector, "lost PipeWire"); }));
    CHECK_FALSE(detector.describe()[0].working);

    // A new server makes a new socket.
    fs::remove(path);
    auto again = bound_socket(path);
    REQUIRE(listen(again.get(), 4) == 0);
    REQUIRE(step_until(loop, [&] { return detector.describe()[0].working; }));
    CHECK(threads() == 1);
}

TEST_CASE("a socket in a runtime directory made later is still found") {
    TempDir dir("pipewire");
    auto path = dir.path() / "run" / "pipewire-0";
    EventLoop loop;
    PipeWireDetector detector(loop, path);
    REQUIRE(step_until(loop, [&] { return says(detector, "no PipeWire at"); }));
    fs::create_directory(dir.path() / "run");
    auto server = bound_socket(path);
    REQUIRE(listen(server.get(), 4) == 0);
    REQUIRE(step_until(loop, [&] { return detector.describe()[0].working; }));
}

// Puts the environment variables back as they were.
struct SavedEnv {
    std::vector<std::pair<const char*, std::optional<std::string>>> saved;
    explicit SavedEnv(std::initializer_list<const char*> names) {
        for (auto* n : names) {
            const char* v = std::getenv(n);
            saved.emplace_back(n, v ? std::optional<std::string>(v) : std::nullopt);
        }
    }
    ~SavedEnv() {
        for (auto& [n, v] : saved)
            if (v)
                ::setenv(n, v->c_str(), 1);
            else
                ::unsetenv(n);
    }
};

TEST_CASE("the socket is found as libpipewire finds it") {
    SavedEnv saved{"PIPEWIRE_REMOTE", "PIPEWIRE_RUNTIME_DIR", "XDG_RUNTIME_DIR"};
    ::unsetenv("PIPEWIRE_REMOTE");
    ::unsetenv("PIPEWIRE_RUNTIME_DIR");
    ::setenv("XDG_RUNTIME_DIR", "/run/user/1000", 1);
    CHECK(pipewire_socket_path() == "/run/user/1000/pipewire-0");
    ::setenv("PIPEWIRE_RUNTIME_DIR", "/tmp/pw", 1);
    CHECK(pipewire_socket_path() == "/tmp/pw/pipewire-0");
    ::setenv("PIPEWIRE_REMOTE", "pipewire-1", 1);
    CHECK(pipewire_socket_path() == "/tmp/pw/pipewire-1");
    ::setenv("PIPEWIRE_REMOTE", "/srv/pw.sock", 1);
    CHECK(pipewire_socket_path() == "/srv/pw.sock");
    ::unsetenv("PIPEWIRE_REMOTE");
    ::unsetenv("PIPEWIRE_RUNTIME_DIR");
    ::unsetenv("XDG_RUNTIME_DIR");
    CHECK(pipewire_socket_path().empty());
}

}  // namespace
}  // namespace stretch
