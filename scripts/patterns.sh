#!/usr/bin/env bash
# Reruns every check of ODD section 9: the patterns of design section 7 and
# the four elements of party building, each a paired comparison (common
# random numbers, base seed 1) with 95% intervals in its differences.csv.
#
#   scripts/patterns.sh [OUT]      (default output/patterns; 10 to 15 minutes on 2 cores)
#
# Each contrast is a folder of OUT holding a `govsim compare` result; the
# contrast's scenario files (small files that extend a shipped preset and
# set one lever) are written to OUT/scenarios first. The first file of each
# comparison is its baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-output/patterns}
reps=${REPS:-30}
if [ -e "$out" ]; then
  echo "patterns: $out exists; give a new folder" >&2
  exit 2
fi
mkdir -p "$out/scenarios"
cargo build --release -q
govsim=target/release/govsim
root=$(pwd)

# variant NAME BASE LEVER-LINES: a scenario file extending BASE with levers.
variant() {
  local name=$1 base=$2
  shift 2
  {
    echo "extends = \"$root/scenarios/$base\""
    echo "name = \"$name\""
    printf '%s\n' "$@"
  } >"$out/scenarios/$name.toml"
  echo "$out/scenarios/$name.toml"
}

compare() {
  local dir=$1
  shift
  "$govsim" compare "$@" --reps "$reps" --out "$out/$dir" >"$out/$dir.txt"
  echo "patterns: $dir done"
}

# 1 and 3: the regime presets, first year and after two years of burn-in.
compare regimes scenarios/regimes/*.toml
compare regimes_steady scenarios/regimes/*.toml --set sim.warmup_days=730

# 2: centralization κ from 0 to 1 on the party-led preset.
files=()
for k in 0 0.2 0.4 0.6 0.8 1; do
  files+=("$(variant "kappa_$k" regimes/party_led.toml "[party.procedure]" "centralization = $k")")
done
compare centralization "${files[@]}"

# 3 (costs): formalism and paperwork against the polycentric preset.
compare formalism scenarios/regimes/polycentric.toml \
  "$(variant formalism_1 regimes/formalism_trap.toml "[party.procedure]" "formalism = 1.0")" \
  "$(variant formalism_1_paperwork_3 regimes/formalism_trap.toml "[party.procedure]" "formalism = 1.0" "paperwork_effort = 3.0")" \
  scenarios/regimes/formalism_trap.toml

# 4: inclusion and mobilization on the party-led preset.
compare migrants \
  "$(variant inclusion_0_mobilization_0 regimes/party_led.toml "[party.procedure]" "mobilization = 0.0" "[party.security]" "inclusion = 0.0")" \
  "$(variant inclusion_1_mobilization_0 regimes/party_led.toml "[party.procedure]" "mobilization = 0.0" "[party.security]" "inclusion = 1.0")" \
  "$(variant inclusion_0_mobilization_1 regimes/party_led.toml "[party.procedure]" "mobilization = 1.0" "[party.security]" "inclusion = 0.0")" \
  "$(variant inclusion_1_mobilization_1 regimes/party_led.toml "[party.procedure]" "mobilization = 1.0" "[party.security]" "inclusion = 1.0")"

# 5: five years from low trust and efficacy, without and with mobilization,
# and from high trust.
low=("[residents]" "initial_trust = 0.15" "initial_efficacy = 0.15")
compare trap --days 1825 \
  "$(variant low_start_no_mobilization regimes/party_led.toml "${low[@]}" "[party.procedure]" "mobilization = 0.0")" \
  "$(variant low_start_mobilization regimes/party_led.toml "${low[@]}" "[party.procedure]" "mobilization = 1.0")" \
  "$(variant high_start_no_mobilization regimes/party_led.toml "[residents]" "initial_trust = 0.7" "initial_efficacy = 0.7" "[party.procedure]" "mobilization = 0.0")"

# 6: an issue surge, pooling 0, 0.2 and 0.5.
compare surge \
  "$(variant surge_pooling_0 shocks/issue_surge.toml "[party.procedure]" "pooling = 0.0")" \
  scenarios/shocks/issue_surge.toml \
  "$(variant surge_pooling_0.5 shocks/issue_surge.toml "[party.procedure]" "pooling = 0.5")"

# The four elements of party building, each switched off in the party-led preset.
compare elements scenarios/elements/party_led.toml scenarios/elements/no_*.toml

# The joint conference, switched off.
compare conference scenarios/regimes/party_led.toml \
  "$(variant no_conference regimes/party_led.toml "[party.procedure]" "meeting_interval = 0")"

echo "patterns: every contrast is in $out"
