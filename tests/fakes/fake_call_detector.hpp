#pragma once
// A CallDetector answering what the test sets, counting how often it was
// asked. set() and set_report() announce the change, as a real detector
// fed by PipeWire's registry or inotify does.

#include <algorithm>

#include "daemon/presence/call/call_detector.hpp"

namespace stretch::test {

class FakeCallDetector : public CallDetector {
public:
    explicit FakeCallDetector(CallDetectorName name = CallDetectorName::pipewire) : report_{name, true, "fake"} {}

    std::vector<Capture> captures() const override {
        ++asked;
        return captures_;
    }
    std::vector<CallDetectorReport> describe() const override { return {report_}; }

    void set(std::vector<Capture> captures) {
        std::ranges::sort(captures);
        captures_ = std::move(captures);
        changed();
    }
    void set_report(bool working, std::string detail) {
        report_.working = working;
        report_.detail = std::move(detail);
        if (!working) captures_.clear();  // a lost detector reports nothing, as the real ones do
        changed();
    }

    mutable int asked = 0;

private:
    std::vector<Capture> captures_;
    CallDetectorReport report_;
};

}  // namespace stretch::test
