"""Figures of outcomes over the replications: one dot per replication with its mean and 90% range, and the
probability that each objective is met with its interval.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.report import style
from sim.report.figures.axes import (
    CompactFormatter,
    grid_shape,
    new_figure,
    no_data,
    panels,
    percent_axis,
    point_labels,
)
from sim.report.figures.comparisons import TITLE_WIDTH


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
    point_names = point_labels(points, labels)
    rows, _ = grid_shape(max(1, len(shown)), columns)
    height_per_row = 1.2 + 0.45 * len(points)
    figure = new_figure(15, height_per_row * rows + 1.6 + 0.8 * rows)
    axes = panels(figure, max(1, len(shown)), columns)
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
            ax.scatter(
                values,
                y + jitter,
                s=26,
                color=style.colour(index),
                alpha=0.55,
                linewidths=0,
                zorder=2,
                rasterized=style.dense(values.size),
            )
            low, high = np.quantile(values, [tail, 1.0 - tail])
            ax.plot([low, high], [y, y], color=style.BLACK, linewidth=2.0, zorder=3, solid_capstyle="butt")
            ax.plot([values.mean()], [y], marker="|", markersize=22, markeredgewidth=3, color=style.BLACK, zorder=4)
            drawn += 1
        ax.set_title(textwrap.fill(style.metric_label(name), TITLE_WIDTH))
        ax.set_xlabel(style.axis_label("value", style.metric_unit(name)))
        ax.set_ylim(-0.6, len(points) - 0.4)
        ax.grid(axis="y", visible=False)
        if len(points) > 1 and panel % columns == 0:
            ax.set_yticks(range(len(points)), [point_names[p] for p in reversed(points)])
        else:
            ax.set_yticks([])
        if scale != 1.0:
            percent_axis(ax, "x")
        else:
            ax.xaxis.set_major_formatter(CompactFormatter())
        ax.xaxis.set_major_locator(ticker.MaxNLocator(5))
        if drawn == 0:
            no_data(ax, "undefined in every replication")
    if not shown:
        no_data(axes[0], "no metrics")
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
    figure = new_figure(11, 1.6 + 0.55 * max(1, len(names)) * max(1, min(len(scenarios), 3)) ** 0.5 + 0.8)
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
    percent_axis(ax, "x")
    ax.set_xlabel("probability the objective is met (%), with 90% CI")
    ax.grid(axis="y", visible=False)
    if len(scenarios) > 1:
        figure.legend(loc="outside lower center", ncols=min(len(scenarios), 4))
    figure.suptitle("Objectives: how likely each is met")
    return figure
