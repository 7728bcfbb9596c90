"""The plan of a sweep: what ``sim sweep`` varies, between which bounds, with which design, and one validated
scenario per design point — all decided before anything runs (see :mod:`sim.experiment.sweep` for the run).

``--vary key=low:high`` names the parameters (:func:`parse_vary`); without it every *contested* parameter (one
written with a ``low``/``high`` range) that can be varied is, and the others are left out with a note. Each design
point becomes a validated scenario by applying ``key=value`` overrides to the scenario document, exactly as
``--set`` would (:mod:`sim.scenario.overrides`). Whole-number parameters are rounded to the nearest whole number
(ties to even) before a point runs.
"""

from __future__ import annotations

import hashlib
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sim.analysis.designs import METHODS, Design, Parameter, make_design
from sim.analysis.screening import DEFAULT_SCREEN_TRAJECTORIES, SCREEN_ABOVE_PARAMETERS, ScreeningRule
from sim.analysis.sweep_tables import analysis_of
from sim.experiment.limits import check_run_size
from sim.model.metrics import METRIC_NAMES, is_known_metric
from sim.scenario.errors import ScenarioError, closest_match
from sim.scenario.loader import ExtraCheck, scenario_hash, validate_document
from sim.scenario.merge import LocatedDocument, apply_override, parse_override
from sim.scenario.model import Scenario
from sim.scenario.overrides import apply_overrides, apply_overrides_fast, canonical_key_path, whole_number_parameters
from sim.scenario.provenance import ProvenanceRow, provenance_rows
from sim.scenario.revalidate import validate_changed

__all__ = [
    "DEFAULT_METHOD",
    "DEFAULT_OUTCOMES",
    "ScreenChoice",
    "SweepError",
    "SweepPlan",
    "SweepSetup",
    "SweptParameter",
    "VarySpec",
    "build_plan",
    "check_method",
    "check_outcomes",
    "default_samples",
    "design_point_count",
    "parse_vary",
    "plan_sweep",
    "resolve_sweep",
]

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "ukraine_drone_intercept_rate",
    "nato_leakers",
    "interceptor_spend_meur",
    "cost_exchange_ratio",
    "airport_closure_hours",
)
"""Outcomes a sweep analyses when none is chosen."""

DEFAULT_METHOD = "lhs"


class SweepError(ValueError):
    """A sweep cannot be set up as asked (bad ``--vary``, unknown parameter or outcome, invalid design point).

    The message says what is wrong and how to fix it.
    """


@dataclass(frozen=True)
class VarySpec:
    """One ``--vary key=low:high`` as written (the key is not checked yet)."""

    key: str
    low: float
    high: float


@dataclass(frozen=True)
class SweptParameter:
    """A parameter a sweep varies.

    Attributes:
        name: Its key path as ``sim sources`` prints it, e.g. ``events[1].drones``.
        low: Lower bound of the design.
        high: Upper bound of the design.
        whole_number: Counts are rounded to whole numbers before a point runs.
        value: The value in the base scenario.
        origin: ``"contested"`` (the scenario's own range) or ``"--vary"``.
    """

    name: str
    low: float
    high: float
    whole_number: bool
    value: float
    origin: str

    def applied(self, value: float) -> float:
        """The value a point runs with: rounded (ties to even) and kept in bounds for whole numbers."""
        if not self.whole_number:
            return float(value)
        return float(min(max(np.rint(value), math.ceil(self.low)), math.floor(self.high)))

    def override(self, value: float) -> str:
        """The ``key=value`` override that sets the parameter to ``applied(value)``."""
        applied = self.applied(value)
        text = str(int(applied)) if self.whole_number else repr(applied)
        return f"{self.name}={text}"

    def to_manifest(self) -> dict[str, Any]:
        """The parameter as the manifest records it."""
        return {
            "name": self.name,
            "low": self.low,
            "high": self.high,
            "whole_number": self.whole_number,
            "value": self.value,
            "origin": self.origin,
        }


