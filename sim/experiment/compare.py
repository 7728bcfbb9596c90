"""Comparing scenarios with common random numbers: ``sim compare A.yaml B.yaml …``.

:func:`compare_scenarios` runs every scenario's replications in one run folder, replication *i* of every scenario
with the same seed (common random numbers), so the differences from the first scenario (the baseline) are paired
replication by replication and their confidence intervals are much narrower than those of independent runs. The
folder holds::

    manifest.json                  kind "compare": scenarios (label, name, file, hash), seeds, executor, versions
    scenario-<i>-<label>.yaml      each resolved scenario (extends and --set applied), loadable on its own
    chunks/                        finished replications, written atomically as they arrive (the source of truth)
    replications.csv               one row per replication: point (= scenario index), scenario label, seed, metrics
    timeseries.parquet             daily series of every ok replication
    comparison.csv                 per scenario and metric: mean, 90% of replications, paired difference from the
                                   first scenario with its 90% confidence interval, significant, n, the smallest
                                   difference that matters and the verdict (sim.analysis.verdicts)
    hypotheses.csv                 per scenario and hypothesis: the paired difference and supported/refuted/inconclusive
    objectives.csv                 per scenario and objective: probability of being met with a 90% interval

``resume=RUN_DIR`` continues an interrupted comparison without recomputing what is on disk.

:func:`~sim.experiment.replications.run_points` — run several scenario variants ("points") with the same seeds into
one folder — is shared with ``sim run`` and :mod:`sim.experiment.sweep`.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.hypotheses import HYPOTHESIS_COLUMNS, judge_hypotheses
from sim.analysis.objectives import evaluate_objectives
from sim.analysis.paired import COMPARISON_COLUMNS, compare_frames
from sim.analysis.targets import COMMON_METRIC, OWN_METRIC, with_common_targets
from sim.analysis.verdicts import add_verdicts, min_difference_overrides
from sim.experiment.execution import DEFAULT_EXECUTION, Execution
from sim.experiment.limits import check_run_size
from sim.experiment.manifest import (
    new_manifest,
    read_manifest,
    write_manifest,
    write_resolved_scenario,
)
from sim.experiment.replications import (
    ResumeMismatch,
    metric_columns,
    refuse_fixed_options,
    resume_manifest,
    run_points,
)
from sim.experiment.runner import RunTally
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import REPLICATIONS_CSV, ResultStore, atomic_write_text, create_run_dir
from sim.scenario.loader import load_scenario, scenario_hash
from sim.scenario.model import Objective, Scenario

__all__ = [
    "COMPARISON_FILE",
    "HYPOTHESES_FILE",
    "OBJECTIVES_FILE",
    "CompareResults",
    "compare_scenarios",
    "load_comparison",
    "resolved_scenario_file",
    "run_points",
    "unique_labels",
]

COMPARISON_FILE = "comparison.csv"
OBJECTIVES_FILE = "objectives.csv"
HYPOTHESES_FILE = "hypotheses.csv"
CONFIDENCE_LEVEL = 0.90
MAX_FOLDER_LABELS = 3
"""A comparison folder is named after at most this many scenarios (``a-vs-b-vs-c``, then ``-and-N-more``)."""


@dataclass
class CompareResults:
    """What a comparison produced.

    Attributes:
        run_dir: The run folder.
        labels: One unique label per scenario, in order; the first is the baseline.
        scenarios: The validated scenarios, in order.
        seeds: The replication seeds, shared by every scenario.
        metrics: One row per replication of every scenario: ``point`` (scenario index), ``scenario`` (label),
            ``replication``, ``seed``, ``status``, ``error`` and the metrics.
        comparison: One row per scenario and metric (see :data:`sim.analysis.paired.COMPARISON_COLUMNS`).
        objectives: One row per scenario and objective: ``scenario``, ``name``, ``metric``, ``direction``,
            ``threshold``, ``probability``, ``low``, ``high``, ``n``, ``description``.
        tally: What the last call ran (a resumed comparison counts what it skipped).
        failed: Failed replications: ``scenario``, ``replication``, ``seed``, ``error``.
        notes: Things the reader should know (metrics left out of the comparison, scenarios without results).
        hypotheses: One row per scenario and hypothesis (:data:`sim.analysis.hypotheses.HYPOTHESIS_COLUMNS`).
    """

    run_dir: Path
    labels: list[str]
    scenarios: list[Scenario]
    seeds: list[int]
    metrics: pd.DataFrame
    comparison: pd.DataFrame
    objectives: pd.DataFrame
    tally: RunTally
    failed: pd.DataFrame = field(default_factory=pd.DataFrame)
    notes: list[str] = field(default_factory=list)
    hypotheses: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=list(HYPOTHESIS_COLUMNS)))

    @property
    def baseline(self) -> str:
        """The label of the scenario every other one is compared with."""
        return self.labels[0]


# --------------------------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------------------------


class IncomparableScenarios(ValueError):
    """Scenarios whose paired differences would measure their set-up, not their choices (different horizons)."""


def check_comparable(labels: Sequence[str], scenarios: Sequence[Scenario]) -> None:
    """Refuse scenarios of different ``horizon_days``: most outcomes are totals over the horizon, so the extra
    days alone would show as differences (and as verdicts). The message says how to give them one horizon.

    Raises:
        IncomparableScenarios: Naming each scenario's horizon.
    """
    horizons = [scenario.horizon_days for scenario in scenarios]
    if len(set(horizons)) > 1:
        listed = ", ".join(f"{label} {days}" for label, days in zip(labels, horizons, strict=True))
        raise IncomparableScenarios(
            f"the scenarios run over different horizons (horizon_days: {listed}): totals over different periods "
            f"would differ by the extra days alone; compare them over one horizon, e.g. --set horizon_days="
            f"{min(horizons)}"
        )


def start_date_note(labels: Sequence[str], scenarios: Sequence[Scenario]) -> str | None:
    """A warning when the scenarios start on different dates (compared day by day, not date by date)."""
    dates = [scenario.start_date for scenario in scenarios]
    if len(set(dates)) == 1:
        return None
    listed = ", ".join(f"{label} {day.isoformat()}" for label, day in zip(labels, dates, strict=True))
    return (
        f"WARNING: the scenarios start on different dates ({listed}); the model counts days from each start, so "
        "day d of one is paired with day d of the other (same raids, events on the same day numbers) and the "
        f"figures' dates are {labels[0]}'s: if the later start is meant to change what happens, write it into "
        "its raids and events"
    )


def unique_labels(labels: Sequence[str]) -> list[str]:
    """Make labels unique by suffixing repeats: ``["a", "a", "b"]`` → ``["a", "a-2", "b"]``.

    Args:
        labels: Labels in order, possibly repeated (the same scenario file given twice).

    Returns:
        The labels, each repeat suffixed ``-2``, ``-3`` … with a suffix that no other label uses.
    """
    taken: set[str] = set()
    result = []
    for label in labels:
        candidate, counter = label, 1
        while candidate in taken:
            counter += 1
            candidate = f"{label}-{counter}"
        taken.add(candidate)
        result.append(candidate)
    return result


def resolved_scenario_file(index: int, label: str) -> str:
    """File name of the resolved scenario of the ``index``-th scenario of a comparison."""
    safe = "".join(character if character.isalnum() or character in "._-" else "-" for character in label)
    return f"scenario-{index}-{safe.strip('.-') or 'scenario'}.yaml"


def _folder_name(labels: Sequence[str]) -> str:
    shown = list(labels[:MAX_FOLDER_LABELS])
    name = "compare-" + "-vs-".join(shown)
    if len(labels) > MAX_FOLDER_LABELS:
        name += f"-and-{len(labels) - MAX_FOLDER_LABELS}-more"
    return name[:120]


def _write_resolved(run_dir: Path, index: int, label: str, scenario: Scenario) -> str:
    """Write a resolved scenario under its comparison name (atomically: written, then renamed)."""
    name = resolved_scenario_file(index, label)
    os.replace(write_resolved_scenario(run_dir, scenario), run_dir / name)
    return name


def _union_objectives(scenarios: Sequence[Scenario]) -> list[Objective]:
    """Every objective of any scenario, once (by name, metric, direction and threshold), in first-seen order."""
    seen: dict[tuple[str, str, str, float], Objective] = {}
    for scenario in scenarios:
        for objective in scenario.objectives:
            seen.setdefault((objective.name, objective.metric, objective.direction, objective.threshold), objective)
    return list(seen.values())


def _with_labels(metrics: pd.DataFrame, labels: Sequence[str]) -> pd.DataFrame:
    frame = metrics.copy()
    frame.insert(frame.columns.get_loc("point") + 1, "scenario", [labels[int(point)] for point in frame["point"]])
    return frame


def summarize_comparison(
    metrics: pd.DataFrame, labels: Sequence[str], scenarios: Sequence[Scenario]
) -> tuple[pd.DataFrame, pd.DataFrame, list[str], pd.DataFrame]:
    """Paired comparison with the first scenario, verdicts, hypotheses and every objective's probability.

    When the scenarios set different capability targets, ``capability_target_fulfilment_common`` measures every
    scenario against the first scenario's targets, and ``capability_target_fulfilment`` (own targets) gets the
    verdict ``not comparable``.

    Args:
        metrics: One row per replication with ``point`` = scenario index (failed rows are left out here).
        labels: Scenario labels, in point order; the first is the baseline.
        scenarios: The scenarios, in point order (their objectives are evaluated on every scenario).

    Returns:
        ``(comparison, objectives, notes, hypotheses)``: the :func:`sim.analysis.paired.compare_frames` table with
        ``min_difference`` and ``verdict`` (:func:`sim.analysis.verdicts.add_verdicts`), the objectives table with a
        ``scenario`` column, notes on what was left out, and the judged hypotheses.
    """
    shifted = start_date_note(labels, scenarios)
    notes: list[str] = [shifted] if shifted else []
    ok = metrics[metrics["status"] == "ok"] if "status" in metrics else metrics
    ok, different_targets = with_common_targets(ok, scenarios)
    if different_targets:
        notes.append(
            f"the scenarios set different capability targets: {COMMON_METRIC} measures every scenario against "
            f"{labels[0]}'s targets; {OWN_METRIC} (each against its own) is not comparable"
        )
    columns = [column for column in metric_columns(ok) if column != "scenario"]
    frames: dict[str, pd.DataFrame] = {}
    for point, label in enumerate(labels):
        rows = ok[ok["point"] == point]
        if rows.empty:
            notes.append(f"{label}: no successful replication, left out of the comparison")
            continue
        frames[label] = rows[["replication", *columns]].reset_index(drop=True)
    comparison = pd.DataFrame(columns=[*COMPARISON_COLUMNS, "min_difference", "verdict"])
    overrides = min_difference_overrides(scenarios[0])
    if labels[0] in frames:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            comparison = compare_frames(frames, labels[0], CONFIDENCE_LEVEL)
        notes.extend(str(warning.message) for warning in caught)
        comparison = add_verdicts(
            comparison, labels[0], overrides, frozenset({OWN_METRIC}) if different_targets else frozenset()
        )
    else:
        notes.append(f"the baseline {labels[0]} has no successful replication: no paired differences")
    hypotheses = judge_hypotheses(comparison, labels, scenarios, overrides)
    objectives = _union_objectives(scenarios)
    tables = []
    for point, label in enumerate(labels):
        table = evaluate_objectives(objectives, ok[ok["point"] == point])
        table.insert(0, "scenario", label)
        tables.append(table)
    objectives_table = pd.concat(tables, ignore_index=True) if tables else pd.DataFrame()
    return comparison, objectives_table, notes, hypotheses


def compare_scenarios(
    entries: Sequence[tuple[str, Scenario, str | None]],
    *,
    replications: int | None = None,
    seed: int | None = None,
    execution: Execution = DEFAULT_EXECUTION,
    resume: Path | None = None,
    overrides: Sequence[str] = (),
) -> CompareResults:
    """Run several scenarios with common random numbers and compare each with the first.

    Args:
        entries: ``(label, scenario, source_file)`` per scenario, at least one; the first is the baseline.
            Repeated labels are suffixed (``baseline``, ``baseline-2``).
        replications: Replications per scenario (default: the first scenario's ``replications``).
        seed: Base seed (default: the first scenario's ``seed``); replication *i* of every scenario gets the
            *i*-th child seed.
        execution: How to run: executor, where the new run folder is made, progress bar, the command to record.
        resume: An interrupted comparison folder to continue instead of a new one; the scenarios must be the
            same (same content, same order).
        overrides: The ``--set`` overrides applied to every scenario (recorded in the manifest).

    Returns:
        The comparison's results; everything is also written to ``results.run_dir``.

    Raises:
        ValueError: If no scenario is given.
        IncomparableScenarios: If the scenarios have different ``horizon_days`` (before any work).
        ResumeMismatch: If ``resume`` holds another kind of run or other scenarios, or with ``replications`` or
            ``seed`` (the folder fixes them).
        RunTooLarge: Before any work, if the comparison is too large to make.
        RunInterrupted: On Ctrl-C (the folder is resumable).
        RunIncomplete: If some replications could not run at all (the folder is resumable).
    """
    if not entries:
        raise ValueError("compare needs at least one scenario")
    labels = unique_labels([label for label, _, _ in entries])
    scenarios = [scenario for _, scenario, _ in entries]
    check_comparable(labels, scenarios)
    hashes = [scenario_hash(scenario) for scenario in scenarios]
    if resume is not None:
        manifest = resume_manifest(resume, "compare")
        recorded = [entry["hash"] for entry in manifest["scenarios"]]
        if recorded != hashes:
            raise ResumeMismatch(
                f"{resume} compared other scenarios (or the same in another order, or with other --set values); "
                "resume with the same files in the same order and the same --set"
            )
        refuse_fixed_options("compare", {"--replications": replications is not None, "--seed": seed is not None})
        seeds = [int(value) for value in manifest["seeds"]]
        run_dir = resume
    else:
        count = replications if replications is not None else scenarios[0].replications
        horizon_days = max(scenario.horizon_days for scenario in scenarios)
        check_run_size("comparison", len(scenarios), count, scenarios[0], horizon_days)
        base_seed = seed if seed is not None else scenarios[0].seed
        seeds = replication_seeds(base_seed, count)
        run_dir = create_run_dir(execution.results_root, _folder_name(labels))
        described = []
        for index, ((_, scenario, source_file), label, digest) in enumerate(zip(entries, labels, hashes, strict=True)):
            described.append(
                {
                    "label": label,
                    "name": scenario.name,
                    "file": source_file,
                    "hash": digest,
                    "resolved": _write_resolved(run_dir, index, label, scenario),
                }
            )
        manifest = new_manifest(
            "compare",
            {"scenarios": described, "baseline": labels[0], "overrides": list(overrides)},
            base_seed=base_seed,
            seeds=seeds,
            execution=execution,
        )
    metrics, tally = run_points(run_dir, manifest, scenarios, seeds, execution)
    return _finish_comparison(run_dir, labels, scenarios, seeds, metrics, tally, manifest)


def _finish_comparison(
    run_dir: Path,
    labels: list[str],
    scenarios: list[Scenario],
    seeds: list[int],
    metrics: pd.DataFrame,
    tally: RunTally,
    manifest: dict[str, Any] | None,
) -> CompareResults:
    """Write the comparison's tables (and notes into the manifest, if given) and build its results."""
    labelled = _with_labels(metrics, labels)
    atomic_write_text(run_dir / REPLICATIONS_CSV, labelled.to_csv(index=False))
    comparison, objectives, notes, hypotheses = summarize_comparison(metrics, labels, scenarios)
    atomic_write_text(run_dir / COMPARISON_FILE, comparison.to_csv(index=False))
    atomic_write_text(run_dir / OBJECTIVES_FILE, objectives.to_csv(index=False))
    atomic_write_text(run_dir / HYPOTHESES_FILE, hypotheses.to_csv(index=False))
    if manifest is not None:
        manifest["notes"] = notes
        write_manifest(run_dir, manifest)
    failed = labelled[labelled["status"] != "ok"][["scenario", "replication", "seed", "error"]]
    return CompareResults(
        run_dir=run_dir,
        labels=labels,
        scenarios=scenarios,
        seeds=seeds,
        metrics=labelled,
        comparison=comparison,
        objectives=objectives,
        tally=tally,
        failed=failed.reset_index(drop=True),
        notes=notes,
        hypotheses=hypotheses,
    )


def load_comparison(run_dir: Path) -> CompareResults:
    """Read a finished comparison folder back (for reports): scenarios, replications and recomputed tables.

    Raises:
        FileNotFoundError: If the folder has no manifest.
        ResumeMismatch: If the folder holds another kind of run.
    """
    manifest = read_manifest(run_dir)
    if manifest.get("kind") != "compare":
        raise ResumeMismatch(f"{run_dir} holds a '{manifest.get('kind', 'run')}' run, not a comparison")
    labels = [entry["label"] for entry in manifest["scenarios"]]
    scenarios = [load_scenario(run_dir / entry["resolved"]) for entry in manifest["scenarios"]]
    metrics = ResultStore(run_dir).load_metrics()
    ok = int((metrics["status"] == "ok").sum())
    tally = RunTally(completed=ok, failed=len(metrics) - ok, skipped=0)
    seeds = [int(value) for value in manifest["seeds"]]
    labelled = _with_labels(metrics, labels)
    comparison, objectives, notes, hypotheses = summarize_comparison(metrics, labels, scenarios)
    failed = labelled[labelled["status"] != "ok"][["scenario", "replication", "seed", "error"]]
    return CompareResults(
        run_dir,
        labels,
        scenarios,
        seeds,
        labelled,
        comparison,
        objectives,
        tally,
        failed.reset_index(drop=True),
        notes,
        hypotheses,
    )
