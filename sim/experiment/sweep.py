"""Parameter sweeps: ``sim sweep SCENARIO [--vary key=low:high …] [--method grid|lhs|sobol|morris]``.

A sweep varies some numeric parameters of one scenario between bounds, runs every design point's replications
with common random numbers (replication *i* of every point uses the same seed), averages each outcome over the
replications of a point, and ranks the parameters by their influence on each outcome:

* ``grid`` and ``lhs`` designs (:mod:`scipy.stats.qmc`): standardized regression coefficients and Spearman rank
  correlations (:func:`sim.analysis.sensitivity.regression_indices`);
* ``sobol``: Saltelli's design and first-order / total Sobol' indices with bootstrap confidence intervals (SALib);
* ``morris``: Morris trajectories and the elementary-effect statistics μ*, σ (SALib).

Without ``--vary`` a sweep varies every *contested* parameter, i.e. every parameter written with a ``low``/``high``
range in the scenario (see :mod:`sim.scenario.provenance`); a contested parameter that cannot be varied (its key
cannot be written as an override, its range holds a single whole number, or a bound makes the scenario invalid)
is left out with a note. Each design point becomes a validated scenario by applying ``key=value`` overrides to the
scenario document, exactly as ``--set`` would: a parameter written ``{value, low, high, source}`` keeps its source.
Whole-number parameters (counts: fire units, drones, days) are rounded to the nearest whole number (ties to even);
the analysis of Sobol and Morris designs uses the design as drawn, regression uses the values actually run.

The run folder::

    manifest.json        kind "sweep": method, samples, design seed, parameters {name, low, high}, outcomes, seeds
    scenario.yaml        the resolved base scenario (before the design's values)
    design.csv           the design as drawn: point and one column per parameter (written before any run)
    chunks/              finished replications, written atomically as they arrive (the source of truth)
    replications.csv     one row per replication (point = design point)
    timeseries.parquet   daily series of every ok replication
    points.csv           per point: the parameter values run, replications ok/failed, mean of each outcome
    indices.csv          per outcome and parameter: the method's indices, influence and rank (1 = most influential)

``resume=RUN_DIR`` rebuilds the same design from the manifest and runs only what is missing.
"""

from __future__ import annotations

import hashlib
import math
import typing
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel

from sim.analysis.designs import METHODS, Design, Parameter, make_design
from sim.analysis.sensitivity import morris_indices, rank_parameters, regression_indices, sobol_indices
from sim.experiment.compare import run_points
from sim.experiment.execution import DEFAULT_EXECUTION, Execution
from sim.experiment.limits import check_replications, check_run_size
from sim.experiment.manifest import new_manifest, write_manifest, write_resolved_scenario
from sim.experiment.replications import ResumeMismatch, resume_manifest
from sim.experiment.runner import RunTally
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import atomic_write_text, create_run_dir
from sim.model.metrics import METRIC_NAMES, is_known_metric
from sim.scenario.errors import ScenarioError, closest_match, format_key_path
from sim.scenario.loader import ExtraCheck, read_scenario_document, scenario_hash, validate_document
from sim.scenario.merge import KeyPath, LocatedDocument, apply_override, list_index, parse_override
from sim.scenario.model import Scenario
from sim.scenario.parameters import Param, is_whole_number
from sim.scenario.provenance import ProvenanceRow, provenance_rows

__all__ = [
    "DEFAULT_OUTCOMES",
    "DEFAULT_SWEEP_REPLICATIONS",
    "DESIGN_FILE",
    "INDICES_FILE",
    "POINTS_FILE",
    "SweepError",
    "SweepPlan",
    "SweepResults",
    "SweptParameter",
    "VarySpec",
    "default_samples",
    "parse_vary",
    "plan_sweep",
    "sweep_scenario",
    "whole_number_parameters",
]

DESIGN_FILE = "design.csv"
POINTS_FILE = "points.csv"
INDICES_FILE = "indices.csv"

