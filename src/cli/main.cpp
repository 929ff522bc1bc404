// stretch: the command-line client of stretchd. Every subcommand is one
// request over the socket, except `config check` (no daemon needed), `watch`
// (a subscription) and `guide` (a walk-through ending in `done`).
//
// Exit codes: 0 success, 1 the daemon refused, 2 usage error, 3 the daemon
// is not running.

#include <thread>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/client.hpp"
#include "cli/doctor_view.hpp"
#include "cli/guide.hpp"
#include "cli/render.hpp"
#include "cli/setup.hpp"
#include "cli/stats_view.hpp"
#include "core/config.hpp"
#include "core/duration.hpp"
#include "ipc/config_file.hpp"
#include "ipc/paths.hpp"
#include "ipc/protocol.hpp"
#include "version.hpp"

namespace stretch {
namespace {

using nlohmann::json;

constexpr int exit_refused = 1;
constexpr int exit_usage = 2;
constexpr int exit_not_running = 3;

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
    int days = 0;
    bool week = false, month = false, csv = false;
    std::string since;
};

class Usage : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

Client connect(const Options& o) { return Client(socket_path(o.socket)); }

std::string short_time(const json& seconds) { return format_duration_short(std::chrono::seconds(seconds.get<std::int64_t>())); }

// Sends one request; prints the raw reply with --json, else hands it to `human`.
int simple(const Options& o, std::string_view cmd, json args, const std::function<std::string(const json&)>& human) {
    auto client = connect(o);
    json reply = client.call(cmd, std::move(args));
    if (o.json) {
        fmt::print("{}\n", protocol::dump(reply));
        return reply.value("ok", false) ? 0 : exit_refused;
    }
    if (!reply.value("ok", false)) {
        auto error = reply.value("error", json::object());
        throw DaemonRefused(error.value("code", "unknown"), error.value("message", "stretchd refused the request"));
    }
    fmt::print("{}", human(reply));
    return 0;
}

json rule_arg(const Options& o) { return o.rule.empty() ? json::object() : json{{"break", o.rule}}; }

int watch(const Options& o) {
    auto render = o.format == "waybar" ? render_watch_waybar : o.format == "i3blocks" ? render_watch_i3blocks : render_watch_plain;
    bool told_down = false;
    for (;;) {
        try {
            auto client = connect(o);
            json reply = client.request("subscribe");
            client.wait_forever();
            told_down = false;
            fmt::print("{}\n", o.json ? protocol::dump(reply) : render(reply));
            std::fflush(stdout);
            while (auto event = client.read_line()) {
                if (o.json) fmt::print("{}\n", protocol::dump(*event));
                else if (event->contains("status")) fmt::print("{}\n", render((*event)["status"]));
                // The bell fallback: the terminal running `stretch watch` is the last way to reach the user.
                if (event->value("event", "") == "bell" && !o.json && o.format == "plain")
                    fmt::print("\a{}\n", event->value("text", "Time for a break"));
                std::fflush(stdout);
            }
        } catch (const DaemonNotRunning& e) {
            if (!told_down) {
                // Status bars show this line until the daemon is back.
                if (o.format == "waybar") fmt::print("{}\n", protocol::dump(json{{"text", "🧘 off"}, {"tooltip", e.what()}, {"class", "stopped"}, {"percentage", 0}}));
                else fmt::print("🧘 off\n");
                std::fflush(stdout);
                told_down = true;
            }
        }
        std::this_thread::sleep_for(std::chrono::seconds(2));
    }
}

int guide(const Options& o) {
    auto style = style_for(stdout);
    std::string id = o.id;
    if (id.empty()) {
        json next = connect(o).request("next");
        if (!next["next"].is_object() || !next["next"]["stretch"].is_object()) throw Usage("no stretch is suggested right now: name one, e.g. stretch guide childs-pose");
        id = next["next"]["stretch"].value("id", "");
    }
    json stretch = connect(o).request("show", {{"id", id}})["stretch"];
    double pace = 1.0;
    if (auto p = env("STRETCH_GUIDE_PACE")) pace = std::stod(*p);  // tests run the guide fast
    if (!run_guide(stretch, style, pace)) {
        fmt::print("\nStopped. The break is not marked as done.\n");
        return 130;
    }
    // A fresh connection: the guide outlasts the daemon's patience with a silent client.
    json reply = connect(o).request("done");
    fmt::print("The {} break is marked as taken.\n", reply.value("break", ""));
    return 0;
}

int stats(const Options& o) {
    if (o.json && o.csv) throw Usage("stats: give --json or --csv, not both");
    int days = o.week ? 7 : o.month ? 30 : o.days > 0 ? o.days : 1;
    return simple(o, "stats", {{"days", days}}, [&](const json& r) {
        return o.csv ? render_stats_csv(r) : render_stats(r, style_for(stdout));
    });
}

// With --json, shaped like a daemon reply so that scripts read both alike;
// "path" is null when the built-in default is in use.
int config_check(const Options& o) {
    std::optional<std::filesystem::path> path;
    if (!o.file.empty()) path = o.file;
    if (!path && !std::filesystem::exists(user_config_path())) {
        if (o.json)
            fmt::print("{}\n", protocol::dump(json{{"ok", true}, {"v", protocol::version}, {"path", nullptr}}));
        else
            fmt::print("No config file at {}: the built-in default is in use, and it is valid.\n",
                       user_config_path().string());
        return 0;
    }
    try {
        auto loaded = load_config_file(path);
        if (o.json)
            fmt::print("{}\n", protocol::dump(json{{"ok", true}, {"v", protocol::version}, {"path", loaded.source}}));
        else
            fmt::print("{}: ok ({} break rules, {} stretches)\n", loaded.source, loaded.config.breaks.size(),
                       loaded.config.stretches.size());
        return 0;
    } catch (const ConfigError& e) {
        if (o.json)
            fmt::print("{}", protocol::error_reply("config_invalid", e.what()));
        else
            fmt::print(stderr, "{}\n", e.what());
        return exit_refused;
    }
}

struct Subcommand {
    std::string_view name;
    std::string_view help;
    std::function<void(CLI::App&, Options&)> setup;
    std::function<int(Options&)> run;
};

std::vector<Subcommand> subcommands() {
    return {
        {"status", "Show sitting time and every break", nullptr,
         [](Options& o) { return simple(o, "status", {}, [](const json& r) { return render_status(r, style_for(stdout)); }); }},
        {"doctor", "Show how activity is tracked and how to fix what is missing", nullptr,
         [](Options& o) { return simple(o, "doctor", {}, [](const json& r) { return render_doctor(r, style_for(stdout)); }); }},
        {"next", "Show the next break and its stretch",
         [](CLI::App& c, Options& o) {
             c.add_option("--format", o.format, "plain, or short for a prompt or tmux")->check(CLI::IsMember({"plain", "short"}));
         },
         [](Options& o) {
             return simple(o, "next", {}, [&](const json& r) {
                 return o.format == "short" ? render_next_short(r) + "\n" : render_next(r, style_for(stdout));
             });
         }},
        {"snooze", "Postpone the current break",
         [](CLI::App& c, Options& o) {
             c.add_option("duration", o.duration, "How long, e.g. 10m (default: the break's snooze length)");
             c.add_option("--break", o.rule, "Which break rule (default: the current one)");
         },
         [](Options& o) {
             json args = rule_arg(o);
             if (!o.duration.empty()) {
                 if (!parse_duration(o.duration)) throw Usage(fmt::format("snooze \"{}\": expected a duration like 10m or 1h30m", o.duration));
                 args["for"] = o.duration;
             }
             return simple(o, "snooze", args, [](const json& r) {
                 return fmt::format("Snoozed the {} break: reminding you in {} ({} of {} snoozes used).\n", r.value("break", ""),
                                    short_time(r["snoozed_for_s"]), r.value("snoozes", 0), r.value("max_snoozes", 0));
             });
         }},
        {"skip", "Skip the current break",
         [](CLI::App& c, Options& o) { c.add_option("--break", o.rule, "Which break rule (default: the current one)"); },
         [](Options& o) { return simple(o, "skip", rule_arg(o), [](const json& r) { return fmt::format("Skipped the {} break.\n", r.value("break", "")); }); }},
        {"done", "Mark the current break as taken",
         [](CLI::App& c, Options& o) { c.add_option("--break", o.rule, "Which break rule (default: the current one)"); },
         [](Options& o) {
             return simple(o, "done", rule_arg(o), [](const json& r) { return fmt::format("Well done: the {} break is marked as taken.\n", r.value("break", "")); });
         }},
        {"pause", "Silence reminders for a while",
         [](CLI::App& c, Options& o) {
             c.add_option("duration", o.duration, "How long, e.g. 1h (default: until resume)");
             c.add_option("--until", o.until, "Until a local time, e.g. 14:00");
         },
         [](Options& o) {
             json args = json::object();
             if (!o.duration.empty() && !o.until.empty()) throw Usage("pause: give a duration or --until, not both");
             if (!o.duration.empty()) {
                 if (!parse_duration(o.duration)) throw Usage(fmt::format("pause \"{}\": expected a duration like 30m or 1h30m", o.duration));
                 args["for"] = o.duration;
             }
             if (!o.until.empty()) {
                 if (!parse_clock(o.until)) throw Usage(fmt::format("pause --until \"{}\": expected a time like 14:00", o.until));
                 args["until"] = o.until;
             }
             return simple(o, "pause", args, [](const json& r) {
                 auto left = r.value("paused_for_s", 0);
                 return left > 0 ? fmt::format("Reminders paused for {}. Sitting time is still tracked.\n", short_time(r["paused_for_s"]))
                                 : std::string("Reminders paused until \"stretch resume\". Sitting time is still tracked.\n");
             });
         }},
        {"resume", "End a pause", nullptr,
         [](Options& o) { return simple(o, "resume", {}, [](const json&) { return std::string("Reminders are back on.\n"); }); }},
        {"stand", "Standing from now: sitting time stops", nullptr,
         [](Options& o) {
             return simple(o, "stand", {}, [](const json&) { return std::string("Standing: sitting time is on hold. Run \"stretch sit\" when you sit down.\n"); });
         }},
        {"sit", "Sitting again", nullptr,
         [](Options& o) { return simple(o, "sit", {}, [](const json&) { return std::string("Sitting again: sitting time counts from now.\n"); }); }},
        {"list", "List the stretch library",
         [](CLI::App& c, Options& o) {
             c.add_option("--target", o.target, "Only stretches for this body area");
             c.add_option("--position", o.position, "Only seated, standing or floor");
             c.add_option("--tag", o.tag, "Only stretches with this tag");
             c.add_option("--format", o.format, "plain, or ids (one id per line)")->check(CLI::IsMember({"plain", "ids"}));
         },
         [](Options& o) {
             json args = json::object();
             if (!o.target.empty()) args["target"] = o.target;
             if (!o.position.empty()) args["position"] = o.position;
             if (!o.tag.empty()) args["tag"] = o.tag;
             return simple(o, "list", args, [&](const json& r) {
                 if (o.format != "ids") return render_list(r, style_for(stdout));
                 std::string out;
                 for (auto& s : r["stretches"]) out += s.value("id", "") + "\n";
                 return out;
             });
         }},
        {"show", "Show one stretch with its steps",
         [](CLI::App& c, Options& o) { c.add_option("id", o.id, "The stretch's id (see stretch list)")->required(); },
         [](Options& o) { return simple(o, "show", {{"id", o.id}}, [](const json& r) { return render_stretch(r["stretch"], style_for(stdout)); }); }},
        {"guide", "Walk through a stretch in the terminal, then mark the break done",
         [](CLI::App& c, Options& o) { c.add_option("id", o.id, "The stretch (default: the one suggested next)"); },
         [](Options& o) { return guide(o); }},
        {"stats", "Show sitting time and breaks, today or day by day",
         [](CLI::App& c, Options& o) {
             auto* days = c.add_option("--days", o.days, "The last N days, today included (1 to 366)");
             days->check(CLI::Range(1, 366));
             auto* week = c.add_flag("--week", o.week, "The last 7 days");
             auto* month = c.add_flag("--month", o.month, "The last 30 days");
             days->excludes(week)->excludes(month);
             week->excludes(month);
             c.add_flag("--csv", o.csv, "One row per day, comma-separated, with a header row");
         },
         [](Options& o) { return stats(o); }},
        {"history", "List the recorded events, one per line",
         [](CLI::App& c, Options& o) {
             c.add_option("--since", o.since, "From this local date on, e.g. 2025-11-24 (default: today)");
         },
         [](Options& o) {
             json args = json::object();
             if (!o.since.empty()) args["since"] = o.since;
             return simple(o, "history", args, [](const json& r) { return render_history(r, style_for(stdout)); });
         }},
        {"reload", "Make the daemon re-read its config", nullptr,
         [](Options& o) { return simple(o, "reload", {}, [](const json& r) { return fmt::format("Config reloaded from {}.\n", r.value("config", "")); }); }},
        {"watch", "Stream one line per change, for status bars",
         [](CLI::App& c, Options& o) {
             c.add_option("--format", o.format, "plain, waybar or i3blocks")->check(CLI::IsMember({"plain", "waybar", "i3blocks"}));
         },
         [](Options& o) { return watch(o); }},
        {"setup", "Put a config file in place and show how to start the service", nullptr,
         [](Options&) { return run_setup(); }},
        {"version", "Show the versions of stretch and stretchd", nullptr,
         [](Options& o) {
             if (!o.json) fmt::print("stretch {}\n", version);
             return simple(o, "version", {}, [](const json& r) {
                 return fmt::format("stretchd {} (protocol {})\n", r.value("version", "?"), r.value("protocol", 0));
             });
         }},
    };
}

}  // namespace
}  // namespace stretch

int main(int argc, char** argv) {
    using namespace stretch;
    CLI::App app{"stretch: talk to stretchd, the break reminder. With no command, shows the status."};
    app.set_version_flag("--version", fmt::format("stretch {}", version));
    app.require_subcommand(0, 1);
    app.fallthrough();
    Options o;
    app.add_option("--socket", o.socket, "The daemon's socket (default: $STRETCH_SOCKET or $XDG_RUNTIME_DIR/stretch/stretchd.sock)");
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
    auto* check = config->add_subcommand("check", "Validate a config file without the daemon (same messages)");
    check->add_option("file", o.file, "The file (default: the one the daemon would read)");
    check->callback([&chosen] { chosen = config_check; });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? 0 : exit_usage;
    }
    try {
        return chosen(o);
    } catch (const Usage& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_usage;
    } catch (const DaemonRefused& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_refused;
    } catch (const DaemonNotRunning& e) {
        fmt::print(stderr,
                   "stretch: {}: start it with systemctl --user start stretchd (or scripts/run from a source tree)\n",
                   e.what());
        return exit_not_running;
    } catch (const std::exception& e) {
        fmt::print(stderr, "stretch: {}\n", e.what());
        return exit_usage;
    }
}
