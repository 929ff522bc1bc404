// stretchd: the break-reminder daemon. Runs in the foreground always; systemd
// (or the terminal) owns its lifetime. Start-up errors are thrown up to here,
// logged once, and turned into a non-zero exit.

#include <csignal>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/config.hpp"
#include "daemon/daemon.hpp"
#include "daemon/plumbing/log.hpp"
#include "shared/paths.hpp"
#include "version.hpp"

int main(int argc, char** argv) {
    using namespace stretch;
    CLI::App app{"stretchd: reminds you to get up and stretch. Talk to it with `stretch`."};
    app.set_version_flag("--version", fmt::format("stretchd {}", version));
    std::optional<std::string> socket, config;
    std::string log_level = "info";
    bool builtin = false;
    int timeout_ms = 10'000;
    std::uint64_t seed = 0;
    bool seed_given = false;
    app.add_option("--socket", socket, "Socket path (default: $STRETCH_SOCKET or $XDG_RUNTIME_DIR/stretch/stretchd.sock)");
    app.add_option("--config", config, "Config file (default: $XDG_CONFIG_HOME/stretch/config.toml, else built-in)");
    app.add_flag("--default-config", builtin, "Use the built-in default config, ignoring any file");
    app.add_option("--log-level", log_level, "trace, debug, info, warning, error or off")->capture_default_str();
    app.add_option("--client-timeout-ms", timeout_ms, "Drop a client silent this long mid-request")->capture_default_str();
    app.add_option("--seed", seed, "Seed for choosing stretches (default: from the clock)")->each([&](const std::string&) { seed_given = true; });
    CLI11_PARSE(app, argc, argv);

    // Over a file-size limit (systemd's LimitFSIZE=) a write must fail with
    // EFBIG, which the history store survives by keeping events in memory;
    // the signal's default action would kill the daemon instead.
    std::signal(SIGXFSZ, SIG_IGN);
    try {
        setup_logging(log_level);
    } catch (const std::exception& e) {
        fmt::print(stderr, "stretchd: {}\n", e.what());
        return 2;
    }
    try {
        EventLoop loop;
        Daemon::Options options;
        options.socket = socket_path(socket);
        if (config) options.config = *config;
        options.builtin_config = builtin;
        options.client_timeout = std::chrono::milliseconds(timeout_ms);
        options.seed = seed_given ? seed : static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
        SystemClock clock;
        Daemon daemon(loop, options, clock);
        int code = loop.run();
        spdlog::info("stopping");
        return code < 0 ? 1 : code;
    } catch (const ConfigError& e) {
        spdlog::critical("{}", e.what());
        spdlog::critical("fix the config (check it with: stretch config check), then start stretchd again");
        return 1;
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());
        return 1;
    }
}
