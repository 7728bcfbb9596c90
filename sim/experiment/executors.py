"""Executors that run replications: in-process, a local process pool, or a Dask cluster.

All three are :class:`concurrent.futures.Executor` objects, so the runner (:mod:`sim.experiment.runner`) treats
them alike. :func:`open_executor` picks one and shuts it down properly:

* ``workers=1`` runs every task in the calling process at ``submit`` time (:class:`SerialExecutor`): no processes,
  breakpoints and tracebacks work, tests stay fast.
* ``workers>1`` (or ``None`` = one per usable CPU) uses a :class:`~concurrent.futures.ProcessPoolExecutor`.
* ``scheduler="tcp://host:port"`` (or ``tls://…``) runs on a running Dask cluster through a
  :class:`DaskExecutor`, which notices when the cluster goes away (see below).

Start method of the process pool: **forkserver** where the platform has it, else spawn. ``fork`` is fastest to
start (a few ms) but copies a parent that may hold threads (Dask's event loop, rich's refresh thread, BLAS pools)
and can deadlock in the child; Python 3.12 warns about it and 3.14 no longer defaults to it. ``spawn`` is safe but
every worker re-imports numpy and the main module: measured here ~130-200 ms to the first result of a 2-worker pool
plus ~50-100 ms at shutdown, every time. ``forkserver`` forks workers from a clean single-threaded server process
started once per session; with numpy preloaded in that server, the first pool costs ~150 ms and each later pool
~15 ms to its first result, shutdown a few ms. Worker processes ignore SIGINT, so Ctrl-C reaches only the parent,
which cancels what is pending and stops the pool (see :func:`open_executor`); and they exit by themselves within
about a second if the parent is killed outright, instead of lingering as orphans.

Numerical thread pools: pool workers run with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``,
``VECLIB_MAXIMUM_THREADS`` and ``NUMEXPR_NUM_THREADS`` set to 1 (unless the user set them), as a Dask nanny does for
its workers (``distributed.nanny.pre-spawn-environ``): the parallelism is one replication per process, and a BLAS
pool of one thread per core in every worker would oversubscribe the cores and make the local pool and a Dask
cluster behave differently. The variables are in the environment when the fork server starts (they must be there
before numpy loads), or for the whole life of a spawn pool, and are removed from the parent's environment afterwards.

Dask: tasks are submitted with ``pure=False`` (no hashing of payloads). The cluster's workers must be able to import
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
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, InvalidStateError, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any, ParamSpec, TypeVar

__all__ = [
    "CONNECT_TIMEOUT_ENV",
    "DASK_INSTALL_HINT",
    "LOST_AFTER_ENV",
    "SCHEDULER_PROTOCOLS",
    "WORKER_THREAD_VARIABLES",
    "DaskExecutor",
    "ExecutorError",
    "ExecutorLost",
    "SerialExecutor",
    "check_scheduler_address",
    "open_executor",
    "single_threaded_numerics",
    "usable_cpu_count",
    "worker_count",
]

P = ParamSpec("P")
T = TypeVar("T")

DASK_INSTALL_HINT = "pip install 'eu-airdefence-sim[dask]'"
"""What to tell a user who asks for a Dask scheduler without ``distributed`` installed."""


class ExecutorError(Exception):
    """An executor could not be opened (Dask missing, scheduler unreachable, no workers). The message says why."""


class ExecutorLost(ExecutorError):
    """The executor can no longer run anything: its Dask scheduler went away, or it had no worker for too long.

    Set on every pending future and raised by ``submit`` from then on. The message says what happened.
    """


class SerialExecutor(Executor):
    """An executor that runs each call in the calling process, inside :meth:`submit`.

    The returned future is already done. An ``Exception`` raised by the call is stored in the future, as a pool
    would; ``KeyboardInterrupt`` and other ``BaseException`` propagate immediately so Ctrl-C works.
    """

    def __init__(self) -> None:
        self._shut_down = False

    def submit(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> Future[T]:
        """Run ``fn(*args, **kwargs)`` now and return a finished future holding its result or exception.

        Raises:
            RuntimeError: If the executor has been shut down.
        """
        if self._shut_down:
            raise RuntimeError("cannot schedule new futures after shutdown")
        future: Future[T] = Future()
        future.set_running_or_notify_cancel()
        try:
            result = fn(*args, **kwargs)
        except Exception as exc:
            future.set_exception(exc)
        else:
            future.set_result(result)
        return future

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Refuse further submissions (nothing is ever pending, so there is nothing to wait for)."""
        self._shut_down = True


