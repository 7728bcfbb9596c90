"""The report's figures: one function per figure, each built from plain DataFrames and returned for inspection.

Every function takes the tables a run folder holds (per-replication metrics, the long daily time series, a
comparison table, sweep points and indices) and returns a :class:`matplotlib.figure.Figure` drawn in the
report style (:mod:`sim.report.style`); nothing is written until :func:`save_figure`. Tests open the returned
figure and check its panels, lines, bands and labels.

Conventions shared by all figures:

* A line is the **mean over replications**; the shaded band around it holds **90% of the replications**
  (5th to 95th percentile, day by day). With one scenario, lines are series (e.g. orders and deliveries);
  with several scenarios (a comparison), lines are scenarios and each series gets its own panel.
* Every axis says what it measures and its unit; shares are drawn in percent, differences of shares in
  percentage points.
* Time runs in calendar dates when the scenario's start date is known, otherwise in days.
"""

from __future__ import annotations

import datetime as dt
import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from matplotlib import dates as mdates
from matplotlib import ticker
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.report import style

Aggregation = Literal["daily", "cumulative", "weekly"]

DAY_COLUMNS = ("point", "replication", "day")

HEADLINE_METRICS: tuple[str, ...] = (
    "ukraine_drone_intercept_rate",
    "ukraine_leakers",
    "nato_leakers",
    "damage_meur",
    "value_protected_meur",
    "interceptor_spend_meur",
    "cost_exchange_ratio",
    "ukraine_empty_magazine_days",
    "airport_closure_hours",
)
"""Metrics whose distributions and differences a report shows first (objectives' metrics are added)."""

BAND_NOTE = "Line: mean over replications; shaded: 90% of replications (5th–95th percentile)."
"""How to read a band figure; captions repeat it."""


@dataclass(frozen=True)
class SeriesSpec:
    """One daily series drawn in a figure: its column in the time series and how it is labelled."""

    column: str
    label: str


@dataclass(frozen=True)
class SweepParameter:
    """A parameter a sweep varied, with the range it was varied over."""

    name: str
    low: float
    high: float


@dataclass(frozen=True)
class FigureFiles:
    """A figure saved as PNG (for the HTML report) and SVG (for print and slides)."""

    png: Path
    svg: Path


# ----------------------------------------------------------------------------------------------------------------
# Saving and small helpers
# ----------------------------------------------------------------------------------------------------------------


def save_figure(figure: Figure, directory: Path, stem: str) -> FigureFiles:
    """Write a figure as ``<stem>.png`` and ``<stem>.svg`` in ``directory`` (created if missing).

    Args:
        figure: The figure to save.
        directory: The folder to write into.
        stem: The file name without suffix.

    Returns:
        The paths of both files.
    """
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{stem}.png", directory / f"{stem}.svg"
    buffer = io.BytesIO()
    with style.style_context():
        figure.savefig(buffer, format="png")
        figure.savefig(svg, format="svg", metadata={"Date": None})
    png.write_bytes(_small_png(buffer.getvalue()))
    return FigureFiles(png, svg)


def _small_png(data: bytes) -> bytes:
    """The same picture in a 256-colour palette: about a third of the bytes, no visible change for charts."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        palette.save(out, format="PNG", optimize=True)
    return out.getvalue()


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
        return [f"{value:.4g}" for value in values]


_SUFFIXES = ((1e9, "bn"), (1e6, "M"), (1e3, "k"))


def _new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def _grid(count: int, columns: int) -> tuple[int, int]:
    columns = max(1, min(columns, count))
    return math.ceil(count / columns), columns


def _panels(figure: Figure, count: int, columns: int, *, sharex: bool = False) -> list[Axes]:
    """``count`` axes in a grid of ``columns``; grid cells beyond ``count`` are removed."""
    rows, columns = _grid(count, columns)
    axes = figure.subplots(rows, columns, sharex=sharex, squeeze=False).ravel().tolist()
    for extra in axes[count:]:
        figure.delaxes(extra)
    return axes[:count]


def _no_data(ax: Axes, text: str = "no data") -> None:
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


def _band_handle() -> Patch:
    return Patch(facecolor=style.GREY, alpha=style.BAND_ALPHA + 0.1, label="90% of replications")


def date_ticks(start_date: dt.date, days: int, max_ticks: int = 7) -> tuple[list[dt.date], list[str]]:
    """Tick dates and labels for a scenario of ``days`` days: weeks for short ones, months for long ones.

    Fixed ticks are cheaper to draw than matplotlib's automatic date locator (reports draw many panels).
    """
    end = start_date + dt.timedelta(days=max(days, 1))
    if days <= 75:
        step = 7 * max(1, math.ceil((days // 7 + 1) / max_ticks))
        ticks = [start_date + dt.timedelta(days=offset) for offset in range(0, max(days, 1) + 1, step)]
        return ticks, [f"{tick.day} {tick:%b}" for tick in ticks]
    months = []
    year, month = start_date.year, start_date.month
    while dt.date(year, month, 1) <= end:
        if dt.date(year, month, 1) >= start_date:
            months.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    every = max(1, math.ceil(len(months) / max_ticks))
    ticks = months[::every]
    labels = [f"{tick:%b %Y}" if index == 0 or tick.month == 1 else f"{tick:%b}" for index, tick in enumerate(ticks)]
    return ticks, labels


def _time_axis(
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


def _percent_axis(ax: Axes, axis: Literal["x", "y"] = "y") -> None:
    target = ax.yaxis if axis == "y" else ax.xaxis
    target.set_major_formatter(ticker.PercentFormatter(xmax=100, decimals=None))


def _labels_for(points: Sequence[int], labels: Mapping[int, str] | None) -> dict[int, str]:
    if labels is None:
        return {point: ("all replications" if len(points) == 1 else f"point {point}") for point in points}
    return {point: labels.get(point, f"point {point}") for point in points}


# ----------------------------------------------------------------------------------------------------------------
# Time series with 90% bands
# ----------------------------------------------------------------------------------------------------------------


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


def band(values: pd.DataFrame, level: float = style.BAND_LEVEL) -> pd.DataFrame:
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


MAX_POINTS = 150
"""Daily lines longer than this are drawn through every k-th day (and the last): the same picture, smaller files."""


def thin(bands: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """Every k-th row of one point's band (and its last row) so that at most about ``max_points`` remain."""
    if len(bands) <= max_points:
        return bands
    step = math.ceil(len(bands) / max_points)
    keep = np.zeros(len(bands), dtype=bool)
    keep[::step] = True
    keep[-1] = True
    return bands[keep]


