#include "daemon/delivery/command_notifier.hpp"

#include "daemon/plumbing/spawn_attributes.hpp"

#include <signal.h>
#include <spawn.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "core/notification_text.hpp"

extern char** environ;

namespace stretch {

CommandNotifier::CommandNotifier(EventLoop& loop, const Notify& settings) : loop_(loop), settings_(settings) {
    EventLoop::block_child_signal();
}

std::string CommandNotifier::describe() const {
    if (settings_.command.empty()) return "command: none configured";
    return fmt::format("command: {}", fmt::join(settings_.command, " "));
}

void CommandNotifier::show(const Reminder& r, const Stretch* s, const Notify& settings) {
    if (settings.command.empty()) return;
    auto text = reminder_text(r, s, TextOptions{false, false, false});
    std::vector<std::string> vars = {
        "STRETCH_EVENT=reminder",
        fmt::format("STRETCH_BREAK={}", r.rule),
        fmt::format("STRETCH_STRETCH_ID={}", r.stretch_id),
        fmt::format("STRETCH_STRETCH_NAME={}", s ? s->name : ""),
        fmt::format("STRETCH_SITTING_S={}", std::chrono::duration_cast<std::chrono::seconds>(r.sitting).count()),
        fmt::format("STRETCH_COUNT={}", r.count),
        fmt::format("STRETCH_TEXT={}\n{}", text.summary, text.body),
    };
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e)
        if (std::strncmp(*e, "STRETCH_", 8) != 0) envp.push_back(*e);
    for (auto& v : vars) envp.push_back(v.data());
    envp.push_back(nullptr);
    std::vector<char*> argv;
    for (auto& a : settings.command) argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    SpawnAttributes attr;
    pid_t pid = 0;
    int r_spawn = posix_spawnp(&pid, argv[0], nullptr, attr.get(), argv.data(), envp.data());
    if (r_spawn != 0) {
        spdlog::error("[notify] command \"{}\": cannot run it: {}; check the path in the config", argv[0], std::strerror(r_spawn));
        return;
    }
    auto child = std::make_unique<Child>();
    Child* c = child.get();
    c->pid = pid;
    c->exited = loop_.add_child(pid, [this, c](const siginfo_t& info) { reap(c, info); });
    // The program and its limit as they were when it started: a reload may
    // change or empty [notify] command while it runs.
    c->timeout = loop_.add_timer(
        CLOCK_MONOTONIC, [c, program = settings.command.front(),
                          limit = std::chrono::duration_cast<std::chrono::seconds>(settings.command_timeout)] {
            spdlog::warn("[notify] command \"{}\" (pid {}) still running after {} s: killing it", program, c->pid,
                         limit.count());
            ::kill(c->pid, SIGKILL);
        });
    c->timeout.arm_in(settings.command_timeout);
    children_.push_back(std::move(child));
    spdlog::debug("[notify] command started (pid {})", pid);
}

void CommandNotifier::reap(Child* child, const siginfo_t& info) {
    if (info.si_code == CLD_EXITED && info.si_status == 0)
        spdlog::debug("[notify] command (pid {}) exited with status 0", child->pid);
    else if (info.si_code == CLD_EXITED)
        spdlog::warn("[notify] command (pid {}) exited with status {}", child->pid, info.si_status);
    else
        spdlog::warn("[notify] command (pid {}) was killed by signal {}", child->pid, info.si_status);
    // Freed from the reaper, not here: we are inside the child source's own callback.
    child->pid = 0;
    child->timeout.disarm();
    reaper_ = loop_.add_defer([this] { std::erase_if(children_, [](auto& c) { return c->pid == 0; }); });
}

}  // namespace stretch
