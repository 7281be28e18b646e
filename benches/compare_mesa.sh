#!/usr/bin/env bash
# Docking and speed: govsim against its Mesa port (benches/reference/).
#
#   bash benches/compare_mesa.sh [SEEDS] [DAYS] [SCENARIO]
#
# Defaults: 10 seeds, 365 days, benches/reference/docking_20k.toml (the
# party-led regime on 20,100 residents). Installs mesa 3.3.1 (Python 3.11 or
# newer) into a virtual environment under target/, builds govsim, runs both
# on one core per run, and prints their speed (resident-days per second and
# the ratio) and the key run-level metrics side by side with 95% intervals.
# Takes 8 to 9 minutes on the project's 2-core machine, almost all of it in
# the Mesa port. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."

SEEDS="${1:-10}"
DAYS="${2:-365}"
SCENARIO="${3:-benches/reference/docking_20k.toml}"
for value in "$SEEDS" "$DAYS"; do
  if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: SEEDS and DAYS must be whole numbers of at least 1, got '$value'" >&2
    echo "usage: bash benches/compare_mesa.sh [SEEDS] [DAYS] [SCENARIO]" >&2
    exit 2
  fi
done
if [ ! -r "$SCENARIO" ]; then
  echo "error: $SCENARIO: cannot read the scenario file" >&2
  exit 2
fi
VENV=target/mesa-venv
OUT=target/compare_mesa

if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "mesa==3.3.1" "numpy==2.4.6" "pandas==3.1.1" "scipy==1.17.1"
fi
cargo build --release --quiet
mkdir -p "$OUT"
target/release/govsim check "$SCENARIO" > "$OUT/resolved.toml.tmp"
mv "$OUT/resolved.toml.tmp" "$OUT/resolved.toml"
"$VENV/bin/python" benches/reference/compare.py target/release/govsim "$OUT/resolved.toml" "$SEEDS" "$DAYS" "$OUT"
