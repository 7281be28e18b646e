#!/usr/bin/env python3
"""Runs govsim and the Mesa port on one resolved scenario, seed by seed, and
prints (1) the speed of each in resident-days per second and their ratio,
(2) the key run-level metrics of both side by side with 95% confidence
intervals over seeds, and whether they agree. Called by
benches/compare_mesa.sh, which sets up the environment.

    compare.py GOVSIM RESOLVED.toml SEEDS DAYS OUT_DIR
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import time
from pathlib import Path

from scipy import stats

HERE = Path(__file__).resolve().parent

# The run-level metrics compared (names as in summary.csv, docs/outputs.md).
METRICS = [
    "arrived",
    "resolution_rate",
    "cross_cutting_resolution_rate",
    "median_resolution_days",
    "abandoned_share",
    "participation_rate",
    "participation_gap",
    "trust_party",
    "trust_government",
    "efficacy",
    "party_legitimacy",
    "share_party_convened",
    "share_self_organized",
    "share_bureaucratic",
    "volunteer_effort",
    "pooled_effort",
]


def run_govsim(govsim: str, scenario: Path, seed: int, days: int, out: Path):
    folder = out / f"govsim_seed{seed}"
    start = time.perf_counter()
    subprocess.run(
        [govsim, "run", str(scenario), "--seed", str(seed), "--days", str(days),
         "--threads", "1", "--out", str(folder)],
        check=True, stdout=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    with open(folder / "summary.csv", newline="") as f:
        row = next(csv.DictReader(f))
    values = {k: float(row[k]) if row[k] != "" else None for k in METRICS}
    return seconds, int(row["residents_start"]), values


def run_mesa(scenario: Path, seed: int, days: int):
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, str(HERE / "mesa_govsim.py"), str(scenario), "--seed", str(seed), "--days", str(days)],
        check=True, capture_output=True, text=True,
    )
    seconds = time.perf_counter() - start
    result = json.loads(done.stdout)
    return seconds, result["residents"], {k: result[k] for k in METRICS}


def interval(values):
    """Mean and half-width of the 95% t interval."""
    xs = [v for v in values if v is not None]
    n = len(xs)
    if n == 0:
        return None, None, 0
    mean = sum(xs) / n
    if n < 2:
        return mean, None, n
    sd = math.sqrt(sum((x - mean) ** 2 for x in xs) / (n - 1))
    return mean, stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n), n


def welch(a, b):
    """95% interval of mean(a) − mean(b) (Welch)."""
    a = [v for v in a if v is not None]
    b = [v for v in b if v is not None]
    if len(a) < 2 or len(b) < 2:
        return None
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1) / len(a)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1) / len(b)
    if va + vb == 0:
        return (ma - mb, ma - mb)
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    h = stats.t.ppf(0.975, df) * math.sqrt(va + vb)
    return (ma - mb - h, ma - mb + h)


def fmt(mean, half):
    if mean is None:
        return "NA"
    if half is None:
        return f"{mean:.4g}"
    return f"{mean:.4g} ± {half:.2g}"


def main() -> int:
    govsim, scenario, seeds, days, out = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), Path(sys.argv[5])
    out.mkdir(parents=True, exist_ok=True)
    rust, mesa = [], []
    rust_time = mesa_time = 0.0
    rust_rd = mesa_rd = 0
    for seed in range(1, seeds + 1):
        s, n, v = run_govsim(govsim, scenario, seed, days, out)
        rust_time += s
        rust_rd += n * days
        rust.append(v)
        s, n, v = run_mesa(scenario, seed, days)
        mesa_time += s
        mesa_rd += n * days
        mesa.append(v)
        print(f"seed {seed}: govsim {rust_time:.1f} s, Mesa {mesa_time:.1f} s so far", file=sys.stderr)
    with open(out / "runs.jsonl", "w") as f:
        for impl, rows in (("govsim", rust), ("mesa", mesa)):
            for seed, row in enumerate(rows, 1):
                f.write(json.dumps({"implementation": impl, "seed": seed, **row}) + "\n")

    rust_speed = rust_rd / rust_time
    mesa_speed = mesa_rd / mesa_time
    print(f"\n## Speed ({seeds} seeds × {days} days, one core each, whole process wall time)\n")
    print("| implementation | seconds | resident-days/s |")
    print("|---|---|---|")
    print(f"| govsim (--threads 1) | {rust_time:.2f} | {rust_speed / 1e6:.2f} M |")
    print(f"| Mesa port | {mesa_time:.1f} | {mesa_speed / 1e3:.0f} k |")
    print(f"\ngovsim is {rust_speed / mesa_speed:.0f} times faster per core.\n")

    print(f"## Run-level metrics, mean ± half-width of the 95% t interval over {seeds} seeds\n")
    print("| metric | govsim | Mesa port | difference (95% Welch interval) | agree |")
    print("|---|---|---|---|---|")
    disagreements = 0
    for k in METRICS:
        a = [r[k] for r in rust]
        b = [r[k] for r in mesa]
        ma, ha, _ = interval(a)
        mb, hb, _ = interval(b)
        d = welch(a, b)
        if d is None:
            verdict, diff = "?", "NA"
        else:
            agree = d[0] <= 0.0 <= d[1]
            disagreements += not agree
            verdict = "yes" if agree else "**no**"
            diff = f"[{d[0]:.3g}, {d[1]:.3g}]"
        print(f"| {k} | {fmt(ma, ha)} | {fmt(mb, hb)} | {diff} | {verdict} |")
    print(
        f"\n{disagreements} of {len(METRICS)} metrics differ at the 5% level "
        f"(about {0.05 * len(METRICS):.1f} would by chance alone if the models were the same)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
