"""The binding-constraint figure: per side and layer, the share of its nights with threats each constraint bound."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.binding import CONSTRAINTS, binding_table
from sim.report import style
from sim.report.figures.axes import new_figure, no_data

CONSTRAINT_COLOURS = {
    "fire_channels": style.BLUE,
    "magazine": style.VERMILLION,
    "crews": style.ORANGE,
    "detection": style.REDDISH_PURPLE,
    "reserve": style.BLUISH_GREEN,
    "none": style.LIGHT_GREY,
}


@style.styled
def binding_figure(means: pd.Series) -> Figure:
    """One horizontal bar per (side, layer), split by the share of nights each constraint bound.

    Args:
        means: Metric means indexed by name (``binding_nights_share.<side>.<layer>.<constraint>`` are drawn).

    Returns:
        The figure (a "not recorded" panel when the metrics are absent).
    """
    table = binding_table(means)
    bars = list(dict.fromkeys(zip(table["side"], table["layer"], strict=True)))
    figure = new_figure(12, 1.8 + 0.45 * max(1, len(bars)))
    ax = figure.subplots()
    if not bars:
        no_data(ax, "the binding-constraint record is not in these results")
        ax.set_axis_off()
        return figure
    labels = [f"{'NATO' if side == 'nato' else 'Ukraine'}: {layer.replace('_', ' ')}" for side, layer in bars]
    for constraint in CONSTRAINTS:
        widths = []
        lefts = []
        for side, layer in bars:
            rows = table[(table["side"] == side) & (table["layer"] == layer)].set_index("constraint")["share"]
            before = sum(float(rows.get(c, 0.0)) for c in CONSTRAINTS[: CONSTRAINTS.index(constraint)])
            widths.append(float(rows.get(constraint, 0.0)) * 100)
            lefts.append(before * 100)
        ax.barh(
            range(len(bars)),
            widths,
            left=lefts,
            color=CONSTRAINT_COLOURS[constraint],
            label=constraint.replace("_", " "),
            height=0.6,
        )
    ax.set_yticks(range(len(bars)), labels)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of the layer's nights with threats (%)")
    figure.legend(loc="outside lower center", ncols=len(CONSTRAINTS))
    figure.suptitle("What bound each layer, night by night")
    return figure
