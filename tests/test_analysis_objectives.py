"""Tests for sim.analysis.objectives: whether an objective is met, its probability over replications, the verdict.

Expected values are worked out by hand from the literal numbers in each test (z from scipy.stats.norm.ppf).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from sim.analysis.objectives import (
    ProbabilityEstimate,
    evaluate_objectives,
    is_met,
    likelihood,
    margin,
    met,
    objective_probability,
    probabilities_by_group,
)
from sim.scenario.model import Objective


@pytest.mark.parametrize(
    ("value", "direction", "expected"),
    [
        (0.9, ">=", True),
        (0.89, ">=", False),
        (0.9, ">", False),
        (0.9, "<=", True),
        (0.91, "<=", False),
        (0.9, "<", False),
        (math.nan, ">=", False),
        (math.nan, "<=", False),
    ],
)
def test_is_met_compares_with_the_threshold_and_nan_never_meets(value: float, direction: str, expected: bool) -> None:
    assert is_met(value, 0.9, direction) is expected


def test_met_agrees_with_is_met_value_by_value() -> None:
    values = np.array([0.5, 0.9, 1.2, np.nan])
    assert met(values, 0.9, ">=").tolist() == [False, True, True, False]
    assert met(values, 0.9, "<=").tolist() == [True, True, False, False]
    for direction in (">=", "<=", ">", "<"):
        assert met(values, 0.9, direction).tolist() == [is_met(value, 0.9, direction) for value in values]


def test_margin_is_positive_on_the_good_side_in_the_metric_units() -> None:
    assert margin(0.95, 0.9, ">=") == pytest.approx(0.05)
    assert margin(120.0, 100.0, "<=") == pytest.approx(-20.0)  # 20 leakers too many
    assert margin(80.0, 100.0, "<=") == pytest.approx(20.0)
    assert math.isnan(margin(math.nan, 100.0, "<="))
    with pytest.raises(ValueError, match="direction must be one of"):
        margin(1.0, 1.0, "=>")


@pytest.mark.parametrize(
    ("probability", "low", "high", "verdict"),
    [
        (0.9, 0.6, 0.97, "likely met"),
        (0.1, 0.03, 0.4, "likely missed"),
        (0.5, 0.3, 0.7, "uncertain"),
        (0.5, 0.5, 0.7, "uncertain"),  # an interval that only touches 50% settles nothing
        (math.nan, math.nan, math.nan, "no data"),
    ],
)
def test_likelihood_reads_the_interval_against_one_half(
    probability: float, low: float, high: float, verdict: str
) -> None:
    assert likelihood(probability, low, high) == verdict


def test_evaluate_objectives_counts_replications_and_marks_missing_metrics() -> None:
    objectives = [
        Objective(name="intercept", metric="rate", threshold=0.9, direction=">="),
        Objective(name="few leakers", metric="leakers", threshold=10.0, direction="<="),
        Objective(name="absent", metric="not_recorded", threshold=1.0),
    ]
    metrics = pd.DataFrame({"rate": [0.95, 0.85, np.nan, 0.9], "leakers": [5.0, 12.0, 10.0, 30.0]})
    table = evaluate_objectives(objectives, metrics).set_index("name")
    assert table.loc["intercept", ["probability", "n"]].tolist() == [2 / 3, 3]
    assert table.loc["few leakers", ["probability", "n"]].tolist() == [0.5, 4]
    assert table.loc["absent", "n"] == 0 and math.isnan(table.loc["absent", "probability"])
    assert list(table.columns) == ["metric", "direction", "threshold", "probability", "low", "high", "n", "description"]


def test_wilson_eight_of_ten_at_90_percent() -> None:
    estimate = objective_probability(np.array([1.0] * 8 + [0.0] * 2), threshold=1.0, direction=">=")
    z = stats.norm.ppf(0.95)  # 1.6448536...
    n, p = 10, 0.8
    centre = (p + z**2 / (2 * n)) / (1 + z**2 / n)
    half_width = z / (1 + z**2 / n) * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    assert isinstance(estimate, ProbabilityEstimate)
    assert (estimate.probability, estimate.n) == (0.8, 10)
    assert estimate.low == pytest.approx(centre - half_width)
    assert estimate.high == pytest.approx(centre + half_width)
    # The same numbers written out, and scipy's independent implementation.
    assert estimate.low == pytest.approx(0.5407928, abs=1e-6)
    assert estimate.high == pytest.approx(0.9314420, abs=1e-6)
    reference = stats.binomtest(8, 10).proportion_ci(confidence_level=0.90, method="wilson")
    assert (estimate.low, estimate.high) == pytest.approx((reference.low, reference.high))


def test_objective_probability_excludes_nan_and_honours_direction() -> None:
    values = np.array([0.95, 0.85, np.nan, 0.9, 0.92])
    assert objective_probability(values, 0.9, ">=").probability == pytest.approx(3 / 4)
    assert objective_probability(values, 0.9, ">").probability == pytest.approx(2 / 4)
    assert objective_probability(values, 0.9, "<=").probability == pytest.approx(2 / 4)
    assert objective_probability(values, 0.9, "<").probability == pytest.approx(1 / 4)
    assert objective_probability(values, 0.9, ">=").n == 4


def test_objective_probability_extremes_and_empty() -> None:
    none_met = objective_probability(np.zeros(10), 1.0, ">=")
    assert none_met.probability == 0.0 and none_met.low == 0.0 and 0.0 < none_met.high < 1.0
    all_met = objective_probability(np.ones(10), 1.0, ">=")
    assert all_met.probability == 1.0 and all_met.high == 1.0 and 0.0 < all_met.low < 1.0
    empty = objective_probability(np.array([np.nan, np.nan]), 1.0, ">=")
    assert empty.n == 0
    assert math.isnan(empty.probability) and math.isnan(empty.low) and math.isnan(empty.high)


def test_objective_probability_bad_arguments() -> None:
    with pytest.raises(ValueError, match=r"direction must be one of \['>=', '<=', '>', '<'\]"):
        objective_probability(np.ones(3), 1.0, "=>")
    with pytest.raises(ValueError, match="NaN"):
        objective_probability(np.ones(3), math.nan, ">=")
    with pytest.raises(ValueError, match="one-dimensional"):
        objective_probability(np.ones((2, 2)), 1.0, ">=")


def test_probability_estimate_is_frozen() -> None:
    estimate = objective_probability(np.ones(3), 1.0, ">=")
    with pytest.raises(AttributeError):
        estimate.probability = 0.5  # type: ignore[misc]


def test_probabilities_by_group_are_each_groups_share_meeting_with_nan_left_out() -> None:
    objectives = [
        Objective(name="rate", metric="rate", direction=">=", threshold=0.5),
        Objective(name="leaks", metric="leaks", direction="<=", threshold=9.0),
        Objective(name="absent", metric="not_stored", direction=">=", threshold=1.0),
    ]
    metrics = pd.DataFrame(
        {
            "point": [2, 2, 2, 0, 0, 1],
            "rate": [0.5, 0.4, math.nan, 0.9, 0.1, math.nan],
            "leaks": [9.0, 10.0, 11.0, 0.0, 3.0, 12.0],
        }
    )

    found = probabilities_by_group(objectives, metrics, "point")

    assert list(found.index) == [0, 1, 2]
    assert list(found.columns) == ["rate", "leaks", "absent"]
    # point 0: rate 1 of 2 met, leaks 2 of 2; point 1: rate none defined (NaN), leaks 0 of 1;
    # point 2: rate 1 of 2 defined (0.5 ≥ 0.5), leaks 1 of 3 (9 ≤ 9; 10 and 11 are not).
    assert found["rate"].tolist()[0] == 0.5 and math.isnan(found["rate"].tolist()[1]) and found["rate"][2] == 0.5
    assert found["leaks"].tolist() == [1.0, 0.0, 1 / 3]
    assert found["absent"].isna().all()
    for point, rows in metrics.groupby("point"):  # the same shares as the one-group evaluation
        one = evaluate_objectives(objectives, rows).set_index("name")["probability"]
        assert np.array_equal(found.loc[point].to_numpy(), one.to_numpy(), equal_nan=True)