@dataclass
class SweepPlan:
    """Everything a sweep runs, decided before anything runs.

    Attributes:
        base: The validated base scenario.
        parameters: The varied parameters, in design column order.
        design: The design as drawn (what SALib's analyses read).
        applied: The values each point runs with, shape ``(points, parameters)`` (whole numbers rounded).
        scenarios: One validated scenario per design point.
        outcomes: The metrics analysed.
        notes: What the user should know (contested parameters left out, design warnings).
        screening: The plan is the Morris stage that screens the parameters of a Sobol' sweep.
    """

    base: Scenario
    parameters: list[SweptParameter]
    design: Design
    applied: np.ndarray
    scenarios: list[Scenario]
    outcomes: list[str]
    notes: list[str] = field(default_factory=list)
    screening: bool = False

    @property
    def analysis(self) -> str:
        """``"regression"`` (grid, lhs), ``"sobol"`` or ``"morris"``."""
        return analysis_of(self.design.method)

    def points_hash(self) -> str:
        """SHA-256 over the points' scenario hashes: equal plans run exactly the same work."""
        digest = hashlib.sha256()
        for scenario in self.scenarios:
            digest.update(scenario_hash(scenario).encode())
        return digest.hexdigest()


# --------------------------------------------------------------------------------------------------------------
# What to vary
# --------------------------------------------------------------------------------------------------------------


def parse_vary(text: str) -> VarySpec:
    """Read one ``--vary key=low:high``, e.g. ``catalog.threats.shahed.unit_cost_eur=18000:92000``.

    Args:
        text: The option's value.

    Returns:
        The key and bounds (the key is checked against the scenario later, by :func:`plan_sweep`).

    Raises:
        SweepError: If the text is not ``key=low:high`` with two finite numbers and ``low < high``.
    """
    key, sep, bounds = text.partition("=")
    key = key.strip()
    example = "e.g. --vary events[1].drones=19:23"
    if not sep or not key:
        raise SweepError(f"--vary {text!r}: expected key=low:high ({example})")
    low_text, colon, high_text = bounds.partition(":")
    if not colon or ":" in high_text:
        raise SweepError(f"--vary {text!r}: the range must be low:high, two numbers separated by one colon ({example})")
    numbers = []
    for label, raw in (("low", low_text), ("high", high_text)):
        try:
            number = float(raw.strip())
        except ValueError:
            raise SweepError(f"--vary {text!r}: {label} {raw.strip()!r} is not a number") from None
        if not math.isfinite(number):
            raise SweepError(f"--vary {text!r}: {label} must be a finite number, got {raw.strip()!r}")
        numbers.append(number)
    low, high = numbers
    if low >= high:
        raise SweepError(f"--vary {text!r}: low ({low:g}) must be below high ({high:g})")
    return VarySpec(key, low, high)


def _vary_key_path(document: LocatedDocument, key: str) -> str:
    """:func:`~sim.scenario.overrides.canonical_key_path` of a ``--vary`` key; a key that cannot be read is a
    :class:`SweepError`."""
    try:
        return canonical_key_path(document, key)
    except ScenarioError as error:
        raise SweepError(
            f"--vary {key}: {error.problems[0].message} (expected dotted keys like events[1].drones)"
        ) from None


def _problems(error: ScenarioError, limit: int = 5) -> str:
    lines = [problem.format() for problem in error.problems[:limit]]
    if len(error.problems) > limit:
        lines.append(f"… and {len(error.problems) - limit} more")
    return "; ".join(lines)


def _probe(document: LocatedDocument, base: Scenario, parameter: SweptParameter) -> str | None:
    """Why the scenario is invalid with the parameter at one of its bounds (None when both are valid)."""
    path = parse_override(f"{parameter.name}=0")[0]
    for bound in (parameter.low, parameter.high):
        try:
            validate_changed(base, apply_override(document, parameter.override(bound)), [path])
        except ScenarioError as error:
            return f"at {parameter.applied(bound):g}: {_problems(error, 2)}"
    return None


