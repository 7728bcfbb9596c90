"""Benchmark of the experiment runner: parallel speed-up, runner overhead and the memory of consolidation.

Prints figures; asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_runner.py            # all parts, ~30 s on 2 cores
    .venv/bin/python benchmarks/bench_runner.py --replications 400 --work-ms 50

Parts:

1. A CPU-bound toy replication of ``--work-ms`` (default 20 ms): a bare loop over ``fn(payload, seed)`` against
   ``run_tasks`` with 1 worker (in-process) and with 2 worker processes (forkserver pool; pool start-up included).
2. The runner's fixed cost per replication with a replication that does almost nothing (store writes, chunking,
   result checks), serial.
3. Consolidating a run of 1,000 replications × 40 daily series × 365 days: time and peak resident memory of a
   fresh process that only consolidates (and, separately, of one that loads all time series into a DataFrame).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from sim.experiment.executors import open_executor, usable_cpu_count
from sim.experiment.runner import build_tasks, run_tasks
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore, create_run_dir

HORIZON_DAYS = 365


def _work(rng: np.random.Generator, rounds: int) -> float:
    checksum = 0.0
    for _ in range(rounds):
        checksum += float(np.sort(rng.random(2000))[1000])
    return checksum


def calibrate_rounds(work_ms: float) -> int:
    """Rounds of :func:`_work` that take about ``work_ms`` on this machine (a fixed amount of work, not a
    deadline, so that CPU contention shows in the figures)."""
    rng = np.random.default_rng(0)
    _work(rng, 50)
    started = time.perf_counter()
    _work(rng, 500)
    per_round_ms = 1000 * (time.perf_counter() - started) / 500
    return max(1, round(work_ms / per_round_ms))


def cpu_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Do ``payload["rounds"]`` rounds of sorting, then return 4 metrics and 2 daily series."""
    rng = np.random.default_rng(seed)
    checksum = _work(rng, payload["rounds"])
    values = rng.normal(size=HORIZON_DAYS)
    return {
        "metrics": {"checksum": checksum, "mean": float(values.mean()), "max": float(values.max()), "n": 1.0},
        "timeseries": {"value": values, "count": rng.poisson(3.0, HORIZON_DAYS)},
    }