def usable_cpu_count() -> int:
    """Return the number of CPUs this process may run on (CPU affinity aware where the OS says so)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def worker_count(executor: Executor) -> int:
    """Return how many tasks ``executor`` runs at once, best effort (used to size chunks).

    Args:
        executor: A :class:`SerialExecutor`, a process or thread pool, a Dask ``ClientExecutor`` or anything else.

    Returns:
        1 for :class:`SerialExecutor`; the pool size for process/thread pools; the total worker threads of a Dask
        cluster; otherwise the usable CPU count.
    """
    if isinstance(executor, SerialExecutor):
        return 1
    max_workers = getattr(executor, "_max_workers", None)  # ProcessPoolExecutor / ThreadPoolExecutor
    if isinstance(max_workers, int) and max_workers > 0:
        return max_workers
    client = getattr(executor, "_client", None)  # distributed.cfexecutor.ClientExecutor
    if client is not None:
        try:
            return max(1, sum(client.nthreads().values()))
        except Exception:
            pass
    return usable_cpu_count()


PARENT_WATCH_INTERVAL_S = 1.0
"""How often a pool worker checks that the process that opened the pool is still alive."""


def _watch_parent(parent_pid: int) -> None:
    while True:
        time.sleep(PARENT_WATCH_INTERVAL_S)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:  # the pid now belongs to another user's process: ours is gone
            os._exit(1)


def _init_pool_worker(parent_pid: int) -> None:
    """Pool worker initializer.

    Ignores SIGINT, so Ctrl-C (sent by the terminal to the whole process group) reaches only the parent, which
    cancels and stops the pool cleanly. Starts a watchdog thread that ends the worker if the parent dies without
    stopping the pool (SIGKILL, OOM killer): multiprocessing's workers would otherwise wait forever as orphans.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if os.name == "posix":  # on Windows os.kill(pid, 0) would terminate the parent
        threading.Thread(target=_watch_parent, args=(parent_pid,), name="parent-watchdog", daemon=True).start()


WORKER_THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)
"""Environment variables set to 1 for pool workers (unless already set): one numerical thread per worker process."""


@contextmanager
def single_threaded_numerics() -> Iterator[None]:
    """Set :data:`WORKER_THREAD_VARIABLES` to 1 in this process's environment for the block (the ones not set).

    Processes started inside the block inherit the setting; libraries read it when they load, so the parent's
    already loaded numpy is not affected. Variables the user set are left as they are.
    """
    added = [name for name in WORKER_THREAD_VARIABLES if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _process_pool(workers: int, preload_modules: Sequence[str]) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    context: BaseContext
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        # Only takes effect if this session's fork server has not started yet; '__main__' is the default entry.
        context.set_forkserver_preload(["__main__", *preload_modules])
        # Start the fork server now, with one numerical thread: every worker is forked from it and inherits that.
        with single_threaded_numerics():
            multiprocessing.forkserver.ensure_running()
    else:
        context = multiprocessing.get_context("spawn")
    return ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_init_pool_worker, initargs=(os.getpid(),)
    )


