"""A facilitated game: the turn loop of ``sim play``.

The loop runs a turn, shows the situation report (rich tables, and a figure saved per turn), then holds a
decision point: the decision file's entries for that point are carried out, then — in interactive play — the
facilitator types the players' decisions and injects until ``done``. Everything goes into the game log as it
happens (:mod:`sim.tabletop.log`), so :func:`resume_session` can rebuild the game from the log — replaying every
logged turn and entry and checking that each reproduces what the log says — and carry on where it stopped.

The prompt understands (one per line)::

    {actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}}   a decision (it has an `actor`)
    {kind: incursion, target: EE, drones: 12}                              an inject (a scenario event, no day)
    play DE PL                                                              these actors are played from now on
    played                                                                  who is played
    sitrep                                                                  show the situation report again
    help [KIND]                                                             the commands, or one kind's fields
    done                                                                    end the decision point; run the next turn
    quit                                                                    save and stop (resume with --resume)

End of input (Ctrl-D, or the end of piped input) saves and stops like ``quit``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from sim.experiment.manifest import write_resolved_scenario
from sim.experiment.store import create_run_dir
from sim.model.metrics import METRICS, compute_metrics
from sim.report.console import PlainTable
from sim.report.sitrep_figure import save_sitrep_figure
from sim.scenario.errors import ScenarioError, closest_match
from sim.scenario.events import Event
from sim.scenario.model import Scenario
from sim.tabletop.decisions import DECISION_ACTORS, Decision, Entry, LoadedDecisions, TurnPlan, parse_entry
from sim.tabletop.game import Game, TurnWindow
from sim.tabletop.log import LOG_FILE, GameLog, GameRecord, LogMismatch
from sim.tabletop.sitrep import Sitrep, build_sitrep, objective_status, render_sitrep, sitrep_figure_data

ReadLine = Callable[[str], str | None]
"""Reads one line of the facilitator's input after showing a prompt; None at the end of input."""

KEY_METRICS = (
    "ukraine_drone_intercept_rate",
    "ukraine_leakers",
    "nato_leakers",
    "damage_meur",
    "airport_closure_hours",
    "ukraine_empty_magazine_days",
    "capability_target_fulfilment",
    "fire_units_donated",
    "refused_actions",
)
"""Metrics shown at the end of a game and compared by replays (besides the scenario's objectives)."""


@dataclass
class PlayResult:
    """How a session ended."""

    status: str  # "finished" or "stopped"
    log_path: Path
    final: dict[str, Any] | None = None


def _figure_name(turn: int) -> str:
    return f"sitrep-turn-{turn:02d}.png"


def outcome_record(report: Sitrep, figure: str | None) -> dict[str, Any]:
    """What the log keeps of a turn's situation report."""
    return {
        "first_day": report.first_day,
        "last_day": report.end_day - 1,
        "dates": [report.date(report.first_day).isoformat(), report.date(report.end_day - 1).isoformat()],
        "numbers": report.numbers,
        "objectives": [
            {"name": o.name, "value": o.value, "projected": o.projected, "status": o.status} for o in report.objectives
        ],
        "highlights": report.highlights,
        "refused": report.refused,
        "metrics": report.metrics,
        "figure": figure,
    }


def final_record(game: Game, log: GameLog) -> dict[str, Any]:
    """What the log keeps at the end: every metric, each objective met or not, the refused decisions."""
    metrics = compute_metrics(game.model.ledger)
    scenario = game.scenario
    objectives = []
    for objective in scenario.objectives:
        status = objective_status(
            objective, metrics.get(objective.metric, math.nan), scenario.horizon_days, scenario.horizon_days
        )
        objectives.append(
            {
                "name": objective.name,
                "metric": objective.metric,
                "direction": objective.direction,
                "threshold": objective.threshold,
                "value": status.value,
                "met": status.status == "met",
            }
        )
    refused = sum(1 for turn in log.turns for entry in turn["entries"] if "decision" in entry and not entry["done"])
    return {"metrics": metrics, "objectives": objectives, "refused_decisions": refused}


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or a == b


def _kind_help(kind: str) -> str:
    """The fields of a decision or inject kind, from the models themselves."""
    import typing

    for union in (Decision, Event):
        for member in typing.get_args(typing.get_args(union)[0]):
            if member.model_fields["kind"].default == kind:
                fields = [
                    (field.alias or name) + ("" if field.is_required() else "?")
                    for name, field in member.model_fields.items()
                    if name not in ("kind", "day", "name", "description", "source")
                ]
                who = DECISION_ACTORS.get(kind)
                role = f"decision by {' / '.join(who)}" if who and union is Decision else "inject"
                doc = " ".join((member.__doc__ or "").split())
                return f"{kind} ({role}): {doc}\n  fields: {', '.join(fields)}   (? = optional)"
    return ""


