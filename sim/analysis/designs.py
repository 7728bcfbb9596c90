"""Experimental designs over named, bounded parameters.

A sweep varies a handful of scenario parameters (interceptor unit cost, production rate, kill
probability, ...) between a low and a high bound. This module builds the set of parameter points to run:

* ``grid``   - full factorial, every combination of evenly spaced levels including both bounds;
* ``lhs``    - Latin hypercube: exactly one point in each of ``samples`` equal strata of every parameter;
* ``sobol``  - Saltelli's cross-sampling of a scrambled Sobol' sequence (:mod:`SALib.sample.sobol`), for
  variance-based indices (:func:`sim.analysis.sensitivity.sobol_indices`);
* ``morris`` - Morris elementary-effect trajectories (:mod:`SALib.sample.morris`), for cheap screening
  (:func:`sim.analysis.sensitivity.morris_indices`).

Every design holds its points in real units, in parameter order, and the same seed always gives the same
design. The ``problem`` property is the dictionary SALib's samplers and analyzers expect.
"""

from __future__ import annotations

import itertools
import math
import numbers
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import qmc

#: Design methods understood by :func:`make_design`.
METHODS: tuple[str, ...] = ("grid", "lhs", "sobol", "morris")

#: Largest full-factorial grid built without an explicit ``max_points``.
DEFAULT_MAX_GRID_POINTS = 1_000_000


@dataclass(frozen=True)
class Parameter:
    """A parameter varied by a design, uniformly between two bounds.

    Attributes:
        name: Parameter name (e.g. a scenario override path such as ``industry.mbda.rate_per_month``).
        low: Lower bound, in the parameter's real units.
        high: Upper bound; must be strictly greater than ``low``.
    """

    name: str
    low: float
    high: float

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError(f"parameter name must be a non-empty string, got {self.name!r}")
        for label, bound in (("low", self.low), ("high", self.high)):
            if isinstance(bound, bool) or not isinstance(bound, numbers.Real) or not math.isfinite(bound):
                raise ValueError(f"parameter {self.name!r}: {label} must be a finite number, got {bound!r}")
        if self.low == self.high:
            raise ValueError(
                f"parameter {self.name!r} has equal bounds (low == high == {self.low}); a design can only "
                "vary a parameter with low < high - fix it in the scenario instead of sweeping it"
            )
        if self.low > self.high:
            raise ValueError(f"parameter {self.name!r} has low ({self.low}) > high ({self.high}); swap the bounds")
        object.__setattr__(self, "low", float(self.low))
        object.__setattr__(self, "high", float(self.high))


@dataclass(frozen=True, eq=False)
class Design:
    """A set of parameter points to run, with what the analysis needs to interpret them.

    Attributes:
        method: One of ``"grid"``, ``"lhs"``, ``"sobol"``, ``"morris"``.
        parameters: The varied parameters, in column order of ``points``.
        points: Array of shape ``(n_points, n_parameters)`` in real units (read-only).
        seed: Seed the design was drawn with (None for a grid or for fresh entropy).
        samples: The size argument the design was built with: levels per parameter (grid), number of
            points (lhs), base sample N (sobol), number of trajectories (morris).
        calc_second_order: Sobol only: whether the design supports second-order indices.
        levels: Grid levels per parameter, or Morris grid levels; None otherwise.
    """

    method: str
    parameters: tuple[Parameter, ...]
    points: np.ndarray
    seed: int | None
    samples: int
    calc_second_order: bool = False
    levels: int | None = None

    @property
    def names(self) -> list[str]:
        """Parameter names, in column order."""
        return [parameter.name for parameter in self.parameters]

    @property
    def n_points(self) -> int:
        """Number of points (model runs) in the design."""
        return int(self.points.shape[0])

    @property
    def problem(self) -> dict[str, Any]:
        """A fresh SALib problem dictionary (``num_vars``, ``names``, ``bounds``) for this design."""
        return problem_of(self.parameters)

    def to_frame(self) -> pd.DataFrame:
        """The points as a DataFrame, one column per parameter, index named ``point``."""
        return pd.DataFrame(self.points, columns=self.names).rename_axis("point")


