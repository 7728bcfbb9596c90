"""Comparisons and sweeps of the real model give the same numbers on every executor, resume and survive failures.

* serial, a 2-process local pool and a real Dask cluster (``dask scheduler`` and two ``dask worker`` processes on
  127.0.0.1) give bit-identical metrics and time series for the same seeds;
* a comparison interrupted by Ctrl-C resumes and recomputes only the missing replications;
* ``sim sweep`` killed with SIGKILL mid-run keeps every chunk it wrote, and ``--resume`` completes it;
* a replication that raises is recorded with its error and seed, the others go on, and ``sim compare`` says how
  many failed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from dask_cluster import start_cluster, stop_processes
from typer.testing import CliRunner

import sim.experiment.replications as replications_module
from sim.api import load_scenario
from sim.cli import app
from sim.experiment.compare import CompareResults, compare_scenarios
from sim.experiment.execution import Execution
from sim.experiment.executors import SerialExecutor
from sim.experiment.memory import MemoryStore
from sim.experiment.runner import WORKER_PAYLOADS, RunInterrupted, build_tasks, run_tasks
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore
from sim.experiment.sweep import sweep_scenario
from sim.model.run import run_replication

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DRONE_WALL = ROOT / "scenarios" / "drone_wall.yaml"
SHORT = "horizon_days=20"
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="signals and process groups")


def _entries() -> list[tuple[str, Any, str]]:
    return [
        ("baseline", load_scenario(BASELINE, [SHORT]), str(BASELINE)),
        ("drone_wall", load_scenario(DRONE_WALL, [SHORT]), str(DRONE_WALL)),
    ]


def _compare(root: Path, **options: Any) -> CompareResults:
    execution = Execution(results_root=root, progress=False, **options)
    return compare_scenarios(_entries(), replications=4, seed=5, execution=execution)


def _same_results(first: Path, second: Path) -> None:
    """Metrics (but the timing column) and daily series of two run folders are bit-identical."""
    one, two = ResultStore(first), ResultStore(second)
    pd.testing.assert_frame_equal(
        one.load_metrics().drop(columns="elapsed_s"), two.load_metrics().drop(columns="elapsed_s"), check_exact=True
    )
    pd.testing.assert_frame_equal(one.load_timeseries(), two.load_timeseries(), check_exact=True)


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> CompareResults:
    return _compare(tmp_path_factory.mktemp("serial"), workers=1)


# --------------------------------------------------------------------------------------------------------------
# Executors
# --------------------------------------------------------------------------------------------------------------


def test_serial_and_process_pool_are_bit_identical(serial: CompareResults, tmp_path: Path) -> None:
    pooled = _compare(tmp_path, workers=2)
    _same_results(serial.run_dir, pooled.run_dir)
    pd.testing.assert_frame_equal(serial.comparison, pooled.comparison, check_exact=True)


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A scheduler and two single-threaded workers, each its own process; workers import the installed package."""
    pytest.importorskip("distributed")
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield start_cluster(tmp_path_factory.mktemp("dask"), processes, workers=2)
    finally:
        stop_processes(processes)


@pytest.mark.slow
def test_a_real_dask_cluster_is_bit_identical(serial: CompareResults, dask_cluster: str, tmp_path: Path) -> None:
    on_dask = _compare(tmp_path, scheduler=dask_cluster)
    _same_results(serial.run_dir, on_dask.run_dir)
    pd.testing.assert_frame_equal(serial.comparison, on_dask.comparison, check_exact=True)
    sweeps = {}
    for label, options in {"serial": {"workers": 1}, "dask": {"scheduler": dask_cluster}}.items():
        sweeps[label] = sweep_scenario(
            BASELINE,
            overrides=[SHORT],
            vary=["actors.member_states.PL.detection_probability=0.2:0.8"],
            method="lhs",
            samples=3,
            replications=2,
            execution=Execution(results_root=tmp_path / label, progress=False, **options),
        )
    _same_results(sweeps["serial"].run_dir, sweeps["dask"].run_dir)
    pd.testing.assert_frame_equal(sweeps["serial"].points, sweeps["dask"].points, check_exact=True)


