"""A real local Dask cluster for tests: ``dask scheduler`` and ``dask worker`` as separate processes on 127.0.0.1.

Shared by the tests that run replications on Dask. :func:`start_cluster` starts a scheduler (its address read from a
scheduler file) and single-threaded workers without nannies, each in its own process, and waits until every worker
is connected; :func:`stop_processes` terminates them, workers first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

START_TIMEOUT_S = 30.0
SCHEDULER_ARGUMENTS = ("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_ARGUMENTS = ("distributed.cli.dask_worker", "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard")


def start_process(arguments: list[str], log: Path, extra_path: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``python -m <arguments>`` with output to ``log``, optionally with ``extra_path`` on PYTHONPATH."""
    env = dict(os.environ)
    if extra_path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(extra_path), env.get("PYTHONPATH")]))
    with open(log, "wb") as handle:
        return subprocess.Popen([sys.executable, "-m", *arguments], stdout=handle, stderr=subprocess.STDOUT, env=env)


def stop_processes(processes: list[subprocess.Popen[bytes]]) -> None:
    """Terminate in reverse start order (workers before their scheduler); kill what does not stop in time."""
    for process in reversed(processes):
        if process.poll() is None:
            process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def start_scheduler(folder: Path, processes: list[subprocess.Popen[bytes]]) -> str:
    """Start a scheduler (appended to ``processes``) and return its address once it is listening."""
    scheduler_file = folder / "scheduler.json"
    processes.append(
        start_process([*SCHEDULER_ARGUMENTS, "--scheduler-file", str(scheduler_file)], folder / "scheduler.log")
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    while True:
        if scheduler_file.exists():
            try:
                return str(json.loads(scheduler_file.read_text())["address"])
            except (ValueError, KeyError):
                pass  # being written
        assert processes[-1].poll() is None, (folder / "scheduler.log").read_text()
        assert time.monotonic() < deadline, "dask scheduler did not start in time"
        time.sleep(0.05)


def start_cluster(
    folder: Path, processes: list[subprocess.Popen[bytes]], workers: int = 2, extra_path: Path | None = None
) -> str:
    """Start a scheduler and ``workers`` workers (all appended to ``processes``); return the scheduler address.

    Args:
        folder: Where scheduler file, logs and worker directories go.
        processes: Receives the started processes, to be given to :func:`stop_processes` afterwards.
        workers: Number of worker processes (one thread each).
        extra_path: A folder workers need on their import path (e.g. the tests folder for toy functions).
    """
    import distributed

    address = start_scheduler(folder, processes)
    for index in range(workers):
        processes.append(
            start_process(
                [*WORKER_ARGUMENTS, address, "--local-directory", str(folder / f"worker-{index}")],
                folder / f"worker-{index}.log",
                extra_path=extra_path,
            )
        )
    with distributed.Client(address, timeout=START_TIMEOUT_S, set_as_default=False) as client:
        client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
    return address
