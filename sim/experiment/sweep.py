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
    screening.csv        a screened Sobol' sweep only: per parameter and outcome, Morris mu_star ± its 90% half-width,
                         the relative influence, the parameter's score and whether it was kept
    screening/           a screened Sobol' sweep only: the Morris stage, itself a sweep folder (design, points, indices)

``resume=RUN_DIR`` rebuilds the same design from the manifest and runs only what is missing.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.screening import Screening, ScreeningRule, screen
from sim.analysis.sweep_tables import analysis_of, points_table, sensitivity_table
from sim.experiment.execution import DEFAULT_EXECUTION, Execution
from sim.experiment.limits import check_replications, check_run_size
from sim.experiment.manifest import new_manifest, write_manifest, write_resolved_scenario
from sim.experiment.replications import ResumeMismatch, refuse_fixed_options, resume_manifest, run_points
from sim.experiment.runner import RunIncomplete, RunInterrupted, RunTally
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import atomic_write_text, create_run_dir
from sim.experiment.sweep_plan import (
    DEFAULT_METHOD,
    DEFAULT_OUTCOMES,
    ScreenChoice,
    SweepError,
    SweepPlan,
    SweptParameter,
    VarySpec,
    build_plan,
    check_method,
    default_samples,
    design_point_count,
    parse_vary,
    plan_sweep,
    resolve_sweep,
)
from sim.scenario.loader import ExtraCheck, read_scenario_document, scenario_hash, validate_document
from sim.scenario.merge import LocatedDocument
from sim.scenario.model import Scenario
from sim.scenario.overrides import whole_number_parameters

