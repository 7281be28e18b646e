#!/usr/bin/env bash
# The speed-up of two threads over one on one run (issue 30), for one or two
# builds measured in the same minutes: PAIRS rounds of `govsim run
# scenarios/beilun.toml` (or SCENARIO) on one thread and on two, the order
# within a round and of the builds alternated. Prints, for each build, the
# one- and two-thread medians, their ratio, the median of each pair's ratio
# and the geometric mean of the pairs' ratios with a 95% interval. Run
# `ceiling.sh` right after to compare with what two cores give at most.
# With KEEP_TIMES=FILE (a file that does not exist yet) it also keeps the
# batch's wall times there, one run a line, for `speedup_verdict.py`.
# Every path is taken from the repository's root.
# Not part of the test command.
#
#   bash benches/speedup_pairs.sh PAIRS GOVSIM [GOVSIM2] [SCENARIO]
set -euo pipefail
cd "$(dirname "$0")/.."
PAIRS="${1:-}"; BIN="${2:-target/release/govsim}"; BIN2="${3:-}"; SCENARIO="${4:-scenarios/beilun.toml}"
[[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || { echo "error: PAIRS must be a whole number above 0, got '$PAIRS'" >&2; exit 2; }
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
KEEP="${KEEP_TIMES:-}"
if [ -n "$KEEP" ]; then
  [ ! -e "$KEEP" ] && [ ! -e "$KEEP.partial" ] || { echo "error: KEEP_TIMES=$KEEP: the file (or $KEEP.partial) exists already; name a new one" >&2; exit 2; }
  [ -d "$(dirname "$KEEP")" ] || { echo "error: KEEP_TIMES=$KEEP: no such folder" >&2; exit 2; }
fi
. benches/govsim_binary.sh
BINS=("$BIN")
if [ -n "$BIN2" ]; then check_binary "$BIN2"; BINS+=("$BIN2"); fi
run() { # BIN THREADS: one run, its wall time appended as "BIN THREADS seconds"
  /usr/bin/time -f "$1 $2 %e" -a -o "$WORK/times" "$1" run "$SCENARIO" --threads "$2" --out "$WORK/out" >/dev/null 2>&1
  rm -rf "${WORK:?}/out"
}
for r in $(seq "$PAIRS"); do
  order=("${BINS[@]}"); threads=(1 2)
  if [ $((r % 2)) -eq 0 ]; then order=($(printf '%s\n' "${BINS[@]}" | tac)); threads=(2 1); fi
  for b in "${order[@]}"; do for t in "${threads[@]}"; do run "$b" "$t"; done; done
done
python3 - "$WORK/times" "$SCENARIO" <<'PY'
import math, statistics as st, sys
times = {}
for line in open(sys.argv[1]):
    name, threads, wall = line.split()
    times.setdefault(name, {}).setdefault(int(threads), []).append(float(wall))
print(f"{sys.argv[2]}; wall seconds, one thread and two, alternated")
print()
print("| build | one thread | two threads | ratio of medians | median pair | geometric mean (95%) |")
print("|---|---|---|---|---|---|")
for name, by in times.items():
    one, two = by[1], by[2]
    ratios = [a / b for a, b in zip(one, two)]
    logs = [math.log(r) for r in ratios]
    mean = st.mean(logs)
    if len(logs) > 1:
        half = 1.96 * st.stdev(logs) / math.sqrt(len(logs))
        interval = f"{math.exp(mean):.3f} ({math.exp(mean - half):.3f}–{math.exp(mean + half):.3f})"
    else:
        interval = f"{math.exp(mean):.3f}"
    print(f"| {name} | {st.median(one):.3f} s | {st.median(two):.3f} s | "
          f"{st.median(one) / st.median(two):.3f}× | {st.median(ratios):.3f}× | {interval} |")
PY
if [ -n "$KEEP" ]; then # beside the file, synced, then renamed into place
  cp "$WORK/times" "$KEEP.partial" && sync "$KEEP.partial" && mv -n "$KEEP.partial" "$KEEP"
  [ -e "$KEEP.partial" ] && { echo "error: KEEP_TIMES=$KEEP appeared meanwhile; the times are in $KEEP.partial" >&2; exit 2; }
  echo "times kept in $KEEP"
fi
