#!/usr/bin/env bash
# The README's main job, timed: with each binary given, ROUNDS runs of
#
#   govsim compare scenarios/regimes/*.toml --reps 30
#
# on every core (the command's default), the binaries alternated within a
# round, each measured with /usr/bin/time (wall seconds, user CPU seconds,
# peak memory). Prints each binary's median and range; with two binaries,
# also the paired differences (second − first) with a t statistic. Every
# output goes to a temporary folder. Not part of the test command (minutes).
#
#   bash benches/main_job.sh 5 target/release/govsim                  # the README's "about N s"
#   bash benches/main_job.sh 8 /tmp/govsim-before target/release/govsim
#
# REPS=2 bash benches/main_job.sh 1 target/release/govsim checks the script
# quickly (the timings then mean nothing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ $# -lt 2 ]; then
  echo "usage: bash benches/main_job.sh ROUNDS BINARY [SECOND_BINARY]" >&2
  exit 2
fi
ROUNDS="$1"; shift
REPS="${REPS:-30}"
for n in "$ROUNDS" "$REPS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: ROUNDS and REPS must be whole numbers above 0, got '$n'" >&2; exit 2; }
done
[ $# -le 2 ] || { echo "error: at most two binaries, got $#" >&2; exit 2; }
BINARIES=("$@")
BIN="$1"
. benches/govsim_binary.sh
for other in "${BINARIES[@]:1}"; do check_binary "$other"; done
for r in $(seq "$ROUNDS"); do
  for k in "${!BINARIES[@]}"; do
    out="$WORK/out-$k-$r"
    /usr/bin/time -f "$k %e %U %M" "${BINARIES[$k]}" compare scenarios/regimes/*.toml \
      --reps "$REPS" --out "$out" >/dev/null 2>>"$WORK/times"
    rm -rf "$out"
  done
done
python3 - "$WORK/times" "${BINARIES[@]}" <<'PY'
import statistics as st, sys
names = sys.argv[2:]
rows = [l.split() for l in open(sys.argv[1]) if l.split() and l.split()[0].isdigit()]
col = lambda k, c: [float(r[c]) for r in rows if int(r[0]) == k]
for k, name in enumerate(names):
    wall, user, peak = col(k, 1), col(k, 2), col(k, 3)
    print(f"{name}: {len(wall)} runs; wall s median {st.median(wall):.2f} "
          f"(from {min(wall):.2f} to {max(wall):.2f}); user CPU s median {st.median(user):.2f}; "
          f"peak memory {max(peak) / 1024:.1f} MB")
if len(names) == 2:
    d = [b - a for a, b in zip(col(0, 1), col(1, 1))]
    if len(d) > 1 and st.stdev(d) > 0:
        t = st.mean(d) / (st.stdev(d) / len(d) ** 0.5)
        print(f"paired wall difference (second - first): mean {st.mean(d):+.2f} s, "
              f"from {min(d):+.2f} to {max(d):+.2f}, t = {t:.2f} on {len(d) - 1} df; "
              f"ratio of medians {st.median(col(1, 1)) / st.median(col(0, 1)):.3f}")
PY