__all__ = [
    "DEFAULT_OUTCOMES",
    "DEFAULT_SWEEP_REPLICATIONS",
    "DESIGN_FILE",
    "INDICES_FILE",
    "POINTS_FILE",
    "SCREENING_DIR",
    "SCREENING_FILE",
    "ScreenChoice",
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
SCREENING_DIR = "screening"
SCREENING_FILE = "screening.csv"
NAMED_IN_NOTE = 5
"""The screening's note names this many screened-out parameters (all are in screening.csv)."""
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


@dataclass
class _Stage:
    """What running one design produced (a sweep has one stage, a screened Sobol' sweep two)."""

    metrics: pd.DataFrame
    points: pd.DataFrame
    indices: pd.DataFrame
    notes: list[str]
    tally: RunTally


def _write_design(run_dir: Path, plan: SweepPlan) -> None:
    frame = plan.design.to_frame().reset_index()
    atomic_write_text(run_dir / DESIGN_FILE, frame.to_csv(index=False))


def _sweep_manifest(
    scenario: dict[str, Any],
    method: str,
    samples: int,
    parameters: Sequence[SweptParameter],
    outcomes: list[str],
    notes: list[str],
    base_seed: int,
    seeds: list[int],
    execution: Execution,
    **more: Any,
) -> dict[str, Any]:
    """A sweep's manifest (written when it runs): what is swept, how, under which seeds, and ``more`` fields."""
    return new_manifest(
        "sweep",
        {
            "scenario": scenario,
            "method": method,
            "analysis": analysis_of(method),
            "samples": samples,
            "design_seed": base_seed,
            "parameters": [parameter.to_manifest() for parameter in parameters],
            "outcomes": outcomes,
            "plan_notes": notes,
            **more,
        },
        base_seed=base_seed,
        seeds=seeds,
        execution=execution,
    )


def _new_stage_manifest(
    run_dir: Path,
    plan: SweepPlan,
    scenario: dict[str, Any],
    base_seed: int,
    seeds: list[int],
    execution: Execution,
) -> dict[str, Any]:
    """Write a new stage's resolved scenario and design, and return its manifest (written when it runs)."""
    write_resolved_scenario(run_dir, plan.base)
    _write_design(run_dir, plan)
    return _sweep_manifest(
        scenario,
        plan.design.method,
        plan.design.samples,
        plan.parameters,
        plan.outcomes,
        plan.notes,
        base_seed,
        seeds,
        execution,
        points=len(plan.scenarios),
        points_hash=plan.points_hash(),
    )


def _run_stage(
    run_dir: Path, manifest: dict[str, Any], plan: SweepPlan, seeds: list[int], execution: Execution
) -> _Stage:
    """Run a plan's points into ``run_dir`` (resuming what is there) and write its points and indices."""
    metrics, tally = run_points(run_dir, manifest, plan.scenarios, seeds, execution)
    points = points_table([parameter.name for parameter in plan.parameters], plan.applied, plan.outcomes, metrics)
    indices, analysis_notes = sensitivity_table(plan.design, plan.applied, plan.outcomes, points)
    atomic_write_text(run_dir / POINTS_FILE, points.to_csv(index=False))
    atomic_write_text(run_dir / INDICES_FILE, indices.to_csv(index=False))
    notes = [*plan.notes, *analysis_notes]
    manifest["notes"] = notes
    write_manifest(run_dir, manifest)
    return _Stage(metrics, points, indices, notes, tally)


def _rebuilt_plan(
    document: LocatedDocument,
    base: Scenario,
    stage: dict[str, Any],
    parameters: list[dict[str, Any]],
    where: Path,
    *,
    check: bool = True,
) -> SweepPlan:
    """The plan a stage's manifest describes; with ``check``, checked against the points it ran."""
    whole = whole_number_parameters(base)
    swept = [
        SweptParameter(
            entry["name"],
            float(entry["low"]),
            float(entry["high"]),
            entry["name"] in whole,
            entry["value"],
            entry.get("origin", "resumed"),
        )
        for entry in parameters
    ]
    plan = build_plan(
        document,
        base,
        swept,
        stage["method"],
        int(stage["samples"]),
        int(stage["design_seed"]),
        list(stage["outcomes"]),
        list(stage.get("plan_notes", [])),
    )
    if check and plan.points_hash() != stage.get("points_hash"):
        raise ResumeMismatch(
            f"{where}: the design rebuilt from its manifest differs from the one that was run (another version of "
            "the simulator or of SALib/scipy?); start a new sweep"
        )
    return plan


def _screening_record(choice: ScreenChoice, plan: SweepPlan) -> dict[str, Any]:
    """The manifest's ``screening`` entry before the decision (the candidates and how they are screened)."""
    return {
        "folder": SCREENING_DIR,
        "rule": choice.rule.describe(),
        "threshold": choice.rule.threshold,
        "keep": choice.rule.keep,
        "trajectories": choice.trajectories,
        "candidates": [parameter.to_manifest() for parameter in plan.parameters],
        "status": "running",
    }


def _screen(
    run_dir: Path,
    document: LocatedDocument,
    base: Scenario,
    manifest: dict[str, Any],
    seeds: list[int],
    execution: Execution,
    announce: Callable[[SweepPlan, int], None] | None,
    new: tuple[SweepPlan, dict[str, Any]] | None = None,
) -> tuple[Screening, _Stage]:
    """Run (or resume) the screening stage in ``run_dir/screening`` and apply the screening rule.

    ``new`` is the plan and manifest of a screening stage that has not run yet; without it the stage is rebuilt
    from its folder's manifest and resumed.
    """
    record = manifest["screening"]
    folder = run_dir / SCREENING_DIR
    if new is not None:
        plan, stage_manifest = new
    else:
        stage_manifest = resume_manifest(folder, "sweep")
        plan = _rebuilt_plan(document, base, stage_manifest, record["candidates"], folder)
    plan.screening = True
    if announce is not None:
        announce(plan, len(seeds))
    try:
        stage = _run_stage(folder, stage_manifest, plan, seeds, execution)
    except RunInterrupted as stopped:  # resume the sweep, not its screening stage alone
        raise RunInterrupted(run_dir, stopped.tally, stopped.lost) from None
    except RunIncomplete as stopped:
        raise RunIncomplete(run_dir, stopped.tally, stopped.not_run, stopped.first_error) from None
    rule = ScreeningRule(float(record["threshold"]), record["keep"])
    screening = screen(stage.indices, [parameter.name for parameter in plan.parameters], rule)
    atomic_write_text(run_dir / SCREENING_FILE, screening.table.to_csv(index=False))
    return screening, stage


def _screening_notes(screening: Screening, candidates: int) -> list[str]:
    """What the terminal and the manifest say about the screening's decision."""
    out = screening.screened_out
    named = ", ".join(out[:NAMED_IN_NOTE]) + (
        f" and {len(out) - NAMED_IN_NOTE} more" if len(out) > NAMED_IN_NOTE else ""
    )
    notes = [
        f"screening: Morris on {candidates} parameters kept {len(screening.kept)} for the Sobol analysis "
        f"({screening.rule.describe()}); screened out {len(out)}: {named or 'none'} "
        f"(every score in {SCREENING_FILE}; --no-screen runs Sobol on all)"
    ]
    if screening.note:
        notes.append(f"screening: {screening.note}")
    return notes


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
    screening: ScreenChoice | None = None,
    on_screened: Callable[[Screening], None] | None = None,
) -> SweepResults:
    """Sweep parameters of a scenario: design, runs with common random numbers, per-point means, indices.

    A Sobol' sweep of many contested parameters screens them first (see :class:`ScreenChoice` and
    :mod:`sim.analysis.screening`): a Morris stage runs in ``RUN_DIR/screening`` (a sweep folder of its own), its
    decision is written to ``screening.csv`` and the manifest's ``screening`` entry, and the Sobol' design covers
    only the parameters kept.

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
            (``vary``, ``method``, ``samples``, ``outcomes``, ``replications``, ``seed`` and ``screening`` must not
            be given).
        extra_checks: Further checks of the base scenario (e.g. objective metric names).
        announce: Called with each stage's plan and the replications per point before it runs (the command line
            prints the size of the sweep; a screened sweep calls it for the Morris stage, then the Sobol' one).
        screening: Whether to screen first and how (default: :class:`ScreenChoice`, automatic).
        on_screened: Called with the screening's decision before the Sobol' stage runs.

    Returns:
        The sweep's results; everything is also written to ``results.run_dir``.

    Raises:
        SweepError: If the sweep cannot be set up as asked (see :func:`plan_sweep`).
        ScenarioError: If the scenario is invalid.
        ResumeMismatch: If ``resume`` holds another kind of run or another scenario, or with options the folder
            fixes (``vary``, ``method``, ``samples``, ``outcomes``, ``replications``, ``seed``, ``screening``).
        RunTooLarge: If the sweep has too many replications or would need more memory than the machine has.
        RunInterrupted: On Ctrl-C (the folder is resumable).
        RunIncomplete: If some replications could not run at all (the folder is resumable).
    """
    document = read_scenario_document(scenario_file, overrides)
    if resume is not None:
        refuse_fixed_options(
            "sweep",
            {
                "--vary": bool(vary),
                "--method": method is not None,
                "--samples": samples is not None,
                "--outcome": bool(outcomes),
                "--replications": replications is not None,
                "--seed": seed is not None,
                "the screening options": screening is not None and screening != ScreenChoice(),
            },
        )
        manifest = resume_manifest(resume, "sweep")
        base = validate_document(document, extra_checks)
        if manifest["scenario"]["hash"] != scenario_hash(base):
            raise ResumeMismatch(
                f"{resume} swept a different scenario (its hash differs); resume with the same file and --set"
            )
        seeds = [int(value) for value in manifest["seeds"]]
        run_dir = resume
        new_screening = None
        plan = None
        if manifest.get("screening", {}).get("status", "done") == "done":
            plan = _rebuilt_plan(document, base, manifest, manifest["parameters"], resume)
    else:
        choice = screening or ScreenChoice()
        chosen_method = check_method(method or DEFAULT_METHOD)
        setup = resolve_sweep(document, vary=vary, outcomes=outcomes, extra_checks=extra_checks)
        base = setup.base
        base_seed = seed if seed is not None else base.seed
        check_replications(replications)
        count = replications if replications is not None else min(base.replications, DEFAULT_SWEEP_REPLICATIONS)
        size = samples if samples is not None else default_samples(chosen_method, len(setup.parameters))
        screened = choice.wanted(chosen_method, setup)
        first_stage = ("morris", choice.trajectories) if screened else (chosen_method, size)
        points = design_point_count(first_stage[0], len(setup.parameters), first_stage[1])
        check_run_size("sweep", points, count, base, base.horizon_days)
        seeds = replication_seeds(base_seed, count)
        described = {
            "name": base.name,
            "file": str(scenario_file),
            "overrides": list(overrides),
            "hash": scenario_hash(base),
        }
        if screened:
            screening_plan = build_plan(
                document, base, setup.parameters, "morris", choice.trajectories, base_seed, setup.outcomes, []
            )
            run_dir = create_run_dir(execution.results_root, f"sweep-{base.name}-{chosen_method}")
            (run_dir / SCREENING_DIR).mkdir()
            stage_manifest = _new_stage_manifest(
                run_dir / SCREENING_DIR, screening_plan, described, base_seed, seeds, execution
            )
            write_manifest(run_dir / SCREENING_DIR, stage_manifest)  # resumable before its first replication
            new_screening = (screening_plan, stage_manifest)
            write_resolved_scenario(run_dir, base)
            manifest = _sweep_manifest(
                described,
                chosen_method,
                size,
                screening_plan.parameters,  # until screened
                setup.outcomes,
                setup.notes,
                base_seed,
                seeds,
                execution,
                screening=_screening_record(choice, screening_plan),
            )
            manifest["status"] = "screening"
            write_manifest(run_dir, manifest)
            plan = None
        else:
            new_screening = None
            plan = build_plan(
                document, base, setup.parameters, chosen_method, size, base_seed, setup.outcomes, setup.notes
            )
            run_dir = create_run_dir(execution.results_root, f"sweep-{plan.base.name}-{plan.design.method}")
            manifest = _new_stage_manifest(run_dir, plan, described, base_seed, seeds, execution)
    if plan is None:  # a screened sweep whose screening has not finished
        decision, _ = _screen(run_dir, document, base, manifest, seeds, execution, announce, new_screening)
        record = manifest["screening"]
        candidates = {entry["name"]: entry for entry in record["candidates"]}
        kept = [candidates[name] for name in decision.kept]
        notes = [*manifest.get("plan_notes", []), *_screening_notes(decision, len(candidates))]
        scores = decision.scores()
        record.update(
            status="done",
            kept=decision.kept,
            screened_out=[{"name": name, "score": scores.get(name)} for name in decision.screened_out],
            note=decision.note,
        )
        manifest["plan_notes"] = notes
        manifest["parameters"] = kept
        plan = _rebuilt_plan(document, base, manifest, kept, run_dir, check=False)
        _write_design(run_dir, plan)
        manifest.update(points=len(plan.scenarios), points_hash=plan.points_hash())
        write_manifest(run_dir, manifest)
        if on_screened is not None:
            on_screened(decision)
    if announce is not None:
        announce(plan, len(seeds))
    stage = _run_stage(run_dir, manifest, plan, seeds, execution)
    failed = stage.metrics[stage.metrics["status"] != "ok"][["point", "replication", "seed", "error"]]
    return SweepResults(
        run_dir,
        plan,
        seeds,
        stage.metrics,
        stage.points,
        stage.indices,
        stage.tally,
        failed.reset_index(drop=True),
        stage.notes,
    )
