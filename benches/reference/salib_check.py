#!/usr/bin/env python3
"""Checks govsim's sensitivity estimators against SALib on the same samples.

Runs `govsim sensitivity --function ...` (Ishigami with Sobol', Sobol' G with
Morris), reads the design and outputs it wrote (samples.csv, runs.csv), gives
exactly those to SALib's analyzers, and prints both sets of indices side by
side with their largest difference. Estimates on identical samples should
agree to rounding; bootstrap intervals differ (SALib reports normal-theory
half-widths from its own resamples).

Usage (from the project root; installs SALib into a virtual environment):
    python3 benches/reference/salib_check.py
"""
import csv
import os
import subprocess
import sys
import tempfile
import venv

SALIB = ["SALib==1.5.1", "pandas==2.2.3"]  # SALib 1.5.1 breaks with pandas 3
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def ensure_salib():
    try:
        import SALib  # noqa: F401
        return
    except ImportError:
        pass
    env = os.path.join(tempfile.gettempdir(), "govsim-salib-venv")
    python = os.path.join(env, "bin", "python")
    if not os.path.exists(python):
        venv.create(env, with_pip=True)
        subprocess.run([python, "-m", "pip", "install", "-q", *SALIB], check=True)
    os.execv(python, [python] + sys.argv)


def govsim(*args):
    subprocess.run(["cargo", "run", "--release", "-q", "--", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def read(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def ours(out):
    return {(r["parameter"], r["index"]): float(r["value"]) for r in read(os.path.join(out, "indices.csv"))}


def compare(title, pairs):
    print(title)
    worst = 0.0
    for name, mine, theirs in pairs:
        worst = max(worst, abs(mine - theirs))
        print(f"  {name:14s} govsim {mine: .6f}   SALib {theirs: .6f}   diff {mine - theirs: .2e}")
    print(f"  largest difference {worst:.2e}\n")
    return worst


def main():
    ensure_salib()
    import numpy as np
    from SALib.analyze import morris, sobol

    tmp = tempfile.mkdtemp()
    worst = 0.0

    out = os.path.join(tmp, "ishigami")
    govsim("sensitivity", "--function", "ishigami", "--method", "sobol", "--samples", "1024", "--out", out)
    y = np.array([float(r["y"]) for r in read(os.path.join(out, "runs.csv"))])
    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    # govsim writes the Saltelli rows in SALib's order: A, AB_1..AB_k, B per base row.
    s = sobol.analyze(problem, y, calc_second_order=False, print_to_console=False)
    mine = ours(out)
    pairs = []
    for i, name in enumerate(problem["names"]):
        pairs.append((f"{name} S1", mine[(name, "S1")], s["S1"][i]))
        pairs.append((f"{name} ST", mine[(name, "ST")], s["ST"][i]))
    worst = max(worst, compare("Ishigami, Sobol' (N = 1024)", pairs))

    out = os.path.join(tmp, "sobol-g")
    govsim("sensitivity", "--function", "sobol-g", "--method", "morris", "--samples", "50", "--out", out)
    samples = read(os.path.join(out, "samples.csv"))
    names = [f"x{i}" for i in range(1, 9)]
    x = np.array([[float(r[n]) for n in names] for r in samples])
    y = np.array([float(r["y"]) for r in read(os.path.join(out, "runs.csv"))])
    problem = {"num_vars": 8, "names": names, "bounds": [[0.0, 1.0]] * 8}
    m = morris.analyze(problem, x, y, num_levels=4, print_to_console=False)
    mine = ours(out)
    pairs = []
    for i, name in enumerate(names):
        pairs.append((f"{name} mu_star", mine[(name, "mu_star")], m["mu_star"][i]))
        pairs.append((f"{name} sigma", mine[(name, "sigma")], m["sigma"][i]))
    worst = max(worst, compare("Sobol' G, Morris (r = 50, p = 4)", pairs))

    print("agree" if worst < 1e-6 else f"DISAGREE: largest difference {worst:.2e}")
    sys.exit(0 if worst < 1e-6 else 1)


if __name__ == "__main__":
    main()
