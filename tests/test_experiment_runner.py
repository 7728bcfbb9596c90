"""Tests of seeds, executors and the runner of ``sim.experiment``: equivalence, resume, kills, failures."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import toy_replications as toy
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.experiment.execution import Execution
from sim.experiment.executors import (
    SerialExecutor,
    open_execution,
    open_executor,
    usable_cpu_count,
    worker_count,
)
from sim.experiment.memory import MemoryStore
from sim.experiment.runner import (
    MAX_DEFAULT_CHUNK_SIZE,
    WORKER_DIED_HINT,
    WORKER_PAYLOADS,
    Chunk,
    RunIncomplete,
    RunInterrupted,
    RunTally,
    Task,
    WorkerPayloads,
    build_tasks,
    default_chunk_size,
    run_chunk,
    run_tasks,
    task_key,
)
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore, create_run_dir

TESTS_DIR = Path(__file__).resolve().parent
POSIX_ONLY = pytest.mark.skipif(os.name != "posix", reason="needs POSIX signals and process groups")


def new_store(tmp_path: Path, name: str) -> ResultStore:
    return ResultStore(create_run_dir(tmp_path / "results", name))


def results(store: ResultStore) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Metrics (without the run-dependent timing column) and time series of a store."""
    return store.load_metrics().drop(columns="elapsed_s"), store.load_timeseries()


def assert_same_results(left: ResultStore, right: ResultStore) -> None:
    left_metrics, left_series = results(left)
    right_metrics, right_series = results(right)
    pd.testing.assert_frame_equal(left_metrics, right_metrics, check_exact=True)
    pd.testing.assert_frame_equal(left_series, right_series, check_exact=True)


def two_point_tasks(replications: int = 20, base_seed: int = 11) -> list[Task]:
    return build_tasks(
        [{"mean": 0.0, "rate": 2.0}, {"mean": 1.5, "rate": 5.0}], replication_seeds(base_seed, replications)
    )


def reference_store(tmp_path: Path, tasks: list[Task], fn=toy.toy_replication) -> ResultStore:
    store = new_store(tmp_path, "reference")
    run_tasks(fn, tasks, SerialExecutor(), store, progress=False)
    return store


# ---------------------------------------------------------------------------------------------------------------
# Seeds
# ---------------------------------------------------------------------------------------------------------------


@settings(max_examples=50, deadline=None)
@given(base_seed=st.integers(0, 2**64), short=st.integers(0, 30), extra=st.integers(0, 30))
def test_seed_of_replication_i_does_not_depend_on_count(base_seed: int, short: int, extra: int) -> None:
    assert replication_seeds(base_seed, short + extra)[:short] == replication_seeds(base_seed, short)


def test_seeds_are_distinct_63_bit_ints_and_deterministic() -> None:
    seeds = replication_seeds(2025, 10_000)
    assert len(set(seeds)) == len(seeds)
    assert all(isinstance(seed, int) and 0 <= seed < 2**63 for seed in seeds)
    assert seeds == replication_seeds(2025, 10_000)
    assert set(seeds[:100]).isdisjoint(replication_seeds(2026, 100))


def test_seeds_are_pinned() -> None:
    # Published results depend on this derivation: SeedSequence(base).spawn(n), first uint64 word >> 1.
    children = np.random.SeedSequence(2025).spawn(3)
    expected = [int(child.generate_state(1, np.uint64)[0]) >> 1 for child in children]
    assert replication_seeds(2025, 3) == expected
    assert replication_seeds(0, 0) == []
    with pytest.raises(ValueError):
        replication_seeds(1, -1)
    with pytest.raises(ValueError):
        replication_seeds(-1, 1)


# ---------------------------------------------------------------------------------------------------------------
# Executors
# ---------------------------------------------------------------------------------------------------------------


def test_serial_executor_runs_at_submit_and_stores_exceptions() -> None:
    executor = SerialExecutor()
    calls: list[int] = []
    future = executor.submit(calls.append, 1)
    assert future.done() and calls == [1]
    failing = executor.submit(int, "not a number")
    assert isinstance(failing.exception(), ValueError)
    executor.shutdown()
    with pytest.raises(RuntimeError):
        executor.submit(calls.append, 2)


