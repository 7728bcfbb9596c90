"""Tests for sim.analysis.paired: common-random-numbers comparisons."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.paired import PairedDifference, compare_frames, paired_difference


def test_paired_difference_hand_computed() -> None:
    treatment = np.array([10.0, 12.0, 11.0, 15.0])
    baseline = np.array([8.0, 11.0, 11.0, 12.0])
    # Differences 2, 1, 0, 3: mean 1.5; squared deviations 0.25 + 0.25 + 2.25 + 2.25 = 5, variance 5 / 3.
    standard_error = math.sqrt(5 / 3 / 4)
    result = paired_difference(treatment, baseline)
    half_width = stats.t.ppf(0.95, 3) * standard_error  # 2.3533634 * 0.6454972 = 1.519
    assert result.mean == pytest.approx(1.5)
    assert result.low == pytest.approx(1.5 - half_width)
    assert result.high == pytest.approx(1.5 + half_width)
    assert result.n == 4
    assert result.low < 0.0 and not result.significant  # (-0.019, 3.019) includes 0 at 90 %

    at_80 = paired_difference(treatment, baseline, level=0.80)
    half_width_80 = stats.t.ppf(0.90, 3) * standard_error  # 1.6377444 * 0.6454972 = 1.057
    assert at_80.low == pytest.approx(1.5 - half_width_80)
    assert at_80.significant  # (0.443, 2.557) excludes 0


def test_paired_difference_drops_pairs_with_a_missing_value() -> None:
    treatment = np.array([10.0, 12.0, np.nan, 11.0, 15.0, 7.0])
    baseline = np.array([8.0, 11.0, 4.0, 11.0, 12.0, np.inf])
    assert paired_difference(treatment, baseline) == paired_difference(
        np.array([10.0, 12.0, 11.0, 15.0]), np.array([8.0, 11.0, 11.0, 12.0])
    )


def test_zero_variance_collapses_interval() -> None:
    baseline = np.array([1.0, 2.0, 3.0, 4.0])
    shifted = paired_difference(baseline + 0.5, baseline)
    assert shifted == PairedDifference(mean=0.5, low=0.5, high=0.5, significant=True, n=4)
    identical = paired_difference(baseline, baseline)
    assert identical == PairedDifference(mean=0.0, low=0.0, high=0.0, significant=False, n=4)


def test_fewer_than_two_pairs() -> None:
    single = paired_difference(np.array([5.0, np.nan]), np.array([3.0, 1.0]))
    assert single.n == 1 and single.mean == 2.0 and not single.significant
    assert math.isnan(single.low) and math.isnan(single.high)
    empty = paired_difference(np.array([np.nan]), np.array([1.0]))
    assert empty.n == 0 and not empty.significant
    assert math.isnan(empty.mean) and math.isnan(empty.low) and math.isnan(empty.high)


def test_paired_difference_bad_inputs() -> None:
    with pytest.raises(ValueError, match="3 and 2 values"):
        paired_difference(np.ones(3), np.ones(2))
    with pytest.raises(ValueError, match="one-dimensional"):
        paired_difference(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        paired_difference(np.ones(3), np.ones(3), level=95)


def test_common_random_numbers_narrow_the_interval() -> None:
    rng = np.random.default_rng(2024)
    replications = 50
    shared_noise = rng.normal(0.0, 20.0, replications)  # the same seed drives both scenarios
    baseline = 100.0 + shared_noise + rng.normal(0.0, 0.5, replications)
    treatment = 102.0 + shared_noise + rng.normal(0.0, 0.5, replications)

    paired = paired_difference(treatment, baseline)
    # Unpaired (Welch) interval, as if the two scenarios had been run with independent seeds.
    var_t, var_b = treatment.var(ddof=1) / replications, baseline.var(ddof=1) / replications
    dof = (var_t + var_b) ** 2 / (var_t**2 / (replications - 1) + var_b**2 / (replications - 1))
    unpaired_half_width = stats.t.ppf(0.95, dof) * math.sqrt(var_t + var_b)
    unpaired_centre = treatment.mean() - baseline.mean()

    assert paired.high - paired.low < (2 * unpaired_half_width) / 10
    assert paired.significant and paired.mean == pytest.approx(2.0, abs=0.5)
    assert unpaired_centre - unpaired_half_width < 0.0 < unpaired_centre + unpaired_half_width


def test_paired_interval_has_nominal_coverage() -> None:
    # 2000 seeded experiments of 5 pairs each; the true mean difference is 1.0. A 90 % t-interval covers
    # it with probability 0.90 (binomial sd of the observed fraction 0.0067, tolerance 0.03 = 4.5 sd);
    # a normal (z) interval would cover only P(|t_4| < 1.645) = 0.825 and fail.
    rng = np.random.default_rng(7)
    experiments = 2000
    covered = 0
    for _ in range(experiments):
        baseline = rng.normal(50.0, 10.0, 5)
        result = paired_difference(baseline + 1.0 + rng.normal(0.0, 2.0, 5), baseline)
        covered += result.low <= 1.0 <= result.high
    assert covered / experiments == pytest.approx(0.90, abs=0.03)


@given(
    st.lists(
        st.tuples(
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False),
        ),
        min_size=0,
        max_size=30,
    )
)
def test_swapping_scenarios_negates_the_difference(pairs: list[tuple[float, float]]) -> None:
    treatment = np.array([pair[0] for pair in pairs], dtype=float)
    baseline = np.array([pair[1] for pair in pairs], dtype=float)
    forward = paired_difference(treatment, baseline)
    backward = paired_difference(baseline, treatment)
    assert forward.n == backward.n == len(pairs)
    assert forward.significant == backward.significant
    if forward.n:
        assert backward.mean == pytest.approx(-forward.mean, abs=1e-9)
    if forward.n >= 2:
        assert backward.low == pytest.approx(-forward.high, abs=1e-6)
        assert backward.high == pytest.approx(-forward.low, abs=1e-6)
        assert forward.low <= forward.mean <= forward.high


@pytest.fixture
def frames() -> dict[str, pd.DataFrame]:
    baseline = pd.DataFrame(
        {
            "replication": [0, 1, 2, 3],
            "seed": [7, 8, 9, 10],
            "leakers": [5.0, 7.0, 6.0, 9.0],
            "intercept_rate": [0.8, np.nan, 0.7, 0.9],
        }
    )
    # Rows in another order, one replication the baseline does not have (4): aligned by id, not position.
    more_interceptors = pd.DataFrame(
        {
            "replication": [3, 1, 0, 2, 4],
            "seed": [10, 8, 7, 9, 11],
            "leakers": [6.0, 6.0, 3.0, 5.0, 100.0],
            "intercept_rate": [0.95, 0.9, 0.9, 0.75, 0.0],
        }
    )
    return {"baseline": baseline, "more_interceptors": more_interceptors}


def test_compare_frames_aligns_by_replication(frames: dict[str, pd.DataFrame]) -> None:
    table = compare_frames(frames, baseline="baseline")
    assert list(table.columns) == [
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
    ]
    assert list(zip(table["scenario"], table["metric"], strict=True)) == [
        ("baseline", "leakers"),
        ("baseline", "intercept_rate"),
        ("more_interceptors", "leakers"),
        ("more_interceptors", "intercept_rate"),
    ]
    rows = table.set_index(["scenario", "metric"])

    leakers = rows.loc[("more_interceptors", "leakers")]
    # By replication 0..3: treatment 3, 6, 5, 6 vs baseline 5, 7, 6, 9 -> differences -2, -1, -1, -3.
    expected = paired_difference(np.array([3.0, 6.0, 5.0, 6.0]), np.array([5.0, 7.0, 6.0, 9.0]))
    assert leakers["diff_mean"] == pytest.approx(-1.75)
    assert (leakers["diff_low"], leakers["diff_high"]) == pytest.approx((expected.low, expected.high))
    assert leakers["significant"] == expected.significant
    assert leakers["n"] == 4
    # Scenario mean over shared replications only (replication 4 with 100 leakers is not in the baseline).
    assert leakers["mean"] == pytest.approx(5.0)
    assert leakers["low"] == pytest.approx(3.0 + 0.15 * 2.0)  # 5th percentile: position 0.15 of 3, 5
    assert leakers["high"] == pytest.approx(6.0)

    rate = rows.loc[("more_interceptors", "intercept_rate")]
    # Replication 1 is NaN in the baseline: pairs 0, 2, 3 -> differences 0.1, 0.05, 0.05.
    assert rate["n"] == 3
    assert rate["diff_mean"] == pytest.approx(0.2 / 3)
    assert rate["mean"] == pytest.approx((0.9 + 0.9 + 0.75 + 0.95) / 4)

    base = rows.loc[("baseline", "leakers")]
    assert base["diff_mean"] == 0.0 and base["diff_low"] == 0.0 and base["diff_high"] == 0.0
    assert not base["significant"]
    assert base["mean"] == pytest.approx(6.75)


def test_compare_frames_errors(frames: dict[str, pd.DataFrame]) -> None:
    with pytest.raises(ValueError, match="baseline 'status_quo' is not among the scenarios"):
        compare_frames(frames, baseline="status_quo")
    without_ids = {**frames, "broken": frames["baseline"].drop(columns="replication")}
    with pytest.raises(ValueError, match="frame 'broken' has no 'replication' column"):
        compare_frames(without_ids, baseline="baseline")
    duplicated = {**frames, "dup": pd.concat([frames["baseline"], frames["baseline"].iloc[:1]])}
    with pytest.raises(ValueError, match=r"duplicate replication ids \[0\]"):
        compare_frames(duplicated, baseline="baseline")
    disjoint = {**frames, "elsewhere": frames["baseline"].assign(replication=[10, 11, 12, 13])}
    with pytest.raises(ValueError, match="shares no replication id"):
        compare_frames(disjoint, baseline="baseline")


def test_compare_frames_skips_metrics_not_everywhere(frames: dict[str, pd.DataFrame]) -> None:
    extended = {**frames, "more_interceptors": frames["more_interceptors"].assign(extra_metric=1.0)}
    with pytest.warns(UserWarning, match="extra_metric"):
        table = compare_frames(extended, baseline="baseline")
    assert set(table["metric"]) == {"leakers", "intercept_rate"}
