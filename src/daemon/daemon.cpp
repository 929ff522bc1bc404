#include "daemon/daemon.hpp"

#include <sys/inotify.h>
#include <sys/timerfd.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/duration.hpp"
#include "daemon/plumbing/calendar.hpp"
#include "daemon/commands/commands.hpp"
#include "daemon/storage/state_codec.hpp"
#include "daemon/plumbing/system_clock.hpp"
#include "daemon/commands/views.hpp"
#include "daemon/presence/desktop_sources.hpp"
#include "shared/config_file.hpp"
#include "shared/protocol.hpp"

namespace stretch {
namespace {

using nlohmann::json;

constexpr auto tick_interval = std::chrono::minutes(1);
// Below this, a jump of BOOTTIME over MONOTONIC is clock noise, not sleep.
constexpr auto min_sleep = std::chrono::seconds(1);

LoadedConfig load(const Daemon::Options& options) {
    if (options.builtin_config) return {default_config(), "built-in default config"};
    return load_config_file(options.config);
}

std::uint64_t to_usec(MonoTime t) {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count());
}

}  // namespace

Daemon::Daemon(EventLoop& loop, Options options)
    : loop_(loop),
      options_(std::move(options)),
      boot_id_(read_boot_id()),
      store_(std::make_unique<Store>(Store::default_path())),
      engine_([&] {
          auto loaded = load(options_);
          config_source_ = loaded.source;
          Now now = read_now();
          if (auto text = store_->load_state())
              if (auto restored = decode_state(*text, now, boot_id_)) {
                  downtime_ = restored->downtime;
                  return Engine(std::move(loaded.config), std::move(restored->state));
              }
          return Engine(std::move(loaded.config), options_.seed, now);
      }()),
      server_(loop_, Server::Options{options_.socket, 256, options_.client_timeout},
              [this](Connection& c, std::string_view line) { on_request(c, line); }) {
    spdlog::info("config: {}", config_source_);
    // Presence: the display, logind (lock and suspend), and the activity
    // source chosen among those the display and logind offer.
    display_ = std::make_unique<DisplayEnvironment>(loop_, DisplayEnvironment::from_process());
    logind_ = std::make_unique<Logind>(loop_, Logind::Listener{
        // Waking: the time asleep is the time since suspended(), already on BOOTTIME.
        [this](bool sleeping) { apply(sleeping ? engine_.suspended(now()) : engine_.resumed(now(), Duration::zero())); },
        [this](bool locked) {
            apply(locked ? engine_.screen_locked(now()) : engine_.screen_unlocked(now()));
            settle_restored_absence();
        },
        [this] {
            // A session found: its IdleHint may serve when nothing else does.
            if (logind_->session() && !activity_->status().source) activity_->maybe_better();
            notify_status();
        }});
    delivery_ = std::make_unique<Delivery>(loop_, server_, engine_.config(), *display_,
                                           Delivery::Listener{[this](ReminderAction a) { on_action(a); }, [this] { notify_status(); }});
    activity_ = std::make_unique<Activity>(
        loop_, engine_.config(), desktop_sources(loop_, *display_, *logind_),
        Activity::Listener{
            [this](MonoTime since) {
                apply(engine_.user_idle(now(), since));
                settle_restored_absence();
            },
            [this] {
                apply(engine_.user_active(now()));
                settle_restored_absence();
            },
            [this] { notify_status(); },
            [this](std::function<void()> then) { display_->refresh(std::move(then)); }});
    display_watch_ = display_->watch([this] { activity_->maybe_better(); });
    suspended_seen_ = time_suspended();
    deadline_ = loop_.add_timer(CLOCK_BOOTTIME, 0, [this] { on_deadline(); });
    tick_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { broadcast_tick(); });
    sigterm_ = loop_.add_signal(SIGTERM, [this] { stop(); });
    sigint_ = loop_.add_signal(SIGINT, [this] { stop(); });
    sighup_ = loop_.add_signal(SIGHUP, [this] { reload(); });

    // The wall clock being set (by hand, NTP, or on resume) moves the
    // schedule's hours relative to our monotonic deadlines: re-evaluate.
    clock_fd_.reset(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
    if (clock_fd_) {
        clock_source_ = loop_.add_io(clock_fd_.get(), EPOLLIN, [this](std::uint32_t) { on_clock_changed(); });
        rearm_wall_clock_watch();
    }
    // A new time zone does the same; it arrives as a new /etc/localtime.
    tz_fd_.reset(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (tz_fd_ && inotify_add_watch(tz_fd_.get(), "/etc", IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE | IN_DELETE) >= 0)
        tz_source_ = loop_.add_io(tz_fd_.get(), EPOLLIN, [this](std::uint32_t) { on_timezone_changed(); });
    // Daylight saving moves the local clock with neither of those: a timer on
    // the wall clock at the next change (armed in rearm()).
    offset_change_ = loop_.add_timer(CLOCK_REALTIME, 0, [this] {
        spdlog::info("daylight saving began or ended: re-reading the schedule");
        apply(engine_.clock_changed(now()));
    });

    record("start");
    if (engine_.state().restored_away) {
        // The user was away when stretchd stopped. A source that sees them
        // still away says so soon after it starts (X11 and GNOME at once,
        // a Wayland idle notification one threshold after it is set up);
        // one that says nothing by twice the threshold has seen them back.
        auto wait = 2 * engine_.config().shortest_natural_break();
        spdlog::info("the user was away when stretchd stopped: the absence goes on until the activity source says "
                     "otherwise (at most {})", format_duration(wait));
        settle_absence_ = loop_.add_timer(
            CLOCK_MONOTONIC, loop_.now(CLOCK_MONOTONIC) + static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(wait).count()),
            [this] { settle_restored_absence(); });
    } else if (downtime_ >= std::chrono::seconds(1)) {
        // The time stretchd was not running: short, it still counts as
        // sitting; as long as a natural break (the machine was off), it is one.
        spdlog::info("resuming the saved state after {} down", format_duration(downtime_));
        apply(engine_.resumed(read_now(), downtime_));
    }
    // A reminder that was up when stretchd stopped was closed then; one
    // still due is shown again now, once, as a repeat of the same reminder.
    apply(engine_.show_again(now()));
    prune_timer_ = loop_.add_timer(CLOCK_BOOTTIME, loop_.now(CLOCK_BOOTTIME) + 1, [this] { prune_history(); });
    spdlog::info("listening on \"{}\"{}", server_.bound_path().string(), server_.socket_activated() ? " (socket activation)" : "");
    sd_notify(0, "READY=1");
    notify_status();
}

