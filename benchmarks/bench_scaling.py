"""Benchmark of scale-out on the real model: 1 vs 2 local workers, runner overhead, Dask vs the local pool.

Prints figures (and whether the results were bit-identical); asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_scaling.py                  # 1,000 baseline replications per part
    .venv/bin/python benchmarks/bench_scaling.py -n 200           # a quicker look
    .venv/bin/python benchmarks/bench_scaling.py -n 200 --parts ab --set horizon_days=90

Parts (targets from the issue in brackets):

a. ``run_tasks`` on ``N`` baseline replications with 1 worker (in-process) and with a 2-process local pool, pool
   start-up included; the speed-up [≥ 1.8×].
b. The same serial ``run_tasks`` against a bare loop ``run_replication(scenario, seed)`` over the same seeds
   [runner overhead ≤ 10 %]; the run's consolidation (replications.csv, timeseries.parquet) is shown apart.
c. A 2-worker ``distributed.LocalCluster`` (processes, one thread each) reached through ``--scheduler`` against the
   2-process local pool [within 15 %]. The cluster is started before the clock starts, as a user's cluster would be.

Wall-clock figures depend on what else the machine runs. The replications are split into ``--rounds`` rounds (default
5) and every configuration runs in every round, back to back, so all of them see the same background load; the
totals are over all rounds (a new local pool per round: its start-up is counted each time), and the range of the
per-round ratios is printed beside them, with the load average at the start of each round.
"""

from __future__ import annotations

import argparse
import os
import pickle
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from sim.experiment.executors import open_executor, usable_cpu_count
from sim.experiment.replications import WORKER_PRELOAD
from sim.experiment.runner import Chunk, build_tasks, run_chunk, run_tasks
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore, create_run_dir
from sim.model.run import run_replication
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {usable_cpu_count()} CPUs"


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_on(
    scenario: Scenario, seeds: Sequence[int], root: Path, label: str, **executor: Any
) -> tuple[float, ResultStore]:
    """Run the replications through ``run_tasks`` on an executor; return (seconds, store). Start-up included."""
    store = ResultStore(create_run_dir(root, label))
    tasks = build_tasks([scenario], list(seeds))

    def action() -> None:
        with open_executor(preload_modules=WORKER_PRELOAD, **executor) as opened:
            run_tasks(run_replication, tasks, opened, store, progress=False)

    elapsed, _ = _timed(action)
    return elapsed, store


def bare_loop(scenario: Scenario, seeds: Sequence[int]) -> float:
    """Seconds of ``run_replication`` called in a plain loop (results kept in memory, nothing written)."""
    elapsed, _ = _timed(lambda: [run_replication(scenario, seed) for seed in seeds])
    return elapsed


def _metrics(store: ResultStore) -> pd.DataFrame:
    return store.load_metrics().drop(columns="elapsed_s")


def _identical(first: ResultStore, second: ResultStore) -> str:
    for store in (first, second):
        metrics = store.load_metrics()
        failed = metrics[metrics["status"] != "ok"]
        if len(failed):
            return f"{len(failed)} FAILED in {store.run_dir.name}: {failed['error'].iloc[0]}"
    one, two = _metrics(first), _metrics(second)
    if list(one.columns) != list(two.columns):
        return f"DIFFERENT columns: {sorted(set(one.columns) ^ set(two.columns)) or 'same names, other order'}"
    try:
        pd.testing.assert_frame_equal(one, two, check_exact=True)
    except AssertionError as error:
        return "DIFFERENT: " + " ".join(str(error).split())[:300]
    return "bit-identical"


def runner_costs(scenario: Scenario, seeds: Sequence[int], root: Path) -> tuple[float, float]:
    """The runner's own work per replication, measured apart: (unpickling the payload, writing the chunk), in ms.

    Every replication unpickles a fresh copy of its scenario; every finished chunk is written to parquet and fsynced.
    """
    tasks = build_tasks([scenario], list(seeds[:5]))
    chunk = Chunk.pack(tasks)
    records = run_chunk(run_replication, chunk)
    rounds = 20
    elapsed, _ = _timed(lambda: [pickle.loads(chunk.payloads[0]) for _ in range(rounds * len(tasks))])
    unpickle_ms = 1000 * elapsed / (rounds * len(tasks))
    store = ResultStore(create_run_dir(root, "write"))

    def write() -> None:
        for index in range(rounds):
            store.write_chunk([{**record, "key": f"{record['key']}-{index}"} for record in records])

    elapsed, _ = _timed(write)
    return unpickle_ms, 1000 * elapsed / (rounds * len(records))


