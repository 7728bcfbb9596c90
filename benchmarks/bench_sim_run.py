"""Benchmark of the whole ``sim run`` command, as a user runs it: 2 workers against 1, report included.

Target (issue 17): ``sim run scenarios/baseline.yaml`` (default replications, with its report) with 2 workers
≥ 1.8× faster than with 1. Prints figures; asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_sim_run.py                 # 3 rounds
    .venv/bin/python benchmarks/bench_sim_run.py --rounds 5 --scenario scenarios/baseline.yaml

Each round runs, back to back in fresh processes, ``sim run <scenario> -w 1`` and ``-w 2`` with the report and
the same two with ``--no-report`` (so the report's part is the difference), each into its own temporary folder;
the order within a round alternates so that both see the same background load. Printed: the median wall time of
each, the speed-up of 2 workers over 1 for the whole command and for the command without its report, the range
of the per-round ratios, the load average at the start of each round, and the yardstick of an empty
``python -c pass`` (interpreter start-up).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SIM = [sys.executable, "-m", "sim"]
TARGET_SPEEDUP = 1.8


def wall_seconds(command: list[str]) -> float:
    """Wall seconds of one command run to completion (its output is discarded; a failure stops the benchmark)."""
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    """Time the configurations in rounds and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the four configurations (default 3)")
    parser.add_argument("--scenario", default="scenarios/baseline.yaml", help="scenario file (default: baseline)")
    args = parser.parse_args()

    configurations = {
        "1 worker, report": ["-w", "1"],
        "2 workers, report": ["-w", "2"],
        "1 worker, no report": ["-w", "1", "--no-report"],
        "2 workers, no report": ["-w", "2", "--no-report"],
    }
    times: dict[str, list[float]] = {name: [] for name in configurations}
    empty = [wall_seconds([sys.executable, "-c", "pass"]) for _ in range(3)]
    with tempfile.TemporaryDirectory() as out:
        for number in range(args.rounds):
            print(f"round {number + 1}: load average {os.getloadavg()[0]:.2f}", flush=True)
            order = list(configurations) if number % 2 == 0 else list(reversed(configurations))
            for name in order:
                command = [*SIM, "run", args.scenario, "--out", out, *configurations[name]]
                times[name].append(wall_seconds(command))
                print(f"  {name:22s} {times[name][-1]:6.1f} s", flush=True)
    print(f"python -c pass: {statistics.median(empty):.3f} s")
    for name, seconds in times.items():
        print(f"{name:22s} median {statistics.median(seconds):6.1f} s wall")
    for label, one, two in (
        ("whole command", "1 worker, report", "2 workers, report"),
        ("without the report", "1 worker, no report", "2 workers, no report"),
    ):
        ratios = sorted(a / b for a, b in zip(times[one], times[two], strict=True))
        speedup = statistics.median(times[one]) / statistics.median(times[two])
        print(
            f"2 workers over 1, {label}: {speedup:.2f}× (rounds {ratios[0]:.2f}–{ratios[-1]:.2f}×; "
            f"target ≥ {TARGET_SPEEDUP}×)"
        )
    for workers in ("1 worker", "2 workers"):
        report = [a - b for a, b in zip(times[f"{workers}, report"], times[f"{workers}, no report"], strict=True)]
        print(f"the report's part with {workers}: median {statistics.median(report):.1f} s")


if __name__ == "__main__":
    main()