def test_open_executor_picks_the_executor() -> None:
    with open_executor(workers=1) as executor:
        assert isinstance(executor, SerialExecutor)
        assert worker_count(executor) == 1
    with open_executor(workers=2) as executor:
        assert isinstance(executor, ProcessPoolExecutor)
        assert worker_count(executor) == 2
        assert executor._mp_context.get_start_method() in ("forkserver", "spawn")  # type: ignore[union-attr]
    with open_executor() as executor:
        assert worker_count(executor) == usable_cpu_count()
    with pytest.raises(ValueError), open_executor(workers=0):
        pass
    with pytest.raises(ValueError), open_executor(workers=2, scheduler="tcp://127.0.0.1:8786"):
        pass


def test_open_execution_uses_an_open_executor_and_leaves_it_open() -> None:
    """What lets a command run its replications and then more work (a report's figures) on the same workers."""
    shared = SerialExecutor()
    with open_execution(Execution(executor=shared)) as executor:
        assert executor is shared
    assert shared.submit(int, "3").result() == 3  # still open after the block
    with open_execution(Execution(workers=1)) as executor:
        assert isinstance(executor, SerialExecutor)
    with pytest.raises(RuntimeError, match="after shutdown"):
        executor.submit(int, "3")  # one the block opened is shut down with it


EARLY_START_SCRIPT = """
import multiprocessing.forkserver
import toy_replications as toy
from sim.experiment.execution import WORKER_PRELOAD
from sim.experiment.executors import open_executor, start_local_workers

def server_pid():
    return multiprocessing.forkserver._forkserver._forkserver_pid

if __name__ == "__main__":
    start_local_workers(1, preload_modules=WORKER_PRELOAD)
    start_local_workers(None, "tcp://127.0.0.1:8786", preload_modules=WORKER_PRELOAD)
    print("not started:", server_pid() is None)
    start_local_workers(2, preload_modules=WORKER_PRELOAD)
    started = server_pid()
    with open_executor(2, preload_modules=WORKER_PRELOAD) as pool:
        state = pool.submit(toy.worker_state, 0).result()
    print("same server:", server_pid() == started is not None)
    print("model imported:", state["model_imported"])
    print("compiled:", " ".join(state["compiled"]))
"""


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs a fork server")
def test_workers_started_early_come_with_the_model_loaded_and_compiled(tmp_path: Path) -> None:
    """``start_local_workers`` starts nothing for an in-process or Dask run; for a pool it starts the fork server,
    which the pool opened later uses, and whose workers start with the model imported and its night's compiled
    kernels loaded (the warm-up), not loading them at their first replication."""
    script = tmp_path / "early.py"
    script.write_text(EARLY_START_SCRIPT)
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(TESTS_DIR), os.environ.get("PYTHONPATH", "")])}
    finished = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, env=environment, timeout=120, check=False
    )
    assert finished.returncode == 0, finished.stderr
    lines = dict(line.split(": ", 1) for line in finished.stdout.splitlines())
    assert (lines["not started"], lines["same server"], lines["model imported"]) == ("True", "True", "True")
    assert "sim.model.engagement.night." in lines["compiled"], finished.stdout


EARLY_EXIT_SCRIPT = """
import multiprocessing.forkserver
from sim.experiment.execution import WORKER_PRELOAD
from sim.experiment.executors import start_local_workers

if __name__ == "__main__":
    start_local_workers(2, preload_modules=WORKER_PRELOAD)
    print(multiprocessing.forkserver._forkserver._forkserver_pid)  # then fail, as a scenario that does not validate
"""


