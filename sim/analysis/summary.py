"""Summary statistics over seeded replications of one scenario.

A scenario is run many times with different seeds; each replication yields one value per outcome metric
(intercept rate, leakers, spend, ...). This module condenses such a per-replication table into the
numbers a report prints:

* the **spread of outcomes** (the central ``interval`` of the replications, e.g. the 5th and 95th
  percentiles) - what a planner should expect from a single run of the real thing;
* the **Student-t confidence interval of the mean** - how precisely the replications pin down the average;
* the **Wilson score interval** of a share of replications, with which :mod:`sim.analysis.objectives` says how
  precisely the replications pin down the probability of meeting an objective.

A metric may be undefined in some replications (an intercept rate when no threat arrived); such values are
NaN and are left out, and every result reports ``n``, the number of replications actually used.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import special  # stdtrit and ndtri: what scipy.stats' t.ppf and norm.ppf compute, without loading

# scipy.stats (about a second of imports for every command that summarises)

#: Columns that identify a replication rather than measure it; never summarised as metrics.
ID_COLUMNS: tuple[str, ...] = ("replication", "seed")

SUMMARY_COLUMNS: tuple[str, ...] = ("mean", "std", "low", "high", "mean_ci_low", "mean_ci_high", "n")


def check_level(level: float, name: str = "interval") -> float:
    """Validate a two-sided coverage level.

    Args:
        level: Coverage as a fraction, strictly between 0 and 1 (0.90 means 90 %).
        name: Name of the argument, used in the error message.

    Returns:
        The level as a float.

    Raises:
        ValueError: If the level is not a number strictly between 0 and 1.
    """
    try:
        value = float(level)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number strictly between 0 and 1, got {level!r}") from None
    if not 0.0 < value < 1.0:
        raise ValueError(
            f"{name} must be strictly between 0 and 1 (e.g. 0.90 for 90 %), got {level!r}; did you pass a percentage?"
        )
    return value


def t_interval(values: np.ndarray, level: float) -> tuple[float, float]:
    """Student-t confidence interval of the mean of finite values.

    Args:
        values: One-dimensional array without NaN.
        level: Two-sided coverage, strictly between 0 and 1.

    Returns:
        ``(low, high)``. With fewer than two values the interval is ``(nan, nan)``; with zero sample
        variance it collapses to ``(mean, mean)``.
    """
    count = values.size
    if count < 2:
        return (math.nan, math.nan)
    if np.all(values == values[0]):
        exact = float(values[0])
        return (exact, exact)
    mean = float(np.mean(values))
    standard_error = float(np.std(values, ddof=1)) / math.sqrt(count)
    t_quantile = float(special.stdtrit(count - 1, 0.5 + level / 2.0))  # Student's t, count - 1 degrees of freedom
    half_width = t_quantile * standard_error
    return (mean - half_width, mean + half_width)


def _metric_columns(frame: pd.DataFrame, id_columns: Sequence[str]) -> list[str]:
    """Return the metric columns of a per-replication frame, rejecting non-numeric ones."""
    metrics = [column for column in frame.columns if column not in set(id_columns)]
    non_numeric = [
        str(column)
        for column in metrics
        if not (pd.api.types.is_numeric_dtype(frame[column]) or pd.api.types.is_bool_dtype(frame[column]))
    ]
    if non_numeric:
        raise ValueError(
            f"metric columns must be numeric, but {non_numeric} are not; drop them or list them in "
            f"id_columns (currently {list(id_columns)})"
        )
    return [str(column) for column in metrics]


def _summarize_values(values: np.ndarray, interval: float) -> dict[str, float | int]:
    """Summarise the finite values of one metric (NaN already removed)."""
    count = int(values.size)
    if count == 0:
        return {
            "mean": math.nan,
            "std": math.nan,
            "low": math.nan,
            "high": math.nan,
            "mean_ci_low": math.nan,
            "mean_ci_high": math.nan,
            "n": 0,
        }
    tail = (1.0 - interval) / 2.0
    low, high = np.quantile(values, [tail, 1.0 - tail])
    ci_low, ci_high = t_interval(values, interval)
    if np.all(values == values[0]):
        # Identical values: report them exactly (np.mean/np.std would leave rounding residue), so the
        # collapsed confidence interval equals the mean.
        mean, std = float(values[0]), (0.0 if count >= 2 else math.nan)
    else:
        mean, std = float(np.mean(values)), float(np.std(values, ddof=1))
    return {
        "mean": mean,
        "std": std,
        "low": float(low),
        "high": float(high),
        "mean_ci_low": ci_low,
        "mean_ci_high": ci_high,
        "n": count,
    }


def summarize_metrics(
    per_replication: pd.DataFrame,
    interval: float = 0.90,
    *,
    id_columns: Sequence[str] = ID_COLUMNS,
) -> pd.DataFrame:
    """Summarise each outcome metric over the replications of one scenario.

    Args:
        per_replication: One row per replication, one numeric (or boolean) column per metric. NaN marks a
            metric that is undefined in that replication; it is ignored. Columns named in ``id_columns``
            (by default ``replication`` and ``seed``) are skipped.
        interval: Two-sided coverage used both for the spread of outcomes and for the confidence interval
            of the mean; 0.90 gives the 5th/95th percentiles and a 90 % t-interval.
        id_columns: Identifier columns that are not metrics.

    Returns:
        One row per metric (index named ``metric``, in column order) with columns

        * ``mean``, ``std`` - sample mean and standard deviation (``ddof=1``) of the finite values;
        * ``low``, ``high`` - the ``(1 - interval) / 2`` and ``(1 + interval) / 2`` quantiles (numpy's
          default linear interpolation): the spread of outcomes, not the precision of the mean;
        * ``mean_ci_low``, ``mean_ci_high`` - Student-t confidence interval of the mean at ``interval``
          (NaN when ``n < 2``; collapsed to the mean when all values are equal);
        * ``n`` - number of finite values used.

        A metric with no finite value has ``n == 0`` and NaN elsewhere.

    Raises:
        ValueError: If ``interval`` is not strictly between 0 and 1 or a metric column is not numeric.
    """
    level = check_level(interval, "interval")
    metrics = _metric_columns(per_replication, id_columns)
    rows = []
    for metric in metrics:
        column = per_replication[metric].to_numpy(dtype=float, na_value=np.nan)
        rows.append(_summarize_values(column[~np.isnan(column)], level))
    table = pd.DataFrame(rows, index=pd.Index(metrics, name="metric"), columns=list(SUMMARY_COLUMNS))
    return table.astype({"n": "int64"})


def wilson_interval(successes: int, trials: int, level: float = 0.90) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion (no continuity correction).

    Args:
        successes: Number of successes, ``0 <= successes <= trials``.
        trials: Number of trials.
        level: Two-sided coverage, strictly between 0 and 1.

    Returns:
        ``(low, high)``, within ``[0, 1]``; ``(nan, nan)`` when ``trials == 0``.

    Raises:
        ValueError: If the counts are inconsistent or the level is invalid.
    """
    level = check_level(level, "level")
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"need 0 <= successes <= trials, got successes={successes}, trials={trials}")
    if trials == 0:
        return (math.nan, math.nan)
    z = float(special.ndtri(0.5 + level / 2.0))  # standard normal quantile
    proportion = successes / trials
    denominator = 1.0 + z * z / trials
    centre = (proportion + z * z / (2.0 * trials)) / denominator
    half_width = (z / denominator) * math.sqrt(
        proportion * (1.0 - proportion) / trials + z * z / (4.0 * trials * trials)
    )
    # At 0 or all successes the bound is exactly 0 or 1; set it so rounding cannot leave it just inside.
    low = 0.0 if successes == 0 else max(0.0, centre - half_width)
    high = 1.0 if successes == trials else min(1.0, centre + half_width)
    return (low, high)
