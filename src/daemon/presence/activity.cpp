#include "daemon/presence/activity.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

namespace stretch {

Activity::Delays Activity::default_retry_delays() {
    using namespace std::chrono_literals;
    return {250ms, 1s, 3s, 10s, 30s};
}

Activity::Activity(EventLoop& loop, const Config& config, SourceFactory factory, Listener listener, Delays retry_delays)
    : loop_(loop),
      config_(config),
      factory_(std::move(factory)),
      listener_(std::move(listener)),
      retry_delays_(std::move(retry_delays)),
      setting_(config.tracking.source) {
    upgrade_timer_ = loop_.add_timer(CLOCK_MONOTONIC, [this] { on_upgrade_timer(); });
    current_index_ = candidates().size();
    in_round_ = true;  // the first round is on its way
    later([this] {
        if (round_ != 0) return;  // a reload began one already
        in_round_ = false;
        begin_round(candidates().size());
    });
}

Activity::~Activity() = default;

std::vector<ActivitySourceName> Activity::candidates() const {
    std::vector<ActivitySourceName> out;
    if (setting_ == "auto")
        for (const auto& row : activity_source_table) out.push_back(row.source);
    else if (auto one = activity_source_from_name(setting_))
        out.push_back(*one);
    return out;  // "none": no candidates
}

std::unique_ptr<ActivitySource> Activity::make(ActivitySourceName name, unsigned id) {
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
    return factory_(name, std::move(l));
}

// Tries the candidates before `limit`, best first; the current source (if
// any) keeps working until a better one is ready.
void Activity::begin_round(std::size_t limit) {
    if (in_round_) return;
    in_round_ = true;
    round_limit_ = std::min(limit, candidates().size());
    auto go = [this, round = ++round_] {
        if (round == round_) try_from(0);
    };
    if (listener_.before_round)
        listener_.before_round(go);
    else
        go();
}

void Activity::try_from(std::size_t index) {
    auto names = candidates();
    for (; index < round_limit_; ++index) {
        auto name = names[index];
        unsigned id = ++next_id_;
        auto source = make(name, id);
        Probe probe = source->start(threshold());
        auto& result = results_[name];
        result.tried = true;
        result.probe = probe;
        if (probe.state == Probe::State::ready) return promote(std::move(source), index, id, probe.detail);
        if (probe.state == Probe::State::pending) {
            trial_ = std::move(source);
            trial_name_ = name;
            trial_index_ = index;
            trial_id_ = id;
            return;  // on_ready or on_lost carries on
        }
        spdlog::debug("activity: {} is not available: {}", activity_source_name(name), probe.detail);
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
    current_name_ = candidates()[index];
    current_ = std::move(source);
    current_index_ = index;
    current_id_ = id;
    told_none_ = false;
    in_round_ = false;
    results_[current_name_].probe = Probe::ready(detail);
    spdlog::info("activity: using {} ({})", activity_source_name(current_name_), detail);
    listener_.changed();
}

void Activity::drop_current() {
    if (!current_) return;
    // Dropped from inside its own callback, perhaps: destroyed from the loop.
    graveyard_.push_back(std::move(current_));
    later([] {});
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
        results_[trial_name_].probe = why;
        spdlog::debug("activity: {} is not available: {}", activity_source_name(trial_name_), why.detail);
        graveyard_.push_back(std::move(trial_));
        trial_id_ = 0;
        later([this, next = trial_index_ + 1, round = round_] {
            if (round == round_) try_from(next);
        });
        return;
    }
    if (id != current_id_ || !current_) return;
    spdlog::warn("activity: {} stopped working ({}); trying the others", activity_source_name(current_name_), why.detail);
    results_[current_name_].probe = why;
    drop_current();
    told_none_ = false;
    listener_.changed();
    later([this] {
        if (in_round_) return;
        begin_round(candidates().size());
        maybe_better();  // the same server may come back
    });
}

// Runs `work` from the loop, after the callback we are in has returned; the
// sources dropped meanwhile are destroyed then.
void Activity::later(std::function<void()> work) {
    later_.push_back(std::move(work));
    if (later_.size() > 1) return;  // already on its way
    // A new deferred source each time (see EventLoop::add_defer); sd-event
    // frees the one running only once its callback has returned.
    later_source_ = loop_.add_defer([this] {
        auto due = std::move(later_);
        later_.clear();
        graveyard_.clear();
        for (auto& w : due) w();
    });
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
        begin_round(candidates().size());
        return;
    }
    if (current_) current_->set_threshold(threshold());
    // A reload is also the user's way to say "look again".
    upgrade_step_ = 0;
    begin_round(current_ ? current_index_ : candidates().size());
}

void Activity::maybe_better() {
    if ((current_ && current_index_ == 0) || retry_delays_.empty()) return;  // nothing better to find
    upgrade_step_ = 0;
    upgrade_timer_.arm_in(retry_delays_[0]);
}

void Activity::on_upgrade_timer() {
    begin_round(current_ ? current_index_ : candidates().size());
    if (++upgrade_step_ < retry_delays_.size() && !(current_ && current_index_ == 0))
        upgrade_timer_.arm_in(retry_delays_[upgrade_step_]);
}

Activity::Status Activity::status() const {
    if (current_) return {current_name_, results_.at(current_name_).probe.detail};
    if (setting_ == "none") return {std::nullopt, "not tracked ([tracking] source = \"none\")"};
    if (in_round_) return {std::nullopt, "looking for a source"};
    return {std::nullopt, "no source works here: sitting time runs on the clock"};
}

Activity::Report Activity::report() const {
    Report out{setting_, status(), {}};
    auto names = candidates();
    for (const auto& row : activity_source_table) {
        ActivityProbe p{row.source, ActivityProbe::State::skipped, {}, {}};
        auto it = results_.find(row.source);
        bool candidate = std::find(names.begin(), names.end(), row.source) != names.end();
        if (!candidate) {
            p.detail = "[tracking] source = \"" + setting_ + "\"";
        } else if (current_ && current_name_ == row.source) {
            p.state = ActivityProbe::State::active;
            p.detail = it->second.probe.detail;
        } else if (trial_ && trial_name_ == row.source) {
            p.state = ActivityProbe::State::probing;
            p.detail = "waiting for an answer";
        } else if (it == results_.end() || !it->second.tried) {
            p.detail = "a better source is active";
        } else if (const Probe& probe = it->second.probe; probe.state == Probe::State::failed && current_) {
            // Another source works: this one is not what this desktop offers
            // (no Wayland on an X11 session), which needs no fix.
            p.state = ActivityProbe::State::not_used;
            p.detail = probe.detail;
        } else {
            p.state = probe.state == Probe::State::failed ? ActivityProbe::State::failed : ActivityProbe::State::available;
            p.detail = probe.detail;
            p.fix = probe.fix;
        }
        out.probes.push_back(std::move(p));
    }
    return out;
}

}  // namespace stretch
