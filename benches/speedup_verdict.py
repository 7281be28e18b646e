#!/usr/bin/env python3
"""Whether two threads give at least a target speed-up on one run, over
batches measured at different times (issue 30's verdict rule, eighth stop).

Each FILE is one batch's wall times, kept by `speedup_pairs.sh` with
KEEP_TIMES=FILE (one line a run: build, threads, seconds). For each build
it prints each batch's geometric mean of the pairs' ratios (one thread over
two), then the mean of the batches' log ratios with a 95% t interval over
batches: the batch is the unit, since this shared machine's state moves by
half-hours and pairs within a batch are not independent of it. The target
counts as met for a build when the interval's lower end is at or above
TARGET (default 1.8). Not part of the test command.

    python3 benches/speedup_verdict.py [--target 1.8] FILE...

Exits 2 on a file that cannot be read, is larger than 1 MB, or holds a line
that is not a run, naming the file, line and what was expected.
"""
import math
import statistics as st
import sys

MAX_BYTES = 1_000_000
# Two-sided 95% quantiles of Student's t, degrees of freedom 1 to 30.
T975 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
        2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
        2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042]


def fail(message):
    print(f"error: {message}", file=sys.stderr)
    sys.exit(2)


def read_batch(path):
    """{build: {threads: [seconds, ...]}} from one kept file."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except OSError as e:
        fail(f"{path}: cannot read: {e.strerror}")
    if len(data) > MAX_BYTES:
        fail(f"{path}: larger than {MAX_BYTES} bytes; a batch's times are a few KB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        fail(f"{path}: not UTF-8 text")
    runs = {}
    for number, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        ok = len(parts) == 3 and parts[1] in ("1", "2")
        try:
            seconds = float(parts[2]) if ok else 0.0
        except ValueError:
            ok = False
        if not ok or not 0.0 < seconds < 1e6:
            fail(f"{path}, line {number}: expected 'BUILD THREADS SECONDS' with THREADS 1 or 2 "
                 f"and SECONDS in (0, 1e6), got {line[:80]!r}")
        runs.setdefault(parts[0], {}).setdefault(int(parts[1]), []).append(seconds)
    if not runs:
        fail(f"{path}: no run in it")
    return runs


def main(argv):
    target = 1.8
    if len(argv) >= 2 and argv[0] == "--target":
        try:
            target = float(argv[1])
        except ValueError:
            target = float("nan")
        if not 1.0 <= target <= 2.0:
            fail(f"--target: expected a number from 1 to 2, got {argv[1]!r}")
        argv = argv[2:]
    if not argv:
        fail("usage: speedup_verdict.py [--target 1.8] FILE... (files kept by speedup_pairs.sh)")
    batches = [(path, read_batch(path)) for path in argv]
    builds = []
    for _, runs in batches:
        builds += [b for b in runs if b not in builds]
    for build in builds:
        print(f"{build}: two threads over one, a run's wall time, in batches of alternated pairs")
        print()
        print("| batch | pairs | one thread (median) | two threads (median) | geometric mean of the pairs (95%) |")
        print("|---|---|---|---|---|")
        means = []
        for path, runs in batches:
            by = runs.get(build)
            if not by or not by.get(1) or not by.get(2):
                continue
            one, two = by[1], by[2]
            if len(one) != len(two):
                fail(f"{path}: {build} has {len(one)} one-thread runs and {len(two)} two-thread runs; "
                     "expected as many of each (pairs)")
            logs = [math.log(a / b) for a, b in zip(one, two)]
            mean = st.mean(logs)
            means.append(mean)
            if len(logs) > 1:
                half = T975[min(len(logs) - 1, 30) - 1] * st.stdev(logs) / math.sqrt(len(logs))
                interval = f"{math.exp(mean):.3f} ({math.exp(mean - half):.3f}–{math.exp(mean + half):.3f})"
            else:
                interval = f"{math.exp(mean):.3f}"
            print(f"| {path} | {len(logs)} | {st.median(one):.3f} s | {st.median(two):.3f} s | {interval} |")
        print()
        if len(means) < 2:
            print(f"{len(means)} batch: a verdict needs at least two batches")
            print()
            continue
        mean = st.mean(means)
        df = len(means) - 1
        half = T975[min(df, 30) - 1] * st.stdev(means) / math.sqrt(len(means))
        low, high = math.exp(mean - half), math.exp(mean + half)
        verdict = "met" if low >= target else "not met"
        print(f"over {len(means)} batches: {math.exp(mean):.3f}× (95% t interval over batches "
              f"{low:.3f}–{high:.3f}×); target {target}×: {verdict}")
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