@pytest.mark.skipif("forkserver" not in multiprocessing.get_all_start_methods(), reason="needs a fork server")
def test_a_command_that_fails_early_takes_its_fork_server_with_it(tmp_path: Path) -> None:
    """The fork server started early shares the command's output. A command that exits in the middle of the
    server's preload (seconds of imports and warm-up, as when its scenario does not validate) stops the server on
    its way out, so a pipe or a script reading the command's output is not held open for seconds after it has
    exited. Checked without timing: the server's process is gone once the command has exited (left alone it would
    still be importing)."""
    script = tmp_path / "early_exit.py"
    script.write_text(EARLY_EXIT_SCRIPT)
    finished = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert finished.returncode == 0, finished.stderr
    with pytest.raises(ProcessLookupError):
        os.kill(int(finished.stdout), 0)


def test_the_warm_up_needs_the_shipped_scenarios_and_runs_without_them(monkeypatch: pytest.MonkeyPatch) -> None:
    from sim.experiment import worker_warmup

    assert worker_warmup.warm_up() is True
    monkeypatch.setattr("sim.scenario.files.shipped_scenarios_folder", lambda: None)
    assert worker_warmup.warm_up() is False


# ---------------------------------------------------------------------------------------------------------------
# Runner
# ---------------------------------------------------------------------------------------------------------------


def test_task_keys_chunk_sizes_and_chunk_packing() -> None:
    assert task_key(3, 17) == "p0003-r0017"
    tasks = two_point_tasks(replications=3)
    assert [task.key for task in tasks] == [task_key(p, r) for p in range(2) for r in range(3)]
    assert [task.seed for task in tasks[:3]] == [task.seed for task in tasks[3:]]  # common random numbers
    assert default_chunk_size(10, 2) == 2
    assert default_chunk_size(1, 8) == 1
    assert default_chunk_size(0, 4) == 1
    assert default_chunk_size(100_000, 2) == MAX_DEFAULT_CHUNK_SIZE
    chunk = Chunk.pack(tasks)
    assert len(chunk.payloads) == 2  # one pickled payload per distinct point, not per task
    assert [entry[4] for entry in chunk.tasks] == [0, 0, 0, 1, 1, 1]


def test_run_chunk_matches_direct_calls() -> None:
    tasks = two_point_tasks(replications=3)
    records = run_chunk(toy.toy_replication, tasks)
    for task, record in zip(tasks, records, strict=True):
        expected = toy.toy_replication(task.payload, task.seed)
        assert (record["key"], record["seed"], record["status"], record["error"]) == (task.key, task.seed, "ok", None)
        assert record["metrics"] == expected["metrics"]
        for name, values in expected["timeseries"].items():
            np.testing.assert_array_equal(record["timeseries"][name], values, strict=True)
        assert record["elapsed_s"] >= 0


def test_serial_and_process_pool_give_identical_results(tmp_path: Path) -> None:
    tasks = two_point_tasks()
    serial = reference_store(tmp_path, tasks)
    pooled = new_store(tmp_path, "pool")
    with open_executor(workers=2) as executor:
        tally = run_tasks(toy.toy_replication, tasks, executor, pooled, chunk_size=3, progress=False)
    assert tally == RunTally(completed=40, failed=0, skipped=0)
    assert_same_results(serial, pooled)
    metrics = pooled.load_metrics()
    assert len(metrics) == 40 and (metrics["status"] == "ok").all()
    assert len(pooled.load_timeseries()) == 40 * toy.HORIZON_DAYS


def test_resume_runs_only_missing_tasks(tmp_path: Path) -> None:
    tasks = two_point_tasks()
    store = new_store(tmp_path, "resume")
    first = run_tasks(toy.toy_replication, tasks[::2], SerialExecutor(), store, chunk_size=4, progress=False)
    assert first == RunTally(completed=20, failed=0, skipped=0)
    with open_executor(workers=2) as executor:
        second = run_tasks(toy.toy_replication, tasks, executor, store, progress=False)
    assert second == RunTally(completed=20, failed=0, skipped=20)
    third = run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, progress=False)
    assert third == RunTally(completed=0, failed=0, skipped=40)
    assert sorted(store.completed_keys()) == sorted(task.key for task in tasks)
    assert_same_results(store, reference_store(tmp_path, tasks))


