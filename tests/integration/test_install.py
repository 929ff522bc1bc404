"""Integration tests: installing stretch.

`cmake --install` into a DESTDIR and where each file lands; the installed
programs, units (systemd-analyze verify), man pages (man --warnings) and
shell completions (bash, zsh and fish, each driven for real); `stretch
setup`; the config examples of the README and of stretch.toml(5); and the
.deb built by cpack, inspected with dpkg-deb. Nothing is installed on this
machine: every install goes into a private temporary directory.

Run: STRETCH_BUILD_DIR=build STRETCH_SOURCE_DIR=. STRETCHD=... STRETCH=... \\
     /usr/bin/python3 tests/integration/test_install.py -v
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import gzip  # noqa: E402
import json  # noqa: E402
import pty  # noqa: E402
import re  # noqa: E402
import select  # noqa: E402
import shutil  # noqa: E402
import stat  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import tomllib  # noqa: E402
import unittest  # noqa: E402

from harness import ROOT, STRETCH, STRETCHD, Daemon, base_env, make_tempdir  # noqa: E402

SOURCE = os.path.abspath(os.environ.get("STRETCH_SOURCE_DIR") or ROOT)
BUILD = os.path.abspath(os.environ.get("STRETCH_BUILD_DIR") or os.path.join(ROOT, "build"))

# Where each installed file goes on Debian, relative to DESTDIR.
EXPECTED_FILES = (
    "usr/bin/stretchd",
    "usr/bin/stretch",
    "usr/lib/systemd/user/stretchd.service",
    "usr/lib/systemd/user/stretchd.socket",
    "usr/share/stretch/stretch.toml",
    "usr/share/doc/stretch/README.md",
    "usr/share/doc/stretch/protocol.md",
    "usr/share/doc/stretch/schedule.md",
    "usr/share/doc/stretch/architecture.md",
    "usr/share/man/man1/stretch.1.gz",
    "usr/share/man/man1/stretchd.1.gz",
    "usr/share/man/man5/stretch.toml.5.gz",
    "usr/share/bash-completion/completions/stretch",
    "usr/share/zsh/vendor-completions/_stretch",
    "usr/share/fish/vendor_completions.d/stretch.fish",
    "usr/share/applications/stretch.desktop",
    "usr/share/applications/stretchd.desktop",
    "usr/share/icons/hicolor/scalable/apps/stretch.svg",
)
MAN_PAGES = ("usr/share/man/man1/stretch.1.gz", "usr/share/man/man1/stretchd.1.gz", "usr/share/man/man5/stretch.toml.5.gz")
BASH_COMPLETION = "usr/share/bash-completion/completions/stretch"
ZSH_COMPLETION = "usr/share/zsh/vendor-completions/_stretch"
FISH_COMPLETION = "usr/share/fish/vendor_completions.d/stretch.fish"

# The bash-completion library the script builds on, as Debian installs it.
BASH_COMPLETION_LIB = "/usr/share/bash-completion/bash_completion"

FORMATS = {"next": {"plain", "short"}, "watch": {"plain", "waybar", "i3blocks"}, "list": {"plain", "ids"}}


def run(cmd, env=None, timeout=60, cwd=None, input=None):
    return subprocess.run(cmd, env=env, cwd=cwd, input=input, capture_output=True, text=True, timeout=timeout,
                          encoding="utf-8", errors="replace", stdin=None if input is not None else subprocess.DEVNULL)


def require(*tools):
    """Skips the test, naming the package, when a tool is missing (scripts/deps.sh --test installs them all)."""
    for tool in tools:
        if not shutil.which(tool):
            raise unittest.SkipTest(f"{tool} is not installed (scripts/deps.sh --test installs it)")


def cache_value(name):
    """NAME's value in the build's CMakeCache.txt, or None."""
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        m = re.search(rf"^{re.escape(name)}:[A-Z]+=(.*)$", f.read(), re.M)
    return m.group(1) if m else None


def project_version():
    version = cache_value("CMAKE_PROJECT_VERSION")
    if not version:
        raise AssertionError(f"no CMAKE_PROJECT_VERSION in {BUILD}/CMakeCache.txt")
    return version


def body_areas():
    """The body areas of body_areas() in src/core/stretch.cpp, which the completions and pages must offer."""
    with open(os.path.join(SOURCE, "src", "core", "stretch.cpp")) as f:
        m = re.search(r"body_areas\(\)\s*\{.*?areas\s*=\s*\{(.*?)\};", f.read(), re.S)
    if not m:
        raise AssertionError("body_areas() not found in src/core/stretch.cpp: update this test")
    return re.findall(r'"([a-z-]+)"', m.group(1))


def help_of(program, *args):
    """(subcommands, options) listed by PROGRAM ARGS --help (CLI11's layout)."""
    r = run([program, *args, "--help"])
    if r.returncode != 0:
        raise AssertionError(f"{program} {' '.join(args)} --help -> {r.returncode}: {r.stderr}")
    options = set(re.findall(r"^\s+(?:-\w,)?(--[a-z][a-z-]*)", r.stdout, re.M)) - {"--help"}
    subcommands = []
    if "\nSubcommands:\n" in r.stdout:
        subcommands = re.findall(r"^  ([a-z]+)\s", r.stdout.split("\nSubcommands:\n", 1)[1], re.M)
    return subcommands, options


def cli_commands():
    """Every subcommand of stretch with its options, from stretch --help: the truth the docs must follow."""
    names, _ = help_of(STRETCH)
    commands = {}
    for name in names:
        subs, options = help_of(STRETCH, name)
        if subs:
            for sub in subs:
                commands[f"{name} {sub}"] = help_of(STRETCH, name, sub)[1]
        else:
            commands[name] = options
    return commands


def install(destdir):
    """cmake --install BUILD --prefix /usr into DESTDIR, as a package build does."""
    env = dict(os.environ, DESTDIR=destdir)
    r = run(["cmake", "--install", BUILD, "--prefix", "/usr"], env=env, timeout=120)
    if r.returncode != 0:
        raise AssertionError(f"cmake --install failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return destdir


def toml_blocks(text, fence="```toml"):
    """The bodies of the fenced blocks opening with `fence`."""
    return re.findall(re.escape(fence) + r"\n(.*?)```", text, re.S)


OUR_UNITS = ("stretchd.service", "stretchd.socket")


def about_our_units(text):
    """The lines of a tool's output that name one of our units. The machine
    may have other user units installed (mako, dunst...) that the tool loads
    and complains about; those are not ours to test."""
    return [line for line in text.splitlines() if any(unit in line for unit in OUR_UNITS)]


class InstallTestCase(unittest.TestCase):
    """Each test: a private temp dir holding a fresh DESTDIR install (`self.root`)."""

    def setUp(self):
        self.tmp = make_tempdir("stretch-install-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.env = base_env(self.tmp)
        self.env["XDG_DATA_HOME"] = os.path.join(self.tmp, "data")
        self.root = install(os.path.join(self.tmp, "destdir"))

    def path(self, relative):
        return os.path.join(self.root, relative)

    def read(self, relative):
        with open(self.path(relative)) as f:
            return f.read()

    def cli(self, *args, env=None):
        return run([self.path("usr/bin/stretch"), *args], env=env or self.env)

    def start_daemon(self):
        """A stretchd on the built-in config, on a socket in the temp dir; STRETCH_SOCKET points at it."""
        sock = os.path.join(self.tmp, "run", "stretchd.sock")
        daemon = Daemon(self.tmp, self.env, socket_path=sock, args=("--default-config",))
        self.addCleanup(daemon.kill)
        self.addCleanup(daemon.stop)
        daemon.start()
        self.env["STRETCH_SOCKET"] = sock
        self.env["PATH"] = self.path("usr/bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        return daemon


class TestFilesAndPrograms(InstallTestCase):
    def test_every_file_lands_where_debian_expects_it(self):
        missing = [f for f in EXPECTED_FILES if not os.path.isfile(self.path(f))]
        self.assertEqual(missing, [], f"not installed under {self.root}")
        for program in ("usr/bin/stretchd", "usr/bin/stretch"):
            self.assertTrue(os.stat(self.path(program)).st_mode & stat.S_IXOTH, f"{program} is not executable")
        for f in EXPECTED_FILES[2:]:
            self.assertEqual(stat.S_IMODE(os.stat(self.path(f)).st_mode), 0o644, f"{f}: mode")

    def test_stretchd_desktop_entry_names_the_installed_daemon(self):
        # KWin grants its window list to the program whose path is Exec=, alone.
        with open(self.path("usr/share/applications/stretchd.desktop")) as f:
            text = f.read()
        self.assertIn("\nExec=/usr/bin/stretchd\n", text)
        self.assertIn("\nX-KDE-Wayland-Interfaces=org_kde_plasma_window_management\n", text)
        self.assertIn("\nNoDisplay=true\n", text)

    def test_nothing_is_installed_outside_the_prefix(self):
        outside = [d for d in os.listdir(self.root) if d != "usr"]
        self.assertEqual(outside, [])

    def test_the_installed_programs_print_the_project_version(self):
        version = project_version()
        for program in ("stretch", "stretchd"):
            r = run([self.path(f"usr/bin/{program}"), "--version"], env=self.env)
            self.assertEqual((r.returncode, r.stdout.strip()), (0, f"{program} {version}"), r.stderr)

    def test_the_installed_example_config_is_the_built_in_default_and_valid(self):
        with open(os.path.join(SOURCE, "config", "stretch.toml")) as f:
            self.assertEqual(self.read("usr/share/stretch/stretch.toml"), f.read())
        r = self.cli("config", "check", self.path("usr/share/stretch/stretch.toml"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("stretch.toml: ok", r.stdout)

    def test_the_installed_readme_is_the_source_readme(self):
        with open(os.path.join(SOURCE, "README.md")) as f:
            self.assertEqual(self.read("usr/share/doc/stretch/README.md"), f.read())


class TestSystemdUnits(InstallTestCase):
    def setUp(self):
        require("systemd-analyze")
        super().setUp()
        self.units = os.path.join(self.tmp, "units")
        os.makedirs(self.units)

    def verify(self, *names):
        """systemd-analyze verify --user on copies of the units in self.units: (rc, stdout, stderr)."""
        env = dict(self.env, SYSTEMD_PAGER="cat", SYSTEMD_COLORS="0")
        r = run(["systemd-analyze", "verify", "--user", "--man=no", *[os.path.join(self.units, n) for n in names]],
                env=env, cwd=self.units)
        return r.returncode, r.stdout, r.stderr

    def copy_units(self, edit=lambda text: text):
        """Copies the installed units, with Exec*= pointed at the DESTDIR programs (verify needs them to exist)."""
        for name in ("stretchd.service", "stretchd.socket"):
            text = self.read(f"usr/lib/systemd/user/{name}")
            text = re.sub(r"^(Exec\w+=)\S*/bin/(stretchd?)\b", lambda m: m.group(1) + self.path("usr/bin/") + m.group(2),
                          text, flags=re.M)
            with open(os.path.join(self.units, name), "w") as f:
                f.write(edit(text))

    def test_the_installed_units_verify_without_a_single_warning(self):
        self.copy_units()
        rc, out, err = self.verify("stretchd.socket", "stretchd.service")
        self.assertEqual((rc, about_our_units(out + err)), (0, []), out + err)

    def test_the_verify_check_has_teeth_an_unknown_key_is_reported(self):
        # systemd-analyze only warns about a bad key (rc 0), so the test above relies on stderr.
        self.copy_units(lambda text: text.replace("[Service]\n", "[Service]\nBogusKey=1\n"))
        rc, out, err = self.verify("stretchd.service")
        lines = [line for line in about_our_units(err) if "BogusKey" in line]
        self.assertEqual(len(lines), 1, err)
        # systemd 252 says "key ... [Service]", later ones "key name ... 'Service'".
        where = f"{self.units}/stretchd.service:{self.line_of('stretchd.service', 'BogusKey=1')}"
        self.assertRegex(lines[0], rf"^{re.escape(where)}: Unknown key (name )?'BogusKey' in section "
                                   r"(\[Service\]|'Service'), ignoring\.$")

    def test_units_installed_by_others_do_not_matter(self):
        # Two notification daemons for one bus name, pulled in by the
        # session target as mako and dunst were on a machine that had both:
        # systemd-analyze complains about them, not about ours.
        user_units = os.path.join(self.env["XDG_CONFIG_HOME"], "systemd", "user")
        wants = os.path.join(user_units, "graphical-session.target.wants")
        os.makedirs(wants)
        for name in ("mako", "dunst"):
            with open(os.path.join(user_units, f"{name}.service"), "w") as f:
                f.write(f"[Unit]\nDescription={name}\n[Service]\nType=dbus\n"
                        "BusName=org.freedesktop.Notifications\nExecStart=/bin/true\n")
            os.symlink(os.path.join(user_units, f"{name}.service"), os.path.join(wants, f"{name}.service"))
        self.copy_units()
        rc, out, err = self.verify("stretchd.socket", "stretchd.service")
        if "org.freedesktop.Notifications" not in err:
            self.skipTest(f"this systemd-analyze does not report the clash: {err!r}")
        self.assertEqual((rc, about_our_units(out + err)), (0, []), out + err)

    def line_of(self, unit, text):
        with open(os.path.join(self.units, unit)) as f:
            return next(n for n, line in enumerate(f, 1) if line.rstrip("\n") == text)

    def test_the_service_runs_the_installed_daemon_and_reloads_through_the_cli(self):
        service = self.read("usr/lib/systemd/user/stretchd.service")
        self.assertRegex(service, r"(?m)^ExecStart=/\S*/bin/stretchd$")
        self.assertRegex(service, r"(?m)^ExecReload=/\S*/bin/stretch reload$")
        for setting in ("Type=notify", "Restart=on-failure", "WantedBy=graphical-session.target",
                        "PartOf=graphical-session.target", "After=graphical-session.target", "NoNewPrivileges=yes",
                        "RestrictAddressFamilies=AF_UNIX", "SystemCallFilter=@system-service"):
            self.assertRegex(service, rf"(?m)^{re.escape(setting)}$")
        self.assertRegex(service, r"(?m)^WatchdogSec=\d+")
        # The daemon's files live in the user's home and runtime dir: a private /tmp would hide nothing useful.
        self.assertNotIn("PrivateTmp", service)

    def test_the_socket_is_private_to_the_user(self):
        socket_unit = self.read("usr/lib/systemd/user/stretchd.socket")
        for setting in ("ListenStream=%t/stretch/stretchd.sock", "SocketMode=0600", "DirectoryMode=0700"):
            self.assertRegex(socket_unit, rf"(?m)^{re.escape(setting)}$")


class TestManPages(InstallTestCase):
    def setUp(self):
        require("man", "groff")
        super().setUp()

    def render(self, page, locale):
        env = dict(self.env, LC_ALL=locale, MANWIDTH="80", MANPAGER="cat", PAGER="cat")
        return run(["man", "-l", "--warnings", self.path(page)], env=env)

    def test_every_page_renders_without_a_warning_in_utf8_and_in_the_c_locale(self):
        for page in MAN_PAGES:
            for locale in ("C.UTF-8", "C"):
                with self.subTest(page=page, locale=locale):
                    r = self.render(page, locale)
                    self.assertEqual((r.returncode, r.stderr), (0, ""))
                    self.assertIn("NAME", r.stdout)
                    self.assertIn("SEE ALSO", r.stdout)

    def test_groff_finds_nothing_to_warn_about_in_the_built_pages(self):
        for page in ("stretch.1", "stretchd.1", "stretch.toml.5"):
            with self.subTest(page=page):
                r = run(["groff", "-k", "-man", "-Tutf8", "-ww", "-z", os.path.join(BUILD, "man", page)])
                self.assertEqual((r.returncode, r.stderr), (0, ""))

    def test_the_installed_pages_are_the_built_pages_compressed(self):
        for page in MAN_PAGES:
            with gzip.open(self.path(page), "rt") as f, open(os.path.join(BUILD, "man", os.path.basename(page)[:-3])) as g:
                self.assertEqual(f.read(), g.read())

    def test_stretch_1_describes_every_subcommand_and_option(self):
        with open(os.path.join(SOURCE, "man", "stretch.1.scd")) as f:
            page = f.read()
        for command, options in cli_commands().items():
            item = re.search(rf"^\*{re.escape(command)}\*.*$", page, re.M)
            self.assertIsNotNone(item, f"stretch(1) has no item for the subcommand {command!r}")
            for option in options:
                self.assertIn(f"*{option}*", item.group(0), f"stretch(1): {command} does not show {option}")
        _, options = help_of(STRETCH)
        for option in options:
            self.assertRegex(page, rf"(?m)^\*{re.escape(option)}\*", f"stretch(1) does not describe {option}")
        for needle in ("STRETCH_SOCKET", "NO_COLOR", "EXIT STATUS", "*0*", "*1*", "*2*", "*3*"):
            self.assertIn(needle, page)

    def test_stretchd_1_describes_every_option_and_signal(self):
        with open(os.path.join(SOURCE, "man", "stretchd.1.scd")) as f:
            page = f.read()
        _, options = help_of(STRETCHD)
        for option in options:
            self.assertRegex(page, rf"(?m)^\*{re.escape(option)}\*", f"stretchd(1) does not describe {option}")
        for needle in ("SIGTERM", "SIGINT", "SIGHUP", "stretchd.socket", "%t/stretch/stretchd.sock"):
            self.assertIn(needle, page)

    def test_stretch_toml_5_lists_every_key_of_the_default_config_in_its_section(self):
        r = self.render("usr/share/man/man5/stretch.toml.5.gz", "C.UTF-8")
        text = r.stdout
        with open(os.path.join(SOURCE, "config", "stretch.toml"), "rb") as f:
            config = tomllib.load(f)
        for section, value in config.items():
            entries = value if isinstance(value, list) else [value]
            heading = f"[[{section}]]" if isinstance(value, list) else f"[{section}]"
            parts = re.split(rf"(?m)^   {re.escape(heading)}\n", text, maxsplit=1)
            self.assertEqual(len(parts), 2, f"no section {heading}")
            body = re.split(r"(?m)^\S|^   \S", parts[1], maxsplit=1)[0]
            for key in {k for entry in entries for k in entry}:
                self.assertRegex(body, rf"(?m)^       {re.escape(key)} \(", f"{heading} {key} is not documented")

    def test_the_pages_name_the_body_areas_the_loader_accepts(self):
        for page in ("stretch.1.scd", "stretch.toml.5.scd.in"):
            with open(os.path.join(SOURCE, "man", page)) as f:
                text = f.read()
            for area in body_areas():
                self.assertIn(area, text, f"{page} does not name the body area {area!r}")

    # Once a bug (issue 12): stretchd(1), shipped in the .deb, said activity detection "is not implemented yet"
    # long after it was.
    def test_the_pages_name_every_activity_source_and_notify_method_and_nothing_is_said_to_be_missing(self):
        def allowed(toml_text):
            path = os.path.join(self.tmp, "values.toml")
            with open(path, "w") as f:
                f.write(toml_text)
            r = self.cli("config", "check", path)
            self.assertNotEqual(r.returncode, 0)
            listed = re.search(r"expected (.*)", r.stdout + r.stderr)
            self.assertIsNotNone(listed, r.stdout + r.stderr)
            return re.findall(r'"([a-z0-9-]+)"', listed.group(1))
        sources = allowed('[tracking]\nsource = "bogus"\n')
        methods = allowed('[notify]\nmethods = ["bogus"]\n')
        self.assertIn("x11", sources)
        self.assertIn("bell", methods)
        with open(os.path.join(SOURCE, "man", "stretchd.1.scd")) as f:
            pages = {"stretchd.1": f.read()}
        pages["stretch.toml.5"] = self.render("usr/share/man/man5/stretch.toml.5.gz", "C.UTF-8").stdout
        for page, text in pages.items():
            for name in sources + methods:
                self.assertRegex(text, rf'\*{re.escape(name)}\*|"{re.escape(name)}"', f"{page} does not name {name!r}")
        for doc in ("man/stretch.1.scd", "man/stretchd.1.scd", "man/stretch.toml.5.scd.in", "README.md"):
            with open(os.path.join(SOURCE, doc)) as f:
                text = f.read()
            self.assertNotRegex(text, r"(?i)not (yet )?implemented", f"{doc} says something is missing")


class TestConfigExamples(InstallTestCase):
    def check(self, text, name):
        path = os.path.join(self.tmp, name)
        with open(path, "w") as f:
            f.write(text)
        r = self.cli("config", "check", path)
        self.assertEqual(r.returncode, 0, f"{name} is refused:\n{text}\n{r.stderr}")

    def test_every_example_of_the_readme_configuration_guide_loads(self):
        with open(os.path.join(SOURCE, "README.md")) as f:
            readme = f.read()
        guide = re.search(r"^## Configuration guide\n(.*?)^## ", readme, re.S | re.M)
        self.assertIsNotNone(guide, "no \"## Configuration guide\" section in README.md")
        blocks = toml_blocks(guide.group(1))
        self.assertGreaterEqual(len(blocks), 4, "the configuration guide has its examples in ```toml blocks")
        for n, block in enumerate(blocks, 1):
            with self.subTest(example=n):
                self.check(block, f"readme-{n}.toml")

    def test_every_example_of_stretch_toml_5_loads(self):
        with open(os.path.join(SOURCE, "man", "stretch.toml.5.scd.in")) as f:
            page = f.read()
        blocks = [b for b in toml_blocks(page, "```") if re.match(r"\[", b)]
        self.assertGreaterEqual(len(blocks), 5)
        for n, block in enumerate(blocks, 1):
            with self.subTest(example=n):
                self.check(block, f"man-{n}.toml")


class TestSetup(InstallTestCase):
    def effective(self, *args):
        """What stretch reads without a daemon, as JSON: the library in use with the user's file or without it."""
        self.env["STRETCH_SOCKET"] = os.path.join(self.tmp, "run", "nobody.sock")
        r = self.cli("--json", *args)
        self.assertEqual(r.returncode, 0, r.stderr)
        return json.loads(r.stdout)

    def test_setup_writes_a_short_commented_config_which_config_check_accepts(self):
        library = self.effective("list")
        r = self.cli("setup")
        self.assertEqual(r.returncode, 0, r.stderr)
        path = os.path.join(self.env["XDG_CONFIG_HOME"], "stretch", "config.toml")
        with open(path) as f:
            text = f.read()
        with open(os.path.join(SOURCE, "config", "setup.toml")) as f:
            self.assertEqual(text, f.read())
        # The directory it made and the file are the user's alone, as every file stretch writes for them.
        self.assertEqual(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o700)
        self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600)
        self.assertIn(path, r.stdout)
        for line in ("systemctl --user daemon-reload", "systemctl --user enable --now stretchd.socket stretchd.service",
                     "exec systemctl --user import-environment DISPLAY WAYLAND_DISPLAY SWAYSOCK XDG_CURRENT_DESKTOP",
                     "exec dbus-update-activation-environment --systemd DISPLAY WAYLAND_DISPLAY SWAYSOCK XDG_CURRENT_DESKTOP",
                     "stretch status"):
            self.assertIn(line, r.stdout)
        check = self.cli("config", "check")
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertIn(f"{path}: ok", check.stdout)
        # The built-in library stays in use, all of it: later versions' stretches reach the user.
        self.assertEqual(self.effective("list"), library)
        self.assertEqual(len(library["stretches"]), len(tomllib.loads(self.default_text())["stretch"]))

    def test_the_setup_file_changes_nothing_until_a_line_is_uncommented(self):
        self.assertEqual(self.cli("setup").returncode, 0)
        path = os.path.join(self.env["XDG_CONFIG_HOME"], "stretch", "config.toml")
        with open(path) as f:
            text = f.read()
        self.assertLess(len(text.splitlines()), 100)
        # Only section headers are live, and empty: every key keeps its built-in value.
        self.assertTrue(all(table == {} for table in tomllib.loads(text).values()), tomllib.loads(text))
        self.assertNotRegex(text, r"(?m)^\[\[")
        self.assertRegex(text, r"(?m)^# .*\[\[stretch\]\]")
        # The [[break]] example is the built-in rules, word for word once uncommented.
        example = "\n".join(line[2:] for line in text.splitlines() if line.startswith("# ") or line == "#")
        built_in = tomllib.loads(self.default_text())
        first_break = re.search(r"(?m)^\[\[break\]\]$", example).start()
        self.assertEqual(tomllib.loads(example[first_break:])["break"], built_in["break"])
        # A commented key shows its built-in value where it first appears (a second one, such as the
        # work-hours alternative, is an example).
        for section in ("schedule", "profile"):
            block = re.search(rf"(?ms)^\[{section}\]\n(.*?)^\[", text).group(1)
            shown = {}
            for line in block.splitlines():
                m = re.match(r"# (\w+) = ", line)
                if m and m.group(1) not in shown:
                    shown[m.group(1)] = tomllib.loads(line[2:])[m.group(1)]
            self.assertTrue(shown, section)
            for key, value in shown.items():
                self.assertEqual(value, built_in[section][key], f"[{section}] {key}")

    def default_text(self):
        with open(os.path.join(SOURCE, "config", "stretch.toml")) as f:
            return f.read()

    def test_setup_under_an_open_umask_still_writes_a_private_file(self):
        for mask in ("000", "022"):
            with self.subTest(umask=mask):
                config_home = os.path.join(self.tmp, f"config-{mask}")
                r = run(["/bin/sh", "-c", f'umask {mask}; exec "$0" setup', self.path("usr/bin/stretch")],
                        env=dict(self.env, XDG_CONFIG_HOME=config_home))
                self.assertEqual(r.returncode, 0, r.stderr)
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(config_home, "stretch")).st_mode), 0o700)
                self.assertEqual(stat.S_IMODE(os.stat(os.path.join(config_home, "stretch", "config.toml")).st_mode), 0o600)

    def test_without_xdg_config_home_setup_uses_dot_config_in_home(self):
        env = dict(self.env)
        del env["XDG_CONFIG_HOME"]
        r = self.cli("setup", env=env)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertTrue(os.path.isfile(os.path.join(env["HOME"], ".config", "stretch", "config.toml")))

    def test_a_second_setup_leaves_a_changed_file_alone_and_says_so(self):
        self.assertEqual(self.cli("setup").returncode, 0)
        path = os.path.join(self.env["XDG_CONFIG_HOME"], "stretch", "config.toml")
        mine = '[profile]\navoid = ["floor"]\n'
        with open(path, "w") as f:
            f.write(mine)
        r = self.cli("setup")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path) as f:
            self.assertEqual(f.read(), mine)
        self.assertIn("already", r.stdout)
        self.assertIn(path, r.stdout)
        self.assertIn("systemctl --user enable --now stretchd.socket stretchd.service", r.stdout)

    def test_a_config_that_cannot_be_written_is_exit_1_with_the_path_and_the_reason(self):
        # A regular file where the config directory should be: root cannot write through it either.
        blocker = os.path.join(self.tmp, "not-a-dir")
        with open(blocker, "w") as f:
            f.write("")
        r = self.cli("setup", env=dict(self.env, XDG_CONFIG_HOME=blocker))
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertRegex(r.stderr, rf"^stretch: setup: config directory \"{re.escape(blocker)}/stretch\": cannot be created: "
                                   rf"Not a directory: make sure \"{re.escape(blocker)}\" is a directory you can write in\n$")
        self.assertNotIn("systemctl", r.stdout)


class TestCompletions(InstallTestCase):
    """Each shell loads its installed script and completes for real."""

    def bash(self, line):
        """COMPREPLY after Tab at the end of `line`, from bash with bash-completion loaded."""
        require("bash")
        if not os.path.exists(BASH_COMPLETION_LIB):
            raise unittest.SkipTest("bash-completion is not installed (scripts/deps.sh --test installs it)")
        script = f"""
set -u
source {BASH_COMPLETION_LIB}
source {self.path(BASH_COMPLETION)}
COMP_LINE=$1
COMP_POINT=${{#COMP_LINE}}
read -ra COMP_WORDS <<<"$COMP_LINE"
[[ $COMP_LINE == *" " ]] && COMP_WORDS+=("")
COMP_CWORD=$((${{#COMP_WORDS[@]}} - 1))
COMPREPLY=()
_stretch
printf '%s\\n' "${{COMPREPLY[@]}}"
"""
        r = run(["bash", "-c", script, "bash", line], env=self.env, timeout=30)
        self.assertEqual((r.returncode, r.stderr), (0, ""), f"bash completion of {line!r}")
        return set(r.stdout.split())

    def fish(self, line):
        require("fish")
        r = run(["fish", "--no-config", "-c", f"source {self.path(FISH_COMPLETION)}; complete -C {line!r}"],
                env=self.env, timeout=30)
        self.assertEqual((r.returncode, r.stderr), (0, ""), f"fish completion of {line!r}")
        return {entry.split("\t")[0] for entry in r.stdout.splitlines()}

    def zsh(self, line, expect, timeout=10.0):
        """What an interactive zsh shows after `line` and a Tab; waits until `expect` shows up (or the timeout)."""
        require("zsh")
        fpath = os.path.dirname(self.path(ZSH_COMPLETION))
        master, slave = pty.openpty()
        env = dict(self.env, TERM="dumb")
        proc = subprocess.Popen(["zsh", "-f", "-i"], stdin=slave, stdout=slave, stderr=slave, env=env,
                                cwd=self.tmp, start_new_session=True)
        os.close(slave)
        output = b""

        def read_until(needle, deadline):
            nonlocal output
            while needle not in output and time.monotonic() < deadline:
                ready, _, _ = select.select([master], [], [], 0.1)
                if ready:
                    try:
                        output += os.read(master, 65536)
                    except OSError:  # the shell is gone
                        break
            return needle in output

        try:
            os.write(master, f"PS1='%% '; fpath=({fpath} $fpath); autoload -U compinit; compinit -u -D; "
                             "print READY-$((6 * 7))\n".encode())
            if not read_until(b"READY-42", time.monotonic() + timeout):
                self.fail(f"zsh did not start and load compinit:\n{output.decode(errors='replace')}")
            output = b""
            os.write(master, line.encode() + b"\t")
            read_until(expect.encode(), time.monotonic() + timeout)
            return output.decode(errors="replace")
        finally:
            proc.kill()
            proc.wait()
            os.close(master)

    def test_bash_completes_sn_to_snooze(self):
        self.assertEqual(self.bash("stretch sn"), {"snooze"})

    def test_bash_offers_every_subcommand(self):
        expected = {c.split()[0] for c in cli_commands()}
        self.assertEqual(self.bash("stretch "), expected)

    def test_bash_offers_the_formats_of_each_subcommand(self):
        for command, formats in FORMATS.items():
            with self.subTest(command=command):
                self.assertEqual(self.bash(f"stretch {command} --format "), formats)

    def test_bash_offers_every_body_area_for_target(self):
        self.assertEqual(self.bash("stretch list --target "), set(body_areas()))

    def test_bash_offers_the_options_of_each_subcommand(self):
        for command, options in cli_commands().items():
            with self.subTest(command=command):
                self.assertLessEqual(options, self.bash(f"stretch {command} --"))

    def test_zsh_script_parses_and_declares_itself_for_stretch(self):
        require("zsh")
        r = run(["zsh", "-n", self.path(ZSH_COMPLETION)])
        self.assertEqual((r.returncode, r.stderr), (0, ""))
        with open(self.path(ZSH_COMPLETION)) as f:
            self.assertEqual(f.readline().strip(), "#compdef stretch")

    def test_zsh_completes_sn_to_snooze(self):
        self.assertIn("stretch snooze", self.zsh("stretch sn", "snooze"))

    def test_zsh_offers_the_formats_of_watch(self):
        shown = self.zsh("stretch watch --format ", "waybar")
        for fmt in FORMATS["watch"]:
            self.assertIn(fmt, shown)

    def test_fish_completes_sn_to_snooze(self):
        self.assertEqual(self.fish("stretch sn"), {"snooze"})

    def test_fish_offers_the_formats_of_each_subcommand(self):
        for command, formats in FORMATS.items():
            with self.subTest(command=command):
                self.assertEqual(self.fish(f"stretch {command} --format "), formats)

    def test_fish_offers_every_subcommand(self):
        expected = {c.split()[0] for c in cli_commands()}
        self.assertEqual(self.fish("stretch "), expected)

    def test_fish_offers_the_options_of_each_subcommand(self):
        for command, options in cli_commands().items():
            with self.subTest(command=command):
                self.assertLessEqual(options, self.fish(f"stretch {command} --"))

    def test_the_zsh_script_knows_every_subcommand_and_option(self):
        # A text check: driving zsh through a terminal for each would take seconds apiece.
        with open(self.path(ZSH_COMPLETION)) as f:
            script = f.read()
        for command, options in cli_commands().items():
            for word in command.split():
                self.assertRegex(script, rf"['(]{word}\\?:", f"_stretch does not offer {command!r}")
            for option in options:
                self.assertRegex(script, rf"{option}[=\[]", f"_stretch does not offer {command} {option}")

    def test_fish_offers_every_body_area_for_target(self):
        self.assertEqual(self.fish("stretch list --target "), set(body_areas()))

    def test_every_shell_completes_stretch_ids_from_the_running_daemon(self):
        self.start_daemon()
        ids = set(run([self.path("usr/bin/stretch"), "list", "--format", "ids"], env=self.env).stdout.split())
        self.assertIn("childs-pose", ids)
        for command in ("show", "guide"):
            with self.subTest(shell="bash", command=command):
                self.assertEqual(self.bash(f"stretch {command} "), ids)
            with self.subTest(shell="fish", command=command):
                self.assertEqual(self.fish(f"stretch {command} "), ids)
        with self.subTest(shell="zsh"):
            shown = self.zsh("stretch show chi", "childs-pose")
            self.assertIn("childs-pose", shown)
            self.assertIn("chin-tuck", shown)

    def test_ids_come_from_the_socket_given_on_the_command_line(self):
        self.start_daemon()
        sock = self.env.pop("STRETCH_SOCKET")
        self.assertEqual(self.bash(f"stretch --socket {sock} show childs-p"), {"childs-pose"})
        self.assertEqual(self.fish(f"stretch --socket {sock} show childs-p"), {"childs-pose"})
        self.assertIn("childs-pose", self.zsh(f"stretch --socket {sock} show childs-p", "childs-pose"))

    def test_without_a_daemon_show_completes_the_built_in_library_quietly(self):
        self.env["STRETCH_SOCKET"] = os.path.join(self.tmp, "run", "nobody.sock")
        self.env["PATH"] = self.path("usr/bin") + ":" + os.environ.get("PATH", "/usr/bin:/bin")
        with open(os.path.join(SOURCE, "config", "stretch.toml"), "rb") as f:
            ids = {s["id"] for s in tomllib.load(f)["stretch"]}
        self.assertEqual(self.bash("stretch show "), ids)
        self.assertEqual(self.fish("stretch show "), ids)

    def test_help_completes_the_commands(self):
        expected = {c.split()[0] for c in cli_commands()}
        self.assertEqual(self.bash("stretch help "), expected)
        self.assertEqual(self.fish("stretch help "), expected)
        self.assertEqual(self.bash("stretch help config "), {"check"})


class TestUnitDirectory(unittest.TestCase):
    """Where the configured install rules put the units, read from the
    generated cmake_install.cmake of a scratch configure (nothing is built)."""

    def unit_destination(self, *options):
        require("cmake", "ninja")
        tmp = make_tempdir("stretch-unitdir-")
        self.addCleanup(shutil.rmtree, tmp, True)
        build = os.path.join(tmp, "build")
        r = run(["cmake", "-S", SOURCE, "-B", build, "-G", "Ninja", "-DSTRETCH_TESTS=OFF", *options], timeout=120)
        self.assertEqual(r.returncode, 0, r.stdout[-3000:] + r.stderr[-3000:])
        with open(os.path.join(build, "cmake_install.cmake"), encoding="utf-8") as f:
            rules = f.read()
        m = re.search(r'file\(INSTALL DESTINATION "([^"]*)" TYPE FILE FILES\s+"[^"]*/stretchd\.service"', rules)
        self.assertIsNotNone(m, f"no install rule for stretchd.service in:\n{rules}")
        return m.group(1)

    def test_systemd_user_unit_dir_decides_where_the_units_go(self):
        self.assertEqual(self.unit_destination("-DCMAKE_INSTALL_PREFIX=/usr", "-DSYSTEMD_USER_UNIT_DIR=/opt/stretch-units"),
                         "/opt/stretch-units")

    def test_under_usr_local_the_units_go_to_its_lib_systemd_user(self):
        self.assertEqual(self.unit_destination("-DCMAKE_INSTALL_PREFIX=/usr/local"), "${CMAKE_INSTALL_PREFIX}/lib/systemd/user")


@unittest.skipIf(os.environ.get("STRETCH_SANITIZED") == "1",
                 "nobody ships a sanitizer build: the normal build's suite makes and checks the .deb")
class TestDebianPackage(unittest.TestCase):
    """cpack -G DEB from a build configured for /usr, then dpkg-deb -c / -I / -x.

    The build under test is packaged when it was configured for /usr, as
    scripts/test does (cpack strips the programs, so the package is what a
    Release build would give but for the optimisation level); otherwise a
    scratch Release build for /usr is made, which takes minutes.

    The package is never installed with dpkg -i: that would change this machine.
    Inspecting its contents and control fields is what can be checked here.
    """

    @classmethod
    def setUpClass(cls):
        require("cmake", "ninja", "cpack", "dpkg-deb", "dpkg-shlibdeps", "scdoc")
        cls.tmp = make_tempdir("stretch-deb-")
        try:
            out = os.path.join(cls.tmp, "out")
            if cache_value("CMAKE_INSTALL_PREFIX") == "/usr":
                build = BUILD
                steps = ()
            else:
                build = os.path.join(cls.tmp, "build")
                steps = (
                    ["cmake", "-S", SOURCE, "-B", build, "-G", "Ninja", "-DCMAKE_BUILD_TYPE=Release",
                     "-DCMAKE_INSTALL_PREFIX=/usr", "-DSTRETCH_TESTS=OFF"],
                    ["ninja", "-C", build, "-j2"],
                )
            steps += (["cpack", "-G", "DEB", "--config", os.path.join(build, "CPackConfig.cmake"), "-B", out],)
            for step in steps:
                r = run(step, cwd=cls.tmp, timeout=900)
                if r.returncode != 0:
                    raise AssertionError(f"{' '.join(step)} -> {r.returncode}\n{r.stdout[-4000:]}\n{r.stderr[-4000:]}")
            debs = [f for f in os.listdir(out) if f.endswith(".deb")]
            if len(debs) != 1:
                raise AssertionError(f"expected one .deb, found {debs}")
            cls.deb = os.path.join(out, debs[0])
        except BaseException:
            shutil.rmtree(cls.tmp, ignore_errors=True)
            raise

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def field(self, name):
        r = run(["dpkg-deb", "--field", self.deb, name])
        self.assertEqual(r.returncode, 0, r.stderr)
        return r.stdout.strip()

    def test_the_package_is_named_and_versioned_after_the_project(self):
        self.assertEqual(self.field("Package"), "stretch")
        self.assertEqual(self.field("Version"), project_version())
        self.assertEqual(os.path.basename(self.deb), f"stretch_{project_version()}_{self.field('Architecture')}.deb")
        self.assertEqual(self.field("Section"), "utils")
        self.assertTrue(self.field("Maintainer"))
        self.assertTrue(self.field("Description"))

    def test_the_package_holds_every_file_under_usr(self):
        r = run(["dpkg-deb", "-c", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        contents = {line.split()[-1] for line in r.stdout.splitlines()}
        for f in EXPECTED_FILES:
            self.assertIn("./" + f, contents)
        self.assertEqual({c for c in contents if not c.startswith("./usr/")}, set())

    def test_depends_are_computed_by_dpkg_shlibdeps(self):
        r = run(["dpkg-deb", "-I", self.deb])
        self.assertEqual(r.returncode, 0, r.stderr)
        depends = self.field("Depends")
        for package in ("libc6", "libsystemd0", "libstdc++6"):
            self.assertRegex(depends, rf"(^|, ){re.escape(package)}( \(|,|$)")
        self.assertIn("notification-daemon", self.field("Recommends"))

    def test_the_packaged_programs_run_and_the_unit_starts_usr_bin_stretchd(self):
        root = os.path.join(self.tmp, "extracted")
        r = run(["dpkg-deb", "-x", self.deb, root])
        self.assertEqual(r.returncode, 0, r.stderr)
        for program in ("stretch", "stretchd"):
            v = run([os.path.join(root, "usr", "bin", program), "--version"])
            self.assertEqual(v.stdout.strip(), f"{program} {project_version()}")
        with open(os.path.join(root, "usr/lib/systemd/user/stretchd.service")) as f:
            self.assertRegex(f.read(), r"(?m)^ExecStart=/usr/bin/stretchd$")


if __name__ == "__main__":
    unittest.main()
