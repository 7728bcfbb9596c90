"""Sizes a run, comparison or sweep may have: absurd ones are refused before any work starts, with the figure.

Two caps and one estimate:

- :data:`MAX_REPLICATIONS` replications per scenario (``-n``, and a scenario's ``replications:``, whose bound it
  is: one constant, owned by the scenario layer);
- :data:`MAX_TOTAL_REPLICATIONS` replications in all (points × replications of a comparison or sweep);
- the memory a run holds at once (:func:`estimated_memory_bytes`): one scenario object per point, the table of
  every replication's metrics and, where a report or the caller loads them whole, the daily time series. It must
  fit in the memory the machine has available.
"""

from __future__ import annotations

import os
import pickle
from typing import Any

from sim.scenario.model import MAX_REPLICATIONS

MAX_TOTAL_REPLICATIONS = 10_000_000
"""Most replications of one comparison or sweep in all (points × replications)."""

METRICS_PER_REPLICATION = 150
"""Metric columns per replication assumed by the memory estimate (the shipped scenarios have about 130)."""

SERIES_PER_REPLICATION = 40
"""Daily time series per replication assumed by the memory estimate (the shipped scenarios have 37)."""

BYTES_PER_VALUE = 8
"""A float64 or int64."""

TABLE_COPIES = 2
"""A table is held about twice while it is built (pieces, then the concatenation)."""

SCENARIO_BYTES_PER_PICKLED_BYTE = 8
"""A scenario object in memory takes about this many bytes per byte of its pickle (measured on the baseline)."""

GIB = 2**30


LARGEST_COUNT_WRITTEN_OUT = 10**15
"""Counts above this are written as powers of ten (a 1000-level grid over 40 parameters has 10^120 points)."""


def count_text(count: int) -> str:
    """A count with thousands separators, or ``~10^N`` if it is astronomically large."""
    if count > LARGEST_COUNT_WRITTEN_OUT:
        return f"~10^{len(str(count)) - 1}"
    return f"{count:,}"


class RunTooLarge(ValueError):
    """A run, comparison or sweep is too large to start; the message gives the figure that makes it so."""


def check_replications(replications: int | None, what: str = "-n/--replications") -> None:
    """Refuse a replication count above :data:`MAX_REPLICATIONS` (or below 1).

    Raises:
        RunTooLarge: With the count and the cap.
    """
    if replications is None:
        return
    if replications < 1:
        raise RunTooLarge(f"{what} {replications:,}: at least 1 replication is needed")
    if replications > MAX_REPLICATIONS:
        raise RunTooLarge(
            f"{what} {replications:,} is more than the {MAX_REPLICATIONS:,} replications one scenario may have "
            f"(more would only cost time: {MAX_REPLICATIONS:,} already pin a probability to within ±0.8 points)"
        )


def available_memory_bytes() -> int | None:
    """Memory the machine has available now (psutil; None if it cannot be told)."""
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # pragma: no cover - psutil is a dependency; this covers exotic platforms
        try:
            return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_AVPHYS_PAGES"))
        except (ValueError, OSError, AttributeError):
            return None


def estimated_memory_bytes(
    points: int, replications: int, scenario: Any, horizon_days: int, *, timeseries_loaded: bool
) -> int:
    """Bytes a run holds at once: scenario objects, the metrics table and (if loaded whole) the time series.

    Args:
        points: Scenario variants (1 for a run, the scenarios of a comparison, the design points of a sweep).
        replications: Replications per point.
        scenario: One of the scenarios (its pickled size stands for every point's).
        horizon_days: Days per replication.
        timeseries_loaded: Whether every replication's daily series are loaded at once (a run's or a comparison's
            report does).
    """
    runs = points * replications
    scenarios = points * len(pickle.dumps(scenario, protocol=pickle.HIGHEST_PROTOCOL)) * SCENARIO_BYTES_PER_PICKLED_BYTE
    metrics = runs * (METRICS_PER_REPLICATION + 7) * BYTES_PER_VALUE * TABLE_COPIES
    series = runs * horizon_days * (SERIES_PER_REPLICATION + 4) * BYTES_PER_VALUE * TABLE_COPIES
    return scenarios + metrics + (series if timeseries_loaded else 0)


def check_run_size(
    what: str,
    points: int,
    replications: int,
    scenario: Any,
    horizon_days: int,
    *,
    timeseries_loaded: bool = False,
) -> None:
    """Refuse, before any work, a run whose replications exceed the caps or whose memory exceeds the machine's.

    Args:
        what: ``"run"``, ``"comparison"`` or ``"sweep"`` (for the message).
        points: Scenario variants (see :func:`estimated_memory_bytes`).
        replications: Replications per point.
        scenario: One of the scenarios.
        horizon_days: Days per replication.
        timeseries_loaded: Whether the daily series of every replication are loaded at once.

    Raises:
        RunTooLarge: With the figure that makes the run too large.
    """
    check_replications(replications)
    total = points * replications
    unit = "scenarios" if what == "comparison" else "points"
    size = f"a {what} of {count_text(points)} {unit} × {replications:,} replications" if points > 1 else f"a {what}"
    fewer = "use fewer replications" if points == 1 else "use fewer points or replications"
    if total > MAX_TOTAL_REPLICATIONS:
        raise RunTooLarge(
            f"{size} = {count_text(total)} replications is more than the {MAX_TOTAL_REPLICATIONS:,} one command "
            f"may run; {fewer}"
        )
    needed = estimated_memory_bytes(points, replications, scenario, horizon_days, timeseries_loaded=timeseries_loaded)
    available = available_memory_bytes()
    if available is not None and needed > available:
        runs = f" of {replications:,} replications" if points == 1 else ""
        raise RunTooLarge(
            f"{size}{runs} would need ~{needed / GIB:,.1f} GiB of memory; this machine has "
            f"{available / GIB:,.1f} GiB available; {fewer}"
            + (", or --no-report (the report loads every daily series)" if timeseries_loaded else "")
        )