DEFAULT_OUTCOMES: tuple[str, ...] = (
    "ukraine_drone_intercept_rate",
    "nato_leakers",
    "interceptor_spend_meur",
    "cost_exchange_ratio",
    "airport_closure_hours",
)
"""Outcomes a sweep analyses when none is chosen."""

DEFAULT_SWEEP_REPLICATIONS = 10
"""Replications per design point when none is given: the scenario's own count, at most this many."""

DEFAULT_METHOD = "lhs"

_ANALYSIS_OF = {"grid": "regression", "lhs": "regression", "sobol": "sobol", "morris": "morris"}


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
    """

    base: Scenario
    parameters: list[SweptParameter]
    design: Design
    applied: np.ndarray
    scenarios: list[Scenario]
    outcomes: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def analysis(self) -> str:
        """``"regression"`` (grid, lhs), ``"sobol"`` or ``"morris"``."""
        return _ANALYSIS_OF[self.design.method]

    def points_hash(self) -> str:
        """SHA-256 over the points' scenario hashes: equal plans run exactly the same work."""
        digest = hashlib.sha256()
        for scenario in self.scenarios:
            digest.update(scenario_hash(scenario).encode())
        return digest.hexdigest()


@dataclass
class SweepResults:
    """What a sweep produced.

    Attributes:
        run_dir: The run folder.
        plan: The sweep's plan (parameters, design, point scenarios, outcomes).
        seeds: Replication seeds, the same for every point.
        metrics: One row per replication (``point`` = design point).
        points: One row per point: ``point``, each parameter's applied value, ``replications_ok``,
            ``replications_failed`` and the mean of each outcome over the point's ok replications.
        indices: One row per outcome and parameter: ``outcome``, ``parameter``, ``method``, the method's columns,
            ``influence`` and ``rank``.
        tally: What the last call ran.
        failed: Failed replications: ``point``, ``replication``, ``seed``, ``error``.
        notes: What the user should know (parameters left out, outcomes that could not be analysed).
    """

    run_dir: Path
    plan: SweepPlan
    seeds: list[int]
    metrics: pd.DataFrame
    points: pd.DataFrame
    indices: pd.DataFrame
    tally: RunTally
    failed: pd.DataFrame
    notes: list[str] = field(default_factory=list)


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


def canonical_key_path(document: LocatedDocument, key: str) -> str:
    """The key path of a parameter as ``sim sources`` prints it, list items selected by name turned into indexes.

    ``industry.suppliers.mbda.products[0].capacity_per_month`` becomes ``industry.suppliers[2].products[0]…``
    when ``mbda`` is the third supplier.

    Raises:
        SweepError: If the key path cannot be read.
    """
    try:
        path, _ = parse_override(f"{key}=0")
    except ScenarioError as error:
        raise SweepError(
            f"--vary {key}: {error.problems[0].message} (expected dotted keys like events[1].drones)"
        ) from None
    resolved: list[str | int] = []
    node: Any = document.data
    for segment in path:
        if isinstance(node, list):
            index = list_index(node, segment)
            if index is None:
                resolved.append(segment)
                node = None
                continue
            resolved.append(index)
            node = node[index]
        else:
            resolved.append(segment)
            node = node.get(segment) if isinstance(node, Mapping) and isinstance(segment, str) else None
    return format_key_path(resolved)


def whole_number_parameters(scenario: Scenario) -> set[str]:
    """Key paths of the parameters that must be whole numbers (declared as counts in the scenario model).

    Args:
        scenario: A validated scenario.

    Returns:
        Key paths, formatted like :func:`sim.scenario.provenance.provenance_rows`.
    """
    found: set[str] = set()
    _collect_whole_numbers(scenario, None, (), found)
    return found


def _collect_whole_numbers(node: Any, annotation: Any, path: KeyPath, found: set[str]) -> None:
    if isinstance(node, Param):
        if _is_whole_number(annotation):
            found.add(format_key_path(path))
    elif isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            annotated = typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            _collect_whole_numbers(getattr(node, name), annotated, (*path, name), found)
    elif isinstance(node, Mapping):
        item_annotation = _item_annotation(annotation, dict)
        for key, value in node.items():
            _collect_whole_numbers(value, item_annotation, (*path, key), found)
    elif isinstance(node, list | tuple):
        item_annotation = _item_annotation(annotation, list)
        for index, value in enumerate(node):
            _collect_whole_numbers(value, item_annotation, (*path, index), found)


