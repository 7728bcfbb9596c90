"""Replays of a played game: the same decisions under other seeds (skill or luck?) and branches (what if?).

A **script** is what a game log holds for the model: at each decision point, the actors played from there on and
the entries in the order they were carried out. :func:`run_script` plays a script against one seed, headless, and
returns plain data (so it runs in worker processes too). A decision that is refused under another seed (the stock
or money was not there in that run) is refused there too, and counted.

* :func:`replay_game` runs the log's script under ``N`` seeds derived from a base seed with
  :func:`sim.experiment.seeds.replication_seeds` and puts the played game's outcome against the distribution: its
  percentile per metric, and per objective the share of replays that met it. It first replays the log under its
  own seed and checks that this reproduces the played game exactly.
* With ``branch_at=k`` it also runs a **branch** under the same seeds (common random numbers): the log's decision
  points before *k*; from *k* on the same world — the log's injects stay — with other decisions: either the actors'
  policies (every actor is released) or another decision file's decisions and played actors. Both distributions
  are shown side by side with paired differences: "what if we had decided otherwise".

Verdicts on an objective, from whether the played game met it and the share *P* of replays that met it:
met and P ≥ 0.75 — "skill"; met and P ≥ 0.4 — "partly luck"; met and P < 0.4 — "luck"; not met and P ≥ 0.6 — "bad
luck"; not met and P ≥ 0.25 — "partly bad luck"; not met and P < 0.25 — "decisions fell short".

Replays run through the generic runner (:func:`sim.experiment.runner.run_tasks`) on the executor an
:class:`~sim.experiment.execution.Execution` names (serial with one worker, else a local process pool), into a
:class:`~sim.experiment.memory.MemoryStore`: a replay that raises is recorded as failed and counted, Ctrl-C stops
every replay at once (:class:`~sim.experiment.runner.RunInterrupted`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.objectives import is_met, objective_probability
from sim.analysis.paired import paired_difference
from sim.experiment.execution import DEFAULT_EXECUTION, Execution
from sim.experiment.executors import open_executor
from sim.experiment.memory import MemoryStore
from sim.experiment.runner import RunIncomplete, Task, build_tasks, run_tasks, task_key
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import STATUS_OK
from sim.model.metrics import compute_metrics
from sim.scenario.model import Objective, Scenario
from sim.tabletop.decisions import Entry, LoadedDecisions, TurnPlan
from sim.tabletop.game import Game
from sim.tabletop.log import GameRecord
from sim.tabletop.sitrep import is_decided, objective_status

NOT_YET_EVALUABLE = "not yet evaluable"
WORKER_PRELOAD = ("numpy", "pandas", "mesa", "sim.tabletop.replay")
SKILL, PARTLY_LUCK = 0.75, 0.4
BAD_LUCK, PARTLY_BAD_LUCK = 0.6, 0.25
LOW_PERCENTILE, HIGH_PERCENTILE = 5.0, 95.0


class ReplayError(Exception):
    """A replay cannot be made as asked (unfinished game, branch point outside the game, a log whose decisions
    the game could not have taken, replays that failed)."""


def check_decisions_played(record: GameRecord) -> None:
    """Check that every decision of a log is by an actor played at its decision point (a hand-edited log may not).

    Raises:
        ReplayError: Naming the log, the entry (``turns[i].entries[j]``), the actor and who was played.
    """
    played: frozenset[str] = frozenset()
    for index, (turn, entries) in enumerate(zip(record.log.turns, record.entries, strict=True)):
        played = played | frozenset(turn.played)
        for position, (entry, _) in enumerate(entries):
            actor = getattr(entry.item, "actor", None)
            if entry.is_decision and actor not in played:
                raise ReplayError(
                    f"{record.path}: turns[{index}].entries[{position}]: a decision by {actor}, who is not played at "
                    f"decision point {turn.turn} (played: {', '.join(sorted(played)) or 'nobody'}); "
                    f"add {actor} to turns[{index}].played or remove the decision"
                )
        played = played - frozenset(turn.released)


@dataclass(frozen=True)
class Script:
    """The model's side of a game: turn length, per decision point the played actors and the entries, and how many
    turns to run (None: to the end; a game stopped early is replayed over the turns it played)."""

    turn_days: int
    plans: Mapping[int, TurnPlan]
    turns: int | None = None


def run_script(scenario: Scenario, seed: int, script: Script) -> dict[str, Any]:
    """Play a script against one seed to the end of the game.

    Returns:
        ``{"seed", "metrics": {name: float}, "decisions": int, "refused_decisions": int,
        "entry_done": [bool, …]}`` — the last in the order entries were carried out.
    """
    game = Game(scenario, seed, script.turn_days)
    decisions = refused = 0
    entry_done: list[bool] = []
    last_turn = game.turn_count if script.turns is None else min(script.turns, game.turn_count)
    while game.turn < last_turn:
        plan = script.plans.get(game.turn)
        if plan is not None:
            for result in game.apply_plan(plan):
                entry_done.append(result.done)
                if result.entry.is_decision:
                    decisions += 1
                    refused += not result.done
        game.run_turn()
    return {
        "seed": seed,
        "metrics": compute_metrics(game.model.ledger),
        "decisions": decisions,
        "refused_decisions": refused,
        "entry_done": entry_done,
    }


DECISIONS, REFUSED_DECISIONS, ENTRY_DONE = "decisions", "refused_decisions", "entry_done"
"""Names under which :func:`replay_replication` hands a replay's counts (as metrics) and, per logged entry in the
order carried out, whether it was done (as a series) to the runner."""


def replay_replication(payload: tuple[Scenario, Script], seed: int) -> dict[str, Any]:
    """The runner's replication function: :func:`run_script` for ``payload = (scenario, script)``.

    Returns:
        ``{"metrics": the model's metrics and the decisions and refused decisions counts, "timeseries":
        {"entry_done": one 0/1 per entry carried out}}`` — the runner's result shape.
    """
    scenario, script = payload
    played = run_script(scenario, seed, script)
    metrics = {**played["metrics"], DECISIONS: played["decisions"], REFUSED_DECISIONS: played["refused_decisions"]}
    return {"metrics": metrics, "timeseries": {ENTRY_DONE: np.array(played["entry_done"], dtype=bool)}}


def _played_result(record: Mapping[str, Any]) -> dict[str, Any]:
    """A runner record of :func:`replay_replication` back in :func:`run_script`'s shape."""
    metrics = dict(record["metrics"])
    decisions, refused = int(metrics.pop(DECISIONS)), int(metrics.pop(REFUSED_DECISIONS))
    entry_done = [bool(done) for done in record["timeseries"][ENTRY_DONE]]
    return {
        "seed": record["seed"],
        "metrics": metrics,
        "decisions": decisions,
        "refused_decisions": refused,
        "entry_done": entry_done,
    }


