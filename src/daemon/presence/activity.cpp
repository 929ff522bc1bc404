#include "daemon/presence/activity.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"
#include "daemon/presence/logind_idle.hpp"
#include "daemon/presence/mutter_idle.hpp"
#include "daemon/presence/wayland_idle.hpp"
#include "daemon/presence/x11_idle.hpp"

namespace stretch {
namespace {

using nlohmann::json;

constexpr const char* x11_socket_dir = "/tmp/.X11-unix";
constexpr const char* import_fix =
    "run systemctl --user import-environment DISPLAY WAYLAND_DISPLAY (in your session's startup), then stretch reload";

// After something that may announce a better source: try again a few times,
// since the display is often imported into the environment a little after
// its socket appears. Then wait for the next announcement; no polling.
constexpr std::array<std::chrono::milliseconds, 5> upgrade_delays = {
    std::chrono::milliseconds(250), std::chrono::seconds(1), std::chrono::seconds(3), std::chrono::seconds(10),
    std::chrono::seconds(30)};

std::string env_or_empty(const char* name) {
    const char* v = std::getenv(name);
    return v ? v : "";
}

std::uint64_t usec(std::chrono::milliseconds d) { return static_cast<std::uint64_t>(d.count()) * 1000; }

}  // namespace

Activity::Activity(EventLoop& loop, const Config& config, Listener listener)
    : loop_(loop),
      config_(config),
      listener_(std::move(listener)),
      setting_(config.tracking.source),
      own_env_{env_or_empty("DISPLAY"), env_or_empty("WAYLAND_DISPLAY"), env_or_empty("XDG_RUNTIME_DIR")},
      session_bus_(loop, BusLink::Kind::session, "activity (GNOME, the user manager's environment)",
                   BusLink::Listener{[this](sd_bus* bus) { session_bus_connected(bus); }, {}, {}}) {
    upgrade_timer_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { on_upgrade_timer(); });
    later_timer_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] {
        auto work = std::move(later_);
        later_.clear();
        graveyard_.clear();
        for (auto& w : work) w();
    });
    logind_ = std::make_unique<Logind>(loop_, Logind::Listener{
        [this](bool sleeping) { listener_.sleep(sleeping); },
        [this](bool locked) { listener_.lock(locked); },
        [this] {
            if (trial_ && trial_->name() == "logind") static_cast<LogindIdle*>(trial_.get())->session_changed();
            if (current_ && current_->name() == "logind") static_cast<LogindIdle*>(current_.get())->session_changed();
            if (logind_->session() && !current_) schedule_upgrade();
            listener_.changed();
        }});
    watch_sockets();
    current_index_ = candidates().size();
    begin_round(candidates().size());
}

Activity::~Activity() = default;

std::vector<std::string_view> Activity::candidates() const {
    if (setting_ == "none") return {};
    if (setting_ == "auto") return {activity_source_names.begin(), activity_source_names.end()};
    return {setting_};
}

DisplayEnv Activity::effective_env() const {
    DisplayEnv env = own_env_;
    // The user manager's environment is the newer one: a session started
    // (and imported) after us is there, and not in our own.
    if (manager_env_known_) {
        if (!manager_env_.x11.empty()) env.x11 = manager_env_.x11;
        if (!manager_env_.wayland.empty()) env.wayland = manager_env_.wayland;
    }
    return env;
}

std::unique_ptr<ActivitySource> Activity::make(std::string_view name, unsigned id) {
    ActivitySource::Listener l{
        [this, id](MonoTime since) {
            if (id != current_id_) return;
            idle_reported_ = true;
            listener_.idle(since);
        },
        [this, id] {
            if (id != current_id_) return;
            idle_reported_ = false;
            listener_.active();
        },
        [this, id](std::string detail) { on_ready(id, std::move(detail)); },
        [this, id](Probe why) { on_lost(id, std::move(why)); }};
    if (name == "gnome") return std::make_unique<MutterIdle>(loop_, std::move(l));
    if (name == "wayland") return std::make_unique<WaylandIdle>(loop_, std::move(l), effective_env());
    if (name == "x11") return std::make_unique<X11Idle>(loop_, std::move(l), effective_env());
    return std::make_unique<LogindIdle>(loop_, *logind_, std::move(l));
}

