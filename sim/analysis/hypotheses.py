"""Judging a scenario's hypotheses (``hypotheses:``) from a paired comparison.

A hypothesis says "this scenario's ``metric`` is ``direction`` (higher/lower) than ``against``'s by at least
``min_difference``". It is judged from the paired difference ``scenario − against`` and its confidence interval by
the one verdict rule (:func:`sim.analysis.verdicts.judge_difference`), with the hypothesis's direction as the
better one and its ``min_difference`` (default: the metric's smallest difference that matters) as the size:

* **supported** — the verdict is *better*: the interval excludes zero on the expected side and the mean reaches
  the size;
* **refuted** — the verdict is *worse* (a clear difference the other way) or *negligible* (the interval lies
  inside ± the size: the expected effect is not there);
* **inconclusive** — anything else (more replications may settle it), and also when the comparison does not hold
  the other scenario or the metric, or the run ends before ``by_day``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from sim.analysis.verdicts import BETTER, NEGLIGIBLE, WORSE, judge_difference, min_difference_for
from sim.model.metrics import MinDifference
from sim.scenario.model import Scenario

SUPPORTED = "supported"
REFUTED = "refuted"
INCONCLUSIVE = "inconclusive"

HYPOTHESIS_COLUMNS: tuple[str, ...] = (
    "scenario",
    "name",
    "metric",
    "direction",
    "against",
    "min_difference",
    "diff_mean",
    "diff_low",
    "diff_high",
    "judgement",
    "reason",
    "description",
)


def judgement_of(mean: float, low: float, high: float, min_difference: float, direction: str) -> str:
    """Supported, refuted or inconclusive (rules in the module docstring)."""
    verdict = judge_difference(mean, low, high, min_difference, direction)
    if verdict == BETTER:
        return SUPPORTED
    if verdict in (WORSE, NEGLIGIBLE):
        return REFUTED
    return INCONCLUSIVE


def _reason(judgement: str, verdict_size: float, low: float, high: float, direction: str) -> str:
    if judgement == SUPPORTED:
        return f"the difference is clearly {direction} and reaches {verdict_size:.3g}"
    if judgement == REFUTED:
        if -verdict_size < low and high < verdict_size:
            return f"the whole interval lies within ±{verdict_size:.3g}: no difference that matters"
        return f"the difference is clearly {'lower' if direction == 'higher' else 'higher'} instead"
    return "the interval is too wide to decide; more replications may settle it"


def judge_hypotheses(
    comparison: pd.DataFrame,
    labels: Sequence[str],
    scenarios: Sequence[Scenario],
    overrides: dict[str, MinDifference] | None = None,
) -> pd.DataFrame:
    """Judge every hypothesis of every scenario of a comparison.

    The comparison holds paired differences from its first scenario, so a hypothesis is judged when its
    ``against`` names the first scenario (by label or scenario name) — the usual case, ``against: baseline``.
    A hypothesis of the first scenario against another, with the sign turned, is judged too.

    Args:
        comparison: The comparison table (:func:`sim.analysis.paired.compare_frames`).
        labels: Scenario labels, in order; the first is the baseline.
        scenarios: The scenarios, in the same order.
        overrides: The first scenario's ``min_differences``.

    Returns:
        One row per hypothesis (:data:`HYPOTHESIS_COLUMNS`), in scenario order.
    """
    baseline_label = labels[0]
    rows_by_key = {(row.scenario, row.metric): row for row in comparison.itertuples(index=False)}
    names = {label: scenario.name for label, scenario in zip(labels, scenarios, strict=True)}
    rows: list[dict[str, object]] = []
    for label, scenario in zip(labels, scenarios, strict=True):
        for hypothesis in scenario.hypotheses:
            against_labels = [other for other, name in names.items() if hypothesis.against in (other, name)]
            if label == baseline_label:
                pair = next((other for other in against_labels if other != baseline_label), None)
                treatment, sign = pair, -1.0
            else:
                in_comparison = baseline_label in against_labels
                treatment, sign = (label if in_comparison else None), 1.0
            found = rows_by_key.get((treatment, hypothesis.metric)) if treatment is not None else None
            base_row = rows_by_key.get((baseline_label, hypothesis.metric))
            baseline_mean = float(base_row.mean) if base_row is not None else math.nan
            size = (
                hypothesis.min_difference
                if hypothesis.min_difference is not None
                else min_difference_for(hypothesis.metric, baseline_mean, overrides)
            )
            mean = low = high = math.nan
            if found is None:
                judgement = INCONCLUSIVE
                reason = (
                    f"{hypothesis.against} is not the baseline of this comparison"
                    if treatment is None
                    else f"the comparison holds no values of {hypothesis.metric}"
                )
            elif hypothesis.by_day is not None and hypothesis.by_day > scenario.horizon_days:
                judgement = INCONCLUSIVE
                reason = f"the run ends on day {scenario.horizon_days}, before day {hypothesis.by_day}"
            else:
                mean = sign * float(found.diff_mean)
                low, high = sorted((sign * float(found.diff_low), sign * float(found.diff_high)))
                judgement = judgement_of(mean, low, high, size, hypothesis.direction)
                reason = _reason(judgement, size, low, high, hypothesis.direction)
            rows.append(
                {
                    "scenario": label,
                    "name": hypothesis.name,
                    "metric": hypothesis.metric,
                    "direction": hypothesis.direction,
                    "against": hypothesis.against,
                    "min_difference": size,
                    "diff_mean": mean,
                    "diff_low": low,
                    "diff_high": high,
                    "judgement": judgement,
                    "reason": reason,
                    "description": hypothesis.description,
                }
            )
    return pd.DataFrame(rows, columns=list(HYPOTHESIS_COLUMNS))