def _run_replays(
    tasks: Sequence[Task], own: Task, execution: Execution, game_folder: Path
) -> tuple[dict[str, Any], list[tuple[int, int, dict[str, Any]]]]:
    """Run the replays and the log under its own seed through the runner.

    Returns:
        ``(own result, [(point, replication, result), …])`` in task order, results in :func:`run_script`'s shape.

    Raises:
        ReplayError: If the run under the game's own seed failed, or how many replays failed and the first error.
        RunInterrupted: On Ctrl-C.
    """
    store = MemoryStore(game_folder)
    not_run_error = ""
    with open_executor(execution.workers, execution.scheduler, preload_modules=WORKER_PRELOAD) as executor:
        try:
            run_tasks(replay_replication, [own, *tasks], executor, store, progress=execution.progress)
        except RunIncomplete as incomplete:  # a chunk could not run at all (a worker died): its replays failed
            not_run_error = incomplete.first_error

    def error_of(task: Task) -> str | None:
        record = store.records.get(task.key)
        if record is None:
            return not_run_error
        return None if record["status"] == STATUS_OK else str(record["error"])

    own_error = error_of(own)
    if own_error is not None:
        raise ReplayError(f"the replay under the game's own seed ({own.seed}) failed: {own_error}")
    errors = [error for task in tasks if (error := error_of(task)) is not None]
    if errors:
        raise ReplayError(f"{len(errors)} of {len(tasks)} replays failed; the first error: {errors[0]}")
    results = [(task.point, task.replication, _played_result(store.records[task.key])) for task in tasks]
    return _played_result(store.records[own.key]), results