Now Daemon::now() {
    Now n = read_now();
    check_sleep(n);
    return n;
}

// Sleep that logind did not tell us about still shows as BOOTTIME running
// ahead of MONOTONIC.
void Daemon::check_sleep(Now n) {
    Duration suspended = time_suspended();
    Duration slept = suspended - suspended_seen_;
    suspended_seen_ = suspended;
    if (slept >= min_sleep) {
        spdlog::info("the machine slept for {}", format_duration(slept));
        apply(engine_.resumed(n, slept));
    }
}

void Daemon::apply(Effects effects) {
    Now n = read_now();
    // First to disk, in one transaction with the state that goes with them:
    // before anyone is told, before a command's reply, and never half.
    store_->begin();
    for (auto& effect : effects)
        if (auto* record = std::get_if<Record>(&effect)) store_->record(history_row(*record, n.wall_s));
    store_->save_state(encode_state(engine_.state(), n, boot_id_), n.wall_s);
    store_->commit();

    for (auto& effect : effects) {
        if (auto* show = std::get_if<ShowReminder>(&effect)) {
            const auto& r = show->reminder;
            spdlog::info("reminder: break \"{}\" after {} sitting, suggesting \"{}\"{}", r.rule,
                         format_duration(r.sitting), r.stretch_id, r.count > 1 ? fmt::format(" (reminder {})", r.count) : "");
            delivery_->show(r);
            json body = reminder_json(r, engine_.config());
            body["replace"] = show->replace;
            body["status"] = status_view(n);
            server_.broadcast(protocol::event_line("reminder", std::move(body)));
        } else if (auto* close = std::get_if<CloseReminder>(&effect)) {
            spdlog::debug("reminder for \"{}\" closed: {}", close->rule, close->reason);
            delivery_->close();
            json body = {{"break", close->rule}, {"reason", close->reason}};
            body["status"] = status_view(n);
            server_.broadcast(protocol::event_line("reminder_closed", std::move(body)));
        } else if (auto* record = std::get_if<Record>(&effect)) {
            spdlog::debug("event: {} {}", record_kind_name(record->kind), record->rule);
            auto name = record_event_name(record->kind);
            if (name.empty()) continue;
            json body = record_json(*record, n.wall_s);
            body["status"] = status_view(n);
            server_.broadcast(protocol::event_line(name, std::move(body)));
        }
    }
    rearm();
    notify_status();
}

