"""The one verdict rule on paired differences (sim.analysis.verdicts), with hand-computed cases and boundaries."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.verdicts import add_verdicts, judge_difference, min_difference_for
from sim.model.metrics import FIVE_PERCENT, METRICS, ONE_POINT, MinDifference, default_min_difference, metric_by_name

NAN = float("nan")


@pytest.mark.parametrize(
    ("mean", "low", "high", "size", "better", "verdict"),
    [
        # CI excludes zero and the mean reaches the size: the direction decides.
        (2.0, 1.0, 3.0, 1.5, "higher", "better"),
        (2.0, 1.0, 3.0, 1.5, "lower", "worse"),
        (-2.0, -3.0, -1.0, 1.5, "lower", "better"),
        (-2.0, -3.0, -1.0, 1.5, "higher", "worse"),
        (2.0, 1.0, 3.0, 1.5, "neither", "changed"),
        # Boundary: a mean exactly at the size reaches it.
        (1.5, 1.0, 2.0, 1.5, "higher", "better"),
        # Significant (CI excludes 0) but the mean is below the size, and the CI is not inside ±size: uncertain.
        (1.0, 0.5, 1.5, 1.2, "higher", "uncertain"),
        # Significant but inside ±size: the equivalence case, negligible however significant.
        (0.0004, 0.0001, 0.0007, 0.01, "higher", "negligible"),
        (-0.0004, -0.0007, -0.0001, 0.01, "lower", "negligible"),
        # Not significant but the CI reaches past the size: uncertain.
        (0.5, -1.0, 2.0, 1.0, "higher", "uncertain"),
        # Not significant and inside ±size: negligible.
        (0.1, -0.5, 0.7, 1.0, "higher", "negligible"),
        # Boundary: an end exactly at ±size is not strictly inside.
        (0.0, -1.0, 0.5, 1.0, "higher", "uncertain"),
        (0.0, -0.5, 1.0, 1.0, "higher", "uncertain"),
        # A zero-width CI at zero: negligible for any size, even 0.
        (0.0, 0.0, 0.0, 0.0, "higher", "negligible"),
        (0.0, 0.0, 0.0, 5.0, "lower", "negligible"),
        # Size 0 (relative size of a zero baseline): any clear change matters.
        (0.2, 0.1, 0.3, 0.0, "lower", "worse"),
        (0.2, -0.1, 0.5, 0.0, "lower", "uncertain"),
        # Undefined.
        (NAN, NAN, NAN, 1.0, "higher", "no data"),
        (1.0, NAN, NAN, 1.0, "higher", "no data"),
    ],
)
def test_judge_difference(mean: float, low: float, high: float, size: float, better: str, verdict: str) -> None:
    assert judge_difference(mean, low, high, size, better) == verdict


def test_judge_difference_refuses_a_bad_direction_or_size() -> None:
    with pytest.raises(ValueError, match="better must be one of"):
        judge_difference(1.0, 0.5, 1.5, 0.1, "up")
    with pytest.raises(ValueError, match="min_difference must be ≥ 0"):
        judge_difference(1.0, 0.5, 1.5, -0.1, "higher")


def test_every_metric_has_a_size_shares_one_point_others_five_percent() -> None:
    rate = metric_by_name("ukraine_drone_intercept_rate")
    assert default_min_difference(rate) == ONE_POINT
    assert default_min_difference(metric_by_name("ukraine_leakers")) == FIVE_PERCENT
    assert default_min_difference(metric_by_name("nato_empty_magazine_days")) == MinDifference(1.0)
    assert default_min_difference(metric_by_name("leakers.PL")) == FIVE_PERCENT
    for metric in METRICS:
        assert default_min_difference(metric).value > 0


def test_min_difference_for_scales_a_relative_size_by_the_baseline_mean() -> None:
    assert min_difference_for("ukraine_leakers", 640.0) == pytest.approx(32.0)  # 5% of 640
    assert min_difference_for("ukraine_leakers", -640.0) == pytest.approx(32.0)  # of its magnitude
    assert min_difference_for("ukraine_drone_intercept_rate", 0.9) == pytest.approx(0.01)  # 1 pp, absolute
    assert min_difference_for("ukraine_leakers", NAN) == 0.0
    overrides = {"ukraine_leakers": MinDifference(10.0), "leakers": MinDifference(0.5, relative=True)}
    assert min_difference_for("ukraine_leakers", 640.0, overrides) == 10.0
    assert min_difference_for("leakers.PL", 8.0, overrides) == pytest.approx(4.0)  # a family's override


def test_add_verdicts_reads_each_row_against_its_baseline_mean() -> None:
    comparison = pd.DataFrame(
        {
            "scenario": ["base", "base", "wall", "wall"],
            "metric": ["ukraine_leakers", "ukraine_drone_intercept_rate"] * 2,
            "mean": [600.0, 0.95, 560.0, 0.9502],
            "diff_mean": [0.0, 0.0, -40.0, 0.0002],
            "diff_low": [0.0, 0.0, -50.0, 0.0001],
            "diff_high": [0.0, 0.0, -30.0, 0.0003],
        }
    )
    judged = add_verdicts(comparison, "base")
    assert judged["min_difference"].tolist() == pytest.approx([30.0, 0.01, 30.0, 0.01])
    assert judged["verdict"].tolist() == ["negligible", "negligible", "better", "negligible"]
    # The same leakers difference against a larger size: -40 < 50 in size, CI [-50, -30] not inside ±50.
    bigger = add_verdicts(comparison, "base", {"ukraine_leakers": MinDifference(50.0)})
    assert bigger["verdict"].tolist()[2] == "uncertain"
    not_comparable = add_verdicts(comparison, "base", not_comparable=frozenset({"ukraine_leakers"}))
    assert not_comparable["verdict"].tolist()[2] == "not comparable"
    assert math.isclose(MinDifference(0.05, relative=True).absolute(-200.0), 10.0)