def turns_played(record: GameRecord) -> int:
    """Turns a logged game has run (all of them when it is finished)."""
    return record.log.turn_count if record.finished else max(len(record.log.turns) - 1, 0)


def script_from_log(record: GameRecord) -> Script:
    """The script of a played game, over the turns it played."""
    return Script(record.log.turn_days, record.plans(), turns_played(record))


def branch_script(record: GameRecord, branch_at: int, other: LoadedDecisions | None = None) -> Script:
    """The game up to ``branch_at``, then other decisions in the same world.

    Decision points before ``branch_at`` are the log's. From ``branch_at`` on, the log's injects stay (the world is
    the same; only the decisions differ) and its decisions go: with ``other`` None every actor is released to its
    policies; with a decision file, the actors it plays by each point are played and its decisions are taken after
    the log's injects (its own injects and its entries before ``branch_at`` are not used).
    """
    logged = record.plans()
    plans: dict[int, TurnPlan] = {turn: plan for turn, plan in logged.items() if turn < branch_at}
    turns = sorted({turn for turn in logged if turn >= branch_at} | {branch_at})
    if other is not None:
        turns = sorted(set(turns) | {turn for turn in other.plans if turn >= branch_at})
    played: frozenset[str] = frozenset()
    if other is not None:
        for turn in sorted(other.plans):
            if turn < branch_at:
                played = other.plans[turn].played
    for turn in turns:
        injects = tuple(entry for entry in logged[turn].entries if not entry.is_decision) if turn in logged else ()
        decisions: tuple[Entry, ...] = ()
        released: frozenset[str] = frozenset()
        if other is not None and turn in other.plans:
            played, released = other.plans[turn].played, other.plans[turn].released
            decisions = tuple(entry for entry in other.plans[turn].entries if entry.is_decision)
        plans[turn] = TurnPlan(turn, played, injects + decisions, released)
    return Script(record.log.turn_days, plans, turns_played(record))


def other_injects_ignored(other: LoadedDecisions, branch_at: int) -> int:
    """How many injects of a branch's decision file are not used (a branch keeps the game's injects)."""
    return sum(
        1 for turn, plan in other.plans.items() if turn >= branch_at for entry in plan.entries if not entry.is_decision
    )


@dataclass
class ReplayResult:
    """Replays of a game (and of a branch): the runs and their comparison with the played game."""

    played_metrics: dict[str, float]
    reproduced: bool
    seeds: list[int]
    runs: pd.DataFrame  # variant, replication, seed, decisions, refused_decisions, metrics …
    objectives: pd.DataFrame  # per objective (and variant)
    metrics: pd.DataFrame  # per key metric: played value against the replays (and the branch)
    entries: pd.DataFrame  # per logged entry: refused in the game? in how many replays?
    branch_label: str | None = None
    mismatches: list[str] = field(default_factory=list)


def _percentile_of(value: float, values: np.ndarray) -> float:
    """Mid-rank percentile of ``value`` among ``values`` (ties count half)."""
    finite = values[~np.isnan(values)]
    if math.isnan(value) or finite.size == 0:
        return math.nan
    below = float((finite < value).sum())
    equal = float((finite == value).sum())
    return 100.0 * (below + 0.5 * equal) / finite.size