def _line_minimum(line: Line2D) -> float:
    values = np.asarray(line.get_ydata(), dtype=float)
    return float(np.nanmin(values)) if values.size else 0.0


def _x(steps: pd.Series, start_date: dt.date | None) -> np.ndarray:
    if start_date is None:
        return steps.to_numpy()
    return (pd.Timestamp(start_date) + pd.to_timedelta(steps.to_numpy(), unit="D")).to_numpy()


def _draw_band(
    ax: Axes,
    bands: pd.DataFrame,
    start_date: dt.date | None,
    colour: str,
    style_: style.LineStyle,
    label: str,
    scale: float,
    marker: str | None = None,
    alpha: float = style.BAND_ALPHA,
    linewidth: float | None = None,
) -> None:
    bands = thin(bands)
    x = _x(bands["step"], start_date)
    ax.fill_between(
        x,
        bands["low"].to_numpy() * scale,
        bands["high"].to_numpy() * scale,
        color=colour,
        alpha=alpha,
        linewidth=0,
    )
    ax.plot(
        x,
        bands["mean"].to_numpy() * scale,
        color=colour,
        linestyle=style_,
        label=label,
        marker=marker,
        linewidth=linewidth,
    )


@style.styled
def timeseries_figure(
    timeseries: pd.DataFrame,
    series: Sequence[SeriesSpec],
    *,
    title: str,
    ylabel: str,
    how: Aggregation = "daily",
    labels: Mapping[int, str] | None = None,
    start_date: dt.date | None = None,
    percent: bool = False,
    panel_per_series: bool | None = None,
    columns: int = 3,
) -> Figure:
    """Daily series as lines (mean over replications) with 90% bands.

    With one point (a run), all series share one panel unless ``panel_per_series``; with several points (a
    comparison), each series gets a panel and each point a line.

    Args:
        timeseries: Long daily series of one or more points.
        series: The series to draw.
        title: The figure's title.
        ylabel: The y-axis label, with its unit.
        how: ``daily``, ``cumulative`` or ``weekly`` (see :func:`per_replication_values`).
        labels: Names of the points (scenario labels); default "all replications".
        start_date: Day 0 as a date, for a calendar axis.
        percent: Values are shares: draw them in percent.
        panel_per_series: Force one panel per series (default: only with several points).
        columns: Panels per row.

    Returns:
        The figure.
    """
    points = sorted(int(point) for point in timeseries["point"].unique())
    names = _labels_for(points, labels)
    split = panel_per_series if panel_per_series is not None else len(points) > 1
    scale = 100.0 if percent else 1.0
    panel_series: list[list[SeriesSpec]] = [[spec] for spec in series] if split else [list(series)]
    rows, columns = _grid(len(panel_series), columns)
    width = {1: 11.0, 2: 14.0}.get(columns, 16.0)
    figure = _new_figure(width, 4.8 * rows + 1.2)
    axes = _panels(figure, len(panel_series), columns, sharex=True)
    for ax, specs in zip(axes, panel_series, strict=True):
        drawn = 0
        for series_index, spec in enumerate(specs):
            bands = band(per_replication_values(timeseries, spec.column, how))
            for point_index, point in enumerate(points):
                rows = bands[bands["point"] == point]
                if rows.empty:
                    continue
                index = point_index if len(points) > 1 else series_index
                single = "mean over replications" if split else spec.label
                label = names[point] if len(points) > 1 else single
                marker = style.marker(index) if how == "weekly" and len(rows) <= 20 else None
                line = style.scenario_line_style(index) if len(points) > 1 else style.line_style(index)
                alpha = style.BAND_ALPHA if len(points) == 1 else style.BAND_ALPHA / 2
                line_width = style.scenario_line_width(point_index) if len(points) > 1 else None
                _draw_band(ax, rows, start_date, style.colour(index), line, label, scale, marker, alpha, line_width)
                drawn += 1
        if drawn == 0:
            _no_data(ax)
        if split and len(panel_series) > 1:
            ax.set_title(specs[0].label)
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(CompactFormatter())
        if percent:
            _percent_axis(ax)
        days = int(timeseries["day"].max()) if len(timeseries) else 0
        _time_axis(ax, start_date, label=True, days=days, max_ticks=7 if len(panel_series) == 1 else 5)
        if drawn and min(_line_minimum(line) for line in ax.get_lines()) >= 0:
            ax.set_ylim(bottom=0.0)  # amounts and totals are read against zero
        if percent:
            ax.set_ylim(0.0, max(100.0, ax.get_ylim()[1]))
    handles, texts = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(
            [*handles, _band_handle()],
            [*texts, "shaded: 90% of replications"],
            loc="outside lower center",
            ncols=min(len(handles) + 1, 4),
        )
    figure.suptitle(title)
    return figure


