"""Running replications on a Dask cluster: the address, TLS, connecting, and noticing when the cluster goes away.

:func:`open_dask_executor` is what :func:`sim.experiment.executors.open_executor` uses for ``scheduler=...``.

Tasks are submitted with ``pure=False`` (no hashing of payloads). The cluster's workers must be able to import
this package and the replication function's module; the scheduler needs only this package, because the runner
ships the function pickled inside each task. The address is checked before anything connects
(:func:`check_scheduler_address`); ``tls://`` takes the client's certificates from Dask's own configuration
(``distributed.comm.tls.ca-file``, ``distributed.comm.tls.client.cert`` and ``.key``, e.g. from the environment
variables ``DASK_DISTRIBUTED__COMM__TLS__CA_FILE`` …), the settings every Dask client reads. Connecting gives up
after :data:`CONNECT_TIMEOUT_ENV` seconds (default 10).

A cluster that goes away: Dask cancels a client's tasks the moment it loses its connection to the scheduler, and
tasks wait for ever on a scheduler that has no workers. :class:`DaskExecutor` turns both into an
:class:`ExecutorLost` error on every pending future and refuses new work, so the runner stops, keeps what finished
and says how to resume. It declares the cluster lost at once when the client drops its connection to the scheduler
(a killed scheduler is seen within a second; a silent network loss within Dask's TCP timeout,
``distributed.comm.timeouts.tcp``, 30 s by default), and after :data:`LOST_AFTER_ENV` seconds (default 30) in which
the scheduler did not answer or had no worker while tasks were pending. It checks every
:data:`HEALTH_CHECK_INTERVAL_S` seconds.
"""

from __future__ import annotations

import contextlib
import logging
import math
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, InvalidStateError
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "CONNECT_TIMEOUT_ENV",
    "DASK_INSTALL_HINT",
    "DEFAULT_CONNECT_TIMEOUT_S",
    "LOST_AFTER_ENV",
    "SCHEDULER_PROTOCOLS",
    "DaskExecutor",
    "ExecutorError",
    "ExecutorLost",
    "check_scheduler_address",
    "open_dask_executor",
]

P = ParamSpec("P")
T = TypeVar("T")

DASK_INSTALL_HINT = "pip install 'eu-airdefence-sim[dask]'"
"""What to tell a user who asks for a Dask scheduler without ``distributed`` installed."""


class ExecutorError(Exception):
    """An executor could not be opened (a malformed address, Dask missing, the scheduler unreachable, no workers).
    The message says why."""


class ExecutorLost(ExecutorError):
    """The executor can no longer run anything: its Dask scheduler went away, or it had no worker for too long.

    Set on every pending future and raised by ``submit`` from then on. The message says what happened.
    """


SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss")
"""Protocols ``--scheduler`` accepts (Dask's network transports; ``tls`` and ``wss`` are encrypted)."""

SCHEDULER_ADDRESS_EXAMPLE = "tcp://10.0.0.5:8786"

CONNECT_TIMEOUT_ENV = "SIM_DASK_CONNECT_TIMEOUT_S"
"""Environment variable: seconds to try to reach the Dask scheduler (default 10)."""

LOST_AFTER_ENV = "SIM_DASK_LOST_AFTER_S"
"""Environment variable: seconds without an answering scheduler or any worker before a run stops (default 30)."""

DEFAULT_CONNECT_TIMEOUT_S = 10.0
DEFAULT_LOST_AFTER_S = 30.0

HEALTH_CHECK_INTERVAL_S = 1.0
"""How often :class:`DaskExecutor` asks the scheduler how many workers it has."""

_TLS_SETTINGS_HINT = (
    "the client's certificates come from Dask's configuration: set DASK_DISTRIBUTED__COMM__TLS__CA_FILE, "
    "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT and DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY (or "
    "distributed.comm.tls.* in ~/.config/dask/distributed.yaml); see docs/scaling.md"
)


