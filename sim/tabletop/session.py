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
    release UA                                                              hand actors back to their policies
    played                                                                  who is played
    sitrep                                                                  show the situation report again
    catalog [ITEM]                                                          items, suppliers, prices, lead times
    status ACTOR                                                            one actor's money, holdings, orders
    entries                                                                 this decision point's entries so far
    undo                                                                    take back the last entry typed here
    lookahead                                                               project again with today's entries
    help [KIND]                                                             the commands, or one kind's fields
    done                                                                    end the decision point; run the next turn
    quit                                                                    save and stop (resume with --resume)

At every decision point from the first turn on, the session warns (and logs) what played actors leave idle
(:mod:`sim.tabletop.idle`), and the situation report projects the objectives to the horizon with a look-ahead
(:mod:`sim.tabletop.lookahead`). ``undo`` rebuilds the game from the log without the last entry (replaying it,
as a resume does), so the log stays the single record.

End of input (Ctrl-D, or the end of piped input) saves and stops like ``quit``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from sim.experiment.manifest import write_resolved_scenario
from sim.experiment.store import create_run_dir
from sim.model.metrics import compute_metrics, metric_by_name
from sim.report.console import PlainTable
from sim.report.sitrep_figure import save_sitrep_figure
from sim.scenario.errors import ScenarioError, closest_match
from sim.scenario.events import Event
from sim.scenario.model import Scenario
from sim.tabletop.decisions import (
    DECISION_ACTORS,
    Decision,
    Entry,
    LoadedDecisions,
    OrderDecision,
    TurnPlan,
    flow_text,
    parse_entry,
)
from sim.tabletop.desk import catalog_view, delivery_date, eur, status_view
from sim.tabletop.game import Game, TurnWindow
from sim.tabletop.idle import idle_holdings, idle_warnings
from sim.tabletop.log import LOG_FILE, GameLog, GameRecord, LogMismatch, read_game_log
from sim.tabletop.lookahead import LOOK_AHEAD_SEEDS
from sim.tabletop.numbers import format_outcome
from sim.tabletop.sitrep import (
    Sitrep,
    add_look_ahead,
    build_sitrep,
    objective_status,
    objectives_table,
    render_sitrep,
    sitrep_figure_data,
)

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
            {
                "name": o.name,
                "value": o.value,
                "projected": o.projected,
                "projected_low": o.projected_low,
                "projected_high": o.projected_high,
                "share_met": o.share_met,
                "status": o.status,
            }
            for o in report.objectives
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
    return {
        "metrics": metrics,
        "objectives": objectives,
        "refused_decisions": refused,
        "idle": idle_holdings(game).as_record(),
    }


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


PROMPT_COMMANDS = (
    "done",
    "quit",
    "help",
    "play",
    "release",
    "played",
    "sitrep",
    "catalog",
    "status",
    "entries",
    "undo",
    "lookahead",
)

