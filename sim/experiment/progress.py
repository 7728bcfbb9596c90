"""The progress bar of a run: replications done, failed, their rate and the time remaining (rich).

Shown on a terminal outside CI unless asked otherwise; the runner advances it as chunks finish.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Task as RichTask
from rich.text import Text


def progress_wanted(progress: bool | None) -> bool:
    """Whether to show a bar: as asked, else only on a terminal outside CI."""
    if progress is not None:
        return progress
    return sys.stdout.isatty() and not os.environ.get("CI")


class ProgressReporter:
    """A rich progress bar (count, rate, time remaining) or nothing."""

    def __init__(self, bar: Any, task_id: Any, skipped: int) -> None:
        self._bar = bar
        self._task_id = task_id
        self._skipped = skipped
        self._failed = 0

    def advance(self, ok: int, failed: int) -> None:
        if self._bar is None:
            return
        self._failed += failed
        self._bar.update(self._task_id, advance=ok + failed, description=self._description())

    def _description(self) -> str:
        parts = ["replications"]
        if self._skipped:
            parts.append(f"{self._skipped} done before")
        if self._failed:
            parts.append(f"[red]{self._failed} failed[/red]")
        return " · ".join(parts)


class _RateColumn(ProgressColumn):
    """Replications per second."""

    def render(self, task: RichTask) -> Text:
        speed = task.finished_speed or task.speed
        return Text("-- rep/s" if speed is None else f"{speed:.1f} rep/s", style="progress.data.speed")


@contextmanager
def progress_bar(enabled: bool, total: int, skipped: int) -> Iterator[ProgressReporter]:
    """A bar over ``total`` replications (``skipped`` of them done before), or a reporter that shows nothing."""
    if not enabled:
        yield ProgressReporter(None, None, skipped)
        return
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )
    reporter = ProgressReporter(bar, None, skipped)
    with bar:
        reporter._task_id = bar.add_task(reporter._description(), total=total)
        yield reporter
