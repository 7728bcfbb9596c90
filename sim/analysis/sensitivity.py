"""Sensitivity indices: which swept parameters drive an outcome metric.

Given a :class:`~sim.analysis.designs.Design` and one output value per design point (typically the mean of
a metric over the replications run at that point), this module estimates how much each parameter matters:

* :func:`sobol_indices` - variance-based first-order (S1) and total (ST) Sobol' indices (SALib), for
  ``sobol`` designs;
* :func:`morris_indices` - Morris elementary-effect statistics (SALib), for ``morris`` designs;
* :func:`regression_indices` - standardized regression coefficients and Spearman rank correlations, for
  any design (meant for ``grid`` and ``lhs``);
* :func:`rank_parameters` - orders any of these tables by influence, so every design method yields a
  ranking;
* :func:`swings` - how far an outcome moves as each parameter crosses its range, the others at mid-range
  (the bars of a tornado chart); :func:`binned_means` - the mean outcome over bins of one parameter;
* :func:`index_kind` - which of these tables a sweep folder's ``indices.csv`` holds.

Bootstrap confidence intervals are drawn from a seeded generator, so the same inputs always give the
same table. A constant output (no parameter changes anything) is not an error: the indices are reported as
0 with a note in ``DataFrame.attrs["note"]`` and a warning.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from sim.analysis.designs import Design, Parameter
from sim.analysis.summary import check_level

SOBOL_COLUMNS: tuple[str, ...] = ("parameter", "S1", "S1_conf", "ST", "ST_conf")
MORRIS_COLUMNS: tuple[str, ...] = ("parameter", "mu", "mu_star", "mu_star_conf", "sigma")
REGRESSION_COLUMNS: tuple[str, ...] = ("parameter", "SRC", "spearman_rho", "spearman_p", "r_squared")

#: Column ranked by :func:`rank_parameters` for each method, and the function that produces it.
RANKING_KEYS: dict[str, tuple[str, str]] = {
    "sobol": ("ST", "sobol_indices"),
    "morris": ("mu_star", "morris_indices"),
    "regression": ("SRC", "regression_indices"),
    "grid": ("SRC", "regression_indices"),
    "lhs": ("SRC", "regression_indices"),
}

CONSTANT_OUTPUT_NOTE = (
    "the output is constant over the design: no parameter changes it, so every index is reported as 0 "
    "(variance-based and correlation indices are strictly undefined for a constant output)"
)


def _check_outputs(design: Design, outputs: np.ndarray) -> np.ndarray:
    """Validate outputs: one finite value per design point."""
    values = np.asarray(outputs, dtype=float)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    if values.ndim != 1:
        raise ValueError(f"outputs must be one value per design point (1-D), got shape {values.shape}")
    if values.size != design.n_points:
        raise ValueError(
            f"outputs has {values.size} values but the {design.method} design has {design.n_points} points"
        )
    missing = int(np.count_nonzero(~np.isfinite(values)))
    if missing:
        raise ValueError(
            f"{missing} of {values.size} outputs are NaN or infinite; sensitivity analysis needs an output "
            "at every design point (e.g. use a metric defined in every run, or impute)"
        )
    return values


def _check_method(design: Design, expected: str, function: str) -> None:
    """Reject a design drawn by another method (its points would be misread)."""
    if design.method != expected:
        raise ValueError(
            f"{function} needs a '{expected}' design, got a '{design.method}' design; use "
            f"regression_indices for grid and lhs designs"
        )


def _is_constant(values: np.ndarray) -> bool:
    """True when every output is identical."""
    return bool(np.all(values == values[0]))


def _constant_result(design: Design, columns: tuple[str, ...]) -> pd.DataFrame:
    """Table of zero indices for a constant output, with an explanatory note."""
    warnings.warn(CONSTANT_OUTPUT_NOTE, UserWarning, stacklevel=3)
    table = pd.DataFrame({"parameter": design.names})
    for column in columns[1:]:
        table[column] = 0.0
    table.attrs["note"] = CONSTANT_OUTPUT_NOTE
    return table


def _analyzer_seed(seed: int) -> int:
    """Derive the positive integer seed handed to SALib's analyzers.

    ``SALib.analyze.sobol`` falls back to numpy's global, unseeded generator when ``seed`` is falsy, so
    ``seed=0`` would silently be irreproducible; a SeedSequence-derived non-zero integer avoids that.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    derived = int(np.random.SeedSequence(int(seed)).generate_state(1)[0])
    return derived or 1


SOBOL_SAMPLING_SLACK = 0.1
"""How far outside [0, 1] a Sobol' estimate may fall through sampling error before the analysis says the design is
too small to rank the parameters (indices are shares of variance: a true one lies within [0, 1])."""


