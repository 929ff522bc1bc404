#pragma once
// An environment variable set for one test's scope and put back after.

#include <stdlib.h>

#include <cstdlib>
#include <optional>
#include <string>

namespace stretch {

// Sets (or, with nullopt, unsets) an environment variable for one scope.
class EnvScope {
public:
    EnvScope(const char* name, std::optional<std::string> value) : name_(name) {
        if (const char* old = std::getenv(name)) old_ = old;
        if (value)
            ::setenv(name, value->c_str(), 1);
        else
            ::unsetenv(name);
    }
    ~EnvScope() {
        if (old_)
            ::setenv(name_, old_->c_str(), 1);
        else
            ::unsetenv(name_);
    }
    EnvScope(const EnvScope&) = delete;
    EnvScope& operator=(const EnvScope&) = delete;

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace stretch
