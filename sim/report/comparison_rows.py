"""The rows of text a comparison's tables show — its paired differences and its hypotheses — for the report, the
terminal's neighbours and the web app alike.

Which outcomes a differences table lists, how each number reads (:mod:`sim.report.formatting`, at the precision the
interval supports) and which verdict it carries (the comparison table's ``verdict`` column, decided by
:mod:`sim.analysis.verdicts`) are decided here once; the report wraps the rows in its document blocks and the app
in HTML.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.model.metrics import METRICS
from sim.report.formatting import format_difference, format_difference_interval, format_metric
from sim.report.style import metric_label

MATTERING = ("better", "worse", "changed")
"""The verdicts of a difference that matters (an outcome with one is listed even when it is not a headline)."""

HYPOTHESIS_HEADER: tuple[str, ...] = ("scenario", "hypothesis", "expects", "difference", "90% CI", "judgement", "why")
"""The columns of :func:`hypothesis_rows` (the judgement is the sixth)."""


def difference_header(baseline: str) -> tuple[str, ...]:
    """The columns of :func:`difference_rows` (the verdict is the last)."""
    return (
        "outcome",
        "scenario",
        f"{baseline} mean",
        "scenario mean",
        "difference",
        "90% CI of difference",
        "matters from",
        "verdict",
    )


def differences_caption(baseline: str) -> str:
    """What a differences table holds and how its verdicts read."""
    return (
        f"Paired differences (scenario − {baseline}) over replications with the same seeds; shares in percentage "
        "points (pp), printed at the precision their confidence interval (CI) supports. Verdicts: better or worse "
        "only when the CI excludes zero and the difference reaches the smallest difference that matters ('matters "
        "from'); negligible when the whole CI lies within ± that size; uncertain otherwise. Shown: the headline "
        "outcomes, the objectives' metrics and every other outcome that clearly changed."
    )


def difference_rows(
    comparison: pd.DataFrame, names: Sequence[str], baseline: str, order: Sequence[str]
) -> list[tuple[str, ...]]:
    """One row per outcome and non-baseline scenario: means, the difference, its CI, the size and the verdict.

    Args:
        comparison: The comparison table with ``min_difference`` and ``verdict``
            (:func:`sim.experiment.compare.summarize_comparison`).
        names: The outcomes listed first (headline outcomes and the objectives' metrics); every other registered
            metric follows when some scenario's verdict on it is better, worse or changed.
        baseline: The baseline's label.
        order: Scenario labels in order (the first is the baseline).

    Returns:
        Rows of :func:`difference_header`'s columns, as text.
    """
    shown = list(names)
    for metric in METRICS:
        if metric.name in shown:
            continue
        rows = comparison[(comparison["metric"] == metric.name) & (comparison["scenario"] != baseline)]
        if rows["verdict"].isin(MATTERING).any():
            shown.append(metric.name)
    baseline_means = comparison[comparison["scenario"] == baseline].set_index("metric")["mean"]
    table_rows: list[tuple[str, ...]] = []
    for name in shown:
        metric_rows = comparison[comparison["metric"] == name].set_index("scenario")
        for scenario in order[1:]:
            if scenario not in metric_rows.index:
                continue
            row = metric_rows.loc[scenario]
            mean, low, high = format_difference_interval(
                name, float(row["diff_mean"]), float(row["diff_low"]), float(row["diff_high"])
            )
            size = float(row["min_difference"])
            table_rows.append(
                (
                    metric_label(name),
                    scenario,
                    format_metric(name, float(baseline_means.get(name, math.nan))),
                    format_metric(name, float(row["mean"])),
                    mean,
                    f"{low} … {high}",
                    format_difference(name, size).lstrip("+") if size > 0 else "any",
                    str(row["verdict"]),
                )
            )
    return table_rows


def hypothesis_rows(hypotheses: pd.DataFrame) -> list[tuple[str, ...]]:
    """One row per judged hypothesis (:data:`HYPOTHESIS_HEADER`'s columns, as text)."""
    rows: list[tuple[str, ...]] = []
    for row in hypotheses.itertuples(index=False):
        mean, low, high = format_difference_interval(
            str(row.metric), float(row.diff_mean), float(row.diff_low), float(row.diff_high)
        )
        rows.append(
            (
                str(row.scenario),
                str(row.name),
                f"{row.metric} {row.direction} than {row.against}",
                mean,
                f"{low} … {high}",
                str(row.judgement),
                str(row.reason),
            )
        )
    return rows