def _unwrap_optional(annotation: Any) -> Any:
    while typing.get_origin(annotation) in (typing.Union, type(int | None)):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) != 1:
            return annotation
        annotation = members[0]
    return annotation


def _item_annotation(annotation: Any, container: type) -> Any:
    annotation = _unwrap_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = _unwrap_optional(typing.get_args(annotation)[0])
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if container is dict and origin in (dict, Mapping) and len(arguments) == 2:
        return arguments[1]
    if container is list and origin in (list, tuple, Sequence) and arguments:
        return arguments[0]
    return None


def _is_whole_number(annotation: Any) -> bool:
    return is_whole_number(_unwrap_optional(annotation))


def _apply(document: LocatedDocument, overrides: Sequence[str]) -> LocatedDocument:
    """Apply overrides one after the other (each copies the whole document; see :func:`_apply_fast`)."""
    for text in overrides:
        document = apply_override(document, text)
    return document


def _apply_fast(document: LocatedDocument, overrides: Sequence[tuple[KeyPath, str]]) -> LocatedDocument:
    """The data of :func:`_apply` for ``(key path, override)`` pairs, without copying the whole document each time.

    :func:`~sim.scenario.merge.apply_override` deep-copies the whole document for every override, which dominates
    the set-up of a large design (tens of parameters times hundreds of points). Here each override is applied, with
    ``apply_override`` itself, to a *skeleton* holding only the containers on its key path and the current node at
    its end; the resulting node goes into a copy of the document in which only the containers on the override
    paths are copied (the rest is shared with ``document``, which is never modified). The values — and the source
    and range notes kept on ``{value, low, high, source}`` parameters — are those :func:`_apply` gives; locations
    are not updated, so a document that fails validation is rebuilt with :func:`_apply` for located messages.
    """
    texts = [text for _, text in overrides]
    root = dict(document.data)
    copied = {id(root)}
    for path, text in overrides:
        skeleton = _skeleton(document.data, path)
        if skeleton is None:  # the path crosses a list by name or a missing list item: take the exact way
            return LocatedDocument(_apply(document, texts).data, document.locations)
        updated: Any = apply_override(LocatedDocument(skeleton, {}), text).data
        target: Any = root
        for segment in path[:-1]:
            updated = updated[segment]
            child = target[int(segment)] if isinstance(target, list) else target.get(segment)
            if child is None:
                child = {}
            elif id(child) not in copied:
                child = list(child) if isinstance(child, list) else dict(child)
            copied.add(id(child))
            target[segment] = child
            target = child
        target[path[-1]] = updated[path[-1]]
    return LocatedDocument(root, document.locations)


def _skeleton(data: Any, path: KeyPath) -> Any:
    """Containers of ``data`` along ``path`` holding only the path's children, the current node at its end.

    Returns None when the path is not a plain walk through existing mappings and list indexes (a list item chosen
    by name, an index out of range, a path through a number): the caller then takes the exact, slow way.
    """
    if not path:
        return data
    segment, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(segment, int) and 0 <= segment < len(data):
        child = _skeleton(data[segment], rest)
        if child is None:
            return None
        items: list[Any] = [None] * len(data)
        items[segment] = child
        return items
    if isinstance(data, Mapping) and isinstance(segment, str):
        if segment not in data:
            return {}  # apply_override creates the missing mappings, here as in the document
        child = _skeleton(data[segment], rest)
        return None if child is None else {segment: child}
    return None


def _problems(error: ScenarioError, limit: int = 5) -> str:
    lines = [problem.format() for problem in error.problems[:limit]]
    if len(error.problems) > limit:
        lines.append(f"… and {len(error.problems) - limit} more")
    return "; ".join(lines)


