#pragma once
// A private dbus-daemon for tests of the bus plumbing: on a socket in a temp
// directory, stopped by its PID when the test ends. Never the user's bus.

#include <signal.h>
#include <sys/wait.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

namespace stretch {

class PrivateBus {
public:
    explicit PrivateBus(const std::filesystem::path& dir) : address_("unix:path=" + (dir / "bus").string()) {
        std::string flag = "--address=" + address_;
        pid_ = ::fork();
        if (pid_ == 0) {
            ::execlp("dbus-daemon", "dbus-daemon", "--session", "--nofork", "--nopidfile", flag.c_str(), nullptr);
            ::_exit(127);
        }
    }
    ~PrivateBus() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            ::waitpid(pid_, nullptr, 0);
        }
    }
    PrivateBus(const PrivateBus&) = delete;
    PrivateBus& operator=(const PrivateBus&) = delete;

    // A client connection, once the daemon listens (it is given a bounded
    // number of tries, each a real connection attempt).
    sd_bus* connect() const {
        for (int attempt = 0; attempt < 500; ++attempt) {
            sd_bus* bus = nullptr;
            if (sd_bus_new(&bus) >= 0 && sd_bus_set_address(bus, address_.c_str()) >= 0 && sd_bus_set_bus_client(bus, 1) >= 0 &&
                sd_bus_start(bus) >= 0 && sd_bus_is_ready(bus) >= 0) {
                const char* id = nullptr;
                if (sd_bus_get_unique_name(bus, &id) >= 0) return bus;
            }
            sd_bus_flush_close_unref(bus);
            ::usleep(10'000);
        }
        return nullptr;
    }

private:
    std::string address_;
    pid_t pid_ = -1;
};

using ClientBus = std::unique_ptr<sd_bus, decltype(&sd_bus_flush_close_unref)>;

}  // namespace stretch