PROMPT_HELP = """\
Type one entry or command per line:
  {actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}, backfill: true}
  {actor: PL, kind: order, item: pac3_mse, units: 200, joint: true}
  {actor: NATO, kind: move, effector: patriot, units: 1, to: EE}
  {actor: EU, kind: fund_ukraine_industry, meur: 500}        {actor: EU, kind: joint_round}
  {actor: UA, kind: allocate, region: kyiv, interceptors: {pac3_mse: 20}}
  {kind: incursion, target: EE, drones: 12, threat: shahed}   an inject: a scenario event without `day`
  play DE PL     actors played from now on (their policies stand down)      played   who is played
  sitrep         the situation report again          help KIND   the fields of a decision or inject kind
  done           end this decision point and run the next turn
  quit           save and stop (continue later with: sim play --resume LOG)
Decision kinds: transfer, order, move, fund_ukraine_industry, joint_round, allocate.
Inject kinds: incursion, raid, transfer, budget_change, supplier_delay, capacity_change, airport_closure,
redeployment, funding."""


@dataclass
class Session:
    """One game being played (see the module docstring)."""

    game: Game
    log: GameLog
    console: Console
    read_line: ReadLine | None = None  # None: no prompt (decision file only)
    plans: Mapping[int, TurnPlan] = field(default_factory=dict)
    figures: bool = True
    played_at_start: frozenset[str] = frozenset()
    file_entries_done: dict[int, int] = field(default_factory=dict)  # entries of an open decision point (resume)
    last_report: Sitrep | None = None

    @property
    def game_dir(self) -> Path:
        """The folder of the log and the figures."""
        return self.log.path.parent

    # --- the loop ------------------------------------------------------------------------------------------

    def run(self) -> PlayResult:
        """Play until the game is over or the facilitator quits.

        The loop stands at decision point ``game.turn``: it records the turn that led there (unless the log
        already has it: a resumed game), holds the decision point (unless the log closed it), then runs the next
        turn.
        """
        game, log = self.game, self.log
        window: TurnWindow | None = None
        while True:
            turn = game.turn
            if len(log.turns) <= turn:
                self._record_turn(window)
            if game.finished:
                final = final_record(game, log)
                log.set_status("finished", final)
                self._show_final(final)
                return PlayResult("finished", log.path, final)
            if not log.turns[turn]["closed"]:
                if self._decision_point(turn) == "quit":
                    log.set_status("stopped")
                    return PlayResult("stopped", log.path)
                log.close_turn()
            window = game.run_turn()

    def _record_turn(self, window: TurnWindow | None) -> None:
        game = self.game
        report = build_sitrep(game, window)
        figure = None
        if window is not None and self.figures:
            figure = _figure_name(window.turn)
            save_sitrep_figure(sitrep_figure_data(game, report), self.game_dir / figure)
        outcome = outcome_record(report, figure) if window is not None else None
        self.log.open_turn(game.turn, game.day, report.date(game.day).isoformat(), outcome)
        self.last_report = report
        self._show(report, figure)

    def _show(self, report: Sitrep, figure: str | None) -> None:
        self.console.print()
        self.console.print(render_sitrep(report))
        if figure:
            self.console.print(f"figure: {escape(str(self.game_dir / figure))}")

    def _decision_point(self, turn: int) -> str:
        game = self.game
        if turn == 0 and self.played_at_start - game.played:
            self._play(self.played_at_start)
        plan = self.plans.get(turn)
        if plan is not None:
            if plan.played - game.played:
                self._play(plan.played - game.played)
            for entry in plan.entries[self.file_entries_done.pop(turn, 0) :]:
                self._apply(entry, "file")
        if self.read_line is None:
            return "done"
        return self._prompt(turn)

    def _play(self, actors: Iterable[str]) -> None:
        new = sorted(set(actors) - self.game.played)
        self.game.play(new)
        self.log.add_played(new)
        self.console.print(f"[bold]Played from now on:[/] {escape(', '.join(new))} (their policies stand down)")

    def _apply(self, entry: Entry, source: str) -> None:
        result = self.game.apply(entry)
        self.log.add_entry(entry, result.done, result.message, source)
        mark = "[green]✓[/]" if result.done else "[yellow]✗ refused:[/]"
        who = f"{entry.actor}: " if entry.actor else "inject: "
        self.console.print(f"{mark} {escape(who + result.message)}")

    # --- the prompt ----------------------------------------------------------------------------------------

    def _prompt(self, turn: int) -> str:
        game, console = self.game, self.console
        assert self.read_line is not None
        date = game.scenario.start_date + dt.timedelta(days=game.day)
        console.print(
            f"[bold]Decision point {turn}[/] — decisions and injects take effect on day {game.day} ({date:%d %b %Y}). "
            "Type `help` for the commands, `done` to run the next turn, `quit` to save and stop."
        )
        while True:
            line = self.read_line(f"[{turn}]> ")
            if line is None:
                console.print("end of input: the game is saved")
                return "quit"
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            word, _, rest = text.partition(" ")
            word = word.lower()
            if text.startswith("{"):
                self._typed_entry(text)
            elif word in ("done", "next"):
                return "done"
            elif word in ("quit", "exit", "stop"):
                return "quit"
            elif word == "help":
                self._help(rest.strip())
            elif word == "play":
                self._typed_play(rest)
            elif word == "played":
                console.print(f"played: {', '.join(sorted(game.played)) or 'nobody'}", markup=False)
            elif word in ("sitrep", "status"):
                if self.last_report is not None:
                    console.print(render_sitrep(self.last_report))
            else:
                commands = ["done", "quit", "help", "play", "played", "sitrep"]
                hint = closest_match(word, commands)
                console.print(
                    f"[yellow]unknown command '{escape(word)}'[/]"
                    + (f" — did you mean '{hint}'?" if hint else "")
                    + " (a decision or inject starts with '{'; type help)"
                )

    def _typed_entry(self, text: str) -> None:
        game = self.game
        try:
            entry = parse_entry(text, game.scenario)
        except ScenarioError as error:
            for problem in error.problems:
                self.console.print(f"[red]{escape(problem.format())}[/]")
            return
        if entry.is_decision and entry.actor not in game.played:
            self.console.print(
                f"[yellow]{entry.actor} is not played[/]: type `play {entry.actor}` first "
                "(its policies then stand down for the rest of the game)"
            )
            return
        self._apply(entry, "prompt")

    def _typed_play(self, rest: str) -> None:
        names = [name for name in rest.replace(",", " ").split() if name]
        playable = self.game.playable
        unknown = [name for name in names if name not in playable]
        if not names or unknown:
            hint = closest_match(unknown[0], playable) if unknown else None
            self.console.print(
                f"[yellow]play needs actors from: {', '.join(playable)}[/]"
                + (f" ('{escape(unknown[0])}' is not one" + (f"; did you mean '{hint}'?)" if hint else ")"))
                if unknown
                else ""
            )
            return
        if set(names) <= self.game.played:
            self.console.print(f"already played: {', '.join(names)}", markup=False)
            return
        self._play(names)

    def _help(self, topic: str) -> None:
        if topic:
            text = _kind_help(topic)
            self.console.print(escape(text) if text else f"no decision or inject kind '{escape(topic)}'")
            return
        self.console.print(escape(PROMPT_HELP))

    def _show_final(self, final: Mapping[str, Any]) -> None:
        console = self.console
        console.print()
        console.print("[bold reverse]Game over[/]")
        table = PlainTable(title="Objectives", title_justify="left", title_style="bold")
        for column in ("objective", "result", "target", ""):
            table.add_column(column, justify="left" if column == "objective" else "right")
        for objective in final["objectives"]:
            table.add_row(
                objective["name"],
                f"{objective['value']:.4g}",
                f"{objective['direction']} {objective['threshold']:g}",
                Text("met", style="green") if objective["met"] else Text("not met", style="red"),
            )
        console.print(table)
        units = {metric.name: metric.unit for metric in METRICS}
        table = PlainTable(title="Key outcomes", title_justify="left", title_style="bold")
        for column in ("metric", "value", "unit"):
            table.add_column(column, justify="left" if column != "value" else "right")
        for name in KEY_METRICS:
            table.add_row(name, f"{final['metrics'][name]:,.4g}", units.get(name, ""))
        console.print(table)
        console.print(f"player decisions refused: {final['refused_decisions']}")
        console.print(f"game log: {escape(str(self.log.path))}")
        console.print(f"next: sim aar {escape(str(self.log.path))}   |   sim replay {escape(str(self.log.path))} -n 20")