def tiny_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Almost no work: what is left of a run's time is the runner's own cost."""
    values = np.random.default_rng(seed).normal(size=30)
    return {"metrics": {"mean": float(values.mean())}, "timeseries": {"value": values}}


def _noop(value: int) -> int:
    return value


def _timed_run(fn: Any, tasks: list[Any], workers: int, root: Path) -> tuple[float, float]:
    """Return (total seconds, of which executor start-up until both workers answered)."""
    store = ResultStore(create_run_dir(root, f"w{workers}"))
    started = time.perf_counter()
    with open_executor(workers=workers) as executor:
        list(executor.map(_noop, range(workers)))
        warm = time.perf_counter()
        run_tasks(fn, tasks, executor, store, progress=False)
    return time.perf_counter() - started, warm - started


def bench_speedup(replications: int, work_ms: float, root: Path) -> None:
    rounds = calibrate_rounds(work_ms)
    tasks = build_tasks([{"rounds": rounds}], replication_seeds(1, replications))
    started = time.perf_counter()
    for task in tasks:
        cpu_replication(task.payload, task.seed)
    bare = time.perf_counter() - started
    serial, _ = _timed_run(cpu_replication, tasks, 1, root)
    pooled, startup = _timed_run(cpu_replication, tasks, 2, root)
    print(f"1. CPU-bound replication of ~{work_ms:g} ms, {replications} replications ({usable_cpu_count()} CPUs)")
    print(f"   bare loop             {bare:6.2f} s   {1000 * bare / replications:6.2f} ms/replication")
    overhead_percent = 100 * (serial - bare) / bare
    print(f"   run_tasks, 1 worker   {serial:6.2f} s   overhead {overhead_percent:+5.1f} % over the bare loop")
    print(
        f"   run_tasks, 2 workers  {pooled:6.2f} s   speed-up {serial / pooled:4.2f}x over 1 worker "
        f"({serial / (pooled - startup):4.2f}x without the {startup:.2f} s pool start-up)"
    )


def bench_overhead(replications: int, root: Path) -> None:
    tasks = build_tasks([{}], replication_seeds(2, replications))
    started = time.perf_counter()
    for task in tasks:
        tiny_replication(task.payload, task.seed)
    bare = time.perf_counter() - started
    serial, _ = _timed_run(tiny_replication, tasks, 1, root)
    print(f"2. Near-empty replication, {replications} replications, 1 worker")
    print(
        f"   bare loop {1e6 * bare / replications:7.1f} us/replication; run_tasks {1e6 * serial / replications:7.1f} "
        f"us/replication → runner cost {1e6 * (serial - bare) / replications:7.1f} us/replication"
    )


def _synthetic_run(root: Path, replications: int, series: int, chunk_size: int) -> Path:
    run_dir = create_run_dir(root, "consolidate")
    store = ResultStore(run_dir)
    rng = np.random.default_rng(0)
    names = [f"series_{index:02d}" for index in range(series)]
    started = time.perf_counter()
    for start in range(0, replications, chunk_size):
        records = []
        for replication in range(start, min(start + chunk_size, replications)):
            timeseries = {
                name: rng.normal(size=HORIZON_DAYS) if index % 2 else rng.poisson(5.0, HORIZON_DAYS)
                for index, name in enumerate(names)
            }
            records.append(
                {
                    "key": f"p0000-r{replication:04d}",
                    "point": 0,
                    "replication": replication,
                    "seed": replication,
                    "status": "ok",
                    "metrics": {f"metric_{index}": float(rng.random()) for index in range(20)},
                    "timeseries": timeseries,
                    "error": None,
                    "elapsed_s": 0.0,
                }
            )
        store.write_chunk(records)
    elapsed = time.perf_counter() - started
    chunk_bytes = sum(path.stat().st_size for path in store.chunk_paths())
    print(
        f"   wrote {len(store.chunk_paths())} chunks of {chunk_size} in {elapsed:.2f} s "
        f"({1000 * elapsed / len(store.chunk_paths()):.1f} ms/chunk), {chunk_bytes / 2**20:.0f} MiB on disk"
    )
    return run_dir


def _peak_rss_mib() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def measure_in_child(run_dir: Path, what: str) -> None:
    """Child-process part of :func:`bench_consolidate`: do one thing and report time and peak memory."""
    store = ResultStore(run_dir)
    baseline = _peak_rss_mib()
    started = time.perf_counter()
    if what == "consolidate":
        _, parquet_path = store.consolidate()
        detail = f"timeseries.parquet {parquet_path.stat().st_size / 2**20:.0f} MiB"
    else:
        frame = store.load_timeseries()
        detail = f"DataFrame {frame.shape[0]} x {frame.shape[1]}, {frame.memory_usage(deep=True).sum() / 2**20:.0f} MiB"
    elapsed = time.perf_counter() - started
    peak = _peak_rss_mib()
    print(
        f"   {what:15s} {elapsed:6.2f} s; peak RSS {peak:6.0f} MiB (+{peak - baseline:4.0f} MiB after imports); "
        f"{detail}"
    )


def bench_consolidate(root: Path, replications: int, series: int) -> None:
    print(f"3. Consolidation of {replications} replications x {series} daily series x {HORIZON_DAYS} days")
    run_dir = _synthetic_run(root, replications, series, chunk_size=32)
    for what in ("consolidate", "load_timeseries"):
        subprocess.run([sys.executable, __file__, "--measure", what, str(run_dir)], check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--replications", type=int, default=200, help="replications of the CPU-bound part")
    parser.add_argument("--work-ms", type=float, default=20.0, help="CPU time of one toy replication")
    parser.add_argument("--measure", nargs=2, metavar=("WHAT", "RUN_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure_in_child(Path(args.measure[1]), args.measure[0])
        return
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        bench_speedup(args.replications, args.work_ms, root)
        bench_overhead(2000, root)
        bench_consolidate(root, replications=1000, series=40)


if __name__ == "__main__":
    main()
