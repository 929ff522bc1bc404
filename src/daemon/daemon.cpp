#include "daemon/daemon.hpp"
#include "daemon/presence/call/call_filter.hpp"

#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <algorithm>
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
#include "daemon/delivery/fullscreen_probes.hpp"
#include "daemon/delivery/quiet/quiet_sources.hpp"
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

}  // namespace

Daemon::Daemon(EventLoop& loop, Options options, const Clock& clock)
    : loop_(loop),
      options_(std::move(options)),
      clock_(clock),
      boot_id_(read_boot_id()),
      store_(std::make_unique<Store>(loop_, options_.store.empty() ? Store::default_path() : options_.store,
                                     [this] { return clock_.now().wall_s; })),
      engine_([&] {
          auto loaded = load(options_);
          config_source_ = loaded.source;
          Now now = clock_.now();
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
        [this](bool sleeping) {
            Now n = enter();
            apply(sleeping ? engine_.suspended(n) : engine_.resumed(n, Duration::zero()), n);
        },
        [this](bool locked) {
            Now n = enter();
            apply(locked ? engine_.screen_locked(n) : engine_.screen_unlocked(n), n);
            settle_restored_absence();
        },
        [this] {
            // A session found: its IdleHint may serve when nothing else does.
            if (logind_->session() && !activity_->status().source) activity_->maybe_better();
            status_changed();
        }});
    auto fullscreen = desktop_fullscreen_probes(loop_, *display_);
    fullscreen_ = fullscreen.get();
    delivery_ = std::make_unique<Delivery>(loop_, engine_.config(), make_notifiers(loop_, server_, engine_.config().notify),
                                           std::move(fullscreen),
                                           Delivery::Listener{[this](ReminderAction a) { on_action(a); }, [this] { delivery_changed(); }},
                                           Delivery::fullscreen_recheck, quiet_sources(loop_, engine_.config()));
    activity_ = std::make_unique<Activity>(
        loop_, engine_.config(), desktop_sources(loop_, *display_, *logind_),
        Activity::Listener{
            [this](MonoTime since) {
                Now n = enter();
                apply(engine_.user_idle(n, since), n);
                settle_restored_absence();
            },
            [this] {
                Now n = enter();
                apply(engine_.user_active(n), n);
                settle_restored_absence();
            },
            [this] { status_changed(); },
            [this](std::function<void()> then) { display_->refresh(std::move(then)); }});
    display_watch_ = display_->watch([this] { activity_->maybe_better(); });
    calls_ = desktop_call_detectors(loop_);
    calls_->listen([this] { calls_changed(); });
    suspended_seen_ = clock_.suspended();
    deadline_ = loop_.add_timer(CLOCK_BOOTTIME, 0, [this] { on_deadline(); });
    tick_ = loop_.add_timer(CLOCK_MONOTONIC, 0, [this] { broadcast_tick(); });
    sigterm_ = loop_.add_signal(SIGTERM, [this] { stop(); });
    sigint_ = loop_.add_signal(SIGINT, [this] { stop(); });
    sighup_ = loop_.add_signal(SIGHUP, [this] { reload(); });

    // The local clock moving (set, a new zone, daylight saving) moves the
    // schedule's hours relative to our BOOTTIME deadlines: ask again.
    clock_watch_.emplace(loop_, clock_, [this](ClockWatch::Change) { on_clock_changed(); });

    record(RecordKind::start);
    if (engine_.state().restored_away) {
        // The user was away when stretchd stopped. A source that sees them
        // still away says so soon after it starts (X11 and GNOME at once,
        // a Wayland idle notification one threshold after it is set up);
        // one that says nothing by twice the threshold has seen them back.
        auto wait = 2 * engine_.config().shortest_natural_break();
        spdlog::info("the user was away when stretchd stopped: the absence goes on until the activity source says "
                     "otherwise (at most {})", format_duration(wait));
        settle_absence_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { settle_restored_absence(); });
        settle_absence_.arm_in(std::chrono::duration_cast<std::chrono::microseconds>(wait));
    } else if (downtime_ >= std::chrono::seconds(1)) {
        // The time stretchd was not running: short, it still counts as
        // sitting; as long as a natural break (the machine was off), it is one.
        spdlog::info("resuming the saved state after {} down", format_duration(downtime_));
        Now n = clock_.now();
        apply(engine_.resumed(n, downtime_), n);
    }
    // A reminder that was up when stretchd stopped was closed then; one
    // still due is shown again now, once, as a repeat of the same reminder.
    Now n = enter();
    apply(engine_.show_again(n), n);
    prune_timer_ = loop_.add_timer(CLOCK_BOOTTIME, [this] { prune_history(); });
    prune_timer_.arm_in(std::chrono::microseconds(0));
    spdlog::info("listening on \"{}\"{}", server_.bound_path().string(), server_.socket_activated() ? " (socket activation)" : "");
    sd_notify(0, "READY=1");
    notify_status(n);
}

