#include "cli/guide.hpp"

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <thread>

#include <fmt/format.h>

#include "cli/output.hpp"
#include "cli/terminal.hpp"

namespace stretch {
namespace {

volatile std::sig_atomic_t interrupted = 0;

// Sleeps in small slices so Ctrl-C is noticed at once.
bool wait(double seconds) {
    auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (std::chrono::steady_clock::now() < end) {
        if (interrupted) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return !interrupted;
}

bool countdown(int seconds, double pace, bool tty, std::string_view label) {
    for (int left = seconds; left > 0; --left) {
        if (tty) out(fmt::format("\r  {} {} {:>3}s ", label, progress_bar(1.0 - double(left) / seconds, 20), left));
        if (!wait(pace)) return false;
    }
    if (tty)
        out(fmt::format("\r  {} {} {:>3}s \n", label, progress_bar(1.0, 20), 0));
    else
        out(fmt::format("  {} done\n", label));
    return true;
}

}  // namespace

bool run_guide(const nlohmann::json& s, const Style& style, double pace) {
    std::signal(SIGINT, [](int) { interrupted = 1; });
    bool tty = isatty(STDOUT_FILENO);
    int hold = s.value("hold_s", 20);
    auto reps_text = s.value("reps", "1");
    int reps = std::max(1, std::atoi(reps_text.substr(0, reps_text.find('-')).c_str()));
    std::vector<std::string> sides = s.value("per_side", false) ? std::vector<std::string>{"right side", "left side"}
                                                                : std::vector<std::string>{""};

    out(fit_to_terminal(style.bold(s.value("name", "")) + "\n"));
    if (s["caution"].is_string())
        out(fit_to_terminal(style.warn(fmt::format("Caution: {}", s["caution"].get<std::string>())) + "\n"));
    int n = 1;
    for (auto& step : s["steps"]) {
        out(fit_to_terminal(fmt::format("  {}. {}\n", n++, step.get<std::string>())));
        if (!wait(3 * pace)) return false;  // time to read and move
    }
    for (auto& side : sides) {
        if (!side.empty()) out(style.accent(fmt::format("Now the {}.", side)) + "\n");
        for (int rep = 1; rep <= reps; ++rep) {
            auto label = reps > 1 ? fmt::format("hold {}/{}", rep, reps) : std::string("hold");
            if (!countdown(hold, pace, tty, label)) return false;
            if (rep < reps && !wait(2 * pace)) return false;  // release between repetitions
        }
    }
    out(style.bold("Well done.") + "\n");
    return true;
}

}  // namespace stretch
