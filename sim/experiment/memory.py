"""Results kept in memory: a record sink for :func:`sim.experiment.runner.run_tasks` that writes no folder.

A run folder is what makes a run resumable and reportable; some runs need neither — the replays of a played game
(:mod:`sim.tabletop.replay`) are a few dozen runs whose tables the command writes itself. They go through the same
runner (same executors, chunking, failure records and Ctrl-C handling) into a :class:`MemoryStore`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

__all__ = ["MemoryStore"]


class MemoryStore:
    """The records of finished chunks (:class:`~sim.experiment.store.Record`), in arrival order, by task key.

    Attributes:
        run_dir: What the runner's exceptions name as the run (nothing is written there).
        records: Every record received, by task key.
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        self.records: dict[str, Mapping[str, Any]] = {}

    def write_chunk(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Keep the records of one finished chunk (a key received before keeps its first record)."""
        for record in records:
            self.records.setdefault(str(record["key"]), record)

    def set_aside_unusable(self, expected_seeds: Mapping[str, int]) -> list[str]:
        """Nothing to set aside: memory holds only this run's records."""
        return []

    def completed_keys(self) -> set[str]:
        """The keys of every record received, ok or failed."""
        return set(self.records)
