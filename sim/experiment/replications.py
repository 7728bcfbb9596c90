"""Seeded replications of one scenario: run them (anywhere), store them, summarise them.

:func:`run_scenario` is what ``sim run`` and :func:`sim.api.run` call: it derives one seed per
replication from the base seed, ships ``(scenario, seed)`` to an executor (serial, process pool or Dask),
writes every finished chunk to a new run folder as it arrives, and summarises the metrics (mean and 90%
interval) and each objective's probability of being met. ``resume=RUN_DIR`` continues an interrupted
run without recomputing what is on disk.
"""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.objectives import evaluate_objectives
from sim.analysis.summary import summarize_metrics
from sim.experiment.execution import DEFAULT_EXECUTION, WORKER_PRELOAD, Execution
from sim.experiment.executors import ExecutorError, open_execution
from sim.experiment.limits import check_run_size
from sim.experiment.manifest import (
    MANIFEST_FILE,
    new_manifest,
    now_utc,
    read_manifest,
    write_manifest,
    write_resolved_scenario,
)
from sim.experiment.runner import RunIncomplete, RunInterrupted, RunNotSaved, RunTally, build_tasks, run_tasks
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore, StoreError, atomic_write_text, create_run_dir
from sim.model.run import run_replication
from sim.scenario.loader import load_scenario, scenario_hash
from sim.scenario.model import Scenario

SUMMARY_FILE = "summary.csv"
OBJECTIVES_FILE = "objectives.csv"


class ResumeMismatch(Exception):
    """The run folder to resume was made from another scenario or other seeds."""


def resume_manifest(resume: Path, kind: str) -> dict[str, Any]:
    """Read the manifest of a folder to resume and check it was made by the same kind of command.

    Args:
        resume: The run folder.
        kind: ``"run"``, ``"compare"`` or ``"sweep"``.

    Returns:
        The manifest, with the time of this resumption appended to ``resumed``.

    Raises:
        FileNotFoundError: If the folder has no manifest.
        ManifestError: If the manifest is damaged (see :func:`sim.experiment.manifest.read_manifest`).
        ResumeMismatch: If the folder was made by another command.
    """
    manifest = read_manifest(resume)
    found = manifest.get("kind", "run")
    if found != kind:
        raise ResumeMismatch(f"{resume} holds a '{found}' run, not a '{kind}'; resume it with `sim {found}`")
    manifest.setdefault("resumed", []).append(now_utc())
    return manifest


def refuse_fixed_options(kind: str, given: Mapping[str, bool]) -> None:
    """Refuse options that a resumed folder already fixes (its manifest holds them): silently ignoring them would
    report another run than the one asked for.

    Args:
        kind: ``"run"``, ``"compare"`` or ``"sweep"``.
        given: Each option as the user would type it (``"--seed"``) and whether it was given.

    Raises:
        ResumeMismatch: Naming every option given.
    """
    clashing = [option for option, present in given.items() if present]
    if clashing:
        what = {"compare": "comparison"}.get(kind, kind)
        raise ResumeMismatch(
            f"--resume continues the {what} as it was started; drop {', '.join(clashing)} (they are in its manifest)"
        )


