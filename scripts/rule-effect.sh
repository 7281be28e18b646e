#!/usr/bin/env bash
# The measured effect of a change of the model's rules: every regime preset
# run with two builds of govsim on the same seeds (20 paired replications by
# default), and the paired difference AFTER − BEFORE of each metric with its
# 95% interval (t), per preset. A commit that moves outputs quotes this.
#
#   scripts/rule-effect.sh BEFORE_BINARY AFTER_BINARY [REPS] [METRIC ...]
#
# Scenarios: scenarios/regimes/*.toml, or those in $SCENARIOS (space-separated).
# Extra --set overrides for both builds: $SET (space-separated KEY=VALUE);
# for one side only: $BEFORE_SET, $AFTER_SET (to measure a change of
# defaults or presets with one build: the old values set on the BEFORE side).
set -euo pipefail
before=$1 after=$2
reps=${3:-20}
shift $(( $# < 3 ? $# : 3 ))
metrics=("$@")
if [ ${#metrics[@]} -eq 0 ]; then
  metrics=(resolution_rate cross_cutting_resolution_rate satisfaction_rate participation_rate party_legitimacy)
fi
root=$(cd "$(dirname "$0")/.." && pwd)
scenarios=${SCENARIOS:-$(ls "$root"/scenarios/regimes/*.toml)}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for side in before after; do
  bin=${!side}
  side_set=${side^^}_SET
  sets=()
  for s in ${SET:-} ${!side_set:-}; do sets+=(--set "$s"); done
  # shellcheck disable=SC2086
  "$bin" compare $scenarios --reps "$reps" ${sets[@]+"${sets[@]}"} --out "$work/$side" >/dev/null 2>&1
done
python3 - "$work/before/runs.csv" "$work/after/runs.csv" "${metrics[@]}" <<'PY'
import csv, math, sys
from statistics import mean, stdev
before, after, metrics = sys.argv[1], sys.argv[2], sys.argv[3:]
def rows(p):
    with open(p) as f:
        return {(r["scenario"], r["seed"]): r for r in csv.DictReader(f)}
b, a = rows(before), rows(after)
# Two-sided 97.5% quantiles of Student's t for small samples.
T = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
     10: 2.228, 14: 2.145, 19: 2.093, 24: 2.064, 29: 2.045, 39: 2.023, 49: 2.010}
def t(df):
    return T.get(df) or T[max(k for k in T if k <= df)]
scenarios = sorted({k[0] for k in b})
print(f"{'scenario':<20} {'metric':<32} {'before':>8} {'after':>8} {'after - before [95% CI]':>30}  n")
for sc in scenarios:
    keys = sorted(k for k in b if k[0] == sc and k in a)
    for m in metrics:
        pairs = [(float(b[k][m]), float(a[k][m])) for k in keys if b[k].get(m) and a[k].get(m)]
        if len(pairs) < 2:
            print(f"{sc:<20} {m:<32} {'NA':>8}")
            continue
        d = [y - x for x, y in pairs]
        h = t(len(d) - 1) * stdev(d) / math.sqrt(len(d))
        mb, ma, md = mean(x for x, _ in pairs), mean(y for _, y in pairs), mean(d)
        print(f"{sc:<20} {m:<32} {mb:>8.3f} {ma:>8.3f} {md:>+10.3f} [{md - h:+.3f}, {md + h:+.3f}]  {len(d)}")
PY