def _spread(values: np.ndarray) -> tuple[float, float, float]:
    finite = values[~np.isnan(values)]
    if finite.size == 0:
        return math.nan, math.nan, math.nan
    low, high = np.percentile(finite, [LOW_PERCENTILE, HIGH_PERCENTILE])
    return float(finite.mean()), float(low), float(high)


def verdict(met: bool, probability: float) -> str:
    """Skill or luck (rules in the module docstring)."""
    if math.isnan(probability):
        return "–"
    if met:
        return "skill" if probability >= SKILL else "partly luck" if probability >= PARTLY_LUCK else "luck"
    if probability >= BAD_LUCK:
        return "bad luck"
    return "partly bad luck" if probability >= PARTLY_BAD_LUCK else "decisions fell short"


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def replay_game(
    record: GameRecord,
    scenario: Scenario,
    *,
    replications: int,
    base_seed: int | None = None,
    execution: Execution = DEFAULT_EXECUTION,
    branch_at: int | None = None,
    other: LoadedDecisions | None = None,
    key_metrics: Sequence[str] = (),
) -> ReplayResult:
    """Replay a game under ``replications`` seeds (and a branch, if asked), over the turns it has played.

    A game stopped before its end is replayed over the turns it played and compared with its outcome after the
    last of them; its objectives are judged only where already decided (:func:`sim.tabletop.sitrep.is_decided`),
    the others are "not yet evaluable".

    Args:
        record: The game log.
        scenario: Its scenario (hash-checked by the caller).
        replications: Number of seeds.
        base_seed: Base of the replication seeds (default: the game's seed).
        execution: How to run the replays (workers, progress bar); the run folder is not used.
        branch_at: Decision point from which the branch departs (with ``other`` None: policies).
        other: The branch's decision file.
        key_metrics: Metrics to compare besides the objectives' (default: the objectives' only).

    Raises:
        ReplayError: if no turn has been played, the branch point is outside the turns played, a decision of the
            log is by an actor not played, or replays failed (how many, and the first error).
        RunInterrupted: On Ctrl-C.
    """
    log = record.log
    played_turns = turns_played(record)
    if played_turns == 0:
        raise ReplayError(
            f"no turn of this game has been played yet; play at least one with sim play --resume {record.path}"
        )
    if branch_at is not None and not 0 <= branch_at < played_turns:
        raise ReplayError(f"--branch-at must be a decision point from 0 to {played_turns - 1} (the turns played)")
    check_decisions_played(record)
    outcome = log.final if record.finished and log.final is not None else log.turns[played_turns].outcome or {}
    played_metrics = {name: float(value) for name, value in outcome.get("metrics", {}).items()}
    script = script_from_log(record)
    seeds = replication_seeds(base_seed if base_seed is not None else log.seed, replications)
    variants: list[tuple[str, Script]] = [("as played", script)]
    label = None
    if branch_at is not None:
        label = f"branch at {branch_at}: " + (f"decisions of {other.path}" if other else "policies")
        variants.append(("branch", branch_script(record, branch_at, other)))
    tasks = build_tasks([(scenario, variant_script) for _, variant_script in variants], seeds)
    own = Task(task_key(len(variants), 0), len(variants), 0, log.seed, (scenario, script))
    own_result, finished = _run_replays(tasks, own, execution, record.path.parent)
    results = [(variants[point][0], replication, result) for point, replication, result in finished]
    mismatches = [
        f"{name}: {own_result['metrics'].get(name)} replayed, {value} played"
        for name, value in played_metrics.items()
        if not _same(float(own_result["metrics"].get(name, math.nan)), value)
    ]
    rows = []
    for variant, replication, result in results:
        rows.append(
            {
                "variant": variant,
                "replication": replication,
                "seed": result["seed"],
                "decisions": result["decisions"],
                "refused_decisions": result["refused_decisions"],
                **result["metrics"],
            }
        )
    runs = pd.DataFrame(rows)
    objectives = _objective_table(record, runs, played_metrics, played_turns)
    names = [o["metric"] for o in log.scenario.objectives]
    names += [name for name in key_metrics if name not in names and name in runs.columns]
    metrics = _metric_table(runs, played_metrics, names)
    entries = _entry_table(record, [r for v, _, r in results if v == "as played"])
    return ReplayResult(played_metrics, not mismatches, seeds, runs, objectives, metrics, entries, label, mismatches)


