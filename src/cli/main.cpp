// stretch: the command-line client of stretchd. Every subcommand is one
// request over the socket, except `config check`, `setup` and `help` (no
// daemon needed), `watch` (a subscription) and `guide` (a walk-through
// ending in `done`). `list`, `show`, `guide ID` and `version` also work
// without the daemon: the stretch library is built in (offline.hpp).
//
// Exit codes: 0 success, 1 the daemon refused, 2 usage error, 3 the daemon
// is not running, 141 standard output was closed. A malformed argument is a
// usage error, found here before the daemon is asked whenever the CLI can
// tell; an argument only the daemon can judge (a snooze longer than it
// allows) is refused by it as bad_argument or bad_duration, and that is a
// usage error too.

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <functional>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/client.hpp"
#include "cli/doctor_view.hpp"
#include "cli/guide.hpp"
#include "cli/help.hpp"
#include "cli/offline.hpp"
#include "cli/output.hpp"
#include "cli/render.hpp"
#include "cli/setup.hpp"
#include "cli/stats_view.hpp"
#include "cli/terminal.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"
#include "core/suggest.hpp"
#include "shared/config_file.hpp"
#include "shared/paths.hpp"
#include "shared/protocol.hpp"
#include "version.hpp"

namespace stretch {
namespace {

using nlohmann::json;

constexpr int exit_refused = 1;
constexpr int exit_usage = 2;
constexpr int exit_not_running = 3;
// 128 + SIGPIPE: what a shell reports for a program that SIGPIPE ended, as
// it would have been had SIGPIPE not been ignored.
constexpr int exit_broken_pipe = 141;

struct Options {
    std::optional<std::string> socket;
    bool json = false;
    std::string duration;
    std::string until;
    std::string rule;
    std::string id;
    std::string target, position, tag;
    std::string format = "plain";
    std::string file;
    std::optional<std::int64_t> days;  // --days as given; the daemon checks it
    bool week = false, month = false, csv = false;
    bool why = false;  // `next --why`
    std::string since;
    std::vector<std::string> words;  // `help`'s command
    const CLI::App* app = nullptr;   // for `help`
};

int refusal_exit(std::string_view code) {
    return code == "bad_argument" || code == "bad_duration" ? exit_usage : exit_refused;
}

DaemonRefused refusal_of(const json& reply) {
    auto error = reply.value("error", json::object());
    return DaemonRefused(error.value("code", "unknown"), error.value("message", "stretchd refused the request"));
}

Client connect(const Options& o) { return Client(socket_path(o.socket)); }

// The daemon if it runs; nullopt when nothing listens on its socket, or
// when there is no runtime directory to hold one.
std::optional<Client> running_daemon(const Options& o) {
    std::filesystem::path path;
    try {
        path = socket_path(o.socket);
    } catch (const std::runtime_error&) {
        return std::nullopt;
    }
    try {
        return Client(path);
    } catch (const DaemonNotRunning&) {
        return std::nullopt;
    }
}

// `list` and `show`: the daemon's live config when it runs, else the config on disk.
json ask_library(const Options& o, std::string_view cmd, json args) {
    if (auto daemon = running_daemon(o)) return daemon->call(cmd, std::move(args));
    return offline_reply(cmd, args);
}

// Time left as every view shows it (core/duration.hpp), so that a reply and
// the status that follows it read the same.
std::string time_left(const json& seconds) { return format_left(std::chrono::seconds(seconds.get<std::int64_t>())); }

// Text for a person, fitted to the terminal's width when there is one.
void print_human(std::string_view text) { out(fit_to_terminal(text)); }

// Prints a reply as it came with --json, else what `human` makes of it.
int print_reply(const Options& o, const json& reply, const std::function<std::string(const json&)>& human) {
    bool ok = reply.value("ok", false);
    if (o.json) {
        out(protocol::dump(reply) + "\n");
        return ok ? 0 : refusal_exit(refusal_of(reply).code());
    }
    if (!ok) throw refusal_of(reply);
    print_human(human(reply));
    return 0;
}

// Sends one request and prints the reply.
int simple(const Options& o, std::string_view cmd, json args, const std::function<std::string(const json&)>& human) {
    return print_reply(o, connect(o).call(cmd, std::move(args)), human);
}

json rule_arg(const Options& o) { return o.rule.empty() ? json::object() : json{{"break", o.rule}}; }

// Arguments go to the daemon as given: it checks them (or, for `list` and
// `show` without it, the same check in offline.cpp), and a refusal is a
// usage error, exit 2.
json duration_arg(json args, const std::string& duration) {
    if (!duration.empty()) args["for"] = duration;
    return args;
}

json list_args(const Options& o) {
    json args = json::object();
    if (!o.target.empty()) args["target"] = o.target;
    if (!o.position.empty()) args["position"] = o.position;
    if (!o.tag.empty()) args["tag"] = o.tag;
    return args;
}

int watch(const Options& o) {
    auto render = o.format == "waybar" ? render_watch_waybar : o.format == "i3blocks" ? render_watch_i3blocks : render_watch_plain;
    bool told_down = false;
    // Only `stretch watch` in a terminal rings: a bar reading through a pipe
    // would swallow the bell and show its sentence, so it does not offer to.
    bool rings_bell = isatty(STDOUT_FILENO) && !o.json && o.format == "plain";
    for (;;) {
        try {
            auto client = connect(o);
            json reply = client.request("subscribe", rings_bell ? json{{"bell", true}} : json::object());
            client.wait_forever();
            told_down = false;
            out((o.json ? protocol::dump(reply) : render(reply)) + "\n");
            while (auto event = client.read_line()) {
                std::string lines;
                if (o.json)
                    lines += protocol::dump(*event) + "\n";
                else if (event->contains("status"))
                    lines += render((*event)["status"]) + "\n";
                // The bell fallback: the terminal running `stretch watch` is the last way to reach the user.
                if (event->value("event", "") == "bell" && rings_bell)
                    lines += fmt::format("\a{}\n", event->value("text", "Time for a break"));
                if (!lines.empty()) out(lines);
            }
        } catch (const DaemonNotRunning& e) {
            if (!told_down) {
                // Status bars show this line until the daemon is back.
                out(render_watch_down(o.format, e.what()) + "\n");
                told_down = true;
            }
        }
        // Nothing is written while the daemon is down, so a reader that
        // leaves then is noticed here.
        wait_unless_reader_gone(std::chrono::seconds(2));
    }
}

int guide(const Options& o) {
    auto style = style_for(stdout);
    auto daemon = running_daemon(o);
    bool online = daemon.has_value();
    std::string id = o.id;
    if (id.empty()) {
        if (!online)
            throw Usage(
                "guide: no stretch is suggested while stretchd is not running: name one, e.g. stretch guide "
                "childs-pose (stretch list shows them all)");
        json next = daemon->request("next");
        if (!next["next"].is_object() || !next["next"]["stretch"].is_object())
            throw Usage("guide: no stretch is suggested right now: name one, e.g. stretch guide childs-pose");
        id = next["next"]["stretch"].value("id", "");
    }
    json shown = online ? daemon->call("show", {{"id", id}}) : offline_reply("show", {{"id", id}});
    if (!shown.value("ok", false)) throw refusal_of(shown);
    daemon.reset();  // not held open through the guide
    double pace = 1.0;
    if (auto p = env("STRETCH_GUIDE_PACE")) pace = std::stod(*p);  // tests run the guide fast
    if (!run_guide(shown["stretch"], style, pace)) {
        out("\nStopped. The break is not marked as done.\n");
        return 130;
    }
    if (!online) {
        print_human("stretchd is not running, so no break is marked as taken.\n");
        return 0;
    }
    // A fresh connection: the guide outlasts the daemon's patience with a silent client.
    json reply = connect(o).request("done");
    print_human(fmt::format("The {} break is marked as taken.\n", reply.value("break", "")));
    return 0;
}

int stats(const Options& o) {
    if (o.json && o.csv) throw Usage("stats: give --json or --csv, not both");
    std::int64_t days = o.week ? 7 : o.month ? 30 : o.days.value_or(1);
    return simple(o, "stats", {{"days", days}}, [&](const json& r) {
        return o.csv ? render_stats_csv(r) : render_stats(r, style_for(stdout));
    });
}

// The CLI's version, and the daemon's when it runs. With --json, the
// daemon's reply with "cli_version" added; "version" and "protocol" are
// null when the daemon is not running.
int version_command(const Options& o) {
    auto daemon = running_daemon(o);
    json reply = daemon ? daemon->call("version")
                        : json{{"ok", true}, {"v", protocol::version}, {"version", nullptr}, {"protocol", nullptr}};
    if (o.json) reply["cli_version"] = version;
    return print_reply(o, reply, [&](const json& r) {
        std::string text = fmt::format("stretch {}\n", version);
        if (!daemon) return text + "stretchd is not running\n";
        return text + fmt::format("stretchd {} (protocol {})\n", r.value("version", "?"), r.value("protocol", 0));
    });
}

// With --json, shaped like a daemon reply so that scripts read both alike;
// "path" is null when the built-in default is in use. The error is the
// file's own message (path:line:column: ...), the daemon's exactly.
int config_check(const Options& o) {
    std::optional<std::filesystem::path> path;
    if (!o.file.empty()) path = o.file;
    if (!path && !std::filesystem::exists(user_config_path())) {
        if (o.json)
            out(protocol::dump(json{{"ok", true}, {"v", protocol::version}, {"path", nullptr}}) + "\n");
        else
            print_human(fmt::format("No config file at {}: the built-in default is in use, and it is valid.\n",
                                    user_config_path().string()));
        return 0;
    }
    try {
        auto loaded = load_config_file(path);
        if (o.json)
            out(protocol::dump(json{{"ok", true}, {"v", protocol::version}, {"path", loaded.source}}) + "\n");
        else
            print_human(fmt::format("{}: ok ({} break rules, {} stretches)\n", loaded.source,
                                    loaded.config.breaks.size(), loaded.config.stretches.size()));
        return 0;
    } catch (const ConfigError& e) {
        if (o.json)
            out(protocol::error_reply("config_invalid", e.what()));
        else
            fmt::print(stderr, "{}\n", e.what());
        return exit_refused;
    }
}

struct Subcommand {
    std::string_view name;
    std::string_view help;  // one line in `stretch help`: at most 58 characters
    std::function<void(CLI::App&, Options&)> setup;
    std::function<int(Options&)> run;
};

// ---- each command: its options, then what it does ----

int status_command(Options& o) {
    return simple(o, "status", {}, [](const json& r) { return render_status(r, style_for(stdout)); });
}

int doctor_command(Options& o) {
    return simple(o, "doctor", {}, [](const json& r) { return render_doctor(r, style_for(stdout)); });
}

void next_options(CLI::App& c, Options& o) {
    c.add_option("--format", o.format, "plain, or short for a prompt or tmux")
        ->check(CLI::IsMember({"plain", "short"}))
        ->option_text("FORMAT");
    c.add_flag("--why", o.why, "Also say in one line why this stretch was chosen");
}

int next_command(Options& o) {
    return simple(o, "next", {}, [&](const json& r) {
        auto out = o.format == "short" ? render_next_short(r) + "\n" : render_next(r, style_for(stdout));
        return o.why ? out + render_next_why(r) : out;
    });
}

// --break NAME, for the commands that act on one break rule.
void break_option(CLI::App& c, Options& o) {
    c.add_option("--break", o.rule, "Which break rule (default: the current one)")->option_text("NAME");
}

void snooze_options(CLI::App& c, Options& o) {
    c.add_option("duration", o.duration, "How long, e.g. 10m (default: the break's snooze length)");
    break_option(c, o);
}

int snooze_command(Options& o) {
    return simple(o, "snooze", duration_arg(rule_arg(o), o.duration), [](const json& r) {
        return fmt::format("Snoozed the {} break: reminding you in {} ({} of {} snoozes used).\n", r.value("break", ""),
                           time_left(r["snoozed_for_s"]), r.value("snoozes", 0), r.value("max_snoozes", 0));
    });
}

int skip_command(Options& o) {
    return simple(o, "skip", rule_arg(o),
                  [](const json& r) { return fmt::format("Skipped the {} break.\n", r.value("break", "")); });
}

int done_command(Options& o) {
    return simple(o, "done", rule_arg(o), [](const json& r) { return fmt::format("Well done: the {} break is marked as taken.\n", r.value("break", "")); });
}

void pause_options(CLI::App& c, Options& o) {
    c.add_option("duration", o.duration, "How long, e.g. 1h (default: until resume)");
    c.add_option("--until", o.until, "Until a local time, e.g. 14:00")->option_text("HH:MM");
}

int pause_command(Options& o) {
    json args = duration_arg(json::object(), o.duration);
    if (!o.until.empty()) args["until"] = o.until;
    return simple(o, "pause", args, [](const json& r) {
        auto left = r.value("paused_for_s", 0);
        return left > 0 ? fmt::format("Reminders paused for {}. Sitting time is still tracked.\n", time_left(r["paused_for_s"]))
                        : std::string("Reminders paused until \"stretch resume\". Sitting time is still tracked.\n");
    });
}

int resume_command(Options& o) {
    return simple(o, "resume", {}, [](const json&) { return std::string("Reminders are back on.\n"); });
}

int stand_command(Options& o) {
    return simple(o, "stand", {}, [](const json&) { return std::string("Standing: sitting time is on hold. Run \"stretch sit\" when you sit down.\n"); });
}

int sit_command(Options& o) {
    return simple(o, "sit", {},
                  [](const json&) { return std::string("Sitting again: sitting time counts from now.\n"); });
}

int meeting_start(Options& o) {
    return simple(o, "meeting_start", duration_arg(json::object(), o.duration), [](const json& r) {
        const json& call = r["call"];
        std::string until = call.is_object() && call["manual_left_s"].is_number()
                                ? fmt::format("for {}", time_left(call["manual_left_s"]))
                                : std::string("until \"stretch meeting end\"");
        return fmt::format("In a meeting {}: reminders wait until it is over. Sitting time still counts.\n", until);
    });
}

int meeting_end(Options& o) {
    return simple(o, "meeting_end", {}, [](const json& r) {
        if (r["call"].is_object())
            return std::string("The meeting is over, but your camera or microphone is still in use: reminders wait "
                               "until it is free.\n");
        return std::string("The meeting is over.\n");
    });
}

void list_options(CLI::App& c, Options& o) {
    c.add_option("--target", o.target, "Only stretches for this body area")->option_text("AREA");
    c.add_option("--position", o.position, "Only seated, standing or floor")->option_text("POSITION");
    c.add_option("--tag", o.tag, "Only stretches with this tag")->option_text("TAG");
    c.add_option("--format", o.format, "plain, or ids (one id per line)")
        ->check(CLI::IsMember({"plain", "ids"}))
        ->option_text("FORMAT");
}

int list_command(Options& o) {
    return print_reply(o, ask_library(o, "list", list_args(o)), [&](const json& r) {
        if (o.format != "ids") return render_list(r, style_for(stdout));
        std::string ids;
        for (auto& s : r["stretches"]) ids += s.value("id", "") + "\n";
        return ids;
    });
}

void show_options(CLI::App& c, Options& o) { c.add_option("id", o.id, "The stretch's id (see stretch list)")->required(); }

int show_command(Options& o) {
    return print_reply(o, ask_library(o, "show", {{"id", o.id}}),
                       [](const json& r) { return render_stretch(r["stretch"], style_for(stdout)); });
}

void guide_options(CLI::App& c, Options& o) { c.add_option("id", o.id, "The stretch (default: the one suggested next)"); }

void stats_options(CLI::App& c, Options& o) {
    auto* days =
        c.add_option("--days", o.days, "The last N days, today included (1 to 366)")->option_text("N");
    auto* week = c.add_flag("--week", o.week, "The last 7 days");
    auto* month = c.add_flag("--month", o.month, "The last 30 days");
    days->excludes(week)->excludes(month);
    week->excludes(month);
    c.add_flag("--csv", o.csv, "One row per day, comma-separated, with a header row");
}

void history_options(CLI::App& c, Options& o) {
    c.add_option("--since", o.since, "From this local date on, YYYY-MM-DD (default: today)")
        ->option_text("DATE");
}

int history_command(Options& o) {
    json args = json::object();
    if (!o.since.empty()) args["since"] = o.since;
    return simple(o, "history", args, [](const json& r) { return render_history(r, style_for(stdout)); });
}

int reload_command(Options& o) {
    return simple(o, "reload", {}, [](const json& r) {
        return fmt::format("Config reloaded from {}.\n", r.value("config", ""));
    });
}

void watch_options(CLI::App& c, Options& o) {
    c.add_option("--format", o.format, "plain, waybar or i3blocks")
        ->check(CLI::IsMember({"plain", "waybar", "i3blocks"}))
        ->option_text("FORMAT");
}

int setup_command(Options& o) { return run_setup(o.json); }

void help_options(CLI::App& c, Options& o) { c.add_option("command", o.words, "A command, e.g. snooze or config check"); }

int help_command(Options& o) {
    print_human(help_text(*o.app, o.words));
    return 0;
}

// The commands, one line each: name, a line of help, options, handler.
std::vector<Subcommand> subcommands() {
    return {
        {"status", "Show sitting time and every break", nullptr, status_command},
        {"doctor", "Show how activity is tracked and what to fix", nullptr, doctor_command},
        {"next", "Show the next break and its stretch", next_options, next_command},
        {"snooze", "Postpone the current break", snooze_options, snooze_command},
        {"skip", "Skip the current break", break_option, skip_command},
        {"done", "Mark the current break as taken", break_option, done_command},
        {"pause", "Silence reminders for a while", pause_options, pause_command},
        {"resume", "End a pause", nullptr, resume_command},
        {"stand", "Standing from now: sitting time stops", nullptr, stand_command},
        {"sit", "Sitting again", nullptr, sit_command},
        {"list", "List the stretch library", list_options, list_command},
        {"show", "Show one stretch with its steps", show_options, show_command},
        {"guide", "Walk through a stretch, then mark the break done", guide_options, guide},
        {"stats", "Show sitting time and breaks, today or day by day", stats_options, stats},
        {"history", "List the recorded events, one per line", history_options, history_command},
        {"reload", "Make the daemon re-read its config", nullptr, reload_command},
        {"watch", "Stream one line per change, for status bars", watch_options, watch},
        {"setup", "Write a config file, show how to start the service", nullptr, setup_command},
        {"version", "Show the versions of stretch and stretchd", nullptr, version_command},
        {"help", "Show the commands, or how to call one", help_options, help_command},
    };
}

int run(int argc, char** argv) {
    // Named here, not taken from argv[0]: "Usage: stretch", not the path it was started by.
    CLI::App app{"Talk to stretchd, the break reminder. With no command, shows the status.", "stretch"};
    use_tidy_help(app);
    app.set_help_flag("-h,--help", "Show this help and exit");
    app.set_version_flag("--version", fmt::format("stretch {}", version), "Show the version of stretch and exit");
    app.require_subcommand(0, 1);
    app.fallthrough();
    Options o;
    o.app = &app;
    app.add_option("--socket", o.socket,
                   "The daemon's socket (default: $STRETCH_SOCKET, else stretch/stretchd.sock in "
                   "$XDG_RUNTIME_DIR)")
        ->option_text("PATH");
    app.add_flag("--json", o.json, "Print the daemon's reply as JSON");

    auto table = subcommands();
    std::function<int(Options&)> chosen = table.front().run;  // no subcommand: status
    for (auto& sub : table) {
        auto* c = app.add_subcommand(std::string(sub.name), std::string(sub.help));
        if (sub.setup) sub.setup(*c, o);
        c->callback([&chosen, &sub] { chosen = sub.run; });
    }
    auto* config = app.add_subcommand("config", "Work with config files");
    config->require_subcommand(1);
    auto* check = config->add_subcommand("check", "Check a config file without the daemon (same messages)");
    check->add_option("file", o.file, "The file (default: the one the daemon would read)");
    check->callback([&chosen] { chosen = config_check; });
    auto* meeting = app.add_subcommand("meeting", "Hold reminders through a call stretch cannot see");
    meeting->require_subcommand(1);
    auto* start = meeting->add_subcommand("start", "In a meeting from now (a phone call, a meeting room)");
    start->add_option("--for", o.duration, "How long, e.g. 45m (default: until stretch meeting end)")
        ->option_text("DURATION");
    start->callback([&chosen] { chosen = meeting_start; });
    meeting->add_subcommand("end", "The meeting is over")->callback([&chosen] { chosen = meeting_end; });

    try {
        app.parse(argc, argv);
        return chosen(o);
    } catch (const CLI::CallForHelp&) {
        print_human(app.help());
        return 0;
    } catch (const CLI::CallForVersion&) {
        out(fmt::format("stretch {}\n", version));
        return 0;
    } catch (const CLI::ParseError& e) {
        fmt::print(stderr, "stretch: {}\n", usage_message(app, e));
        return exit_usage;
    } catch (const Usage& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_usage;
    } catch (const DaemonRefused& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return refusal_exit(e.code());
    } catch (const DaemonNotRunning& e) {
        fmt::print(stderr,
                   "stretch: {}: start it with systemctl --user start stretchd (or scripts/run from a source tree)\n",
                   e.what());
        return exit_not_running;
    } catch (const OutputFailed&) {
        throw;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_usage;
    }
}

}  // namespace
}  // namespace stretch

int main(int argc, char** argv) {
    using namespace stretch;
    // Outside run(): a message printed by one of its handlers may fail too.
    try {
        return run(argc, argv);
    } catch (const OutputFailed& e) {
        if (e.error() == EPIPE) return exit_broken_pipe;  // the reader has gone: no one to tell
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_refused;
    }
}