// Tries the candidates before `limit`, best first; the current source (if
// any) keeps working until a better one is ready.
void Activity::begin_round(std::size_t limit) {
    if (in_round_) return;
    in_round_ = true;
    round_limit_ = std::min(limit, candidates().size());
    fetch_manager_environment([this, round = ++round_] {
        if (round == round_) try_from(0);
    });
}

void Activity::try_from(std::size_t index) {
    auto names = candidates();
    for (; index < round_limit_; ++index) {
        auto name = names[index];
        unsigned id = ++next_id_;
        auto source = make(name, id);
        Probe probe = source->start(threshold());
        auto& result = results_[std::string(name)];
        result.tried = true;
        result.probe = probe;
        if (probe.state == Probe::State::ready) return promote(std::move(source), index, id, probe.detail);
        if (probe.state == Probe::State::pending) {
            trial_ = std::move(source);
            trial_index_ = index;
            trial_id_ = id;
            return;  // on_ready or on_lost carries on
        }
        spdlog::debug("activity: {} is not available: {}", name, probe.detail);
    }
    in_round_ = false;
    if (!current_ && !told_none_) {
        told_none_ = true;
        current_index_ = names.size();
        if (setting_ == "none")
            spdlog::info("activity: not tracked ([tracking] source = \"none\"): sitting time runs on the clock; "
                         "mark breaks with `stretch done`");
        else
            spdlog::warn("activity: no source works here, so sitting time runs on the clock alone; `stretch doctor` "
                         "says why and what to do; `stretch done` still marks breaks");
        listener_.changed();
    }
}

void Activity::promote(std::unique_ptr<ActivitySource> source, std::size_t index, unsigned id, std::string detail) {
    drop_current();
    current_ = std::move(source);
    current_index_ = index;
    current_id_ = id;
    told_none_ = false;
    in_round_ = false;
    results_[std::string(current_->name())].probe = Probe::ready(detail);
    spdlog::info("activity: using {} ({})", current_->name(), detail);
    listener_.changed();
}

void Activity::drop_current() {
    if (!current_) return;
    // Dropped from inside its own callback, perhaps: destroyed from the loop.
    graveyard_.push_back(std::move(current_));
    later_timer_.set_time(1);
    current_id_ = 0;
    current_index_ = candidates().size();
    // Unknown is treated as present: sitting time keeps counting.
    if (idle_reported_) {
        idle_reported_ = false;
        listener_.active();
    }
}

void Activity::on_ready(unsigned id, std::string detail) {
    if (id != trial_id_ || !trial_) return;
    trial_id_ = 0;
    promote(std::move(trial_), trial_index_, id, std::move(detail));
}

void Activity::on_lost(unsigned id, Probe why) {
    if (id == trial_id_ && trial_) {
        results_[std::string(trial_->name())].probe = why;
        spdlog::debug("activity: {} is not available: {}", trial_->name(), why.detail);
        graveyard_.push_back(std::move(trial_));
        trial_id_ = 0;
        later([this, next = trial_index_ + 1, round = round_] {
            if (round == round_) try_from(next);
        });
        return;
    }
    if (id != current_id_ || !current_) return;
    std::string name(current_->name());
    spdlog::warn("activity: {} stopped working ({}); trying the others", name, why.detail);
    results_[name].probe = why;
    drop_current();
    told_none_ = false;
    listener_.changed();
    later([this] {
        if (in_round_) return;
        begin_round(candidates().size());
        schedule_upgrade();  // the same server may come back
    });
}

void Activity::later(std::function<void()> work) {
    later_.push_back(std::move(work));
    later_timer_.set_time(1);
}

