"""Whether an objective is met: the one rule, and what it says over many replications.

An objective (``scenarios/*.yaml``: ``objectives:``) is a metric, a threshold and a direction: "Ukraine's drone
intercept rate >= 0.9". Everything that asks whether it is met asks here:

* :func:`is_met` and :func:`met` — one value or an array of values against the objective (an undefined value,
  NaN, never meets it);
* :func:`margin` — how far a value is on the good side of the threshold (negative: short of it), in the metric's
  units, for ratings that grade the shortfall;
* :func:`objective_probability` and :func:`evaluate_objectives` — the share of replications that meet it with a
  Wilson score interval;
* :func:`likelihood` — that share read for a planner: likely met, likely missed or uncertain.

Callers: the run summary (``sim run``, ``sim compare``: :func:`evaluate_objectives`), the reports
(:func:`likelihood`); the tabletop situation reports, replays and after-action reports can ask the same
questions (:func:`is_met`, :func:`margin`, :func:`objective_probability`).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.summary import wilson_interval
from sim.scenario.model import Objective

DIRECTIONS: tuple[str, ...] = (">=", "<=", ">", "<")
"""How a value may be compared with an objective's threshold (scenarios use ``>=`` and ``<=``)."""

_COMPARISONS: dict[str, Callable[[Any, float], Any]] = {
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}

LIKELY = 0.5
"""The probability a verdict is read against: likely met when the whole interval is above it, missed below."""


def _comparison(direction: str) -> Callable[[Any, float], Any]:
    try:
        return _COMPARISONS[direction]
    except KeyError:
        raise ValueError(f"direction must be one of {list(DIRECTIONS)}, got {direction!r}") from None


def met(values: np.ndarray, threshold: float, direction: str) -> np.ndarray:
    """Which values meet the objective ``value <direction> threshold``; NaN never does.

    Args:
        values: Values of the objective's metric (any shape).
        threshold: The objective's threshold.
        direction: One of ``>=``, ``<=``, ``>``, ``<``.

    Returns:
        A boolean array of the same shape.

    Raises:
        ValueError: If the direction is not one of the four.
    """
    return np.asarray(_comparison(direction)(np.asarray(values, dtype=float), threshold), dtype=bool)


def is_met(value: float, threshold: float, direction: str) -> bool:
    """Whether one value meets the objective ``value <direction> threshold`` (NaN: not met).

    Raises:
        ValueError: If the direction is not one of ``>=``, ``<=``, ``>``, ``<``.
    """
    return bool(_comparison(direction)(float(value), threshold))


def margin(value: float, threshold: float, direction: str) -> float:
    """How far ``value`` is on the good side of the threshold: ``value − threshold`` for ``>=`` and ``>``,
    ``threshold − value`` for ``<=`` and ``<``; negative when short of it, NaN when the value is.

    With ``>=`` and ``<=``, the objective is met exactly when the margin is ``≥ 0``.

    Raises:
        ValueError: If the direction is not one of ``>=``, ``<=``, ``>``, ``<``.
    """
    _comparison(direction)
    return float(value) - threshold if direction in (">=", ">") else threshold - float(value)


@dataclass(frozen=True)
class ProbabilityEstimate:
    """Estimated probability of meeting an objective, with a Wilson score interval.

    Attributes:
        probability: Fraction of the ``n`` replications that met the objective (NaN if ``n == 0``).
        low: Lower end of the Wilson score interval (NaN if ``n == 0``).
        high: Upper end of the Wilson score interval (NaN if ``n == 0``).
        n: Number of replications with a defined (non-NaN) value.
    """

    probability: float
    low: float
    high: float
    n: int


