#pragma once
// The recording fake for the ActivitySource edge. FakeSources is the source
// factory Activity is given: it makes a FakeActivitySource per request,
// answers start() as the test said for that source (default: failed), and
// records, like ninja's VirtualFileSystem, what each source was asked
// ("start x11 2000ms", "threshold x11 5000ms", "drop x11"). The test plays
// the desktop through each source's listener: idle, active, ready, lost.

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "daemon/presence/activity.hpp"

namespace stretch {

class FakeSources {
public:
    // One source made by the factory; it outlives the source itself.
    struct Made {
        ActivitySourceName name{};
        ActivitySource::Listener listener;
        bool alive = true;
    };

    // What start() answers for `name` from now on.
    void answer(ActivitySourceName name, Probe probe) { answers_[name] = std::move(probe); }

    Activity::SourceFactory factory() {
        return [this](ActivitySourceName name, ActivitySource::Listener listener) -> std::unique_ptr<ActivitySource> {
            made_.push_back(std::make_shared<Made>(Made{name, std::move(listener), true}));
            return std::make_unique<Source>(*this, made_.back());
        };
    }

    // Everything the sources were asked, oldest first.
    const std::vector<std::string>& calls() const { return calls_; }
    void clear_calls() { calls_.clear(); }
    // The newest source of `name` that is still alive; throws if none.
    Made& live(ActivitySourceName name) {
        for (auto it = made_.rbegin(); it != made_.rend(); ++it)
            if ((*it)->name == name && (*it)->alive) return **it;
        throw std::logic_error(fmt::format("no live {} source", activity_source_name(name)));
    }
    bool any_alive(ActivitySourceName name) const {
        for (auto& m : made_)
            if (m->name == name && m->alive) return true;
        return false;
    }

private:
    class Source : public ActivitySource {
    public:
        Source(FakeSources& owner, std::shared_ptr<Made> made) : owner_(owner), made_(std::move(made)) {}
        ~Source() override {
            made_->alive = false;
            owner_.record("drop", made_->name, std::nullopt);
        }
        Probe start(Duration threshold) override {
            owner_.record("start", made_->name, threshold);
            auto it = owner_.answers_.find(made_->name);
            return it == owner_.answers_.end() ? Probe::failed("absent in this test") : it->second;
        }
        void set_threshold(Duration threshold) override { owner_.record("threshold", made_->name, threshold); }

    private:
        FakeSources& owner_;
        std::shared_ptr<Made> made_;
    };

    void record(std::string_view what, ActivitySourceName name, std::optional<Duration> threshold) {
        std::string line = fmt::format("{} {}", what, activity_source_name(name));
        if (threshold)
            line += fmt::format(" {}ms", std::chrono::duration_cast<std::chrono::milliseconds>(*threshold).count());
        calls_.push_back(std::move(line));
    }

    std::map<ActivitySourceName, Probe> answers_;
    std::vector<std::shared_ptr<Made>> made_;
    std::vector<std::string> calls_;
};

}  // namespace stretch