Now Daemon::enter() {
    Now n = clock_.now();
    check_sleep(n);
    return n;
}

// Sleep that logind did not tell us about still shows as BOOTTIME running
// ahead of MONOTONIC.
void Daemon::check_sleep(Now n) {
    Duration suspended = clock_.suspended();
    Duration slept = suspended - suspended_seen_;
    suspended_seen_ = suspended;
    if (slept >= min_sleep) {
        spdlog::info("the machine slept for {}", format_duration(slept));
        apply(engine_.resumed(n, slept), n);
    }
}

const EngineStatus& Daemon::status(Now n) {
    if (!status_ || !(status_->first == n)) status_.emplace(n, engine_.status(n));
    return status_->second;
}

json Daemon::held(Now n) {
    if (auto reason = delivery_->held()) return held_reason_name(*reason);
    if (auto reason = status(n).held) return hold_reason_name(*reason);
    return nullptr;
}

// A room's own news (a notification server came, an activity source
// changed): systemd's STATUS= may say something new. Within apply() it is
// said once at the end.
void Daemon::delivery_changed() {
    if (stopping_) {
        if (!delivery_->settling()) loop_.exit(0);
        return;
    }
    status_changed();
}

void Daemon::status_changed() {
    if (!applying_) notify_status(clock_.now());
}

void Daemon::apply(Effects effects, Now n) {
    // The engine was called to make these effects: what it said before is old.
    status_.reset();
    applying_ = true;
    struct Done {
        bool& applying;
        ~Done() { applying = false; }
    } done{applying_};
    // First to disk, in one transaction with the state that goes with them:
    // before anyone is told, before a command's reply, and never half.
    store_->begin();
    for (auto& effect : effects)
        if (auto* record = std::get_if<Record>(&effect)) store_->record(history_row(*record, n.wall_s));
    store_->save_state(encode_state(engine_.state(), n, boot_id_), n.wall_s);
    store_->commit();

    // One status for the event lines of this batch: the engine's state after
    // all of it, and delivery's as it is when the line goes (a show or a
    // close changes what delivery reports, so it is worked out again then).
    std::optional<json> view;
    auto status_once = [&]() -> const json& {
        if (!view) view = status_view(n);
        return *view;
    };
    for (auto& effect : effects) {
        if (auto* show = std::get_if<ShowReminder>(&effect)) {
            const auto& r = show->reminder;
            spdlog::info("reminder: break \"{}\" after {} sitting, suggesting \"{}\"{}", r.rule,
                         format_duration(r.sitting), r.stretch_id, r.count > 1 ? fmt::format(" (reminder {})", r.count) : "");
            delivery_->show(r);
            view.reset();
            json body = reminder_json(r, engine_.config());
            body["replace"] = show->replace;
            body["status"] = status_once();
            server_.broadcast(protocol::event_line("reminder", std::move(body)));
        } else if (auto* close = std::get_if<CloseReminder>(&effect)) {
            spdlog::debug("reminder for \"{}\" closed: {}", close->rule, close_reason_name(close->reason));
            delivery_->close();
            view.reset();
            json body = {{"break", close->rule}, {"reason", close_reason_name(close->reason)}};
            body["status"] = status_once();
            server_.broadcast(protocol::event_line("reminder_closed", std::move(body)));
        } else if (auto* record = std::get_if<Record>(&effect)) {
            spdlog::debug("event: {} {}", record_kind_name(record->kind), record->rule);
            auto name = record_event_name(record->kind);
            if (name.empty()) continue;
            json body = record_json(*record, n.wall_s);
            body["status"] = status_once();
            server_.broadcast(protocol::event_line(name, std::move(body)));
        }
    }
    rearm(n);
    notify_status(n);
}

