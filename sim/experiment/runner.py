"""Run many seeded replications on an executor and store each finished chunk as it arrives.

The runner is generic: it takes the replication function as a parameter and knows nothing about the model. The
function's contract is ``fn(payload, seed) -> {"metrics": {name: float}, "timeseries": {name: 1-D array}}`` —
a picklable top-level function returning plain data; it may raise.

:func:`run_tasks` skips the tasks already recorded in the store (that is how a run resumes), groups the rest into
chunks, submits one future per chunk of :func:`run_chunk` and writes each chunk to the
:class:`~sim.experiment.store.ResultStore` as soon as its future completes. An exception raised by the replication
function fails that one replication (recorded with its seed and error) and never the run. Ctrl-C — or an executor
that is lost for good (:class:`~sim.experiment.executors.ExecutorLost`: the Dask scheduler went away, no worker
left) — cancels what is pending, keeps what is written and raises :class:`RunInterrupted`, which carries the run
folder to resume from and, for a lost executor, the reason.

Payload shipping: a chunk carries each distinct payload once, pickled once per run in the parent process. By
default every replication unpickles its own fresh copy, so a function that mutates its payload cannot leak state
into the next replication, and results do not depend on the chunk size or the executor. A caller whose function
never writes to its payload (the model and its frozen scenario) says so with ``read_only_payloads=True``: each
process then unpickles a payload once and keeps it (:class:`WorkerPayloads`, keyed by a digest of the pickled
bytes), so the replications of a run share one scenario object — and whatever the model derives from it once per
object, such as its tables — instead of rebuilding both for every replication.
"""

from __future__ import annotations

import hashlib
import math
import numbers
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from sim.experiment.cluster import ExecutorLost
from sim.experiment.executors import worker_count
from sim.experiment.progress import progress_bar, progress_wanted
from sim.experiment.store import (
    FIXED_COLUMNS,
    STATUS_FAILED,
    STATUS_OK,
    TIMESERIES_INDEX_COLUMNS,
    Record,
)

__all__ = [
    "MAX_DEFAULT_CHUNK_SIZE",
    "WORKER_DIED_HINT",
    "WORKER_PAYLOADS",
    "Chunk",
    "RecordSink",
    "ReplicationFn",
    "RunCancelled",
    "RunIncomplete",
    "RunInterrupted",
    "RunNotSaved",
    "RunTally",
    "Task",
    "WorkerPayloads",
    "build_tasks",
    "default_chunk_size",
    "normalise_result",
    "run_chunk",
    "run_tasks",
    "task_key",
]

ReplicationFn = Callable[[Any, int], Mapping[str, Any]]
"""``fn(payload, seed) -> {"metrics": {...}, "timeseries": {...}}``."""


class RecordSink(Protocol):
    """Where :func:`run_tasks` keeps finished chunks: a run folder's :class:`~sim.experiment.store.ResultStore`,
    or a :class:`~sim.experiment.memory.MemoryStore` for runs that need no folder."""

    run_dir: Path
    """The run the runner's exceptions name (the folder to resume)."""

    def write_chunk(self, records: Sequence[Mapping[str, Any]]) -> object:
        """Keep the records of one finished chunk, all or nothing; ``OSError`` if they cannot be kept."""
        ...

    def set_aside_unusable(self, expected_seeds: Mapping[str, int]) -> list[str]:
        """Put aside what was kept before but does not belong to this run; one line per thing put aside."""
        ...

    def completed_keys(self) -> set[str]:
        """The keys of every replication kept, ok or failed."""
        ...


MAX_DEFAULT_CHUNK_SIZE = 32
"""Upper bound of the default chunk size: bounds the work lost to a kill and keeps the progress bar moving."""

CHUNKS_PER_WORKER = 4
"""The default chunk size aims at this many chunks per worker, so workers stay busy until the end."""

GUIDED_DIVISOR = 2
"""Without an explicit chunk size, the next chunk holds at most ``remaining / (GUIDED_DIVISOR × workers)`` tasks."""


@dataclass(frozen=True, slots=True)
class Task:
    """One replication to run: ``fn(payload, seed)``, stored under ``key``.

    Attributes:
        key: Unique name of the task in its run, e.g. ``"p0003-r0017"`` (see :func:`task_key`).
        point: Index of the design point (scenario variant) the task belongs to.
        replication: Replication index within the point; replication *i* of every point uses the same seed.
        seed: The replication's seed.
        payload: What ``fn`` needs besides the seed (e.g. a scenario); plain picklable data. Tasks of one point
            should share one payload object, which is then shipped once per chunk.
    """

    key: str
    point: int
    replication: int
    seed: int
    payload: Any = field(repr=False)