@contextmanager
def dask_cluster(root: Path, wanted: bool) -> Iterator[tuple[str, float] | None]:
    """A 2-worker LocalCluster (processes, one thread each): yields (address, start-up seconds), or None."""
    if not wanted:
        yield None
        return
    try:
        import distributed
    except ImportError:
        yield None
        return
    started = time.perf_counter()
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, local_directory=str(root)
    ) as cluster:
        yield cluster.scheduler_address, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--replications", type=int, default=1000, help="baseline replications per measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds the replications are split into")
    parser.add_argument("--parts", default="abc", help="which parts to run, e.g. 'ab' (default: abc)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="scenario override")
    parser.add_argument("--seed", type=int, default=20250901, help="base seed")
    args = parser.parse_args()
    scenario = load_scenario(BASELINE, args.overrides)
    seeds = replication_seeds(args.seed, args.replications)
    count = len(seeds)
    rounds = max(1, min(args.rounds, count))
    print(
        f"baseline scenario, horizon {scenario.horizon_days} days, {count} replications per configuration "
        f"in {rounds} interleaved rounds"
    )
    run_replication(scenario, seeds[0])  # warm imports and caches before any clock starts
    wanted = {
        "bare": "b" in args.parts,
        "serial": "a" in args.parts or "b" in args.parts,
        "pool": "a" in args.parts or "c" in args.parts,
        "dask": "c" in args.parts,
    }
    totals = dict.fromkeys(wanted, 0.0)
    per_round: dict[str, list[float]] = {name: [] for name in wanted}
    consolidation = 0.0
    cpu_seconds = {"bare": 0.0, "serial": 0.0}  # this process's CPU time: unaffected by other processes' load
    identical = {"pool": "bit-identical", "dask": "bit-identical"}
    with tempfile.TemporaryDirectory() as folder, dask_cluster(Path(folder), wanted["dask"]) as cluster:
        root = Path(folder)
        if wanted["dask"] and cluster is None:
            print("c. skipped: distributed is not installed (pip install 'eu-airdefence-sim[dask]')")
            wanted["dask"] = False
        for index in range(rounds):
            part = seeds[index * count // rounds : (index + 1) * count // rounds]
            # Every configuration runs in every round, back to back: each sees the same background load.
            print(f"   round {index + 1}/{rounds}: {len(part)} replications ({_load()})", flush=True)
            stores: dict[str, ResultStore] = {}
            timings: dict[str, float] = {}
            if wanted["bare"]:
                cpu = time.process_time()
                timings["bare"] = bare_loop(scenario, part)
                cpu_seconds["bare"] += time.process_time() - cpu
            if wanted["serial"]:
                cpu = time.process_time()
                timings["serial"], stores["serial"] = run_on(scenario, part, root, "serial", workers=1)
                cpu_seconds["serial"] += time.process_time() - cpu
                elapsed, _ = _timed(stores["serial"].consolidate)
                consolidation += elapsed
            if wanted["pool"]:
                timings["pool"], stores["pool"] = run_on(scenario, part, root, "pool", workers=2)
            if wanted["dask"] and cluster is not None:
                timings["dask"], stores["dask"] = run_on(scenario, part, root, "dask", scheduler=cluster[0])
            for name, elapsed in timings.items():
                totals[name] += elapsed
                per_round[name].append(elapsed)
            reference = stores.get("serial") or stores.get("pool")
            for name in ("pool", "dask"):
                if name in stores and reference is not None and stores[name] is not reference:
                    verdict = _identical(reference, stores[name])
                    if verdict != "bit-identical":
                        identical[name] = verdict

        def ratio(numerator: str, denominator: str) -> str:
            best = min(a / b for a, b in zip(per_round[numerator], per_round[denominator], strict=True))
            worst = max(a / b for a, b in zip(per_round[numerator], per_round[denominator], strict=True))
            return f"per round {best:.2f}-{worst:.2f}"

        if "a" in args.parts:
            serial, pooled = totals["serial"], totals["pool"]
            print("a. 1 vs 2 local workers (a new pool per round, its start-up included)")
            print(f"   1 worker (in-process)   {serial:8.2f} s   {1000 * serial / count:7.1f} ms/replication")
            print(
                f"   2 workers (local pool)  {pooled:8.2f} s   speed-up {serial / pooled:.2f}x "
                f"({ratio('serial', 'pool')})   [target >= 1.8x]   results {identical['pool']}"
            )
        if "b" in args.parts:
            bare, serial = totals["bare"], totals["serial"]
            print("b. Runner overhead over a bare loop of the same replications (1 worker)")
            print(f"   bare loop               {bare:8.2f} s   {1000 * bare / count:7.1f} ms/replication")
            print(
                f"   run_tasks               {serial:8.2f} s   overhead {100 * (serial - bare) / bare:+5.1f} % "
                f"({ratio('serial', 'bare')})   [target <= 10 %]"
            )
            print(
                f"   then consolidation      {consolidation:8.2f} s   overhead with it "
                f"{100 * (serial + consolidation - bare) / bare:+5.1f} %"
            )
            unpickle_ms, write_ms = runner_costs(scenario, seeds, root)
            print(
                f"   runner work measured apart: {unpickle_ms:.1f} ms to unpickle the scenario + {write_ms:.1f} ms to "
                f"write the chunk per replication = {100 * (unpickle_ms + write_ms) / (1000 * bare / count):.1f} % of "
                "a bare replication"
            )
            bare_cpu, serial_cpu = cpu_seconds["bare"], cpu_seconds["serial"]
            print(
                f"   CPU time (not disturbed by other processes): bare loop {bare_cpu:.2f} s, run_tasks "
                f"{serial_cpu:.2f} s, overhead {100 * (serial_cpu - bare_cpu) / bare_cpu:+5.1f} %"
            )
        if "c" in args.parts and cluster is not None:
            pooled, dask = totals["pool"], totals["dask"]
            print("c. Dask LocalCluster (2 worker processes x 1 thread) vs the 2-process local pool")
            print(f"   local pool              {pooled:8.2f} s")
            print(
                f"   Dask                    {dask:8.2f} s   {100 * (dask - pooled) / pooled:+5.1f} % vs the pool "
                f"({ratio('dask', 'pool')})   [target within 15 %]   results {identical['dask']}"
            )
            print(f"   (cluster start-up, once, before the clocks: {cluster[1]:.2f} s)")


if __name__ == "__main__":
    main()
