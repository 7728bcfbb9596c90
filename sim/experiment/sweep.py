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
scenario document, exactly as ``--set`` would: a parameter written ``{value, low, high, source}`` keeps its source
(the plan: :mod:`sim.experiment.sweep_plan`; the overrides: :mod:`sim.scenario.overrides`).
Whole-number parameters (counts: fire units, drones, days) are rounded to the nearest whole number (ties to even);
the analysis of Sobol and Morris designs uses the design as drawn, regression uses the values actually run
(:mod:`sim.analysis.sweep_tables`).

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

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.sweep_tables import points_table, sensitivity_table
from sim.experiment.execution import DEFAULT_EXECUTION, Execution
from sim.experiment.limits import check_replications
from sim.experiment.manifest import new_manifest, write_manifest, write_resolved_scenario
from sim.experiment.replications import ResumeMismatch, resume_manifest, run_points
from sim.experiment.runner import RunTally
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import atomic_write_text, create_run_dir
from sim.experiment.sweep_plan import (
    DEFAULT_METHOD,
    DEFAULT_OUTCOMES,
    SweepError,
    SweepPlan,
    SweptParameter,
    VarySpec,
    build_plan,
    default_samples,
    parse_vary,
    plan_sweep,
)
from sim.scenario.loader import ExtraCheck, read_scenario_document, scenario_hash, validate_document
from sim.scenario.merge import LocatedDocument
from sim.scenario.overrides import whole_number_parameters

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
]

DESIGN_FILE = "design.csv"
POINTS_FILE = "points.csv"
INDICES_FILE = "indices.csv"
DEFAULT_SWEEP_REPLICATIONS = 10
"""Replications per design point when none is given: the scenario's own count, at most this many."""


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
    plan = build_plan(
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
    points = points_table([parameter.name for parameter in plan.parameters], plan.applied, plan.outcomes, metrics)
    indices, analysis_notes = sensitivity_table(plan.design, plan.applied, plan.outcomes, points)
    atomic_write_text(run_dir / POINTS_FILE, points.to_csv(index=False))
    atomic_write_text(run_dir / INDICES_FILE, indices.to_csv(index=False))
    notes = [*plan.notes, *analysis_notes]
    manifest["notes"] = notes
    write_manifest(run_dir, manifest)
    failed = metrics[metrics["status"] != "ok"][["point", "replication", "seed", "error"]].reset_index(drop=True)
    return SweepResults(run_dir, plan, seeds, metrics, points, indices, tally, failed, notes)