def objective_probability(
    values: np.ndarray,
    threshold: float,
    direction: str,
    *,
    level: float = 0.90,
) -> ProbabilityEstimate:
    """Probability that a replication meets an objective such as ``intercept_rate >= 0.9``.

    NaN values (metric undefined in that replication) are **excluded**: they count neither as met nor as
    missed, and ``n`` is the number of non-NaN values. A planner who wants "undefined" to count as a
    failure should replace NaN by a failing value before calling.

    Args:
        values: One value of the metric per replication.
        threshold: The objective's threshold.
        direction: One of ``">="``, ``"<="``, ``">"``, ``"<"``; the objective is ``value <direction>
            threshold``.
        level: Coverage of the Wilson score interval (default 90 %).

    Returns:
        A :class:`ProbabilityEstimate` with the fraction of replications meeting the objective and its
        Wilson score interval.

    Raises:
        ValueError: If ``direction`` is not one of the four operators, ``threshold`` is NaN, or
            ``values`` is not one-dimensional.
    """
    compare = _comparison(direction)
    if math.isnan(float(threshold)):
        raise ValueError("threshold must be a number, got NaN")
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"values must be one-dimensional (one value per replication), got shape {array.shape}")
    defined = array[~np.isnan(array)]
    meeting = compare(defined, threshold)
    trials = int(defined.size)
    successes = int(np.count_nonzero(meeting))
    low, high = wilson_interval(successes, trials, level)
    probability = successes / trials if trials else math.nan
    return ProbabilityEstimate(probability=probability, low=low, high=high, n=trials)


def evaluate_objectives(objectives: Sequence[Objective], metrics: pd.DataFrame) -> pd.DataFrame:
    """Each objective's probability of being met over the replications, with a 90% Wilson interval.

    Args:
        objectives: The scenario's objectives.
        metrics: One row per (successful) replication, a column per metric.

    Returns:
        One row per objective: ``name, metric, direction, threshold, probability, low, high, n, description``
        (NaN and ``n = 0`` for an objective whose metric the table does not hold).
    """
    rows = []
    for objective in objectives:
        if objective.metric in metrics.columns:
            estimate = objective_probability(
                metrics[objective.metric].to_numpy(dtype=float), objective.threshold, objective.direction
            )
            probability, low, high, n = estimate.probability, estimate.low, estimate.high, estimate.n
        else:
            probability = low = high = math.nan
            n = 0
        rows.append(
            {
                "name": objective.name,
                "metric": objective.metric,
                "direction": objective.direction,
                "threshold": objective.threshold,
                "probability": probability,
                "low": low,
                "high": high,
                "n": n,
                "description": objective.description,
            }
        )
    return pd.DataFrame(
        rows, columns=["name", "metric", "direction", "threshold", "probability", "low", "high", "n", "description"]
    )


def probabilities_by_group(objectives: Sequence[Objective], metrics: pd.DataFrame, by: str) -> pd.DataFrame:
    """Each objective's probability of being met in each group of replications (e.g. a sweep's design points).

    The same share as :func:`objective_probability` (NaN values left out; NaN for a group with none defined),
    for every group at once, without the intervals: a sweep of thousands of points summarises these.

    Args:
        objectives: The scenario's objectives.
        metrics: One row per (successful) replication, a column per metric and the column ``by``.
        by: The column that names each replication's group.

    Returns:
        One row per group (index: the groups, sorted), one column per objective's name; an objective whose
        metric the table does not hold is NaN throughout.
    """
    stored = [objective for objective in objectives if objective.metric in metrics.columns]
    defined = pd.DataFrame({o.name: metrics[o.metric].notna() for o in stored}, index=metrics.index)
    meeting = pd.DataFrame(
        {o.name: met(metrics[o.metric].to_numpy(), o.threshold, o.direction) for o in stored}, index=metrics.index
    )  # (NaN never meets)
    groups = metrics[by]
    successes = meeting.groupby(groups, sort=True).sum()
    trials = defined.groupby(groups, sort=True).sum()
    shares = (successes / trials.where(trials > 0)).astype(float)
    return shares.reindex(columns=[objective.name for objective in objectives])  # NaN where the metric is missing


def likelihood(probability: float, low: float, high: float) -> str:
    """Read an objective's probability and its 90% interval: is it likely met over the replications?

    A verdict never rests on the point estimate alone: more replications narrow the interval and settle it.

    Args:
        probability: Share of replications that met it.
        low: Lower end of its interval.
        high: Upper end.

    Returns:
        ``likely met`` (the whole interval above 50%), ``likely missed`` (below 50%), ``uncertain`` (the
        interval holds 50%) or ``no data`` (no replication had a value).
    """
    if not math.isfinite(probability):
        return "no data"
    if math.isfinite(low) and low > LIKELY:
        return "likely met"
    if math.isfinite(high) and high < LIKELY:
        return "likely missed"
    return "uncertain"
