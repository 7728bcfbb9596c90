"""Key findings and what binds, as the page shows them beside a comparison.

Nothing is worded here: the key findings are the report's (:func:`sim.report.findings_sections.comparison_key_findings`,
which calls the one generator :func:`sim.analysis.findings.comparison_findings` with the reports' number formats),
for the comparison the page holds; what binds is the same generator's reading of the binding-constraint record
(:func:`sim.analysis.findings.binding_findings`, from :mod:`sim.analysis.binding`), once per scenario on the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sim.analysis.findings import binding_findings
from sim.app.results import ComparisonView
from sim.report.findings_sections import comparison_key_findings

__all__ = ["Findings", "findings_for_app"]


@dataclass(frozen=True)
class Findings:
    """Plain sentences for the page.

    Attributes:
        key_findings: The comparison's key findings, most important first (as its report opens).
        what_binds: What held each side's layers back, per scenario (``label: What binds in …``).
    """

    key_findings: list[str] = field(default_factory=list)
    what_binds: list[str] = field(default_factory=list)


def findings_for_app(view: ComparisonView) -> Findings:
    """The key findings and what binds for the comparison a page holds.

    Args:
        view: The page's comparison (its table, objectives and shown hypotheses).

    Returns:
        The sentences; none before the first paired replication.
    """
    if view.comparison.empty:
        return Findings()
    key_findings = comparison_key_findings(
        view.comparison, view.labels, view.scenarios, view.objectives, view.hypotheses
    )
    what_binds = []
    for label in view.labels:
        means = view.comparison[view.comparison["scenario"] == label].set_index("metric")["mean"]
        what_binds += [f"{label}: {finding.text}" for finding in binding_findings(means)]
    return Findings([finding.text for finding in key_findings], what_binds)
