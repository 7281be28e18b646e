#!/usr/bin/env bash
# Regenerates the robustness result of docs/ODD.md, section 9.1: how the
# flagship contrast (party-led minus the best non-party arrangements, the
# polycentric preset and the civic alliance) depends on the stylized
# magnitudes over their plausible ranges. Sobol' indices of the paired
# contrast (`govsim sensitivity BASELINE party_led.toml`: both run at every
# design point with the same seeds), and the share of the design's points
# where party-led does better. Prints Markdown tables; the runs are kept in
# output/robustness/ (refused if it exists: remove it first).
#
#   scripts/robustness.sh [N] [REPS] [REPS_CIVIC]   # 32, 2, 8: about 13 minutes on 2 cores
#
# The contrast with the civic alliance is small next to replication noise,
# so it gets more replications per design point (REPS_CIVIC).
set -euo pipefail
n=${1:-32}
reps=${2:-2}
reps_civic=${3:-8}
root=$(cd "$(dirname "$0")/.." && pwd)
govsim=${GOVSIM:-$root/target/release/govsim}
out=${OUT:-$root/output/robustness}
regimes=$root/scenarios/regimes
if [ -e "$out" ]; then
  echo "error: $out exists: remove it first (this script writes a fresh folder)" >&2
  exit 2
fi
mkdir -p "$out"
# The stylized magnitudes and their plausible ranges (docs/ODD.md, section
# 9.1, says why each range): participation (1.5% to 5% of residents a day),
# forgetting, the fading of trust between organizations, the joint
# conference's probabilities, the load, the community staff's capacity and
# the autonomy of social organizations (set equal in both regimes).
varies=(
  --vary residents.b0=-13..-11.3
  --vary residents.forgetting=0.01..0.1
  --vary coalition.trust_decay=0.001..0.02
  --vary party.procedure.meeting_disclosure=0..0.6
  --vary party.procedure.meeting_review=0.2..0.8
  --vary issues.rate=0.2..0.6
  --vary social.committee_capacity=0.6..1.6
  --vary social.autonomy=0.3..0.9
)
metrics=(--metric resolution_rate --metric cross_cutting_resolution_rate --metric satisfaction_rate)
for other in polycentric civic_alliance; do
  r=$reps
  [ "$other" = civic_alliance ] && r=$reps_civic
  "$govsim" sensitivity "$regimes/$other.toml" "$regimes/party_led.toml" --method sobol \
    --samples "$n" --reps "$r" "${varies[@]}" "${metrics[@]}" \
    --out "$out/$other" >/dev/null 2>&1
done

python3 - "$out" <<'PY'
import csv, sys
out = sys.argv[1]
for other, title in [("polycentric", "the polycentric preset"), ("civic_alliance", "the civic alliance")]:
    rows = list(csv.DictReader(open(f"{out}/{other}/indices.csv")))
    outputs = list(csv.DictReader(open(f"{out}/{other}/outputs.csv")))
    noise = {r["metric"]: float(r["noise_share"]) for r in csv.DictReader(open(f"{out}/{other}/noise.csv"))}
    metrics = list(dict.fromkeys(r["metric"] for r in rows))
    levers = list(dict.fromkeys(r["parameter"] for r in rows))
    print(f"\nParty-led − {title}: the contrast over the design's points\n")
    print("| metric | mean | lowest | highest | share of points where party-led does better | replication noise |")
    print("|---|---|---|---|---|---|")
    for m in metrics:
        v = [float(r["mean"]) for r in outputs if r["metric"] == m]
        better = sum(x > 0 for x in v) / len(v)
        print(f"| {m} | {sum(v)/len(v):+.3f} | {min(v):+.3f} | {max(v):+.3f} | {better:.0%} of {len(v)} | {noise[m]:.0%} |")
    print(f"\nParty-led − {title}: Sobol' total indices ST [95% bootstrap]\n")
    print("| lever | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    for lever in levers:
        cells = []
        for m in metrics:
            r = next(r for r in rows if r["metric"] == m and r["parameter"] == lever and r["index"] == "ST")
            cells.append(f"{float(r['value']):.2f} [{float(r['ci_low']):.2f}, {float(r['ci_high']):.2f}]")
        print(f"| {lever} | " + " | ".join(cells) + " |")
PY
