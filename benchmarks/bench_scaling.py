"""Benchmark of scale-out on the real model: 1 vs 2 local workers, runner overhead, Dask vs the local pool.

Prints figures (and whether the results were bit-identical); asserts nothing. Run from the project root::

    .venv/bin/python benchmarks/bench_scaling.py                  # 1,000 baseline replications per part
    .venv/bin/python benchmarks/bench_scaling.py -n 200           # a quicker look
    .venv/bin/python benchmarks/bench_scaling.py -n 200 --parts ab --set horizon_days=90
    .venv/bin/python benchmarks/bench_scaling.py --parts d        # the default `sim run`, before and after

Parts (targets from the issue in brackets):

a. ``run_tasks`` on ``N`` baseline replications with 1 worker (in-process) and with a 2-process local pool, pool
   start-up included; the speed-up [≥ 1.8×].
b. The same serial ``run_tasks`` against a bare loop ``run_replication(scenario, seed)`` over the same seeds
   [runner overhead ≤ 5 %], with read-only payloads as ``sim run`` uses it (one scenario per process) and with a
   fresh copy of the scenario for every replication (how every run ran before); the run's consolidation
   (replications.csv, timeseries.parquet) is shown apart.
c. A 2-worker ``distributed.LocalCluster`` (processes, one thread each) reached through ``--scheduler`` against the
   2-process local pool [within 15 %]. The cluster is started before the clock starts, as a user's cluster would be.
d. The default ``sim run scenarios/baseline.yaml --no-report`` (``--replications-d``, default 40, the scenario's
   own; ``--set`` applies), each time in a fresh process (``benchmarks/timed_sim_run.py``), 1 worker vs 2, for the
   code in this tree ("after") and for the base commit ``--base`` ("before", checked out into a temporary git
   worktree): the speed-up of the run's phase — folder, pool start-up, replications, consolidation, summary —
   [≥ 1.8×] and of the command without its report, with the parts of each (preparation: imports and validation;
   pool start-up; the wait for the first result; the time replications spent loading the model; consolidation).

Wall-clock figures depend on what else the machine runs. The replications are split into ``--rounds`` rounds (default
5) and every configuration runs in every round, back to back, so all of them see the same background load; the
totals are over all rounds (a new local pool per round: its start-up is counted each time), and the range of the
per-round ratios is printed beside them, with the load average at the start of each round.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
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

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
BASE_COMMIT = "33ee51c"
"""The commit before the speed work of issue 17: part d's "before"."""


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {usable_cpu_count()} CPUs"


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def run_on(
    scenario: Scenario, seeds: Sequence[int], root: Path, label: str, *, read_only: bool = True, **executor: Any
) -> tuple[float, ResultStore]:
    """Run the replications through ``run_tasks`` on an executor, as ``run_points`` does (read-only payloads unless
    ``read_only=False``); return (seconds, store). Start-up included."""
    store = ResultStore(create_run_dir(root, label))
    tasks = build_tasks([scenario], list(seeds))

    def action() -> None:
        with open_executor(preload_modules=WORKER_PRELOAD, **executor) as opened:
            run_tasks(run_replication, tasks, opened, store, progress=False, read_only_payloads=read_only)

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
    parser.add_argument("--replications-d", type=int, default=40, help="replications of part d (default: 40)")
    parser.add_argument("--rounds-d", type=int, default=3, help="rounds of part d (default: 3)")
    parser.add_argument("--base", default=BASE_COMMIT, help=f"part d's commit before (default: {BASE_COMMIT})")
    args = parser.parse_args()
    if set(args.parts) & set("abc"):
        bench_in_process(args)
    if "d" in args.parts:
        bench_sim_run(args)


