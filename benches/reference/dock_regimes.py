#!/usr/bin/env python3
"""Docks govsim against its Mesa port on two regimes: the level of each key
metric in each regime and, what matters for the model's claims, the regime
difference (first scenario minus second), both judged against equivalence
margins fixed before the runs (two one-sided tests at the 5% level: the 90%
interval of the govsim − Mesa gap must lie inside ±margin). Called by
benches/dock_regimes.sh.

    dock_regimes.py GOVSIM A.toml B.toml SEEDS DAYS OUT_DIR
    dock_regimes.py --report A_NAME B_NAME DAYS RUNS.jsonl...
"""
from __future__ import annotations

import json
import math
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from scipy import stats

sys.path.insert(0, str(Path(__file__).resolve().parent))
from compare import run_govsim, run_mesa  # noqa: E402

# Equivalence margins, fixed in advance (benches/README.md): shares and
# rates within 0.03, days within 1, trust and efficacy within 0.02.
MARGINS = {
    "resolution_rate": 0.03,
    "cross_cutting_resolution_rate": 0.03,
    "median_resolution_days": 1.0,
    "abandoned_share": 0.03,
    "participation_rate": 0.005,
    "participation_gap": 0.005,
    "trust_government": 0.02,
    "efficacy": 0.02,
    "share_self_organized": 0.03,
    "share_bureaucratic": 0.03,
}


def one(job):
    impl, govsim, scenario, seed, days, out = job
    if impl == "govsim":
        _, _, values = run_govsim(govsim, Path(scenario), seed, days, Path(out) / Path(scenario).stem)
    else:
        _, _, values = run_mesa(Path(scenario), seed, days)
    return impl, scenario, seed, values


def gap_interval(a, b, level=0.90):
    """Interval at `level` of mean(a) − mean(b) (Welch)."""
    ma, mb = sum(a) / len(a), sum(b) / len(b)
    va = sum((x - ma) ** 2 for x in a) / (len(a) - 1) / len(a)
    vb = sum((x - mb) ** 2 for x in b) / (len(b) - 1) / len(b)
    if va + vb == 0:
        return ma - mb, ma - mb, ma - mb
    df = (va + vb) ** 2 / (va**2 / (len(a) - 1) + vb**2 / (len(b) - 1))
    h = stats.t.ppf(0.5 + level / 2, df) * math.sqrt(va + vb)
    return ma - mb, ma - mb - h, ma - mb + h


def report(results, name_a, name_b, seeds, days) -> None:
    """Prints the table from (implementation, scenario name, seed, values)."""
    runs = {}
    for impl, sc, seed, values in results:
        runs.setdefault((impl, sc), {})[seed] = values
    print(f"## Docking on two regimes ({len(seeds)} seeds × {days} days; govsim − Mesa gap, 90% Welch interval)\n")
    print(f"| metric | margin | {name_a}: govsim / Mesa | {name_b}: govsim / Mesa | difference {name_a} − {name_b}: govsim / Mesa | gap of the difference | equivalent |")
    print("|---|---|---|---|---|---|---|")
    failed = 0
    for k, margin in MARGINS.items():
        def col(impl, sc):
            return [runs[(impl, sc)][s][k] for s in seeds]

        def mean(xs):
            return sum(xs) / len(xs)

        ga, ma_, gb, mb_ = col("govsim", name_a), col("mesa", name_a), col("govsim", name_b), col("mesa", name_b)
        # Per seed, the regime difference within each implementation.
        gd = [x - y for x, y in zip(ga, gb)]
        md = [x - y for x, y in zip(ma_, mb_)]
        verdicts = []
        for x, y in ((ga, ma_), (gb, mb_), (gd, md)):
            _, lo, hi = gap_interval(x, y)
            verdicts.append(-margin < lo and hi < margin)
        _, lo, hi = gap_interval(gd, md)
        ok = all(verdicts)
        failed += not ok
        print(
            f"| {k} | ±{margin:g} | {mean(ga):.4g} / {mean(ma_):.4g} | {mean(gb):.4g} / {mean(mb_):.4g} "
            f"| {mean(gd):+.4g} / {mean(md):+.4g} | [{lo:+.3g}, {hi:+.3g}] | {'yes' if ok else '**no**'} |"
        )
    print(f"\n{failed} of {len(MARGINS)} metrics not shown equivalent (levels in both regimes and their difference).")


def main() -> int:
    if sys.argv[1] == "--report":
        # dock_regimes.py --report A_NAME B_NAME DAYS RUNS.jsonl...: the table again from saved runs.
        name_a, name_b, days = sys.argv[2], sys.argv[3], int(sys.argv[4])
        results = []
        for path in sys.argv[5:]:
            for line in open(path):
                r = json.loads(line)
                values = {k: v for k, v in r.items() if k not in ("implementation", "scenario", "seed")}
                results.append((r["implementation"], r["scenario"], r["seed"], values))
        seeds = sorted({seed for _, _, seed, _ in results})
        report(results, name_a, name_b, seeds, days)
        return 0
    govsim, a, b, seeds, days, out = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), Path(sys.argv[6])
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(impl, govsim, sc, seed, days, str(out)) for seed in range(1, seeds + 1) for sc in (a, b) for impl in ("govsim", "mesa")]
    with ProcessPoolExecutor(max_workers=2) as pool:
        results = [(impl, Path(sc).stem, seed, values) for impl, sc, seed, values in pool.map(one, jobs)]
    with open(out / "runs.jsonl", "w") as f:
        for impl, sc, seed, values in results:
            f.write(json.dumps({"implementation": impl, "scenario": sc, "seed": seed, **values}) + "\n")
    report(results, Path(a).stem, Path(b).stem, list(range(1, seeds + 1)), days)
    return 0


if __name__ == "__main__":
    sys.exit(main())