// A clean exit: the state is saved as of now, so the next start counts only
// the time stretchd was really not running.
void Daemon::stop() {
    if (stopping_) return;
    Now n = enter();
    apply(engine_.tick(n), n);
    // A bubble left up would outlive us with dead buttons; the engine keeps
    // it as shown, and the next start shows it again. The bus is flushed as
    // it is closed, after the loop.
    delivery_->close();
    record(RecordKind::stop);
    // A bubble shown a moment ago may not have its id yet, and cannot be
    // closed without it: wait for the server's answer, a second at most.
    stopping_ = true;
    if (!delivery_->settling()) return loop_.exit(0);
    stop_timer_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { loop_.exit(0); });
    stop_timer_.arm_in(std::chrono::seconds(1));
}

void Daemon::record(RecordKind kind) {
    HistoryRow row;
    row.time = clock_.now().wall_s;
    row.kind = kind;
    row.origin = "daemon";
    store_->record(row);
}

void Daemon::settle_restored_absence() {
    if (!engine_.state().restored_away) return;
    settle_absence_.reset();
    Now n = enter();
    apply(engine_.settle_restored_absence(n), n);
}

void Daemon::prune_history() {
    constexpr std::int64_t day = 24 * 60 * 60;
    store_->prune(clock_.now().wall_s - engine_.config().history.keep_days * day);
    prune_timer_.arm_in(std::chrono::seconds(day));
}

void Daemon::rearm(Now n) {
    auto deadline = engine_.next_deadline(n);
    if (deadline) deadline_.arm_at(std::chrono::duration_cast<std::chrono::microseconds>(deadline->time_since_epoch()));
    else deadline_.disarm();
    arm_tick(n);
}

// Status bars show the time to the next break: in minutes, then in the
// last minute in seconds. A tick comes when that text changes, and no more
// often: on the minute boundary of the countdown, then every second.
// Nothing is subscribed, nothing wakes.
void Daemon::arm_tick(Now n) {
    if (server_.subscribers() == 0) {
        tick_.disarm();
        return;
    }
    Duration wait = tick_interval;
    const auto& s = status(n);
    if (s.next && s.next->due_in > Duration::zero() && !s.next->due) {
        Duration left = s.next->due_in;
        Duration step = left <= std::chrono::minutes(1) ? Duration(std::chrono::seconds(1)) : Duration(std::chrono::minutes(1));
        wait = left % step;
        if (wait <= Duration::zero()) wait = step;
        wait += std::chrono::milliseconds(10);  // just past the boundary, so the text has changed when it is read
    }
    tick_.arm_in(std::chrono::duration_cast<std::chrono::microseconds>(wait));
}

void Daemon::on_deadline() {
    Now n = enter();
    apply(engine_.tick(n), n);
}

void Daemon::on_clock_changed() {
    Now n = enter();
    apply(engine_.clock_changed(n), n);
}

std::optional<std::string> Daemon::reload() {
    sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu", static_cast<unsigned long long>(loop_.now(CLOCK_MONOTONIC)));
    std::optional<std::string> error;
    store_->retry();  // a user who freed the disk need not wait for the store's next try
    try {
        auto loaded = load(options_);
        config_source_ = loaded.source;
        Now n = enter();
        apply(engine_.replace_config(n, std::move(loaded.config)), n);
        activity_->reload();
        tell_engine_of_calls();
        spdlog::info("config reloaded from {}", config_source_);
    } catch (const ConfigError& e) {
        error = e.what();
        spdlog::error("config not reloaded, keeping the running one: {}", e.what());
    }
    sd_notify(0, "READY=1");
    notify_status(clock_.now());
    return error;
}

