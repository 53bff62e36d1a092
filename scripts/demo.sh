#!/usr/bin/env bash
# Builds Session Revoker, starts tenant-sim (the offline demo tenant "Contoso (demo)") and opens the app on it.
# Sign in as helpdesk@contoso.test with password Passw0rd! (README.md lists every demo account).
# Extra arguments go to tenant-sim, e.g.  scripts/demo.sh --users 100000 --latency-ms 50
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

bash scripts/setup.sh
cmake --preset default >/dev/null
cmake --build --preset default --target session-revoker session-revoker-cli

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no graphical display (DISPLAY / WAYLAND_DISPLAY are unset); run this from a desktop session." >&2
  exit 1
fi

run_dir=$(mktemp -d)
cleanup() {
  if [ -n "${sim_pid:-}" ]; then kill "$sim_pid" 2>/dev/null || true; wait "$sim_pid" 2>/dev/null || true; fi
  rm -rf "$run_dir"
}
trap cleanup EXIT INT TERM

/usr/bin/python3 "$repo/tests/tenant-sim/tenant-sim" --listen 127.0.0.1:0 "$@" >"$run_dir/sim.out" 2>"$run_dir/sim.err" &
sim_pid=$!
base=""
for _ in $(seq 1 300); do
  base=$(sed -n 's/^tenant-sim listening on //p' "$run_dir/sim.out")
  [ -n "$base" ] && break
  if ! kill -0 "$sim_pid" 2>/dev/null; then
    echo "demo: tenant-sim did not start:" >&2; cat "$run_dir/sim.err" >&2; exit 1
  fi
  sleep 0.1
done
[ -n "$base" ] || { echo "demo: tenant-sim did not start within 30 s" >&2; exit 1; }

echo "demo: tenant-sim is the Contoso (demo) tenant at $base"
echo "demo: sign in as helpdesk@contoso.test / Passw0rd! ; the user whose device was lost is lost@contoso.test"
"$repo/build/default/src/app/session-revoker" \
  --cloud custom --authority "$base" --graph "$base" \
  --tenant contoso.test --client-id 8c3791a0-3f69-437d-9f93-53f516aafdb3
