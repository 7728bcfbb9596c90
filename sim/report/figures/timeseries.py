"""Figures over time: daily series as the mean over replications with a band holding 90% of them.

With one scenario (a run), lines are series (orders and deliveries, kinds of spend); with several (a comparison),
lines are scenarios and each series gets its own panel. Interceptor stocks get one small panel per region.
The numbers drawn come from :mod:`sim.analysis.timeseries`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.timeseries import Aggregation, band, per_replication_values
from sim.report import style
from sim.report.figures.axes import (
    CompactFormatter,
    band_handle,
    grid_shape,
    new_figure,
    no_data,
    panels,
    percent_axis,
    point_labels,
    time_axis,
)

BAND_NOTE = "Line: mean over replications; shaded: 90% of replications (5th–95th percentile)."
"""How to read a band figure; captions repeat it."""


@dataclass(frozen=True)
class SeriesSpec:
    """One daily series drawn in a figure: its column in the time series and how it is labelled."""

    column: str
    label: str


MAX_POINTS = 300
"""Daily lines longer than this are reduced for drawing (:func:`reduce_for_drawing`), keeping every peak and trough:
the same picture, smaller files (measured: all 1,218 days of 16 regions' stocks for seven scenarios make a 10 MB SVG,
reduced 2.4 MB; every 8th day, which lost troughs, made 1.3 MB). Weekly lines are never reduced."""


def reduce_for_drawing(bands: pd.DataFrame, max_points: int = MAX_POINTS) -> pd.DataFrame:
    """At most about ``max_points`` rows of one point's band, none of its highs or lows lost.

    The rows are cut into runs of consecutive days; of each run the rows holding the lowest and highest mean, the
    lowest ``low`` and the highest ``high`` are kept (in time order, so the line passes through real values only),
    and so are the first and last rows. A one-day spike or a short trough therefore stays in the picture, which
    every k-th day would drop.
    """
    if len(bands) <= max_points:
        return bands
    buckets = max(1, max_points // 4)
    bucket = np.arange(len(bands)) * buckets // len(bands)
    keep = np.zeros(len(bands), dtype=bool)
    keep[[0, -1]] = True
    grouped = pd.DataFrame(
        {
            "bucket": bucket,
            "mean": bands["mean"].to_numpy(),
            "low": bands["low"].to_numpy(),
            "high": bands["high"].to_numpy(),
        }
    ).groupby("bucket")
    for column, pick in (("mean", "idxmin"), ("mean", "idxmax"), ("low", "idxmin"), ("high", "idxmax")):
        keep[getattr(grouped[column], pick)().to_numpy()] = True
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
    reduce: bool = True,
) -> None:
    if reduce:
        bands = reduce_for_drawing(bands)
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
    names = point_labels(points, labels)
    split = panel_per_series if panel_per_series is not None else len(points) > 1
    scale = 100.0 if percent else 1.0
    panel_series: list[list[SeriesSpec]] = [[spec] for spec in series] if split else [list(series)]
    rows, columns = grid_shape(len(panel_series), columns)
    width = {1: 11.0, 2: 14.0}.get(columns, 16.0)
    figure = new_figure(width, 4.8 * rows + 1.2)
    axes = panels(figure, len(panel_series), columns, sharex=True)
    for ax, specs in zip(axes, panel_series, strict=True):
        drawn = 0
        for series_index, spec in enumerate(specs):
            bands = band(per_replication_values(timeseries, spec.column, how), style.BAND_LEVEL)
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
                _draw_band(
                    ax,
                    rows,
                    start_date,
                    style.colour(index),
                    line,
                    label,
                    scale,
                    marker,
                    alpha,
                    line_width,
                    reduce=how != "weekly",  # every whole week is drawn: a week is the unit the reader compares
                )
                drawn += 1
        if drawn == 0:
            no_data(ax)
        if split and len(panel_series) > 1:
            ax.set_title(specs[0].label)
        ax.set_ylabel(ylabel)
        ax.yaxis.set_major_formatter(CompactFormatter())
        if percent:
            percent_axis(ax)
        days = int(timeseries["day"].max()) if len(timeseries) else 0
        time_axis(ax, start_date, label=True, days=days, max_ticks=7 if len(panel_series) == 1 else 5)
        if drawn and min(_line_minimum(line) for line in ax.get_lines()) >= 0:
            ax.set_ylim(bottom=0.0)  # amounts and totals are read against zero
        if percent:
            ax.set_ylim(0.0, max(100.0, ax.get_ylim()[1]))
    handles, texts = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(
            [*handles, band_handle()],
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
    names = point_labels(points, labels)
    shown = [region for region in regions if f"stock.{region}" in timeseries.columns]
    rows, _ = grid_shape(len(shown), columns)
    height = 2.7 * rows + 1.4
    # Many panels: fixed margins (in inches) instead of the constrained layout, which costs seconds per save.
    figure = Figure(figsize=(15, height))
    figure.subplots_adjust(
        left=0.085, right=0.99, top=1 - 0.75 / height, bottom=1.05 / height, hspace=0.42, wspace=0.28
    )
    axes = panels(figure, max(1, len(shown)), columns, sharex=True)
    ukraine = set(ukraine_regions)
    for index, (ax, region) in enumerate(zip(axes, shown, strict=False)):
        bands = band(per_replication_values(timeseries, f"stock.{region}"), style.BAND_LEVEL)
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
        time_axis(ax, start_date, label=last_row, days=days, max_ticks=4)
    if not shown:
        no_data(axes[0], "no interceptor stocks recorded")
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
    handles.append(band_handle())
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
