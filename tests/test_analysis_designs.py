"""Tests for sim.analysis.designs: grid, Latin hypercube, Sobol and Morris designs."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from sim.analysis.designs import (
    Design,
    Parameter,
    grid_design,
    lhs_design,
    make_design,
    morris_design,
    sobol_design,
)

PARAMS = [
    Parameter("interceptor_cost_meur", 0.02, 0.5),
    Parameter("production_per_month", 100.0, 1000.0),
    Parameter("kill_probability", 0.3, 0.9),
]


def assert_within_bounds(design: Design) -> None:
    lows = np.array([parameter.low for parameter in design.parameters])
    highs = np.array([parameter.high for parameter in design.parameters])
    assert np.all(design.points >= lows) and np.all(design.points <= highs)


def test_grid_is_full_factorial_including_bounds() -> None:
    design = grid_design(PARAMS, 3)
    assert design.method == "grid"
    assert design.points.shape == (3**3, 3)
    for column, parameter in enumerate(PARAMS):
        levels = np.unique(design.points[:, column])
        np.testing.assert_array_equal(levels, np.linspace(parameter.low, parameter.high, 3))
        assert levels[0] == parameter.low and levels[-1] == parameter.high
    combinations = {tuple(point) for point in design.points}
    expected = set(itertools.product(*(np.linspace(p.low, p.high, 3) for p in PARAMS)))
    assert combinations == expected
    # First parameter varies slowest: first point all lows, last point all highs.
    np.testing.assert_array_equal(design.points[0], [p.low for p in PARAMS])
    np.testing.assert_array_equal(design.points[-1], [p.high for p in PARAMS])
    assert_within_bounds(design)


def test_grid_two_levels_single_parameter() -> None:
    design = grid_design([Parameter("x", -1.0, 1.0)], 2)
    np.testing.assert_array_equal(design.points, [[-1.0], [1.0]])


@pytest.mark.parametrize("samples", [1, 7, 20])
def test_lhs_one_point_per_stratum(samples: int) -> None:
    design = lhs_design(PARAMS, samples, seed=5)
    assert design.points.shape == (samples, 3)
    assert_within_bounds(design)
    for column, parameter in enumerate(PARAMS):
        unit = (design.points[:, column] - parameter.low) / (parameter.high - parameter.low)
        strata = np.floor(unit * samples).astype(int)
        np.testing.assert_array_equal(np.sort(strata), np.arange(samples))


def test_random_designs_are_reproducible_by_seed() -> None:
    np.testing.assert_array_equal(lhs_design(PARAMS, 16, 3).points, lhs_design(PARAMS, 16, 3).points)
    assert not np.array_equal(lhs_design(PARAMS, 16, 3).points, lhs_design(PARAMS, 16, 4).points)
    np.testing.assert_array_equal(sobol_design(PARAMS, 16, 3).points, sobol_design(PARAMS, 16, 3).points)
    assert not np.array_equal(sobol_design(PARAMS, 16, 3).points, sobol_design(PARAMS, 16, 4).points)
    np.testing.assert_array_equal(morris_design(PARAMS, 5, seed=3).points, morris_design(PARAMS, 5, seed=3).points)
    assert not np.array_equal(morris_design(PARAMS, 5, seed=3).points, morris_design(PARAMS, 5, seed=4).points)
    np.testing.assert_array_equal(make_design("lhs", PARAMS, 16, 9).points, lhs_design(PARAMS, 16, 9).points)


@pytest.mark.parametrize(("second_order", "rows_per_base_sample"), [(False, 3 + 2), (True, 2 * 3 + 2)])
def test_sobol_point_count_and_saltelli_layout(second_order: bool, rows_per_base_sample: int) -> None:
    base_samples = 16
    design = sobol_design(PARAMS, base_samples, seed=1, calc_second_order=second_order)
    assert design.points.shape == (base_samples * rows_per_base_sample, 3)
    assert design.calc_second_order is second_order
    assert_within_bounds(design)
    # Each block is A, AB_1..AB_k, [BA_1..BA_k,] B; AB_j equals A except in column j, where it equals B.
    blocks = design.points.reshape(base_samples, rows_per_base_sample, 3)
    a_rows, b_rows = blocks[:, 0, :], blocks[:, -1, :]
    for j in range(3):
        ab_rows = blocks[:, 1 + j, :]
        others = [c for c in range(3) if c != j]
        np.testing.assert_array_equal(ab_rows[:, others], a_rows[:, others])
        np.testing.assert_array_equal(ab_rows[:, j], b_rows[:, j])


def test_sobol_warns_when_not_a_power_of_two() -> None:
    with pytest.warns(UserWarning, match="not a power of 2.*consider 128"):
        design = sobol_design(PARAMS, 100, seed=1)
    assert design.points.shape == (100 * 5, 3)


def test_morris_point_count_and_trajectories() -> None:
    trajectories, levels = 6, 4
    design = morris_design(PARAMS, trajectories, levels, seed=2)
    k = len(PARAMS)
    assert design.points.shape == (trajectories * (k + 1), k)
    assert design.levels == levels
    assert_within_bounds(design)
    ranges = np.array([p.high - p.low for p in PARAMS])
    lows = np.array([p.low for p in PARAMS])
    # Every coordinate lies on the 4-level grid (0, 1/3, 2/3, 1 of the range).
    grid_index = (design.points - lows) / ranges * (levels - 1)
    np.testing.assert_allclose(grid_index, np.round(grid_index), atol=1e-9)
    # Within a trajectory each step moves exactly one parameter, by delta = levels / (2 (levels - 1)).
    delta = levels / (2 * (levels - 1))
    for trajectory in design.points.reshape(trajectories, k + 1, k):
        steps = np.diff(trajectory, axis=0) / ranges
        moved = np.abs(steps) > 1e-12
        np.testing.assert_array_equal(moved.sum(axis=1), np.ones(k))
        np.testing.assert_array_equal(np.sort(np.argmax(moved, axis=1)), np.arange(k))
        np.testing.assert_allclose(np.abs(steps[moved]), delta)


def test_make_design_dispatches() -> None:
    assert make_design("grid", PARAMS, 2, seed=None).points.shape == (8, 3)
    assert make_design("lhs", PARAMS, 10, seed=1).points.shape == (10, 3)
    sobol = make_design("sobol", PARAMS, 8, seed=1)
    assert (sobol.method, sobol.points.shape, sobol.calc_second_order) == ("sobol", (8 * 5, 3), False)
    morris = make_design("morris", PARAMS, 4, seed=1)
    assert (morris.method, morris.points.shape, morris.levels) == ("morris", (4 * 4, 3), 4)


def test_design_problem_and_frame() -> None:
    design = lhs_design(PARAMS, 4, seed=0)
    problem = design.problem
    assert problem == {
        "num_vars": 3,
        "names": ["interceptor_cost_meur", "production_per_month", "kill_probability"],
        "bounds": [[0.02, 0.5], [100.0, 1000.0], [0.3, 0.9]],
    }
    problem["sample_scaled"] = True  # SALib mutates problems; the design must hand out fresh copies
    assert "sample_scaled" not in design.problem
    frame = design.to_frame()
    assert list(frame.columns) == design.names
    np.testing.assert_array_equal(frame.to_numpy(), design.points)
    with pytest.raises(ValueError, match="read-only"):
        design.points[0, 0] = 1.0


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Parameter("x", 2.0, 2.0), r"'x' has equal bounds \(low == high == 2.0\)"),
        (lambda: Parameter("x", 3.0, 1.0), r"'x' has low \(3.0\) > high \(1.0\)"),
        (lambda: Parameter("x", math.nan, 1.0), "low must be a finite number"),
        (lambda: Parameter("x", 0.0, math.inf), "high must be a finite number"),
        (lambda: Parameter("", 0.0, 1.0), "non-empty string"),
        (lambda: grid_design([], 3), "at least one parameter"),
        (lambda: grid_design([PARAMS[0], PARAMS[0]], 3), "unique.*interceptor_cost_meur"),
        (lambda: grid_design(PARAMS, 1), "levels_per_parameter must be >= 2, got 1"),
        (lambda: grid_design(PARAMS * 1, 200), "8000000 points, more than max_points"),
        (lambda: lhs_design(PARAMS, 0, seed=1), "samples must be >= 1, got 0"),
        (lambda: lhs_design(PARAMS, 2.5, seed=1), r"samples must be an integer >= 1, got 2.5"),  # type: ignore[arg-type]
        (lambda: lhs_design(PARAMS, 4, seed=-1), "seed must be a non-negative integer"),
        (lambda: sobol_design(PARAMS, 0, seed=1), "samples must be >= 1"),
        (lambda: morris_design(PARAMS, 1, seed=1), "trajectories must be >= 2, got 1"),
        (lambda: morris_design(PARAMS, 4, 5, seed=1), "levels must be even"),
        (lambda: make_design("halton", PARAMS, 4, seed=1), "valid methods are grid, lhs, sobol, morris"),
    ],
)
def test_bad_inputs_raise_clear_errors(make: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()  # type: ignore[operator]
