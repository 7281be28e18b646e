#!/usr/bin/env bash
# What two cores of this machine give at most (issue 30): `govsim run
# SCENARIO --threads 1` alone, and two such runs at once (nothing shared,
# no merge, no serial phase between them), ROUNDS times, alternated.
# Prints the median wall time alone and of each of the pair, and the
# throughput of the pair over one run alone: the most that any two-thread
# run of the same work could gain here. Below 2 when the cores slow each
# other down (a shared cache, memory, or a neighbour on the host).
# Not part of the test command.
#
#   bash benches/ceiling.sh [ROUNDS] [SCENARIO] [GOVSIM]
#
# Defaults: 5 rounds, scenarios/beilun.toml, target/release/govsim.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-5}"; SCENARIO="${2:-scenarios/beilun.toml}"; BIN="${3:-target/release/govsim}"
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ ]] || { echo "error: ROUNDS must be a whole number above 0, got '$ROUNDS'" >&2; exit 2; }
[ -r "$SCENARIO" ] || { echo "error: $SCENARIO: cannot read the scenario file" >&2; exit 2; }
. benches/govsim_binary.sh
run() { # NAME OUT: one run on one thread, its wall time appended as "NAME seconds"
  /usr/bin/time -f "$1 %e" -a -o "$WORK/times-$1" "$BIN" run "$SCENARIO" --threads 1 --out "$WORK/$2" >/dev/null 2>&1
  rm -rf "${WORK:?}/$2"
}
for r in $(seq "$ROUNDS"); do
  run alone "a-$r"
  run first "f-$r" & run second "s-$r"; wait
done
cat "$WORK"/times-* > "$WORK/times"
python3 - "$WORK/times" "$(nproc)" "$SCENARIO" <<'PY'
import sys, statistics as st
times = {}
for line in open(sys.argv[1]):
    name, wall = line.split()
    times.setdefault(name, []).append(float(wall))
alone = st.median(times["alone"])
pair = [st.median(times[n]) for n in ("first", "second")]
# Two runs' work in the time of the pair, against one run's in its time alone.
rate = sum(1 / p for p in pair) * alone
print(f"{sys.argv[2]} cores, {sys.argv[3]}, one thread per run, {len(times['alone'])} rounds (medians)")
print()
print("| one run alone | two at once: each | throughput of the pair |")
print("|---|---|---|")
print(f"| {alone:.2f} s | {pair[0]:.2f} s and {pair[1]:.2f} s | {rate:.2f}× |")
PY