@dataclass
class RunResults:
    """What a run produced: its folder, per-replication metrics, the summary and the objectives."""

    run_dir: Path
    scenario: Scenario
    seeds: list[int]
    metrics: pd.DataFrame  # one row per replication: key, point, replication, seed, status, error, metrics…
    summary: pd.DataFrame  # one row per metric: mean, std, low, high, mean_ci_low, mean_ci_high, n
    objectives: pd.DataFrame  # one row per objective: name, metric, direction, threshold, probability, low, high, n
    tally: RunTally
    failed: pd.DataFrame = field(default_factory=pd.DataFrame)  # failed replications: replication, seed, error

    def timeseries(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        """Daily time series of every replication (long format: replication, day, one column per series)."""
        return ResultStore(self.run_dir).load_timeseries(series)


def metric_columns(frame: pd.DataFrame) -> list[str]:
    """The metric columns of a per-replication table (everything but the bookkeeping columns)."""
    fixed = {"key", "point", "replication", "seed", "status", "error", "elapsed_s"}
    return [column for column in frame.columns if column not in fixed]


def summarize_run(scenario: Scenario, metrics: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Summary of the ok replications' metrics and the objectives table."""
    ok = metrics[metrics["status"] == "ok"] if "status" in metrics else metrics
    columns = metric_columns(ok)
    summary = summarize_metrics(ok[columns]) if len(ok) else pd.DataFrame()
    return summary, evaluate_objectives(scenario.objectives, ok)


def _new_manifest(
    scenario: Scenario,
    seeds: list[int],
    base_seed: int,
    *,
    source_file: str | None,
    overrides: Sequence[str],
    execution: Execution,
) -> dict[str, Any]:
    described = {
        "name": scenario.name,
        "file": source_file,
        "overrides": list(overrides),
        "hash": scenario_hash(scenario),
    }
    return new_manifest(
        "run",
        {"scenario": described},
        base_seed=base_seed,
        seeds=seeds,
        execution=execution,
    )


def _count_recorded(store: ResultStore) -> int:
    """How many replications the folder holds, for the tally of a run stopped outside the runner; a damaged chunk
    (which the runner sets aside and recomputes) counts as holding none."""
    try:
        return len(store.completed_keys())
    except StoreError:
        return 0


def run_points(
    run_dir: Path,
    manifest: dict[str, Any],
    scenarios: Sequence[Scenario],
    seeds: Sequence[int],
    execution: Execution,
) -> tuple[pd.DataFrame, RunTally]:
    """Run every scenario variant ("point") with the same seeds into ``run_dir`` and consolidate the results.

    Point *p* is ``scenarios[p]``; replication *i* of every point uses ``seeds[i]`` (common random numbers).
    Replications already in the folder's store are skipped, so calling this again on an interrupted folder
    resumes it. ``sim run`` (one point), ``sim compare`` and ``sim sweep`` all run through here.

    The manifest's ``status`` is kept current. It becomes ``running`` only once the executor is open: if the
    executor cannot be opened (a Dask scheduler that cannot be reached), a resumed folder is left as it was and a
    new folder — one whose manifest was never written — is removed, so no folder claims to be running and none
    holds nothing. It becomes ``interrupted`` if the run stops early (Ctrl-C, the Dask cluster lost) and
    ``incomplete`` if chunks could not run (the folder stays resumable in both cases), else ``complete`` or
    ``complete with failures`` with the tally of ok and failed replications.

    Args:
        run_dir: The run folder (created by :func:`sim.experiment.store.create_run_dir`).
        manifest: The folder's manifest, rewritten here as the status changes.
        scenarios: One validated scenario per point.
        seeds: One seed per replication, the same for every point.
        execution: How to run: the executor (workers or a Dask scheduler) and the progress bar.

    Returns:
        ``(metrics, tally)``: one row per replication (see :meth:`ResultStore.load_metrics`) and what this
        call ran.

    Raises:
        RunInterrupted: On Ctrl-C or a lost Dask cluster, after saving every finished chunk.
        RunIncomplete: If some chunks could not run at all (they run on resume).
        RunNotSaved: If a finished chunk cannot be written (e.g. the disk is full); the folder resumes.
        sim.experiment.executors.ExecutorError: If the executor cannot be opened (nothing ran).
    """
    store = ResultStore(run_dir)
    tasks = build_tasks(list(scenarios), list(seeds))
    new_folder = not (run_dir / MANIFEST_FILE).exists()
    done_before = _count_recorded(store)
    started = False

    def stopped(status: str) -> None:
        if started:
            manifest["status"] = status
            write_manifest(run_dir, manifest)
        elif new_folder:
            shutil.rmtree(run_dir, ignore_errors=True)

    try:
        with open_execution(execution, WORKER_PRELOAD) as executor:
            manifest["status"] = "running"
            write_manifest(run_dir, manifest)
            started = True
            tally = run_tasks(
                run_replication,
                tasks,
                executor,
                store,
                progress=execution.progress,
                on_chunk=execution.on_chunk,
                chunk_size=execution.chunk_size,
                read_only_payloads=True,  # a scenario is frozen and the model never writes to it
            )
        metrics = store.load_metrics()
        store.consolidate(metrics)
    except RunInterrupted:
        stopped("interrupted")
        raise
    except RunIncomplete:
        stopped("incomplete")
        raise
    except RunNotSaved:
        with contextlib.suppress(OSError):  # the disk may still be full: the status stays "running", still resumable
            stopped("incomplete")
        raise
    except KeyboardInterrupt:  # Ctrl-C while the executor opens or closes, or while consolidating
        stopped("interrupted")
        if not started:
            raise
        written = _count_recorded(store) - done_before
        raise RunInterrupted(run_dir, RunTally(completed=written, failed=0, skipped=done_before)) from None
    except ExecutorError:
        stopped("failed")
        raise
    failed = int((metrics["status"] != "ok").sum())
    manifest.update(
        finished=now_utc(),
        status="complete" if failed == 0 else "complete with failures",
        tally={"ok": len(metrics) - failed, "failed": failed},
    )
    write_manifest(run_dir, manifest)
    return metrics, tally


def run_scenario(
    scenario: Scenario,
    *,
    replications: int | None = None,
    seed: int | None = None,
    execution: Execution = DEFAULT_EXECUTION,
    resume: Path | None = None,
    source_file: str | None = None,
    overrides: Sequence[str] = (),
) -> RunResults:
    """Run a scenario's seeded replications into a run folder and summarise them.

    Args:
        scenario: The validated scenario.
        replications: How many (default: the scenario's ``replications``).
        seed: Base seed (default: the scenario's ``seed``); replication *i* gets the *i*-th child seed.
        execution: How to run: executor, where new run folders are made, progress bar, the command to record.
        resume: An interrupted run folder to continue instead of a new one.
        source_file, overrides: Recorded in the manifest.

    Returns:
        The run's results.

    Raises:
        RunInterrupted: On Ctrl-C or a lost Dask cluster (the folder is resumable).
        RunIncomplete: If some replications could not run at all (the folder is resumable).
        RunTooLarge: Before any work, if the run is too large to make (see :mod:`sim.experiment.limits`).
        sim.experiment.executors.ExecutorError: If the executor cannot be opened; a new folder is removed.
    """
    if resume is not None:
        manifest = resume_manifest(resume, "run")
        if manifest["scenario"]["hash"] != scenario_hash(scenario):
            raise ResumeMismatch(
                f"{resume} was run from a different scenario (its hash differs); resume with the same file and --set"
            )
        refuse_fixed_options("run", {"--replications": replications is not None, "--seed": seed is not None})
        seeds = [int(value) for value in manifest["seeds"]]
        run_dir = resume
    else:
        count = replications if replications is not None else scenario.replications
        check_run_size("run", 1, count, scenario, scenario.horizon_days)
        base_seed = seed if seed is not None else scenario.seed
        seeds = replication_seeds(base_seed, count)
        run_dir = create_run_dir(execution.results_root, scenario.name)
        write_resolved_scenario(run_dir, scenario)
        manifest = _new_manifest(
            scenario,
            seeds,
            base_seed,
            source_file=source_file,
            overrides=overrides,
            execution=execution,
        )
    metrics, tally = run_points(run_dir, manifest, [scenario], seeds, execution)
    summary, objectives = summarize_run(scenario, metrics)
    atomic_write_text(run_dir / SUMMARY_FILE, summary.to_csv())
    atomic_write_text(run_dir / OBJECTIVES_FILE, objectives.to_csv(index=False))
    failed = metrics[metrics["status"] != "ok"][["replication", "seed", "error"]]
    return RunResults(run_dir, scenario, seeds, metrics, summary, objectives, tally, failed)


def load_run(run_dir: Path) -> RunResults:
    """Read a finished run folder back (for reports)."""
    manifest = read_manifest(run_dir)
    scenario = load_scenario(run_dir / "scenario.yaml")
    metrics = ResultStore(run_dir).load_metrics()
    summary, objectives = summarize_run(scenario, metrics)
    failed = metrics[metrics["status"] != "ok"][["replication", "seed", "error"]]
    ok = int((metrics["status"] == "ok").sum())
    tally = RunTally(completed=ok, failed=len(failed), skipped=0)
    seeds = [int(value) for value in manifest["seeds"]]
    return RunResults(run_dir, scenario, seeds, metrics, summary, objectives, tally, failed)
