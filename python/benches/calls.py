"""What calling govsim from Python costs, as ratios measured in one run
(quoted in docs/python.md, "Speed"):

1. the cost of the call around a run of the 50,000-resident party-led
   district, a year on one thread: everything `govsim.run` spends beyond the
   run itself (loading the scenario, the thread, tabulating rows and
   summary, parsing them into pandas), as a share of the run's own wall
   time (the library's clock around the simulation);
2. four runs of the same district, a year each on one thread, from four
   Python threads at once against one after another: the speed-up the
   released GIL gives (about the number of cores, up to 4).

    python python/benches/calls.py            # about a minute on 2 cores
    python python/benches/calls.py --quick    # fewer repetitions
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time

import govsim


def call_cost(repeats: int) -> tuple[float, float, float]:
    """Median run wall time, median time of the whole call, and the
    median of each call's overhead as a share of its run."""
    scenario = govsim.load("regimes/party_led")
    govsim.run(scenario, threads=1, days=30)  # warm-up
    runs, calls, shares = [], [], []
    for _ in range(repeats):
        start = time.perf_counter()
        result = govsim.run(scenario, threads=1)
        total = time.perf_counter() - start
        runs.append(result.wall_seconds)
        calls.append(total)
        shares.append((total - result.wall_seconds) / result.wall_seconds)
    return statistics.median(runs), statistics.median(calls), statistics.median(shares)


def thread_speedup(repeats: int, threads: int = 4) -> tuple[float, float, float]:
    """Median wall time of `threads` district runs one after another, and
    from `threads` Python threads at once; their ratio."""
    town = govsim.load("regimes/party_led")
    govsim.run(town, threads=1)  # warm-up

    def serial() -> float:
        start = time.perf_counter()
        for _ in range(threads):
            govsim.run(town, threads=1)
        return time.perf_counter() - start

    def parallel() -> float:
        workers = [threading.Thread(target=govsim.run, args=(town,), kwargs={"threads": 1}) for _ in range(threads)]
        start = time.perf_counter()
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        return time.perf_counter() - start

    one, many = [], []
    for _ in range(repeats):  # interleaved, so drift hits both alike
        one.append(serial())
        many.append(parallel())
    a, b = statistics.median(one), statistics.median(many)
    return a, b, a / b


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args()
    repeats = 2 if args.quick else 5
    run, call, share = call_cost(repeats)
    print(f"cores: {os.cpu_count()}")
    print(
        f"party-led district (50,000 residents, 365 days, 1 thread): run {run:.3f} s, "
        f"call {call:.3f} s, the call's cost {100 * share:.2f}% of the run (median of {repeats})"
    )
    serial, parallel, ratio = thread_speedup(repeats)
    print(
        f"4 district years: one after another {serial:.3f} s, from 4 Python threads {parallel:.3f} s, "
        f"speed-up {ratio:.2f}x (median of {repeats})"
    )


if __name__ == "__main__":
    main()