def problem_of(parameters: Sequence[Parameter]) -> dict[str, Any]:
    """Build SALib's problem dictionary for some parameters.

    Args:
        parameters: The varied parameters.

    Returns:
        ``{"num_vars": k, "names": [...], "bounds": [[low, high], ...]}``, a new dictionary each call
        (SALib's samplers add keys to the dictionary they are given).
    """
    return {
        "num_vars": len(parameters),
        "names": [parameter.name for parameter in parameters],
        "bounds": [[parameter.low, parameter.high] for parameter in parameters],
    }


def _check_parameters(params: Sequence[Parameter]) -> tuple[Parameter, ...]:
    """Validate the parameter list: non-empty, Parameter instances, unique names."""
    parameters = tuple(params)
    if not parameters:
        raise ValueError("a design needs at least one parameter")
    for parameter in parameters:
        if not isinstance(parameter, Parameter):
            raise ValueError(f"parameters must be Parameter(name, low, high) objects, got {parameter!r}")
    names = [parameter.name for parameter in parameters]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise ValueError(f"parameter names must be unique, duplicated: {duplicates}")
    return parameters


def _check_count(value: int, name: str, minimum: int) -> int:
    """Validate an integer size argument (``samples``, ``levels`` ...)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _check_seed(seed: int | None) -> int | None:
    """Validate a seed: None (fresh entropy) or a non-negative integer."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer or None, got {seed!r}")
    return int(seed)


def _finalize_points(points: np.ndarray, parameters: Sequence[Parameter]) -> np.ndarray:
    """Return a read-only float copy of the points, clipped to the bounds.

    Scaling ``low + u * (high - low)`` can overshoot ``high`` by one rounding step (0.5000000000000001
    for u = 1 on [0.02, 0.5]); clipping keeps every point a valid parameter value (a probability of
    1.0000000000000002 would fail scenario validation).
    """
    lows = np.array([parameter.low for parameter in parameters])
    highs = np.array([parameter.high for parameter in parameters])
    frozen = np.clip(np.array(points, dtype=float, copy=True), lows, highs)
    frozen.flags.writeable = False
    return frozen


def grid_design(
    params: Sequence[Parameter],
    levels_per_parameter: int,
    *,
    max_points: int = DEFAULT_MAX_GRID_POINTS,
) -> Design:
    """Full-factorial grid: every combination of evenly spaced levels, both bounds included.

    Args:
        params: The varied parameters.
        levels_per_parameter: Levels per parameter (>= 2), evenly spaced from ``low`` to ``high``.
        max_points: Refuse grids larger than this (``levels ** k`` grows fast).

    Returns:
        A design with ``levels_per_parameter ** k`` points; the first parameter varies slowest.

    Raises:
        ValueError: On invalid parameters, fewer than two levels, or a grid larger than ``max_points``.
    """
    parameters = _check_parameters(params)
    levels = _check_count(levels_per_parameter, "levels_per_parameter", 2)
    n_points = levels ** len(parameters)
    if n_points > max_points:
        raise ValueError(
            f"a {levels}-level grid over {len(parameters)} parameters has {n_points} points, more than "
            f"max_points={max_points}; use fewer levels, an 'lhs' design, or raise max_points"
        )
    axes = [np.linspace(parameter.low, parameter.high, levels) for parameter in parameters]
    points = np.array(list(itertools.product(*axes)), dtype=float).reshape(n_points, len(parameters))
    return Design(
        method="grid",
        parameters=parameters,
        points=_finalize_points(points, parameters),
        seed=None,
        samples=levels,
        levels=levels,
    )


def lhs_design(params: Sequence[Parameter], samples: int, seed: int | None) -> Design:
    """Latin hypercube design (scrambled: each point placed at random within its stratum).

    Args:
        params: The varied parameters.
        samples: Number of points (>= 1); each parameter's range is cut into this many equal strata and
            every stratum holds exactly one point.
        seed: Non-negative integer for a reproducible design, or None for fresh entropy.

    Returns:
        A design with ``samples`` points.

    Raises:
        ValueError: On invalid parameters, samples or seed.
    """
    parameters = _check_parameters(params)
    count = _check_count(samples, "samples", 1)
    checked_seed = _check_seed(seed)
    unit = qmc.LatinHypercube(d=len(parameters), rng=np.random.default_rng(checked_seed)).random(count)
    points = qmc.scale(
        unit,
        [parameter.low for parameter in parameters],
        [parameter.high for parameter in parameters],
    )
    return Design(
        method="lhs",
        parameters=parameters,
        points=_finalize_points(points, parameters),
        seed=checked_seed,
        samples=count,
    )