void Activity::reload() {
    if (config_.tracking.source != setting_) {
        setting_ = config_.tracking.source;
        spdlog::info("activity: [tracking] source is now \"{}\"", setting_);
        if (trial_) graveyard_.push_back(std::move(trial_));
        trial_id_ = 0;
        in_round_ = false;
        ++round_;  // answers for the old setting's probes are ignored
        drop_current();
        results_.clear();
        told_none_ = false;
        later_timer_.set_time(1);
        begin_round(candidates().size());
        return;
    }
    if (current_) current_->set_threshold(threshold());
    // A reload is also the user's way to say "look again".
    upgrade_step_ = 0;
    begin_round(current_ ? current_index_ : candidates().size());
}

void Activity::schedule_upgrade() {
    if (current_ && current_index_ == 0) return;  // nothing better to find
    upgrade_step_ = 0;
    upgrade_timer_.set_time(loop_.now(CLOCK_MONOTONIC) + usec(upgrade_delays[0]));
}

void Activity::on_upgrade_timer() {
    begin_round(current_ ? current_index_ : candidates().size());
    if (++upgrade_step_ < upgrade_delays.size() && !(current_ && current_index_ == 0))
        upgrade_timer_.set_time(loop_.now(CLOCK_MONOTONIC) + usec(upgrade_delays[upgrade_step_]));
}

void Activity::session_bus_connected(sd_bus* bus) {
    // GNOME Shell starting (or restarting) after us.
    bus_match(bus, "org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus", "NameOwnerChanged",
              [this](sd_bus_message* m) {
                  const char *name = nullptr, *old_owner = nullptr, *new_owner = nullptr;
                  if (sd_bus_message_read(m, "sss", &name, &old_owner, &new_owner) < 0) return;
                  if (std::strcmp(name, "org.gnome.Mutter.IdleMonitor") == 0 && *new_owner) schedule_upgrade();
              });
    // `systemctl --user import-environment` after we started.
    bus_match(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.DBus.Properties",
              "PropertiesChanged", [this](sd_bus_message*) { schedule_upgrade(); });
    schedule_upgrade();
}

