"""Daily series over seeded replications: aggregated per replication, then the mean and band across them.

A run records, for every replication, one row per day (``point, replication, day`` and a column per series).
What a figure over time shows is computed here: :func:`per_replication_values` turns one series into a daily,
weekly or running total per replication, and :func:`band` condenses the replications at each step into their
mean and the central range that holds a given share of them (90%: the 5th to 95th percentile) — the spread a
planner should expect from one real campaign, not the precision of the mean.
"""

from __future__ import annotations

from typing import Literal

import pandas as pd

Aggregation = Literal["daily", "cumulative", "weekly"]
"""How a daily series is aggregated per replication (see :func:`per_replication_values`)."""

DAY_COLUMNS = ("point", "replication", "day")
"""The columns that say which replication and day a row of the long daily series belongs to."""


def per_replication_values(timeseries: pd.DataFrame, column: str, how: Aggregation = "daily") -> pd.DataFrame:
    """One value per replication and time step of a daily series, aggregated as asked.

    Args:
        timeseries: Long daily series (``point, replication, day`` and one column per series).
        column: The series.
        how: ``daily`` (as recorded), ``cumulative`` (running total per replication) or ``weekly`` (sum over
            each whole week; a last, incomplete week is left out so it does not look like a drop).

    Returns:
        Columns ``point, replication, step, value``; ``step`` is the day (or the first day of the week).
        Rows whose value is NaN are dropped.
    """
    frame = timeseries[[*DAY_COLUMNS, column]].sort_values(list(DAY_COLUMNS)).rename(columns={column: "value"})
    if how == "cumulative":
        frame["value"] = frame.groupby(["point", "replication"])["value"].cumsum()
    elif how == "weekly":
        frame["week"] = frame["day"] // 7
        grouped = frame.groupby(["point", "replication", "week"])["value"]
        weekly = grouped.agg(["sum", "count"]).reset_index()
        whole = weekly[weekly["count"] == 7]
        weekly = whole if not whole.empty else weekly
        frame = pd.DataFrame(
            {
                "point": weekly["point"],
                "replication": weekly["replication"],
                "day": weekly["week"] * 7,
                "value": weekly["sum"],
            }
        )
    frame = frame.rename(columns={"day": "step"})
    return frame.dropna(subset=["value"]).reset_index(drop=True)[["point", "replication", "step", "value"]]


def band(values: pd.DataFrame, level: float = 0.90) -> pd.DataFrame:
    """Mean and central ``level`` band across replications at each step of each point.

    Args:
        values: Output of :func:`per_replication_values`.
        level: Coverage of the band (0.90: 5th to 95th percentile).

    Returns:
        Columns ``point, step, mean, low, high, n``.
    """
    tail = (1.0 - level) / 2.0
    grouped = values.groupby(["point", "step"])["value"]
    result = grouped.agg(["mean", "count"]).rename(columns={"count": "n"})
    result["low"] = grouped.quantile(tail)
    result["high"] = grouped.quantile(1.0 - tail)
    return result.reset_index()[["point", "step", "mean", "low", "high", "n"]]