@dataclass(frozen=True, slots=True)
class RunTally:
    """What one :func:`run_tasks` call did.

    Attributes:
        completed: Replications that succeeded and were written in this call.
        failed: Replications whose function raised (recorded as failed) in this call.
        skipped: Tasks already recorded in the store before this call (resume), not run again.
        set_aside: One line per chunk file that was damaged or of another run, moved aside before running (see
            :meth:`~sim.experiment.store.ResultStore.set_aside_unusable`); its replications ran again.
    """

    completed: int
    failed: int
    skipped: int
    set_aside: tuple[str, ...] = ()

    @property
    def ran(self) -> int:
        """Replications run and written in this call, ok or failed."""
        return self.completed + self.failed


class RunInterrupted(Exception):
    """The user pressed Ctrl-C, or the executor was lost. Everything written so far is kept; the run resumes from
    :attr:`run_dir`.

    Attributes:
        run_dir: The run folder to resume.
        tally: What was written before the interruption.
        lost: ``None`` for Ctrl-C; else why the executor was lost (e.g. the Dask scheduler went away).
    """

    def __init__(self, run_dir: Path, tally: RunTally, lost: str | None = None) -> None:
        self.run_dir = Path(run_dir)
        self.tally = tally
        self.lost = lost
        cause = "interrupted" if lost is None else f"stopped ({lost})"
        super().__init__(
            f"run {cause} after writing {tally.ran} replications this time; resume with --resume {self.run_dir}"
        )


class RunCancelled(KeyboardInterrupt):
    """Raised by a caller's ``on_chunk`` hook to stop a run as Ctrl-C would (the web app's cancel button): pending
    chunks are cancelled, finished ones kept, and :class:`RunInterrupted` is raised."""


class RunNotSaved(Exception):
    """A finished chunk could not be written (the disk is full, the folder became read-only …).

    The chunk's write left nothing behind (chunk files are written atomically) and every chunk written before is
    kept, so the run resumes from :attr:`run_dir` once the cause is fixed.

    Attributes:
        run_dir: The run folder to resume.
        tally: What was written before the failure.
        error: The operating system's error.
    """

    def __init__(self, run_dir: Path, tally: RunTally, error: OSError) -> None:
        self.run_dir = Path(run_dir)
        self.tally = tally
        self.error = error
        super().__init__(
            f"cannot write results to {self.run_dir} ({error.strerror or error}); what finished before is saved: "
            f"fix the cause and resume with --resume {self.run_dir}"
        )


WORKER_DIED_HINT = (
    "A worker process died: out of memory, or a script that starts a run when it is imported (worker processes"
    " import the main script: put the run under 'if __name__ == \"__main__\":', or run with workers=1)."
)
"""Said with a broken process pool: the two usual causes and what to do."""


class RunIncomplete(Exception):
    """Some chunks could not run at all (e.g. a worker process died, the function could not be unpickled).

    The replications of those chunks are not recorded, so resuming retries them. Replication functions that
    raise do not cause this: they are recorded as failed replications.

    Attributes:
        run_dir: The run folder to resume.
        tally: What was written.
        not_run: How many tasks are missing.
        first_error: The first chunk-level error, as ``"Type: message"``.
    """

    def __init__(self, run_dir: Path, tally: RunTally, not_run: int, first_error: str) -> None:
        self.run_dir = Path(run_dir)
        self.tally = tally
        self.not_run = not_run
        self.first_error = first_error
        super().__init__(
            f"{not_run} replications could not be run ({first_error}); "
            f"fix the cause and resume with --resume {self.run_dir}"
        )


def task_key(point: int, replication: int) -> str:
    """Return the conventional task key, e.g. ``task_key(3, 17) == "p0003-r0017"``."""
    return f"p{point:04d}-r{replication:04d}"


def build_tasks(payloads: Sequence[Any], seeds: Sequence[int]) -> list[Task]:
    """Cross design points with replication seeds (common random numbers): one task per (point, replication).

    Args:
        payloads: One payload per design point.
        seeds: One seed per replication (e.g. :func:`sim.experiment.seeds.replication_seeds`), the same for every
            point.

    Returns:
        Tasks in point-major order, keyed by :func:`task_key`.
    """
    return [
        Task(task_key(point, replication), point, replication, int(seed), payload)
        for point, payload in enumerate(payloads)
        for replication, seed in enumerate(seeds)
    ]


