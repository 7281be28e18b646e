# Sourced by the timing scripts of benches/ (after `cd` to the repository):
# checks that BIN is an executable govsim (building the release binary when
# BIN is its default path and it is missing) and that /usr/bin/time is here,
# and makes WORK, a temporary folder removed on exit. A script that times
# another binary too checks it with `check_binary PATH`.
check_binary() { # PATH: an executable, the release binary built if it is its default path
  if [ "$1" = target/release/govsim ] && [ ! -x "$1" ]; then
    cargo build --release -q
  fi
  [ -x "$1" ] || { echo "error: $1: not an executable" >&2; exit 2; }
}
check_binary "$BIN"
[ -x /usr/bin/time ] || { echo "error: needs /usr/bin/time (Debian: apt-get install time)" >&2; exit 2; }
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