def check_scheduler_address(address: str) -> None:
    """Check that ``address`` has the form ``PROTOCOL://HOST:PORT`` (or ``HOST:PORT``, meaning ``tcp``).

    Args:
        address: A Dask scheduler address, e.g. ``"tcp://10.0.0.5:8786"`` or ``"tls://[fd00::5]:8786"``.

    Raises:
        ExecutorError: Saying what is wrong (unknown protocol, no host, no or a bad port) and what is expected.
    """
    expected = f"expected PROTOCOL://HOST:PORT with PROTOCOL one of {', '.join(SCHEDULER_PROTOCOLS)}, e.g. " + (
        SCHEDULER_ADDRESS_EXAMPLE
    )
    protocol, separator, location = address.partition("://")
    if not separator:
        protocol, location = "tcp", address
    elif protocol not in SCHEDULER_PROTOCOLS:
        raise ExecutorError(f"unknown protocol '{protocol}' in the scheduler address '{address}': {expected}")
    if location.startswith("["):  # IPv6: [host]:port
        host, bracket, rest = location[1:].partition("]")
        port = rest[1:] if bracket and rest.startswith(":") else ""
    else:
        host, _, port = location.rpartition(":") if ":" in location else (location, "", "")
    if not host:
        raise ExecutorError(f"no host in the scheduler address '{address}': {expected}")
    if not port:
        raise ExecutorError(f"no port in the scheduler address '{address}': {expected} (8786 is Dask's default)")
    if not port.isdigit() or not 0 < int(port) < 65536:
        raise ExecutorError(f"bad port '{port}' in the scheduler address '{address}': a number from 1 to 65535")


def _seconds_from_environment(name: str, default: float) -> float:
    text = os.environ.get(name, "").strip()
    if not text:
        return default
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not seconds > 0 or math.isinf(seconds):
        raise ExecutorError(f"{name}={text!r} must be a positive number of seconds")
    return seconds


def _client_security(address: str) -> Any:
    """The client's :class:`distributed.Security` from Dask's configuration, checked for an encrypted address."""
    from distributed import Security

    security = Security()
    if address.partition("://")[0] not in ("tls", "wss"):
        return security
    try:
        context = security.get_connection_args("client")["ssl_context"]
    except (OSError, ValueError) as exc:  # a missing or unreadable certificate file, a key that does not match
        raise ExecutorError(
            f"cannot use the TLS settings for {address} ({type(exc).__name__}: {exc}); {_TLS_SETTINGS_HINT}"
        ) from None
    if context is None:
        raise ExecutorError(f"{address} is encrypted (TLS) but no certificates are configured; {_TLS_SETTINGS_HINT}")
    return security