def default_chunk_size(task_count: int, workers: int) -> int:
    """Return ``ceil(task_count / (workers * 4))``, at least 1 and at most :data:`MAX_DEFAULT_CHUNK_SIZE`."""
    return max(1, min(math.ceil(task_count / (max(1, workers) * CHUNKS_PER_WORKER)), MAX_DEFAULT_CHUNK_SIZE))


# --------------------------------------------------------------------------------------------------------------
# The worker side
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Chunk:
    """Tasks shipped together to one worker, each distinct payload pickled once.

    Attributes:
        payloads: Pickled payloads, one per distinct payload object of the chunk.
        tasks: ``(key, point, replication, seed, payload_index)`` per task.
        read_only_payloads: The function never writes to its payload: the worker may hand every replication the
            same unpickled object (see :class:`WorkerPayloads`) instead of a fresh copy each.
    """

    payloads: tuple[bytes, ...]
    tasks: tuple[tuple[str, int, int, int, int], ...]
    read_only_payloads: bool = False

    @classmethod
    def pack(
        cls,
        tasks: Sequence[Task],
        pickled: Callable[[Any], bytes] | None = None,
        *,
        read_only_payloads: bool = False,
    ) -> Chunk:
        """Pack tasks, pickling each distinct payload object (by identity) once.

        Args:
            tasks: The tasks of the chunk.
            pickled: Optional cache ``payload -> bytes`` shared across chunks.
            read_only_payloads: See :attr:`read_only_payloads`.
        """
        dump = pickled or _dumps
        slots: dict[int, int] = {}
        payloads: list[bytes] = []
        entries = []
        for task in tasks:
            slot = slots.get(id(task.payload))
            if slot is None:
                slot = slots[id(task.payload)] = len(payloads)
                payloads.append(dump(task.payload))
            entries.append((task.key, task.point, task.replication, task.seed, slot))
        return cls(tuple(payloads), tuple(entries), read_only_payloads)

    def __len__(self) -> int:
        return len(self.tasks)


def _dumps(payload: Any) -> bytes:
    return pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)


PAYLOADS_KEPT_PER_WORKER = 8
"""How many read-only payloads a process keeps unpickled: the points of a sweep's chunks in flight, with room."""


class WorkerPayloads:
    """Read-only payloads unpickled once per process and kept, keyed by the BLAKE2b digest of their pickled bytes.

    Equal bytes give the one object unpickled the first time; other bytes — a changed scenario, however small the
    change — give another digest and so their own object (a 512-bit digest: a collision is not a practical
    concern). The :data:`PAYLOADS_KEPT_PER_WORKER` most recently used payloads are kept; older ones are let go,
    and with them whatever the model derived from them and holds only weakly (a scenario's tables). Safe to call
    from several threads (a Dask worker may run several).
    """

    def __init__(self, capacity: int = PAYLOADS_KEPT_PER_WORKER) -> None:
        self.capacity = capacity
        self._by_digest: OrderedDict[bytes, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, pickled: bytes) -> Any:
        """Return the payload whose pickled bytes are ``pickled``, unpickling it only if it is not kept already."""
        digest = hashlib.blake2b(pickled).digest()
        with self._lock:
            if digest in self._by_digest:
                self._by_digest.move_to_end(digest)
                return self._by_digest[digest]
            payload = self._by_digest[digest] = pickle.loads(pickled)
            while len(self._by_digest) > self.capacity:
                self._by_digest.popitem(last=False)
            return payload

    def __len__(self) -> int:
        return len(self._by_digest)

    def clear(self) -> None:
        """Let every kept payload go."""
        with self._lock:
            self._by_digest.clear()


WORKER_PAYLOADS = WorkerPayloads()
"""This process's kept read-only payloads (a pool worker's, or the calling process's for in-process runs)."""


