"""The report sections that read the evidence for a planner: key findings first, hypotheses, and what binds.

Every report (run, comparison, sweep) opens with :func:`key_findings_section` — the sentences of
:mod:`sim.analysis.findings`, each linking to the section behind it — and carries :func:`binding_section`, the
binding-constraint record (a table, a figure, idle stock and unspent budget; one honest line when the results do
not hold it). A comparison adds :func:`hypotheses_section`.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from sim.analysis.binding import binding_table, describe_idle, idle_summary
from sim.analysis.findings import Finding, comparison_findings, run_findings, sweep_findings
from sim.report.comparison_rows import HYPOTHESIS_HEADER, hypothesis_rows
from sim.report.document import Block, Cell, Findings, Paragraph, Section, Table
from sim.report.figure_blocks import HEADLINE_METRICS, FigureSaver
from sim.report.figures.binding import binding_figure
from sim.report.formatting import format_difference_interval, format_metric
from sim.report.style import metric_label
from sim.scenario.model import Scenario
from sim.scenario.references import events_after_horizon

KEY_FINDINGS_ID = "key-findings"
BINDING_ID = "binding"
HYPOTHESES_ID = "hypotheses"
NOT_RECORDED = (
    "These results do not hold the binding-constraint record (binding_nights_share, idle_stock_end, "
    "unspent_budget_meur): the model that made them did not record which constraint bound each layer."
)


def _own_events_after_horizon(labels: Sequence[str], scenarios: Sequence[Scenario]) -> dict[str, list[str]]:
    """Per variant, its events after the horizon that the baseline does not share (what it would have changed)."""
    shared = set(events_after_horizon(scenarios[0]))
    return {
        label: [event for event in events_after_horizon(one) if event not in shared]
        for label, one in zip(labels, scenarios, strict=True)
    }


def comparison_key_findings(
    comparison: pd.DataFrame,
    labels: Sequence[str],
    scenarios: Sequence[Scenario],
    objectives: pd.DataFrame | None,
    hypotheses: pd.DataFrame | None,
) -> list[Finding]:
    """A comparison's key findings, worded with the reports' number formats (the terminal prints the same)."""
    return comparison_findings(
        comparison,
        labels,
        describe=format_metric,
        describe_difference=format_difference_interval,
        objectives=objectives,
        hypotheses=hypotheses,
        after_horizon=_own_events_after_horizon(labels, scenarios),
        headline=HEADLINE_METRICS,
        name=metric_label,
    )


def run_key_findings(summary: pd.DataFrame, scenario: Scenario, objectives: pd.DataFrame | None) -> list[Finding]:
    """A run's key findings (``summary`` indexed by metric with mean, low, high)."""
    return run_findings(
        summary, describe=format_metric, objectives=objectives, after_horizon=events_after_horizon(scenario)
    )


def sweep_key_findings(
    indices: pd.DataFrame, points: pd.DataFrame, outcomes: Sequence[str], means: pd.Series
) -> list[Finding]:
    """A sweep's key findings (``means``: every metric's mean over the sweep, for what binds)."""
    return sweep_findings(indices, points, outcomes, means, describe=format_metric, name=metric_label)


def key_findings_section(findings: Sequence[Finding]) -> Section:
    """The report's first section: the key findings, numbered, each linking to its evidence."""
    return Section(
        KEY_FINDINGS_ID,
        "Key findings",
        (Findings(tuple((finding.text, finding.anchor) for finding in findings)),),
    )


def binding_section(means: pd.Series, saver: FigureSaver) -> Section:
    """What binds: per side and layer the share of nights each constraint bound, and what was left unused.

    Args:
        means: Metric means (of the run, or of the baseline of a comparison) indexed by name.
        saver: Where the figure goes.
    """
    table = binding_table(means)
    if table.empty:
        return Section(BINDING_ID, "What binds", (Paragraph(NOT_RECORDED),))
    wide = table.pivot_table(index=["side", "layer"], columns="constraint", values="share", sort=False)
    constraints = [c for c in ("fire_channels", "magazine", "crews", "detection", "reserve", "none") if c in wide]
    rows = tuple(
        (
            "NATO" if side == "nato" else "Ukraine",
            str(layer).replace("_", " "),
            *(
                f"{float(wide.loc[(side, layer), c]):.0%}" if pd.notna(wide.loc[(side, layer), c]) else "–"
                for c in constraints
            ),
        )
        for side, layer in wide.index
    )
    blocks: list[Block] = [
        Paragraph(
            "Night by night the model records which constraint stopped each layer from engaging more: too few fire "
            "channels, an empty magazine, too few crews, threats not detected, units held in reserve — or none "
            "(every threat it faced was engaged). Each is a decision someone can change."
        ),
        Table(
            ("side", "layer", *(c.replace("_", " ") for c in constraints)),
            rows,
            caption="Share of the layer's nights with threats on which each constraint bound (mean over replications).",
            numeric=tuple(range(2, 2 + len(constraints))),
        ),
        saver.add(
            "binding",
            "What bound each layer",
            "Each bar is a layer; its segments are the shares of its nights with threats that each constraint bound.",
            binding_figure,
            means,
        ),
    ]
    idle = idle_summary(means)
    if not idle.empty:
        blocks.append(
            Table(
                ("left unused at the end", "kind"),
                tuple((describe_idle(r.name, r.kind, r.value), r.kind) for r in idle.itertuples(index=False)),
                caption="Idle stock (units in Ukraine's depot and member states' stores) and unspent budget.",
                compact=True,
            )
        )
    return Section(BINDING_ID, "What binds", tuple(blocks))


def hypotheses_section(hypotheses: pd.DataFrame | None) -> Section:
    """Each hypothesis of the scenarios judged: supported, refuted or inconclusive, with the paired CI."""
    if hypotheses is None or hypotheses.empty:
        return Section(HYPOTHESES_ID, "Hypotheses", (Paragraph("The scenarios state no hypotheses."),))
    tones = {"supported": "good", "refuted": "bad"}
    rows: list[tuple[str | Cell, ...]] = [
        (*row[:5], Cell(row[5], tones.get(row[5], "neutral")), row[6]) for row in hypothesis_rows(hypotheses)
    ]
    return Section(
        HYPOTHESES_ID,
        "Hypotheses",
        (
            Paragraph(
                "What each scenario expected against another, judged from the paired difference: supported when its "
                "90% confidence interval (CI) excludes zero on the expected side and the difference reaches the size "
                "that matters; refuted when it is clearly the other way or the whole CI lies within ± that size; "
                "inconclusive otherwise."
            ),
            Table(
                HYPOTHESIS_HEADER,
                tuple(rows),
                numeric=(3, 4),
                wrap=(6,),
            ),
        ),
    )
