"""A real local Dask cluster for tests: ``dask scheduler`` and ``dask worker`` as separate processes on 127.0.0.1.

Shared by the tests that run replications on Dask. :func:`start_cluster` starts a scheduler (its address read from a
scheduler file) and single-threaded workers without nannies, each in its own process, and waits until every worker
is connected; :func:`stop_processes` terminates them, workers first. Options: ``worker_options`` for the workers'
command line (e.g. ``--preload paced_dask_worker`` to slow replications down), and ``tls`` for an encrypted cluster
(:func:`make_tls_files` writes a self-signed certificate with ``openssl``).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT_S = 30.0
SCHEDULER_ARGUMENTS = ("distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard")
WORKER_ARGUMENTS = ("distributed.cli.dask_worker", "--nworkers", "1", "--nthreads", "1", "--no-nanny", "--no-dashboard")


@dataclass(frozen=True)
class TlsFiles:
    """A self-signed certificate used as CA, certificate and key by scheduler, workers and client alike."""

    ca_file: Path
    cert: Path
    key: Path

    def options(self) -> list[str]:
        """The ``dask scheduler`` / ``dask worker`` options that use these files."""
        return ["--tls-ca-file", str(self.ca_file), "--tls-cert", str(self.cert), "--tls-key", str(self.key)]

    def client_environment(self) -> dict[str, str]:
        """Dask's configuration, as environment variables, for a client of a TLS cluster (what users set)."""
        return {
            "DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(self.ca_file),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(self.cert),
            "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(self.key),
        }

    def security(self) -> Any:
        """A ``distributed.Security`` for a client in this process."""
        from distributed import Security

        return Security(
            tls_ca_file=str(self.ca_file),
            tls_client_cert=str(self.cert),
            tls_client_key=str(self.key),
            require_encryption=True,
        )


def make_tls_files(folder: Path) -> TlsFiles:
    """Write a self-signed certificate and its key for 127.0.0.1 with the ``openssl`` command (valid one day)."""
    openssl = shutil.which("openssl")
    assert openssl is not None, "openssl is needed to make the test certificates"
    key, cert = folder / "tls-key.pem", folder / "tls-cert.pem"
    request = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1"]
    subprocess.run(
        [openssl, *request, "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
    )
    return TlsFiles(ca_file=cert, cert=cert, key=key)


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


def start_scheduler(folder: Path, processes: list[subprocess.Popen[bytes]], tls: TlsFiles | None = None) -> str:
    """Start a scheduler (appended to ``processes``) and return its address once it is listening."""
    scheduler_file = folder / "scheduler.json"
    arguments = [*SCHEDULER_ARGUMENTS, "--scheduler-file", str(scheduler_file)]
    if tls is not None:
        arguments += ["--protocol", "tls", *tls.options()]
    processes.append(start_process(arguments, folder / "scheduler.log"))
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
    folder: Path,
    processes: list[subprocess.Popen[bytes]],
    workers: int = 2,
    extra_path: Path | None = None,
    worker_options: Sequence[str] = (),
    tls: TlsFiles | None = None,
) -> str:
    """Start a scheduler and ``workers`` workers (all appended to ``processes``); return the scheduler address.

    Args:
        folder: Where scheduler file, logs and worker directories go.
        processes: Receives the started processes, to be given to :func:`stop_processes` afterwards.
        workers: Number of worker processes (one thread each).
        extra_path: A folder workers need on their import path (e.g. the tests folder for toy functions).
        worker_options: More ``dask worker`` options, e.g. ``("--preload", "paced_dask_worker")``.
        tls: Certificates for an encrypted cluster (the address is then ``tls://…``).
    """
    import distributed

    address = start_scheduler(folder, processes, tls)
    for index in range(workers):
        arguments = [*WORKER_ARGUMENTS, address, "--local-directory", str(folder / f"worker-{index}"), *worker_options]
        if tls is not None:
            arguments += tls.options()
        processes.append(start_process(arguments, folder / f"worker-{index}.log", extra_path=extra_path))
    security = tls.security() if tls is not None else None
    with distributed.Client(address, timeout=START_TIMEOUT_S, set_as_default=False, security=security) as client:
        client.wait_for_workers(workers, timeout=START_TIMEOUT_S)
    return address
