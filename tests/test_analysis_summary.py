"""Tests for sim.analysis.summary: per-metric summaries and the Wilson interval.

Expected values are computed by hand from the literal numbers in each test (quantiles with numpy's
linear interpolation, t quantiles from scipy.stats.t.ppf, z from scipy.stats.norm.ppf).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.summary import summarize_metrics, wilson_interval


@pytest.fixture
def per_replication() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "replication": [0, 1, 2, 3, 4],
            "seed": [11, 12, 13, 14, 15],
            "leakers": [1.0, 2.0, 3.0, 4.0, 10.0],
            "intercept_rate": [0.5, np.nan, 0.7, 0.9, np.nan],
            "magazine_empty": [True, False, True, True, True],
        }
    )


def test_summary_columns_and_id_columns_skipped(per_replication: pd.DataFrame) -> None:
    table = summarize_metrics(per_replication)
    assert list(table.columns) == ["mean", "std", "low", "high", "mean_ci_low", "mean_ci_high", "n"]
    assert list(table.index) == ["leakers", "intercept_rate", "magazine_empty"]
    assert table.index.name == "metric"
    assert table["n"].dtype == np.int64


def test_summary_hand_computed(per_replication: pd.DataFrame) -> None:
    row = summarize_metrics(per_replication, interval=0.90).loc["leakers"]
    # mean = 20 / 5 = 4; squared deviations 9 + 4 + 1 + 0 + 36 = 50; variance 50 / 4 = 12.5.
    assert row["mean"] == pytest.approx(4.0)
    assert row["std"] == pytest.approx(math.sqrt(12.5))
    # 5th percentile at position 0.05 * 4 = 0.2 between 1 and 2; 95th at 3.8 between 4 and 10.
    assert row["low"] == pytest.approx(1.0 + 0.2 * (2.0 - 1.0))
    assert row["high"] == pytest.approx(4.0 + 0.8 * (10.0 - 4.0))
    half_width = stats.t.ppf(0.95, 4) * math.sqrt(12.5) / math.sqrt(5)
    assert half_width == pytest.approx(2.1318468 * 1.5811388, rel=1e-6)
    assert row["mean_ci_low"] == pytest.approx(4.0 - half_width)
    assert row["mean_ci_high"] == pytest.approx(4.0 + half_width)
    assert row["n"] == 5


def test_summary_ignores_nan_and_reports_n(per_replication: pd.DataFrame) -> None:
    row = summarize_metrics(per_replication).loc["intercept_rate"]
    # Finite values 0.5, 0.7, 0.9: mean 0.7, variance (0.04 + 0 + 0.04) / 2 = 0.04.
    assert row["n"] == 3
    assert row["mean"] == pytest.approx(0.7)
    assert row["std"] == pytest.approx(0.2)
    assert row["low"] == pytest.approx(0.5 + 0.1 * 0.2)  # position 0.05 * 2 = 0.1
    assert row["high"] == pytest.approx(0.7 + 0.9 * 0.2)  # position 1.9
    half_width = stats.t.ppf(0.95, 2) * 0.2 / math.sqrt(3)
    assert row["mean_ci_low"] == pytest.approx(0.7 - half_width)
    assert row["mean_ci_high"] == pytest.approx(0.7 + half_width)


def test_summary_boolean_metric_is_a_fraction(per_replication: pd.DataFrame) -> None:
    row = summarize_metrics(per_replication).loc["magazine_empty"]
    assert row["mean"] == pytest.approx(0.8)
    assert row["n"] == 5


def test_summary_other_interval_gives_quartiles(per_replication: pd.DataFrame) -> None:
    row = summarize_metrics(per_replication, interval=0.5).loc["leakers"]
    assert row["low"] == pytest.approx(2.0)
    assert row["high"] == pytest.approx(4.0)
    half_width = stats.t.ppf(0.75, 4) * math.sqrt(12.5) / math.sqrt(5)
    assert row["mean_ci_high"] == pytest.approx(4.0 + half_width)


def test_summary_degenerate_metrics() -> None:
    frame = pd.DataFrame(
        {
            "never_defined": [np.nan, np.nan, np.nan],
            "defined_once": [np.nan, 2.5, np.nan],
            "constant": [0.1, 0.1, 0.1],
        }
    )
    table = summarize_metrics(frame)
    never = table.loc["never_defined"]
    assert never["n"] == 0
    assert never[["mean", "std", "low", "high", "mean_ci_low", "mean_ci_high"]].isna().all()
    once = table.loc["defined_once"]
    assert once["n"] == 1
    assert once["mean"] == once["low"] == once["high"] == 2.5
    assert math.isnan(once["std"]) and math.isnan(once["mean_ci_low"]) and math.isnan(once["mean_ci_high"])
    constant = table.loc["constant"]
    assert constant["std"] == 0.0
    assert constant["mean_ci_low"] == constant["mean"] == constant["mean_ci_high"] == 0.1


@pytest.mark.parametrize("interval", [0.0, 1.0, 90, -0.5])
def test_summary_rejects_bad_interval(per_replication: pd.DataFrame, interval: float) -> None:
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        summarize_metrics(per_replication, interval=interval)


def test_summary_rejects_non_numeric_metric() -> None:
    frame = pd.DataFrame({"scenario": ["a", "b"], "leakers": [1.0, 2.0]})
    with pytest.raises(ValueError, match=r"\['scenario'\]"):
        summarize_metrics(frame)
    table = summarize_metrics(frame, id_columns=("scenario",))
    assert list(table.index) == ["leakers"]


@given(trials=st.integers(min_value=1, max_value=500), data=st.data())
def test_wilson_matches_scipy_and_brackets_the_proportion(trials: int, data: st.DataObject) -> None:
    successes = data.draw(st.integers(min_value=0, max_value=trials))
    low, high = wilson_interval(successes, trials, 0.90)
    assert 0.0 <= low <= successes / trials <= high <= 1.0
    reference = stats.binomtest(successes, trials).proportion_ci(confidence_level=0.90, method="wilson")
    assert low == pytest.approx(reference.low, abs=1e-12)
    assert high == pytest.approx(reference.high, abs=1e-12)
