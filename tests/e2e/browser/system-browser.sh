#!/bin/sh
# system-browser.sh <url>: the operator's "system browser" for end-to-end tests.
#
# The app opens the authorize URL with QDesktopServices::openUrl, which on Linux runs xdg-open, which runs
# `$BROWSER <url>`. Point BROWSER at this script (absolute path) and the URL lands in operator.mjs: a headless
# Debian Chromium that signs in as told by SR_BROWSER_* (see operator.mjs). Like a real browser it returns at once:
# the app does not wait for the browser, so node runs in the background, its output appended to $SR_BROWSER_LOG
# (default /dev/null), and operator.mjs stops itself after SR_BROWSER_TIMEOUT_MS (default 30 s) at the latest.
#
# What a test must set so that xdg-open (xdg-utils 1.1.3, Debian 12) really calls this script:
#   BROWSER=/abs/path/to/system-browser.sh   no ':' (xdg-open splits BROWSER on colons), no spaces, no '%s'
#   No desktop detected: unset XDG_CURRENT_DESKTOP, DESKTOP_SESSION, KDE_FULL_SESSION, GNOME_DESKTOP_SESSION_ID,
#     MATE_DESKTOP_SESSION_ID (any of them sends xdg-open to gio/kde-open/... which ignore BROWSER).
#   Without a display (DISPLAY and WAYLAND_DISPLAY unset, QT_QPA_PLATFORM=offscreen aside): nothing more;
#     xdg-open's generic path goes straight to $BROWSER. NOTE: under offscreen, QDesktopServices::openUrl does not
#     run xdg-open at all (it returns false); the production path needs the xcb platform, i.e. Xvfb.
#   With DISPLAY set (Xvfb, the xcb platform): xdg-open first asks the desktop file associations for
#     x-scheme-handler/http(s) and starts /usr/share/applications/chromium.desktop itself (no --no-sandbox: it
#     fails as root, exit 4, and it is not this driver). Either
#     (a) hide the associations: XDG_DATA_HOME, XDG_DATA_DIRS, XDG_CONFIG_HOME and XDG_CONFIG_DIRS each name a
#         throwaway folder without applications/*.desktop or mimeapps.list (XDG_DATA_DIRS must not hold
#         /usr/share); then $BROWSER is honoured again; or
#     (b) register this script as the http(s) handler: $XDG_DATA_HOME/applications/sr-test-browser.desktop with
#         "Exec=/abs/path/system-browser.sh %u" and "MimeType=x-scheme-handler/http;x-scheme-handler/https;", and
#         $XDG_CONFIG_HOME/mimeapps.list with "[Default Applications]" "x-scheme-handler/http=sr-test-browser.desktop"
#         (and https); the system folders stay as they are and BROWSER is not needed.
#     selftest.mjs runs both.
# Optional: SR_NODE (node executable, default: node on PATH), SR_BROWSER_LOG, and everything operator.mjs reads.
here=$(cd "$(dirname "$0")" && pwd)
node=${SR_NODE:-node}
log=${SR_BROWSER_LOG:-/dev/null}
if [ $# -lt 1 ] || [ -z "$1" ]; then
    echo "usage: $0 <url>" >&2
    exit 2
fi
# Detach completely: no inherited stdin/stdout/stderr, so xdg-open (and whoever waits on its pipes) returns now.
"$node" "$here/operator.mjs" "$1" </dev/null >>"$log" 2>&1 &
exit 0