def normalise_result(result: Any) -> tuple[dict[str, float], dict[str, np.ndarray]]:
    """Check a replication function's return value and convert it to the stored types.

    Metrics become Python floats; time series become 1-D contiguous float64 (from any float dtype) or int64 (from
    int, uint or bool dtypes) arrays — conversions that never change a value.

    Args:
        result: What ``fn(payload, seed)`` returned.

    Returns:
        ``(metrics, timeseries)``.

    Raises:
        TypeError: If the result is not a mapping of the expected shape or holds non-numeric values.
        ValueError: If a name is reserved, a series is not 1-D, series lengths differ, or a uint64 value does not
            fit int64.
    """
    if not isinstance(result, Mapping):
        raise TypeError(
            f"the replication function must return a dict with 'metrics' and 'timeseries', got {type(result).__name__}"
        )
    unexpected = set(result) - {"metrics", "timeseries"}
    if unexpected or "metrics" not in result:
        raise TypeError(
            f"the replication function must return a dict with keys 'metrics' and 'timeseries', "
            f"got {sorted(map(str, result))}"
        )
    raw_metrics = result["metrics"]
    raw_series = result.get("timeseries") or {}
    if not isinstance(raw_metrics, Mapping) or not isinstance(raw_series, Mapping):
        raise TypeError("'metrics' and 'timeseries' must be dicts")
    metrics: dict[str, float] = {}
    for name, value in raw_metrics.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"metric names must be non-empty strings, got {name!r}")
        if name in FIXED_COLUMNS:
            raise ValueError(f"metric name {name!r} is reserved ({', '.join(FIXED_COLUMNS)})")
        if not isinstance(value, numbers.Real):
            raise TypeError(f"metric {name!r} is a {type(value).__name__}, not a number")
        metrics[name] = float(value)
    timeseries: dict[str, np.ndarray] = {}
    for name, values in raw_series.items():
        if not isinstance(name, str) or not name:
            raise TypeError(f"time-series names must be non-empty strings, got {name!r}")
        if name in TIMESERIES_INDEX_COLUMNS:
            raise ValueError(f"time-series name {name!r} is reserved ({', '.join(TIMESERIES_INDEX_COLUMNS)})")
        array = np.asarray(values)
        if array.ndim != 1:
            raise ValueError(f"time series {name!r} must be 1-D, got shape {array.shape}")
        if array.dtype.kind == "f":
            array = array.astype(np.float64, copy=False)
        elif array.dtype.kind in "biu":
            if array.dtype == np.uint64 and array.size and int(array.max()) > np.iinfo(np.int64).max:
                raise ValueError(f"time series {name!r} has uint64 values that do not fit int64")
            array = array.astype(np.int64, copy=False)
        else:
            raise TypeError(f"time series {name!r} has dtype {array.dtype}, not a real number type")
        timeseries[name] = np.ascontiguousarray(array)
    lengths = {len(array) for array in timeseries.values()}
    if len(lengths) > 1:
        raise ValueError(f"time series have different lengths {sorted(lengths)}; each must have one per day")
    return metrics, timeseries


def _run_pickled(pickled_fn: bytes, chunk: Chunk) -> list[Record]:
    """What :func:`run_tasks` submits: the function travels pickled, so a Dask scheduler, which unpickles task
    graphs, needs only this package and not the model's modules."""
    return run_chunk(pickle.loads(pickled_fn), chunk)


def run_chunk(fn: ReplicationFn, chunk: Chunk | Sequence[Task]) -> list[Record]:
    """Run every task of a chunk and return one record per task (runs on a worker).

    An ``Exception`` from ``fn`` (or a malformed result) makes that task's record ``failed`` with the error's
    type and message and the seed; the next task runs as usual. Errors outside ``fn`` — a payload that cannot be
    unpickled on this worker — propagate and fail the chunk, which is then retried on resume. Each replication gets
    a fresh copy of its payload, or, in a chunk of read-only payloads, the one copy this process keeps
    (:data:`WORKER_PAYLOADS`).

    Args:
        fn: The replication function.
        chunk: A packed :class:`Chunk`, or tasks to pack here.

    Returns:
        Records in task order.
    """
    if not isinstance(chunk, Chunk):
        chunk = Chunk.pack(chunk)
    records: list[Record] = []
    kept = [WORKER_PAYLOADS.get(pickled) for pickled in chunk.payloads] if chunk.read_only_payloads else None
    for key, point, replication, seed, slot in chunk.tasks:
        payload = kept[slot] if kept is not None else pickle.loads(chunk.payloads[slot])  # else a fresh copy each
        started = time.perf_counter()
        try:
            metrics, timeseries = normalise_result(fn(payload, seed))
        except Exception as exc:
            records.append(
                Record(
                    key=key,
                    point=point,
                    replication=replication,
                    seed=seed,
                    status=STATUS_FAILED,
                    metrics={},
                    timeseries={},
                    error=f"{type(exc).__name__}: {exc}",
                    elapsed_s=time.perf_counter() - started,
                )
            )
        else:
            records.append(
                Record(
                    key=key,
                    point=point,
                    replication=replication,
                    seed=seed,
                    status=STATUS_OK,
                    metrics=metrics,
                    timeseries=timeseries,
                    error=None,
                    elapsed_s=time.perf_counter() - started,
                )
            )
    return records