def _swept_parameters(
    document: LocatedDocument, base: Scenario, vary: Sequence[VarySpec]
) -> tuple[list[SweptParameter], list[str]]:
    """Resolve ``--vary`` specs (or the contested parameters when there are none) into swept parameters."""
    rows: dict[str, ProvenanceRow] = {row.key_path: row for row in provenance_rows(base)}
    whole = whole_number_parameters(base)
    notes: list[str] = []
    parameters: list[SweptParameter] = []
    if vary:
        seen: set[str] = set()
        for spec in vary:
            name = _vary_key_path(document, spec.key)
            row = rows.get(name)
            if row is None:
                suggestion = closest_match(name, rows)
                raise SweepError(
                    f"--vary {spec.key}: the scenario has no numeric parameter '{name}'"
                    + (f"; did you mean '{suggestion}'?" if suggestion else "")
                    + " (`sim sources SCENARIO` lists them)"
                )
            if name in seen:
                raise SweepError(f"--vary {spec.key}: {name} is varied twice")
            seen.add(name)
            parameter = SweptParameter(name, spec.low, spec.high, name in whole, row.value, "--vary")
            if parameter.whole_number and math.ceil(spec.low) >= math.floor(spec.high):
                raise SweepError(
                    f"--vary {spec.key}: {name} is a whole number, and {spec.low:g}:{spec.high:g} holds fewer than "
                    "two whole numbers"
                )
            problem = _probe(document, base, parameter)
            if problem is not None:
                raise SweepError(f"--vary {spec.key}: the scenario is not valid with {name} {problem}")
            parameters.append(parameter)
        return parameters, notes
    for row in rows.values():
        if not row.is_contested or row.low is None or row.high is None:
            continue
        parameter = SweptParameter(row.key_path, row.low, row.high, row.key_path in whole, row.value, "contested")
        reason: str | None = None
        if '["' in row.key_path:
            reason = "its key path cannot be written as an override"
        elif parameter.whole_number and math.ceil(row.low) >= math.floor(row.high):
            reason = f"it is a whole number and its range {row.low:g}–{row.high:g} holds fewer than two"
        else:
            reason = _probe(document, base, parameter)
            if reason is not None:
                reason = f"the scenario is not valid {reason}"
        if reason is None:
            parameters.append(parameter)
        else:
            notes.append(f"contested parameter {row.key_path} is not varied: {reason}")
    if not parameters:
        raise SweepError(
            "the scenario has no contested parameter (one written with a low/high range) that can be varied; "
            "choose parameters with --vary key=low:high"
        )
    return parameters, notes


# --------------------------------------------------------------------------------------------------------------
# The plan
# --------------------------------------------------------------------------------------------------------------


def default_samples(method: str, parameter_count: int) -> int:
    """The ``--samples`` used when none is given.

    Returns:
        3 grid levels per parameter; ``max(10, 4k)`` LHS points; a Sobol base sample of 8 (``8 (k + 2)``
        points); 10 Morris trajectories (``10 (k + 1)`` points).
    """
    if method == "grid":
        return 3
    if method == "lhs":
        return max(10, 4 * parameter_count)
    if method == "sobol":
        return 8
    return 10


def check_outcomes(outcomes: Sequence[str] | None) -> list[str]:
    """The outcomes to analyse: the default set, or the given names checked against the metric registry.

    Raises:
        SweepError: For an unknown metric (with the closest registered name) or a repeated one.
    """
    if not outcomes:
        return list(DEFAULT_OUTCOMES)
    checked: list[str] = []
    for name in outcomes:
        if not is_known_metric(name):
            suggestion = closest_match(name, sorted(METRIC_NAMES))
            raise SweepError(
                f"--outcome {name}: not a metric of the model"
                + (f"; did you mean '{suggestion}'?" if suggestion else "")
                + " (`sim metrics` lists them)"
            )
        if name in checked:
            raise SweepError(f"--outcome {name} is given twice")
        checked.append(name)
    return checked