# --------------------------------------------------------------------------------------------------------------
# Interruption and resume
# --------------------------------------------------------------------------------------------------------------

CALLS = {"count": 0, "interrupt_at": 0}


def interrupting_replication(scenario: Any, seed: int) -> dict[str, Any]:
    """The real replication, but Ctrl-C arrives during call number ``CALLS["interrupt_at"]``."""
    CALLS["count"] += 1
    if CALLS["count"] == CALLS["interrupt_at"]:
        raise KeyboardInterrupt
    return run_replication(scenario, seed)


def test_an_interrupted_comparison_resumes_without_recomputing(
    serial: CompareResults, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replications_module, "run_replication", interrupting_replication)
    CALLS.update(count=0, interrupt_at=6)  # 8 replications in chunks of 2: two chunks are written before
    with pytest.raises(RunInterrupted) as caught:
        _compare(tmp_path, workers=1)
    run_dir = caught.value.run_dir
    assert caught.value.tally.completed == 4
    assert len(ResultStore(run_dir).completed_keys()) == 4
    assert '"status": "interrupted"' in (run_dir / "manifest.json").read_text()

    CALLS.update(count=0, interrupt_at=-1)
    resumed = compare_scenarios(_entries(), execution=Execution(workers=1, progress=False), resume=run_dir)
    assert CALLS["count"] == 4, "only the missing replications run again"
    assert (resumed.tally.skipped, resumed.tally.completed, resumed.tally.failed) == (4, 4, 0)
    _same_results(serial.run_dir, run_dir)
    pd.testing.assert_frame_equal(resumed.comparison, serial.comparison, check_exact=True)
    assert '"status": "complete"' in (run_dir / "manifest.json").read_text()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@POSIX_ONLY
@pytest.mark.slow
def test_sweep_killed_mid_run_keeps_what_it_wrote_and_resumes(tmp_path: Path) -> None:
    arguments = [
        "sweep",
        "--no-report",
        str(BASELINE),
        "--set",
        "horizon_days=60",
        "--vary",
        "actors.member_states.PL.detection_probability=0.2:0.8",
        "--method",
        "grid",
        "--samples",
        "4",
        "-n",
        "6",
        "-w",
        "2",
    ]
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", *arguments, "--out", str(tmp_path / "killed")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            folders = list((tmp_path / "killed").glob("*-sweep-*"))
            chunks = list((folders[0] / "chunks").glob("chunk-*.parquet")) if folders else []
            if len(chunks) >= 2:
                break
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the sweep wrote no chunk in time"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)  # pool workers, if the kill came before they noticed
        process.communicate()
    [run_dir] = folders
    written = {path: _digest(path) for path in ResultStore(run_dir).chunk_paths()}
    done = len(ResultStore(run_dir).completed_keys())
    assert len(written) >= 2 and done < 24, "killed mid-run"

    result = CliRunner().invoke(app, [*arguments[:5], "--resume", str(run_dir), "-w", "1"])
    assert result.exit_code == 0, result.output
    assert all(_digest(path) == digest for path, digest in written.items()), "reported chunks are never rewritten"
    reference = sweep_scenario(
        BASELINE,
        overrides=["horizon_days=60"],
        vary=["actors.member_states.PL.detection_probability=0.2:0.8"],
        method="grid",
        samples=4,
        replications=6,
        execution=Execution(workers=1, results_root=tmp_path / "reference", progress=False),
    )
    _same_results(reference.run_dir, run_dir)
    pd.testing.assert_frame_equal(pd.read_csv(run_dir / "points.csv"), pd.read_csv(reference.run_dir / "points.csv"))


