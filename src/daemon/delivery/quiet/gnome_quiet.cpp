#include "daemon/delivery/quiet/gnome_quiet.hpp"

#include "daemon/plumbing/spawn_attributes.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <signal.h>
#include <spawn.h>
#include <spdlog/spdlog.h>

extern char** environ;

namespace stretch {
namespace {

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
    return s;
}

// Whether a write of `prefix` + one of its relative `changes` may have
// changed `key` (a write of a directory touches every key under it).
bool touches(std::string_view written, std::string_view key) {
    return key.starts_with(written) || written.starts_with(key);
}

}  // namespace

GnomeQuiet::GnomeQuiet(EventLoop& loop, std::chrono::milliseconds read_limit)
    : loop_(loop),
      read_limit_(read_limit),
      bus_(loop, BusLink::Kind::session, "GNOME do-not-disturb",
           BusLink::Listener{[this](sd_bus* bus) { connected(bus); }, {}, {}}) {
    // Each read's child is watched on the loop, which needs SIGCHLD blocked
    // before the first one starts (not only when a command notifier did it).
    EventLoop::block_child_signal();
    // The database is read from the file, bus or not; from the loop, so the
    // first answer reaches a listener that is set by then.
    start_ = loop_.add_defer([this] {
        read(banners_key_);
        read(breaks_key_);
    });
}

bool GnomeQuiet::breaks_selected(std::string_view value) {
    // GVariant text of an `as`: "@as []" or "[]" when empty, "['movement', 'eyesight']" when not.
    return !value.empty() && value != "@as []" && value != "[]";
}

void GnomeQuiet::connected(sd_bus* bus) {
    bus_match(bus, nullptr, nullptr, "ca.desrt.dconf.Writer", "Notify", [this](sd_bus_message* m) { on_write(m); });
    // A write made while there was no connection went unheard.
    read(banners_key_);
    read(breaks_key_);
}

void GnomeQuiet::on_write(sd_bus_message* m) {
    const char* prefix = nullptr;
    if (sd_bus_message_read(m, "s", &prefix) < 0) return;
    std::string p = prefix;
    bool banners = false, breaks = false;
    for (auto& change : read_strings(m)) {
        std::string written = p + change;
        banners = banners || touches(written, banners_key_.path);
        breaks = breaks || touches(written, breaks_key_.path);
    }
    if (banners) read(banners_key_);
    if (breaks) read(breaks_key_);
}

void GnomeQuiet::read(Key& key) {
    if (key.reading) {
        key.again = true;
        return;
    }
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        problem_ = fmt::format("cannot make a pipe: {}", std::strerror(errno));
        return;
    }
    UniqueFd out(fds[0]), in(fds[1]);
    // Never wait on it, even if something else kept the pipe open.
    ::fcntl(out.get(), F_SETFL, O_NONBLOCK);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in.get(), STDOUT_FILENO);
    SpawnAttributes attr;
    std::array<char*, 4> argv = {const_cast<char*>("dconf"), const_cast<char*>("read"), const_cast<char*>(key.path),
                                 nullptr};
    pid_t pid = 0;
    int r = posix_spawnp(&pid, "dconf", &actions, attr.get(), argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0) {
        std::string problem = fmt::format(
            "cannot run \"dconf\": {}; on GNOME, install dconf-cli to follow its do-not-disturb", std::strerror(r));
        // Normal off GNOME, where nothing needs dconf: not worth a warning.
        if (problem != problem_) spdlog::info("GNOME do-not-disturb: {}", problem);
        problem_ = std::move(problem);
        return;
    }
    problem_.clear();
    key.reading = true;
    Read& rd = reads_.emplace_back();
    rd.key = &key;
    rd.pid = pid;
    rd.out = std::move(out);
    Read* raw = &rd;
    rd.exited = loop_.add_child(pid, [this, raw](const siginfo_t& info) { finished(raw, info); });
    rd.timeout = loop_.add_timer(CLOCK_MONOTONIC, [raw, limit = read_limit_] {
        spdlog::warn("GNOME do-not-disturb: \"dconf read {}\" (pid {}) still running after {} ms: killing it", raw->key->path,
                     raw->pid, limit.count());
        ::kill(raw->pid, SIGKILL);
    });
    rd.timeout.arm_in(read_limit_);
}

void GnomeQuiet::finished(Read* rd, const siginfo_t& info) {
    // The child has exited, so its end of the pipe is closed: what it wrote
    // (a line; far less than a pipe holds) is all there, and read() ends.
    std::string text;
    char buf[512];
    ssize_t n;
    while ((n = ::read(rd->out.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    rd->timeout.disarm();
    Key& key = *rd->key;
    key.reading = false;
    bool quiet_before = quiet();
    auto warning_before = warning();
    if (info.si_code == CLD_EXITED && info.si_status == 0) {
        key.value = trimmed(std::move(text));
    } else {
        spdlog::warn("GNOME do-not-disturb: \"dconf read {}\" failed (status {}); taking it as unset", key.path,
                     info.si_status);
        key.value.reset();
    }
    rd->pid = 0;
    // Freed from the reaper, not here: we are inside the child source's own callback.
    reaper_ = loop_.add_defer([this] { reads_.remove_if([](const Read& r) { return r.pid == 0; }); });
    if (quiet_before != quiet())
        spdlog::info("GNOME: {}", quiet() ? "banners off (do not disturb): holding reminders" : "banners on again");
    if (std::exchange(key.again, false)) read(key);
    if (quiet_before != quiet() || warning_before != warning()) changed();
}

std::optional<QuietWarning> GnomeQuiet::warning() const {
    if (!breaks_key_.value || !breaks_selected(*breaks_key_.value)) return std::nullopt;
    return QuietWarning{
        fmt::format("GNOME's own break reminders are on ({}): you get two reminders for one break", *breaks_key_.value),
        fmt::format("keep one: turn GNOME's off with `gsettings set org.gnome.desktop.break-reminders selected-breaks "
                    "\"[]\"` (or `dconf write {} \"@as []\"`), or stop stretch's with `systemctl --user disable --now "
                    "stretchd.service stretchd.socket`; `stretch setup` asks which to keep",
                    selected_breaks_key)};
}

std::string GnomeQuiet::describe() const {
    if (!problem_.empty()) return "gnome: " + problem_;
    std::string banners = !banners_key_.value           ? "not read yet"
                          : banners_key_.value->empty() ? "show-banners unset (banners shown)"
                                                        : fmt::format("show-banners {}{}", *banners_key_.value,
                                                                      quiet() ? ": do not disturb is on" : "");
    std::string bus = bus_ ? "" : fmt::format("; changes unheard without the session bus ({})", bus_.problem());
    return fmt::format("gnome: dconf {}{}", banners, bus);
}

}  // namespace stretch
