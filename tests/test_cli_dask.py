"""``sim run --scheduler`` against real ``dask scheduler`` / ``dask worker`` processes on 127.0.0.1, as a user runs it.

What happens when the cluster goes away mid-run (the scheduler is killed; every worker is killed), on Ctrl-C, with an
address nobody listens on or a malformed one, and over TLS. The run is a ``sim run`` subprocess; the cluster's workers
load ``paced_dask_worker`` (each replication sleeps 0.1 s first, results unchanged) so that a run outlasts its first
chunk by seconds and can be stopped half-way.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pandas as pd
import pytest
from dask_cluster import make_tls_files, start_cluster, stop_processes
from toy_replications import default_sigint
from typer.testing import CliRunner

from sim import api
from sim.cli import app
from sim.experiment.cluster import CONNECT_TIMEOUT_ENV, LOST_AFTER_ENV, ExecutorError, check_scheduler_address
from sim.experiment.execution import Execution
from sim.experiment.replications import run_scenario

pytest.importorskip("distributed")

TESTS_DIR = Path(__file__).resolve().parent
ROOT = TESTS_DIR.parent
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SCRIPT = Path(sys.executable).with_name("sim")
SIM = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "sim"]
REPLICATIONS = 24
STOPPED_REPLICATIONS = 96
"""Replications of a run that a test stops with Ctrl-C: enough that it cannot end between its first chunk and the
signal, however fast the model or loaded the machine (24 once did, under load)."""
HORIZON = "horizon_days=20"
LOST_AFTER_S = 2.0
STOP_BOUND_S = 15.0
"""A lost cluster must end the run within this long: LOST_AFTER_S, one health check (1 s), closing the client
(at most 5 s) and margin for a loaded test machine."""
PACED = ("--preload", "paced_dask_worker")


def _noise(stderr: str) -> list[str]:
    return [marker for marker in ("Traceback", "Exception ignored") if marker in stderr]


def _start_run(
    out: Path, *options: str, env: dict[str, str] | None = None, replications: int = REPLICATIONS
) -> subprocess.Popen[str]:
    """``sim run`` of the baseline in its own process group (so SIGINT can go to the group, as a terminal does)."""
    command = [*SIM, "run", str(BASELINE), "-n", str(replications), "--set", HORIZON, "--out", str(out)]
    return subprocess.Popen(
        [*command, "--no-report", *options],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "1000", LOST_AFTER_ENV: str(LOST_AFTER_S), **(env or {})},
        start_new_session=True,
        preexec_fn=default_sigint,  # as a terminal starts it: Ctrl-C at its default, whatever this process ignores
    )


def _wait_for_first_chunk(process: subprocess.Popen[str], out: Path, timeout_s: float = 120.0) -> Path:
    """Poll the results folder until the run has written a chunk; return the run folder."""
    deadline = time.monotonic() + timeout_s
    while not (chunks := list(out.glob("*/chunks/*.parquet"))):
        if process.poll() is not None:
            raise AssertionError(f"sim run ended before its first chunk: {process.communicate()}")
        assert time.monotonic() < deadline, "no chunk was written in time"
        time.sleep(0.05)
    return chunks[0].parent.parent


def _finish(process: subprocess.Popen[str], stopped_at: float) -> tuple[int, str, float]:
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr, time.monotonic() - stopped_at


def _stop_mid_run(
    out: Path, stop: Callable[[subprocess.Popen[str]], None], *options: str, replications: int = REPLICATIONS
) -> tuple[Path, int, str, float]:
    """Start ``sim run``, call ``stop(process)`` once its first chunk is written; return the run folder, the exit
    code, stderr and the seconds from ``stop`` to the exit. Checks what every early stop must leave: no traceback
    or interpreter-exit noise, the manifest ``interrupted``, the finished chunks on disk."""
    process = _start_run(out, *options, replications=replications)
    run_dir = _wait_for_first_chunk(process, out)
    stopped_at = time.monotonic()
    stop(process)
    code, stderr, took_s = _finish(process, stopped_at)
    assert _noise(stderr) == [], stderr
    assert _status(run_dir) == "interrupted"
    assert list((run_dir / "chunks").glob("*.parquet"))
    return run_dir, code, stderr, took_s


def _ctrl_c(process: subprocess.Popen[str]) -> None:
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does on Ctrl-C: the whole foreground group


def _status(run_dir: Path) -> str:
    return str(json.loads((run_dir / "manifest.json").read_text())["status"])


def _replications(run_dir: Path) -> pd.DataFrame:
    return pd.read_csv(run_dir / "replications.csv").drop(columns="elapsed_s")


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[tuple[str, list[subprocess.Popen[bytes]]]]:
    """A scheduler and two paced workers: ``(address, [scheduler, worker, worker])``."""
    processes: list[subprocess.Popen[bytes]] = []
    try:
        folder = tmp_path / "cluster"
        folder.mkdir()
        address = start_cluster(folder, processes, workers=2, extra_path=TESTS_DIR, worker_options=PACED)
        yield address, processes
    finally:
        stop_processes(processes)


@pytest.mark.slow
def test_killed_scheduler_stops_the_run_and_a_new_cluster_resumes_it(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    address, processes = cluster
    scheduler = processes[0]
    run_dir, code, stderr, took_s = _stop_mid_run(
        tmp_path / "results", lambda _: scheduler.kill(), "--scheduler", address
    )

    assert code == 3, stderr
    assert took_s < STOP_BOUND_S
    assert f"the connection to the Dask scheduler at {address} was lost" in stderr
    hint = f"sim run {BASELINE} --set {HORIZON} --resume {run_dir} --scheduler {address}"
    assert f"When the cluster is back, resume with: {hint}" in stderr
    stop_processes(processes)

    fresh: list[subprocess.Popen[bytes]] = []
    try:
        folder = tmp_path / "fresh-cluster"
        folder.mkdir()
        new_address = start_cluster(folder, fresh, workers=2)
        resume = ["--resume", str(run_dir), "--scheduler", new_address, "--no-report"]
        resumed = subprocess.run(
            [*SIM, "run", str(BASELINE), "--set", HORIZON, *resume],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
    finally:
        stop_processes(fresh)
    assert resumed.returncode == 0, resumed.stderr
    assert _status(run_dir) == "complete"
    scenario = api.load_scenario(BASELINE, overrides=[HORIZON])
    reference = run_scenario(
        scenario, replications=REPLICATIONS, execution=Execution(workers=1, results_root=tmp_path / "ref")
    )
    pd.testing.assert_frame_equal(_replications(run_dir), _replications(reference.run_dir), check_exact=True)


def test_every_worker_killed_stops_the_run_within_the_bound(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    address, processes = cluster

    def kill_workers(_: subprocess.Popen[str]) -> None:
        for worker in processes[1:]:
            worker.kill()

    run_dir, code, stderr, took_s = _stop_mid_run(tmp_path / "results", kill_workers, "--scheduler", address)

    assert code == 3, stderr
    assert LOST_AFTER_S <= took_s < STOP_BOUND_S
    assert f"the Dask scheduler at {address} had no worker for {LOST_AFTER_S:g} s" in stderr
    assert f"--resume {run_dir} --scheduler {address}" in stderr


@pytest.mark.slow
def test_ctrl_c_on_dask_keeps_what_finished_and_exits_130(
    tmp_path: Path, cluster: tuple[str, list[subprocess.Popen[bytes]]]
) -> None:
    address, _ = cluster
    run_dir, code, stderr, took_s = _stop_mid_run(
        tmp_path / "results", _ctrl_c, "--scheduler", address, replications=STOPPED_REPLICATIONS
    )

    assert code == 130, stderr
    assert took_s < STOP_BOUND_S
    assert f"interrupted; what finished is saved. Resume with: sim run {BASELINE} --set {HORIZON} " in stderr
    assert f"--resume {run_dir} --scheduler {address}" in stderr


def test_ctrl_c_on_the_local_pool_keeps_what_finished_and_exits_130(tmp_path: Path) -> None:
    # 200-day replications (a few tenths of a second each) so that the run outlasts its first chunk.
    options = ("--workers", "2", "--set", "horizon_days=200")
    run_dir, code, stderr, took_s = _stop_mid_run(
        tmp_path / "results", _ctrl_c, *options, replications=STOPPED_REPLICATIONS
    )

    assert code == 130, stderr
    assert took_s < STOP_BOUND_S
    hint = f"sim run {BASELINE} --set {HORIZON} --set horizon_days=200 --resume {run_dir} --workers 2"
    assert f"interrupted; what finished is saved. Resume with: {hint}" in stderr


def test_unreachable_scheduler_fails_within_the_connect_timeout_and_leaves_no_folder(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:  # a port that was free a moment ago: nobody listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    out = tmp_path / "results"
    started = time.monotonic()
    process = _start_run(out, "--scheduler", address, env={CONNECT_TIMEOUT_ENV: "2"})
    code, stderr, _ = _finish(process, started)

    assert code == 2, stderr
    assert f"Could not connect to the Dask scheduler at {address} within 2 s" in stderr
    assert CONNECT_TIMEOUT_ENV in stderr
    assert _noise(stderr) == []
    assert not out.exists() or list(out.iterdir()) == []


def test_unreachable_scheduler_leaves_a_resumed_folder_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario = api.load_scenario(BASELINE, overrides=[HORIZON])
    run_dir = run_scenario(scenario, replications=2, execution=Execution(workers=1, results_root=tmp_path)).run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text())
    manifest["status"] = "interrupted"
    (run_dir / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setenv(CONNECT_TIMEOUT_ENV, "0.5")

    result = CliRunner().invoke(
        app,
        ["run", str(BASELINE), "--set", HORIZON, "--resume", str(run_dir), "--scheduler", "tcp://127.0.0.1:9"],
    )

    assert result.exit_code == 2, result.output
    assert "Could not connect to the Dask scheduler at tcp://127.0.0.1:9 within 0.5 s" in result.output
    assert json.loads((run_dir / "manifest.json").read_text()) == manifest


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("foo", "no port in the scheduler address 'foo'"),
        ("tcp://", "no host in the scheduler address 'tcp://'"),
        ("http://x", "unknown protocol 'http' in the scheduler address 'http://x'"),
        ("tcp://10.0.0.5:http", "bad port 'http' in the scheduler address 'tcp://10.0.0.5:http'"),
        ("tcp://10.0.0.5:0", "bad port '0'"),
    ],
)
def test_malformed_scheduler_address_is_refused_before_anything_runs(
    tmp_path: Path, address: str, message: str
) -> None:
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(tmp_path / "results"), "--scheduler", address], env={"COLUMNS": "300"}
    )

    assert result.exit_code == 2
    assert "Invalid value for '--scheduler'" in result.output
    assert message in result.output
    assert "e.g. tcp://10.0.0.5:8786" in result.output or "a number from 1 to 65535" in result.output
    assert not (tmp_path / "results").exists()


def test_malformed_scheduler_address_leaves_no_noise_at_exit(tmp_path: Path) -> None:
    process = _start_run(tmp_path / "results", "--scheduler", "http://x")
    code, stderr, _ = _finish(process, time.monotonic())
    assert code == 2
    assert "unknown protocol 'http'" in stderr
    assert _noise(stderr) == []


@pytest.mark.parametrize("address", ["tcp://10.0.0.5:8786", "tls://10.0.0.5:8786", "10.0.0.5:8786", "tcp://[::1]:8786"])
def test_well_formed_scheduler_addresses_pass(address: str) -> None:
    check_scheduler_address(address)


def test_tls_address_without_certificates_says_which_settings_to_set(tmp_path: Path) -> None:
    for name in [name for name in os.environ if name.startswith("DASK_DISTRIBUTED__COMM__TLS")]:
        pytest.skip(f"{name} is set in this environment")
    result = CliRunner().invoke(
        app, ["run", str(BASELINE), "--out", str(tmp_path), "--scheduler", "tls://127.0.0.1:9"], env={"COLUMNS": "300"}
    )
    assert result.exit_code == 2
    assert "tls://127.0.0.1:9 is encrypted (TLS) but no certificates are configured" in result.output
    assert "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT" in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("openssl") is None, reason="the test certificates are made with openssl")
def test_run_on_a_tls_cluster_with_dasks_own_settings(tmp_path: Path) -> None:
    tls = make_tls_files(tmp_path)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        address = start_cluster(tmp_path, processes, workers=1, tls=tls)
        assert address.startswith("tls://127.0.0.1:")
        options = ["--no-report", "--scheduler", address, "--out", str(tmp_path / "results")]
        done = subprocess.run(
            [*SIM, "run", str(BASELINE), "-n", "4", "--set", HORIZON, *options],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, **tls.client_environment()},
        )
    finally:
        stop_processes(processes)
    assert done.returncode == 0, done.stderr
    (run_dir,) = (tmp_path / "results").iterdir()
    assert _status(run_dir) == "complete"
    assert (_replications(run_dir)["status"] == "ok").sum() == 4


def test_check_scheduler_address_raises_executor_error() -> None:
    with pytest.raises(ExecutorError, match="unknown protocol 'udp'"):
        check_scheduler_address("udp://10.0.0.5:8786")
