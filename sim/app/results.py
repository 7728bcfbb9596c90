"""What the page shows of a comparison, finished or still running: tables of rows of text, and figures.

Everything is computed by the layers below: the paired differences and objectives by
:func:`sim.experiment.compare.summarize_comparison` (the same tables ``sim compare`` writes), the verdict of each
difference by the analysis layer's one verdict function (called in :func:`verdict_of` only), numbers formatted as
reports format them (:mod:`sim.report.formatting`), the distribution figure by the report's own
(:func:`sim.report.figures.distributions.distributions_figure`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.analysis.paired import difference_verdict
from sim.experiment.compare import summarize_comparison
from sim.model.metrics import METRICS
from sim.report.figure_blocks import outcome_names
from sim.report.formatting import format_difference, format_metric, format_percent
from sim.report.style import better_direction, metric_label
from sim.scenario.model import Scenario

__all__ = ["ComparisonView", "comparison_view", "metrics_frame", "verdict_of"]


def verdict_of(metric: str, diff_low: float, diff_high: float) -> str:
    """The verdict on a paired difference: the analysis layer's rule, the only place the app asks for it.

    Args:
        metric: The outcome metric.
        diff_low: Lower end of the 90% interval of the difference (scenario − base).
        diff_high: Upper end.

    Returns:
        ``better``, ``worse``, ``changed`` or ``no clear difference``.
    """
    return difference_verdict(diff_low, diff_high, better_direction(metric))


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
        difference_rows: ``(metric, scenario, base mean, scenario mean, difference, 90% CI, verdict)`` per
            outcome (and every other metric whose verdict is not "no clear difference") and non-base scenario;
            only on the replications both have (common random numbers).
        objective_rows: ``(scenario, objective, target, P(met), 90% interval)``.
        notes: What was left out and why.
        metrics: The per-replication table the rows come from.
    """

    labels: list[str]
    done: list[int]
    outcomes: list[str]
    summary_rows: list[tuple[str, ...]]
    difference_rows: list[tuple[str, ...]]
    objective_rows: list[tuple[str, ...]]
    notes: list[str]
    metrics: pd.DataFrame


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
        return ComparisonView(list(labels), done, [], [], [], [], [], frame)
    comparison, objectives, notes = summarize_comparison(paired, list(labels), list(scenarios))
    available = sorted(set(comparison["metric"]))
    outcomes = outcome_names(scenarios, available)
    return ComparisonView(
        labels=list(labels),
        done=done,
        outcomes=outcomes,
        summary_rows=_summary_rows(comparison, outcomes, labels),
        difference_rows=_difference_rows(comparison, outcomes, labels),
        objective_rows=_objective_rows(objectives),
        notes=notes,
        metrics=paired,
    )


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


def _difference_rows(comparison: pd.DataFrame, outcomes: Sequence[str], labels: Sequence[str]) -> list[tuple[str, ...]]:
    base = labels[0]
    shown = list(outcomes)
    others = comparison[comparison["scenario"] != base]
    for metric in METRICS:  # every other metric that changed, after the headline ones
        if metric.name in shown:
            continue
        rows = others[others["metric"] == metric.name]
        if any(
            verdict_of(metric.name, float(row["diff_low"]), float(row["diff_high"])) != "no clear difference"
            for row in rows.to_dict("records")
        ):
            shown.append(metric.name)
    base_means = comparison[comparison["scenario"] == base].set_index("metric")["mean"]
    table: list[tuple[str, ...]] = []
    for name in shown:
        metric_rows = others[others["metric"] == name].set_index("scenario")
        for label in labels[1:]:
            if label not in metric_rows.index:
                continue
            row = metric_rows.loc[label]
            low, high = float(row["diff_low"]), float(row["diff_high"])
            table.append(
                (
                    metric_label(name),
                    label,
                    format_metric(name, float(base_means.get(name, math.nan))),
                    format_metric(name, float(row["mean"])),
                    format_difference(name, float(row["diff_mean"])),
                    f"{format_difference(name, low)} … {format_difference(name, high)}",
                    verdict_of(name, low, high),
                )
            )
    return table


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