// A clean exit: the state is saved as of now, so the next start counts only
// the time stretchd was really not running.
void Daemon::stop() {
    apply(engine_.tick(now()));
    // A bubble left up would outlive us with dead buttons; the engine keeps
    // it as shown, and the next start shows it again. The bus is flushed as
    // it is closed, after the loop.
    delivery_->close();
    record("stop");
    loop_.exit(0);
}

void Daemon::record(std::string_view kind) {
    HistoryRow row;
    row.time = read_now().wall_s;
    row.kind = std::string(kind);
    row.origin = "daemon";
    store_->record(row);
}

void Daemon::settle_restored_absence() {
    if (!engine_.state().restored_away) return;
    settle_absence_.reset();
    apply(engine_.settle_restored_absence(now()));
}

void Daemon::prune_history() {
    constexpr std::int64_t day = 24 * 60 * 60;
    store_->prune(read_now().wall_s - engine_.config().history.keep_days * day);
    prune_timer_.set_time(loop_.now(CLOCK_BOOTTIME) + static_cast<std::uint64_t>(day) * 1'000'000);
}

void Daemon::rearm() {
    Now n = read_now();
    auto deadline = engine_.next_deadline(n);
    deadline_.set_time(deadline ? to_usec(*deadline) : 0);
    // Two days ahead covers every deadline that follows the local clock (a
    // pause --until is at most a day; schedule hours change at least daily).
    constexpr std::int64_t horizon = 2 * 24 * 60 * 60;
    auto change = next_offset_change(n.wall_s, horizon);
    offset_change_.set_time(change ? static_cast<std::uint64_t>(*change) * 1'000'000 : 0);
    arm_tick(n);
}

// Status bars show the time to the next break: in minutes, then in the
// last minute in seconds. A tick comes when that text changes, and no more
// often: on the minute boundary of the countdown, then every second.
// Nothing is subscribed, nothing wakes.
void Daemon::arm_tick(Now n) {
    if (server_.subscribers() == 0) {
        tick_.set_time(0);
        return;
    }
    Duration wait = tick_interval;
    auto status = engine_.status(n);
    if (status.next && status.next->due_in > Duration::zero() && !status.next->due) {
        Duration left = status.next->due_in;
        Duration step = left <= std::chrono::minutes(1) ? Duration(std::chrono::seconds(1)) : Duration(std::chrono::minutes(1));
        wait = left % step;
        if (wait <= Duration::zero()) wait = step;
        wait += std::chrono::milliseconds(10);  // just past the boundary, so the text has changed when it is read
    }
    tick_.set_time(loop_.now(CLOCK_MONOTONIC) + static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(wait).count()));
}

void Daemon::on_deadline() { apply(engine_.tick(now())); }

void Daemon::rearm_wall_clock_watch() {
    // Armed far in the future; we only want the cancellation on clock changes.
    itimerspec spec{};
    spec.it_value.tv_sec = INT_MAX;
    timerfd_settime(clock_fd_.get(), TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &spec, nullptr);
}

