"""What the page shows of a comparison, finished or still running: tables of rows of text, and figures.

Everything is computed by the layers below: the paired differences with their verdicts, the objectives and the
hypotheses' judgements by :func:`sim.experiment.compare.summarize_comparison` (the same tables ``sim compare``
writes; the verdict is the table's ``verdict`` column, decided by :mod:`sim.analysis.verdicts`), the rows of text
as the report prints them (:mod:`sim.report.comparison_rows`, numbers by :mod:`sim.report.formatting`), the
distribution figure by the report's own (:func:`sim.report.figures.distributions.distributions_figure`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.experiment.compare import summarize_comparison
from sim.report.comparison_rows import difference_rows, hypothesis_rows
from sim.report.figure_blocks import outcome_names
from sim.report.formatting import format_metric, format_percent
from sim.report.style import metric_label
from sim.scenario.model import Scenario

__all__ = ["ComparisonView", "comparison_view", "metrics_frame"]


def metrics_frame(records: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    """Replication records (as the runner makes them) as a table: one row per replication, one column per metric.

    Args:
        records: Records with ``point``, ``replication``, ``seed``, ``status``, ``error`` and ``metrics``.

    Returns:
        The table, sorted by point and replication (``point``, ``replication``, ``seed``, ``status``, ``error``,
        then the metrics).
    """
    rows = [
        {
            "point": int(record["point"]),
            "replication": int(record["replication"]),
            "seed": int(record["seed"]),
            "status": str(record["status"]),
            "error": record.get("error"),
            **dict(record.get("metrics") or {}),
        }
        for record in records
    ]
    frame = pd.DataFrame(rows, columns=None if rows else ["point", "replication", "seed", "status", "error"])
    return frame.sort_values(["point", "replication"], kind="stable", ignore_index=True)


@dataclass(frozen=True)
class ComparisonView:
    """A comparison as the page shows it.

    Attributes:
        labels: Scenario labels; the first is the base.
        done: Replications finished per scenario (ok or failed), in label order.
        outcomes: The headline outcomes and the objectives' metrics, in the report's order.
        summary_rows: ``(metric, scenario, mean, 90% range)`` per outcome and scenario.
        difference_rows: :func:`sim.report.comparison_rows.difference_rows` (outcome, scenario, base mean, scenario
            mean, difference, 90% CI, matters from, verdict) per outcome (and every other metric some scenario is
            better, worse or changed in) and non-base scenario; only on the replications every scenario has
            (common random numbers).
        objective_rows: ``(scenario, objective, target, P(met), 90% interval)``.
        hypothesis_rows: :func:`sim.report.comparison_rows.hypothesis_rows` of the hypotheses judged against a
            scenario on the page (see :func:`hypotheses_on_page`).
        notes: What was left out and why.
        metrics: The per-replication table the rows come from.
        scenarios: The scenarios, in label order.
        comparison: The comparison table (with ``min_difference`` and ``verdict``) the rows come from.
        objectives: The objectives table by scenario.
        hypotheses: The judged hypotheses the page shows (the rows of ``hypothesis_rows``).
    """

    labels: list[str]
    done: list[int]
    outcomes: list[str]
    summary_rows: list[tuple[str, ...]]
    difference_rows: list[tuple[str, ...]]
    objective_rows: list[tuple[str, ...]]
    hypothesis_rows: list[tuple[str, ...]]
    notes: list[str]
    metrics: pd.DataFrame
    scenarios: list[Scenario]
    comparison: pd.DataFrame
    objectives: pd.DataFrame
    hypotheses: pd.DataFrame


def _paired_only(metrics: pd.DataFrame, points: int) -> pd.DataFrame:
    """The replications every scenario has finished (while a comparison runs, the points differ in progress)."""
    if metrics.empty:
        return metrics
    common = set(metrics.loc[metrics["point"] == 0, "replication"])
    for point in range(1, points):
        common &= set(metrics.loc[metrics["point"] == point, "replication"])
    return metrics[metrics["replication"].isin(common)]


def comparison_view(
    records: Sequence[Mapping[str, Any]], labels: Sequence[str], scenarios: Sequence[Scenario]
) -> ComparisonView:
    """The page's view of a comparison from the replication records received so far.

    Args:
        records: The records (all of them once the run is done).
        labels: Scenario labels, in point order; the first is the base.
        scenarios: The scenarios, in point order.

    Returns:
        The view; with no paired replication yet its tables are empty.
    """
    frame = metrics_frame(records)
    done = [int((frame["point"] == point).sum()) if not frame.empty else 0 for point in range(len(labels))]
    paired = _paired_only(frame, len(labels))
    if paired.empty:
        empty = pd.DataFrame()
        return ComparisonView(list(labels), done, [], [], [], [], [], [], frame, list(scenarios), empty, empty, empty)
    comparison, objectives, notes, hypotheses = summarize_comparison(paired, list(labels), list(scenarios))
    available = sorted(set(comparison["metric"]))
    outcomes = outcome_names(scenarios, available)
    shown_hypotheses = hypotheses_on_page(hypotheses, labels, scenarios)
    return ComparisonView(
        labels=list(labels),
        done=done,
        outcomes=outcomes,
        summary_rows=_summary_rows(comparison, outcomes, labels),
        difference_rows=difference_rows(comparison, outcomes, labels[0], labels) if len(labels) > 1 else [],
        objective_rows=_objective_rows(objectives),
        hypothesis_rows=hypothesis_rows(shown_hypotheses),
        notes=notes,
        metrics=paired,
        scenarios=list(scenarios),
        comparison=comparison,
        objectives=objectives,
        hypotheses=shown_hypotheses,
    )


def hypotheses_on_page(hypotheses: pd.DataFrame, labels: Sequence[str], scenarios: Sequence[Scenario]) -> pd.DataFrame:
    """The judged hypotheses whose ``against`` names another scenario on the page (by label or scenario name).

    A hypothesis against a scenario that is not on the page (``against: baseline`` when the page compares
    ``drone_wall`` with a changed ``drone_wall``) cannot be judged here, and one that names its own scenario
    (Explore's base carries the same hypotheses as its changed copy) is not a comparison: both are left out.

    Args:
        hypotheses: As :func:`sim.experiment.compare.summarize_comparison` judged them.
        labels: Scenario labels, in order.
        scenarios: The scenarios, in the same order.

    Returns:
        The rows to show, in their order.
    """
    if hypotheses.empty:
        return hypotheses
    names = dict(zip(labels, (scenario.name for scenario in scenarios), strict=True))

    def on_page(row: pd.Series) -> bool:
        others = {
            name
            for label, scenario_name in names.items()
            if label != row["scenario"]
            for name in (label, scenario_name)
        }
        return row["against"] != row["scenario"] and row["against"] in others

    return hypotheses[hypotheses.apply(on_page, axis=1)].reset_index(drop=True)


def _summary_rows(comparison: pd.DataFrame, outcomes: Sequence[str], labels: Sequence[str]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    indexed = comparison.set_index(["metric", "scenario"])
    for name in outcomes:
        for label in labels:
            if (name, label) not in indexed.index:
                continue
            row = indexed.loc[(name, label)]
            rows.append(
                (
                    metric_label(name),
                    label,
                    format_metric(name, float(row["mean"])),
                    f"{format_metric(name, float(row['low']))} – {format_metric(name, float(row['high']))}",
                )
            )
    return rows


def _objective_rows(objectives: pd.DataFrame) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for row in objectives.to_dict("records"):
        target = f"{row['metric']} {row['direction']} {row['threshold']:g}"
        rows.append(
            (
                str(row["scenario"]),
                str(row["name"]),
                target,
                format_percent(float(row["probability"])),
                f"{format_percent(float(row['low']))} – {format_percent(float(row['high']))}",
            )
        )
    return rows


def distributions(view: ComparisonView) -> Figure | None:
    """The report's distribution figure of the view's outcomes (one dot per replication), or None before data."""
    if view.metrics.empty or not view.outcomes:
        return None
    from sim.report.figures.distributions import distributions_figure

    ok = view.metrics[view.metrics["status"] == "ok"]
    return distributions_figure(ok, view.outcomes, labels=dict(enumerate(view.labels)))
