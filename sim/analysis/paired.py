"""Paired comparisons of scenarios run with common random numbers.

Replication *i* of every scenario in a comparison uses the same seed, so the random draws that do not
depend on the scenario (raid sizes, weather of the dice) are shared. Differencing replication by
replication cancels that shared noise, and the confidence interval of the mean difference is much
narrower than the one obtained by comparing two independent summaries. This module computes those
paired differences for one metric (:func:`paired_difference`) and for whole per-replication tables of
several scenarios (:func:`compare_frames`). Whether a difference is better, worse or negligible is decided in one
place, :mod:`sim.analysis.verdicts`.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.summary import ID_COLUMNS, check_level, t_interval

COMPARISON_COLUMNS: tuple[str, ...] = (
    "scenario",
    "metric",
    "mean",
    "low",
    "high",
    "diff_mean",
    "diff_low",
    "diff_high",
    "significant",
    "n",
)


@dataclass(frozen=True)
class PairedDifference:
    """Mean paired difference ``treatment - baseline`` with its Student-t confidence interval.

    Attributes:
        mean: Mean of the per-replication differences (NaN if ``n == 0``).
        low: Lower end of the confidence interval (NaN if ``n < 2``).
        high: Upper end of the confidence interval (NaN if ``n < 2``).
        significant: True when the interval excludes zero.
        n: Number of pairs in which both values are finite.
    """

    mean: float
    low: float
    high: float
    significant: bool
    n: int


def paired_difference(treatment: np.ndarray, baseline: np.ndarray, level: float = 0.90) -> PairedDifference:
    """Mean of ``treatment - baseline`` over replications run with the same seeds.

    Element *i* of both arrays must come from the same seed. Pairs in which either value is not finite
    (NaN: metric undefined; inf) are dropped.

    Special cases:
        * Zero variance of the differences: the interval collapses to the mean, and the difference is
          significant iff the mean is not zero.
        * Fewer than two pairs: the interval is NaN and the difference is not significant.

    Args:
        treatment: Metric values of the scenario being assessed, one per replication.
        baseline: Metric values of the baseline scenario, aligned with ``treatment``.
        level: Two-sided coverage of the Student-t interval (default 90 %).

    Returns:
        A :class:`PairedDifference`.

    Raises:
        ValueError: If the arrays are not one-dimensional with equal length, or the level is invalid.
    """
    level = check_level(level, "level")
    treatment_values = np.asarray(treatment, dtype=float)
    baseline_values = np.asarray(baseline, dtype=float)
    if treatment_values.ndim != 1 or baseline_values.ndim != 1:
        raise ValueError(
            "treatment and baseline must be one-dimensional (one value per replication), got shapes "
            f"{treatment_values.shape} and {baseline_values.shape}"
        )
    if treatment_values.size != baseline_values.size:
        raise ValueError(
            "treatment and baseline must be paired replication by replication, but have "
            f"{treatment_values.size} and {baseline_values.size} values"
        )
    both_finite = np.isfinite(treatment_values) & np.isfinite(baseline_values)
    differences = treatment_values[both_finite] - baseline_values[both_finite]
    count = int(differences.size)
    if count == 0:
        return PairedDifference(mean=math.nan, low=math.nan, high=math.nan, significant=False, n=0)
    mean = float(np.mean(differences))
    if count < 2:
        return PairedDifference(mean=mean, low=math.nan, high=math.nan, significant=False, n=count)
    if np.all(differences == differences[0]):
        exact = float(differences[0])
        return PairedDifference(mean=exact, low=exact, high=exact, significant=exact != 0.0, n=count)
    low, high = t_interval(differences, level)
    return PairedDifference(mean=mean, low=low, high=high, significant=bool(low > 0.0 or high < 0.0), n=count)


def _indexed_by_replication(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Index a per-replication frame by its ``replication`` column, checking it is usable."""
    if "replication" not in frame.columns:
        raise ValueError(
            f"frame {name!r} has no 'replication' column; compare_frames aligns scenarios replication by "
            f"replication (columns: {list(frame.columns)})"
        )
    duplicated = frame["replication"][frame["replication"].duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"frame {name!r} has duplicate replication ids {duplicated[:10]}")
    return frame.set_index("replication")


