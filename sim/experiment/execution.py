"""How to run replications — where, with how many processes, into which folder — as one value.

An :class:`Execution` is made once, by the command line or :mod:`sim.api`, and passed unchanged down to
:func:`sim.experiment.replications.run_points`, which opens the executor and runs the tasks. Everything *what* to
run (scenarios, replications, seeds, a sweep's design, the folder to ``--resume``) stays an argument of the function
that runs it: a resumed folder decides what runs (its manifest holds the seeds and scenarios), so ``resume`` is not
part of how to run.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["DEFAULT_EXECUTION", "WORKER_PRELOAD", "Execution"]

WORKER_PRELOAD = ("numpy", "pandas", "mesa", "sim.model.run", "sim.model.world", "sim.experiment.worker_warmup")
"""What the fork server of local pools imports once for the model's workers: the model, warmed up (its compiled
kernels loaded; see :mod:`sim.experiment.worker_warmup`)."""


@dataclass(frozen=True)
class Execution:
    """How to run: the executor, where new run folders go, whether to show progress, what to record.

    Attributes:
        workers: Local worker processes (1 = in this process; None = one per usable core).
        scheduler: ``tcp://host:port`` (or ``tls://``) of a Dask scheduler instead of local processes.
        results_root: The folder in which new run folders are made (never overwriting one).
        progress: Show a progress bar; None: only on a terminal outside CI.
        command: The command line, recorded in the manifest of the run folder.
        executor: An executor that is already open (e.g. the web app's one pool, shared by its sessions) to run on
            instead of opening one; it is left open. Give neither ``workers`` nor ``scheduler`` with it.
        on_chunk: Called with the records of each chunk as soon as it is kept (to show results as they arrive);
            it may raise :class:`~sim.experiment.runner.RunCancelled` to stop the run as Ctrl-C would.
        chunk_size: Replications per chunk (default: the runner's guided chunks, large at first). A page that shows
            results as they arrive asks for 1, so the first result comes after one replication, not a batch.

    Raises:
        ValueError: If ``workers < 1``, or both ``workers`` and ``scheduler`` are given.
    """

    workers: int | None = None
    scheduler: str | None = None
    results_root: Path = Path("results")
    progress: bool | None = None
    command: str = ""
    executor: Executor | None = None
    on_chunk: Callable[[Sequence[Mapping[str, Any]]], None] | None = None
    chunk_size: int | None = None

    def __post_init__(self) -> None:
        if self.workers is not None and self.workers < 1:
            raise ValueError(f"workers must be >= 1, got {self.workers}")
        if self.workers is not None and self.scheduler is not None:
            raise ValueError("give either workers (local processes) or scheduler (a Dask cluster), not both")
        if self.executor is not None and (self.workers is not None or self.scheduler is not None):
            raise ValueError("give an open executor or how to open one (workers, scheduler), not both")
        object.__setattr__(self, "results_root", Path(self.results_root))


DEFAULT_EXECUTION = Execution()
"""One process per usable core, new run folders under ``results/``, a progress bar only on a terminal."""