def _probe(document: LocatedDocument, parameter: SweptParameter) -> str | None:
    """Why the scenario is invalid with the parameter at one of its bounds (None when both are valid)."""
    for bound in (parameter.low, parameter.high):
        try:
            validate_document(apply_override(document, parameter.override(bound)))
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
            name = canonical_key_path(document, spec.key)
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
            problem = _probe(document, parameter)
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
            reason = _probe(document, parameter)
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


def _build_plan(
    document: LocatedDocument,
    base: Scenario,
    parameters: list[SweptParameter],
    method: str,
    samples: int,
    design_seed: int,
    outcomes: list[str],
    notes: list[str],
) -> SweepPlan:
    design_parameters = [Parameter(parameter.name, parameter.low, parameter.high) for parameter in parameters]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            design = make_design(method, design_parameters, samples, design_seed)
        except ValueError as error:
            raise SweepError(f"cannot build the {method} design: {error}") from None
    notes = [*notes, *(str(warning.message) for warning in caught)]
    if _ANALYSIS_OF[method] == "regression" and design.n_points < len(parameters) + 2:
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
            scenarios.append(validate_document(_apply_fast(document, list(zip(paths, overrides, strict=True)))))
        except ScenarioError:
            try:  # again the exact way, for messages located at the overrides
                scenarios.append(validate_document(_apply(document, overrides)))
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
    if method not in METHODS:
        suggestion = closest_match(method, METHODS)
        raise SweepError(
            f"unknown method '{method}'; choose one of {', '.join(METHODS)}"
            + (f" (did you mean '{suggestion}'?)" if suggestion else "")
        )
    base = validate_document(document, extra_checks)
    chosen = check_outcomes(outcomes)
    specs = [parse_vary(item) if isinstance(item, str) else item for item in vary]
    parameters, notes = _swept_parameters(document, base, specs)
    size = samples if samples is not None else default_samples(method, len(parameters))
    seed = design_seed if design_seed is not None else base.seed
    if replications is not None:
        points = design_point_count(method, len(parameters), size)
        check_run_size("sweep", points, replications, base, base.horizon_days)
    return _build_plan(document, base, parameters, method, size, seed, chosen, notes)


# --------------------------------------------------------------------------------------------------------------
# Analysis
# --------------------------------------------------------------------------------------------------------------


def points_table(plan: SweepPlan, metrics: pd.DataFrame) -> pd.DataFrame:
    """Per design point: the parameter values run, replications ok/failed and each outcome's mean.

    Means are over the point's ok replications with a finite value (NaN if there is none).
    """
    table = pd.DataFrame(plan.applied, columns=[parameter.name for parameter in plan.parameters])
    table.insert(0, "point", np.arange(len(plan.scenarios), dtype=np.int64))
    is_ok = (metrics["status"] == "ok").groupby(metrics["point"])
    table["replications_ok"] = is_ok.sum().reindex(table["point"], fill_value=0).to_numpy(dtype=np.int64)
    table["replications_failed"] = (
        (is_ok.size() - is_ok.sum()).reindex(table["point"], fill_value=0).to_numpy(dtype=np.int64)
    )
    ok = metrics[metrics["status"] == "ok"]
    for outcome in plan.outcomes:
        if outcome in ok.columns:
            means = ok.groupby("point")[outcome].mean()  # skips NaN
            table[outcome] = means.reindex(table["point"]).to_numpy(dtype=float)
        else:
            table[outcome] = math.nan
    return table


