#!/usr/bin/env bash
# Regenerates every figure that README.md and docs/ quote, by running the
# script behind each (issue 29, item 2), and says which section each
# output belongs to. Each script's Markdown goes to
# output/doc-figures/<script>.md and its runs to output/doc-figures/<script>/
# (the folder is refused if it exists: remove it first). Compare the
# Markdown with the docs: a model change that moves a figure shows here.
#
#   scripts/doc-figures.sh            # about an hour on 2 cores
#
# The map (section <- script):
#   docs/ODD.md 9.0                                    <- odd-v3.sh
#   docs/ODD.md 9.1 (how robust the answer is)         <- robustness.sh
#   docs/validation.md, the shipped catalogue          <- validation-table.sh
#   docs/validation.md, Beijing 2019-2025 and Beilun   <- predictions.sh
#   docs/images/ (README's plots)                      <- doc-images.sh
#   docs/ODD.md 9.4 (the v2 record)                    <- patterns.sh, kept as run at v2
#   a rule change's effect (ODD 8, each item)          <- rule-effect.sh BEFORE AFTER
#   docs/python.md, Speed                              <- python python/benches/calls.py
#                                                         (run it where the package is installed)
#   README's and docs' worked examples (compare, sweep, decompose,
#   sensitivity)                                       <- the command shown beside
#                                                         each (tests/docs_run.rs runs it reduced)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/output/doc-figures}
if [ -e "$out" ]; then
  echo "error: $out exists: remove it first (this script writes a fresh folder)" >&2
  exit 2
fi
mkdir -p "$out"
for script in odd-v3 robustness validation-table predictions; do
  echo "== scripts/$script.sh -> $out/$script.md"
  OUT="$out/$script" "$root/scripts/$script.sh" > "$out/$script.md"
done
echo "== scripts/doc-images.sh -> docs/images/"
"$root/scripts/doc-images.sh"
echo "done: compare $out/*.md with the sections named in this script's header"
