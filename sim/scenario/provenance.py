"""The provenance table: every numeric parameter of a scenario with its value, range and evidence.

Reports print it, ``sim sources`` prints it, and a sweep with no ``--vary`` varies the contested rows
(those with a ``low``/``high`` range).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.scenario.errors import format_key_path
from sim.scenario.model import Scenario
from sim.scenario.public_figures import public_figure_row, public_figures
from sim.scenario.references import walk_params


@dataclass(frozen=True)
class ProvenanceRow:
    """One parameter and where its number comes from."""

    key_path: str
    value: float
    low: float | None
    high: float | None
    unit: str | None
    source_id: str | None
    source_text: str
    note: str

    @property
    def has_source(self) -> bool:
        """True when the parameter cites a source."""
        return self.source_id is not None

    @property
    def is_contested(self) -> bool:
        """True when the parameter carries a range a sweep can vary."""
        return self.low is not None and self.high is not None and self.low < self.high


CURRENCY_SIGNS = ("$", "€", "£")


def _carries_unit(value: str, unit: str) -> bool:
    """Whether a public figure's value already names its money unit (``$20–50k`` in ``$k``, ``~€400k`` in ``€``):
    then the unit is not written after it again. A value whose first number is bare (``~4`` in ``$M``) needs it."""
    return unit.startswith(CURRENCY_SIGNS) and value.lstrip("~<>≈ ").startswith(unit[0])


def describe_source(scenario: Scenario, source_id: str) -> str:
    """A one-line description of a cited source: a listed article or a public-figures row."""
    row = public_figure_row(source_id)
    if row is not None:
        figure = public_figures().get(row)
        if figure is None:
            return f"public-figures row {row} (not in the table)"
        value = figure.value if _carries_unit(figure.value, figure.unit) else f"{figure.value} {figure.unit}".strip()
        return f"public figures #{row}: {figure.parameter} — {value} ({figure.source}, {figure.date})"
    for source in scenario.sources:
        if source.id == source_id:
            where = source.article_file or source.url or ""
            return f"{source.title} — {source.outlet}, {source.date}" + (f" [{where}]" if where else "")
    return f"{source_id} (not listed)"


def provenance_rows(scenario: Scenario) -> list[ProvenanceRow]:
    """Every numeric parameter of the scenario in document order."""
    rows = []
    for path, param in walk_params(scenario):
        rows.append(
            ProvenanceRow(
                key_path=format_key_path(path),
                value=param.value,
                low=param.low,
                high=param.high,
                unit=param.unit,
                source_id=param.source,
                source_text=describe_source(scenario, param.source) if param.source else "",
                note=param.note or "",
            )
        )
    return rows
