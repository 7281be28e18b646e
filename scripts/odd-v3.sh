#!/usr/bin/env bash
# Regenerates the figures of docs/ODD.md, section 9.0 (model v3): the
# flagship (party-led against the civic alliance, the polycentric preset
# and the silo), each party-specific mechanism switched off in party-led,
# all with 20 paired replications and 95% intervals; the regime contrast as
# a curve over the load and the
# community staff's capacity, the three rates and participation, and
# marginalization from two starts over five years. Prints the tables as
# Markdown; the runs are kept in
# output/odd-v3/ (refused if it exists: remove it first).
#
#   scripts/odd-v3.sh [REPS] [LOAD_REPS]      # about 2 minutes on 2 cores
set -euo pipefail
reps=${1:-20}
load_reps=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
govsim=${GOVSIM:-$root/target/release/govsim}
out=${OUT:-$root/output/odd-v3}
regimes=$root/scenarios/regimes
if [ -e "$out" ]; then
  echo "error: $out exists: remove it first (this script writes a fresh folder)" >&2
  exit 2
fi
mkdir -p "$out/scenarios"

# 1. The flagship: party-led first, so that differences are other − party-led.
"$govsim" compare "$regimes/party_led.toml" "$regimes/civic_alliance.toml" \
  "$regimes/polycentric.toml" "$regimes/bureaucratic_silo.toml" \
  --reps "$reps" --out "$out/flagship" >/dev/null 2>&1

# 2. Each party-specific mechanism (src/model/party_specific.rs; a test
# checks that this list is that one) switched off in party-led; the summons,
# off by default, is switched on (0.8) in a variant of its own.
mechanism() { # NAME LEVER VALUE
  local file="$out/scenarios/$1.toml"
  printf 'extends = "%s"\nname = "%s"\n[%s]\n%s = %s\n' \
    "$regimes/party_led.toml" "$1" "${2%.*}" "${2##*.}" "$3" >"$file"
  echo "$file"
}
variants=(
  "$(mechanism summons_on party.procedure.summons 0.8)"
  "$(mechanism no_member_mobilization party.procedure.mobilization 0.0)"
  "$(mechanism no_member_detection party.procedure.member_detection 0.0)"
  "$(mechanism no_migrant_members_reach party.setting.migrant_member_reach 0.0)"
  "$(mechanism no_two_new_branches party.setting.two_new_coverage 0.0)"
)
"$govsim" compare "$regimes/party_led.toml" "${variants[@]}" \
  --reps "$reps" --out "$out/mechanisms" >/dev/null 2>&1

# 3. The contrast as a curve: the three regimes swept together, each against
# party-led at the same value (contrasts.csv, paired by replication), over
# the load (issues per 1,000 residents a day, 0.2 to 0.6) and over the
# community staff's capacity (effort units a day per 1,000 residents, the
# largest stylized capacity: 0.6 to 1.6 around its 1.1).
contrast_regimes=("$regimes/party_led.toml" "$regimes/civic_alliance.toml" "$regimes/polycentric.toml")
"$govsim" sweep "${contrast_regimes[@]}" --vary issues.rate=0.2..0.6:5 \
  --reps "$load_reps" --out "$out/load" >/dev/null 2>&1
"$govsim" sweep "${contrast_regimes[@]}" --vary social.committee_capacity=0.6..1.6:5 \
  --reps "$load_reps" --out "$out/capacity" >/dev/null 2>&1

# 4. Marginalization (ODD section 8, item 35): two starts of legitimacy and
# of trust, five years, at three weights of legitimacy in what is brought to
# the convener; and the same without forgetting.
"$govsim" sweep "$regimes/party_led.toml" --vary party.security.initial_legitimacy=0.05..0.95:2 \
  --vary residents.initial_trust=0.1..0.9:2 --vary institutions.legitimacy_uptake=0..1:3 \
  --reps "$load_reps" --days 1825 --out "$out/marginalization" >/dev/null 2>&1
"$govsim" sweep "$regimes/party_led.toml" --vary party.security.initial_legitimacy=0.05..0.95:2 \
  --vary residents.initial_trust=0.1..0.9:2 --vary institutions.legitimacy_uptake=0.5..1:2 \
  --set residents.forgetting=0 --reps "$load_reps" --days 1825 \
  --out "$out/marginalization_no_forgetting" >/dev/null 2>&1

python3 - "$out" <<'PY'
import csv, math, sys
from statistics import mean, stdev
out = sys.argv[1]
T = {4: 2.776, 9: 2.262, 14: 2.145, 19: 2.093, 29: 2.045}
def t(df):
    return T.get(df) or T[max(k for k in T if k <= df)]
def ci(d):
    h = t(len(d) - 1) * stdev(d) / math.sqrt(len(d))
    m = mean(d)
    return f"{m:+.3f} [{m - h:+.3f}, {m + h:+.3f}]"