def _numeric_metrics(frame: pd.DataFrame) -> list[str]:
    """Return the numeric (or boolean) metric columns of a frame indexed by replication."""
    return [
        str(column)
        for column in frame.columns
        if column not in ID_COLUMNS
        and (pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]))
    ]


def compare_frames(
    frames: Mapping[str, pd.DataFrame],
    baseline: str,
    level: float = 0.90,
) -> pd.DataFrame:
    """Compare several scenarios with a baseline, metric by metric, pairing replications.

    Every frame holds one row per replication with a ``replication`` column (the id shared by runs that
    used the same seed) and numeric metric columns. Rows are aligned on ``replication``; only
    replications present in both the scenario and the baseline are used. The metrics compared are the
    numeric columns (except ``replication`` and ``seed``) present in every frame, in the baseline's column
    order; metrics missing from some frame are skipped with a warning.

    Args:
        frames: Per-replication tables by scenario name; must include ``baseline``.
        baseline: Name of the reference scenario.
        level: Two-sided coverage for the spread and the paired interval (default 90 %).

    Returns:
        A long table with one row per (scenario, metric), scenarios in mapping order (the baseline
        included: its differences are zero and never significant), and columns

        * ``scenario``, ``metric``;
        * ``mean``, ``low``, ``high`` - mean and spread (the ``(1 - level) / 2`` and ``(1 + level) / 2``
          quantiles) of the scenario's finite values over the replications it shares with the baseline;
        * ``diff_mean``, ``diff_low``, ``diff_high``, ``significant``, ``n`` - the
          :func:`paired_difference` of scenario minus baseline (``n`` = pairs with both values finite).

    Raises:
        ValueError: If ``baseline`` is not among the frames, a frame lacks a ``replication`` column or has
            duplicate ids, a scenario shares no replication with the baseline, or no metric is common to
            all frames.
    """
    level = check_level(level, "level")
    if baseline not in frames:
        raise ValueError(f"baseline {baseline!r} is not among the scenarios {list(frames)}")
    indexed = {name: _indexed_by_replication(name, frame) for name, frame in frames.items()}
    baseline_frame = indexed[baseline]
    metrics = _numeric_metrics(baseline_frame)
    common = [metric for metric in metrics if all(metric in frame.columns for frame in indexed.values())]
    skipped = sorted({metric for frame in indexed.values() for metric in _numeric_metrics(frame)} - set(common))
    if not common:
        raise ValueError(f"no numeric metric is present in every frame (baseline metrics: {metrics})")
    if skipped:
        warnings.warn(f"compare_frames skips metrics not present in every frame: {skipped}", UserWarning, stacklevel=2)

    tail = (1.0 - level) / 2.0
    rows: list[dict[str, object]] = []
    for name, frame in indexed.items():
        shared = frame.index.intersection(baseline_frame.index, sort=False)
        if shared.empty:
            raise ValueError(
                f"scenario {name!r} shares no replication id with baseline {baseline!r}; "
                "common random numbers need the same replication ids"
            )
        shared = shared.sort_values()
        for metric in common:
            values = frame.loc[shared, metric].to_numpy(dtype=float, na_value=np.nan)
            reference = baseline_frame.loc[shared, metric].to_numpy(dtype=float, na_value=np.nan)
            finite = values[np.isfinite(values)]
            if finite.size:
                low, high = (float(q) for q in np.quantile(finite, [tail, 1.0 - tail]))
                mean = float(np.mean(finite))
            else:
                mean = low = high = math.nan
            difference = paired_difference(values, reference, level)
            rows.append(
                {
                    "scenario": name,
                    "metric": metric,
                    "mean": mean,
                    "low": low,
                    "high": high,
                    "diff_mean": difference.mean,
                    "diff_low": difference.low,
                    "diff_high": difference.high,
                    "significant": difference.significant,
                    "n": difference.n,
                }
            )
    return pd.DataFrame(rows, columns=list(COMPARISON_COLUMNS))