@style.styled
def stocks_figure(
    timeseries: pd.DataFrame,
    regions: Sequence[str],
    *,
    region_titles: Mapping[str, str] | None = None,
    ukraine_regions: Sequence[str] = (),
    labels: Mapping[int, str] | None = None,
    start_date: dt.date | None = None,
    columns: int = 4,
) -> Figure:
    """Interceptors on hand in each region over time: one small panel per region, each with its own scale.

    Args:
        timeseries: Long daily series with a ``stock.<region>`` column per region.
        regions: The regions to draw, in order (member states first, then Ukraine's regions).
        region_titles: Panel titles by region (default: the region's name).
        ukraine_regions: Regions that are Ukraine's (drawn in Ukraine's colour in a single-scenario figure).
        labels: Names of the points (scenario labels).
        start_date: Day 0 as a date.
        columns: Panels per row.

    Returns:
        The figure: one panel per region with one line and band per point.
    """
    points = sorted(int(point) for point in timeseries["point"].unique())
    names = _labels_for(points, labels)
    shown = [region for region in regions if f"stock.{region}" in timeseries.columns]
    rows, _ = _grid(len(shown), columns)
    height = 2.7 * rows + 1.4
    # Many panels: fixed margins (in inches) instead of the constrained layout, which costs seconds per save.
    figure = Figure(figsize=(15, height))
    figure.subplots_adjust(
        left=0.085, right=0.99, top=1 - 0.75 / height, bottom=1.05 / height, hspace=0.42, wspace=0.28
    )
    axes = _panels(figure, max(1, len(shown)), columns, sharex=True)
    ukraine = set(ukraine_regions)
    for index, (ax, region) in enumerate(zip(axes, shown, strict=False)):
        bands = band(per_replication_values(timeseries, f"stock.{region}"))
        for point_index, point in enumerate(points):
            rows_of_point = bands[bands["point"] == point]
            if len(points) == 1:
                colour = style.UKRAINE_COLOUR if region in ukraine else style.NATO_COLOUR
            else:
                colour = style.colour(point_index)
            line = style.scenario_line_style(point_index) if len(points) > 1 else "-"
            alpha = style.BAND_ALPHA if len(points) == 1 else style.BAND_ALPHA / 2
            line_width = style.scenario_line_width(point_index) if len(points) > 1 else None
            _draw_band(
                ax, rows_of_point, start_date, colour, line, names[point], 1.0, alpha=alpha, linewidth=line_width
            )
        ax.set_title((region_titles or {}).get(region, region), fontsize=13)
        ax.yaxis.set_major_formatter(CompactFormatter())
        ax.set_ylim(bottom=0)
        first_column = index % columns == 0
        last_row = index >= len(shown) - columns
        if first_column:
            ax.set_ylabel("interceptors\n(rounds)")
        days = int(timeseries["day"].max()) if len(timeseries) else 0
        _time_axis(ax, start_date, label=last_row, days=days, max_ticks=4)
    if not shown:
        _no_data(axes[0], "no interceptor stocks recorded")
    handles: list[Line2D | Patch]
    if len(points) == 1:
        handles = [
            Line2D([], [], color=style.NATO_COLOUR, label="member state (NATO territory)"),
            Line2D([], [], color=style.UKRAINE_COLOUR, label="Ukraine's region"),
        ]
    else:
        handles = [
            Line2D([], [], color=style.colour(i), linestyle=style.scenario_line_style(i), label=names[point])
            for i, point in enumerate(points)
        ]
    handles.append(_band_handle())
    figure.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncols=min(len(handles), 4))
    figure.suptitle("Interceptors on hand by region (each panel has its own scale)", y=1 - 0.2 / height)
    return figure