class DaskExecutor(Executor):
    """A :class:`concurrent.futures.Executor` on a ``distributed.Client`` that notices when the cluster goes away.

    Tasks go through the client's own executor (``pure=False``). A watchdog thread checks the cluster every
    :data:`HEALTH_CHECK_INTERVAL_S`; once it is lost (see the module docstring), every pending future fails with
    :class:`ExecutorLost` and :meth:`submit` raises it.

    Args:
        client: A connected ``distributed.Client``.
        address: The scheduler address, for messages.
        lost_after_s: How long the scheduler may go unanswered, or without workers while tasks are pending.
    """

    def __init__(self, client: Any, address: str, lost_after_s: float) -> None:
        self._client = client  # worker_count() reads the cluster's thread count through it
        self._inner = client.get_executor(pure=False)
        self._address = address
        self._lost_after_s = lost_after_s
        self._lock = threading.Lock()
        self._pending: set[Future[Any]] = set()
        self._lost: ExecutorLost | None = None
        self._stopping = threading.Event()
        self._watchdog = threading.Thread(target=self._watch, name="dask-cluster-watchdog", daemon=True)
        self._watchdog.start()

    @property
    def lost(self) -> ExecutorLost | None:
        """Why the cluster was declared lost, or ``None`` while it is usable."""
        return self._lost

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Submit ``fn(*args, **kwargs)`` to the cluster.

        Raises:
            ExecutorLost: If the cluster has been declared lost.
        """
        if self._lost is not None:
            raise self._lost
        inner = self._inner.submit(fn, *args, **kwargs)
        outer: Future[T] = Future()
        with self._lock:
            self._pending.add(outer)
        outer.add_done_callback(self._forget)
        outer.add_done_callback(lambda done: inner.cancel() if done.cancelled() else None)
        inner.add_done_callback(lambda done: self._settle(outer, done))
        return outer

    def _forget(self, future: Future[Any]) -> None:
        with self._lock:
            self._pending.discard(future)

    def _settle(self, outer: Future[Any], inner: Future[Any]) -> None:
        """Pass the inner future's outcome on; Dask's cancellation of a lost connection becomes ExecutorLost."""
        if inner.cancelled():
            if self._client.status != "running":  # the client cancels every task when its connection drops
                self._declare_lost(f"the connection to the Dask scheduler at {self._address} was lost")
            elif outer.cancel():
                with contextlib.suppress(RuntimeError):  # already notified
                    outer.set_running_or_notify_cancel()  # wakes wait() and as_completed()
            return
        error = inner.exception()
        with contextlib.suppress(InvalidStateError):  # already failed by the watchdog, or cancelled by the caller
            if error is not None:
                outer.set_exception(error)
            else:
                outer.set_result(inner.result())

    def _watch(self) -> None:
        trouble_since: float | None = None
        while not self._stopping.wait(HEALTH_CHECK_INTERVAL_S):
            if self._client.status != "running":
                self._declare_lost(f"the connection to the Dask scheduler at {self._address} was lost")
                return
            problem = self._problem()
            if problem is None or not self._pending:
                trouble_since = None
                continue
            trouble_since = trouble_since if trouble_since is not None else time.monotonic()
            if time.monotonic() - trouble_since >= self._lost_after_s:
                self._declare_lost(f"{problem} for {self._lost_after_s:g} s")
                return

    def _problem(self) -> str | None:
        """What is wrong with the cluster now, or ``None``."""
        try:
            identity = self._client.sync(
                self._client.scheduler.identity, n_workers=0, callback_timeout=max(HEALTH_CHECK_INTERVAL_S, 5.0)
            )
        except Exception:
            return f"the Dask scheduler at {self._address} did not answer"
        if not identity.get("n_workers"):
            return f"the Dask scheduler at {self._address} had no worker"
        return None

    def _declare_lost(self, reason: str) -> None:
        with self._lock:
            if self._lost is None:
                self._lost = ExecutorLost(reason)
            lost, pending = self._lost, list(self._pending)
        for future in pending:
            with contextlib.suppress(InvalidStateError):
                future.set_exception(lost)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Stop the watchdog; wait for the submitted tasks (unless told not to, or the cluster is lost)."""
        self._stopping.set()
        if self._lost is not None or cancel_futures or not wait:
            self._inner.shutdown(wait=False)  # cancels the tasks that are still pending on the cluster
        else:
            self._inner.shutdown(wait=True)


CLIENT_CLOSE_TIMEOUT_S = 5.0
"""How long closing the Dask client may take (it tells the scheduler goodbye if it is still there)."""


class _ConnectionNoise(logging.Filter):
    """Drops what Dask's client logs about its own connection: INFO chatter ("Batched Comm Closed", often with a
    traceback) and any record whose exception is a closed connection. ``sim`` says itself, in one line, when the
    cluster is lost; warnings and errors about anything else still reach the terminal."""

    def __init__(self) -> None:
        super().__init__()
        self.silent = False  # drop everything (while closing a client whose cluster is gone)

    def filter(self, record: logging.LogRecord) -> bool:
        if self.silent or record.levelno < logging.WARNING:
            return False
        error = record.exc_info[1] if record.exc_info else None
        return not (error is not None and type(error).__name__ in {"CommClosedError", "StreamClosedError"})


