// The PipeWire detector's connection, on the real loop and libpipewire,
// with a bare Unix socket in a temporary directory standing in for
// PipeWire's (the connection is all these tests need; the registry is
// tested against a real PipeWire in tests/integration/test_calls.py). It
// waits for the socket without timers, tries a socket that is bound but
// not yet listening a few times, connects (working only once PipeWire
// answers, which a bare socket never does), is lost when the server goes and
// connects to a new socket. libpipewire leaves no thread behind.

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

#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {
namespace {

namespace fs = std::filesystem;

UniqueFd bound_socket(const fs::path& path) {
    UniqueFd fd(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));  // accept() must not wait
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

// The connection the detector made, once it is there.
UniqueFd accepted(EventLoop& loop, const UniqueFd& server) {
    UniqueFd conn;
    step_until(loop, [&] {
        if (!conn) conn.reset(accept4(server.get(), nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC));
        return bool(conn);
    });
    return conn;
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
    auto conn = accepted(loop, server);
    REQUIRE(conn);
    // Connected, but this server never answers as PipeWire would: not working.
    CHECK(says(detector, "connecting to PipeWire at"));
    CHECK_FALSE(detector.describe()[0].working);
    CHECK(threads() == 1);  // libpipewire's data-loop thread was stopped

    // The server goes: lost, nothing captured.
    conn.reset();
    server.reset();
    REQUIRE(step_until(loop, [&] { return says(detector, "lost PipeWire"); }));
    CHECK_FALSE(detector.describe()[0].working);

    // A new server makes a new socket: connected again, still lost until it answers.
    fs::remove(path);
    auto again = bound_socket(path);
    REQUIRE(listen(again.get(), 4) == 0);
    auto conn2 = accepted(loop, again);
    REQUIRE(conn2);
    CHECK(says(detector, "lost PipeWire"));
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
    REQUIRE(accepted(loop, server));
    CHECK(says(detector, "connecting to PipeWire at"));
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
