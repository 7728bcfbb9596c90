"""Benchmark of one replication of the model against a pure-Python yardstick, with the day's phases as parts.

Target (issue 17): one baseline replication-year ≤ 0.15× the yardstick, a loop of 10^6 iterations of ``s += i * i``
timed in the same process, side by side. A replication-year is the CPU time of one replication of the baseline
scaled to 365 days (the baseline runs 1,218 days). Prints figures; asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_model.py                 # 11 rounds after a warm-up
    .venv/bin/python benchmarks/bench_model.py --runs 31 --profile

Each round times the yardstick and then one replication, ``sim.model.run.run_replication(scenario, seed)`` with a
new seed (what a worker does for one replication, metrics and time series included), both as CPU time of this
process (less sensitive to other processes than wall time); the ratio is of the medians, and the range of the
per-round ratios is printed beside it. The parts: model construction, and the daily loop split by phase (events
and production, decisions, the night with its compiled calls apart, the books, and what is left: Mesa's
``run_for`` and the step itself). With ``--profile`` a cProfile of further runs prints the top functions by own
time.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.api import load_scenario
from sim.model import world
from sim.model.run import run_replication
from sim.scenario.calendar import DAYS_PER_YEAR
from sim.scenario.model import Scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
TARGET_RATIO = 0.15
YARDSTICK_ITERATIONS = 10**6
PHASES = ("_produce", "_decide", "_night", "_close_books")
COMPILED = ("engage_regions", "hit_sites", "launch")


def yardstick() -> int:
    """The issue's pure-Python yardstick: 10^6 iterations of ``s += i * i``."""
    s = 0
    for i in range(YARDSTICK_ITERATIONS):
        s += i * i
    return s


def cpu_seconds(work: Callable[[], Any]) -> float:
    """CPU seconds of this process spent on ``work()``."""
    started = time.process_time()
    work()
    return time.process_time() - started


def side_by_side(scenario: Scenario, rounds: int, first_seed: int) -> tuple[list[float], list[float]]:
    """CPU seconds of the yardstick and of one replication, ``rounds`` times, alternating."""
    yard, replication = [], []
    for seed in range(first_seed, first_seed + rounds):
        yard.append(cpu_seconds(yardstick))
        replication.append(cpu_seconds(lambda seed=seed: run_replication(scenario, seed)))  # type: ignore[misc]
    return yard, replication


def phase_times(scenario: Scenario, runs: int) -> dict[str, float]:
    """Median CPU ms per replication of construction, each phase of the day, the compiled calls, and the rest."""
    spent: dict[str, float] = {}
    originals: list[tuple[Any, str, Any]] = []

    def timed(owner: Any, name: str, key: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: Any, **kwargs: Any) -> Any:
            started = time.process_time()
            try:
                return original(*args, **kwargs)
            finally:
                spent[key] = spent.get(key, 0.0) + time.process_time() - started

        originals.append((owner, name, original))
        setattr(owner, name, wrapper)

    for phase in PHASES:
        timed(world.AirDefenceModel, phase, phase.strip("_"))
    timed(world, "engage_regions", "compiled")
    timed(world, "hit_sites", "compiled")
    from sim.model.agents import adversary

    timed(adversary, "launch", "compiled")
    per_run: list[dict[str, float]] = []
    try:
        for seed in range(1000, 1000 + runs):
            spent.clear()
            started = time.process_time()
            model = world.AirDefenceModel(scenario, seed)
            built = time.process_time()
            model.run()
            ended = time.process_time()
            parts = {"construction": built - started, **spent}
            parts["night"] -= parts.get("compiled", 0.0)
            # (the timing wrappers' own cost, ~1 µs a call, falls in the phases: this part is a lower bound)
            parts["Mesa run_for, step and settling"] = max(0.0, (ended - built) - sum(spent.values()))
            per_run.append(parts)
    finally:
        for owner, name, original in reversed(originals):
            setattr(owner, name, original)
    return {key: 1e3 * statistics.median(run[key] for run in per_run) for key in per_run[0]}


def main() -> None:
    """Time the baseline replication beside the yardstick and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=11, help="rounds of yardstick + replication (default 11)")
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario file (default: the baseline)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile top 20 by own time")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    years = scenario.horizon_days / DAYS_PER_YEAR
    print(f"scenario {scenario.name}: {scenario.horizon_days} days; load average {os.getloadavg()[0]:.2f}")
    side_by_side(scenario, 2, first_seed=10_000)  # warm-up: imports, compiled caches, allocator
    yard, replication = side_by_side(scenario, args.runs, first_seed=1)
    yard_s, replication_s = statistics.median(yard), statistics.median(replication)
    ratios = sorted(r / years / y for r, y in zip(replication, yard, strict=True))
    print(f"yardstick (10^6 × s += i*i): median {1e3 * yard_s:.1f} ms CPU")
    print(
        f"one replication: median {1e3 * replication_s:.1f} ms CPU; a replication-year "
        f"{1e3 * replication_s / years:.1f} ms = {replication_s / years / yard_s:.3f}× the yardstick "
        f"(rounds {ratios[0]:.3f}–{ratios[-1]:.3f}×; target ≤ {TARGET_RATIO}×)"
    )
    parts = phase_times(scenario, max(3, args.runs // 2))
    total = sum(parts.values())
    print(f"parts of one replication (median of {max(3, args.runs // 2)}, ms CPU; total {total:.1f}):")
    for name, value in parts.items():
        print(f"  {name:34s} {value:7.1f}  {100 * value / total:4.0f}%  ({value / years / (1e3 * yard_s):.3f}× a year)")
    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for seed in range(2000, 2005):
            run_replication(scenario, seed)
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(20)
        print("cProfile of 5 replications, top 20 by own time (profiling inflates small calls):")
        print("\n".join(line for line in text.getvalue().splitlines() if line.strip()))


if __name__ == "__main__":
    main()
