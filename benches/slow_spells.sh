#!/usr/bin/env bash
# Why a two-thread run is slower in some minutes than in others (issue 30,
# eighth stop): RUNS two-thread `govsim run SCENARIO` under `perf record
# -F 4000`, then, over the days stepped (from the first sample in the
# participation pass to the last in closing issues), each run's span and
# CPU samples, and the samples by function in the slowest quarter of the
# runs against the fastest quarter: a function that takes more samples in
# the slow runs is what the slow minutes slow down (memory-bound code, or
# waiting threads spinning). Needs `perf`. Not part of the test command.
#
#   bash benches/slow_spells.sh [RUNS] [GOVSIM] [SCENARIO]
#
# Defaults: 16 runs, target/release/govsim, scenarios/beilun.toml. Every
# path is taken from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS="${1:-16}"; BIN="${2:-target/release/govsim}"; SCENARIO="${3:-scenarios/beilun.toml}"
[[ "$RUNS" =~ ^[1-9][0-9]*$ ]] && [ "$RUNS" -ge 4 ] && [ "$RUNS" -le 200 ] || { echo "error: RUNS must be a whole number from 4 to 200, got '$RUNS'" >&2; exit 2; }
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
. benches/perf_samples.sh
. benches/govsim_binary.sh
for r in $(seq "$RUNS"); do
  perf_samples 2 tid,time,ip,sym "$WORK/run-$r.txt"
done
python3 - "$WORK" "$RUNS" <<'PY'
import collections, sys
work, runs = sys.argv[1], int(sys.argv[2])
def load(r):
    rows = []
    for line in open(f"{work}/run-{r}.txt"):
        p = line.split(None, 3)
        if len(p) == 4:
            rows.append((float(p[1].rstrip(":")), p[3].strip().rsplit("+0x", 1)[0][:90]))
    days = [t for t, s in rows if "participat" in s or "close_issues" in s]
    a, b = min(days), max(days)
    return b - a, collections.Counter(s for t, s in rows if a <= t <= b)
loaded = sorted((load(r) for r in range(1, runs + 1)), key=lambda x: x[0])
q = max(1, runs // 4)
fast = sum((c for _, c in loaded[:q]), collections.Counter())
slow = sum((c for _, c in loaded[-q:]), collections.Counter())
print(f"{runs} two-thread runs under perf: the days' span {loaded[0][0]:.3f}–{loaded[-1][0]:.3f} s; "
      f"CPU samples, slowest {q} over fastest {q}: {sum(slow.values()) / sum(fast.values()):.3f}")
print()
print("| function | fastest runs' samples | slowest runs' | slow ÷ fast |")
print("|---|---|---|---|")
big = [(slow[k] / fast[k], k) for k in fast if fast[k] >= 0.01 * sum(fast.values())]
for ratio, k in sorted(big):
    print(f"| `{k}` | {fast[k]} | {slow[k]} | {ratio:.2f} |")
PY
