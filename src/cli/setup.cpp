#include "cli/setup.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>
#include <string_view>

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
    if (json) {
        out(protocol::ok_reply({{"path", path.string()}, {"created", created}}));
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
    out(next_steps);
    return 0;
}

}  // namespace stretch
