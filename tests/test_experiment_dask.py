"""Runs replications on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes on localhost;
and what the runner and the commands do with an executor that is lost mid-run (a stand-in that fails like one).

The scheduler is started without the tests folder on its path: the runner ships the replication function pickled
inside the task, so only workers need to import it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import toy_replications as toy
from dask_cluster import start_cluster, start_scheduler, stop_processes
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.cluster import DASK_INSTALL_HINT, ExecutorError, ExecutorLost
from sim.experiment.executors import SerialExecutor, open_executor, worker_count
from sim.experiment.runner import RunInterrupted, RunTally, build_tasks, run_tasks
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore, create_run_dir

pytest.importorskip("distributed")

TESTS_DIR = Path(__file__).resolve().parent
BASELINE = TESTS_DIR.parent / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Address of a local cluster: one scheduler and two single-threaded workers, each its own process; the
    workers can import the toy replication functions of this folder."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        yield start_cluster(tmp_path_factory.mktemp("dask"), processes, workers=2, extra_path=TESTS_DIR)
    finally:
        stop_processes(processes)


def _results(store: ResultStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    return store.load_metrics().drop(columns="elapsed_s"), store.load_timeseries()


@pytest.mark.slow
def test_serial_pool_and_dask_give_bit_identical_results(dask_cluster: str, tmp_path: Path) -> None:
    tasks = build_tasks([{"mean": 0.0}, {"mean": -2.0, "rate": 9.0}], replication_seeds(99, 12))
    stores = {}
    for label, options in {
        "serial": {"workers": 1},
        "pool": {"workers": 2},
        "dask": {"scheduler": dask_cluster},
    }.items():
        stores[label] = ResultStore(create_run_dir(tmp_path, label))
        with open_executor(**options) as executor:  # type: ignore[arg-type]
            if label == "dask":
                assert worker_count(executor) == 2
            tally = run_tasks(toy.toy_replication, tasks, executor, stores[label], chunk_size=3, progress=False)
        assert tally == RunTally(completed=24, failed=0, skipped=0)
    serial_metrics, serial_series = _results(stores["serial"])
    for label in ("pool", "dask"):
        metrics, series = _results(stores[label])
        pd.testing.assert_frame_equal(metrics, serial_metrics, check_exact=True)
        pd.testing.assert_frame_equal(series, serial_series, check_exact=True)


@pytest.mark.slow
def test_failures_on_dask_are_isolated(dask_cluster: str, tmp_path: Path) -> None:
    seeds = replication_seeds(4, 20)
    tasks = build_tasks([{"fail_seeds": [seeds[0], seeds[19]]}], seeds)
    store = ResultStore(create_run_dir(tmp_path, "dask-failures"))
    with open_executor(scheduler=dask_cluster) as executor:
        tally = run_tasks(toy.failing_replication, tasks, executor, store, progress=False)
    assert tally == RunTally(completed=18, failed=2, skipped=0)
    failed = store.load_metrics().query("status == 'failed'")
    assert failed["seed"].tolist() == [seeds[0], seeds[19]]
    assert failed["error"].str.startswith("ValueError: toy failure for seed").all()


def test_unreachable_scheduler_is_a_clear_error() -> None:
    address = "tcp://127.0.0.1:9"  # discard port: nothing listens
    started = time.monotonic()
    with pytest.raises(ExecutorError) as caught, open_executor(scheduler=address, connect_timeout_s=1):
        pass
    assert address in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__
    assert time.monotonic() - started < 15


@pytest.mark.slow
def test_scheduler_without_workers_is_a_clear_error(tmp_path: Path) -> None:
    processes: list[subprocess.Popen[bytes]] = []
    try:
        address = start_scheduler(tmp_path, processes)
        with pytest.raises(ExecutorError, match="no workers"), open_executor(scheduler=address, worker_timeout_s=0.5):
            pass
    finally:
        stop_processes(processes)


def test_missing_distributed_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # makes `import distributed` raise ImportError
    with pytest.raises(ExecutorError, match="distributed") as caught, open_executor(scheduler="tcp://10.0.0.1:8786"):
        pass
    assert DASK_INSTALL_HINT in str(caught.value)


class LosingExecutor(SerialExecutor):
    """Runs the first ``chunks`` submissions in-process, then behaves like a Dask cluster that went away: the
    next future fails with :class:`ExecutorLost` and later submissions raise it."""

    def __init__(self, chunks: int) -> None:
        super().__init__()
        self.left = chunks
        self.lost = ExecutorLost("the connection to the Dask scheduler at tcp://10.0.0.5:8786 was lost")

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def]
        if self.left < 0:
            raise self.lost
        self.left -= 1
        if self.left >= 0:
            return super().submit(fn, *args, **kwargs)
        failed: Future[Any] = Future()
        failed.set_exception(self.lost)
        return failed


def test_a_lost_executor_stops_the_run_and_keeps_every_finished_chunk(tmp_path: Path) -> None:
    tasks = build_tasks([{"mean": 1.0}], replication_seeds(5, 10))
    store = ResultStore(create_run_dir(tmp_path, "lost"))
    with pytest.raises(RunInterrupted) as caught:
        run_tasks(toy.toy_replication, tasks, LosingExecutor(2), store, chunk_size=3, progress=False)
    assert caught.value.lost == "the connection to the Dask scheduler at tcp://10.0.0.5:8786 was lost"
    assert caught.value.tally == RunTally(completed=6, failed=0, skipped=0)
    assert sorted(store.completed_keys()) == [task.key for task in tasks[:6]]
    tally = run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, chunk_size=3, progress=False)
    assert tally == RunTally(completed=4, failed=0, skipped=6)


@contextmanager
def _losing_executor(*args: Any, **kwargs: Any) -> Iterator[Executor]:
    yield LosingExecutor(1)


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_cli_says_the_cluster_went_away_and_how_to_resume(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setattr("sim.experiment.executors.open_executor", _losing_executor)  # what open_execution opens
    scenarios = {"run": [BASELINE], "compare": [BASELINE, BASELINE], "sweep": [BASELINE]}[command]
    options = ["-n", "4", "--set", "horizon_days=20", "--out", str(tmp_path), "--scheduler", "tcp://10.0.0.5:8786"]
    if command == "sweep":
        options += ["--vary", "events[1].drones=15:30", "--method", "grid", "--samples", "3"]
    result = CliRunner().invoke(app, [command, *map(str, scenarios), *options], env={"COLUMNS": "400"})

    assert result.exit_code == 3, result.output
    (run_dir,) = tmp_path.iterdir()
    assert "the run stopped: the connection to the Dask scheduler at tcp://10.0.0.5:8786 was lost." in result.output
    hint = f"--set horizon_days=20 --resume {run_dir} --scheduler tcp://10.0.0.5:8786"
    assert f"When the cluster is back, resume with: sim {command} " in result.output
    assert hint in result.output
    assert json.loads((run_dir / "manifest.json").read_text())["status"] == "interrupted"
    assert len(ResultStore(run_dir).completed_keys()) >= 1


def test_dask_connection_noise_is_dropped_and_other_warnings_are_kept() -> None:
    import io
    import logging

    from distributed.comm.core import CommClosedError

    from sim.experiment.cluster import _quiet_connection_noise

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("distributed.batched")
    logging.getLogger("distributed").addHandler(handler)
    try:
        with _quiet_connection_noise() as noise:
            try:
                raise CommClosedError()
            except CommClosedError:
                logger.info("Batched Comm Closed", exc_info=True)
                logger.error("lost", exc_info=True)
            logger.warning("worker memory above 80%")
            noise.silent = True
            logger.error("while closing")
        logger.info("after the block")
    finally:
        logging.getLogger("distributed").removeHandler(handler)
    assert stream.getvalue().splitlines() == ["worker memory above 80%", "after the block"]
