#!/usr/bin/env bash
# Builds everything and runs every test (unit, gui, sim, e2e, lint).
#   scripts/test.sh            the ci preset: warnings are errors
#   scripts/test.sh asan       the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:-ci}

bash scripts/setup.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" --parallel 2
