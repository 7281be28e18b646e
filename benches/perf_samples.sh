# Sourced by the profiling scripts of benches/ (`slow_spells.sh`,
# `pair_profiles.sh`), before any work: checks that `perf` is here and
# defines `perf_samples THREADS FIELDS OUT`, one `govsim run` of SCENARIO
# by BIN on THREADS threads under `perf record -F 4000` (in WORK, which
# `govsim_binary.sh` makes), its samples written to OUT by `perf script -F
# FIELDS`, one sample a line.
command -v perf >/dev/null || { echo "error: needs perf (Debian: apt-get install linux-perf)" >&2; exit 2; }
perf_samples() { # THREADS FIELDS OUT
  perf record -q -F 4000 -o "$WORK/run.data" "$BIN" run "$SCENARIO" --threads "$1" --out "$WORK/out" >/dev/null 2>&1
  rm -rf "${WORK:?}/out"
  perf script -F "$2" -i "$WORK/run.data" 2>/dev/null > "$3"
  rm -f "$WORK/run.data"
}
