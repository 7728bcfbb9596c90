"""Terminal tables (rich) of run summaries and objectives, shared by ``sim run``, ``compare`` and ``play``.

Names in these tables come from scenarios (objectives, sites, regions) and players' notes: :class:`PlainTable`
shows them as written, never reading ``[bold]`` or ``x[/]`` in them as rich markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import pandas as pd
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sim.analysis.findings import Finding
from sim.model.metrics import METRICS
from sim.report.formatting import format_interval, format_metric, format_number

_UNITS = {metric.name: metric.unit for metric in METRICS}


class PlainTable(Table):
    """A rich table whose text cells are shown as written (no markup, no emoji codes); style a cell with
    ``rich.text.Text(text, style=...)``."""

    def add_row(self, *renderables: Any, **options: Any) -> None:
        """Add a row; ``str`` cells become plain :class:`~rich.text.Text`."""
        super().add_row(*(Text(cell) if isinstance(cell, str) else cell for cell in renderables), **options)


def print_findings(console: Console, findings: Sequence[Finding]) -> None:
    """Print the key findings, numbered, as the reports open with them."""
    console.print("Key findings", style="bold")
    for number, finding in enumerate(findings, start=1):
        console.print(f"{number}. {finding.text}", markup=False)
    console.print()


def summary_table(summary: pd.DataFrame, title: str, *, all_metrics: bool = False) -> Table:
    """Mean and the range of 90% of replications of each registered metric (families too with ``all_metrics``)."""
    table = PlainTable(title=title, title_justify="left")
    table.add_column("metric", overflow="fold")  # a long name wraps, never cut to one that reads like another
    table.add_column("mean", justify="right")
    table.add_column("90% of replications", justify="right")
    table.add_column("unit")
    names = list(summary.index) if all_metrics else [m.name for m in METRICS if m.name in summary.index]
    for name in names:
        row = summary.loc[name]
        interval = format_interval(name, float(row["low"]), float(row["high"]))
        unit = _UNITS.get(name, "")
        table.add_row(name, format_metric(name, float(row["mean"])), interval, "%" if unit == "share" else unit)
    return table


def objectives_table(objectives: pd.DataFrame, title: str = "Objectives") -> Table:
    """Each objective, its threshold and the probability it is met (with a 90% Wilson CI)."""
    table = PlainTable(title=title, title_justify="left")
    for column, justify in (
        ("objective", "left"),
        ("metric", "left"),
        ("target", "right"),
        ("P(met)", "right"),
        ("90% CI", "right"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for row in objectives.itertuples(index=False):
        probability = "–" if math.isnan(row.probability) else f"{row.probability:.0%}"
        interval = "–" if math.isnan(row.low) else f"{row.low:.0%} – {row.high:.0%}"
        table.add_row(row.name, row.metric, f"{row.direction} {format_number(row.threshold)}", probability, interval)
    return table
