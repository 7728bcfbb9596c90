"""Daily series over replications (sim.analysis.timeseries): aggregation per replication and the band across them."""

from __future__ import annotations

import pandas as pd
import pytest

from sim.analysis.timeseries import band, per_replication_values


def _series(values_by_replication: dict[int, list[float]]) -> pd.DataFrame:
    rows = [
        {"point": 0, "replication": replication, "day": day, "leakers": value}
        for replication, values in values_by_replication.items()
        for day, value in enumerate(values)
    ]
    return pd.DataFrame(rows)


def test_cumulative_is_a_running_total_per_replication() -> None:
    frame = per_replication_values(_series({0: [1, 2, 3], 1: [10, 0, 5]}), "leakers", "cumulative")
    assert frame[frame["replication"] == 0]["value"].tolist() == [1, 3, 6]
    assert frame[frame["replication"] == 1]["value"].tolist() == [10, 10, 15]
    assert frame.columns.tolist() == ["point", "replication", "step", "value"]


def test_weekly_sums_whole_weeks_and_leaves_out_an_incomplete_last_week() -> None:
    # 10 days: week 0 (days 0-6) sums to 7; days 7-9 are an incomplete week and are dropped.
    frame = per_replication_values(_series({0: [1.0] * 10}), "leakers", "weekly")
    assert frame["step"].tolist() == [0]
    assert frame["value"].tolist() == [7.0]


def test_daily_drops_undefined_values() -> None:
    frame = per_replication_values(_series({0: [1.0, float("nan"), 3.0]}), "leakers")
    assert frame["step"].tolist() == [0, 2]


def test_band_is_the_mean_and_the_central_quantiles_across_replications() -> None:
    # Day 0 over 11 replications: 0, 1, ..., 10. Mean 5; the 5th and 95th percentiles (linear) are 0.5 and 9.5.
    values = per_replication_values(
        _series({replication: [float(replication)] for replication in range(11)}), "leakers"
    )
    row = band(values, 0.90).iloc[0]
    assert (row["mean"], row["low"], row["high"], row["n"]) == pytest.approx((5.0, 0.5, 9.5, 11))
    wide = band(values, 0.50).iloc[0]
    assert (wide["low"], wide["high"]) == pytest.approx((2.5, 7.5))
