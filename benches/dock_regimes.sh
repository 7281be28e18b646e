#!/usr/bin/env bash
# Docking on two regimes: govsim against its Mesa port (benches/reference/),
# the levels of key metrics in the party-led regime and the silo and the
# difference between them, against equivalence margins fixed in advance.
#
#   bash benches/dock_regimes.sh [SEEDS] [DAYS]
#
# Defaults: 20 seeds, 365 days, benches/reference/docking_20k.toml and
# docking_20k_silo.toml. Installs the port's environment as
# benches/compare_mesa.sh does; two runs at a time. About 25 minutes on the
# project's 2-core machine. Not part of the test command.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS="${1:-20}"
DAYS="${2:-365}"
for value in "$SEEDS" "$DAYS"; do
  if ! [[ "$value" =~ ^[1-9][0-9]*$ ]]; then
    echo "error: SEEDS and DAYS must be whole numbers of at least 1, got '$value'" >&2
    echo "usage: bash benches/dock_regimes.sh [SEEDS] [DAYS]" >&2
    exit 2
  fi
done
VENV=target/mesa-venv
OUT=target/dock_regimes
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet "mesa==3.3.1" "numpy==2.4.6" "pandas==3.1.1" "scipy==1.17.1"
fi
cargo build --release --quiet
rm -rf "$OUT"
mkdir -p "$OUT"
for name in docking_20k docking_20k_silo; do
  target/release/govsim check "benches/reference/$name.toml" > "$OUT/$name.toml.tmp"
  mv "$OUT/$name.toml.tmp" "$OUT/$name.toml"
done
"$VENV/bin/python" benches/reference/dock_regimes.py target/release/govsim \
  "$OUT/docking_20k.toml" "$OUT/docking_20k_silo.toml" "$SEEDS" "$DAYS" "$OUT"
