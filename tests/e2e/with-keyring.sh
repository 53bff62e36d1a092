#!/usr/bin/env bash
# with-keyring.sh <command> [args...]
#
# Runs <command> against a real GNOME Keyring (the Secret Service that QtKeychain uses on Linux) on a private D-Bus
# session bus, in throwaway folders, so a test can never read or write the keychain of the person running it.
#
# The command sees, all inside one fresh temporary folder that is deleted afterwards:
#   HOME, XDG_RUNTIME_DIR (mode 0700), XDG_DATA_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME
#   SR_KEYRING_SANDBOX   that folder: scan it for secrets that leaked to disk
#   DBUS_SESSION_BUS_ADDRESS   the private bus; DISPLAY and WAYLAND_DISPLAY are unset
# The keyring's "login" collection exists, is the default collection and is unlocked, so writes need no prompt.
#
# Exit status: the command's; 125 if the keyring could not be set up (missing packages, daemon failure).
# Nothing started here keeps running afterwards. Needs: dbus-run-session (dbus), gnome-keyring-daemon, gdbus,
# secret-tool (libsecret-tools); scripts/setup.sh installs them.
set -euo pipefail

readonly SETUP_FAILED=125

die() {
    echo "with-keyring.sh: $*" >&2
    exit "$SETUP_FAILED"
}

if [[ $# -eq 0 ]]; then
    echo "usage: with-keyring.sh <command> [args...]" >&2
    exit 2
fi

if [[ "$1" != "--on-private-bus" ]]; then
    for tool in dbus-run-session gnome-keyring-daemon gdbus secret-tool; do
        command -v "$tool" >/dev/null 2>&1 || die "$tool is missing (run scripts/setup.sh)"
    done

    sandbox="$(mktemp -d "${TMPDIR:-/tmp}/sr-keyring.XXXXXXXX")"
    trap 'rm -rf -- "$sandbox"' EXIT
    trap 'exit 130' INT # so that the EXIT trap runs when interrupted or timed out
    trap 'exit 143' TERM
    mkdir -m 0700 "$sandbox/home" "$sandbox/runtime" "$sandbox/data" "$sandbox/config" "$sandbox/cache"

    # Nothing of the caller's desktop session may leak in: no display to autolaunch a bus on, no bus, no keyring,
    # and no desktop name that would make QtKeychain pick KWallet.
    unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS DBUS_STARTER_ADDRESS DBUS_STARTER_BUS_TYPE \
        GNOME_KEYRING_CONTROL SSH_AUTH_SOCK XDG_CURRENT_DESKTOP XDG_SESSION_DESKTOP DESKTOP_SESSION \
        KDE_FULL_SESSION KDE_SESSION_VERSION
    export HOME="$sandbox/home"
    export XDG_RUNTIME_DIR="$sandbox/runtime"
    export XDG_DATA_HOME="$sandbox/data"
    export XDG_CONFIG_HOME="$sandbox/config"
    export XDG_CACHE_HOME="$sandbox/cache"
    export SR_KEYRING_SANDBOX="$sandbox"

    status=0
    dbus-run-session -- "$0" --on-private-bus "$@" || status=$?
    exit "$status"
fi
shift

# From here on: inside the private bus.
keyring_pid=""
# shellcheck disable=SC2317 # called from the EXIT trap
running() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }" # the state follows the command name, which may hold spaces
    [[ "${stat%% *}" != Z ]] # a zombie has exited; only its parent (init, since it daemonized) has to reap it
}
# shellcheck disable=SC2317 # the EXIT trap
stop_keyring() {
    [[ -n "$keyring_pid" ]] || return 0
    kill "$keyring_pid" 2>/dev/null || return 0
    # Not our child, so it cannot be waited for: poll until it has exited (a few milliseconds).
    for _ in $(seq 100); do
        running "$keyring_pid" || return 0
        sleep 0.05
    done
    kill -KILL "$keyring_pid" 2>/dev/null || true
}
trap stop_keyring EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A throwaway password: it creates and unlocks the "login" collection and is never needed again.
password="$(head -c 18 /dev/urandom | base64)"
keyring_env="$(printf '%s' "$password" | gnome-keyring-daemon --daemonize --unlock --components=secrets)" ||
    die "gnome-keyring-daemon did not start"
unset password
# Usually empty with --components=secrets; export whatever it tells us (GNOME_KEYRING_CONTROL, ...).
while IFS= read -r line; do
    if [[ "$line" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; then
        export "${line?}"
    fi
done <<<"$keyring_env"

# --daemonize returns before the daemon owns its bus name. Wait for it without activating anything: a call to
# org.freedesktop.secrets now would make the bus start a second daemon from its .service file.
gdbus wait --session --timeout 10 org.freedesktop.secrets || die "the keyring did not appear on the bus"
owner="$(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
    --method org.freedesktop.DBus.GetConnectionUnixProcessID org.freedesktop.secrets)" ||
    die "cannot find the keyring daemon's process"
keyring_pid="$(sed -n 's/^(uint32 \([0-9]\+\),)$/\1/p' <<<"$owner")"
[[ -n "$keyring_pid" ]] || die "unexpected answer from the bus: $owner"

# Verify what QtKeychain relies on: the default collection is "login", unlocked, and a store works without a prompt.
alias_path="$(gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets \
    --method org.freedesktop.Secret.Service.ReadAlias default)"
[[ "$alias_path" == "(objectpath '/org/freedesktop/secrets/collection/login',)" ]] ||
    die "the default collection is not 'login': $alias_path"
locked="$(gdbus call --session --dest org.freedesktop.secrets --object-path /org/freedesktop/secrets/collection/login \
    --method org.freedesktop.DBus.Properties.Get org.freedesktop.Secret.Collection Locked)"
[[ "$locked" == "(<false>,)" ]] || die "the login collection is locked: $locked"
probe="probe-$$"
printf '%s' "$probe" | timeout 10 secret-tool store --label="with-keyring.sh probe" user "$probe" server with-keyring.sh ||
    die "storing a probe secret failed"
[[ "$(timeout 10 secret-tool lookup user "$probe" server with-keyring.sh)" == "$probe" ]] ||
    die "the probe secret could not be read back"
timeout 10 secret-tool clear user "$probe" server with-keyring.sh || die "the probe secret could not be deleted"

status=0
"$@" || status=$?
exit "$status"
