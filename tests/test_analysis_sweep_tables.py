"""``sim.analysis.sweep_tables``: a sweep's per-point table and its sensitivity table, from plain inputs."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.designs import Parameter, make_design
from sim.analysis.sweep_tables import analysis_of, points_table, sensitivity_table


def test_points_table_counts_replications_and_averages_ok_ones() -> None:
    applied = np.array([[1.0], [2.0], [3.0]])
    metrics = pd.DataFrame(
        {
            "point": [0, 0, 1, 1, 2],
            "status": ["ok", "ok", "ok", "failed", "failed"],
            "leakers": [2.0, 4.0, math.nan, 99.0, 99.0],
        }
    )
    table = points_table(["x"], applied, ["leakers", "absent"], metrics)
    assert list(table.columns) == ["point", "x", "replications_ok", "replications_failed", "leakers", "absent"]
    assert table["replications_ok"].tolist() == [2, 1, 0]
    assert table["replications_failed"].tolist() == [0, 1, 1]
    assert table["leakers"].iloc[0] == 3.0  # the mean of the two ok replications
    assert math.isnan(table["leakers"].iloc[1])  # its only ok value is NaN; the failed 99 is not counted
    assert math.isnan(table["leakers"].iloc[2])
    assert table["absent"].isna().all()


def test_regression_reads_the_values_run_and_points_without_a_value_are_noted() -> None:
    design = make_design("lhs", [Parameter("a", 0.0, 1.0), Parameter("b", 0.0, 1.0)], 8, 3)
    assert analysis_of(design.method) == "regression"
    applied = np.round(design.points, 1)
    points = pd.DataFrame({"y": 2.0 * applied[:, 0] + 0.0 * applied[:, 1], "z": [math.nan] + [1.0] * 7})
    indices, notes = sensitivity_table(design, applied, ["y", "z"], points)
    assert notes == [
        "z: not analysed, 1 of 8 points have no value (the metric is undefined there, or every replication failed)"
    ]
    ranked = indices.set_index("parameter")
    assert set(indices["outcome"]) == {"y"} and set(indices["method"]) == {"regression"}
    assert ranked.loc["a", "rank"] == 1
    assert ranked.loc["a", "influence"] == pytest.approx(1.0)  # y is exactly linear in the values run


@pytest.mark.parametrize(("method", "analysis"), [("grid", "regression"), ("sobol", "sobol"), ("morris", "morris")])
def test_each_method_has_its_analysis(method: str, analysis: str) -> None:
    assert analysis_of(method) == analysis