def test_failed_replications_are_recorded_and_do_not_stop_the_run(tmp_path: Path) -> None:
    seeds = replication_seeds(5, 20)
    payload = {"fail_seeds": [seeds[3], seeds[11]]}
    tasks = build_tasks([payload], seeds)
    store = new_store(tmp_path, "failures")
    tally = run_tasks(toy.failing_replication, tasks, SerialExecutor(), store, chunk_size=4, progress=False)
    assert tally == RunTally(completed=18, failed=2, skipped=0)
    metrics = store.load_metrics()
    failed = metrics[metrics["status"] == "failed"]
    assert failed["replication"].tolist() == [3, 11]
    assert failed["seed"].tolist() == [seeds[3], seeds[11]]
    assert failed["error"].tolist() == [f"ValueError: toy failure for seed {seeds[i]}" for i in (3, 11)]
    assert failed["mean_value"].isna().all()
    ok = metrics[metrics["status"] == "ok"]
    for row in ok.itertuples():
        assert row.mean_value == toy.toy_replication(payload, row.seed)["metrics"]["mean_value"]
    assert sorted(store.load_timeseries()["replication"].unique()) == [i for i in range(20) if i not in (3, 11)]
    # Failed replications count as done: a resume does not retry them (same seed, same error).
    again = run_tasks(toy.failing_replication, tasks, SerialExecutor(), store, progress=False)
    assert again == RunTally(completed=0, failed=0, skipped=20)


def test_a_store_in_memory_gets_the_same_records_and_resumes_like_a_folder(tmp_path: Path) -> None:
    seeds = replication_seeds(5, 10)
    payload = {"fail_seeds": [seeds[4]]}
    tasks = build_tasks([payload], seeds)
    memory = MemoryStore(tmp_path / "not-written")
    tally = run_tasks(toy.failing_replication, tasks[:6], SerialExecutor(), memory, chunk_size=4, progress=False)
    assert tally == RunTally(completed=5, failed=1, skipped=0)
    tally = run_tasks(toy.failing_replication, tasks, SerialExecutor(), memory, chunk_size=4, progress=False)
    assert tally == RunTally(completed=4, failed=0, skipped=6)
    assert not (tmp_path / "not-written").exists()
    assert sorted(memory.completed_keys()) == [task.key for task in tasks]
    failed = memory.records[task_key(0, 4)]
    assert (failed["status"], failed["seed"], failed["error"]) == (
        "failed",
        seeds[4],
        f"ValueError: toy failure for seed {seeds[4]}",
    )
    for task in tasks:
        if task.replication == 4:
            continue
        expected = toy.toy_replication(payload, task.seed)
        record = memory.records[task.key]
        assert record["status"] == "ok" and record["metrics"] == expected["metrics"]
        np.testing.assert_array_equal(record["timeseries"]["count"], expected["timeseries"]["count"])


def test_an_execution_is_refused_when_it_cannot_run() -> None:
    with pytest.raises(ValueError, match="workers must be >= 1, got 0"):
        Execution(workers=0)
    with pytest.raises(
        ValueError, match=re.escape("give either workers (local processes) or scheduler (a Dask cluster), not both")
    ):
        Execution(workers=2, scheduler="tcp://127.0.0.1:8786")
    assert Execution(results_root="out").results_root == Path("out")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("result", "message"),
    [
        ([1.0], "must return a dict"),
        ({"metrics": {}, "extra": 1}, "keys 'metrics' and 'timeseries'"),
        ({"metrics": {"x": "high"}}, "metric 'x' is a str"),
        ({"metrics": {"seed": 1.0}}, "reserved"),
        ({"metrics": {}, "timeseries": {"a": np.zeros((2, 2))}}, "must be 1-D"),
        ({"metrics": {}, "timeseries": {"a": np.zeros(3), "b": np.zeros(4)}}, "different lengths"),
        ({"metrics": {}, "timeseries": {"day": np.zeros(3)}}, "reserved"),
        ({"metrics": {}, "timeseries": {"a": np.array(["x"])}}, "not a real number type"),
    ],
)
def test_malformed_results_fail_that_replication_with_a_clear_error(result: object, message: str) -> None:
    [record] = run_chunk(toy.bad_result_replication, [Task("k", 0, 0, 1, {"result": result})])
    assert record["status"] == "failed"
    assert message in str(record["error"])


