"""Sweep figures: a tornado chart of each outcome's swing, the sensitivity indices, each outcome against each
parameter. The numbers drawn come from :mod:`sim.analysis.sensitivity`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from sim.analysis.designs import Parameter
from sim.analysis.sensitivity import binned_means, index_kind, swings
from sim.report import style
from sim.report.figures.axes import CompactFormatter, compact_number, grid_shape, new_figure, no_data, panels


def _format_value(value: float) -> str:
    return compact_number(value) if abs(value) >= 1000 else f"{value:.3g}"


@style.styled
def tornado_figure(
    points: pd.DataFrame, parameters: Sequence[Parameter], outcomes: Sequence[str], *, columns: int = 2
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
    rows, columns = grid_shape(max(1, len(shown)), columns)
    figure = new_figure(8 * columns, (1.2 + 0.6 * max(1, len(parameters))) * rows + 1.8)
    axes = panels(figure, max(1, len(shown)), columns)
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
            no_data(ax, "no parameter moves this outcome\n(constant over the design)")
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
        no_data(axes[0], "no outcomes")
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
    rows, columns = grid_shape(max(1, len(outcomes)), columns)
    figure = new_figure(8 * columns, (1.2 + 0.6 * max(1, len(parameters))) * rows + 1.8)
    axes = panels(figure, max(1, len(outcomes)), columns)
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
            no_data(ax, "no parameter moves this outcome\n(constant over the design)")
        ax.set_title(style.metric_label(outcome) if outcome else "Sensitivity")
        xlabel = {
            "sobol": "share of the outcome's variance (index, 0–1)",
            "morris": "elementary effect (outcome's unit)",
            "regression": "standardised coefficient (−1 to 1)",
        }[kind]
        ax.set_xlabel(xlabel)
        ax.xaxis.set_major_locator(ticker.MaxNLocator(5))
        ax.xaxis.set_major_formatter(CompactFormatter())
        ax.grid(axis="y", visible=False)
    handles, texts = axes[0].get_legend_handles_labels()
    if handles:
        figure.legend(handles, texts, loc="outside lower center", ncols=len(handles))
    interval = " (error bars: 90% bootstrap interval)" if any(spec[1] for spec in specs) else ""
    figure.suptitle(f"Sensitivity indices, {kind}{interval}")
    return figure


@style.styled
def sweep_scatter_figure(points: pd.DataFrame, parameters: Sequence[Parameter], outcomes: Sequence[str]) -> Figure:
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
    figure = new_figure(max(8.0, min(4.2 * columns + 1, 22)), 3.4 * rows + 1.5)
    grid = figure.subplots(rows, columns, squeeze=False, sharey="row")
    for row_index, outcome in enumerate(shown):
        scale = 100.0 if style.is_share(outcome) else 1.0
        for column_index, parameter in enumerate(parameters):
            ax = grid[row_index][column_index]
            data = points[[parameter.name, outcome]].dropna()
            x = data[parameter.name].to_numpy(dtype=float)
            y = data[outcome].to_numpy(dtype=float) * scale
            ax.scatter(
                x, y, s=22, color=style.colour(row_index), alpha=0.6, linewidths=0, rasterized=style.dense(len(x))
            )
            if len(x) >= 10 and parameter.high > parameter.low:
                centres, means = binned_means(x, y, parameter.low, parameter.high, bins=5)
                ax.plot(centres, means, color=style.BLACK, linewidth=2)
            if row_index == rows - 1:
                ax.set_xlabel(style.short_parameter(parameter.name), fontsize=11)
            if column_index == 0:
                ax.set_ylabel(style.axis_label(style.metric_label(outcome), style.metric_unit(outcome)), fontsize=11)
            ax.xaxis.set_major_formatter(CompactFormatter())
            ax.xaxis.set_major_locator(ticker.MaxNLocator(4))
            ax.yaxis.set_major_formatter(CompactFormatter())
    if not shown:
        no_data(grid[0][0], "no outcomes")
    figure.suptitle("Outcome against each varied parameter\n(dot: one design point; line: binned mean)")
    return figure