def leakers_figure(
    timeseries: pd.DataFrame, *, labels: Mapping[int, str] | None = None, start_date: dt.date | None = None
) -> Figure:
    """Leakers per week on Ukraine and on NATO territory (two panels, each its own scale)."""
    return timeseries_figure(
        timeseries,
        [SeriesSpec("ukraine_leakers", "Ukraine"), SeriesSpec("nato_leakers", "NATO territory")],
        title="Threats that got through, per week",
        ylabel="leakers per week (threats)",
        how="weekly",
        labels=labels,
        start_date=start_date,
        panel_per_series=True,
    )


def spend_figure(
    timeseries: pd.DataFrame, *, labels: Mapping[int, str] | None = None, start_date: dt.date | None = None
) -> Figure:
    """Cumulative money: interceptors fired, orders placed, and what the adversary's launches cost it."""
    return timeseries_figure(
        timeseries,
        [
            SeriesSpec("interceptor_spend_meur", "interceptors fired"),
            SeriesSpec("procurement_spend_meur", "orders placed (procurement)"),
            SeriesSpec("attacker_cost_meur", "adversary's launches"),
        ],
        title="Cumulative spend",
        ylabel="cumulative spend (€ million)",
        how="cumulative",
        labels=labels,
        start_date=start_date,
    )


def orders_deliveries_figure(
    timeseries: pd.DataFrame, *, labels: Mapping[int, str] | None = None, start_date: dt.date | None = None
) -> Figure:
    """Cumulative units ordered against units delivered: the gap is the industrial queue."""
    return timeseries_figure(
        timeseries,
        [SeriesSpec("orders_units", "ordered"), SeriesSpec("deliveries_units", "delivered")],
        title="Orders and deliveries (fire units and interceptors)",
        ylabel="cumulative units (units)",
        how="cumulative",
        labels=labels,
        start_date=start_date,
    )


def capability_figure(
    timeseries: pd.DataFrame, *, labels: Mapping[int, str] | None = None, start_date: dt.date | None = None
) -> Figure:
    """NATO capability-target fulfilment over time (mean over targets of min(1, held ÷ target))."""
    return timeseries_figure(
        timeseries,
        [SeriesSpec("capability_target_fulfilment", "capability-target fulfilment")],
        title="NATO capability-target fulfilment",
        ylabel="targets fulfilled (%)",
        labels=labels,
        start_date=start_date,
        percent=True,
    )


# ----------------------------------------------------------------------------------------------------------------
# Distributions of outcome metrics and objectives
# ----------------------------------------------------------------------------------------------------------------


