#!/usr/bin/env bash
# Where a simulated day goes, phase by phase (issue 30's profile): for each
# phase of `examples/phase_times.rs`, the instructions per resident-day
# counted by callgrind (repeatable on a noisy machine) over DAYS days on one
# thread, and the wall time per resident-day over a whole year on one and
# on two threads (ROUNDS runs each, alternated; the range is printed), and
# the same year stepped as a run steps it (more runs beside the serial
# issue phases than when phases run one at a time).
#
#   bash benches/phase_profile.sh [SCENARIO] [DAYS] [ROUNDS]
#
# Defaults: scenarios/beilun.toml, 30 days under callgrind, 2 rounds.
# Needs valgrind. Not part of the test command (minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
SCENARIO="${1:-scenarios/beilun.toml}"; DAYS="${2:-30}"; ROUNDS="${3:-2}"
for n in "$DAYS" "$ROUNDS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: DAYS and ROUNDS must be whole numbers above 0, got '$n'" >&2; exit 2; }
done
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
command -v valgrind >/dev/null || { echo "error: needs valgrind (callgrind)" >&2; exit 2; }
cargo build --release --example phase_times -q
BIN=target/release/examples/phase_times
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for r in $(seq "$ROUNDS"); do
  for t in 1 2; do
    RAYON_NUM_THREADS=$t "$BIN" "$SCENARIO" 365 steps > "$WORK/wall-$t-$r"
  done
done
RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$WORK/cg" \
  "$BIN" "$SCENARIO" "$DAYS" > "$WORK/cg-run" 2>/dev/null
callgrind_annotate --inclusive=yes --threshold=100 "$WORK/cg" > "$WORK/cg-inclusive" 2>/dev/null
python3 - "$WORK" "$ROUNDS" <<'PY'
import re, sys, glob
work, rounds = sys.argv[1], int(sys.argv[2])
phases = ["Arrival", "Participation", "Detection", "Routing", "Work", "Feedback", "Record"]
def wall(threads):
    by = {p: [] for p in phases + ["all", "Step"]}
    for f in glob.glob(f"{work}/wall-{threads}-*"):
        for line in open(f):
            parts = line.split()
            if parts and parts[0] in by:
                by[parts[0]].append(float(parts[1]))
    return by
one, two = wall(1), wall(2)
days = float(re.search(r"resident-days: (\S+)", open(f"{work}/cg-run").read()).group(1))
counts = {}
for line in open(f"{work}/cg-inclusive"):
    # A function's inclusive cost is the line that names its binary; the
    # lines without it are the parts inlined from other files, already in it.
    m = re.match(r"\s*([\d,]+) \(.*?\)\s+[^=\s]\S*:(phase_times::phase_(\w+)) \[", line)
    if m:
        counts[m.group(3)] = int(m.group(1).replace(",", ""))
def span(xs):
    return f"{min(xs):.2f}–{max(xs):.2f}" if len(xs) > 1 else f"{xs[0]:.2f}"
print(f"resident-days under callgrind: {days:.0f}; wall over a year, {rounds} run(s) each")
print()
print("| phase | instructions per resident-day | ns per resident-day, 1 thread | 2 threads | 1 ÷ 2 |")
print("|---|---|---|---|---|")
total = 0
for p in phases:
    n = counts.get(p.lower(), 0) / days
    total += n
    ratio = sorted(o / t for o, t in zip(one[p], two[p]))
    print(f"| {p.lower()} | {n:.1f} | {span(one[p])} | {span(two[p])} | {ratio[len(ratio)//2]:.2f}× |")
ratio = sorted(o / t for o, t in zip(one["all"], two["all"]))
print(f"| **a day** | {total:.1f} | {span(one['all'])} | {span(two['all'])} | {ratio[len(ratio)//2]:.2f}× |")
ratio = sorted(o / t for o, t in zip(one["Step"], two["Step"]))
print(f"| a day as a run steps it (`Model::step`) | | {span(one['Step'])} | {span(two['Step'])} | {ratio[len(ratio)//2]:.2f}× |")
PY