def _objective_table(
    record: GameRecord, runs: pd.DataFrame, played: Mapping[str, float], played_turns: int
) -> pd.DataFrame:
    log = record.log
    days_played = min(played_turns * log.turn_days, log.scenario.horizon_days)
    rows = []
    for objective in log.scenario.objectives:
        metric, threshold, direction = objective["metric"], float(objective["threshold"]), objective["direction"]
        value = played.get(metric, math.nan)
        met = is_met(value, threshold, direction)
        evaluable = days_played >= log.scenario.horizon_days or is_decided(
            objective_status(Objective.model_validate(objective), value, days_played, log.scenario.horizon_days).status
        )
        row: dict[str, Any] = {
            "objective": objective["name"],
            "metric": metric,
            "direction": direction,
            "threshold": threshold,
            "played": value,
            "met": met,
        }
        for variant, frame in runs.groupby("variant", sort=False):
            values = frame[metric].to_numpy(dtype=float) if metric in frame else np.array([math.nan])
            estimate = objective_probability(values, threshold, direction)
            prefix = "" if variant == "as played" else "branch_"
            row[f"{prefix}p_met"] = estimate.probability
            row[f"{prefix}p_low"] = estimate.low
            row[f"{prefix}p_high"] = estimate.high
            if variant == "as played":
                row["percentile"] = _percentile_of(value, values)
                row["verdict"] = verdict(met, estimate.probability) if evaluable else NOT_YET_EVALUABLE
        row["evaluable"] = evaluable
        rows.append(row)
    return pd.DataFrame(rows)


def _metric_table(runs: pd.DataFrame, played: Mapping[str, float], names: Sequence[str]) -> pd.DataFrame:
    rows = []
    as_played = runs[runs["variant"] == "as played"]
    branch = runs[runs["variant"] == "branch"]
    for name in names:
        if name not in runs:
            continue
        values = as_played[name].to_numpy(dtype=float)
        mean, low, high = _spread(values)
        row: dict[str, Any] = {
            "metric": name,
            "played": played.get(name, math.nan),
            "mean": mean,
            "low": low,
            "high": high,
            "percentile": _percentile_of(played.get(name, math.nan), values),
        }
        if not branch.empty:
            branch_values = branch[name].to_numpy(dtype=float)
            row["branch_mean"], row["branch_low"], row["branch_high"] = _spread(branch_values)
            difference = paired_difference(branch_values, values)
            row["diff_mean"], row["diff_low"], row["diff_high"] = difference.mean, difference.low, difference.high
            row["significant"] = difference.significant
        rows.append(row)
    return pd.DataFrame(rows)


def _entry_table(record: GameRecord, results: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    rows = []
    position = 0
    last_turn = turns_played(record)
    for turn, entries in zip(record.log.turns, record.entries, strict=True):
        if turn.turn >= last_turn:  # the open decision point of a stopped game: nothing of it was replayed
            break
        for entry, logged in entries:
            refused = sum(1 for result in results if not result["entry_done"][position])
            rows.append(
                {
                    "turn": turn.turn,
                    "kind": "decision" if entry.is_decision else "inject",
                    "actor": entry.actor or "",
                    "entry": entry.describe(),
                    "done_in_game": logged.done,
                    "refused_in_replays": refused,
                    "replays": len(results),
                }
            )
            position += 1
    return pd.DataFrame(
        rows, columns=["turn", "kind", "actor", "entry", "done_in_game", "refused_in_replays", "replays"]
    )