# --------------------------------------------------------------------------------------------------------------
# Failure isolation
# --------------------------------------------------------------------------------------------------------------

FAILING_SEED = replication_seeds(5, 4)[2]


def failing_replication(scenario: Any, seed: int) -> dict[str, Any]:
    """The real replication, except that the drone-wall scenario fails for one seed."""
    if seed == FAILING_SEED and scenario.name == "drone_wall":
        raise ValueError(f"model broke for seed {seed}")
    return run_replication(scenario, seed)


def test_a_failing_replication_is_recorded_and_the_rest_go_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(replications_module, "run_replication", failing_replication)
    arguments = [
        "compare",
        "--no-report",
        str(BASELINE),
        str(DRONE_WALL),
        "-n",
        "4",
        "--seed",
        "5",
        "--set",
        SHORT,
        "-w",
        "1",
    ]
    result = CliRunner().invoke(app, [*arguments, "--out", str(tmp_path)], env={"COLUMNS": "1000"})
    assert result.exit_code == 1, result.output  # the comparison is written, and the failure is loud
    assert "1 of 8 replications failed" in result.stderr
    run_dir = Path(result.stdout.strip().splitlines()[-1].removeprefix("results: "))
    replications = pd.read_csv(run_dir / "replications.csv")
    failed = replications[replications["status"] == "failed"]
    assert failed[["scenario", "replication", "seed"]].values.tolist() == [["drone_wall", 2, FAILING_SEED]]
    assert failed["error"].item() == f"ValueError: model broke for seed {FAILING_SEED}"
    assert (replications["status"] == "ok").sum() == 7
    comparison = pd.read_csv(run_dir / "comparison.csv")
    pairs = comparison.loc[comparison["scenario"] == "drone_wall", "n"]
    assert pairs.max() == 3 and pairs.min() >= 0  # three pairs left (a metric undefined in some has fewer)
    assert '"status": "complete with failures"' in (run_dir / "manifest.json").read_text()


# --------------------------------------------------------------------------------------------------------------
# Scenarios kept by a worker (read-only payloads)
# --------------------------------------------------------------------------------------------------------------


def test_a_replication_leaves_its_scenario_as_it_was() -> None:
    """What makes sharing one unpickled scenario between a run's replications safe: the model never writes to it."""
    scenario = load_scenario(BASELINE, [SHORT])
    before = pickle.dumps(scenario)
    run_replication(scenario, 5)
    assert pickle.dumps(scenario) == before


def test_a_kept_scenario_never_lends_its_tables_to_a_changed_one(tmp_path: Path) -> None:
    """Two points that differ in one kill probability, run in one process that keeps both scenarios (and their
    tables), give exactly what each gives run alone from a fresh copy — and differ from each other."""
    jammer = "catalog.effectors.ew_jammer.kill_probability.shahed=0.3"
    base, changed = load_scenario(BASELINE, [SHORT]), load_scenario(BASELINE, [SHORT, jammer])
    seeds = replication_seeds(5, 2)
    WORKER_PAYLOADS.clear()
    store = MemoryStore(tmp_path)
    tasks = build_tasks([base, changed, base], seeds)
    run_tasks(run_replication, tasks, SerialExecutor(), store, chunk_size=1, progress=False, read_only_payloads=True)
    assert len(WORKER_PAYLOADS) == 2  # the third point's bytes equal the first's: the same kept scenario
    for task in tasks:
        alone = run_replication(pickle.loads(pickle.dumps(task.payload)), task.seed)
        kept = store.records[task.key]
        pd.testing.assert_series_equal(pd.Series(kept["metrics"]), pd.Series(alone["metrics"]), check_exact=True)
        for name, values in alone["timeseries"].items():
            np.testing.assert_array_equal(kept["timeseries"][name], values, err_msg=f"{task.key} {name}")
    first, second = (pd.Series(store.records[key]["metrics"]) for key in ("p0000-r0000", "p0001-r0000"))
    assert not first.equals(second)