metrics = ["resolution_rate", "cross_cutting_resolution_rate", "satisfaction_rate",
           "participation_rate", "capacity_used", "party_legitimacy"]
def table(folder, title):
    with open(f"{out}/{folder}/summary.csv") as f:
        summary = list(csv.DictReader(f))
    with open(f"{out}/{folder}/differences.csv") as f:
        diffs = {(r["scenario"], r["metric"]): r for r in csv.DictReader(f)}
    scenarios = list(dict.fromkeys(r["scenario"] for r in summary))
    print(f"\n{title}\n")
    print("| scenario | " + " | ".join(metrics) + " |")
    print("|---|" + "---|" * len(metrics))
    for sc in scenarios:
        cells = []
        for m in metrics:
            row = next((r for r in summary if r["scenario"] == sc and r["metric"] == m), None)
            level = f"{float(row['mean']):.3f}" if row and row["mean"] not in ("", "NA") else "NA"
            d = diffs.get((sc, m))
            if d and d["diff"] not in ("", "NA"):
                level += f" ({float(d['diff']):+.3f} [{float(d['ci_low']):+.3f}, {float(d['ci_high']):+.3f}])"
            cells.append(level)
        print(f"| {sc} | " + " | ".join(cells) + " |")
table("flagship", "Flagship: means, and (other − party-led) [95%]")
table("mechanisms", "Party-specific mechanisms in party-led: means, and (variant − party-led) [95%]")
def contrast(folder, lever, heading):
    with open(f"{out}/{folder}/summary.csv") as f:
        levels = {(r["scenario"], r[lever], r["metric"]): r for r in csv.DictReader(f)}
    with open(f"{out}/{folder}/contrasts.csv") as f:
        diffs = {(r["scenario"], r[lever], r["metric"]): r for r in csv.DictReader(f)}
    values = sorted({k[1] for k in levels}, key=float)
    for m in ["resolution_rate", "cross_cutting_resolution_rate"]:
        print(f"\nContrast over {heading}, {m}: other − party-led [95%], paired by replication\n")
        print(f"| {heading} | party-led | civic alliance − party-led | polycentric − party-led |")
        print("|---|---|---|---|")
        for v in values:
            cells = [f"{float(levels[('party_led', v, m)]['mean']):.3f}"]
            for other in ["civic_alliance", "polycentric"]:
                d = diffs[(other, v, m)]
                cells.append(f"{float(d['diff']):+.3f} [{float(d['ci_low']):+.3f}, {float(d['ci_high']):+.3f}]")
            print(f"| {float(v):.2f} | " + " | ".join(cells) + " |")
contrast("load", "issues.rate", "issues per 1,000 a day")
contrast("capacity", "social.committee_capacity", "community staff per 1,000 a day")
rates = ["response_rate", "resolution_rate", "satisfaction_rate", "participation_rate",
         "participation_share_month", "participation_share_year"]
with open(f"{out}/flagship/summary.csv") as f:
    summary = {(r["scenario"], r["metric"]): r for r in csv.DictReader(f)}
print("\nThe three rates and participation, as the sources measure them: means [95%]\n")
print("| scenario | " + " | ".join(rates) + " |")
print("|---|" + "---|" * len(rates))
for sc in ["party_led", "civic_alliance", "polycentric", "bureaucratic_silo"]:
    cells = []
    for m in rates:
        r = summary[(sc, m)]
        cells.append(f"{float(r['mean']):.3f} [{float(r['ci_low']):.3f}, {float(r['ci_high']):.3f}]")
    print(f"| {sc} | " + " | ".join(cells) + " |")
keys = ["party.security.initial_legitimacy", "residents.initial_trust", "institutions.legitimacy_uptake"]
shown = ["party_legitimacy", "trust_party", "convener_share", "virtual_share", "resolution_rate"]
for folder, title in [("marginalization", "forgetting 0.03 a week"),
                      ("marginalization_no_forgetting", "no forgetting")]:
    groups = {}
    with open(f"{out}/{folder}/runs.csv") as f:
        for r in csv.DictReader(f):
            groups.setdefault(tuple(float(r[k]) for k in keys), []).append(r)
    print(f"\nMarginalization after five years, {title}: means over replications\n")
    print("| legitimacy weight | start: legitimacy, trust | " + " | ".join(shown) + " |")
    print("|---|---|" + "---|" * len(shown))
    for k in sorted(groups, key=lambda k: (k[2], k[1], k[0])):
        rs = groups[k]
        cells = [f"{mean(float(r[m]) for r in rs if r[m] not in ('', 'NA')):.3f}" for m in shown]
        print(f"| {k[2]:.1f} | {k[0]:.2f}, {k[1]:.1f} | " + " | ".join(cells) + " |")
PY
