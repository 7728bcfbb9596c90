"""The figure saved with each situation report of tabletop play (one PNG per turn).

Four panels, the game so far with the current turn shaded: the nightly raids on Ukraine (intercepted and got
through), NATO airspace (threats intercepted and got through, airport-closure hours), the stock of the costly
interceptors day by day as a share of the start (with the days a layer ran dry somewhere), and the
objectives (value, or projection to the horizon, against the target).

The function takes plain data (:class:`SitrepFigureData`) so the report layer needs nothing from the tabletop
layer above it. It draws on a :class:`matplotlib.figure.Figure` (no pyplot state, no display needed).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from numpy.typing import NDArray

OK_COLOUR = "#2e7d32"
WARN_COLOUR = "#c62828"
INTERCEPTED_COLOUR = "#1f77b4"
LEAKED_COLOUR = "#d62728"
TURN_SHADE = "#fff3c4"
MAX_STOCK_LINES = 6


@dataclass(frozen=True)
class ObjectiveBar:
    """An objective as the figure shows it: a value (or projection) against its target."""

    name: str
    value: float
    threshold: float
    direction: str
    status: str
    ok: bool
    low: float = math.nan  # the look-ahead's interval at the horizon (NaN: none)
    high: float = math.nan


@dataclass(frozen=True)
class SitrepFigureData:
    """Everything the figure draws, as plain data.

    Attributes:
        title: Figure title.
        start_date: Date of day 0.
        turn_first_day, turn_end_day: The current turn's days ``[first, end)``.
        turn_days: Days per turn (for the faint turn boundaries).
        series: Daily series by name (the ledger's columns), each covering days ``0 .. turn_end_day - 1``.
        stock_days: Days at whose start interceptor stocks were taken (day 0, then the end of every day so far).
        stock_by_interceptor: Stock of each interceptor at those days (all holders together).
        objectives: The objectives' bars.
    """

    title: str
    start_date: dt.date
    turn_first_day: int
    turn_end_day: int
    turn_days: int
    series: Mapping[str, NDArray[np.float64]]
    stock_days: Sequence[int] = ()
    stock_by_interceptor: Mapping[str, Sequence[float]] = field(default_factory=dict)
    objectives: Sequence[ObjectiveBar] = field(default_factory=list)


def _dates(start: dt.date, days: int) -> NDArray[np.datetime64]:
    return np.datetime64(start, "D") + np.arange(days).astype("timedelta64[D]")


def _frame(axes: Axes, data: SitrepFigureData, dates: NDArray[np.datetime64]) -> None:
    """Shade the current turn, mark turn boundaries and label the x axis with dates."""
    if len(dates) == 0:
        return
    start = np.datetime64(data.start_date, "D")

    def x(day: int) -> float:
        return float(mdates.date2num(start + np.timedelta64(day, "D")))

    axes.axvspan(x(data.turn_first_day), x(data.turn_end_day), color=TURN_SHADE, zorder=0)
    for boundary in range(data.turn_days, data.turn_end_day, data.turn_days):
        axes.axvline(x(boundary), color="#dddddd", linewidth=0.6, zorder=0)
    axes.set_xlim(x(0), x(max(data.turn_end_day, 1)))
    axes.xaxis_date()
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.tick_params(axis="x", labelrotation=30, labelsize=7)
    axes.tick_params(axis="y", labelsize=7)


def _raids(axes: Axes, data: SitrepFigureData, dates: NDArray[np.datetime64]) -> None:
    killed = data.series.get("ukraine_killed", np.zeros(len(dates)))
    leaked = data.series.get("ukraine_leakers", np.zeros(len(dates)))
    axes.bar(dates, killed, width=1.0, align="edge", color=INTERCEPTED_COLOUR, label="intercepted")
    axes.bar(dates, leaked, width=1.0, align="edge", bottom=killed, color=LEAKED_COLOUR, label="got through")
    axes.set_title("Raids on Ukraine (threats a night)", fontsize=9)
    axes.legend(fontsize=7, loc="upper left")
    _frame(axes, data, dates)


def _nato(axes: Axes, data: SitrepFigureData, dates: NDArray[np.datetime64]) -> None:
    killed = data.series.get("nato_killed", np.zeros(len(dates)))
    leaked = data.series.get("nato_leakers", np.zeros(len(dates)))
    axes.bar(dates, killed, width=1.0, align="edge", color=INTERCEPTED_COLOUR, label="intercepted")
    axes.bar(dates, leaked, width=1.0, align="edge", bottom=killed, color=LEAKED_COLOUR, label="got through")
    axes.set_title("NATO airspace: threats a night, airport closures", fontsize=9)
    closure = data.series.get("airport_closure_hours")
    if closure is not None and len(closure):
        twin = axes.twinx()
        ends = dates + np.timedelta64(1, "D")  # closures are booked by the end of their day
        twin.step(ends, np.cumsum(closure), where="pre", color="#555555", linewidth=1.2, label="closure h (total)")
        twin.tick_params(axis="y", labelsize=7)
        twin.set_ylim(bottom=0, top=max(1.0, float(np.sum(closure))) * 1.35)
        twin.legend(fontsize=7, loc="upper right", framealpha=0.9)
    axes.legend(fontsize=7, loc="upper left")
    _frame(axes, data, dates)


def _stocks(axes: Axes, data: SitrepFigureData, dates: NDArray[np.datetime64]) -> None:
    start = np.datetime64(data.start_date, "D")
    days = np.asarray(data.stock_days, dtype=np.int64)
    lines = {
        name: np.asarray(values, dtype=np.float64)
        for name, values in data.stock_by_interceptor.items()
        if len(values) and values[0] > 0
    }
    # The interceptors whose stock fell furthest are the ones to watch.
    ranked = sorted(lines, key=lambda name: (lines[name][-1] / lines[name][0], name))[:MAX_STOCK_LINES]
    for name in ranked:
        axes.step(
            start + days.astype("timedelta64[D]"),
            100.0 * lines[name] / lines[name][0],
            where="post",
            linewidth=1.2,
            label=name,
        )
    empty = data.series.get("empty_magazine_regions")
    if empty is not None and empty.any():
        dry_days = dates[empty > 0]
        axes.scatter(dry_days, np.zeros(len(dry_days)), marker="|", color=WARN_COLOUR, s=80, label="a layer ran dry")
    axes.set_title("Costly interceptors held, % of the start (all holders)", fontsize=9)
    axes.set_ylim(bottom=0, top=max(110.0, *(100.0 * v.max() / v[0] * 1.05 for v in lines.values())) if lines else 110)
    if ranked or (empty is not None and empty.any()):
        axes.legend(fontsize=7, loc="lower left", ncol=2)
    _frame(axes, data, dates)


def _objectives(axes: Axes, data: SitrepFigureData) -> None:
    axes.set_title("Objectives: value (projected to the horizon, with its interval) ÷ target", fontsize=9)
    bars = list(data.objectives)
    if not bars:
        axes.text(0.5, 0.5, "no objectives in the scenario", ha="center", va="center", fontsize=8)
        axes.set_axis_off()
        return
    ratios = []
    for bar in bars:
        if math.isnan(bar.value) or bar.threshold == 0:
            ratios.append(0.0 if math.isnan(bar.value) else (1.0 if bar.ok else 2.0))
        else:
            ratios.append(bar.value / bar.threshold)
    positions = np.arange(len(bars))
    colours = [OK_COLOUR if bar.ok else WARN_COLOUR for bar in bars]
    shown = np.minimum(ratios, 3.0)
    axes.barh(positions, shown, color=colours, height=0.6)
    axes.axvline(1.0, color="black", linewidth=1.0)
    axes.set_yticks(positions, [f"{bar.name} ({bar.direction})" for bar in bars], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, max(1.3, float(shown.max()) * 1.15))
    label_at = list(shown)
    for position, bar in enumerate(bars):  # the look-ahead's interval, where there is one
        if bar.threshold and not (math.isnan(bar.low) or math.isnan(bar.high)):
            low, high = min(bar.low / bar.threshold, 3.0), min(bar.high / bar.threshold, 3.0)
            axes.plot([low, high], [position, position], color="black", linewidth=1.2)
            axes.set_xlim(0, max(axes.get_xlim()[1], high * 1.15))
            label_at[position] = max(label_at[position], high)
    for position, (bar, value) in enumerate(zip(bars, label_at, strict=True)):
        axes.text(value + 0.02, position, bar.status, va="center", fontsize=7)
    axes.tick_params(axis="x", labelsize=7)


def save_sitrep_figure(data: SitrepFigureData, path: Path) -> Path:
    """Draw the situation-report figure and save it as a PNG.

    Args:
        data: What to draw.
        path: The file to write (its folder must exist).

    Returns:
        ``path``.
    """
    days = max(data.turn_end_day, 0)
    dates = _dates(data.start_date, days)
    figure = Figure(figsize=(11, 7), layout="constrained")
    grid = figure.subplots(2, 2)
    _raids(grid[0, 0], data, dates)
    _nato(grid[0, 1], data, dates)
    _stocks(grid[1, 0], data, dates)
    _objectives(grid[1, 1], data)
    figure.suptitle(data.title, fontsize=11)
    figure.savefig(path, dpi=90)
    return path
