#pragma once
// A QuietSource answering what the test sets, counting how often it was
// asked. set() announces the change, as a real source fed by signals does.

#include <string>

#include "daemon/delivery/quiet_source.hpp"

namespace stretch::test {

class FakeQuietSource : public QuietSource {
public:
    explicit FakeQuietSource(std::string name = "fake") : name_(std::move(name)) {}

    std::string_view name() const override { return name_; }
    bool quiet() const override {
        ++asked;
        return quiet_;
    }
    std::string describe() const override { return name_ + (quiet_ ? ": quiet" : ": not quiet"); }
    std::optional<QuietWarning> warning() const override { return warning_; }

    void refresh() override { ++refreshed; }

    void set(bool quiet) {
        quiet_ = quiet;
        changed();
    }
    void set_warning(std::optional<QuietWarning> w) { warning_ = std::move(w); }

    mutable int asked = 0;
    int refreshed = 0;  // times delivery asked it to ask the desktop again

private:
    std::string name_;
    bool quiet_ = false;
    std::optional<QuietWarning> warning_;
};

}  // namespace stretch::test