def sobol_design(
    params: Sequence[Parameter],
    samples: int,
    seed: int | None,
    calc_second_order: bool = False,
) -> Design:
    """Saltelli cross-sampling of a scrambled Sobol' sequence (SALib's ``SALib.sample.sobol``).

    Args:
        params: The varied parameters (k of them).
        samples: Base sample size N (>= 1). A power of two keeps the Sobol' sequence balanced; other
            values work but trigger a warning.
        seed: Non-negative integer for a reproducible design, or None for fresh entropy.
        calc_second_order: Also support second-order indices (more points).

    Returns:
        A design with ``N * (k + 2)`` points, or ``N * (2k + 2)`` with ``calc_second_order``.

    Raises:
        ValueError: On invalid parameters, samples or seed.
    """
    from SALib.sample import sobol as salib_sobol

    parameters = _check_parameters(params)
    count = _check_count(samples, "samples", 1)
    checked_seed = _check_seed(seed)
    if count & (count - 1):
        warnings.warn(
            f"Sobol base sample size {count} is not a power of 2, which degrades the Sobol' sequence's "
            f"balance; consider {1 << (count - 1).bit_length()}",
            UserWarning,
            stacklevel=2,
        )
    with warnings.catch_warnings():
        # scipy repeats the power-of-two warning above in less helpful words.
        warnings.filterwarnings("ignore", message=".*balance properties of Sobol.*", category=UserWarning)
        points = salib_sobol.sample(
            problem_of(parameters),
            count,
            calc_second_order=bool(calc_second_order),
            seed=checked_seed,
        )
    return Design(
        method="sobol",
        parameters=parameters,
        points=_finalize_points(points, parameters),
        seed=checked_seed,
        samples=count,
        calc_second_order=bool(calc_second_order),
    )


def morris_design(
    params: Sequence[Parameter],
    trajectories: int,
    levels: int = 4,
    *,
    seed: int | None,
) -> Design:
    """Morris one-at-a-time trajectories on a ``levels``-level grid (SALib's ``SALib.sample.morris``).

    Args:
        params: The varied parameters (k of them).
        trajectories: Number of trajectories r (>= 2, so the spread ``sigma`` of the effects is defined).
        levels: Grid levels per parameter; SALib requires an even number (>= 2).
        seed: Non-negative integer for a reproducible design, or None for fresh entropy.

    Returns:
        A design with ``r * (k + 1)`` points.

    Raises:
        ValueError: On invalid parameters, trajectories, levels or seed.
    """
    from SALib.sample import morris as salib_morris

    parameters = _check_parameters(params)
    count = _check_count(trajectories, "trajectories", 2)
    grid_levels = _check_count(levels, "levels", 2)
    if grid_levels % 2:
        raise ValueError(f"Morris levels must be even (SALib's requirement), got {grid_levels}")
    checked_seed = _check_seed(seed)
    points = salib_morris.sample(problem_of(parameters), count, num_levels=grid_levels, seed=checked_seed)
    return Design(
        method="morris",
        parameters=parameters,
        points=_finalize_points(points, parameters),
        seed=checked_seed,
        samples=count,
        levels=grid_levels,
    )


def make_design(method: str, params: Sequence[Parameter], samples: int, seed: int | None) -> Design:
    """Build a design by method name (as chosen on the command line or in a sweep file).

    Args:
        method: ``"grid"``, ``"lhs"``, ``"sobol"`` or ``"morris"``.
        params: The varied parameters.
        samples: Levels per parameter (grid), points (lhs), base sample N (sobol, first-order only) or
            trajectories (morris, 4 levels).
        seed: Seed for the random designs (ignored by ``grid``).

    Returns:
        The design.

    Raises:
        ValueError: If the method is unknown or the arguments are invalid for it.
    """
    if method == "grid":
        return grid_design(params, samples)
    if method == "lhs":
        return lhs_design(params, samples, seed)
    if method == "sobol":
        return sobol_design(params, samples, seed)
    if method == "morris":
        return morris_design(params, samples, seed=seed)
    raise ValueError(f"unknown design method {method!r}; valid methods are {', '.join(METHODS)}")
