"""Benchmark of one replication of the model: median wall time of a 365-day baseline replication.

Target (issue): ≤ 40 ms median on this machine. Prints figures; asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_model.py                 # 11 timed runs after a warm-up
    .venv/bin/python benchmarks/bench_model.py --runs 31 --profile

Each timed run is ``sim.model.run.run_replication(scenario, seed)`` with a new seed (what a worker does for
one replication, metrics and time series included); the scenario is loaded once, outside the timing. Also
printed: CPU time per run (less sensitive to other processes on the machine than wall time), the same run
split into model construction and the daily loop, and the share of the compiled nights (engagement kernel and
its books, ``engagement.night.engage_regions``) in the loop. With
``--profile`` a cProfile of further runs prints the top functions by own time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from pathlib import Path

from sim.api import load_scenario
from sim.model import world
from sim.model.run import run_replication
from sim.scenario.model import Scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
TARGET_MS = 40.0


def time_replications(scenario: Scenario, runs: int, first_seed: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``runs`` replications."""
    wall, cpu = [], []
    for seed in range(first_seed, first_seed + runs):
        started_wall, started_cpu = time.perf_counter(), time.process_time()
        run_replication(scenario, seed)
        wall.append(time.perf_counter() - started_wall)
        cpu.append(time.process_time() - started_cpu)
    return wall, cpu


def split_times(scenario: Scenario, runs: int) -> tuple[float, float, float]:
    """Median ms of model construction, of the daily loop, and of the compiled night calls within the loop."""
    kernel = world.engage_regions
    spent = [0.0]

    def timed_kernel(*args, **kwargs):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        try:
            return kernel(*args, **kwargs)
        finally:
            spent[0] += time.perf_counter() - started

    build, loop, in_kernel = [], [], []
    world.engage_regions = timed_kernel
    try:
        for seed in range(1000, 1000 + runs):
            started = time.perf_counter()
            model = world.AirDefenceModel(scenario, seed)
            built = time.perf_counter()
            spent[0] = 0.0
            model.run()
            build.append(built - started)
            loop.append(time.perf_counter() - built)
            in_kernel.append(spent[0])
    finally:
        world.engage_regions = kernel
    return 1e3 * statistics.median(build), 1e3 * statistics.median(loop), 1e3 * statistics.median(in_kernel)


def main() -> None:
    """Time the baseline replication and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="timed replications (default 11)")
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario file (default: the baseline)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile top 15 by own time")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    print(f"scenario {scenario.name}: {scenario.horizon_days} days; load average {os.getloadavg()[0]:.2f}")
    time_replications(scenario, 2, first_seed=10_000)  # warm-up: imports, caches, allocator
    wall, cpu = time_replications(scenario, args.runs, first_seed=1)
    median_ms = 1e3 * statistics.median(wall)
    print(f"one replication ({args.runs} runs): median {median_ms:.1f} ms wall (min {1e3 * min(wall):.1f}, ", end="")
    print(f"max {1e3 * max(wall):.1f}); median {1e3 * statistics.median(cpu):.1f} ms CPU; target ≤ {TARGET_MS:.0f} ms")
    build_ms, loop_ms, kernel_ms = split_times(scenario, max(3, args.runs // 2))
    print(
        f"  construction {build_ms:.1f} ms; daily loop {loop_ms:.1f} ms, of which compiled nights {kernel_ms:.1f} ms "
        f"({100 * kernel_ms / loop_ms:.0f}%) and everything else {loop_ms - kernel_ms:.1f} ms"
    )
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        time_replications(scenario, 5, first_seed=2000)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(15)
        print("cProfile of 5 replications, top 15 by own time (profiling inflates small calls):")
        print("\n".join(line for line in text.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()
