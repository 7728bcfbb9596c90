"""Executors that run replications: in-process, a local process pool, or a Dask cluster.

All three are :class:`concurrent.futures.Executor` objects, so the runner (:mod:`sim.experiment.runner`) treats
them alike. :func:`open_executor` picks one and shuts it down properly:

* ``workers=1`` runs every task in the calling process at ``submit`` time (:class:`SerialExecutor`): no processes,
  breakpoints and tracebacks work, tests stay fast.
* ``workers>1`` (or ``None`` = one per usable CPU) uses a :class:`~concurrent.futures.ProcessPoolExecutor`.
* ``scheduler="tcp://host:port"`` (or ``tls://…``) runs on a running Dask cluster through a
  :class:`~sim.experiment.cluster.DaskExecutor`, which notices when the cluster goes away (see
  :mod:`sim.experiment.cluster`).

Start method of the process pool: **forkserver** where the platform has it, else spawn. ``fork`` is fastest to
start (a few ms) but copies a parent that may hold threads (Dask's event loop, rich's refresh thread, BLAS pools)
and can deadlock in the child; Python 3.12 warns about it and 3.14 no longer defaults to it. ``spawn`` is safe but
every worker re-imports numpy and the main module: measured here ~130-200 ms to the first result of a 2-worker pool
plus ~50-100 ms at shutdown, every time. ``forkserver`` forks workers from a clean single-threaded server process
started once per session; with numpy preloaded in that server, the first pool costs ~150 ms and each later pool
~15 ms to its first result, shutdown a few ms. The server imports the ``preload_modules`` of :func:`open_executor`
once (a module may also warm the process up, as :mod:`sim.experiment.worker_warmup` does), and every worker forked
from it starts with them loaded; :func:`start_local_workers` starts the server early, so that those imports run while
the caller is still busy (a command validating its scenario), not while the workers wait. Worker processes ignore
SIGINT, so Ctrl-C reaches only the parent, which cancels what is pending and stops the pool (see
:func:`open_executor`); and they exit by themselves within about a second if the parent is killed outright, instead
of lingering as orphans.

Numerical thread pools: pool workers run with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``MKL_NUM_THREADS``,
``VECLIB_MAXIMUM_THREADS`` and ``NUMEXPR_NUM_THREADS`` set to 1 (unless the user set them), as a Dask nanny does for
its workers (``distributed.nanny.pre-spawn-environ``): the parallelism is one replication per process, and a BLAS
pool of one thread per core in every worker would oversubscribe the cores and make the local pool and a Dask
cluster behave differently. The variables are in the environment when the fork server starts (they must be there
before numpy loads), or for the whole life of a spawn pool, and are removed from the parent's environment afterwards.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import multiprocessing
import multiprocessing.forkserver
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from sim.experiment.cluster import ExecutorError, open_dask_executor

if TYPE_CHECKING:
    from sim.experiment.execution import Execution

__all__ = [
    "WORKER_THREAD_VARIABLES",
    "ExecutorError",
    "SerialExecutor",
    "open_execution",
    "open_executor",
    "single_threaded_numerics",
    "start_local_workers",
    "usable_cpu_count",
    "worker_count",
]

P = ParamSpec("P")
T = TypeVar("T")


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


def _start_fork_server(preload_modules: Sequence[str]) -> BaseContext | None:
    """Start this session's fork server if it is not running; return its context (None: no fork server here).

    Returns at once: the server imports ``preload_modules`` in its own process, and the first worker forked from it
    waits for that to finish.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return None
    context = multiprocessing.get_context("forkserver")
    # Only takes effect if this session's fork server has not started yet; '__main__' is the default entry.
    context.set_forkserver_preload(["__main__", *preload_modules])
    # Start the fork server now, with one numerical thread: every worker is forked from it and inherits that.
    with single_threaded_numerics():
        multiprocessing.forkserver.ensure_running()
    _stop_fork_server_at_exit()
    return context


@functools.cache  # (registered once a session)
def _stop_fork_server_at_exit() -> None:
    """Have this session's fork server stopped when the process exits, even in the middle of its preload.

    The server shares the parent's standard output and error. Left alone it exits by itself when the parent has
    gone, but only once its preload (imports, the warm-up replication: a few seconds) is done, and until then it
    holds the output open: a command that failed early (a scenario that does not validate) would keep a pipe such
    as ``sim run bad.yaml | less`` or a script reading its output waiting for seconds after it had exited.
    """
    atexit.register(_terminate_fork_server)


def _terminate_fork_server() -> None:
    """Stop this session's fork server now (its workers, if any are left, exit on their own when it has gone)."""
    server: Any = multiprocessing.forkserver._forkserver  # the session's one (private: no public way to stop it)
    pid = getattr(server, "_forkserver_pid", None)
    if pid is None:
        return
    with contextlib.suppress(OSError):  # already gone
        os.kill(pid, signal.SIGTERM)
    with contextlib.suppress(OSError, AttributeError):  # (private API: closes its socket and reaps it)
        server._stop()


def start_local_workers(
    workers: int | None, scheduler: str | None = None, *, preload_modules: Sequence[str] = ("numpy",)
) -> None:
    """Start preparing the local worker processes that :func:`open_executor` will use, and return at once.

    Call it first thing in a command that will open a local pool after some work of its own (loading and
    validating a scenario, planning a design): the fork server imports ``preload_modules`` meanwhile, on another
    core, and the pool opened later forks its workers ready to run. Does nothing where no local pool would be
    opened (``workers=1``, a single usable CPU, a Dask ``scheduler``) or where the platform has no fork server.

    Args:
        workers: As for :func:`open_executor`.
        scheduler: As for :func:`open_executor`.
        preload_modules: As for :func:`open_executor`; give the same ones (only the first start of the server
            in a session takes them).
    """
    if scheduler is not None or (workers if workers is not None else usable_cpu_count()) <= 1:
        return
    _start_fork_server(preload_modules)


def _process_pool(workers: int, preload_modules: Sequence[str]) -> ProcessPoolExecutor:
    context = _start_fork_server(preload_modules) or multiprocessing.get_context("spawn")
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
            :data:`~sim.experiment.cluster.CONNECT_TIMEOUT_ENV` or 10 s.
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
        with open_dask_executor(scheduler, connect_timeout_s, worker_timeout_s) as dask_executor:
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


@contextmanager
def open_execution(execution: Execution, preload_modules: Sequence[str] = ("numpy",)) -> Iterator[Executor]:
    """The executor an :class:`~sim.experiment.execution.Execution` asks for, for a ``with`` block.

    Its open ``executor`` if it has one (left open), else a new one from its ``workers`` or ``scheduler`` (see
    :func:`open_executor`), shut down when the block ends. To run more than the replications on the same workers
    — a report's figures after a run, say — open it once and hand it on::

        with open_execution(execution, WORKER_PRELOAD) as pool:
            results = run_scenario(scenario, execution=dataclasses.replace(
                execution, executor=pool, workers=None, scheduler=None))
            ...  # pool.submit(...) more work; the pool closes here

    Args:
        execution: How to run.
        preload_modules: For a new local pool, as for :func:`open_executor`.

    Yields:
        A :class:`concurrent.futures.Executor`.
    """
    if execution.executor is not None:
        yield execution.executor
        return
    with open_executor(execution.workers, execution.scheduler, preload_modules=preload_modules) as executor:
        yield executor