def test_result_types_are_normalised_without_changing_values() -> None:
    f32 = np.array([0.1, 1e-30], np.float32)
    series = {
        "f32": f32,
        "i32": np.array([-5, 7], np.int32),
        "flag": np.array([True, False]),
        "listed": [1.5, 2.5],
    }
    result = {"metrics": {"n": np.int64(3), "x": np.float32(0.25), "b": True}, "timeseries": series}
    [record] = run_chunk(toy.bad_result_replication, [Task("k", 0, 0, 1, {"result": result})])
    assert record["status"] == "ok"
    assert record["metrics"] == {"n": 3.0, "x": 0.25, "b": 1.0}
    assert record["timeseries"]["f32"].dtype == np.float64
    assert record["timeseries"]["f32"].tolist() == f32.astype(np.float64).tolist()
    assert record["timeseries"]["i32"].dtype == np.int64 and record["timeseries"]["flag"].tolist() == [1, 0]
    assert record["timeseries"]["listed"].dtype == np.float64


def test_every_replication_gets_a_fresh_payload(tmp_path: Path) -> None:
    tasks = build_tasks([{}], replication_seeds(3, 6))
    store = new_store(tmp_path, "mutating")
    run_tasks(toy.mutating_replication, tasks, SerialExecutor(), store, chunk_size=6, progress=False)
    assert store.load_metrics()["calls_seen"].tolist() == [1.0] * 6
    assert tasks[0].payload == {}


def test_read_only_payloads_are_unpickled_once_per_process_and_shared(tmp_path: Path) -> None:
    """With ``read_only_payloads`` a process keeps one copy per distinct payload: the mutating toy counts every
    call of its point on that copy (1..6 in-process), each point on its own copy, and the caller's object stays
    untouched."""
    WORKER_PAYLOADS.clear()
    tasks = build_tasks([{}, {"mean": 1.0}], replication_seeds(3, 6))
    store = new_store(tmp_path, "shared")
    run_tasks(toy.mutating_replication, tasks, SerialExecutor(), store, progress=False, read_only_payloads=True)
    calls = store.load_metrics().sort_values("key").groupby("point")["calls_seen"].apply(list).to_dict()
    assert calls == {0: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], 1: [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    assert tasks[0].payload == {} and tasks[6].payload == {"mean": 1.0}


def test_kept_payloads_are_keyed_by_their_bytes_and_bounded() -> None:
    kept = WorkerPayloads(capacity=2)
    first, other = pickle.dumps({"kill_probability": 0.15}), pickle.dumps({"kill_probability": 0.16})
    assert kept.get(first) is kept.get(pickle.dumps({"kill_probability": 0.15}))  # equal bytes: one object
    assert kept.get(other) == {"kill_probability": 0.16} and kept.get(other) is not kept.get(first)
    held = kept.get(first)
    kept.get(pickle.dumps("third"))  # over capacity: the least recently used ('other') goes
    assert len(kept) == 2 and kept.get(first) is held
    assert kept.get(other) == {"kill_probability": 0.16}


def test_bad_arguments_are_refused(tmp_path: Path) -> None:
    store = new_store(tmp_path, "refused")
    tasks = two_point_tasks(replications=2)
    with pytest.raises(ValueError, match="unique"):
        run_tasks(toy.toy_replication, tasks + tasks[:1], SerialExecutor(), store, progress=False)
    with pytest.raises(ValueError, match="chunk_size"):
        run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, chunk_size=0, progress=False)
    with pytest.raises(TypeError, match="cannot be pickled"):
        run_tasks(lambda payload, seed: {}, tasks, SerialExecutor(), store, progress=False)
    assert store.completed_keys() == set()


