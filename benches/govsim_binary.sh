# Sourced by the timing scripts of benches/ (after `cd` to the repository):
# checks that BIN is an executable govsim (building the release binary when
# BIN is its default path and it is missing) and that /usr/bin/time is here,
# and makes WORK, a temporary folder removed on exit.
if [ "$BIN" = target/release/govsim ] && [ ! -x "$BIN" ]; then
  cargo build --release -q
fi
[ -x "$BIN" ] || { echo "error: $BIN: not an executable" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "error: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
