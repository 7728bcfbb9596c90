"""The public-figures reference table shipped with the package (``sim/data/public_figures.csv``).

Scenario parameters may cite a row as ``public-figures#N``; this module knows which rows exist and what
each says, for validation and for the provenance table.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

from sim.scenario.parameters import PUBLIC_FIGURES_PREFIX


@dataclass(frozen=True)
class PublicFigure:
    """One row of the table."""

    row: int
    parameter: str
    value: str
    unit: str
    source: str
    date: str
    note: str


@cache
def public_figures() -> dict[int, PublicFigure]:
    """All rows of the table, by row number."""
    text = resources.files("sim").joinpath("data/public_figures.csv").read_text(encoding="utf-8")
    rows = csv.DictReader(text.splitlines())
    return {
        int(row["row"]): PublicFigure(
            row=int(row["row"]),
            parameter=row["parameter"],
            value=row["value"],
            unit=row["unit"],
            source=row["source"],
            date=row["date"],
            note=row["note"],
        )
        for row in rows
    }


def public_figure_row(source_id: str) -> int | None:
    """The row number a ``public-figures#N`` citation names, or None if it is not such a citation."""
    if not source_id.startswith(PUBLIC_FIGURES_PREFIX):
        return None
    number = source_id.removeprefix(PUBLIC_FIGURES_PREFIX)
    return int(number) if number.isdigit() else -1
