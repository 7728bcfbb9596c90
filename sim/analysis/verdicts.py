"""Verdicts on paired differences: better, worse, negligible or uncertain — the one place they are decided.

A difference between two scenarios run with common random numbers can be statistically clear and still far too
small to matter (a tenth of a percentage point of an intercept rate). Every metric therefore declares the smallest
difference that matters (:class:`sim.model.metrics.MinDifference`; a scenario may override it with
``min_differences:``), and a paired difference's confidence interval ``[low, high]`` (mean ``m``) is read against
that size ``d ≥ 0``:

1. **better** / **worse** (``changed`` where neither direction is better): the interval excludes zero
   (``low > 0`` or ``high < 0``) *and* the mean reaches the size (``|m| ≥ d``). Direction decides which word.
2. **negligible**: the whole interval lies strictly inside ``(−d, +d)`` — an equivalence test (two one-sided tests
   at the same level); an interval that is exactly ``[0, 0]`` is negligible for any ``d``.
3. **uncertain**: anything else — the interval holds zero but reaches past ``±d``, or excludes zero with a mean
   below ``d`` and an end at or past ``±d``.
4. **no data**: the interval or the mean is undefined (NaN: fewer than two pairs, the metric never defined).

The terminal (``sim compare``), the reports, the figures, the hypotheses and the web app all call
:func:`judge_difference` (or :func:`add_verdicts` for a whole comparison table); nothing else decides.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import pandas as pd

from sim.model.metrics import MinDifference, default_min_difference, metric_by_name
from sim.scenario.model import Scenario

BETTER = "better"
WORSE = "worse"
CHANGED = "changed"
NEGLIGIBLE = "negligible"
UNCERTAIN = "uncertain"
NO_DATA = "no data"
NOT_COMPARABLE = "not comparable"
VERDICTS: tuple[str, ...] = (BETTER, WORSE, CHANGED, NEGLIGIBLE, UNCERTAIN, NO_DATA, NOT_COMPARABLE)
"""Every verdict, in the order a legend lists them."""

DIRECTIONS: tuple[str, ...] = ("higher", "lower", "neither")


def judge_difference(mean: float, low: float, high: float, min_difference: float, better: str) -> str:
    """The verdict on a paired difference ``scenario − baseline`` (rules in the module docstring).

    Args:
        mean: Mean paired difference.
        low: Lower end of its confidence interval.
        high: Upper end.
        min_difference: The smallest difference that matters, in the metric's unit (≥ 0; NaN counts as 0).
        better: ``higher``, ``lower`` or ``neither``.

    Returns:
        One of ``better``, ``worse``, ``changed``, ``negligible``, ``uncertain``, ``no data``.

    Raises:
        ValueError: If ``better`` is not one of the three directions or the size is negative.
    """
    if better not in DIRECTIONS:
        raise ValueError(f"better must be one of {list(DIRECTIONS)}, got {better!r}")
    size = 0.0 if not math.isfinite(min_difference) else float(min_difference)
    if size < 0:
        raise ValueError(f"min_difference must be ≥ 0, got {min_difference}")
    if not (math.isfinite(mean) and math.isfinite(low) and math.isfinite(high)):
        return NO_DATA
    if low == 0.0 and high == 0.0:
        return NEGLIGIBLE
    if -size < low and high < size:
        return NEGLIGIBLE
    excludes_zero = low > 0.0 or high < 0.0
    if excludes_zero and abs(mean) >= size:
        if better == "neither":
            return CHANGED
        return BETTER if (mean > 0) == (better == "higher") else WORSE
    return UNCERTAIN


def min_difference_for(
    metric: str, baseline_mean: float, overrides: Mapping[str, MinDifference] | None = None
) -> float:
    """The smallest difference of ``metric`` that matters, in its unit, against the baseline's mean.

    Args:
        metric: A metric or family member name.
        baseline_mean: The baseline scenario's mean of the metric (a relative size scales its magnitude).
        overrides: A scenario's ``min_differences`` by metric (or family) name; they win over the registry's.

    Returns:
        The size (0 for a relative size of a zero or undefined baseline: any clear change then matters).
    """
    overrides = overrides or {}
    family = metric.partition(".")[0]
    chosen = overrides.get(metric) or overrides.get(family) or default_min_difference(metric_by_name(metric))
    size = chosen.absolute(baseline_mean)
    return size if math.isfinite(size) else 0.0


def better_of(metric: str) -> str:
    """``higher``, ``lower`` or ``neither``: which way a metric is better (``neither`` when unknown)."""
    definition = metric_by_name(metric)
    return definition.better if definition is not None else "neither"


def add_verdicts(
    comparison: pd.DataFrame,
    baseline: str,
    overrides: Mapping[str, MinDifference] | None = None,
    not_comparable: frozenset[str] = frozenset(),
) -> pd.DataFrame:
    """A comparison table (:func:`sim.analysis.paired.compare_frames`) with each row's size and verdict.

    Args:
        comparison: One row per (scenario, metric) with ``mean``, ``diff_mean``, ``diff_low``, ``diff_high``.
        baseline: The baseline's label (its rows get the verdict of a zero difference: negligible).
        overrides: The first scenario's ``min_differences``.
        not_comparable: Metrics whose scenarios measure different things (own capability targets that differ):
            their verdict is ``not comparable``.

    Returns:
        A copy with two more columns: ``min_difference`` (the size used, in the metric's unit) and ``verdict``.
    """
    frame = comparison.copy()
    baseline_means = (
        frame[frame["scenario"] == baseline].set_index("metric")["mean"].to_dict() if "mean" in frame.columns else {}
    )
    sizes, verdicts = [], []
    for row in frame.itertuples(index=False):
        size = min_difference_for(str(row.metric), float(baseline_means.get(row.metric, math.nan)), overrides)
        sizes.append(size)
        if row.metric in not_comparable and row.scenario != baseline:
            verdicts.append(NOT_COMPARABLE)
            continue
        verdicts.append(
            judge_difference(
                float(row.diff_mean), float(row.diff_low), float(row.diff_high), size, better_of(str(row.metric))
            )
        )
    frame["min_difference"] = sizes
    frame["verdict"] = verdicts
    return frame


def verdicts_of(
    comparison: pd.DataFrame, baseline: str, overrides: Mapping[str, MinDifference] | None = None
) -> pd.DataFrame:
    """The comparison table with verdicts: as stored when it has them, else computed (older run folders)."""
    if "verdict" in comparison.columns and "min_difference" in comparison.columns:
        return comparison
    return add_verdicts(comparison, baseline, overrides)


def min_difference_overrides(scenario: Scenario) -> dict[str, MinDifference]:
    """A scenario's ``min_differences:`` as the registry's :class:`MinDifference` by metric (or family) name."""
    overrides: dict[str, MinDifference] = {}
    for name, setting in scenario.min_differences.items():
        if setting.relative is not None:
            overrides[name] = MinDifference(setting.relative, relative=True)
        elif setting.absolute is not None:
            overrides[name] = MinDifference(setting.absolute)
    return overrides
