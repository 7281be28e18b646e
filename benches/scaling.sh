#!/usr/bin/env bash
# The scaling curve of one large run (issue 30): `govsim run` of Beilun
# (829,448 residents, a year) and of the 5-million-resident district of
# "Cost against district size" (DAYS days), on 1, 2, 4, … threads up to the
# cores of this machine, ROUNDS runs each, alternated; prints the median wall
# time and the speed-up over one thread. Not part of the test command.
#
#   bash benches/scaling.sh [ROUNDS] [DAYS] [GOVSIM]
#
# Defaults: 3 rounds, 120 days for the 5-million district, target/release/govsim.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS="${1:-3}"; DAYS="${2:-120}"; BIN="${3:-target/release/govsim}"
for n in "$ROUNDS" "$DAYS"; do
  [[ "$n" =~ ^[1-9][0-9]*$ ]] || { echo "error: ROUNDS and DAYS must be whole numbers above 0, got '$n'" >&2; exit 2; }
done
. benches/govsim_binary.sh
CORES=$(nproc)
THREADS=1
t=2; while [ "$t" -le "$CORES" ]; do THREADS="$THREADS $t"; t=$((t * 2)); done
[ "$((t / 2))" -lt "$CORES" ] && THREADS="$THREADS $CORES"
FIVE_M=(scenarios/districts/district_50k.toml --days "$DAYS"
  --set district.communities.0.count=2400 --set district.communities.1.count=600
  --set district.communities.2.count=1000 --set district.subdistricts=300)
for r in $(seq "$ROUNDS"); do
  for t in $THREADS; do
    /usr/bin/time -f "beilun $t %e" -a -o "$WORK/times" "$BIN" run scenarios/beilun.toml --threads "$t" --out "$WORK/b-$r-$t" >/dev/null 2>&1
    /usr/bin/time -f "five_million $t %e" -a -o "$WORK/times" "$BIN" run "${FIVE_M[@]}" --threads "$t" --out "$WORK/f-$r-$t" >/dev/null 2>&1
    rm -rf "$WORK/b-$r-$t" "$WORK/f-$r-$t"
  done
done
python3 - "$WORK/times" "$CORES" "$DAYS" <<'PY'
import sys, statistics as st
times = {}
for line in open(sys.argv[1]):
    name, threads, wall = line.split()
    times.setdefault(name, {}).setdefault(int(threads), []).append(float(wall))
print(f"{sys.argv[2]} cores; median wall seconds (speed-up over one thread)")
print()
print("| threads | Beilun, a year | 5-million district, " + sys.argv[3] + " days |")
print("|---|---|---|")
for t in sorted(times["beilun"]):
    cells = []
    for name in ("beilun", "five_million"):
        one, here = st.median(times[name][1]), st.median(times[name][t])
        cells.append(f"{here:.2f} s ({one / here:.2f}×)")
    print(f"| {t} | " + " | ".join(cells) + " |")
PY
