#include "cli/setup.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <iostream>

#include <cerrno>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "cli/output.hpp"
#include "cli/terminal.hpp"
#include "shared/paths.hpp"
#include "shared/private_path.hpp"
#include "shared/protocol.hpp"
#include "shared/unique_fd.hpp"

namespace stretch {

// config/setup.toml, built into the program (cmake/embed.cmake).
std::string_view setup_config_text();

namespace {

namespace fs = std::filesystem;

// What could not be done, to which path, and the system's reason.
struct SetupError {
    std::string_view action;
    fs::path path;
    std::error_code why;
};

SetupError from_errno(std::string_view action, const fs::path& path) {
    return {action, path, std::error_code(errno, std::generic_category())};
}

constexpr std::string_view next_steps = R"(
To start stretchd with your graphical session:

    systemctl --user daemon-reload
    systemctl --user enable --now stretchd.socket stretchd.service

On sway or i3, services cannot reach your display until you pass it on. Add
one of these lines to your sway or i3 config (the second also reaches
programs started over D-Bus, such as a notification daemon):

    exec systemctl --user import-environment DISPLAY WAYLAND_DISPLAY SWAYSOCK XDG_CURRENT_DESKTOP
    exec dbus-update-activation-environment --systemd DISPLAY WAYLAND_DISPLAY SWAYSOCK XDG_CURRENT_DESKTOP

Then check that it runs:

    stretch status
)";

// O_EXCL: a file that appeared since the check is still never overwritten.
// 0600, as every file stretch writes for the user: a config can say when
// and where its owner works.
void write_new_file(const fs::path& path, std::string_view text) {
    UniqueFd fd = create_private_file(path);
    if (!fd) throw from_errno("cannot create", path);
    while (!text.empty()) {
        ssize_t n = ::write(fd.get(), text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            SetupError error = from_errno("cannot write", path);
            fd.reset();
            ::unlink(path.c_str());
            throw error;
        }
        text.remove_prefix(static_cast<std::size_t>(n));
    }
}

constexpr const char* gnome_breaks_key = "/org/gnome/desktop/break-reminders/selected-breaks";

// Runs a program (no shell) and returns what it printed and whether it
// exited 0; nullopt when it cannot run (dconf not installed: not GNOME).
std::optional<std::string> run_program(std::vector<std::string> args) {
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    UniqueFd rd(fds[0]), wr(fds[1]);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, wr.get(), STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, rd.get());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = 0;
    int r = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    wr.reset();
    if (r != 0) return std::nullopt;
    std::string text;
    char buf[512];
    ssize_t n;
    while ((n = ::read(rd.get(), buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(n));
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) return std::nullopt;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    return text;
}

// GNOME 48+'s own break reminders, when any is selected: the value as dconf shows it.
std::optional<std::string> gnome_breaks_selected() {
    auto v = run_program({"dconf", "read", gnome_breaks_key});
    if (!v || v->empty() || *v == "@as []" || *v == "[]") return std::nullopt;
    return v;
}

constexpr std::string_view turn_gnome_off = "gsettings set org.gnome.desktop.break-reminders selected-breaks \"[]\"";
constexpr std::string_view turn_stretch_off = "systemctl --user disable --now stretchd.socket stretchd.service";

// Two reminders for one break help no one: ask which to keep when there is
// someone to ask, else say what each choice would take.
void offer_gnome_breaks_choice(const std::string& selected) {
    out(fit_to_terminal(fmt::format(
        "\nGNOME's own break reminders are on ({}), so you would get two reminders for one break.\n", selected)));
    if (!::isatty(STDIN_FILENO)) {
        out(fmt::format("Not asked (no terminal). To keep stretch's only, turn GNOME's off:\n\n    {}\n\n"
                        "To keep GNOME's only, do not enable stretchd (or: {}).\n",
                        turn_gnome_off, turn_stretch_off));
        return;
    }
    out("Keep which? [s] stretch's (turn GNOME's off)  [g] GNOME's (do not use stretchd)  [b] both: ");
    std::fflush(stdout);
    std::string answer;
    std::getline(std::cin, answer);
    if (answer == "s" || answer == "S") {
        if (run_program({"dconf", "write", gnome_breaks_key, "@as []"}))
            out("GNOME's break reminders are off; stretch reminds you.\n");
        else
            out(fmt::format("Could not turn them off; run: {}\n", turn_gnome_off));
    } else if (answer == "g" || answer == "G") {
        out(fmt::format("Then skip the systemctl commands below; if stretchd already runs, stop it with:\n\n    {}\n",
                        turn_stretch_off));
    } else {
        out(fmt::format("Both stay on. To turn GNOME's off later: {}\n", turn_gnome_off));
    }
}

}  // namespace

int run_setup(bool json) {
    fs::path path = user_config_path();
    auto fail = [&](const std::string& message) {
        if (json)
            out(protocol::error_reply("setup_failed", message));
        else
            fmt::print(stderr, "stretch: setup: {}\n", message);
        return 1;
    };
    if (path.is_relative())
        return fail("neither XDG_CONFIG_HOME nor HOME is set, so there is no place for the config file");
    std::error_code ec;
    bool created = !fs::exists(fs::symlink_status(path, ec));
    if (created) {
        try {
            if (!fs::is_directory(path.parent_path(), ec)) make_private_directory("config directory", path.parent_path());
            write_new_file(path, setup_config_text());
        } catch (const SetupError& e) {
            return fail(fmt::format("{} \"{}\": {}", e.action, e.path.string(), e.why.message()));
        } catch (const PrivatePathError& e) {
            return fail(e.full());
        }
    }
    auto gnome_breaks = gnome_breaks_selected();
    if (json) {
        nlohmann::json reply = {{"path", path.string()}, {"created", created}};
        // Only when on, so the reply elsewhere stays as it always was.
        if (gnome_breaks) reply["gnome_break_reminders"] = *gnome_breaks;
        out(protocol::ok_reply(reply));
        return 0;
    }
    // The prose fits the terminal; the commands below stay whole, to be copied.
    if (created)
        out(
            fit_to_terminal(fmt::format("Created {}.\n"
                                        "Every setting in it is commented out, so the built-in defaults and the\n"
                                        "whole built-in library of stretches stay in use until you change a line.\n"
                                        "Check it after editing with: stretch config check\n",
                                        path.string())));
    else
        out(fit_to_terminal(fmt::format(
            "Your config file is already at {}; it was left as it is.\nCheck it with: stretch config check\n",
            path.string())));
    if (gnome_breaks) offer_gnome_breaks_choice(*gnome_breaks);
    out(next_steps);
    return 0;
}

}  // namespace stretch
