"""Benchmark of peak memory: 1,000 baseline replications with daily time series, as ``sim run`` makes them.

Target (issue): ≤ 1 GiB peak memory. Prints figures; asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_memory.py                          # 1,000 replications, one worker per core
    .venv/bin/python benchmarks/bench_memory.py --replications 200 -w 1  # fewer, extrapolated to 1,000

The run goes through ``sim.experiment.replications.run_scenario`` (what ``sim run --no-report`` calls): seeded
replications on local worker processes, every chunk written to a run folder (a temporary directory here) as it
arrives, then consolidated into ``replications.csv`` and ``timeseries.parquet`` and summarised. A thread samples
the resident memory (RSS) of this process plus all its child processes every 20 ms with psutil; the peak of that
sum is the figure to hold against the target. ``getrusage`` maxima are printed beside it (the children's figure
is the largest single worker, not a sum).

With fewer than 1,000 replications the figure is extrapolated: only this (the main) process holds what grows with
the number of replications (chunk bookkeeping, consolidation of the time series); the workers hold one replication
at a time. So the measured peak plus this process's growth during the run times (1,000 / replications − 1). The
main process grows less than linearly (measured: +72 MiB for 200, +103 MiB for 1,000), so this is conservative;
it is printed as an extrapolation.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import tempfile
import threading
import time
from pathlib import Path

import psutil

from sim.api import load_scenario
from sim.experiment.execution import Execution
from sim.experiment.replications import run_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
TARGET_REPLICATIONS = 1000
GIB = 1024**3
MIB = 1024**2


class PeakSampler(threading.Thread):
    """Samples the summed RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, interval_s: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process()
        self.interval_s = interval_s
        self.peak_bytes = 0
        self.peak_processes = 0
        self.peak_self_bytes = 0
        self._stop_event = threading.Event()

    def tree_rss(self) -> tuple[int, int]:
        total, count = 0, 0
        for process in [self.process, *self.process.children(recursive=True)]:
            try:
                total += process.memory_info().rss
                count += 1
            except psutil.Error:  # a worker that just exited
                continue
        return total, count

    def run(self) -> None:
        while not self._stop_event.is_set():
            total, count = self.tree_rss()
            if total > self.peak_bytes:
                self.peak_bytes, self.peak_processes = total, count
            with contextlib.suppress(psutil.Error):
                self.peak_self_bytes = max(self.peak_self_bytes, self.process.memory_info().rss)
            time.sleep(self.interval_s)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def main() -> None:
    """Run the replications under the sampler and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=TARGET_REPLICATIONS, help="default 1,000")
    parser.add_argument("--workers", "-w", type=int, default=None, help="worker processes (default: one per core)")
    parser.add_argument("--scenario", type=Path, default=BASELINE, help="scenario file (default: the baseline)")
    args = parser.parse_args()

    scenario = load_scenario(args.scenario)
    sampler = PeakSampler()
    before_bytes, _ = sampler.tree_rss()
    print(
        f"scenario {scenario.name}: {args.replications} replications × {scenario.horizon_days} days, "
        f"workers {args.workers or 'one per core'}; load average {os.getloadavg()[0]:.2f}"
    )
    print(f"before the run: {before_bytes / MIB:.0f} MiB (this process, scenario loaded)")
    sampler.start()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as results_root:
        results = run_scenario(
            scenario,
            replications=args.replications,
            execution=Execution(workers=args.workers, results_root=Path(results_root), progress=False),
        )
        elapsed = time.perf_counter() - started
        sampler.stop()
        parquet_mib = (results.run_dir / "timeseries.parquet").stat().st_size / MIB
        ok = int((results.metrics["status"] == "ok").sum())
    peak = sampler.peak_bytes
    self_max = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux
    child_max = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    print(f"{ok} replications ok in {elapsed:.1f} s ({1e3 * elapsed / args.replications:.1f} ms each, wall)")
    print(f"timeseries.parquet: {parquet_mib:.1f} MiB")
    print(
        f"peak RSS, this process + children (summed, sampled): {peak / MIB:.0f} MiB "
        f"over {sampler.peak_processes} processes; target ≤ {GIB / MIB:.0f} MiB"
    )
    print(f"getrusage max RSS: this process {self_max / MIB:.0f} MiB; largest child {child_max / MIB:.0f} MiB")
    if args.replications != TARGET_REPLICATIONS:
        growth = sampler.peak_self_bytes - before_bytes
        scaled = peak + growth * (TARGET_REPLICATIONS / args.replications - 1)
        print(
            f"extrapolated to {TARGET_REPLICATIONS} replications (this process grew {growth / MIB:.0f} MiB; "
            f"scaled linearly, workers unchanged; conservative): {scaled / MIB:.0f} MiB"
        )


if __name__ == "__main__":
    main()
