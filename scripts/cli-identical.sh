#!/usr/bin/env bash
# Checks that a refactoring leaves every CLI output byte-identical: runs the
# same commands (every subcommand, on shipped scenarios, plus error paths)
# with two govsim binaries and diffs their stdout, stderr and output files,
# with wall times, dates, process ids and the binary's own path masked.
#
#   cp target/release/govsim /tmp/govsim-before   # before the change
#   cargo build --release                          # after it
#   scripts/cli-identical.sh /tmp/govsim-before target/release/govsim
#
# Prints nothing but "identical: N files" when all outputs agree.
set -u
[ $# -eq 2 ] || { echo "usage: $0 BEFORE_BINARY AFTER_BINARY" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
BEFORE=$(realpath "$1"); AFTER=$(realpath "$2")

outputs() {
  local BIN=$1 OUT=$2 S=scenarios n=0
  mkdir -p "$OUT"
  cd "$ROOT" || exit 1
  go() { n=$((n+1)); "$BIN" "$@" >"$OUT/$n.stdout" 2>"$OUT/$n.stderr"; echo "rc=$?" >>"$OUT/$n.stdout"; }
  go check $S/regimes/formalism_trap.toml
  go run $S/classroom/small_town.toml --out "$OUT/town"
  go run $S/regimes/party_led.toml --set party.procedure.centralization=0.9 --days 60 --out "$OUT/pl"
  go run $S/shocks/issue_surge.toml --set party.procedure.pooling=0 --seed 7 --days 90 --out "$OUT/surge"
  go run $S/reforms/beijing_2019.toml --days 40 --out "$OUT/reform"
  go compare $S/regimes/bureaucratic_silo.toml $S/regimes/party_led.toml --reps 3 --days 60 --out "$OUT/cmp"
  go sweep $S/classroom/small_town.toml --vary party.procedure.centralization=0..1:3 --reps 2 --days 60 --out "$OUT/sweep"
  go sweep $S/classroom/small_town.toml --vary party.procedure.centralization=0..1 --vary issues.rate=0.2..1 --sample lhs:4 --reps 2 --days 60 --out "$OUT/lhs"
  go sensitivity $S/classroom/small_town.toml --method morris --samples 2 --days 30 --vary party.procedure.pooling=0..0.6 --vary party.procedure.centralization=0..1 --out "$OUT/sens"
  go sensitivity --function ishigami --method sobol --samples 16 --bootstrap 20 --out "$OUT/ish"
  go decompose $S/regimes/bureaucratic_silo.toml $S/regimes/party_led.toml --reps 2 --days 30 --metric resolution_rate --metric cross_cutting_resolution_rate --out "$OUT/dec"
  go calibrate $S/classroom/small_town.toml --vary issues.rate=0.2..1 --target resolution_rate=0.5 --samples 20 --generations 1 --reps 1 --days 30 --out "$OUT/cal"
  go validate validation/design_1_cross_cutting.toml --reps 2 --days 30 --out "$OUT/val"
  go compare $S/regimes/bureaucratic_silo.toml $S/regimes/party_led.toml --reps 2 --days 30 --shard 1/2 --out "$OUT/sh1"
  go compare $S/regimes/bureaucratic_silo.toml $S/regimes/party_led.toml --reps 2 --days 30 --shard 2/2 --out "$OUT/sh2"
  go merge "$OUT/sh1" "$OUT/sh2" --out "$OUT/merged"
  go report "$OUT/cmp"
  go run $S/regimes
  go run $S/classroom/small_town.toml --set issues.rat=1
  go
  go compare $S/regimes/bureaucratic_silo.toml --reps 1
  go compare $S/regimes/bureaucratic_silo.toml --reps auto
  go compare $S/regimes/bureaucratic_silo.toml --reps auto --precision 0.1 --max-reps 3
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --precision 0.1
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --shard 3/2
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --max-memory 8Q
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --max-memory 1K
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --resume
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --threads 0
  go compare $S/regimes/bureaucratic_silo.toml --reps 2 --days 0
  go sweep $S/classroom/small_town.toml --vary issues.rate=0.2..1 --sample lhs:1
  go sweep $S/classroom/small_town.toml --vary issues.rate=0.2..1 --vary issues.rate=0..1
  go run $S/classroom/small_town.toml --max-memory 1K
  go check $S/classroom/small_town.toml --max-memory 1K
  go validate validation/design_1_cross_cutting.toml --resume
  go validate validation/design_1_cross_cutting.toml --reps 1
  go validate validation/no_such_pattern.toml
  go validate validation/design_1_cross_cutting.toml --reps 2 --days 30 --out "$OUT/val"
  go run $S/classroom/small_town.toml --seed 7 --days 20 --out "$OUT/cmp"
}

mask() {
  sed -E -e 's/"wall_seconds": [0-9.e-]+/"wall_seconds": W/; s/"start_time": "[^"]*"/"start_time": T/' \
    -e 's/\([0-9.]+ s\)/(T s)/g; s/[0-9.]+ ?s\b/Ts/g; s/pid [0-9]+/pid P/' \
    -e 's#wall time \(s\)</th><td>[0-9.]+#wall time#' \
    -e 's/[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]+Z/DATE/g' \
    -e "s#$WORK/(before|after)#OUT#g; s#$BEFORE|$AFTER#BIN#g"
}

outputs "$BEFORE" "$WORK/before"
outputs "$AFTER" "$WORK/after"
cd "$WORK" || exit 1
status=0
for f in $(cd before && find . -type f | sort); do
  if [ ! -f "after/$f" ]; then echo "missing after: $f"; status=1; continue; fi
  case "$f" in
    *.png) cmp -s "before/$f" "after/$f" || { echo "differs: $f"; status=1; } ;;
    *) if ! diff <(mask <"before/$f") <(mask <"after/$f") >/dev/null; then
         echo "differs: $f"; diff <(mask <"before/$f") <(mask <"after/$f") | head -8; status=1
       fi ;;
  esac
done
for f in $(cd after && find . -type f | sort); do
  [ -f "before/$f" ] || { echo "only after: $f"; status=1; }
done
[ $status -eq 0 ] && echo "identical: $(cd before && find . -type f | wc -l) files"
exit $status