def build_plan(
    document: LocatedDocument,
    base: Scenario,
    parameters: list[SweptParameter],
    method: str,
    samples: int,
    design_seed: int,
    outcomes: list[str],
    notes: list[str],
) -> SweepPlan:
    """Draw the design and make one validated scenario per design point.

    Args:
        document: The scenario document the design's values are written into.
        base: The validated base scenario.
        parameters: The varied parameters, in design column order.
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        samples: The design's size (see :func:`default_samples`).
        design_seed: Seed of the random designs.
        outcomes: The metrics analysed.
        notes: Notes so far (the design's warnings are added).

    Raises:
        SweepError: If the design cannot be built or analysed, or a design point is not a valid scenario.
    """
    design_parameters = [Parameter(parameter.name, parameter.low, parameter.high) for parameter in parameters]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            design = make_design(method, design_parameters, samples, design_seed)
        except ValueError as error:
            raise SweepError(f"cannot build the {method} design: {error}") from None
    notes = [*notes, *(str(warning.message) for warning in caught)]
    if analysis_of(method) == "regression" and design.n_points < len(parameters) + 2:
        raise SweepError(
            f"a {method} design of {design.n_points} points cannot rank {len(parameters)} parameters: regression "
            f"needs at least {len(parameters) + 2} points; raise --samples"
        )
    applied = np.array(
        [[parameter.applied(value) for parameter, value in zip(parameters, row, strict=True)] for row in design.points],
        dtype=float,
    ).reshape(design.points.shape)
    paths = [parse_override(f"{parameter.name}=0")[0] for parameter in parameters]
    scenarios = []
    for point, row in enumerate(design.points):
        overrides = [parameter.override(value) for parameter, value in zip(parameters, row, strict=True)]
        try:
            point_document = apply_overrides_fast(document, list(zip(paths, overrides, strict=True)))
            scenarios.append(validate_changed(base, point_document, paths))
        except ScenarioError:
            try:  # again the exact way, for messages located at the overrides
                scenarios.append(validate_document(apply_overrides(document, overrides)))
            except ScenarioError as error:
                raise SweepError(
                    f"design point {point} ({', '.join(overrides)}) is not a valid scenario: {_problems(error)}"
                ) from None
    return SweepPlan(base, parameters, design, applied, scenarios, outcomes, notes)


def design_point_count(method: str, parameter_count: int, samples: int) -> int:
    """How many points a design will have, known before it is built (see :func:`make_design`)."""
    if method == "grid":
        return int(samples) ** parameter_count
    if method == "sobol":
        return samples * (parameter_count + 2)
    if method == "morris":
        return samples * (parameter_count + 1)
    return samples


@dataclass(frozen=True)
class SweepSetup:
    """What a sweep varies and analyses, before its design is drawn.

    Attributes:
        base: The validated base scenario.
        parameters: The parameters that can be varied, in design column order.
        outcomes: The metrics analysed.
        notes: What the user should know (contested parameters left out).
        named: The parameters were named with ``--vary`` (not the scenario's contested ones).
    """

    base: Scenario
    parameters: list[SweptParameter]
    outcomes: list[str]
    notes: list[str]
    named: bool


def check_method(method: str) -> str:
    """The design method, checked against :data:`~sim.analysis.designs.METHODS`.

    Raises:
        SweepError: For an unknown method, with the closest valid name.
    """
    if method not in METHODS:
        suggestion = closest_match(method, METHODS)
        raise SweepError(
            f"unknown method '{method}'; choose one of {', '.join(METHODS)}"
            + (f" (did you mean '{suggestion}'?)" if suggestion else "")
        )
    return method


