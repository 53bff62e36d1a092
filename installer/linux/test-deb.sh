#!/usr/bin/env bash
# CTest package.deb (installer/Packaging.cmake): builds the .deb with CPack and proves it the way a user gets it.
#   1. the package: name, version, maintainer; Depends computed by dpkg-shlibdeps (Qt, QtKeychain, libc); the files
#      a desktop needs (binaries, .desktop, AppStream metainfo, hicolor icons at their sizes, copyright);
#      desktop-file-validate and appstreamcli validate pass on the packaged files.
#   2. a fresh minimal Debian 12 root (debootstrap --variant=minbase; the pristine root is cached as a tarball under
#      build/deb-root-cache and rebuilt weekly), where `apt-get install --no-install-recommends ./<deb>` must pull in
#      every library the binaries need: a missing Depends shows here.
#   3. in that root: session-revoker --version and session-revoker-cli --version print this build's version (no
#      display needed), --help works, the GUI starts offscreen and stays up without a crash or a plugin error, and on
#      an Xvfb display its main window "Session Revoker" is mapped (seen from outside with xwininfo).
# Usage: test-deb.sh <build dir> <cpack> <version> <app id>. Needs root (chroot) and apt's Debian mirror.
# Exit 77 (CTest: skipped) when not root.
set -euo pipefail

build_dir=$(cd "$1" && pwd)
cpack=$2
version=$3
app_id=$4
source_dir=$(cd "$(dirname "$0")/../.." && pwd)
cache_dir=${SR_DEB_ROOT_CACHE:-$source_dir/build/deb-root-cache}
work=$build_dir/deb-test
suite=bookworm

step() { printf '\n== [%3ss] %s\n' "$SECONDS" "$*"; }
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: building a Debian root and chrooting into it needs root"
    exit 77
fi
for tool in debootstrap dpkg-deb desktop-file-validate appstreamcli Xvfb xwininfo flock; do
    command -v "$tool" >/dev/null || fail "$tool is missing (scripts/setup.sh installs it)"
done

# ---- clean-up: always unmount before removing anything ------------------------------------------------------------
root=$work/root
xvfb_pid=
gui_pid=
cleanup() {
    set +e
    [ -n "$gui_pid" ] && kill "$gui_pid" 2>/dev/null && wait "$gui_pid" 2>/dev/null
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null && wait "$xvfb_pid" 2>/dev/null
    if mountpoint -q "$root/var/cache/apt/archives"; then
        umount "$root/var/cache/apt/archives"
    fi
    if ! mountpoint -q "$root/var/cache/apt/archives"; then
        rm -rf --one-file-system "$root"
    else
        echo "could not unmount $root/var/cache/apt/archives: left $root in place" >&2
    fi
}
trap cleanup EXIT

# ---- 1. the package -----------------------------------------------------------------------------------------------
step "cpack -G DEB"
rm -rf "$work"
mkdir -p "$work/package"
if ! "$cpack" --config "$build_dir/CPackConfig.cmake" -G DEB -B "$work/package" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log"
    fail "cpack could not build the .deb"
fi
debs=("$work"/package/session-revoker_*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
    fail "expected one session-revoker_*.deb, found: ${debs[*]}"
fi
deb=${debs[0]}
echo "$deb ($(du -h "$deb" | cut -f1))"

step "control fields"
dpkg-deb --field "$deb"
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = session-revoker ] || fail "Package is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', the build is $version"
[ "$(field Maintainer)" = "Session Revoker team <team@session-revoker.example>" ] || fail "Maintainer: $(field Maintainer)"
depends=$(field Depends)
# Nothing in installer/ names these: they can only come from dpkg-shlibdeps reading the binaries.
depends_names=$(tr ',' '\n' <<<"$depends" | awk '{print $1}')
for library in libc6 libstdc++6 libqt6core6 libqt6gui6 libqt6widgets6 libqt6network6 libqt6keychain1; do
    grep -qxF "$library" <<<"$depends_names" || fail "Depends lacks $library (shlibdeps did not run?): $depends"
done

step "contents"
dpkg-deb --contents "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents.txt"
cat "$work/contents.txt"
expected=(
    /usr/bin/session-revoker
    /usr/bin/session-revoker-cli
    "/usr/share/applications/$app_id.desktop"
    "/usr/share/metainfo/$app_id.metainfo.xml"
    /usr/share/icons/hicolor/scalable/apps/session-revoker.svg
    /usr/share/doc/session-revoker/copyright
)
for size in 16 24 32 48 64 128 256 512; do
    expected+=("/usr/share/icons/hicolor/${size}x$size/apps/session-revoker.png")