def test_chunk_level_errors_leave_tasks_for_resume(tmp_path: Path) -> None:
    store = new_store(tmp_path, "incomplete")
    seeds = replication_seeds(9, 6)
    good = build_tasks([{}], seeds)
    broken = [Task(task.key, 0, task.replication, task.seed, toy.UnpicklableOnWorker()) for task in good[3:]]
    with pytest.raises(RunIncomplete) as caught:
        run_tasks(toy.toy_replication, good[:3] + broken, SerialExecutor(), store, chunk_size=3, progress=False)
    assert caught.value.not_run == 3
    assert caught.value.tally == RunTally(completed=3, failed=0, skipped=0)
    assert "scenario_module_missing_on_worker" in caught.value.first_error
    assert str(store.run_dir) in str(caught.value)
    assert len(store.completed_keys()) == 3  # nothing recorded for the broken chunk: it is retried on resume
    assert run_tasks(toy.toy_replication, good, SerialExecutor(), store, progress=False).completed == 3


def test_a_worker_that_dies_breaks_the_pool_with_a_hint_at_the_cause(tmp_path: Path) -> None:
    store = new_store(tmp_path, "worker-died")
    tasks = build_tasks([{}], replication_seeds(5, 4))
    with open_executor(workers=2) as executor, pytest.raises(RunIncomplete) as caught:
        run_tasks(toy.dying_replication, tasks, executor, store, chunk_size=1, progress=False)
    assert caught.value.not_run == 4
    assert caught.value.first_error.startswith("BrokenProcessPool: ")
    assert caught.value.first_error.endswith(WORKER_DIED_HINT)
    assert "if __name__ ==" in str(caught.value) and f"--resume {store.run_dir}" in str(caught.value)
    assert store.completed_keys() == set()


def test_keyboard_interrupt_keeps_written_chunks_and_resumes(tmp_path: Path) -> None:
    seeds = replication_seeds(13, 12)
    tasks = build_tasks([{"interrupt_seed": seeds[7]}], seeds)
    store = new_store(tmp_path, "ctrl-c")
    with pytest.raises(RunInterrupted) as caught:
        run_tasks(toy.interrupting_replication, tasks, SerialExecutor(), store, chunk_size=2, progress=False)
    assert caught.value.run_dir == store.run_dir
    assert f"--resume {store.run_dir}" in str(caught.value)
    assert caught.value.tally.completed == len(store.completed_keys()) == 6
    tally = run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, progress=False)
    assert tally == RunTally(completed=6, failed=0, skipped=6)
    assert_same_results(store, reference_store(tmp_path, tasks))


def test_progress_bar_is_quiet_in_ci_and_shown_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    tasks = build_tasks([{"fail_seeds": replication_seeds(1, 1)}], replication_seeds(1, 4))
    monkeypatch.setenv("CI", "true")
    run_tasks(toy.failing_replication, tasks, SerialExecutor(), new_store(tmp_path, "quiet"))
    assert capsys.readouterr().out == ""
    run_tasks(toy.failing_replication, tasks, SerialExecutor(), new_store(tmp_path, "shown"), progress=True)
    shown = capsys.readouterr().out
    assert "replications" in shown and "4/4" in shown and "1 failed" in shown


# ---------------------------------------------------------------------------------------------------------------
# A sweep in another process, killed or interrupted half-way
# ---------------------------------------------------------------------------------------------------------------

SWEEP_REPLICATIONS = 40
SWEEP_SEEDS_BASE = 7  # what toy_replications.main uses
SWEEP_OPTIONS = ("--workers", "2", "--chunk-size", "2", "--sleep-s", "0.1")


def _group_alive(pgid: int) -> list[int]:
    """Live (non-zombie) processes of a process group, from /proc."""
    alive = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            alive.append(int(entry.name))
    return alive


@pytest.fixture
def sweep_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """A toy sweep (2 pool workers, 2 tasks per chunk, 0.1 s per task) in its own process group."""
    run_dir = create_run_dir(tmp_path / "results", "sweep")
    code = (
        f"import sys; sys.path.insert(0, {str(TESTS_DIR)!r}); import toy_replications; "
        "sys.exit(toy_replications.main(sys.argv[1:]))"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(run_dir), "--replications", str(SWEEP_REPLICATIONS), *SWEEP_OPTIONS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=toy.default_sigint,  # as a terminal starts it: Ctrl-C at its default, whatever pytest ignores
    )
    try:
        yield process, run_dir
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate(timeout=10)