# --------------------------------------------------------------------------------------------------------------
# The parent side
# --------------------------------------------------------------------------------------------------------------


class _PayloadCache:
    """Pickles each distinct payload object once per run (keeps the objects alive so ids stay unique)."""

    def __init__(self) -> None:
        self._cache: dict[int, tuple[Any, bytes]] = {}

    def __call__(self, payload: Any) -> bytes:
        entry = self._cache.get(id(payload))
        if entry is None:
            entry = self._cache[id(payload)] = (payload, _dumps(payload))
        return entry[1]


def _chunks(tasks: Sequence[Task], size: int) -> Iterator[Sequence[Task]]:
    for start in range(0, len(tasks), size):
        yield tasks[start : start + size]


def _guided_chunks(tasks: Sequence[Task], workers: int, largest: int) -> Iterator[Sequence[Task]]:
    """Chunks of at most ``largest`` tasks that shrink towards the end of the run (guided self-scheduling).

    Each chunk holds ``ceil(remaining / (GUIDED_DIVISOR × workers))`` tasks, capped at ``largest``: the run starts
    with full-size chunks and ends with single tasks, so the workers finish within about one replication of each
    other instead of one waiting for another's last full chunk.
    """
    start = 0
    while start < len(tasks):
        remaining = len(tasks) - start
        size = max(1, min(largest, math.ceil(remaining / (GUIDED_DIVISOR * max(1, workers)))))
        yield tasks[start : start + size]
        start += size


