// What a socket client controls: one request line. It goes through the
// parser, then through a real stretchd's dispatcher, argument checks and
// handlers (engine, SQLite store, views), exactly as the server hands it
// over. Only the event loop never runs, so timers, bus replies and
// subscriber writes are not exercised here.
//
// The daemon lives for the whole run, so a request can depend on the state
// earlier ones left behind; a crash file replayed alone may need them.

#include <sys/socket.h>

#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "daemon/commands/commands.hpp"
#include "daemon/server/connection.hpp"
#include "daemon/daemon.hpp"
#include "shared/protocol.hpp"

using namespace stretch;
using nlohmann::json;

namespace {

// docs/protocol.md, "Errors", less the ones only the connection sends.
const std::set<std::string> documented_codes = {
    "bad_json",      "bad_request", "unsupported_version", "unknown_command", "bad_argument",
    "unknown_break", "no_breaks",   "unknown_stretch",     "snooze_limit",    "not_skippable",
    "bad_duration",  "not_paused",  "already_standing",    "not_standing",    "config_invalid"};
const std::set<std::string> parser_codes = {"bad_json", "bad_request", "unsupported_version"};

void check(bool ok, std::string_view what, std::string_view detail = {}) {
    if (ok) return;
    std::fprintf(stderr, "property violated: %.*s\n%.*s\n", static_cast<int>(what.size()), what.data(),
                 static_cast<int>(detail.size()), detail.data());
    std::abort();
}

// Made once and never destroyed: every input goes to the same daemon.
struct Fixture {
    std::filesystem::path dir;
    EventLoop loop;
    SystemClock clock;
    Daemon* daemon = nullptr;
    Connection* connection = nullptr;
};
Fixture* fixture = nullptr;

// /dev/shm when there is one: the store syncs on every command, and on a
// real disk that would make the fuzzer crawl.
std::filesystem::path make_private_dir() {
    std::filesystem::path base =
        std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : std::filesystem::temp_directory_path();
    std::string templ = (base / "stretch-fuzz-XXXXXX").string();
    if (!mkdtemp(templ.data())) {
        std::perror("mkdtemp");
        std::exit(1);
    }
    return templ;
}

void remove_private_dir() { std::filesystem::remove_all(fixture->dir); }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    auto dir = make_private_dir();
    // Everything the daemon finds through the environment points into dir,
    // and nothing leads to the desktop, the session bus or systemd: no
    // bubbles pop up on a developer's screen while this runs.
    for (const char* name : {"XDG_RUNTIME_DIR", "XDG_STATE_HOME", "XDG_CONFIG_HOME", "HOME"})
        setenv(name, dir.c_str(), 1);
    for (const char* name : {"DISPLAY", "WAYLAND_DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "NOTIFY_SOCKET", "LISTEN_FDS",
                             "LISTEN_PID", "STRETCH_SOCKET"})
        unsetenv(name);
    std::ofstream(dir / "config.toml") << "[tracking]\nsource = \"none\"\n\n[notify]\nmethods = [\"bell\"]\n";
    spdlog::set_level(spdlog::level::off);

    fixture = new Fixture;
    fixture->dir = dir;
    std::atexit(remove_private_dir);
    Daemon::Options options;
    options.socket = dir / "stretchd.sock";
    options.config = dir / "config.toml";
    options.seed = 1;
    fixture->daemon = new Daemon(fixture->loop, options, fixture->clock);
    // The daemon takes these signals for its loop, which never runs here;
    // give them back so that Ctrl-C stops the fuzzer.
    sigset_t signals;
    sigemptyset(&signals);
    for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&signals, s);
    sigprocmask(SIG_UNBLOCK, &signals, nullptr);

    int fds[2];
    check(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) == 0, "socketpair");
    fixture->connection = new Connection(
        fixture->loop, UniqueFd(fds[0]), std::chrono::seconds(10), [](Connection&, std::string_view) {},
        [](Connection&) {});
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    // Only what the connection would pass on: one line, within max_line,
    // its '\r' taken off, not empty.
    if (line.size() > protocol::max_line || line.find('\n') != std::string_view::npos) return -1;
    if (line.ends_with('\r')) line.remove_suffix(1);
    if (line.empty()) return -1;

    std::string parse_code;
    try {
        auto request = protocol::parse_request(line);
        auto again_line = protocol::request_line(request.cmd, request.args);
        auto again = protocol::parse_request(std::string_view(again_line).substr(0, again_line.size() - 1));
        check(again.cmd == request.cmd && again.args == request.args, "a parsed request survives request_line()",
              again_line);
    } catch (const protocol::Error& e) {
        parse_code = e.code();
        check(parser_codes.contains(parse_code), "the parser refuses with bad_json, bad_request or unsupported_version",
              e.code());
    }

    auto reply = handle_request(*fixture->daemon, *fixture->connection, line);
    check(reply.ends_with('\n') && reply.find('\n') == reply.size() - 1, "a reply is one line", reply);
    json parsed = json::parse(std::string_view(reply).substr(0, reply.size() - 1), nullptr, false);
    check(
        parsed.is_object() && parsed.value("v", json()) == protocol::version && parsed.value("ok", json()).is_boolean(),
        "a reply is an object with \"v\":1 and \"ok\"", reply);
    if (parsed["ok"].get<bool>()) {
        check(parse_code.empty(), "a request the parser refused is not served", reply);
        return 0;
    }
    const auto& error = parsed["error"];
    check(error.is_object() && error.value("code", json()).is_string() && error.value("message", json()).is_string(),
          "an error reply has a code and a message", reply);
    auto code = error["code"].get<std::string>();
    check(code != "internal", "no request makes stretchd fail internally", reply);
    check(documented_codes.contains(code), "every error code is in docs/protocol.md", reply);
    check(parse_code.empty() || code == parse_code, "the reply carries the parser's code", reply);
    check(!error["message"].get<std::string>().empty(), "an error message says something", reply);
    return 0;
}