def resolve_sweep(
    document: LocatedDocument,
    *,
    vary: Sequence[str | VarySpec] = (),
    outcomes: Sequence[str] | None = None,
    extra_checks: Sequence[ExtraCheck] = (),
) -> SweepSetup:
    """Validate the base scenario and decide what a sweep varies and analyses (see :func:`plan_sweep`).

    Raises:
        SweepError: For bad ``--vary``, unknown parameters or outcomes.
        ScenarioError: If the base scenario itself is invalid.
    """
    base = validate_document(document, extra_checks)
    chosen = check_outcomes(outcomes)
    specs = [parse_vary(item) if isinstance(item, str) else item for item in vary]
    parameters, notes = _swept_parameters(document, base, specs)
    return SweepSetup(base, parameters, chosen, notes, named=bool(specs))


def plan_sweep(
    document: LocatedDocument,
    *,
    vary: Sequence[str | VarySpec] = (),
    method: str = DEFAULT_METHOD,
    samples: int | None = None,
    design_seed: int | None = None,
    outcomes: Sequence[str] | None = None,
    extra_checks: Sequence[ExtraCheck] = (),
    replications: int | None = None,
) -> SweepPlan:
    """Decide what a sweep runs: the parameters, the design and one validated scenario per design point.

    Args:
        document: The scenario document (``extends`` and ``--set`` applied), see
            :func:`sim.scenario.loader.read_scenario_document`.
        vary: ``key=low:high`` texts or parsed specs; none = every contested parameter that can be varied.
        method: ``grid``, ``lhs``, ``sobol`` or ``morris``.
        samples: Grid levels per parameter, LHS points, Sobol base sample or Morris trajectories (default:
            :func:`default_samples`).
        design_seed: Seed of the random designs (default: the scenario's seed).
        outcomes: Metrics to analyse (default: :data:`DEFAULT_OUTCOMES`).
        extra_checks: Further checks of the base scenario (e.g. objective metric names).
        replications: Replications per point; if given, a sweep too large to run (see
            :func:`sim.experiment.limits.check_run_size`) is refused before its design is built.

    Returns:
        The plan.

    Raises:
        SweepError: For bad ``--vary``, unknown parameters or outcomes, a design that cannot be built or analysed,
            or a design point that is not a valid scenario.
        ScenarioError: If the base scenario itself is invalid.
        RunTooLarge: If the sweep has too many replications or would need more memory than the machine has.
    """
    check_method(method)
    setup = resolve_sweep(document, vary=vary, outcomes=outcomes, extra_checks=extra_checks)
    size = samples if samples is not None else default_samples(method, len(setup.parameters))
    seed = design_seed if design_seed is not None else setup.base.seed
    if replications is not None:
        points = design_point_count(method, len(setup.parameters), size)
        check_run_size("sweep", points, replications, setup.base, setup.base.horizon_days)
    return build_plan(document, setup.base, setup.parameters, method, size, seed, setup.outcomes, setup.notes)


@dataclass(frozen=True)
class ScreenChoice:
    """Whether a Sobol' sweep screens its parameters first (see :mod:`sim.analysis.screening`), and how.

    Attributes:
        enabled: True to screen, False never (``--no-screen``), None to decide by :meth:`wanted`.
        rule: The screening rule (``--screen-threshold``, ``--screen-keep``).
        trajectories: Morris trajectories of the screening design.
    """

    enabled: bool | None = None
    rule: ScreeningRule = field(default_factory=ScreeningRule)
    trajectories: int = DEFAULT_SCREEN_TRAJECTORIES

    def wanted(self, method: str, setup: SweepSetup) -> bool:
        """Screen when asked to, or by default for a Sobol' sweep of more than
        :data:`~sim.analysis.screening.SCREEN_ABOVE_PARAMETERS` contested parameters (named ``--vary``
        parameters are run as named).

        Raises:
            SweepError: If screening is asked for a design other than Sobol'.
        """
        if self.enabled is False:
            return False
        if self.enabled is True:
            if method != "sobol":
                raise SweepError(
                    f"screening picks the parameters of a Sobol design; it cannot precede a {method} design "
                    "(use --method sobol, or drop the screening options)"
                )
            return True
        return method == "sobol" and not setup.named and len(setup.parameters) > SCREEN_ABOVE_PARAMETERS