# --- starting and resuming -------------------------------------------------------------------------------------


def start_session(
    scenario: Scenario,
    *,
    seed: int,
    turn_days: int,
    results_root: Path,
    console: Console,
    read_line: ReadLine | None,
    decisions: LoadedDecisions | None = None,
    played: Sequence[str] = (),
    figures: bool = True,
    source_file: str | None = None,
    overrides: Sequence[str] = (),
    command: str = "",
) -> Session:
    """Set up a new game in a new folder under ``results_root`` (the log is written at once).

    Raises:
        ValueError: for an actor in ``played`` that the scenario does not have.
    """
    game = Game(scenario, seed, turn_days)
    unknown = sorted(set(played) - set(game.playable))
    if unknown:
        raise ValueError(f"cannot play {', '.join(unknown)}: the actors are {', '.join(game.playable)}")
    game_dir = create_run_dir(results_root, f"game-{scenario.name}")
    write_resolved_scenario(game_dir, scenario)
    log = GameLog.create(
        game_dir / LOG_FILE,
        scenario,
        seed=seed,
        turn_days=turn_days,
        turn_count=game.turn_count,
        source_file=source_file,
        overrides=overrides,
        decisions_file=decisions.path if decisions else None,
        command=command,
    )
    return Session(
        game,
        log,
        console,
        read_line,
        plans=decisions.plans if decisions else {},
        figures=figures,
        played_at_start=frozenset(played),
    )