def sobol_indices(
    design: Design,
    outputs: np.ndarray,
    *,
    level: float = 0.90,
    num_resamples: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """First-order and total Sobol' indices from a ``sobol`` design (``SALib.analyze.sobol``).

    Args:
        design: A design built by :func:`~sim.analysis.designs.sobol_design`.
        outputs: One finite output per design point, in design order.
        level: Coverage of the bootstrap confidence intervals (default 90 %).
        num_resamples: Bootstrap resamples for the confidence intervals.
        seed: Seed of the bootstrap, for reproducible ``*_conf`` columns.

    Returns:
        One row per parameter with ``parameter``, ``S1``, ``S1_conf``, ``ST``, ``ST_conf``; the ``*_conf``
        columns are half-widths of the bootstrap interval at ``level``. Estimates may fall slightly
        outside [0, 1] through sampling error.

    Raises:
        ValueError: If the design is not a Sobol design, or outputs do not match it or are not finite.
    """
    from SALib.analyze import sobol as salib_sobol

    _check_method(design, "sobol", "sobol_indices")
    values = _check_outputs(design, outputs)
    conf_level = check_level(level, "level")
    if _is_constant(values):
        return _constant_result(design, SOBOL_COLUMNS)
    result = salib_sobol.analyze(
        design.problem,
        values,
        calc_second_order=design.calc_second_order,
        num_resamples=num_resamples,
        conf_level=conf_level,
        seed=_analyzer_seed(seed),
    )
    table = pd.DataFrame(
        {
            "parameter": design.names,
            "S1": np.asarray(result["S1"], dtype=float),
            "S1_conf": np.asarray(result["S1_conf"], dtype=float),
            "ST": np.asarray(result["ST"], dtype=float),
            "ST_conf": np.asarray(result["ST_conf"], dtype=float),
        },
        columns=list(SOBOL_COLUMNS),
    )
    estimates = table[["S1", "ST"]].to_numpy()
    lowest, highest = float(np.nanmin(estimates)), float(np.nanmax(estimates))
    if lowest < -SOBOL_SAMPLING_SLACK or highest > 1 + SOBOL_SAMPLING_SLACK:
        table.attrs["note"] = (
            f"Sobol' indices outside [0, 1] (from {lowest:.2f} to {highest:.2f}): the sampling error of a base sample "
            f"of N={design.samples} is larger than the indices; the ranking is not reliable — run with more --samples"
        )
    return table


def morris_indices(
    design: Design,
    outputs: np.ndarray,
    *,
    level: float = 0.90,
    num_resamples: int = 100,
    seed: int = 0,
) -> pd.DataFrame:
    """Morris elementary-effect statistics from a ``morris`` design (``SALib.analyze.morris``).

    Elementary effects are unscaled: the change in output per step, divided by the step as a fraction of
    the parameter's range. For ``y = c * x`` with ``x`` in ``[low, high]`` every effect is therefore
    ``c * (high - low)``: the output change over the parameter's full range.

    Args:
        design: A design built by :func:`~sim.analysis.designs.morris_design`.
        outputs: One finite output per design point, in design order.
        level: Coverage of the bootstrap confidence interval of ``mu_star`` (default 90 %).
        num_resamples: Bootstrap resamples.
        seed: Seed of the bootstrap, for a reproducible ``mu_star_conf``.

    Returns:
        One row per parameter with ``parameter``, ``mu`` (mean effect), ``mu_star`` (mean absolute
        effect: the influence), ``mu_star_conf`` (bootstrap half-width at ``level``) and ``sigma``
        (standard deviation of the effects: non-linearity or interactions).

    Raises:
        ValueError: If the design is not a Morris design, or outputs do not match it or are not finite.
    """
    from SALib.analyze import morris as salib_morris

    _check_method(design, "morris", "morris_indices")
    values = _check_outputs(design, outputs)
    conf_level = check_level(level, "level")
    if _is_constant(values):
        return _constant_result(design, MORRIS_COLUMNS)
    result = salib_morris.analyze(
        design.problem,
        np.asarray(design.points, dtype=float),
        values,
        num_resamples=num_resamples,
        conf_level=conf_level,
        num_levels=design.levels if design.levels is not None else 4,
        seed=_analyzer_seed(seed),
    )
    return pd.DataFrame(
        {
            "parameter": design.names,
            "mu": np.asarray(result["mu"], dtype=float),
            "mu_star": np.asarray(result["mu_star"], dtype=float),
            "mu_star_conf": np.asarray(result["mu_star_conf"], dtype=float),
            "sigma": np.asarray(result["sigma"], dtype=float),
        },
        columns=list(MORRIS_COLUMNS),
    )


def regression_indices(design: Design, outputs: np.ndarray) -> pd.DataFrame:
    """Standardized regression coefficients and Spearman rank correlations, for any design.

    A linear model ``y = b0 + sum_j b_j x_j`` is fitted by least squares; the standardized regression
    coefficient is ``SRC_j = b_j * std(x_j) / std(y)`` (sample standard deviations over the design). SRCs
    measure linear influence and are trustworthy when ``r_squared`` is high (say above 0.7); the Spearman
    rank correlation of each parameter with the output also captures monotone non-linear effects.

    Args:
        design: Any design (meant for ``grid`` and ``lhs``) with at least ``k + 2`` points.
        outputs: One finite output per design point, in design order.

    Returns:
        One row per parameter with ``parameter``, ``SRC``, ``spearman_rho``, ``spearman_p`` (two-sided
        p-value of the rank correlation) and ``r_squared`` (coefficient of determination of the linear
        fit, the same on every row).

    Raises:
        ValueError: If outputs do not match the design or are not finite, or the design has too few
            points to fit the regression.
    """
    values = _check_outputs(design, outputs)
    inputs = np.asarray(design.points, dtype=float)
    n_points, n_parameters = inputs.shape
    if n_points < n_parameters + 2:
        raise ValueError(
            f"regression_indices needs at least k + 2 = {n_parameters + 2} design points for "
            f"{n_parameters} parameters, got {n_points}"
        )
    if _is_constant(values):
        table = _constant_result(design, REGRESSION_COLUMNS)
        table["spearman_p"] = math.nan
        table["r_squared"] = math.nan
        return table
    input_std = inputs.std(axis=0, ddof=1)
    constant_inputs = [name for name, spread in zip(design.names, input_std, strict=True) if spread == 0.0]
    if constant_inputs:
        raise ValueError(f"parameters {constant_inputs} take a single value over the design; cannot regress")
    regressors = np.column_stack([np.ones(n_points), inputs])
    coefficients, *_ = np.linalg.lstsq(regressors, values, rcond=None)
    output_std = float(values.std(ddof=1))
    src = coefficients[1:] * input_std / output_std
    residuals = values - regressors @ coefficients
    total_sum_of_squares = float(np.sum((values - values.mean()) ** 2))
    r_squared = 1.0 - float(np.sum(residuals**2)) / total_sum_of_squares
    rho = np.empty(n_parameters)
    p_value = np.empty(n_parameters)
    for column in range(n_parameters):
        correlation = stats.spearmanr(inputs[:, column], values)
        rho[column] = float(correlation.statistic)
        p_value[column] = float(correlation.pvalue)
    return pd.DataFrame(
        {
            "parameter": design.names,
            "SRC": src,
            "spearman_rho": rho,
            "spearman_p": p_value,
            "r_squared": r_squared,
        },
        columns=list(REGRESSION_COLUMNS),
    )


def rank_parameters(indices: pd.DataFrame, method: str) -> pd.DataFrame:
    """Order a table of sensitivity indices from most to least influential parameter.

    Influence is ``ST`` for ``"sobol"``, ``mu_star`` for ``"morris"``, and ``|SRC|`` (ties broken by
    ``|spearman_rho|``) for ``"regression"``, ``"grid"`` and ``"lhs"``. NaN influence sorts last; equal
    influence keeps the original parameter order and shares the same rank.

    Args:
        indices: Output of :func:`sobol_indices`, :func:`morris_indices` or :func:`regression_indices`.
        method: ``"sobol"``, ``"morris"``, ``"regression"``, ``"grid"`` or ``"lhs"``.

    Returns:
        The same rows, sorted, with two extra columns: ``influence`` (the sort key) and ``rank``
        (1 = most influential); the index is reset.

    Raises:
        ValueError: If the method is unknown or the table lacks the column that method ranks by.
    """
    if method not in RANKING_KEYS:
        raise ValueError(f"unknown ranking method {method!r}; valid methods are {', '.join(RANKING_KEYS)}")
    key, producer = RANKING_KEYS[method]
    if key not in indices.columns:
        raise ValueError(
            f"ranking by {method!r} needs a {key!r} column (as produced by {producer}), got columns "
            f"{list(indices.columns)}"
        )
    table = indices.copy()
    influence = table[key].astype(float)
    if key == "SRC":
        influence = influence.abs()
    table["influence"] = influence
    sort_columns = ["influence"]
    if key == "SRC" and "spearman_rho" in table.columns:
        table["_tie_break"] = table["spearman_rho"].astype(float).abs()
        sort_columns.append("_tie_break")
    table = table.sort_values(sort_columns, ascending=False, kind="mergesort", na_position="last")
    table = table.drop(columns=["_tie_break"], errors="ignore").reset_index(drop=True)
    table["rank"] = table["influence"].rank(method="min", ascending=False, na_option="bottom").astype("int64")
    table.attrs = dict(indices.attrs)
    return table


def index_kind(method: str, indices: pd.DataFrame) -> str:
    """Which kind of indices a sweep's ``indices.csv`` holds: ``sobol``, ``morris`` or ``regression``.

    The columns decide (``S1``/``ST``: Sobol'; ``mu_star``: Morris); without them, the sweep's method does.
    """
    if "S1" in indices.columns or "ST" in indices.columns or method == "sobol":
        return "sobol"
    if "mu_star" in indices.columns or method == "morris":
        return "morris"
    return "regression"


def swings(points: pd.DataFrame, parameters: Sequence[Parameter], outcome: str) -> pd.DataFrame:
    """How far an outcome moves when each parameter goes from its low to its high end (for a tornado chart).

    A linear model ``outcome ≈ b0 + Σ b_j x_j`` is fitted to the sweep's points (least squares); the outcome
    at the centre of every range is ``centre``, and moving parameter *j* alone to its low or high end gives
    ``at_low`` and ``at_high``. With too few points for the fit (fewer than parameters + 2), each parameter's
    effect is instead the mean outcome over the points in the lowest and highest third of its range.

    Args:
        points: One row per design point with a column per parameter and the outcome (its mean over the
            point's replications).
        parameters: The varied parameters with their ranges.
        outcome: The outcome column.

    Returns:
        Columns ``parameter, low, high, centre, at_low, at_high, swing`` (``swing = |at_high − at_low|``),
        sorted by swing, largest first.
    """
    usable = points.dropna(subset=[outcome, *(parameter.name for parameter in parameters)])
    y = usable[outcome].to_numpy(dtype=float)
    rows = []
    if len(usable) >= len(parameters) + 2:
        x = usable[[parameter.name for parameter in parameters]].to_numpy(dtype=float)
        design = np.column_stack([np.ones(len(usable)), x])
        coefficients, *_ = np.linalg.lstsq(design, y, rcond=None)
        middles = np.array([(parameter.low + parameter.high) / 2.0 for parameter in parameters])
        centre = float(coefficients[0] + coefficients[1:] @ middles)
        for index, parameter in enumerate(parameters):
            slope = float(coefficients[index + 1])
            at_low = centre + slope * (parameter.low - middles[index])
            at_high = centre + slope * (parameter.high - middles[index])
            rows.append((parameter.name, parameter.low, parameter.high, centre, at_low, at_high))
    else:
        centre = float(np.mean(y)) if y.size else math.nan
        for parameter in parameters:
            values = usable[parameter.name].to_numpy(dtype=float)
            third = (parameter.high - parameter.low) / 3.0
            low_mask = values <= parameter.low + third
            high_mask = values >= parameter.high - third
            at_low = float(np.mean(y[low_mask])) if low_mask.any() else centre
            at_high = float(np.mean(y[high_mask])) if high_mask.any() else centre
            rows.append((parameter.name, parameter.low, parameter.high, centre, at_low, at_high))
    table = pd.DataFrame(rows, columns=["parameter", "low", "high", "centre", "at_low", "at_high"])
    table["swing"] = (table["at_high"] - table["at_low"]).abs()
    return table.sort_values("swing", ascending=False, kind="mergesort").reset_index(drop=True)


def binned_means(
    x: np.ndarray, y: np.ndarray, low: float, high: float, bins: int = 5
) -> tuple[list[float], list[float]]:
    """The mean of ``y`` in equal bins of ``x`` over ``[low, high]``: how an outcome follows a parameter.

    Values of ``x`` outside the range fall in the first or last bin; an empty bin is left out.

    Args:
        x: The parameter's value at each design point.
        y: The outcome at each design point.
        low: Lower end of the parameter's range.
        high: Upper end.
        bins: Number of bins.

    Returns:
        The bins' centres and the mean outcome in each (only bins that hold a point).
    """
    edges = np.linspace(low, high, bins + 1)
    which = np.clip(np.digitize(x, edges[1:-1]), 0, bins - 1)
    centres, means = [], []
    for bin_index in range(bins):
        selected = y[which == bin_index]
        if selected.size:
            centres.append((edges[bin_index] + edges[bin_index + 1]) / 2)
            means.append(float(selected.mean()))
    return centres, means
