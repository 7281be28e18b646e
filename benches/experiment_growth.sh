#!/usr/bin/env bash
# How an experiment's time and memory grow (issue 30): sweeps of the
# classroom town, one day a run, as points and replications grow, and the
# report of 1,000 and 10,000 points redrawn alone; then the per-run cost of
# a year. Wall seconds, user CPU seconds and peak memory from /usr/bin/time,
# one run each, all cores. Not part of the test command (about a minute).
#
#   bash benches/experiment_growth.sh [GOVSIM]
#
# GOVSIM defaults to target/release/govsim (built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/release/govsim}"
. benches/govsim_binary.sh
TOWN=scenarios/classroom/small_town.toml
VARY="issues.rate=0.001..0.01"
measure() { # label, then the command
  local label="$1"; shift
  /usr/bin/time -f "%e %U %M" -o "$WORK/time" "$@" >/dev/null 2>&1
  read -r wall user kb < "$WORK/time"
  printf "| %s | %s s | %s s | %s MB |\n" "$label" "$wall" "$user" "$((kb / 1024))"
}
echo "| experiment | wall | user CPU | peak memory |"
echo "|---|---|---|---|"
for spec in "500 2" "1000 2" "100 200" "10000 2"; do
  read -r points reps <<< "$spec"
  runs=$((points * reps))
  measure "sweep, $points points × $reps replications ($runs one-day runs), report included" \
    "$BIN" sweep "$TOWN" --vary "$VARY" --sample "lhs:$points" --reps "$reps" --days 1 --out "$WORK/s-$points-$reps"
done
measure "its report alone, 1,000 points" "$BIN" report "$WORK/s-1000-2"
measure "its report alone, 10,000 points" "$BIN" report "$WORK/s-10000-2"
measure "sweep, 500 points × 2 (1,000 runs of a year)" \
  "$BIN" sweep "$TOWN" --vary "$VARY" --sample lhs:500 --reps 2 --out "$WORK/year"
measure "one run of one day, a process of its own (start-up, files, report)" \
  "$BIN" run "$TOWN" --days 1 --out "$WORK/one"
echo
echo "runs.csv of the 20,000-run sweeps: $(stat -c %s "$WORK/s-100-200/runs.csv") and $(stat -c %s "$WORK/s-10000-2/runs.csv") bytes"
