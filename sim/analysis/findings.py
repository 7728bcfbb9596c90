"""Key findings: the 3–7 plain sentences a report opens with and the terminal prints, generated from the numbers.

One generator for every kind of result — a run (:func:`run_findings`), a comparison (:func:`comparison_findings`),
a sweep (:func:`sweep_findings`) — so a report, the terminal and the web app say the same thing. Each
:class:`Finding` names the report section (its HTML anchor) that holds the evidence. The sentences cover, in
order of what a planner reads aloud first:

1. the largest differences that matter (verdict better / worse / changed by :mod:`sim.analysis.verdicts`,
   ranked by how many times their smallest difference that matters they reach);
2. the objectives at risk (likely missed or uncertain, by :func:`sim.analysis.objectives.likelihood`);
3. the hypotheses' judgements;
4. what binds (the ``binding_nights_share.<side>.<layer>.<constraint>`` metrics, when the model records them);
5. what did not change, and why (identical in every replication; events after the horizon).

Numbers are printed by the caller's formatter (reports and terminal share :mod:`sim.report.formatting`), passed
in as ``describe`` so this module stays in the analysis layer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import pandas as pd

from sim.analysis.binding import binding_summary, describe_idle, idle_summary
from sim.analysis.objectives import likelihood

MAX_FINDINGS = 7
MAX_DIFFERENCES = 3
SHOWN_NAMES = 4


@dataclass(frozen=True)
class Finding:
    """One sentence of the key findings and where its evidence is.

    Attributes:
        text: The sentence.
        anchor: The id of the report section holding the table or figure behind it.
    """

    text: str
    anchor: str


Name = Callable[[str], str]
"""How a metric is named in a sentence (the reports pass their readable labels)."""
Describe = Callable[[str, float], str]
"""How a number reads: ``describe(metric, value)`` (a share in percent, …)."""
DescribeDifference = Callable[[str, float, float, float], tuple[str, str, str]]
"""How a difference and its CI read: ``(mean, low, high)`` texts."""


def _names(names: Sequence[str]) -> str:
    shown = list(names[:SHOWN_NAMES])
    more = len(names) - len(shown)
    text = ", ".join(shown)
    return text + (f" and {more} more" if more > 0 else "")


def objective_findings(objectives: pd.DataFrame | None, anchor: str = "objectives") -> list[Finding]:
    """One sentence on the objectives at risk (likely missed or uncertain), or that all are likely met."""
    if objectives is None or objectives.empty:
        return []
    by_objective: dict[str, dict[str, list[str]]] = {}
    several = "scenario" in objectives.columns and objectives["scenario"].nunique() > 1
    for row in objectives.itertuples(index=False):
        verdict = likelihood(float(row.probability), float(row.low), float(row.high))
        if verdict in ("likely missed", "uncertain"):
            where = str(row.scenario) if several else f"P(met) {float(row.probability):.0%}"
            by_objective.setdefault(str(row.name), {}).setdefault(verdict, []).append(where)
    if not by_objective:
        return [Finding("Every objective is likely met (the whole 90% CI of P(met) lies above 50%).", anchor)]
    parts = []
    for name, verdicts in by_objective.items():
        inner = "; ".join(
            f"{verdict} {'in ' if several else ''}{_names(places)}" if several else f"{verdict}, {places[0]}"
            for verdict, places in verdicts.items()
        )
        parts.append(f"{name} ({inner})")
    return [Finding("Objectives at risk: " + ", ".join(parts) + ".", anchor)]


def binding_findings(means: pd.Series, anchor: str = "binding") -> list[Finding]:
    """Sentences on what binds, from the mean ``binding_nights_share`` metrics (none when they are absent)."""
    summary = binding_summary(means)
    if summary.empty:
        return []
    sentences = []
    for side, rows in summary.groupby("side", sort=False):
        top = rows.sort_values("share", ascending=False).head(2)
        parts = [
            f"the {row.layer.replace('_', ' ')} layer by {row.constraint.replace('_', ' ')} on {row.share:.0%} "
            "of its nights with threats"
            for row in top.itertuples(index=False)
        ]
        sentences.append(
            Finding(
                f"What binds in {'NATO airspace' if side == 'nato' else 'Ukraine'}: " + "; ".join(parts) + ".", anchor
            )
        )
    idle = idle_summary(means)
    if not idle.empty:
        largest = idle.head(2)
        parts = [describe_idle(row.name, row.kind, row.value) for row in largest.itertuples(index=False)]
        sentences.append(Finding("Left unused at the end: " + ", ".join(parts) + ".", anchor))
    return sentences


def comparison_findings(
    comparison: pd.DataFrame,
    labels: Sequence[str],
    *,
    describe: Describe,
    describe_difference: DescribeDifference,
    objectives: pd.DataFrame | None = None,
    hypotheses: pd.DataFrame | None = None,
    after_horizon: dict[str, list[str]] | None = None,
    headline: Sequence[str] = (),
    name: Name = lambda metric: metric.replace("_", " "),
) -> list[Finding]:
    """Key findings of a comparison (its table carries ``verdict`` and ``min_difference``).

    Args:
        comparison: The comparison table with verdicts.
        labels: Scenario labels; the first is the baseline.
        describe: How an outcome's value reads.
        describe_difference: How a difference and its CI read.
        objectives: The objectives by scenario (optional).
        hypotheses: The judged hypotheses (optional).
        after_horizon: Per scenario label, the events that fall after the horizon (optional).
        headline: Metrics a planner reads first; with the hypotheses' metrics, the only ones the largest differences
            are taken from, and the only ones that count for "what did not change" (default: all).
        name: How a metric is named.

    Returns:
        3–7 findings (fewer only when there is nothing to say).
    """
    baseline = labels[0]
    findings: list[Finding] = []
    variants = comparison[comparison["scenario"] != baseline]
    mattering = variants[variants["verdict"].isin(("better", "worse", "changed"))].copy()
    if not mattering.empty:
        sizes = mattering["min_difference"].where(mattering["min_difference"] > 0)
        mattering["weight"] = (mattering["diff_mean"].abs() / sizes).fillna(math.inf)
        mattering = mattering[mattering["metric"].str.count(r"\.") == 0]  # headline metrics, not breakdowns
        if headline:  # what a planner reads first, and what the scenarios' hypotheses name
            stated = hypotheses["metric"] if hypotheses is not None and "metric" in hypotheses else ()
            named = set(headline) | set(stated)
            mattering = mattering[mattering["metric"].isin(named)]
        # The largest difference of each scenario first (so no one variant fills the list), then the next.
        ranked = mattering.sort_values("weight", ascending=False)
        ranked = ranked.assign(order=ranked.groupby("scenario").cumcount()).sort_values("order", kind="stable")
        for row in ranked.head(MAX_DIFFERENCES).itertuples(index=False):
            mean, low, high = describe_difference(row.metric, row.diff_mean, row.diff_low, row.diff_high)
            base_mean = comparison[(comparison["scenario"] == baseline) & (comparison["metric"] == row.metric)]
            start = describe(row.metric, float(base_mean["mean"].iloc[0])) if not base_mean.empty else "–"
            findings.append(
                Finding(
                    f"{row.scenario}: {name(row.metric)} {mean} (90% CI {low} to {high}) against "
                    f"{start} in {baseline} — {row.verdict}.",
                    "comparison",
                )
            )
    for label in labels[1:]:
        rows = variants[variants["scenario"] == label]
        if headline:
            rows = rows[rows["metric"].isin(headline)]
        if rows.empty:
            continue
        if not rows["verdict"].isin(("better", "worse", "changed")).any():
            identical = rows[(rows["diff_low"] == 0) & (rows["diff_high"] == 0)]
            why = ""
            later = (after_horizon or {}).get(label, [])
            if later:
                why = f"; its own events after the horizon, so not simulated: {_names(later)}"
            findings.append(
                Finding(
                    f"{label} changes no headline outcome by an amount that matters "
                    f"({len(identical)} of {len(rows)} identical in every replication{why}).",
                    "comparison",
                )
            )
    if hypotheses is not None and not hypotheses.empty:
        counts = hypotheses["judgement"].value_counts()
        parts = [f"{int(counts.get(word, 0))} {word}" for word in ("supported", "refuted", "inconclusive")]
        refuted = hypotheses[hypotheses["judgement"] == "refuted"]
        text = f"Hypotheses: {', '.join(parts)}"
        if not refuted.empty:
            text += f" (refuted: {_names([f'{r.scenario}: {r.name}' for r in refuted.itertuples(index=False)])})"
        findings.append(Finding(text + ".", "hypotheses"))
    findings.extend(objective_findings(objectives))
    if "metric" in comparison.columns:
        means = comparison[comparison["scenario"] == baseline].set_index("metric")["mean"]
        findings.extend(binding_findings(means))
    if not findings:
        findings.append(Finding("No scenario differs from the baseline in any outcome compared.", "comparison"))
    return findings[:MAX_FINDINGS]


def run_findings(
    summary: pd.DataFrame,
    *,
    describe: Describe,
    objectives: pd.DataFrame | None = None,
    after_horizon: Sequence[str] = (),
) -> list[Finding]:
    """Key findings of one scenario's replications.

    Args:
        summary: Per metric (index): ``mean``, ``low``, ``high`` (90% of replications).
        describe: How an outcome's value reads.
        objectives: The objectives table (optional).
        after_horizon: Events that fall after the horizon.

    Returns:
        3–7 findings.
    """
    findings: list[Finding] = []

    def value(name: str) -> str | None:
        if name not in summary.index or not math.isfinite(float(summary.loc[name, "mean"])):
            return None
        row = summary.loc[name]
        return (
            f"{describe(name, float(row['mean']))} (90% of replications: {describe(name, float(row['low']))} to "
            f"{describe(name, float(row['high']))})"
        )

    ukraine = [
        f"{label} {text}"
        for label, name in (("drones", "ukraine_drone_intercept_rate"), ("missiles", "ukraine_missile_intercept_rate"))
        if (text := value(name)) is not None
    ]
    if ukraine:
        findings.append(Finding("Ukraine intercepts " + " and ".join(ukraine) + ".", "summary"))
    nato = [
        f"{label} {text}"
        for label, name in (("leakers", "nato_leakers"), ("airport closure hours", "airport_closure_hours"))
        if (text := value(name)) is not None
    ]
    if nato:
        findings.append(Finding("On NATO territory: " + "; ".join(nato) + ".", "summary"))
    protected = value("value_protected_share")
    if protected is not None:
        findings.append(Finding(f"The defences save {protected} of the value at risk.", "summary"))
    findings.extend(objective_findings(objectives))
    findings.extend(binding_findings(summary["mean"]))
    if after_horizon:
        findings.append(
            Finding(
                f"{len(after_horizon)} scheduled events fall after the horizon and do not happen "
                f"({_names(list(after_horizon))}).",
                "summary",
            )
        )
    return findings[:MAX_FINDINGS]


def sweep_findings(
    indices: pd.DataFrame,
    points: pd.DataFrame,
    outcomes: Sequence[str],
    means: pd.Series,
    *,
    describe: Describe,
    name: Name = lambda metric: metric.replace("_", " "),
) -> list[Finding]:
    """Key findings of a sweep: the most influential parameter per outcome; outcomes that did not move and why.

    Args:
        indices: ``outcome``, ``parameter``, ``rank`` (1 = most influential).
        points: One row per design point with the outcomes' means.
        outcomes: The outcomes analysed.
        means: Every metric's mean over the sweep (the binding-constraint record, when there is one).
        describe: How an outcome's value reads.
        name: How a metric is named.

    Returns:
        Up to 7 findings.
    """
    findings: list[Finding] = []
    for outcome in outcomes:
        values = points[outcome].dropna() if outcome in points.columns else pd.Series(dtype=float)
        if values.empty:
            continue
        if float(values.max()) == float(values.min()):
            always = describe(outcome, float(values.iloc[0]))
            text = f"{name(outcome)} does not move over the design (always {always})"
            held = binding_summary(means)
            if not held.empty:
                top = held.sort_values("share", ascending=False).iloc[0]
                text += (
                    f": the {top.layer.replace('_', ' ')} layer ({top.side}) is held by "
                    f"{top.constraint.replace('_', ' ')} on {top.share:.0%} of its nights, whatever the parameters"
                )
            else:
                text += "; the binding-constraint record is not in these results, so the model cannot say why"
            findings.append(Finding(text + ".", "binding"))
            continue
        ranked = indices[indices["outcome"] == outcome].sort_values("rank")
        if ranked.empty:
            continue
        top = ranked.iloc[0]
        findings.append(
            Finding(
                f"{name(outcome)} ranges {describe(outcome, float(values.min()))} to "
                f"{describe(outcome, float(values.max()))} over the design points; {top['parameter']} moves it most.",
                "sensitivity",
            )
        )
    return findings[:MAX_FINDINGS]
