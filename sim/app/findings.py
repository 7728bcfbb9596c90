"""Key findings and what binds, as the page shows them beside a comparison.

**Integration point.** :func:`findings_for_app` is the one function the page calls for the plain sentences above a
comparison's tables. The findings issue (h14) builds the report's key findings and the "what binds" reading of the
binding-constraint ledger; at merge, this function is wired to that work (call its key-findings builder with the
comparison's table and return its sentences). Until then it says which outcomes changed, from the verdicts the
page already shows, and reads the ``binding_nights_share`` metrics (the shared contract) when the model records
them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

__all__ = ["BINDING_FAMILY", "Findings", "findings_for_app"]

BINDING_FAMILY = "binding_nights_share"
"""The metric family ``binding_nights_share.<side>.<layer>.<constraint>`` (share of nights the constraint bound)."""


@dataclass(frozen=True)
class Findings:
    """Plain sentences for the page.

    Attributes:
        key_findings: What changed and what it means, most important first.
        what_binds: Which constraint bound each layer most often, per scenario.
    """

    key_findings: list[str] = field(default_factory=list)
    what_binds: list[str] = field(default_factory=list)


def findings_for_app(difference_rows: list[tuple[str, ...]], metrics: pd.DataFrame, labels: list[str]) -> Findings:
    """The key findings and what binds for a comparison (see the module docstring: the lead wires h14's here).

    Args:
        difference_rows: The page's differences ``(metric, scenario, base, scenario mean, difference, CI,
            verdict)``.
        metrics: One row per replication (``point`` = scenario index) with every metric recorded.
        labels: Scenario labels in point order; the first is the base.

    Returns:
        The sentences.
    """
    key_findings = [
        f"{scenario}: {metric} is {verdict} than in {labels[0]} ({base} → {mean}, difference {difference})"
        if verdict in ("better", "worse")
        else f"{scenario}: {metric} changed ({base} → {mean})"
        for metric, scenario, base, mean, difference, _, verdict in difference_rows
        if verdict != "no clear difference"
    ]
    if difference_rows and not key_findings:
        key_findings.append(f"No outcome differs clearly from {labels[0]} at these replications.")
    return Findings(key_findings=key_findings, what_binds=_what_binds(metrics, labels))


def _what_binds(metrics: pd.DataFrame, labels: list[str]) -> list[str]:
    """For each scenario, side and layer: the constraint that bound on most nights (from the contract's metrics)."""
    prefix = f"{BINDING_FAMILY}."
    columns = [column for column in metrics.columns if str(column).startswith(prefix)]
    if not columns or metrics.empty:
        return []
    sentences = []
    for point, label in enumerate(labels):
        means = metrics.loc[metrics["point"] == point, columns].mean()
        best: dict[tuple[str, str], tuple[str, float]] = {}
        for column, share in means.items():
            parts = str(column).removeprefix(prefix).split(".")
            if len(parts) != 3 or pd.isna(share):
                continue
            side, layer, constraint = parts
            if constraint == "none":
                continue
            if share > best.get((side, layer), ("", 0.0))[1]:
                best[(side, layer)] = (constraint, float(share))
        for (side, layer), (constraint, share) in sorted(best.items()):
            sentences.append(f"{label}: {side}'s {layer} layer was held back by {constraint} on {share:.0%} of nights")
    return sentences