done
for path in "${expected[@]}"; do
    grep -qxF "$path" "$work/contents.txt" || fail "the package has no $path"
done
dpkg-deb -x "$deb" "$work/extract"
for size in 16 24 32 48 64 128 256 512; do
    png=$work/extract/usr/share/icons/hicolor/${size}x$size/apps/session-revoker.png
    file "$png" | grep -q "PNG image data, $size x $size," || fail "not a ${size}x$size PNG: $(file "$png")"
done
file "$work/extract/usr/bin/session-revoker" | grep -q ", stripped" || fail "binaries are not stripped"
grep -q "Permission is hereby granted" "$work/extract/usr/share/doc/session-revoker/copyright" ||
    fail "copyright is not the MIT license"

step "desktop-file-validate, appstreamcli validate"
desktop-file-validate "$work/extract/usr/share/applications/$app_id.desktop"
appstreamcli validate --no-net "$work/extract/usr/share/metainfo/$app_id.metainfo.xml"
grep -q "<release version=\"$version\"" "$work/extract/usr/share/metainfo/$app_id.metainfo.xml" ||
    fail "the metainfo has no release $version"

# ---- 2. a fresh minimal Debian 12 root ----------------------------------------------------------------------------
# The mirror apt is configured with here (deb822 or one-line sources), e.g. http://deb.debian.org/debian.
apt_mirror() {
    local file
    for file in /etc/apt/sources.list.d/*.sources; do
        [ -f "$file" ] && awk '/^URIs:/ {for (i = 2; i <= NF; i++) print $i}' "$file"
    done
    for file in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [ -f "$file" ] && awk '$1 == "deb" {for (i = 2; i <= NF; i++) if ($i !~ /^\[/) {print $i; break}}' "$file"
    done
    return 0
}
mirror=${SR_DEBIAN_MIRROR:-$(apt_mirror | grep -E '^https?://[^ ]*/debian/?$' | head -n 1 || true)}
mirror=${mirror:-http://deb.debian.org/debian}
mkdir -p "$cache_dir/archives/partial"
tarball=$cache_dir/$suite-minbase.tar
step "fresh $suite minbase root (mirror $mirror; cache $tarball)"
(
    # One builder at a time; the pristine root is rebuilt when a week old, so it does not drift far from the mirror.
    flock 9
    if [ -f "$tarball" ] && [ -z "$(find "$tarball" -mtime +7)" ]; then
        echo "cached: $(date -r "$tarball" '+%F %T')"
        exit 0
    fi
    staging=$cache_dir/root.new
    rm -rf --one-file-system "$staging"
    start=$SECONDS
    if ! debootstrap --variant=minbase "$suite" "$staging" "$mirror" >"$cache_dir/debootstrap.log" 2>&1; then
        tail -n 30 "$cache_dir/debootstrap.log"
        exit 1
    fi
    rm -rf "$staging"/var/lib/apt/lists/* "$staging"/var/cache/apt/archives/*.deb
    tar -C "$staging" -cf "$tarball.tmp" .
    mv "$tarball.tmp" "$tarball"
    rm -rf --one-file-system "$staging"
    echo "debootstrap took $((SECONDS - start)) s"
) 9>"$cache_dir/lock" || fail "debootstrap failed (see $cache_dir/debootstrap.log)"
mkdir -p "$root"
tar -C "$root" -xf "$tarball"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# No services start in a chroot.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod +x "$root/usr/sbin/policy-rc.d"
# Downloaded packages are kept between runs; apt checks each one against the index and fetches it again if stale.
mount --bind "$cache_dir/archives" "$root/var/cache/apt/archives"

in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 "$@"; }

step "apt-get install ./$(basename "$deb") into the fresh root"
cp "$deb" "$root/tmp/"
in_root apt-get -qq -o Dpkg::Use-Pty=0 update
if ! in_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o Dpkg::Use-Pty=0 --no-install-recommends \
    "/tmp/$(basename "$deb")" >"$work/apt-install.log" 2>&1; then
    tail -n 40 "$work/apt-install.log"
    fail "apt-get could not install the package into a fresh Debian root"
fi
echo "packages set up: $(grep -c '^Setting up' "$work/apt-install.log" || true)"
# shellcheck disable=SC2016 # dpkg-query's own ${field} syntax
[ "$(in_root dpkg-query -W -f '${Status} ${Version}' session-revoker)" = "install ok installed $version" ] ||
    fail "dpkg does not list session-revoker $version as installed"
# Every library both binaries link must resolve now, from the Depends alone.
if in_root ldd /usr/bin/session-revoker /usr/bin/session-revoker-cli | grep "not found"; then
    fail "libraries missing after installing the package's Depends"
fi

# ---- 3. the installed executables ---------------------------------------------------------------------------------
step "session-revoker-cli --version, session-revoker --version (no display), --help"
expect_version() {
    local output
    output=$(in_root "$@" --version 2>&1) || fail "$* --version exited $?: $output"
    echo "$* --version: $output"
    [ "$output" = "Session Revoker $version" ] || fail "$* --version printed '$output', expected 'Session Revoker $version'"
}
expect_version session-revoker-cli
expect_version session-revoker
help=$(in_root session-revoker --help 2>&1) || fail "session-revoker --help exited $?: $help"
grep -q -- "--tenant" <<<"$help" || fail "session-revoker --help does not list --tenant: $help"

alarming='could not (load|find) the qt platform plugin|cannot open shared object|undefined symbol|segmentation fault'
alarming+='|aborted|core dumped|terminate called|qt\.qpa\.plugin|failed to start|fatal'
gui_env=(QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR=/tmp/runtime-root)
mkdir "$root/tmp/runtime-root"
chmod 0700 "$root/tmp/runtime-root"

step "the GUI, offscreen: stays up 6 s"
set +e
in_root "${gui_env[@]}" timeout --signal=TERM 6 session-revoker >"$work/gui-offscreen.log" 2>&1
status=$?
set -e
cat "$work/gui-offscreen.log"
[ $status -eq 124 ] || fail "the GUI exited with $status before 6 s (124: still running when stopped)"
if grep -Eiq "$alarming" "$work/gui-offscreen.log"; then
    fail "the GUI printed an error (above)"
fi

step "the GUI on an X display (Xvfb): its main window is mapped"
Xvfb -displayfd 3 -nolisten tcp -screen 0 1280x800x24 3>"$work/display" >"$work/xvfb.log" 2>&1 &
xvfb_pid=$!
for _ in $(seq 100); do
    [ -s "$work/display" ] && break
    sleep 0.1
done
[ -s "$work/display" ] || fail "Xvfb did not start: $(cat "$work/xvfb.log")"
display=:$(head -n 1 "$work/display")
# The chroot shares the network namespace, so the app reaches Xvfb's abstract socket without a bind mount.
in_root DISPLAY="$display" XDG_RUNTIME_DIR=/tmp/runtime-root session-revoker >"$work/gui-xcb.log" 2>&1 &
gui_pid=$!
# Qt also names its hidden 1x1 client-leader window "Session Revoker": wait for one that is mapped and full-size.
main_window_shown() {
    local id
    for id in $(xwininfo -display "$display" -root -tree 2>/dev/null |
        awk '/^ +0x[0-9a-f]+ "Session Revoker": \(/ {print $1}'); do
        xwininfo -display "$display" -id "$id" >"$work/window.txt" 2>/dev/null || continue
        grep -q "Map State: IsViewable" "$work/window.txt" || continue
        width=$(awk '/^ *Width:/ {print $2}' "$work/window.txt")
        height=$(awk '/^ *Height:/ {print $2}' "$work/window.txt")
        if [ "$width" -ge 400 ] && [ "$height" -ge 300 ]; then
            return 0
        fi
    done
    return 1
}
found=
for _ in $(seq 150); do
    if ! kill -0 "$gui_pid" 2>/dev/null; then
        cat "$work/gui-xcb.log"
        fail "the GUI exited on the X display"
    fi
    if main_window_shown; then
        found=yes
        break
    fi
    sleep 0.2
done
if [ -z "$found" ]; then
    cat "$work/gui-xcb.log"
    xwininfo -display "$display" -root -tree || true
    fail "no viewable window 'Session Revoker' of at least 400x300 appeared within 30 s"
fi
cat "$work/window.txt"
echo "main window: ${width}x$height, viewable"
if command -v import >/dev/null; then
    import -display "$display" -window root "$work/gui-xcb.png" && echo "screenshot: $work/gui-xcb.png"
fi
kill -0 "$gui_pid" 2>/dev/null || fail "the GUI exited while its window was inspected"
kill "$gui_pid"
wait "$gui_pid" 2>/dev/null || true
gui_pid=
cat "$work/gui-xcb.log"
if grep -Eiq "$alarming" "$work/gui-xcb.log"; then
    fail "the GUI printed an error on the X display (above)"
fi

step "done"
echo "package.deb: $(basename "$deb") installs into a fresh $suite root and runs ($SECONDS s)"