def replay_record(game: Game, record: GameRecord, *, check: bool = True) -> TurnWindow | None:
    """Replay a log's turns and entries into a fresh game, checking each reproduces what the log records.

    Stops at the log's last decision point (open or closed). Returns the window of the last turn replayed.

    Raises:
        LogMismatch: when a turn's outcome or an entry's result differs from the log (another version of the
            model, or an edited log).
    """
    window: TurnWindow | None = None
    for index, turn in enumerate(record.log.turns):
        if index > 0:
            if game.finished:
                raise LogMismatch(f"the log has turn {turn.turn} but the game has only {game.turn_count} turns")
            window = game.run_turn()
            logged = (turn.outcome or {}).get("metrics", {})
            if check and logged:
                now = build_sitrep(game, window).metrics
                for name, value in logged.items():
                    if name in now and not _same(float(value), now[name]):
                        raise LogMismatch(
                            f"turn {turn.turn} does not reproduce: {name} is {now[name]} now but {value} in the log "
                            "(a different model version, or an edited log)"
                        )
        if turn.played:
            game.play(turn.played)
        for entry, logged_entry in record.entries[index]:
            if game.finished:
                break
            result = game.apply(entry)
            if check and (result.done, result.message) != (logged_entry.done, logged_entry.message):
                raise LogMismatch(
                    f"turn {turn.turn}: {entry.describe()} gave '{result.message}' now but '{logged_entry.message}' "
                    "in the log (a different model version, or an edited log)"
                )
    return window


def resume_session(
    record: GameRecord,
    scenario: Scenario,
    *,
    console: Console,
    read_line: ReadLine | None,
    decisions: LoadedDecisions | None = None,
    figures: bool = True,
) -> Session:
    """Rebuild a game from its log (replaying and checking it) and continue where it stopped.

    Raises:
        LogMismatch: when the log does not reproduce, or the game is already finished.
    """
    if record.finished:
        raise LogMismatch(f"this game is finished; see sim aar {record.path} or sim replay {record.path}")
    game = Game(scenario, record.log.seed, record.log.turn_days)
    if game.turn_count != record.log.turn_count:
        raise LogMismatch(f"the log has {record.log.turn_count} turns but the scenario gives {game.turn_count}")
    window = replay_record(game, record)
    log = GameLog.from_record(record)
    log.data["status"] = "playing"
    done: dict[int, int] = {}
    last = record.log.turns[-1] if record.log.turns else None
    if last is not None and not last.closed:
        done[last.turn] = sum(1 for _, logged in record.entries[-1] if logged.source == "file")
    elif last is not None:
        log.save()
    session = Session(
        game,
        log,
        console,
        read_line,
        plans=decisions.plans if decisions else {},
        figures=figures,
        file_entries_done=done,
    )
    if last is not None:
        session.last_report = build_sitrep(game, window)
        console.print(f"[bold]Resumed[/] {escape(str(record.path))} at decision point {game.turn}")
        if not last.closed:
            session._show(session.last_report, None)
    return session