def sensitivity_table(plan: SweepPlan, points: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rank the parameters by influence on each outcome with the design's method.

    Args:
        plan: The sweep's plan.
        points: :func:`points_table` of the sweep.

    Returns:
        ``(indices, notes)``: one row per outcome and parameter (``outcome``, ``parameter``, ``method``, the
        method's index columns, ``influence``, ``rank``), and notes on outcomes that could not be analysed.
    """
    notes: list[str] = []
    tables = []
    analysis = plan.analysis
    design = plan.design if analysis != "regression" else replace(plan.design, points=plan.applied)
    for outcome in plan.outcomes:
        values = points[outcome].to_numpy(dtype=float)
        missing = int(np.count_nonzero(~np.isfinite(values)))
        if missing:
            notes.append(
                f"{outcome}: not analysed, {missing} of {len(values)} points have no value (the metric is undefined "
                "there, or every replication failed)"
            )
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if analysis == "sobol":
                    table = sobol_indices(design, values, seed=design.seed or 0)
                elif analysis == "morris":
                    table = morris_indices(design, values, seed=design.seed or 0)
                else:
                    table = regression_indices(design, values)
            except ValueError as error:
                notes.append(f"{outcome}: not analysed ({error})")
                continue
        notes.extend(f"{outcome}: {warning.message}" for warning in caught if "constant" not in str(warning.message))
        if "note" in table.attrs:
            notes.append(f"{outcome}: {table.attrs['note']}")
        ranked = rank_parameters(table, analysis)
        ranked.insert(0, "outcome", outcome)
        ranked.insert(2, "method", analysis)
        tables.append(ranked)
    if not tables:
        return pd.DataFrame(columns=["outcome", "parameter", "method", "influence", "rank"]), notes
    return pd.concat(tables, ignore_index=True), notes


# --------------------------------------------------------------------------------------------------------------
# Running a sweep
# --------------------------------------------------------------------------------------------------------------


def _write_design(run_dir: Path, plan: SweepPlan) -> None:
    frame = plan.design.to_frame().reset_index()
    atomic_write_text(run_dir / DESIGN_FILE, frame.to_csv(index=False))


def _resume_plan(
    resume: Path, document: LocatedDocument, extra_checks: Sequence[ExtraCheck]
) -> tuple[SweepPlan, dict[str, Any]]:
    manifest = resume_manifest(resume, "sweep")
    base = validate_document(document, extra_checks)
    if manifest["scenario"]["hash"] != scenario_hash(base):
        raise ResumeMismatch(
            f"{resume} swept a different scenario (its hash differs); resume with the same file and --set"
        )
    whole = whole_number_parameters(base)
    parameters = [
        SweptParameter(
            entry["name"], float(entry["low"]), float(entry["high"]), entry["name"] in whole, entry["value"], "resumed"
        )
        for entry in manifest["parameters"]
    ]
    plan = _build_plan(
        document,
        base,
        parameters,
        manifest["method"],
        int(manifest["samples"]),
        int(manifest["design_seed"]),
        list(manifest["outcomes"]),
        list(manifest.get("plan_notes", [])),
    )
    if plan.points_hash() != manifest.get("points_hash"):
        raise ResumeMismatch(
            f"{resume}: the design rebuilt from its manifest differs from the one that was run (another version of "
            "the simulator or of SALib/scipy?); start a new sweep"
        )
    return plan, manifest


def sweep_scenario(
    scenario_file: str | Path,
    *,
    overrides: Sequence[str] = (),
    vary: Sequence[str | VarySpec] = (),
    method: str | None = None,
    samples: int | None = None,
    outcomes: Sequence[str] | None = None,
    replications: int | None = None,
    seed: int | None = None,
    execution: Execution = DEFAULT_EXECUTION,
    resume: Path | None = None,
    extra_checks: Sequence[ExtraCheck] = (),
    announce: Callable[[SweepPlan, int], None] | None = None,
) -> SweepResults:
    """Sweep parameters of a scenario: design, runs with common random numbers, per-point means, indices.

    Args:
        scenario_file: The scenario YAML file.
        overrides: ``--set`` overrides applied to the base scenario before the design's values.
        vary: ``key=low:high`` texts or specs; none = every contested parameter that can be varied.
        method: ``grid``, ``lhs``, ``sobol`` or ``morris`` (default ``lhs``).
        samples: Grid levels, LHS points, Sobol base sample or Morris trajectories (see :func:`default_samples`).
        outcomes: Metrics to analyse (default :data:`DEFAULT_OUTCOMES`).
        replications: Replications per point (default: the scenario's, at most
            :data:`DEFAULT_SWEEP_REPLICATIONS`).
        seed: Base seed of the replications and seed of the design (default: the scenario's seed).
        execution: How to run: executor, where the new run folder is made, progress bar, the command to record.
        resume: An interrupted sweep folder to continue; the design, outcomes and seeds come from its manifest
            (``vary``, ``method``, ``samples``, ``outcomes``, ``replications`` and ``seed`` must not be given).
        extra_checks: Further checks of the base scenario (e.g. objective metric names).
        announce: Called with the plan and the replications per point once the plan is made, before any run
            (the command line prints the size of the sweep).

    Returns:
        The sweep's results; everything is also written to ``results.run_dir``.

    Raises:
        SweepError: If the sweep cannot be set up as asked (see :func:`plan_sweep`).
        ScenarioError: If the scenario is invalid.
        ResumeMismatch: If ``resume`` holds another kind of run or another scenario.
        RunTooLarge: If the sweep has too many replications or would need more memory than the machine has.
        RunInterrupted: On Ctrl-C (the folder is resumable).
        RunIncomplete: If some replications could not run at all (the folder is resumable).
    """
    document = read_scenario_document(scenario_file, overrides)
    if resume is not None:
        given = {
            "--vary": bool(vary),
            "--method": method is not None,
            "--samples": samples is not None,
            "--outcome": bool(outcomes),
            "--replications": replications is not None,
            "--seed": seed is not None,
        }
        clashing = [option for option, present in given.items() if present]
        if clashing:
            raise SweepError(
                f"--resume continues the sweep as it was started; drop {', '.join(clashing)} (they are in its manifest)"
            )
        plan, manifest = _resume_plan(resume, document, extra_checks)
        seeds = [int(value) for value in manifest["seeds"]]
        run_dir = resume
    else:
        probe = validate_document(document, extra_checks)
        base_seed = seed if seed is not None else probe.seed
        check_replications(replications)
        count = replications if replications is not None else min(probe.replications, DEFAULT_SWEEP_REPLICATIONS)
        plan = plan_sweep(
            document,
            vary=vary,
            method=method or DEFAULT_METHOD,
            samples=samples,
            design_seed=base_seed,
            outcomes=outcomes,
            extra_checks=extra_checks,
            replications=count,
        )
        seeds = replication_seeds(base_seed, count)
        run_dir = create_run_dir(execution.results_root, f"sweep-{plan.base.name}-{plan.design.method}")
        write_resolved_scenario(run_dir, plan.base)
        _write_design(run_dir, plan)
        manifest = new_manifest(
            "sweep",
            {
                "scenario": {
                    "name": plan.base.name,
                    "file": str(scenario_file),
                    "overrides": list(overrides),
                    "hash": scenario_hash(plan.base),
                },
                "method": plan.design.method,
                "analysis": plan.analysis,
                "samples": plan.design.samples,
                "design_seed": base_seed,
                "parameters": [parameter.to_manifest() for parameter in plan.parameters],
                "outcomes": plan.outcomes,
                "points": len(plan.scenarios),
                "points_hash": plan.points_hash(),
                "plan_notes": plan.notes,
            },
            base_seed=base_seed,
            seeds=seeds,
            execution=execution,
        )
    if announce is not None:
        announce(plan, len(seeds))
    metrics, tally = run_points(run_dir, manifest, plan.scenarios, seeds, execution)
    points = points_table(plan, metrics)
    indices, analysis_notes = sensitivity_table(plan, points)
    atomic_write_text(run_dir / POINTS_FILE, points.to_csv(index=False))
    atomic_write_text(run_dir / INDICES_FILE, indices.to_csv(index=False))
    notes = [*plan.notes, *analysis_notes]
    manifest["notes"] = notes
    write_manifest(run_dir, manifest)
    failed = metrics[metrics["status"] != "ok"][["point", "replication", "seed", "error"]].reset_index(drop=True)
    return SweepResults(run_dir, plan, seeds, metrics, points, indices, tally, failed, notes)