@style.styled
def distributions_figure(
    metrics: pd.DataFrame,
    names: Sequence[str],
    *,
    labels: Mapping[int, str] | None = None,
    columns: int = 3,
    level: float = style.BAND_LEVEL,
) -> Figure:
    """Each metric's values over the replications: one dot per replication, the mean and the 90% range.

    Args:
        metrics: One row per replication (a ``point`` column and one column per metric).
        names: The metrics to draw, one panel each.
        labels: Names of the points (with several, each gets a row in every panel).
        columns: Panels per row.
        level: Coverage of the drawn range (0.90: 5th to 95th percentile).

    Returns:
        The figure.
    """
    shown = [name for name in names if name in metrics.columns]
    frame = metrics if "point" in metrics.columns else metrics.assign(point=0)
    points = sorted(int(point) for point in frame["point"].unique())
    point_names = _labels_for(points, labels)
    rows, _ = _grid(max(1, len(shown)), columns)
    height_per_row = 1.2 + 0.45 * len(points)
    figure = _new_figure(15, height_per_row * rows + 1.6 + 0.8 * rows)
    axes = _panels(figure, max(1, len(shown)), columns)
    rng = np.random.default_rng(0)
    tail = (1.0 - level) / 2.0
    for panel, (ax, name) in enumerate(zip(axes, shown, strict=False)):
        scale = 100.0 if style.is_share(name) else 1.0
        drawn = 0
        for row, point in enumerate(points):
            values = frame.loc[frame["point"] == point, name].to_numpy(dtype=float) * scale
            values = values[np.isfinite(values)]
            if values.size == 0:
                continue
            y = len(points) - 1 - row
            index = row if len(points) > 1 else 0
            jitter = rng.uniform(-0.18, 0.18, values.size)
            ax.scatter(values, y + jitter, s=26, color=style.colour(index), alpha=0.55, linewidths=0, zorder=2)
            low, high = np.quantile(values, [tail, 1.0 - tail])
            ax.plot([low, high], [y, y], color=style.BLACK, linewidth=2.0, zorder=3, solid_capstyle="butt")
            ax.plot([values.mean()], [y], marker="|", markersize=22, markeredgewidth=3, color=style.BLACK, zorder=4)
            drawn += 1
        ax.set_title(style.metric_label(name))
        ax.set_xlabel(style.axis_label("value", style.metric_unit(name)))
        ax.set_ylim(-0.6, len(points) - 0.4)
        ax.grid(axis="y", visible=False)
        if len(points) > 1 and panel % columns == 0:
            ax.set_yticks(range(len(points)), [point_names[p] for p in reversed(points)])
        else:
            ax.set_yticks([])
        if scale != 1.0:
            _percent_axis(ax, "x")
        else:
            ax.xaxis.set_major_formatter(CompactFormatter())
        ax.xaxis.set_major_locator(ticker.MaxNLocator(5))
        if drawn == 0:
            _no_data(ax, "undefined in every replication")
    if not shown:
        _no_data(axes[0], "no metrics")
    handles = [
        Line2D([], [], marker="o", linestyle="", color=style.colour(0), alpha=0.6, label="one replication"),
        Line2D([], [], marker="|", markersize=16, markeredgewidth=3, linestyle="", color=style.BLACK, label="mean"),
        Line2D([], [], color=style.BLACK, linewidth=2, label="90% of replications"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    figure.suptitle("Outcomes over the replications")
    return figure


@style.styled
def objectives_figure(objectives: pd.DataFrame, *, labels: Sequence[str] | None = None) -> Figure:
    """The probability that each objective is met, with its 90% (Wilson) interval.

    Args:
        objectives: One row per objective (and scenario): ``name``, ``probability``, ``low``, ``high`` and,
            for a comparison, ``scenario``.
        labels: Scenario order (default: order of appearance).

    Returns:
        The figure: one panel; one row per objective, one marker per scenario.
    """
    frame = objectives.copy()
    if "scenario" not in frame.columns:
        frame["scenario"] = ""
    scenarios = list(labels) if labels is not None else list(dict.fromkeys(frame["scenario"]))
    names = list(dict.fromkeys(frame["name"]))
    figure = _new_figure(11, 1.6 + 0.55 * max(1, len(names)) * max(1, min(len(scenarios), 3)) ** 0.5 + 0.8)
    ax = figure.subplots()
    offsets = np.linspace(-0.25, 0.25, len(scenarios)) if len(scenarios) > 1 else np.zeros(1)
    for index, scenario in enumerate(scenarios):
        rows = frame[frame["scenario"] == scenario].set_index("name")
        labelled = False
        for position, name in enumerate(names):
            if name not in rows.index:
                continue
            row = rows.loc[name]
            probability = float(row["probability"])
            if not math.isfinite(probability):
                continue
            y = len(names) - 1 - position + offsets[index]
            low, high = float(row["low"]), float(row["high"])
            ax.plot([low * 100, high * 100], [y, y], color=style.colour(index), linewidth=2.5)
            ax.plot(
                [probability * 100],
                [y],
                marker=style.marker(index),
                markersize=10,
                color=style.colour(index),
                linestyle="",
                label=scenario if scenario and not labelled else None,
            )
            labelled = True
    ax.set_yticks(range(len(names)), list(reversed(names)))
    ax.set_xlim(-2, 102)
    ax.set_ylim(-0.7, len(names) - 0.3)
    ax.axvline(50, color=style.GREY, linewidth=1, linestyle=":")
    _percent_axis(ax, "x")
    ax.set_xlabel("probability the objective is met (%), with 90% interval")
    ax.grid(axis="y", visible=False)
    if len(scenarios) > 1:
        figure.legend(loc="outside lower center", ncols=min(len(scenarios), 4))
    figure.suptitle("Objectives: how likely each is met")
    return figure


# ----------------------------------------------------------------------------------------------------------------
# Comparison of scenarios
# ----------------------------------------------------------------------------------------------------------------


def difference_verdict(low: float, high: float, better: str) -> str:
    """Read a paired difference's confidence interval against the metric's better direction.

    Args:
        low: Lower end of the interval of ``scenario − baseline``.
        high: Upper end.
        better: ``higher``, ``lower`` or ``neither``.

    Returns:
        ``better`` or ``worse`` when the interval excludes zero, ``changed`` when it excludes zero for a
        metric where neither direction is better, ``no clear difference`` otherwise (NaN included).
    """
    if not (math.isfinite(low) and math.isfinite(high)) or (low <= 0.0 <= high):
        return "no clear difference"
    higher = low > 0.0
    if better == "neither":
        return "changed"
    return "better" if higher == (better == "higher") else "worse"


_VERDICT_STYLE = {
    "better": (style.BETTER_COLOUR, "o", True),
    "worse": (style.WORSE_COLOUR, "s", True),
    "changed": (style.BLACK, "D", True),
    "no clear difference": (style.UNCLEAR_COLOUR, "o", False),
}


@style.styled
def comparison_figure(
    comparison: pd.DataFrame,
    names: Sequence[str],
    *,
    baseline: str,
    scenarios: Sequence[str] | None = None,
    columns: int = 3,
) -> Figure:
    """Paired differences from the baseline with 90% confidence intervals, one panel per metric.

    Args:
        comparison: Rows of ``scenario, metric, diff_mean, diff_low, diff_high`` (the baseline's rows are
            skipped).
        names: The metrics to draw, one panel each.
        baseline: The baseline scenario's label.
        scenarios: The other scenarios, in order (default: order of appearance).
        columns: Panels per row.

    Returns:
        The figure; markers are coloured by verdict (better / worse / changed / no clear difference).
    """
    frame = comparison[comparison["scenario"] != baseline]
    order = list(scenarios) if scenarios is not None else list(dict.fromkeys(frame["scenario"]))
    order = [scenario for scenario in order if scenario != baseline]
    shown = [name for name in names if name in set(frame["metric"])]
    rows, _ = _grid(max(1, len(shown)), columns)
    figure = _new_figure(15, (1.3 + 0.5 * max(1, len(order))) * rows + 2.0)
    axes = _panels(figure, max(1, len(shown)), columns)
    verdicts_seen: dict[str, None] = {}
    for panel, (ax, name) in enumerate(zip(axes, shown, strict=False)):
        share = style.is_share(name)
        scale = 100.0 if share else 1.0
        better = style.better_direction(name)
        metric_rows = frame[frame["metric"] == name].set_index("scenario")
        for position, scenario in enumerate(order):
            if scenario not in metric_rows.index:
                continue
            row = metric_rows.loc[scenario]
            mean, low, high = (float(row[column]) for column in ("diff_mean", "diff_low", "diff_high"))
            if not math.isfinite(mean):
                continue
            verdict = difference_verdict(low, high, better)
            verdicts_seen[verdict] = None
            colour, shape, filled = _VERDICT_STYLE[verdict]
            y = len(order) - 1 - position
            if math.isfinite(low) and math.isfinite(high):
                ax.plot(
                    [low * scale, high * scale],
                    [y, y],
                    color=colour,
                    linewidth=2.5,
                    solid_capstyle="butt",
                    gid=f"interval-{scenario}",
                )
            ax.plot(
                [mean * scale],
                [y],
                marker=shape,
                markersize=10,
                linestyle="",
                color=colour,
                markerfacecolor=colour if filled else "white",
                markeredgewidth=2,
                gid=f"difference-{scenario}",
            )
        ax.axvline(0.0, color=style.BLACK, linewidth=1.2)
        direction = {"higher": "higher is better", "lower": "lower is better"}.get(better, "neither is better")
        ax.set_title(f"{style.metric_label(name)}\n({direction})", fontsize=13)
        unit = "percentage points" if share else style.unit_label(style.metric_unit(name))
        ax.set_xlabel(f"difference from {baseline}" + (f" ({unit})" if unit else ""))
        ax.xaxis.set_major_formatter(CompactFormatter())
        ax.xaxis.set_major_locator(ticker.MaxNLocator(5, symmetric=False))
        ax.set_ylim(-0.6, len(order) - 0.4)
        ax.grid(axis="y", visible=False)
        if panel % columns == 0:
            ax.set_yticks(range(len(order)), list(reversed(order)))
        else:
            ax.set_yticks(range(len(order)), [""] * len(order))
    if not shown:
        _no_data(axes[0], "no metrics to compare")
    handles = []
    for verdict in _VERDICT_STYLE:
        if verdict in verdicts_seen:
            colour, shape, filled = _VERDICT_STYLE[verdict]
            handles.append(
                Line2D(
                    [],
                    [],
                    marker=shape,
                    color=colour,
                    markerfacecolor=colour if filled else "white",
                    markeredgewidth=2,
                    linewidth=2.5,
                    label=verdict,
                )
            )
    if handles:
        figure.legend(handles=handles, loc="outside lower center", ncols=len(handles))
    figure.suptitle(f"Difference from {baseline} (paired, same seeds; bars: 90% confidence interval)")
    return figure


# ----------------------------------------------------------------------------------------------------------------
# Sweeps
# ----------------------------------------------------------------------------------------------------------------


def swings(points: pd.DataFrame, parameters: Sequence[SweepParameter], outcome: str) -> pd.DataFrame:
    """How far an outcome moves when each parameter goes from its low to its high end (for a tornado chart).

    A linear model ``outcome ≈ b0 + Σ b_j x_j`` is fitted to the sweep's points (least squares); the outcome
    at the centre of every range is ``centre``, and moving parameter *j* alone to its low or high end gives
    ``at_low`` and ``at_high``. With too few points for the fit (fewer than parameters + 2), each parameter's
    effect is instead the mean outcome over the points in the lowest and highest third of its range.

    Args:
        points: One row per design point with a column per parameter and the outcome (its mean over the
            point's replications).
        parameters: The varied parameters with their ranges.
        outcome: The outcome column.

    Returns:
        Columns ``parameter, low, high, centre, at_low, at_high, swing`` (``swing = |at_high − at_low|``),
        sorted by swing, largest first.
    """
    usable = points.dropna(subset=[outcome, *(parameter.name for parameter in parameters)])
    y = usable[outcome].to_numpy(dtype=float)
    rows = []
    if len(usable) >= len(parameters) + 2:
        x = usable[[parameter.name for parameter in parameters]].to_numpy(dtype=float)
        design = np.column_stack([np.ones(len(usable)), x])
        coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
        middles = np.array([(parameter.low + parameter.high) / 2.0 for parameter in parameters])
        centre = float(coefficients[0] + coefficients[1:] @ middles)
        for index, parameter in enumerate(parameters):
            slope = float(coefficients[index + 1])
            at_low = centre + slope * (parameter.low - middles[index])
            at_high = centre + slope * (parameter.high - middles[index])
            rows.append((parameter.name, parameter.low, parameter.high, centre, at_low, at_high))
    else:
        centre = float(np.mean(y)) if y.size else math.nan
        for parameter in parameters:
            values = usable[parameter.name].to_numpy(dtype=float)
            third = (parameter.high - parameter.low) / 3.0
            low_mask = values <= parameter.low + third
            high_mask = values >= parameter.high - third
            at_low = float(np.mean(y[low_mask])) if low_mask.any() else centre
            at_high = float(np.mean(y[high_mask])) if high_mask.any() else centre
            rows.append((parameter.name, parameter.low, parameter.high, centre, at_low, at_high))
    table = pd.DataFrame(rows, columns=["parameter", "low", "high", "centre", "at_low", "at_high"])
    table["swing"] = (table["at_high"] - table["at_low"]).abs()
    return table.sort_values("swing", ascending=False, kind="mergesort").reset_index(drop=True)


def _format_value(value: float) -> str:
    return compact_number(value) if abs(value) >= 1000 else f"{value:.3g}"


@style.styled
def tornado_figure(
    points: pd.DataFrame, parameters: Sequence[SweepParameter], outcomes: Sequence[str], *, columns: int = 2
) -> Figure:
    """Tornado charts: the outcome's swing as each parameter moves across its range, one panel per outcome.

    Args:
        points: The sweep's points (a column per parameter and per outcome).
        parameters: The varied parameters.
        outcomes: The outcome columns, one panel each.
        columns: Panels per row.

    Returns:
        The figure; in each panel one row per parameter (largest swing on top), a bar to the outcome at the
        parameter's low end and one to its high end, around the outcome at the centre of all ranges.
    """
    shown = [outcome for outcome in outcomes if outcome in points.columns]
    rows, columns = _grid(max(1, len(shown)), columns)
    figure = _new_figure(8 * columns, (1.2 + 0.6 * max(1, len(parameters))) * rows + 1.8)
    axes = _panels(figure, max(1, len(shown)), columns)
    for ax, outcome in zip(axes, shown, strict=False):
        table = swings(points, parameters, outcome)
        scale = 100.0 if style.is_share(outcome) else 1.0
        count = len(table)
        for position, row in enumerate(table.itertuples(index=False)):
            y = count - 1 - position
            centre = row.centre * scale
            ax.barh(y, row.at_low * scale - centre, left=centre, height=0.6, color=style.ORANGE)
            ax.barh(y, row.at_high * scale - centre, left=centre, height=0.6, color=style.BLUE)
        if count:
            ax.axvline(table["centre"].iloc[0] * scale, color=style.BLACK, linewidth=1.2)
        tolerance = 1e-9 * max(1.0, float(table["centre"].abs().max())) if count else 0.0
        if not (table["swing"] > tolerance).any():
            _no_data(ax, "no parameter moves this outcome\n(constant over the design)")
        ax.set_yticks(
            range(count),
            [
                f"{style.short_parameter(row.parameter)}\n{_format_value(row.low)} – {_format_value(row.high)}"
                for row in reversed(list(table.itertuples(index=False)))
            ],
            fontsize=11,
        )
        ax.set_title(style.metric_label(outcome))
        ax.set_xlabel(style.axis_label(style.metric_label(outcome), style.metric_unit(outcome)))
        ax.xaxis.set_major_formatter(CompactFormatter())
        ax.grid(axis="y", visible=False)
    if not shown:
        _no_data(axes[0], "no outcomes")
    handles = [
        Patch(color=style.ORANGE, label="parameter at the low end of its range"),
        Patch(color=style.BLUE, label="parameter at the high end"),
        Line2D([], [], color=style.BLACK, linewidth=1.2, label="all parameters at mid-range"),
    ]
    figure.legend(handles=handles, loc="outside lower center", ncols=3)
    figure.suptitle("What moves the outcome: one parameter at a time across its range")
    return figure


_INDEX_COLUMNS: dict[str, list[tuple[str, str | None, str]]] = {
    "sobol": [("S1", "S1_conf", "first-order index S1"), ("ST", "ST_conf", "total index ST")],
    "morris": [("mu_star", "mu_star_conf", "mean absolute effect μ*"), ("sigma", None, "spread of effects σ")],
    "regression": [("SRC", None, "standardised regression coefficient")],
}


def index_kind(method: str, indices: pd.DataFrame) -> str:
    """Which index columns a sweep's ``indices.csv`` holds: ``sobol``, ``morris`` or ``regression``."""
    if "S1" in indices.columns or "ST" in indices.columns or method == "sobol":
        return "sobol"
    if "mu_star" in indices.columns or method == "morris":
        return "morris"
    return "regression"


@style.styled
def indices_figure(indices: pd.DataFrame, method: str, *, columns: int = 2) -> Figure:
    """Sensitivity indices with their confidence intervals, one panel per outcome.

    Args:
        indices: Rows of ``outcome, parameter`` and the method's columns (``S1, S1_conf, ST, ST_conf``;
            ``mu_star, mu_star_conf, sigma``; or ``SRC``).
        method: The sweep's method (``sobol``, ``morris``, ``lhs``, ``grid``).
        columns: Panels per row.

    Returns:
        The figure: grouped horizontal bars per parameter (most influential on top), error bars where the
        method gives an interval (90%).
    """
    kind = index_kind(method, indices)
    specs = [spec for spec in _INDEX_COLUMNS[kind] if spec[0] in indices.columns]
    outcomes = list(dict.fromkeys(indices["outcome"])) if "outcome" in indices.columns else [""]
    parameters = list(dict.fromkeys(indices["parameter"]))
    rows, columns = _grid(max(1, len(outcomes)), columns)
    figure = _new_figure(8 * columns, (1.2 + 0.6 * max(1, len(parameters))) * rows + 1.8)
    axes = _panels(figure, max(1, len(outcomes)), columns)
    height = 0.8 / max(1, len(specs))
    for ax, outcome in zip(axes, outcomes, strict=False):
        table = indices[indices["outcome"] == outcome] if outcome else indices
        key = specs[0][0] if specs else None
        if key is not None:
            influence = table[key].abs() if kind == "regression" else table[key]
            table = table.assign(_order=influence.to_numpy()).sort_values("_order", ascending=False, kind="mergesort")
        count = len(table)
        for index, (column, conf, label) in enumerate(specs):
            values = table[column].to_numpy(dtype=float)
            errors = table[conf].to_numpy(dtype=float) if conf and conf in table.columns else None
            y = np.arange(count)[::-1] + (len(specs) - 1) / 2 * height - index * height
            ax.barh(
                y,
                np.nan_to_num(values),
                height=height * 0.95,
                color=style.colour(index),
                xerr=None if errors is None else np.nan_to_num(errors),
                error_kw={"elinewidth": 1.6, "capsize": 4, "ecolor": style.BLACK},
                label=label,
            )
        ax.set_yticks(np.arange(count)[::-1], [style.short_parameter(name) for name in table["parameter"]], fontsize=11)
        ax.axvline(0.0, color=style.BLACK, linewidth=1)
        if key is not None and not (table[key].abs() > 0).any():
            _no_data(ax, "no parameter moves this outcome\n(constant over the design)")
        ax.set_title(style.metric_label(outcome) if outcome else "Sensitivity")
        xlabel = {
            "sobol": "share of the outcome's variance (index, 0–1)",
            "morris": "elementary effect (outcome's unit)",
            "regression": "standardised coefficient (−1 to 1)",
        }[kind]
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
    handles, texts = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, texts, loc="outside lower center", ncols=len(handles))
    interval = " (error bars: 90% bootstrap interval)" if any(spec[1] for spec in specs) else ""
    figure.suptitle(f"Sensitivity indices, {kind}{interval}")
    return figure


@style.styled
def sweep_scatter_figure(points: pd.DataFrame, parameters: Sequence[SweepParameter], outcomes: Sequence[str]) -> Figure:
    """Each outcome against each varied parameter: a grid with one row per outcome, one column per parameter.

    Args:
        points: The sweep's points (a column per parameter and per outcome; each outcome value is the mean
            over the point's replications).
        parameters: The varied parameters (columns of the grid).
        outcomes: The outcomes (rows of the grid).

    Returns:
        The figure: a dot per design point and, with ten or more points, a line through the mean outcome in
        five bins of the parameter's range.
    """
    shown = [outcome for outcome in outcomes if outcome in points.columns]
    rows, columns = max(1, len(shown)), max(1, len(parameters))
    figure = _new_figure(min(4.2 * columns + 1, 22), 3.4 * rows + 1.5)
    grid = figure.subplots(rows, columns, squeeze=False, sharey="row")
    for row_index, outcome in enumerate(shown):
        scale = 100.0 if style.is_share(outcome) else 1.0
        for column_index, parameter in enumerate(parameters):
            ax = grid[row_index][column_index]
            data = points[[parameter.name, outcome]].dropna()
            x = data[parameter.name].to_numpy(dtype=float)
            y = data[outcome].to_numpy(dtype=float) * scale
            ax.scatter(x, y, s=22, color=style.colour(row_index), alpha=0.6, linewidths=0)
            if len(x) >= 10 and parameter.high > parameter.low:
                edges = np.linspace(parameter.low, parameter.high, 6)
                which = np.clip(np.digitize(x, edges[1:-1]), 0, 4)
                centres, means = [], []
                for bin_index in range(5):
                    selected = y[which == bin_index]
                    if selected.size:
                        centres.append((edges[bin_index] + edges[bin_index + 1]) / 2)
                        means.append(float(selected.mean()))
                ax.plot(centres, means, color=style.BLACK, linewidth=2)
            if row_index == rows - 1:
                ax.set_xlabel(style.short_parameter(parameter.name), fontsize=11)
            if column_index == 0:
                ax.set_ylabel(style.axis_label(style.metric_label(outcome), style.metric_unit(outcome)), fontsize=11)
            ax.xaxis.set_major_formatter(CompactFormatter())
            ax.xaxis.set_major_locator(ticker.MaxNLocator(4))
            ax.yaxis.set_major_formatter(CompactFormatter())
    if not shown:
        _no_data(grid[0][0], "no outcomes")
    figure.suptitle("Outcome against each varied parameter (dot: one design point; line: binned mean)")
    return figure


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