void Daemon::on_clock_changed() {
    std::uint64_t expirations = 0;
    if (::read(clock_fd_.get(), &expirations, sizeof expirations) < 0 && errno == ECANCELED)
        spdlog::info("the wall clock changed: re-reading the schedule");
    rearm_wall_clock_watch();
    apply(engine_.clock_changed(now()));
}

void Daemon::on_timezone_changed() {
    alignas(inotify_event) char buffer[4096];
    bool localtime = false;
    for (ssize_t n; (n = ::read(tz_fd_.get(), buffer, sizeof buffer)) > 0;)
        for (char* p = buffer; p < buffer + n;) {
            auto* event = reinterpret_cast<inotify_event*>(p);
            if (event->len && std::strcmp(event->name, "localtime") == 0) localtime = true;
            p += sizeof(inotify_event) + event->len;
        }
    if (!localtime) return;
    spdlog::info("the time zone changed: re-reading the schedule");
    apply(engine_.clock_changed(now()));
}

std::optional<std::string> Daemon::reload() {
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", static_cast<unsigned long long>(loop_.now(CLOCK_MONOTONIC)));
    std::optional<std::string> error;
    try {
        auto loaded = load(options_);
        config_source_ = loaded.source;
        apply(engine_.replace_config(now(), std::move(loaded.config)));
        activity_->reload();
        spdlog::info("config reloaded from {}", config_source_);
    } catch (const ConfigError& e) {
        error = e.what();
        spdlog::error("config not reloaded, keeping the running one: {}", e.what());
    }
    sd_notify(0, "READY=1");
    notify_status();
    return error;
}

void Daemon::subscribe(Connection& connection, bool rings_bell) {
    connection.set_subscribed(rings_bell);
    // A terminal that rings may be the first way to reach the user with a
    // reminder that is up; on a later turn, so its subscribe reply comes first.
    if (rings_bell) bell_came_ = loop_.add_defer([this] { delivery_->changed(); });
    rearm();
}

void Daemon::broadcast_tick() {
    Now n = now();
    if (server_.subscribers() == 0) return;
    server_.broadcast(protocol::event_line("tick", {{"status", status_view(n)}}));
    arm_tick(n);
}

void Daemon::notify_status() {
    auto s = engine_.status(read_now());
    std::string line = fmt::format("{}", engine_mode_name(s.mode));
    if (s.next) line += fmt::format("; next: {} in {}", s.next->name, format_duration_short(s.next->due_in));
    // STATUS= is shown by systemctl status; send it only when it says something new.
    if (line == last_status_) return;
    last_status_ = line;
    sd_notifyf(0, "STATUS=%s", line.c_str());
}

json Daemon::status_view(Now n) {
    json out = status_json(engine_.status(n), engine_.config());
    if (auto held = delivery_->held()) out["held"] = *held;
    out["notify"] = delivery_->describe();
    out["activity"] = activity_status_json(activity_->status());
    out["history"] = store_->describe();
    return out;
}

json Daemon::doctor_view() {
    json out = doctor_json({activity_->report(), display_->current(), display_->user_manager_known(),
                            display_->bus_problem(), logind_->facts()});
    out["notify"] = delivery_->describe();
    out["config"] = config_source_;
    out["history"] = store_->describe();
    if (!store_->durable()) out["problems"].push_back(store_->doctor_problem());
    return out;
}

void Daemon::on_action(ReminderAction action) {
    const char* cmd = action == ReminderAction::done ? "done" : action == ReminderAction::snooze ? "snooze" : "skip";
    try {
        execute(*this, protocol::Request{cmd, json::object()}, "action", nullptr);
    } catch (const protocol::Error& e) {
        spdlog::warn("the \"{}\" button was refused: {}", cmd, e.message());
    }
}

void Daemon::on_request(Connection& connection, std::string_view line) {
    connection.send(handle_request(*this, connection, line));
}

}  // namespace stretch
