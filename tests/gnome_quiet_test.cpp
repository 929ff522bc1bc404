// GnomeQuiet's reader, with a `dconf` on PATH that never answers: it is
// killed after the read limit, so a hung child costs neither the loop nor a
// process left behind, and the key counts as unset (no do-not-disturb).

#include <doctest/doctest.h>

#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <chrono>
#include <fstream>
#include <string>

#include "daemon/delivery/quiet/gnome_quiet.hpp"
#include "fakes/env_scope.hpp"
#include "fakes/step_until.hpp"
#include "fakes/temp_dir.hpp"

namespace stretch {

TEST_CASE("a dconf that hangs is killed after the read limit, and GNOME counts as not quiet") {
    TempDir dir("gnome-quiet");
    auto script = dir.path() / "dconf";
    {
        std::ofstream out(script);
        out << "#!/bin/sh\necho $$ >> '" << (dir.path() / "pids").string() << "'\nexec sleep 600\n";
    }
    ::chmod(script.c_str(), 0755);
    EnvScope path("PATH", dir.path().string() + ":/usr/bin:/bin");
    EnvScope bus("DBUS_SESSION_BUS_ADDRESS", "unix:path=" + (dir.path() / "no-bus").string());

    EventLoop loop;
    GnomeQuiet gnome(loop, std::chrono::milliseconds(200));
    // Both keys are read at start; each child is killed and reaped.
    auto pids = [&] {
        std::vector<pid_t> out;
        std::ifstream in(dir.path() / "pids");
        for (pid_t pid; in >> pid;) out.push_back(pid);
        return out;
    };
    auto gone = [](pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; };
    step_until(loop, [&] { return pids().size() == 2 && gone(pids()[0]) && gone(pids()[1]); });
    REQUIRE(pids().size() == 2);
    CHECK(gone(pids()[0]));
    CHECK(gone(pids()[1]));
    CHECK_FALSE(gnome.quiet());
    CHECK(gnome.describe().find("not read yet") != std::string::npos);
}

}  // namespace stretch
