#!/usr/bin/env bash
# Runs the benchmarks (bench/README.md). Each prints a table and writes its JSON results to build/bench/.
#   scripts/bench.sh                     every benchmark, full size
#   scripts/bench.sh --quick             smoke sizes, a few seconds each (what CTest's "bench" label runs)
#   scripts/bench.sh [--quick] NAME...   only these benchmarks (tenant-sim, app)
set -euo pipefail
cd "$(dirname "$0")/.."

quick=()
names=()
for arg in "$@"; do
  case "$arg" in
    --quick) quick=(--quick) ;;
    -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
    -*) echo "bench: unknown option $arg" >&2; exit 2 ;;
    *) names+=("$arg") ;;
  esac
done

known=(tenant-sim app)
if [ ${#names[@]} -eq 0 ]; then
  names=("${known[@]}")
fi
for name in "${names[@]}"; do
  if [[ ! " ${known[*]} " == *" $name "* ]]; then
    echo "bench: unknown benchmark '$name' (known: ${known[*]})" >&2
    exit 2
  fi
done

bash scripts/setup.sh
out=build/bench
mkdir -p "$out"
suffix=${quick:+.quick}

for name in "${names[@]}"; do
  echo "== $name ==" >&2
  case "$name" in
    tenant-sim)
      /usr/bin/python3 bench/tenant-sim/bench_tenant_sim.py "${quick[@]}" --json "$out/tenant-sim$suffix.json" ;;
    app)
      # The app's benchmark programs, built with the default preset (RelWithDebInfo, as the app ships).
      cmake --preset default >/dev/null
      cmake --build --preset default --target sr-bench-startup sr-bench-bare-window sr-bench-typing sr-bench-scroll >&2
      /usr/bin/python3 bench/app/bench_app.py "${quick[@]}" --bin-dir build/default/bench/app \
        --json "$out/app$suffix.json" ;;
  esac
  echo "results: $out/$name$suffix.json"
done
