"""The app's runs: one queue, one process pool for every browser session, and a cache of finished runs.

Every *Run* press becomes a :class:`Job` — a comparison of scenarios under common random numbers, run by
:func:`sim.experiment.compare.compare_scenarios` (the same function as ``sim compare``) into a run folder with its
report. Jobs wait in one first-in-first-out queue and run one at a time on one pool of worker processes, at most
one per usable core, shared by all sessions: the machine is never asked for more processes than it has cores, and
a waiting user sees their place in the queue. A job's replications arrive chunk by chunk (the runner's
``on_chunk`` hook), so the page shows results while the rest run, and the cancel button stops a job at the next
chunk (queued jobs are dropped at once).

Finished jobs are cached by (scenario hashes, overrides, replications, seed): asking again for the same run
returns it at once. A job belongs to the session that made it; sessions never see each other's jobs (only their
results, when they asked for exactly the same run).
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.experiment.compare import CompareResults, compare_scenarios
from sim.experiment.execution import Execution
from sim.experiment.executors import open_executor, usable_cpu_count
from sim.experiment.replications import WORKER_PRELOAD
from sim.experiment.runner import RunCancelled, RunInterrupted
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

__all__ = ["CACHE_SIZE", "Job", "JobKey", "RunQueue"]

CACHE_SIZE = 32
"""Finished runs kept for reuse (the oldest is forgotten first; its folder stays on disk)."""

CHUNK_REPLICATIONS = 1
"""Replications per chunk: each arrives on the page as soon as it is done (a chunk costs a few ms to keep)."""

JobKey = tuple[tuple[str, ...], tuple[str, ...], int, int]
"""(scenario hashes, overrides, replications, seed): what makes two runs the same."""


@dataclass
class Job:
    """One run asked for from the page, and what is known of it so far.

    Attributes:
        key: What makes it the same as another run (the cache key).
        labels: The scenarios' labels; the first is the base the others are compared with.
        scenarios: The validated scenarios, in order.
        replications: Replications per scenario.
        seed: The base seed.
        command: The command line that repeats it (recorded in the run folder's manifest).
        state: ``queued``, ``running``, ``done``, ``cancelled`` or ``failed``.
        records: Every replication's record received so far (they arrive chunk by chunk).
        results: The finished comparison (``done`` only).
        error: What went wrong (``failed`` only).
        started_s, finished_s: ``time.monotonic()`` when it started and ended (0 before).
        first_result_s: ``time.monotonic()`` when the first replication arrived (0 before).
        report: The run folder's report: ``""`` (not yet), ``writing``, ``ready`` or ``not written: why``.
    """

    key: JobKey
    labels: list[str]
    scenarios: list[Scenario]
    replications: int
    seed: int
    command: str = ""
    state: str = "queued"
    records: list[Mapping[str, Any]] = field(default_factory=list)
    results: CompareResults | None = None
    error: str = ""
    started_s: float = 0.0
    finished_s: float = 0.0
    first_result_s: float = 0.0
    report: str = ""
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def total(self) -> int:
        """Replications to run, over all scenarios."""
        return self.replications * len(self.scenarios)

    @property
    def settled(self) -> bool:
        """True once nothing more will change: ended, and its report written (or never to be)."""
        return self.finished and (self.results is None or self.report not in ("", "writing"))

    @property
    def finished(self) -> bool:
        """True once the job has ended, one way or another."""
        return self.state in ("done", "cancelled", "failed")

    def cancel(self) -> None:
        """Ask the job to stop (a queued job never starts; a running one stops after its current chunk)."""
        self._cancel.set()

    def snapshot(self) -> list[Mapping[str, Any]]:
        """The records received so far (a copy, safe to read while more arrive)."""
        with self._lock:
            return list(self.records)

    def receive(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Keep a finished chunk's records (the runner's ``on_chunk`` hook); stop here if cancelled."""
        with self._lock:
            if not self.records:
                self.first_result_s = time.monotonic()
            self.records.extend(records)
        if self._cancel.is_set():
            raise RunCancelled


def job_key(scenarios: Sequence[Scenario], overrides: Sequence[str], replications: int, seed: int) -> JobKey:
    """The cache key of a run: the scenarios' content hashes, the overrides, replications and seed."""
    return (tuple(scenario_hash(scenario) for scenario in scenarios), tuple(overrides), replications, seed)


class RunQueue:
    """The app's one queue of jobs, run one at a time on one shared process pool, with the cache of finished ones.

    Args:
        results_root: Where the run folders are made.
        workers: Worker processes of the pool (default: one per usable core; never more).
    """

    def __init__(self, results_root: Path, workers: int | None = None) -> None:
        self.results_root = Path(results_root)
        cores = usable_cpu_count()
        self.workers = max(1, min(workers or cores, cores))
        self._waiting: list[Job] = []
        self._cache: OrderedDict[JobKey, Job] = OrderedDict()
        self._condition = threading.Condition()
        self._stopping = False
        self._stack = contextlib.ExitStack()
        self._executor: Executor | None = None
        self._running: Job | None = None
        self._reports = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-app-reports")
        self._thread = threading.Thread(target=self._serve, name="sim-app-runs", daemon=True)
        self._thread.start()

    def submit(self, job: Job) -> Job:
        """Queue a job, or return the cached finished job with the same key.

        Returns:
            The job to follow: ``job`` itself (queued) or the finished one from the cache.
        """
        with self._condition:
            cached = self._cache.get(job.key)
            if cached is not None:
                self._cache.move_to_end(job.key)
                return cached
            self._waiting.append(job)
            self._condition.notify_all()
        return job

    def position(self, job: Job) -> int:
        """The job's place in the queue: 1 = next to run, 0 = not waiting (running or ended)."""
        with self._condition:
            return next((index + 1 for index, waiting in enumerate(self._waiting) if waiting is job), 0)

    def waiting(self) -> int:
        """How many jobs wait (not counting the one that runs)."""
        with self._condition:
            return len(self._waiting)

    def drop(self, job: Job) -> None:
        """Cancel a job: remove it from the queue, or stop it at its next chunk if it runs."""
        job.cancel()
        with self._condition:
            if job in self._waiting:
                self._waiting.remove(job)
                job.state = "cancelled"
                job.finished_s = time.monotonic()

    def close(self) -> None:
        """Stop serving: cancel what waits, let the running job stop, shut the pool down."""
        with self._condition:
            self._stopping = True
            if self._running is not None:
                self._running.cancel()
            for job in self._waiting:
                job.cancel()
                job.state = "cancelled"
            self._waiting.clear()
            self._condition.notify_all()
        self._thread.join(timeout=30)
        self._reports.shutdown(wait=True, cancel_futures=True)
        self._stack.close()

    def _next(self) -> Job | None:
        with self._condition:
            while not self._waiting and not self._stopping:
                self._condition.wait()
            if self._stopping:
                return None
            return self._waiting.pop(0)

    def _pool(self) -> Executor:
        if self._executor is None:
            self._executor = self._stack.enter_context(
                open_executor(self.workers, preload_modules=WORKER_PRELOAD, worker_timeout_s=60.0)
            )
        return self._executor

    def _serve(self) -> None:
        while (job := self._next()) is not None:
            self._running = job
            try:
                self._run(job)
            finally:
                self._running = None

    def _run(self, job: Job) -> None:
        job.state = "running"
        job.started_s = time.monotonic()
        execution = Execution(
            executor=self._pool(),
            results_root=self.results_root,
            progress=False,
            command=job.command,
            on_chunk=job.receive,
            chunk_size=CHUNK_REPLICATIONS,
        )
        try:
            job.results = compare_scenarios(
                [(label, scenario, None) for label, scenario in zip(job.labels, job.scenarios, strict=True)],
                replications=job.replications,
                seed=job.seed,
                execution=execution,
                overrides=list(job.key[1]),
            )
        except RunInterrupted:
            job.state = "cancelled"
        except Exception as error:  # shown on the page; the app keeps serving other sessions
            job.state = "failed"
            job.error = f"{type(error).__name__}: {error}"
        else:
            job.state = "done"
            with self._condition:
                self._cache[job.key] = job
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
        finally:
            job.finished_s = time.monotonic()
        if job.results is not None:  # the results are on the page; the report (figures: slower) follows, while
            job.report = "writing"  # the queue moves on to the next run
            self._reports.submit(_write_job_report, job)


def _write_job_report(job: Job) -> None:
    """The comparison's report (``report.html``, ``report.md``, figures) beside its results, for the download."""
    from sim.report.build import write_report

    assert job.results is not None
    try:
        write_report(job.results.run_dir)
    except Exception as error:  # said on the page; the results stay downloadable from the folder
        job.report = f"not written: {type(error).__name__}: {error}"
    else:
        job.report = "ready"


@contextlib.contextmanager
def run_queue(results_root: Path, workers: int | None = None) -> Iterator[RunQueue]:
    """A :class:`RunQueue` closed when the block ends."""
    queue = RunQueue(results_root, workers)
    try:
        yield queue
    finally:
        queue.close()