PROMPT_HELP = """\
Type one entry or command per line:
  {actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}, backfill: true}
  {actor: PL, kind: order, item: pac3_mse, units: 200, joint: true}
  {actor: NATO, kind: move, effector: patriot, units: 1, to: EE}
  {actor: EU, kind: fund_ukraine_industry, meur: 500}        {actor: EU, kind: joint_round}
  {actor: UA, kind: allocate, region: kyiv, interceptors: {pac3_mse: 20}}
  {kind: incursion, target: EE, drones: 12, threat: shahed}   an inject: a scenario event without `day`
  play DE PL     actors played from now on (their policies stand down)      played   who is played
  release UA     hand actors back to their policies (UA: its depot is allocated again by its policy)
  catalog [ITEM] items, suppliers, prices, lead times, what each state can afford
  status ACTOR   one actor's money, holdings, orders      entries   what was entered at this decision point
  undo           take back the last entry typed at this decision point
  lookahead      project the objectives again, with what was entered here (if nothing else changes)
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
    look_ahead_seeds: int = LOOK_AHEAD_SEEDS
    clock_minutes: float | None = None  # the facilitator's time per decision point (shown, never enforced)

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
        log = self.log
        window: TurnWindow | None = None
        while True:
            game = self.game  # `undo` rebuilds the game at a decision point
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
            window = self.game.run_turn()

    def _record_turn(self, window: TurnWindow | None) -> None:
        game = self.game
        report = build_sitrep(game, window)
        if not game.finished:
            add_look_ahead(report, game, self.look_ahead_seeds)
        figure = None
        if window is not None and self.figures:
            figure = _figure_name(window.turn)
            save_sitrep_figure(sitrep_figure_data(game, report), self.game_dir / figure)
        outcome = outcome_record(report, figure) if window is not None else None
        if outcome is not None:
            outcome["idle"] = idle_holdings(game).as_record()
        self.log.open_turn(game.turn, game.day, report.date(game.day).isoformat(), outcome)
        self.last_report = report
        self._show(report, figure)
        if not game.finished:
            warnings = idle_warnings(game, window)
            if warnings:
                self.log.add_warnings(warnings)
            self._show_warnings(warnings)

    def _show_warnings(self, warnings: Sequence[str]) -> None:
        for warning in warnings:
            self.console.print(Text("⚠ idle: " + warning, style="yellow"))

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
            joining = (plan.played | plan.released) - game.played
            if joining:
                self._play(joining)
            for entry in plan.entries[self.file_entries_done.pop(turn, 0) :]:
                self._apply(entry, "file")
            if plan.released & self.game.played:
                self._release(plan.released)
        if self.read_line is None:
            return "done"
        return self._prompt(turn)

    def _play(self, actors: Iterable[str]) -> None:
        new = sorted(set(actors) - self.game.played)
        self.game.play(new)
        self.log.add_played(new)
        self.console.print(
            f"[bold]Played from now on:[/] {escape(', '.join(new))} (their policies stand down until `release`)"
        )

    def _release(self, actors: Iterable[str]) -> None:
        names = sorted(set(actors) & self.game.played)
        self.game.release(names)
        self.log.add_released(names)
        self.console.print(
            f"[bold]Released:[/] {escape(', '.join(names))} — their policies decide again from the next turn"
            + (" (Ukraine's depot goes out at its next allocation review)" if "UA" in names else "")
        )

    def _apply(self, entry: Entry, source: str) -> None:
        spent_before = self._spent_eur(entry)
        result = self.game.apply(entry)
        self.log.add_entry(entry, result.done, result.message, source)
        mark = "[green]✓[/]" if result.done else "[yellow]✗ refused:[/]"
        who = f"{entry.actor}: " if entry.actor else "inject: "
        self.console.print(f"{mark} {escape(who + result.message)}")
        if result.done and isinstance(entry.item, OrderDecision):
            self.console.print("  " + escape(self._order_confirmation(entry.item, result.message, spent_before)))

    def _spent_eur(self, entry: Entry) -> float:
        if not isinstance(entry.item, OrderDecision):
            return 0.0
        return self.game.model.member_state(entry.item.actor).budget.spent_eur

    def _order_confirmation(self, order: OrderDecision, message: str, spent_before_eur: float) -> str:
        """Cost and expected delivery of an order just placed (a joint order's are set at the joint round)."""
        game = self.game
        if order.joint:
            return "price and delivery are set at the EU's next joint round; nothing is paid until then"
        cost_eur = game.model.member_state(order.actor).budget.spent_eur - spent_before_eur
        lead = re.search(r"~(\d+) days", message)
        when = f"; expected by {delivery_date(game, float(lead.group(1))):%d %b %Y}" if lead else ""
        return f"cost {eur(cost_eur)} (budget and SAFE loan){when}"

    # --- the prompt ----------------------------------------------------------------------------------------

    def _prompt(self, turn: int) -> str:
        console = self.console
        assert self.read_line is not None
        game = self.game
        date = game.scenario.start_date + dt.timedelta(days=game.day)
        console.print(
            f"[bold]Decision point {turn} of {game.turn_count - 1}[/] — decisions and injects take effect on day "
            f"{game.day} ({date:%d %b %Y}). Type `help` for the commands, `done` to run the next turn, `quit` to "
            "save and stop."
        )
        started = time.monotonic()
        while True:
            line = self.read_line(self._prompt_text(turn, started))
            if line is None:
                console.print("end of input: the game is saved")
                return "quit"
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            word, _, rest = text.partition(" ")
            word = word.lower()
            rest = rest.strip()
            if text.startswith("{"):
                self._typed_entry(text)
            elif word in ("done", "next"):
                return "done"
            elif word in ("quit", "exit", "stop"):
                return "quit"
            elif word == "help":
                self._help(rest)
            elif word == "play":
                self._typed_actors(rest, self._play, "play")
            elif word == "release":
                self._typed_actors(rest, self._release, "release")
            elif word == "played":
                console.print(f"played: {', '.join(sorted(self.game.played)) or 'nobody'}", markup=False)
            elif word == "sitrep":
                if self.last_report is not None:
                    console.print(render_sitrep(self.last_report))
            elif word in ("catalog", "catalogue"):
                console.print(catalog_view(self.game, rest))
            elif word == "status":
                self._status(rest)
            elif word == "entries":
                self._show_entries()
            elif word == "undo":
                self._undo()
            elif word in ("lookahead", "look-ahead"):
                self._look_again()
            else:
                commands = [*PROMPT_COMMANDS]
                hint = closest_match(word, commands)
                console.print(
                    f"[yellow]unknown command '{escape(word)}'[/]"
                    + (f" — did you mean '{hint}'?" if hint else "")
                    + " (a decision or inject starts with '{'; type help)"
                )

    def _prompt_text(self, turn: int, started: float) -> str:
        """``[3]> ``, or with the facilitator's clock ``[3 · 7 min left]> `` (``2 min over`` past the time)."""
        if self.clock_minutes is None:
            return f"[{turn}]> "
        left = self.clock_minutes - (time.monotonic() - started) / 60
        clock = f"{math.ceil(left)} min left" if left >= 0 else f"{math.ceil(-left)} min over"
        return f"[{turn} · {clock}]> "

    def _status(self, actor: str) -> None:
        playable = self.game.playable
        if actor not in playable:
            hint = closest_match(actor, playable) if actor else None
            self.console.print(
                f"[yellow]status needs an actor from: {', '.join(playable)}[/]"
                + (f" — did you mean '{hint}'?" if hint else "")
            )
            return
        self.console.print(status_view(self.game, actor))

    def _show_entries(self) -> None:
        """What has been entered at the open decision point (also shown after a resume)."""
        turn = self.log.turns[-1]
        lines = [f"played from here: {', '.join(turn['played'])}"] if turn["played"] else []
        if turn.get("released"):
            lines.append(f"released here: {', '.join(turn['released'])}")
        for number, logged in enumerate(turn["entries"], 1):
            raw = logged.get("decision") or logged.get("inject") or {}
            mark = "done" if logged["done"] else "REFUSED"
            lines.append(f"{number}. ({logged['source']}) {flow_text(raw)} — {mark}: {logged['message']}")
        text = "\n  ".join(lines) if lines else "nothing yet"
        self.console.print(f"Entered at decision point {turn['turn']}:\n  {text}", markup=False)

    def _look_again(self) -> None:
        """The look-ahead again from the game as it stands now, with this decision point's entries."""
        report = build_sitrep(self.game, None)
        result = add_look_ahead(report, self.game, self.look_ahead_seeds or LOOK_AHEAD_SEEDS)
        if result is None:
            self.console.print("nothing to project (no objectives, or the game is over)")
            return
        self.console.print(objectives_table(report.objectives, "With what was entered here", result))
        self.console.print(f"look-ahead: {result.futures} futures in {result.seconds:.1f} s", style="dim")

    def _undo(self) -> None:
        """Take back the last entry typed at the open decision point: the game is rebuilt from the log without it."""
        entries = self.log.turns[-1]["entries"]
        if not entries:
            self.console.print("[yellow]nothing to undo at this decision point[/]")
            return
        if entries[-1]["source"] == "file":
            self.console.print("[yellow]the last entry came from the decision file; edit the file to change it[/]")
            return
        taken = entries[-1]
        self.log.remove_last_entry()
        game = Game(self.game.scenario, self.game.seed, self.game.turn_days)
        replay_record(game, read_game_log(self.log.path), check=False)
        self.game = game
        raw = taken.get("decision") or taken.get("inject") or {}
        self.console.print(f"undone: {flow_text(raw)} (the game is as it was before it)", markup=False)

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

    def _typed_actors(self, rest: str, action: Callable[[Iterable[str]], None], command: str) -> None:
        names = [name for name in rest.replace(",", " ").split() if name]
        playable = self.game.playable
        unknown = [name for name in names if name not in playable]
        if not names or unknown:
            hint = closest_match(unknown[0], playable) if unknown else None
            self.console.print(
                f"[yellow]{command} needs actors from: {', '.join(playable)}[/]"
                + (f" ('{escape(unknown[0])}' is not one" + (f"; did you mean '{hint}'?)" if hint else ")"))
                if unknown
                else ""
            )
            return
        if command == "play" and set(names) <= self.game.played:
            self.console.print(f"already played: {', '.join(names)}", markup=False)
            return
        if command == "release" and not set(names) & self.game.played:
            self.console.print(f"not played: {', '.join(names)} (they follow their policies)", markup=False)
            return
        action(names)

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
                format_outcome(objective["metric"], objective["value"]),
                f"{objective['direction']} {format_outcome(objective['metric'], objective['threshold'])}",
                Text("met", style="green") if objective["met"] else Text("not met", style="red"),
            )
        console.print(table)
        table = PlainTable(title="Key outcomes", title_justify="left", title_style="bold")
        for column in ("metric", "value", "unit"):
            table.add_column(column, justify="left" if column != "value" else "right")
        for name in KEY_METRICS:
            definition = metric_by_name(name)
            unit = definition.unit if definition is not None else ""
            table.add_row(name, format_outcome(name, final["metrics"][name]), unit)
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
    look_ahead_seeds: int = LOOK_AHEAD_SEEDS,
    clock_minutes: float | None = None,
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
        look_ahead_seeds=look_ahead_seeds,
        clock_minutes=clock_minutes,
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
        if turn.released:
            game.release(turn.released)
    return window


def resume_session(
    record: GameRecord,
    scenario: Scenario,
    *,
    console: Console,
    read_line: ReadLine | None,
    decisions: LoadedDecisions | None = None,
    figures: bool = True,
    look_ahead_seeds: int = LOOK_AHEAD_SEEDS,
    clock_minutes: float | None = None,
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
        look_ahead_seeds=look_ahead_seeds,
        clock_minutes=clock_minutes,
    )
    if last is not None:
        session.last_report = build_sitrep(game, window)
        console.print(
            f"[bold]Resumed[/] {escape(str(record.path))} at decision point {game.turn} of {game.turn_count - 1}"
        )
        if not last.closed:
            if not game.finished:
                add_look_ahead(session.last_report, game, look_ahead_seeds)
            session._show(session.last_report, None)
            session._show_warnings(last.warnings)
            session._show_entries()
    return session
