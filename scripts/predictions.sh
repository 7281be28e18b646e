#!/usr/bin/env bash
# Regenerates the figures of docs/validation.md's "Beijing 2019-2025" and
# "Beilun ... micro-grids" sections from the committed posteriors:
# predictions A and B year by year, the verdicts against the published
# figures, and Beilun's what-if. With --calibrate it first reruns both
# calibrations (about 16 minutes each on 2 cores) into the output folder
# and prints their tables; the predictions still read the committed
# posteriors (validation/beijing/calibration_2019*/), as the docs do.
# Runs are kept in output/predictions/ (refused if it exists: remove it
# first).
#
#   scripts/predictions.sh [--calibrate]     # about 20 minutes on 2 cores
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
govsim=${GOVSIM:-$root/target/release/govsim}
out=${OUT:-$root/output/predictions}
if [ -e "$out" ]; then
  echo "error: $out exists: remove it first (this script writes a fresh folder)" >&2
  exit 2
fi
mkdir -p "$out"
cd "$root"
levers=(--vary government.delay=1..42 --vary government.referral_rate=0.02..0.5
  --vary social.autonomy=0.05..0.6 --vary government.ranking_response=0..1
  --vary issues.unmeetable_share=0..0.5 --vary issues.rate=0.1..1.0)
satisfaction=(--vary residents.q0=0.3..1.0 --vary residents.explained_satisfaction=0..1
  --vary residents.satisfaction_speed=0..1)
if [ "${1:-}" = "--calibrate" ]; then
  "$govsim" calibrate scenarios/reforms/beijing_2019_2025.toml "${levers[@]}" \
    --targets validation/beijing/targets_2019.toml --samples 150 --generations 5 \
    --seed 2019 --out "$out/calibration_A"
  "$govsim" calibrate scenarios/reforms/beijing_2019_2025.toml "${levers[@]}" "${satisfaction[@]}" \
    --targets validation/beijing/targets_2019.toml --samples 150 --generations 5 \
    --seed 2019 --out "$out/calibration_B"
fi
p=validation/predictions
"$govsim" validate $p/beijing_trajectory.toml $p/beijing_trajectory_b.toml --out "$out/trajectory" >/dev/null
"$govsim" validate $p/beijing_trajectory_observed.toml $p/beijing_trajectory_b_observed.toml --out "$out/observed" >/dev/null
"$govsim" validate $p/beilun_micro_grids.toml --out "$out/beilun" >/dev/null
python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
def rows(path):
    return list(csv.DictReader(open(path, newline="")))
def point(r):
    return r["expected"].split(": ", 1)[1].split("'s")[0].split(" ")[0]
def interval(r, digits=3):
    return f"{float(r['estimate']):.{digits}f} [{float(r['ci_low']):.{digits}f}, {float(r['ci_high']):.{digits}f}]"
traj = rows(f"{out}/trajectory/validation.csv")
cell = {}
for r in traj:
    which = "B" if r["pattern"].endswith("_b") else "A"
    cell[(which, point(r), r["metric"])] = interval(r)
metrics = ["resolution_rate", "satisfaction_rate", "demands_per_1000_day"]
print("| year | resolution A | resolution B | satisfaction A | satisfaction B | demands / 1,000 / day A | B |")
print("|---|---|---|---|---|---|---|")
for y in range(2019, 2026):
    label = f"{y} (in sample)" if y == 2019 else str(y)
    print("| " + " | ".join([label] + [cell.get((w, f"y{y}", m), "") for m in metrics for w in "AB"]) + " |")
print()
print("| pattern | claim | observed against | predictive interval | verdict |")
print("|---|---|---|---|---|")
for r in rows(f"{out}/observed/validation.csv"):
    print(f"| {r['pattern']} | {r['claim']} | {r['metric']} | {interval(r)} | {r['reading']} |")
print()
print("| outcome | predicted effect [95%] |")
print("|---|---|")
for r in rows(f"{out}/beilun/validation.csv"):
    print(f"| {r['metric']} ({r['claim']}) | {float(r['estimate']):+.3f} [{float(r['ci_low']):+.3f}, {float(r['ci_high']):+.3f}] |")
PY