def run_tasks(
    fn: ReplicationFn,
    tasks: Sequence[Task],
    executor: Executor,
    store: RecordSink,
    *,
    chunk_size: int | None = None,
    progress: bool | None = None,
    on_chunk: Callable[[Sequence[Record]], None] | None = None,
    read_only_payloads: bool = False,
) -> RunTally:
    """Run the tasks that the store does not hold yet and write every finished chunk to the store at once.

    Chunks are submitted through a window of ``2 × workers`` futures (refilled as chunks finish, in completion
    order), which keeps every worker busy while bounding memory, the scheduler's queue and what Ctrl-C cancels.

    Args:
        fn: The replication function, a picklable top-level function ``fn(payload, seed) -> dict``.
        tasks: All tasks of the run (already recorded ones are skipped: calling again with the same list resumes).
        executor: Where to run chunks (see :func:`sim.experiment.executors.open_executor`).
        store: Where finished chunks go: the run folder's store (or a store in memory).
        chunk_size: Tasks per chunk. Default: chunks of :func:`default_chunk_size` tasks for the executor's worker
            count, shrinking towards the end of the run (``remaining / (2 × workers)``, down to one task) so that
            no worker idles while another finishes a full chunk.
        progress: Show a progress bar; default: only if stdout is a terminal and ``CI`` is not set.
        on_chunk: Called with each chunk's records once they are kept; raising :class:`RunCancelled` from it
            stops the run as Ctrl-C does.
        read_only_payloads: ``fn`` never writes to its payload (nor to anything reachable from it): each process
            unpickles a payload once and hands the same object to all its replications (see
            :class:`WorkerPayloads`). Default: a fresh copy for every replication.

    Returns:
        The tally of this call.

    Raises:
        ValueError: If two tasks share a key or ``chunk_size < 1``.
        TypeError: If ``fn`` cannot be pickled (it must be a top-level function to reach worker processes).
        RunInterrupted: On Ctrl-C, or when the executor is lost for good (``ExecutorLost``), after cancelling
            pending chunks and saving finished ones.
        RunIncomplete: If some chunks could not run at all; their tasks stay missing and run on resume.
        RunNotSaved: If a finished chunk cannot be written (e.g. the disk is full); the run resumes.
    """
    keys = [task.key for task in tasks]
    if len(set(keys)) != len(keys):
        raise ValueError("task keys must be unique within a run")
    if chunk_size is not None and chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    try:
        pickled_fn = pickle.dumps(fn, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        raise TypeError(
            f"the replication function {fn!r} cannot be pickled ({exc}); use a top-level function"
        ) from None

    set_aside = tuple(store.set_aside_unusable({task.key: task.seed for task in tasks}))
    done_before = store.completed_keys()
    pending = [task for task in tasks if task.key not in done_before]
    skipped = len(tasks) - len(pending)
    workers = worker_count(executor)
    size = chunk_size or default_chunk_size(len(pending), workers)
    window = max(2, 2 * workers)  # chunks in flight: keeps workers busy, bounds memory and what Ctrl-C cancels
    payload_cache = _PayloadCache()

    ok = failed = not_run = 0
    first_error = ""
    in_flight: dict[Future[list[Record]], int] = {}

    def tally() -> RunTally:
        return RunTally(completed=ok, failed=failed, skipped=skipped, set_aside=set_aside)

    def note_lost(count: int, exc: BaseException) -> None:
        nonlocal not_run, first_error
        not_run += count
        if not first_error:
            first_error = f"{type(exc).__name__}: {exc}"
            if isinstance(exc, BrokenProcessPool):
                first_error += f" {WORKER_DIED_HINT}"

    try:
        with progress_bar(progress_wanted(progress), len(pending), skipped) as bar:
            chunk_iter = _chunks(pending, size) if chunk_size else _guided_chunks(pending, workers, size)
            exhausted = False
            while True:
                while not exhausted and len(in_flight) < window:
                    chunk = next(chunk_iter, None)
                    if chunk is None:
                        exhausted = True
                        break
                    try:
                        packed = Chunk.pack(chunk, payload_cache, read_only_payloads=read_only_payloads)
                        future = executor.submit(_run_pickled, pickled_fn, packed)
                    except ExecutorLost:
                        raise
                    except Exception as exc:  # a broken or shut-down executor: nothing more can be submitted
                        note_lost(len(chunk) + sum(len(rest) for rest in chunk_iter), exc)
                        exhausted = True
                        break
                    in_flight[future] = len(chunk)
                if not in_flight:
                    break
                finished, _ = wait(in_flight, return_when=FIRST_COMPLETED)
                for future in finished:
                    if future.cancelled():
                        note_lost(in_flight[future], RuntimeError("chunk cancelled by the executor"))
                    elif isinstance(error := future.exception(), ExecutorLost):
                        raise error
                    elif error is not None:
                        note_lost(in_flight[future], error)
                    else:
                        records = future.result()
                        try:
                            store.write_chunk(records)
                        except OSError as exc:
                            raise RunNotSaved(store.run_dir, tally(), exc) from exc
                        chunk_failed = sum(record["status"] == STATUS_FAILED for record in records)
                        ok += len(records) - chunk_failed
                        failed += chunk_failed
                        bar.advance(len(records) - chunk_failed, chunk_failed)
                        if on_chunk is not None:
                            on_chunk(records)
                    del in_flight[future]
    except (KeyboardInterrupt, ExecutorLost) as stopped:
        for future in in_flight:
            future.cancel()
        ok, failed = _save_finished(in_flight, store, ok, failed)
        lost = str(stopped) if isinstance(stopped, ExecutorLost) else None
        raise RunInterrupted(store.run_dir, tally(), lost) from None
    except BaseException:  # e.g. the disk is full: stop asking for work whose results cannot be kept
        for future in in_flight:
            future.cancel()
        raise
    if not_run:
        raise RunIncomplete(store.run_dir, tally(), not_run, first_error)
    return tally()


def _save_finished(
    in_flight: Mapping[Future[list[Record]], int], store: RecordSink, ok: int, failed: int
) -> tuple[int, int]:
    """After Ctrl-C or a lost executor: write chunks that finished but were not written yet (skipping keys already
    on disk)."""
    on_disk: set[str] | None = None
    for future in in_flight:
        if not future.done() or future.cancelled() or future.exception() is not None:
            continue
        on_disk = store.completed_keys() if on_disk is None else on_disk
        records = [record for record in future.result() if record["key"] not in on_disk]
        if not records:
            continue
        store.write_chunk(records)
        on_disk.update(record["key"] for record in records)
        chunk_failed = sum(record["status"] == STATUS_FAILED for record in records)
        ok += len(records) - chunk_failed
        failed += chunk_failed
    return ok, failed