@contextmanager
def _quiet_connection_noise() -> Iterator[_ConnectionNoise]:
    """Put a :class:`_ConnectionNoise` filter on Dask's and the root logger's handlers for the block."""
    noise = _ConnectionNoise()
    handlers = [*logging.getLogger("distributed").handlers, *logging.getLogger().handlers]
    for handler in handlers:
        handler.addFilter(noise)
    try:
        yield noise
    finally:
        for handler in handlers:
            handler.removeFilter(noise)


def _close_client(client: Any, noise: _ConnectionNoise, lost: bool) -> None:
    """Close a client without waiting long for a scheduler that may be gone, and without noise.

    After the cluster was lost, the client is still retrying to connect; closing it cancels that retry, which
    Dask logs as an error with a traceback: everything Dask logs is dropped for that moment, since the run has
    already said what happened.
    """
    noise.silent = lost
    with contextlib.suppress(Exception):
        client.close(timeout=CLIENT_CLOSE_TIMEOUT_S)


@contextmanager
def open_dask_executor(
    scheduler: str, connect_timeout_s: float | None = None, worker_timeout_s: float = 60.0
) -> Iterator[Executor]:
    """Connect to the Dask scheduler at ``scheduler`` and yield a :class:`DaskExecutor` on it; close the client after.

    If the block raises, the cluster-side tasks still pending are cancelled.

    Args:
        scheduler: The scheduler address (see :func:`check_scheduler_address`).
        connect_timeout_s: How long to try to reach the scheduler; default: the environment variable
            :data:`CONNECT_TIMEOUT_ENV` or 10 s.
        worker_timeout_s: How long to wait for at least one worker to be connected.

    Raises:
        ExecutorError: If the address is malformed, ``distributed`` is not installed, the TLS settings are missing
            for a ``tls://`` address, the scheduler cannot be reached, or it has no workers.
    """
    check_scheduler_address(scheduler)
    if connect_timeout_s is None:
        connect_timeout_s = _seconds_from_environment(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S)
    try:
        import distributed
    except ImportError:
        raise ExecutorError(
            f"Running on a Dask cluster ({scheduler}) needs the 'distributed' package: {DASK_INSTALL_HINT}"
        ) from None
    security = _client_security(scheduler)
    with _quiet_connection_noise() as noise:
        yield from _run_on_cluster(distributed, scheduler, security, connect_timeout_s, worker_timeout_s, noise)


def _run_on_cluster(
    distributed: Any,
    scheduler: str,
    security: Any,
    connect_timeout_s: float,
    worker_timeout_s: float,
    noise: _ConnectionNoise,
) -> Iterator[Executor]:
    """Connect, wait for a worker, yield the executor, close the client (the body of :func:`open_dask_executor`)."""
    lost_after_s = _seconds_from_environment(LOST_AFTER_ENV, DEFAULT_LOST_AFTER_S)
    try:
        client = distributed.Client(scheduler, timeout=connect_timeout_s, set_as_default=False, security=security)
    except Exception as exc:
        raise ExecutorError(
            f"Could not connect to the Dask scheduler at {scheduler} within {connect_timeout_s:g} s "
            f"({type(exc).__name__}: {exc}). Is `dask scheduler` running there and is the address right? "
            f"(Set {CONNECT_TIMEOUT_ENV} to wait longer.)"
        ) from None
    executor: DaskExecutor | None = None
    try:
        try:
            client.wait_for_workers(1, timeout=worker_timeout_s)
        except Exception:
            raise ExecutorError(
                f"The Dask scheduler at {scheduler} has no workers after {worker_timeout_s:g} s; "
                f"start some with `dask worker {scheduler}`."
            ) from None
        executor = DaskExecutor(client, scheduler, lost_after_s)
        try:
            yield executor
        except BaseException:
            executor.shutdown(wait=False)  # cancels the cluster-side futures that are still pending
            raise
        else:
            executor.shutdown(wait=True)
    finally:
        _close_client(client, noise, lost=executor is not None and executor.lost is not None)
