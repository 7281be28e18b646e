#!/usr/bin/env bash
# Where a two-thread run spends the CPU time that a one-thread run of the
# same minute does not (issue 30, ninth stop): PAIRS alternated pairs of
# `govsim run SCENARIO` on one thread and on two, each under `perf record
# -F 4000`; per pair, the two-thread run's CPU samples over the one-thread
# run's (its CPU ratio, which the speed-up's swings follow: eighth stop);
# then, by function, the two-thread run's samples minus the one-thread
# run's, on average over the quarter of the pairs with the highest CPU
# ratio and over the quarter with the lowest. A function whose extra grows
# from the low quarter to the high one is what costs two threads more in
# the slow minutes. Needs `perf`. Not part of the test command.
#
#   bash benches/pair_profiles.sh [PAIRS] [GOVSIM] [SCENARIO]
#
# Defaults: 16 pairs, target/release/govsim, scenarios/beilun.toml. Every
# path is taken from the repository's root.
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${1:-16}"; BIN="${2:-target/release/govsim}"; SCENARIO="${3:-scenarios/beilun.toml}"
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] && [ "$PAIRS" -ge 4 ] && [ "$PAIRS" -le 200 ] || { echo "error: PAIRS must be a whole number from 4 to 200, got '$PAIRS'" >&2; exit 2; }
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
. benches/perf_samples.sh
. benches/govsim_binary.sh
for p in $(seq "$PAIRS"); do
  threads=(1 2); if [ $((p % 2)) -eq 0 ]; then threads=(2 1); fi
  for t in "${threads[@]}"; do perf_samples "$t" ip,sym "$WORK/pair-$p-$t.txt"; done
done
python3 - "$WORK" "$PAIRS" <<'PY'
import collections, sys
work, pairs = sys.argv[1], int(sys.argv[2])
def load(p, t):
    c = collections.Counter()
    for line in open(f"{work}/pair-{p}-{t}.txt"):
        parts = line.split(None, 1)
        if len(parts) == 2:
            c[parts[1].strip().rsplit("+0x", 1)[0][:70]] += 1
    return c
runs = []
for p in range(1, pairs + 1):
    one, two = load(p, 1), load(p, 2)
    runs.append((sum(two.values()) / sum(one.values()), one, two))
runs.sort(key=lambda r: r[0])
q = max(1, pairs // 4)
low, high = runs[:q], runs[-q:]
def extra(group, k):
    return sum(two[k] - one[k] for _, one, two in group) / len(group) / 4.0  # ms at 4000 Hz
print(f"{pairs} alternated pairs under perf: CPU ratio (two threads' samples over one thread's) "
      f"{runs[0][0]:.3f}–{runs[-1][0]:.3f}; lowest {q}: mean {sum(r for r, _, _ in low) / q:.3f}, "
      f"highest {q}: mean {sum(r for r, _, _ in high) / q:.3f}")
total = lambda group: sum(sum(two.values()) - sum(one.values()) for _, one, two in group) / len(group) / 4.0
print(f"extra CPU of the two-thread run: lowest quarter {total(low):+.0f} ms, highest {total(high):+.0f} ms")
print()
print("| function | one thread (ms, mean) | two threads' extra, lowest quarter (ms) | highest quarter (ms) | growth (ms) |")
print("|---|---|---|---|---|")
keys = set()
for _, one, two in runs:
    keys |= set(one) | set(two)
mean_one = {k: sum(one[k] for _, one, _ in runs) / pairs / 4.0 for k in keys}
rows = [(extra(high, k) - extra(low, k), k) for k in keys]
for growth, k in sorted(rows, key=lambda r: -abs(r[0]))[:15]:
    print(f"| `{k}` | {mean_one[k]:.0f} | {extra(low, k):+.0f} | {extra(high, k):+.0f} | {growth:+.0f} |")
PY
