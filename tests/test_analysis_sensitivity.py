"""Tests for sim.analysis.sensitivity against functions with known sensitivity indices."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.analysis.designs import Parameter, grid_design, lhs_design, morris_design, sobol_design
from sim.analysis.sensitivity import (
    CONSTANT_OUTPUT_NOTE,
    binned_means,
    index_kind,
    morris_indices,
    rank_parameters,
    regression_indices,
    sobol_indices,
)

ISHIGAMI_A, ISHIGAMI_B = 7.0, 0.1


def ishigami(points: np.ndarray) -> np.ndarray:
    x1, x2, x3 = points[:, 0], points[:, 1], points[:, 2]
    return np.sin(x1) + ISHIGAMI_A * np.sin(x2) ** 2 + ISHIGAMI_B * x3**4 * np.sin(x1)


def ishigami_analytical_indices() -> tuple[np.ndarray, np.ndarray]:
    """Closed-form S1 and ST of the Ishigami function with x_i ~ U(-pi, pi) (Ishigami & Homma 1990)."""
    a, b, pi = ISHIGAMI_A, ISHIGAMI_B, math.pi
    v1 = 0.5 * (1 + b * pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi**8 * (1 / 18 - 1 / 50)
    total = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / total, np.array([v1 + v13, v2, v13]) / total


ISHIGAMI_PARAMS = [Parameter(f"x{i}", -math.pi, math.pi) for i in (1, 2, 3)]


def test_ishigami_analytical_values() -> None:
    first, total = ishigami_analytical_indices()
    np.testing.assert_allclose(first, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(total, [0.5576, 0.4424, 0.2437], atol=1e-4)


def test_sobol_indices_recover_ishigami() -> None:
    # Tolerance 0.03: with N = 4096 base samples (20,480 runs) the estimates' bootstrap 90 % half-widths
    # are about 0.01-0.04, and over seeds 0-19 the largest error of any index was 0.007. An estimator or
    # layout bug (e.g. S1 and ST swapped, a column mix-up) moves some index by more than 0.2.
    design = sobol_design(ISHIGAMI_PARAMS, 4096, seed=11)
    indices = sobol_indices(design, ishigami(design.points), seed=11)
    first, total = ishigami_analytical_indices()
    assert list(indices.columns) == ["parameter", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(indices["parameter"]) == ["x1", "x2", "x3"]
    np.testing.assert_allclose(indices["S1"], first, atol=0.03)
    np.testing.assert_allclose(indices["ST"], total, atol=0.03)
    assert (indices["S1_conf"] > 0).all() and (indices["ST_conf"] < 0.1).all()

    ranked = rank_parameters(indices, "sobol")
    assert list(ranked["parameter"]) == ["x1", "x2", "x3"]
    assert list(ranked["rank"]) == [1, 2, 3]


def test_sobol_indices_outside_the_unit_interval_say_the_design_is_too_small() -> None:
    """Indices are shares of variance: estimates well outside [0, 1] are the sampling error of a tiny base sample,
    and the analysis says so (the sweep prints the note); a large design of the same function has no note."""
    small = sobol_design(ISHIGAMI_PARAMS, 4, seed=3)
    indices = sobol_indices(small, ishigami(small.points), seed=3)
    estimates = indices[["S1", "ST"]].to_numpy()
    assert estimates.min() < -0.1 or estimates.max() > 1.1  # (this design's estimates are that far off)
    note = indices.attrs["note"]
    assert note.startswith("Sobol' indices outside [0, 1] (from ") and "N=4" in note and "--samples" in note
    large = sobol_design(ISHIGAMI_PARAMS, 4096, seed=11)
    assert "note" not in sobol_indices(large, ishigami(large.points), seed=11).attrs


@pytest.mark.parametrize("seed", [0, 5])
def test_sobol_bootstrap_is_reproducible(seed: int) -> None:
    # seed=0 included on purpose: SALib's Sobol analyzer ignores a falsy seed and uses the global RNG.
    design = sobol_design(ISHIGAMI_PARAMS, 256, seed=1)
    outputs = ishigami(design.points)
    first = sobol_indices(design, outputs, seed=seed)
    second = sobol_indices(design, outputs, seed=seed)
    pd.testing.assert_frame_equal(first, second)
    other = sobol_indices(design, outputs, seed=seed + 1)
    pd.testing.assert_series_equal(first["S1"], other["S1"])  # point estimates do not depend on the seed
    assert not np.array_equal(first["S1_conf"], other["S1_conf"])


def test_sobol_with_second_order_design() -> None:
    design = sobol_design(ISHIGAMI_PARAMS, 1024, seed=3, calc_second_order=True)
    indices = sobol_indices(design, ishigami(design.points))
    _, total = ishigami_analytical_indices()
    np.testing.assert_allclose(indices["ST"], total, atol=0.05)


LINEAR_COEFFICIENTS = np.array([3.0, 1.0, 0.0])
LINEAR_PARAMS = [Parameter("x1", 0.0, 2.0), Parameter("x2", -1.0, 1.5), Parameter("x3", 10.0, 20.0)]
RANGES = np.array([p.high - p.low for p in LINEAR_PARAMS])


def test_morris_linear_function() -> None:
    design = morris_design(LINEAR_PARAMS, 10, seed=4)
    indices = morris_indices(design, design.points @ LINEAR_COEFFICIENTS)
    assert list(indices.columns) == ["parameter", "mu", "mu_star", "mu_star_conf", "sigma"]
    # Every elementary effect of y = c . x is c_j * (high_j - low_j): 6, 2.5, 0.
    np.testing.assert_allclose(indices["mu_star"], LINEAR_COEFFICIENTS * RANGES, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(indices["mu"], LINEAR_COEFFICIENTS * RANGES, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(indices["sigma"], 0.0, atol=1e-9)
    np.testing.assert_allclose(indices["mu_star_conf"], 0.0, atol=1e-9)
    ranked = rank_parameters(indices, "morris")
    assert list(ranked["parameter"]) == ["x1", "x2", "x3"]


def test_morris_signed_effect_and_interaction() -> None:
    design = morris_design(LINEAR_PARAMS, 20, seed=8)
    x1, x2 = design.points[:, 0], design.points[:, 1]
    indices = morris_indices(design, -2.0 * x1 + x1 * x2).set_index("parameter")
    # x3 does nothing; x2 acts only through the interaction, so its effects vary (sigma > 0).
    assert indices.loc["x3", "mu_star"] == pytest.approx(0.0, abs=1e-12)
    assert indices.loc["x1", "mu"] < 0.0 < indices.loc["x1", "mu_star"]
    assert indices.loc["x2", "sigma"] > 0.0


def test_morris_bootstrap_is_reproducible() -> None:
    design = morris_design(ISHIGAMI_PARAMS, 10, seed=2)
    outputs = ishigami(design.points)
    pd.testing.assert_frame_equal(morris_indices(design, outputs, seed=0), morris_indices(design, outputs, seed=0))


def test_regression_indices_on_grid_match_closed_form() -> None:
    # A full factorial grid is balanced and orthogonal, so var(y) = sum_j c_j^2 var(x_j) exactly and
    # SRC_j = c_j s_j / sqrt(sum_i c_i^2 s_i^2), with s_j the (ddof=1) std of the grid's column j.
    design = grid_design(LINEAR_PARAMS, 5)
    indices = regression_indices(design, design.points @ LINEAR_COEFFICIENTS + 4.0)
    column_std = np.array([np.std(np.linspace(p.low, p.high, 5).repeat(25), ddof=1) for p in LINEAR_PARAMS])
    expected = LINEAR_COEFFICIENTS * column_std / math.sqrt(np.sum((LINEAR_COEFFICIENTS * column_std) ** 2))
    assert list(indices.columns) == ["parameter", "SRC", "spearman_rho", "spearman_p", "r_squared"]
    np.testing.assert_allclose(indices["SRC"], expected, atol=1e-12)
    np.testing.assert_allclose(indices["r_squared"], 1.0)
    assert indices["SRC"].iloc[2] == pytest.approx(0.0, abs=1e-12)
    assert indices["spearman_rho"].iloc[0] > indices["spearman_rho"].iloc[1] > 0.0
    assert list(rank_parameters(indices, "grid")["parameter"]) == ["x1", "x2", "x3"]


def test_regression_indices_on_lhs_recover_population_coefficients() -> None:
    # Population SRC for independent uniforms: c_j r_j / sqrt(sum_i c_i^2 r_i^2) = 6/6.5, 2.5/6.5, 0 (the
    # 1/sqrt(12) cancels). LHS fixes the marginals, but the sample correlation rho of x1 and x2 is random
    # (sd 1/sqrt(n) = 0.022 for n = 2000) and SRC_1 = 6 / sqrt(42.25 + 30 rho) moves by 0.33 per unit of
    # rho, so atol 0.03 is more than 4 standard deviations.
    design = lhs_design(LINEAR_PARAMS, 2000, seed=6)
    outputs = design.points @ LINEAR_COEFFICIENTS
    indices = regression_indices(design, outputs)
    population = LINEAR_COEFFICIENTS * RANGES / math.sqrt(np.sum((LINEAR_COEFFICIENTS * RANGES) ** 2))
    np.testing.assert_allclose(indices["SRC"], population, atol=0.03)
    # Exactly, against the sample's own standard deviations (the fit is exact: y is linear, no noise).
    sample = LINEAR_COEFFICIENTS * design.points.std(axis=0, ddof=1) / outputs.std(ddof=1)
    np.testing.assert_allclose(indices["SRC"], sample, atol=1e-10)


@pytest.mark.parametrize(
    ("analyse", "make_design"),
    [
        (sobol_indices, lambda: sobol_design(LINEAR_PARAMS, 16, seed=1)),
        (morris_indices, lambda: morris_design(LINEAR_PARAMS, 4, seed=1)),
        (regression_indices, lambda: lhs_design(LINEAR_PARAMS, 10, seed=1)),
    ],
)
def test_constant_output_gives_zero_indices_with_a_note(analyse: object, make_design: object) -> None:
    design = make_design()  # type: ignore[operator]
    with pytest.warns(UserWarning, match="output is constant"):
        indices = analyse(design, np.full(design.n_points, 3.5))  # type: ignore[operator]
    assert list(indices["parameter"]) == ["x1", "x2", "x3"]
    influence_column = {"S1": "ST", "mu": "mu_star", "SRC": "SRC"}[indices.columns[1]]
    np.testing.assert_array_equal(indices[influence_column], 0.0)
    assert indices.attrs["note"] == CONSTANT_OUTPUT_NOTE


def test_output_and_design_errors() -> None:
    sobol = sobol_design(LINEAR_PARAMS, 8, seed=1)
    with pytest.raises(ValueError, match="outputs has 5 values but the sobol design has 40 points"):
        sobol_indices(sobol, np.ones(5))
    outputs = np.ones(sobol.n_points)
    outputs[3] = np.nan
    with pytest.raises(ValueError, match="1 of 40 outputs are NaN or infinite"):
        sobol_indices(sobol, outputs)
    with pytest.raises(ValueError, match="morris_indices needs a 'morris' design, got a 'sobol' design"):
        morris_indices(sobol, np.arange(sobol.n_points, dtype=float))
    with pytest.raises(ValueError, match="needs at least k \\+ 2 = 5 design points"):
        regression_indices(lhs_design(LINEAR_PARAMS, 4, seed=1), np.arange(4.0))


def test_rank_parameters_handles_ties_nan_and_bad_input() -> None:
    indices = pd.DataFrame({"parameter": ["a", "b", "c", "d"], "mu_star": [1.0, np.nan, 3.0, 1.0]})
    ranked = rank_parameters(indices, "morris")
    assert list(ranked["parameter"]) == ["c", "a", "d", "b"]
    assert list(ranked["rank"]) == [1, 2, 2, 4]
    signed = pd.DataFrame({"parameter": ["a", "b"], "SRC": [0.2, -0.9], "spearman_rho": [0.1, -0.8]})
    assert list(rank_parameters(signed, "lhs")["parameter"]) == ["b", "a"]
    with pytest.raises(ValueError, match="valid methods are sobol, morris, regression, grid, lhs"):
        rank_parameters(indices, "fast")
    with pytest.raises(ValueError, match="needs a 'ST' column \\(as produced by sobol_indices\\)"):
        rank_parameters(indices, "sobol")


def test_binned_means_average_the_outcome_in_equal_bins_of_the_parameter() -> None:
    # Range 0-10 in five bins of width 2; nothing falls in the bin 6-8, so it is left out.
    x = np.array([0.5, 1.5, 3.0, 5.0, 9.0, 10.0])
    y = np.array([1.0, 3.0, 4.0, 6.0, 8.0, 10.0])
    centres, means = binned_means(x, y, 0.0, 10.0, bins=5)
    assert centres == pytest.approx([1.0, 3.0, 5.0, 9.0])
    assert means == pytest.approx([2.0, 4.0, 6.0, 9.0])


@pytest.mark.parametrize(
    ("method", "columns", "kind"),
    [
        ("lhs", ["S1", "ST"], "sobol"),
        ("sobol", [], "sobol"),
        ("grid", ["mu_star"], "morris"),
        ("morris", [], "morris"),
        ("lhs", ["SRC"], "regression"),
        ("grid", [], "regression"),
    ],
)
def test_index_kind_reads_the_columns_first_then_the_method(method: str, columns: list[str], kind: str) -> None:
    assert index_kind(method, pd.DataFrame(columns=columns)) == kind
