#!/usr/bin/env bash
# Regenerates the example plots shown in README.md from the main job (the
# flagship regime comparison, 30 replications), into docs/images/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)/regimes
cargo run --release -q -- compare scenarios/regimes/*.toml --reps 30 --out "$out"
mkdir -p docs/images
cp "$out/plots/ts_cross_cutting_resolution_rate.png" docs/images/cross_cutting_resolution.png
cp "$out/plots/differences.png" docs/images/differences.png
cp "$out/plots/equity.png" docs/images/equity.png
echo "docs/images updated from $out"