def _wait_for_chunks(process: subprocess.Popen[str], run_dir: Path, count: int, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while len(list((run_dir / "chunks").glob("chunk-*.parquet"))) < count:
        assert process.poll() is None, f"sweep ended early: {process.communicate()}"
        assert time.monotonic() < deadline, "no chunks appeared in time"
        time.sleep(0.02)


def _wait_until_group_gone(pgid: int, timeout_s: float = 10.0) -> list[int]:
    deadline = time.monotonic() + timeout_s
    while (alive := _group_alive(pgid)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return alive


def _sweep_tasks() -> list[Task]:
    return build_tasks([{"sleep_s": 0.0}], replication_seeds(SWEEP_SEEDS_BASE, SWEEP_REPLICATIONS))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@POSIX_ONLY
@pytest.mark.slow
def test_sigkill_mid_run_loses_no_written_chunk(
    tmp_path: Path, sweep_process: tuple[subprocess.Popen[str], Path]
) -> None:
    process, run_dir = sweep_process
    _wait_for_chunks(process, run_dir, 3)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    written = {path: _digest(path) for path in ResultStore(run_dir).chunk_paths()}
    assert 3 <= len(written) < SWEEP_REPLICATIONS // 2
    # Orphaned pool workers notice the dead parent and exit.
    assert _wait_until_group_gone(process.pid) == []

    store = ResultStore(run_dir)
    keys_on_disk = store.completed_keys()
    assert len(keys_on_disk) == 2 * len(written)
    tally = run_tasks(toy.toy_replication, _sweep_tasks(), SerialExecutor(), store, progress=False)
    assert tally == RunTally(completed=SWEEP_REPLICATIONS - len(keys_on_disk), failed=0, skipped=len(keys_on_disk))
    assert all(_digest(path) == digest for path, digest in written.items())  # reported chunks untouched
    assert_same_results(store, reference_store(tmp_path, _sweep_tasks()))


@POSIX_ONLY
@pytest.mark.slow
def test_ctrl_c_mid_run_exits_cleanly_and_resumes(
    tmp_path: Path, sweep_process: tuple[subprocess.Popen[str], Path]
) -> None:
    process, run_dir = sweep_process
    _wait_for_chunks(process, run_dir, 3)
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole foreground group
    stdout, stderr = process.communicate(timeout=15)
    assert process.returncode == 130, (stdout, stderr)
    assert f"resume with --resume {run_dir}" in stderr
    assert "Traceback" not in stderr
    assert _wait_until_group_gone(process.pid) == []

    store = ResultStore(run_dir)
    done = len(store.completed_keys())
    assert 6 <= done < SWEEP_REPLICATIONS
    with open_executor(workers=2) as executor:
        tally = run_tasks(toy.toy_replication, _sweep_tasks(), executor, store, progress=False)
    assert tally == RunTally(completed=SWEEP_REPLICATIONS - done, failed=0, skipped=done)
    assert_same_results(store, reference_store(tmp_path, _sweep_tasks()))


def test_on_chunk_sees_each_kept_chunk_and_can_cancel_the_run(tmp_path: Path) -> None:
    from sim.experiment.runner import RunCancelled

    tasks = two_point_tasks()  # 40 tasks
    store = new_store(tmp_path, "hooked")
    seen: list[int] = []

    def hook(records: object) -> None:
        seen.append(len(records))  # type: ignore[arg-type]
        if sum(seen) >= 8:
            raise RunCancelled

    with pytest.raises(RunInterrupted) as stopped:
        run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, chunk_size=4, progress=False, on_chunk=hook)
    assert seen == [4, 4]  # called once per chunk, after it was kept; the cancel stops before the third
    assert stopped.value.tally == RunTally(completed=8, failed=0, skipped=0)
    assert len(store.completed_keys()) == 8  # what finished is kept: the run resumes from there
    rest = run_tasks(toy.toy_replication, tasks, SerialExecutor(), store, progress=False)
    assert rest == RunTally(completed=32, failed=0, skipped=8)