void Activity::fetch_manager_environment(std::function<void()> then) {
    auto call = bus_new_call(session_bus_.get(), "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                             "org.freedesktop.DBus.Properties", "Get");
    if (!call || sd_bus_message_append(call.get(), "ss", "org.freedesktop.systemd1.Manager", "Environment") < 0) return then();
    bool sent = bus_call_async(session_bus_.get(), call.get(), [this, then](sd_bus_message* reply) {
        if (bus_error_of(reply).empty() && sd_bus_message_enter_container(reply, 'v', "as") > 0) {
            DisplayEnv env;
            for (auto& entry : read_strings(reply)) {
                if (entry.rfind("DISPLAY=", 0) == 0) env.x11 = entry.substr(8);
                if (entry.rfind("WAYLAND_DISPLAY=", 0) == 0) env.wayland = entry.substr(16);
            }
            if (!manager_env_known_ || !(env == manager_env_))
                spdlog::debug("activity: the user manager has DISPLAY=\"{}\" WAYLAND_DISPLAY=\"{}\"", env.x11, env.wayland);
            manager_env_ = env;
            manager_env_known_ = true;
        } else {
            manager_env_known_ = false;  // no user manager (started by hand, or in a test)
        }
        then();
    });
    if (!sent) then();
}

void Activity::watch_sockets() {
    inotify_.reset(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!inotify_) return;
    bool any = inotify_add_watch(inotify_.get(), x11_socket_dir, IN_CREATE | IN_MOVED_TO) >= 0;
    if (!own_env_.runtime_dir.empty())
        any = inotify_add_watch(inotify_.get(), own_env_.runtime_dir.c_str(), IN_CREATE | IN_MOVED_TO) >= 0 || any;
    if (any) inotify_source_ = loop_.add_io(inotify_.get(), EPOLLIN, [this](std::uint32_t) { on_socket_event(inotify_.get()); });
}

void Activity::on_socket_event(int fd) {
    alignas(inotify_event) char buffer[4096];
    bool display = false;
    for (ssize_t n; (n = ::read(fd, buffer, sizeof buffer)) > 0;)
        for (char* p = buffer; p < buffer + n;) {
            auto* event = reinterpret_cast<inotify_event*>(p);
            std::string_view name = event->len ? event->name : "";
            // X0 in /tmp/.X11-unix; wayland-1 (not wayland-1.lock) in the runtime directory.
            if ((name.size() > 1 && name[0] == 'X') ||
                (name.rfind("wayland-", 0) == 0 && name.find(".lock") == std::string_view::npos))
                display = true;
            p += sizeof(inotify_event) + event->len;
        }
    if (display) schedule_upgrade();
}

json Activity::status() const {
    if (current_) return {{"source", current_->name()}, {"detail", results_.at(std::string(current_->name())).probe.detail}};
    if (setting_ == "none") return {{"source", "none"}, {"detail", "not tracked ([tracking] source = \"none\")"}};
    if (in_round_) return {{"source", "none"}, {"detail", "looking for a source"}};
    return {{"source", "none"}, {"detail", "no source works here: sitting time runs on the clock"}};
}

json Activity::doctor() const {
    json out;
    out["setting"] = setting_;
    out["active"] = status();
    DisplayEnv env = effective_env();
    out["environment"] = {{"DISPLAY", env.x11},
                          {"WAYLAND_DISPLAY", env.wayland},
                          {"XDG_RUNTIME_DIR", env.runtime_dir},
                          {"user_manager", manager_env_known_}};
    json probes = json::array();
    json problems = json::array();
    auto names = candidates();
    for (auto name : activity_source_names) {
        json p = {{"source", name}};
        auto it = results_.find(name);
        bool candidate = std::find(names.begin(), names.end(), name) != names.end();
        if (!candidate) {
            p["state"] = "skipped";
            p["detail"] = fmt::format("[tracking] source = \"{}\"", setting_);
        } else if (current_ && current_->name() == name) {
            p["state"] = "active";
            p["detail"] = it->second.probe.detail;
        } else if (trial_ && trial_->name() == name) {
            p["state"] = "probing";
            p["detail"] = "waiting for an answer";
        } else if (it == results_.end() || !it->second.tried) {
            p["state"] = "skipped";
            p["detail"] = "a better source is active";
        } else if (const Probe& probe = it->second.probe; probe.state == Probe::State::failed && current_) {
            // Another source works: this one is not what this desktop offers
            // (no Wayland on an X11 session), which needs no fix.
            p["state"] = "not_used";
            p["detail"] = probe.detail;
        } else {
            p["state"] = probe.state == Probe::State::failed ? "failed" : "available";
            p["detail"] = probe.detail;
            if (!probe.fix.empty()) p["fix"] = probe.fix;
        }
        probes.push_back(std::move(p));
    }
    out["probes"] = std::move(probes);
    out["logind"] = {{"detail", logind_->describe()}, {"ok", logind_->session().has_value()}};
    if (!logind_->fix().empty()) out["logind"]["fix"] = logind_->fix();

    // The problems worth a line of their own, each with what to do.
    if (setting_ != "none" && !current_) {
        if (env.x11.empty() && env.wayland.empty())
            problems.push_back({{"problem", "DISPLAY and WAYLAND_DISPLAY are not in the systemd user environment"},
                                {"fix", import_fix}});
        problems.push_back({{"problem", "no activity source works, so sitting time runs on the clock alone"},
                            {"fix", "see the failed probes above; meanwhile mark breaks with `stretch done`"}});
    } else if (current_ && current_->name() == "logind" && !logind_->idle_hint_seen()) {
        problems.push_back({{"problem", "logind's IdleHint is the only source, and nothing has set it yet"},
                            {"fix", "GNOME sets it; with sway, run swayidle with `idlehint 300`"}});
    }
    if (!logind_->session() && !logind_->resolving())
        problems.push_back({{"problem", fmt::format("screen locking is not seen: {}", logind_->describe())},
                            {"fix", logind_->fix()}});
    if (!session_bus_)
        problems.push_back({{"problem", session_bus_.problem()},
                            {"fix", "the user's dbus must be running: systemctl --user status dbus.socket"}});
    out["problems"] = std::move(problems);
    return out;
}

}  // namespace stretch
