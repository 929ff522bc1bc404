#pragma once
// What the benchmark programs share: a clock to time with and a way to stop
// with a message that names the failing step and its value.

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>

namespace stretch::bench {

inline std::int64_t now_ns() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1'000'000'000LL + ts.tv_nsec;
}

// `program: what: "value": strerror(errno)`, then exit 1.
[[noreturn]] inline void die_with(const char* program, const char* what, const std::string& value) {
    std::fprintf(stderr, "%s: %s: \"%s\": %s\n", program, what, value.c_str(), std::strerror(errno));
    std::exit(1);
}

}  // namespace stretch::bench
