#!/usr/bin/env bash
# Paired speed of two govsim builds on one scenario: alternating runs of
#
#   govsim run SCENARIO --threads 1
#
# with each binary, PAIRS times, measured with /usr/bin/time (user CPU
# seconds, wall seconds, peak memory); prints the medians, their ratio and
# the paired differences with a t statistic. Not part of the test command.
#
#   cp target/release/govsim /tmp/govsim-before     # before a change
#   cargo build --release                           # after it
#   bash benches/paired_runs.sh /tmp/govsim-before target/release/govsim 11 scenarios/beilun.toml
#
# Gives the "before and after" figures of benches/README.md.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: bash benches/paired_runs.sh BEFORE AFTER [PAIRS] [SCENARIO]" >&2
  exit 2
fi
BEFORE="$1"; AFTER="$2"; PAIRS="${3:-11}"; SCENARIO="${4:-scenarios/beilun.toml}"
if ! [[ "$PAIRS" =~ ^[1-9][0-9]*$ ]] || [ "$PAIRS" -lt 2 ]; then
  echo "error: PAIRS must be a whole number of at least 2, got '$PAIRS'" >&2
  exit 2
fi
for f in "$BEFORE" "$AFTER"; do
  [ -x "$f" ] || { echo "error: $f: not an executable" >&2; exit 2; }
done
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "error: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
for _ in $(seq "$PAIRS"); do
  for which in before after; do
    bin="$BEFORE"; [ "$which" = after ] && bin="$AFTER"
    /usr/bin/time -f "$which %e %U %M" "$bin" run "$SCENARIO" --threads 1 --out "$WORK/$which" \
      >/dev/null 2>>"$WORK/times"
  done
done
python3 - "$WORK/times" <<'PY'
import statistics as st, sys
rows = [l.split() for l in open(sys.argv[1]) if l.split() and l.split()[0] in ("before", "after")]
col = lambda who, k: [float(r[k]) for r in rows if r[0] == who]
ub, ua = col("before", 2), col("after", 2)
wb, wa = col("before", 1), col("after", 1)
d = [a - b for b, a in zip(ub, ua)]
t = st.mean(d) / (st.stdev(d) / len(d) ** 0.5) if st.stdev(d) > 0 else float("nan")
print(f"{len(d)} pairs; user CPU s: before median {st.median(ub):.2f}, after {st.median(ua):.2f} (ratio {st.median(ua) / st.median(ub):.3f})")
print(f"paired difference after - before: mean {st.mean(d):+.3f} s, sd {st.stdev(d):.3f}, from {min(d):+.2f} to {max(d):+.2f}, t = {t:.2f} on {len(d) - 1} df")
print(f"wall s: before median {st.median(wb):.2f}, after {st.median(wa):.2f}")
print(f"peak memory: before {max(col('before', 3)) / 1024:.1f} MB, after {max(col('after', 3)) / 1024:.1f} MB")
PY