void Daemon::subscribe(Connection& connection, bool rings_bell) {
    connection.set_subscribed(rings_bell);
    // A terminal that rings may be the first way to reach the user with a
    // reminder that is up; on a later turn, so its subscribe reply comes first.
    if (rings_bell) bell_came_ = loop_.add_defer([this] { delivery_->changed(); });
    arm_tick(clock_.now());
}

void Daemon::broadcast_tick() {
    Now n = enter();
    if (server_.subscribers() == 0) return;
    server_.broadcast(protocol::event_line("tick", {{"status", status_view(n)}}));
    arm_tick(n);
}

void Daemon::notify_status(Now n) {
    const auto& s = status(n);
    std::string line = fmt::format("{}", engine_mode_name(s.mode));
    if (s.next) line += fmt::format("; next: {} in {}", s.next->name, format_duration_short(s.next->due_in));
    // STATUS= is shown by systemctl status; send it only when it says something new.
    if (line == last_status_) return;
    last_status_ = line;
    sd_notifyf(0, "STATUS=%s", line.c_str());
}

json Daemon::status_view(Now n) {
    json out = status_json(status(n), engine_.config());
    out["held"] = held(n);
    out["held_by"] = delivery_->held_by().empty() ? json(nullptr) : json(delivery_->held_by());
    if (out["call"].is_object()) {
        json devices = json::array();
        for (const auto& c : call_captures(captures_, engine_.config().meeting))
            devices.push_back({{"device", capture_device_name(c.device)}, {"application", c.application}});
        out["call"]["devices"] = std::move(devices);
    }
    out["notify"] = delivery_->describe();
    out["activity"] = activity_status_json(activity_->status());
    out["history"] = store_->describe();
    return out;
}

json Daemon::doctor_view() {
    json out = doctor_json({activity_->report(), display_->current(), display_->user_manager_known(),
                            display_->bus_problem(), logind_->facts()});
    out["notify"] = delivery_->describe();
    out["fullscreen"] = fullscreen_json(fullscreen_->describe());
    for (auto& w : out["fullscreen"]["warnings"]) out["problems"].push_back(w);
    out["quiet"] = delivery_->describe_quiet();
    out["calls"] = calls_json(calls_->describe(), calls_->captures(), engine_.config().meeting);
    for (auto& w : out["quiet"]["warnings"]) out["problems"].push_back(w);
    out["config"] = config_source_;
    out["history"] = store_->describe();
    if (!store_->durable()) out["problems"].push_back(store_->doctor_problem());
    return out;
}

// A capture device taken or given back. Each new one is logged, and the
// end of the last.
void Daemon::calls_changed() {
    auto now = calls_->captures();
    if (now == captures_) return;
    for (const auto& c : now)
        if (std::ranges::find(captures_, c) == captures_.end()) spdlog::info("call: {}", describe_capture(c));
    if (now.empty() && !captures_.empty()) spdlog::info("call: ended");
    else
        for (const auto& c : captures_)
            if (std::ranges::find(now, c) == now.end())
                spdlog::info("call: {} no longer uses the {} ({})", c.application, capture_device_name(c.device),
                             call_detector_name(c.detector));
    captures_ = std::move(now);
    tell_engine_of_calls();
}

// The engine hears whether a call is on: the captures the user's [meeting]
// settings count (on a capture change, and on a reload that may change them).
void Daemon::tell_engine_of_calls() {
    bool in_use = !call_captures(captures_, engine_.config().meeting).empty();
    if (in_use == engine_.state().call_detected) return;
    Now n = enter();
    apply(engine_.call_devices(n, in_use), n);
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