def _abort_process_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and stop the workers now, without waiting for the chunks they are running."""
    terminate_workers = getattr(pool, "terminate_workers", None)  # Python >= 3.14
    if terminate_workers is not None:
        terminate_workers()
        return
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(timeout=5)


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


def _close_client(client: Any, lost: bool) -> None:
    """Close a client without waiting long for a scheduler that may be gone, and without noise.

    After the cluster was lost, the client is still retrying to connect; closing it cancels that retry, which
    Dask logs as an error with a traceback. Dask's log handlers drop everything for that moment: the run has
    already said what happened.
    """
    silence = logging.Filter()
    silence.filter = lambda record: False  # type: ignore[method-assign]
    handlers = [*logging.getLogger("distributed").handlers, *logging.getLogger().handlers] if lost else []
    for handler in handlers:
        handler.addFilter(silence)
    try:
        with contextlib.suppress(Exception):
            client.close(timeout=CLIENT_CLOSE_TIMEOUT_S)
    finally:
        for handler in handlers:
            handler.removeFilter(silence)


@contextmanager
def _dask_executor(scheduler: str, connect_timeout_s: float, worker_timeout_s: float) -> Iterator[Executor]:
    check_scheduler_address(scheduler)
    lost_after_s = _seconds_from_environment(LOST_AFTER_ENV, DEFAULT_LOST_AFTER_S)
    try:
        import distributed
    except ImportError:
        raise ExecutorError(
            f"Running on a Dask cluster ({scheduler}) needs the 'distributed' package: {DASK_INSTALL_HINT}"
        ) from None
    security = _client_security(scheduler)
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
        _close_client(client, lost=executor is not None and executor.lost is not None)


@contextmanager
def open_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    preload_modules: Sequence[str] = ("numpy",),
    connect_timeout_s: float | None = None,
    worker_timeout_s: float = 60.0,
) -> Iterator[Executor]:
    """Open an executor for replications and shut it down when the ``with`` block ends.

    On a normal exit the executor finishes what was submitted. If the block raises (including
    ``KeyboardInterrupt`` or the runner's ``RunInterrupted``), pending work is cancelled and pool workers are
    stopped at once instead of finishing their current chunk.

    Args:
        workers: 1 for in-process serial execution, ``n > 1`` for a local pool of ``n`` processes, ``None`` for one
            process per usable CPU (serial if there is only one). Must be ``None`` when ``scheduler`` is given.
        scheduler: Address of a running Dask scheduler, e.g. ``"tcp://10.0.0.5:8786"``; the cluster's workers run
            the tasks and must be able to import the replication function's module.
        preload_modules: Modules the local fork server imports once, so that each pool worker starts with them
            loaded (e.g. ``("numpy", "sim.model")``). Ignored for serial and Dask execution.
        connect_timeout_s: How long to try to reach the Dask scheduler; default: the environment variable
            :data:`CONNECT_TIMEOUT_ENV` or 10 s.
        worker_timeout_s: How long to wait for at least one Dask worker to be connected.

    Yields:
        A :class:`concurrent.futures.Executor`.

    Raises:
        ValueError: If ``workers < 1``, or both ``workers`` and ``scheduler`` are given.
        ExecutorError: If the scheduler address is malformed, ``distributed`` is not installed, the TLS settings
            are missing for a ``tls://`` address, the scheduler cannot be reached, or it has no workers.
    """
    if scheduler is not None:
        if workers is not None:
            raise ValueError("give either workers (local processes) or scheduler (a Dask cluster), not both")
        if connect_timeout_s is None:
            connect_timeout_s = _seconds_from_environment(CONNECT_TIMEOUT_ENV, DEFAULT_CONNECT_TIMEOUT_S)
        with _dask_executor(scheduler, connect_timeout_s, worker_timeout_s) as dask_executor:
            yield dask_executor
        return
    if workers is None:
        workers = usable_cpu_count()
    if workers < 1:
        raise ValueError(f"workers must be >= 1, got {workers}")
    if workers == 1:
        serial = SerialExecutor()
        try:
            yield serial
        finally:
            serial.shutdown()
        return
    pool = _process_pool(workers, preload_modules)
    spawning = "forkserver" not in multiprocessing.get_all_start_methods()
    # A spawn pool starts workers as tasks arrive: keep one numerical thread in the environment meanwhile.
    with single_threaded_numerics() if spawning else contextlib.nullcontext():
        try:
            yield pool
        except BaseException:
            _abort_process_pool(pool)
            raise
        else:
            pool.shutdown(wait=True)
