"""The comparison figure: each scenario's paired difference from the baseline with its 90% confidence interval,
coloured by its verdict (:mod:`sim.analysis.verdicts`: better, worse, changed, negligible, uncertain).
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Sequence

import pandas as pd
from matplotlib import ticker
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from sim.analysis.verdicts import verdicts_of
from sim.report import style
from sim.report.figures.axes import CompactFormatter, grid_shape, new_figure, no_data, panels

TITLE_WIDTH = 30
"""Characters per line of a panel title: three panels side by side must not run into each other."""

_VERDICT_STYLE = {
    "better": (style.BETTER_COLOUR, "o", True),
    "worse": (style.WORSE_COLOUR, "s", True),
    "changed": (style.BLACK, "D", True),
    "negligible": (style.UNCLEAR_COLOUR, "D", False),
    "uncertain": (style.UNCLEAR_COLOUR, "o", False),
    "not comparable": (style.UNCLEAR_COLOUR, "x", False),
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
        The figure; markers are coloured by verdict (better / worse / changed / negligible / uncertain).
    """
    frame = verdicts_of(comparison, baseline)
    frame = frame[frame["scenario"] != baseline]
    order = list(scenarios) if scenarios is not None else list(dict.fromkeys(frame["scenario"]))
    order = [scenario for scenario in order if scenario != baseline]
    shown = [name for name in names if name in set(frame["metric"])]
    rows, _ = grid_shape(max(1, len(shown)), columns)
    figure = new_figure(15, (1.3 + 0.5 * max(1, len(order))) * rows + 2.0)
    axes = panels(figure, max(1, len(shown)), columns)
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
            verdict = str(row["verdict"])
            if verdict not in _VERDICT_STYLE:
                continue
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
        ax.set_title(f"{textwrap.fill(style.metric_label(name), TITLE_WIDTH)}\n({direction})", fontsize=13)
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
        no_data(axes[0], "no metrics to compare")
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
