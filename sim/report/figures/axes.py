"""What every figure's axes share: panel grids, short tick labels (k/M/bn), calendar ticks, percent axes, "no data".

Also :func:`figure_has_nan`, the check that a figure draws no undefined value (tests call it on every figure).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from sim.report import style


def compact_number(value: float, _position: object = None) -> str:
    """A tick label that stays short: ``1,250`` → ``1.2k``, ``2,400,000`` → ``2.4M``."""
    magnitude = abs(value)
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if magnitude >= size:
            scaled = value / size
            return f"{scaled:.0f}{suffix}" if abs(scaled) >= 10 else f"{scaled:.1f}{suffix}".replace(".0", "")
    if magnitude >= 10 or magnitude == 0:
        return f"{value:.0f}"
    return f"{value:.2g}"


class CompactFormatter(ticker.Formatter):
    """Tick labels with k/M/bn suffixes and just enough decimals to tell neighbouring ticks apart."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return compact_number(x)

    def format_ticks(self, values: Sequence[float] | np.ndarray) -> list[str]:
        """Label all ticks of an axis at once: the same suffix, and the fewest decimals that show every tick exactly."""
        values = [float(value) for value in values]
        if not values:
            return []
        largest = max(abs(value) for value in values)
        size, suffix = next(((size, suffix) for size, suffix in _SUFFIXES if largest >= 10 * size), (1.0, ""))
        scaled = [value / size for value in values]
        for decimals in range(0, 4):
            exact = all(abs(value - round(value, decimals)) <= 1e-9 * max(1.0, abs(value)) for value in scaled)
            labels = ["0" if value == 0 else f"{value:,.{decimals}f}{suffix}".replace("-", "−") for value in scaled]
            if exact and len(set(labels)) == len(labels):
                return labels
        for digits in range(
            4, 10
        ):  # ticks closer than three decimals show: as many significant digits as tell them apart
            labels = [f"{value:.{digits}g}".replace("-", "−") for value in values]
            if len(set(labels)) == len(labels):
                return labels
        return labels


_SUFFIXES = ((1e9, "bn"), (1e6, "M"), (1e3, "k"))


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def grid_shape(count: int, columns: int) -> tuple[int, int]:
    columns = max(1, min(columns, count))
    return math.ceil(count / columns), columns


def panels(figure: Figure, count: int, columns: int, *, sharex: bool = False) -> list[Axes]:
    """``count`` axes in a grid of ``columns``; grid cells beyond ``count`` are removed."""
    rows, columns = grid_shape(count, columns)
    axes = figure.subplots(rows, columns, sharex=sharex, squeeze=False).ravel().tolist()
    for extra in axes[count:]:
        figure.delaxes(extra)
    return axes[:count]


def no_data(ax: Axes, text: str = "no data") -> None:
    ax.text(
        0.5,
        0.5,
        text,
        transform=ax.transAxes,
        ha="center",
        va="center",
        color=style.GREY,
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 4},
        zorder=10,
    )


def band_handle() -> Patch:
    return Patch(facecolor=style.GREY, alpha=style.BAND_ALPHA + 0.1, label="90% of replications")


def date_ticks(start_date: dt.date, days: int, max_ticks: int = 7) -> tuple[list[dt.date], list[str]]:
    """Tick dates and labels for a scenario of ``days`` days: weeks for short ones, months for long ones.

    A month's label carries its year on the first tick and wherever the year changes; a week's where it changes.

    Fixed ticks are cheaper to draw than matplotlib's automatic date locator (reports draw many panels).
    """
    end = start_date + dt.timedelta(days=max(days, 1))
    if days <= 75:
        step = 7 * max(1, math.ceil((days // 7 + 1) / max_ticks))
        ticks = [start_date + dt.timedelta(days=offset) for offset in range(0, max(days, 1) + 1, step)]
        return ticks, [
            f"{tick.day} {tick:%b}" + (f" {tick.year}" if index and tick.year != ticks[index - 1].year else "")
            for index, tick in enumerate(ticks)
        ]
    months = []
    year, month = start_date.year, start_date.month
    while dt.date(year, month, 1) <= end:
        if dt.date(year, month, 1) >= start_date:
            months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    every = max(1, math.ceil(len(months) / max_ticks))
    ticks = months[::every]
    labels = [  # the year on the first tick and wherever it changes (not only on January's ticks)
        f"{tick:%b %Y}" if index == 0 or tick.year != ticks[index - 1].year else f"{tick:%b}"
        for index, tick in enumerate(ticks)
    ]
    return ticks, labels


def time_axis(
    ax: Axes, start_date: dt.date | None, *, label: bool, days: int | None = None, max_ticks: int = 7
) -> None:
    if start_date is not None and days is not None:
        ticks, labels = date_ticks(start_date, days, max_ticks)
        ax.xaxis.set_major_locator(ticker.FixedLocator(mdates.date2num(ticks)))
        ax.xaxis.set_major_formatter(ticker.FixedFormatter(labels))
    elif start_date is not None:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator, show_offset=False))
    if label:
        ax.set_xlabel("date" if start_date is not None else "day of the scenario (days)")


def percent_axis(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(ticker.PercentFormatter(xmax=100, decimals=None))


def point_labels(points: Sequence[int], labels: Mapping[int, str] | None) -> dict[int, str]:
    if labels is None:
        return {point: ("all replications" if len(points) == 1 else f"point {point}") for point in points}
    return {point: labels.get(point, f"point {point}") for point in points}


# ----------------------------------------------------------------------------------------------------------------


def figure_has_nan(figure: Figure) -> bool:
    """Whether any line or scatter of a figure holds a NaN coordinate (reports must not draw any)."""
    for ax in figure.axes:
        for line in ax.get_lines():
            xdata = np.asarray(line.get_xdata())
            ydata = np.asarray(line.get_ydata(), dtype=float)
            if np.isnan(ydata).any() or (xdata.dtype.kind == "f" and np.isnan(xdata).any()):
                return True
        for collection in ax.collections:
            offsets = np.asarray(collection.get_offsets(), dtype=float)
            if offsets.size and np.isnan(offsets).any():
                return True
    return False