def bench_in_process(args: argparse.Namespace) -> None:
    """Parts a, b and c: configurations run in this process (the pools' workers apart), in interleaved rounds."""
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
        "fresh": "b" in args.parts,
        "pool": "a" in args.parts or "c" in args.parts,
        "dask": "c" in args.parts,
    }
    totals = dict.fromkeys(wanted, 0.0)
    per_round: dict[str, list[float]] = {name: [] for name in wanted}
    consolidation = 0.0
    cpu_seconds = {
        "bare": 0.0,
        "serial": 0.0,
        "fresh": 0.0,
    }  # this process's CPU time: unaffected by other processes' load
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
            if wanted["fresh"]:
                cpu = time.process_time()
                timings["fresh"], _ = run_on(scenario, part, root, "fresh", read_only=False, workers=1)
                cpu_seconds["fresh"] += time.process_time() - cpu
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
            bare, serial, fresh = totals["bare"], totals["serial"], totals["fresh"]
            print("b. Runner overhead over a bare loop of the same replications (1 worker)")
            print(f"   bare loop               {bare:8.2f} s   {1000 * bare / count:7.1f} ms/replication")
            print(
                f"   run_tasks               {serial:8.2f} s   overhead {100 * (serial - bare) / bare:+5.1f} % "
                f"({ratio('serial', 'bare')})   [target <= 5 %]   (one scenario per process, as sim run runs)"
            )
            print(
                f"   run_tasks, fresh copies {fresh:8.2f} s   overhead {100 * (fresh - bare) / bare:+5.1f} % "
                f"({ratio('fresh', 'bare')})   (a scenario unpickled for every replication, as before)"
            )
            print(
                f"   then consolidation      {consolidation:8.2f} s   overhead with it "
                f"{100 * (serial + consolidation - bare) / bare:+5.1f} %"
            )
            unpickle_ms, write_ms = runner_costs(scenario, seeds, root)
            per_replication_ms = 1000 * bare / count
            print(
                f"   runner work measured apart: {write_ms:.1f} ms to write the chunk per replication "
                f"({100 * write_ms / per_replication_ms:.1f} % of a bare replication); unpickling the scenario, "
                f"{unpickle_ms:.1f} ms ({100 * unpickle_ms / per_replication_ms:.1f} %), now once per process"
            )
            bare_cpu, serial_cpu, fresh_cpu = cpu_seconds["bare"], cpu_seconds["serial"], cpu_seconds["fresh"]
            print(
                f"   CPU time (not disturbed by other processes): bare loop {bare_cpu:.2f} s, run_tasks "
                f"{serial_cpu:.2f} s, overhead {100 * (serial_cpu - bare_cpu) / bare_cpu:+5.1f} %; fresh copies "
                f"{fresh_cpu:.2f} s, {100 * (fresh_cpu - bare_cpu) / bare_cpu:+5.1f} %"
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


PHASES = (
    ("prepare_s", "preparation (imports, validation)"),
    ("open_s", "run folder and pool start-up"),
    ("first_result_s", "until the first result"),
    ("warm_up_s", "replications loading the model"),
    ("replications_s", "replications (from the pool open)"),
    ("consolidate_s", "consolidation"),
    ("phase_s", "the run (all of the above but prep.)"),
    ("command_s", "the command, without its report"),
)


@contextmanager
def base_worktree(commit: str) -> Iterator[Path]:
    """The base commit checked out into a temporary git worktree (removed afterwards)."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "base"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), commit], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


def timed_sim_run(tree: Path, workers: int, replications: int, overrides: Sequence[str], out: Path) -> dict[str, float]:
    """Run ``timed_sim_run.py`` (of this tree) on the code of ``tree`` in a fresh process; return its figures."""
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    finished = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "timed_sim_run.py"),
            str(workers),
            str(replications),
            str(out),
            *overrides,
        ],
        cwd=tree,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    if finished.returncode != 0:
        raise SystemExit(f"timed_sim_run.py failed in {tree} with {workers} workers:\n{finished.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(finished.stdout.strip().splitlines()[-1])
    return figures


def bench_sim_run(args: argparse.Namespace) -> None:
    """Part d: the default ``sim run`` in fresh processes, 1 vs 2 workers, before and after, in interleaved rounds."""
    count, rounds = args.replications_d, max(1, args.rounds_d)
    print(
        f"d. sim run scenarios/baseline.yaml --no-report -n {count} {' '.join('--set ' + o for o in args.overrides)}"
        f"in fresh processes, 1 vs 2 workers, {rounds} interleaved rounds; before = {args.base}, after = this tree"
    )
    with base_worktree(args.base) as base, tempfile.TemporaryDirectory() as folder:
        trees = {"before": base, "after": ROOT}
        out = Path(folder)
        for tree in trees.values():  # numba compiles its on-disk cache in a new tree once: not on the clock
            timed_sim_run(tree, 1, 1, [*args.overrides, "horizon_days=2"], out)
        figures: dict[tuple[str, int], list[dict[str, float]]] = {}
        for index in range(rounds):
            print(f"   round {index + 1}/{rounds} ({_load()})", flush=True)
            order = [(label, workers) for label in trees for workers in (1, 2)]
            for label, workers in order if index % 2 == 0 else order[::-1]:
                measured = timed_sim_run(trees[label], workers, count, args.overrides, out)
                figures.setdefault((label, workers), []).append(measured)
    print(f"   {'seconds, mean of the rounds':40s}" + "".join(f"{f'{lab} {w}w':>12s}" for lab, w in figures))
    for key, name in PHASES:
        means = [sum(run[key] for run in runs) / len(runs) for runs in figures.values()]
        print(f"   {name:40s}" + "".join(f"{mean:12.2f}" for mean in means))
    for label in ("before", "after"):
        one, two = figures[(label, 1)], figures[(label, 2)]
        for key, name in (("phase_s", "the run's phase"), ("command_s", "the command")):
            ratios = [a[key] / b[key] for a, b in zip(one, two, strict=True)]
            total = sum(a[key] for a in one) / sum(b[key] for b in two)
            print(
                f"   {label:6s} speed-up of {name:16s} 2 workers vs 1: {total:.2f}x "
                f"(per round {min(ratios):.2f}-{max(ratios):.2f})" + ("   [target >= 1.8x]" if key == "phase_s" else "")
            )


if __name__ == "__main__":
    main()
