#!/usr/bin/env bash
# Regenerates the table of docs/validation.md, "The shipped catalogue":
# runs `govsim validate` on every pattern file of validation/ (about 3
# minutes on 2 cores) into output/validation-docs/ (refused if it exists:
# remove it first) and prints one Markdown row per claim from its
# validation.csv: pattern, expected, whether it tests a sign or a size,
# what was measured [95%] and the verdict.
#
#   scripts/validation-table.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
govsim=${GOVSIM:-$root/target/release/govsim}
out=${OUT:-$root/output/validation-docs}
if [ -e "$out" ]; then
  echo "error: $out exists: remove it first (this script writes a fresh folder)" >&2
  exit 2
fi
"$govsim" validate --out "$out" >/dev/null 2>&1
python3 - "$out/validation.csv" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
def num(x, digits):
    try:
        return f"{float(x):+.{digits}f}"
    except ValueError:
        return "NA"
print("| pattern | expected | tests | measured [95%] | verdict |")
print("|---|---|---|---|---|")
previous = None
for r in rows:
    name = r["pattern"] if r["pattern"] != previous else ""
    previous = r["pattern"]
    digits = 4 if abs(float(r["estimate"] or 0)) < 0.1 else 3
    measured = f"{num(r['estimate'], digits)} [{num(r['ci_low'], digits)}, {num(r['ci_high'], digits)}]"
    if r["peak"] not in ("", "NA"):
        measured += f", peak {float(r['peak']):.2f}"
    verdict = r["reading"] if r["holds"] == "yes" else f"**{r['reading']}**"
    expected = r["expected"].replace("|", "\\|")
    print(f"| {name} | {expected} | {r['tests']} | {measured} | {verdict} |")
PY
