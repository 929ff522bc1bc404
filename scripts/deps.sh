#!/usr/bin/env bash
# Installs the distribution packages stretch needs: to build it, and with
# --test also to run every test. Installs only what is missing; uses sudo
# when not root. Debian 12 and Ubuntu 24.04 (apt); on other systems it
# prints the package names and leaves the installing to you.
set -euo pipefail

build_packages=(
  g++ cmake ninja-build pkg-config
  libcli11-dev libfmt-dev libspdlog-dev libtomlplusplus-dev doctest-dev
  nlohmann-json3-dev libsystemd-dev libsqlite3-dev libxcb1-dev libxcb-sync-dev
  libwayland-dev wayland-protocols plasma-wayland-protocols libpipewire-0.3-dev
  scdoc
)
test_packages=(
  python3 util-linux
  python3-dbusmock xvfb xauth dunst libnotify-bin xdotool x11-utils dbus-daemon dbus-bin libglib2.0-bin
  systemd man-db groff-base bash-completion zsh fish dpkg-dev file tzdata
  sway wtype wayland-utils kwin-wayland weston
  gnome-shell gjs dconf-cli dconf-service mako-notifier sway-notification-center
  clang libclang-rt-14-dev valgrind hyperfine
  pipewire pipewire-bin wireplumber
)

packages=("${build_packages[@]}")
if [[ "${1:-}" == "--test" ]]; then
  packages+=("${test_packages[@]}")
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  cat >&2 <<'MSG'
stretch: this is not a Debian-like system, so nothing was installed.
Install the build dependencies yourself, then run this again:
  Fedora: sudo dnf install gcc-c++ cmake ninja-build pkgconf-pkg-config cli11-devel fmt-devel spdlog-devel \
          tomlplusplus-devel doctest-devel json-devel systemd-devel sqlite-devel libxcb-devel \
          wayland-devel wayland-protocols-devel plasma-wayland-protocols pipewire-devel scdoc python3
  Arch:   sudo pacman -S --needed gcc cmake ninja pkgconf cli11 fmt spdlog tomlplusplus doctest \
          nlohmann-json systemd-libs sqlite libxcb wayland wayland-protocols plasma-wayland-protocols \
          libpipewire scdoc python
MSG
  for tool in cmake ninja pkg-config; do
    command -v "$tool" >/dev/null 2>&1 || exit 1
  done
  exit 0
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  sudo=(sudo)
fi
echo "stretch: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
