"""Tabletop commands: ``sim play`` (a facilitated game), ``sim replay`` (skill or luck? what if?) and ``sim aar``
(the after-action report)."""

from __future__ import annotations

import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape

from sim.commands.common import (
    EXIT_INTERRUPTED,
    SetOption,
    check_output_folder,
    err,
    fail,
    guarded,
    out,
    report_scenario_error,
)
from sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from sim.tabletop.log import GameRecord
    from sim.tabletop.replay import ReplayResult

LogArgument = Annotated[Path, typer.Argument(metavar="LOG", help="A game log (game.yaml).", show_default=False)]


def _read_line(prompt: str) -> str | None:
    """One line typed by the facilitator (None at the end of input, or if standard input is closed or unreadable:
    the game is then saved and can be resumed); piped input is echoed for the transcript."""
    if sys.stdin is None or sys.stdin.closed:  # started with standard input closed (`sim play … <&-`)
        out.print(prompt, end="", markup=False, highlight=False)
        return None
    try:
        line = input(prompt)
    except (EOFError, OSError, ValueError):  # end of input; a closed or unreadable descriptor
        return None
    if not sys.stdin.isatty():
        out.print(line, markup=False, highlight=False)
    return line


def _split_actors(values: list[str] | None) -> list[str]:
    return [name.strip() for value in values or () for name in value.split(",") if name.strip()]


def play(
    scenario_file: Annotated[
        Path | None,
        typer.Argument(metavar="SCENARIO", help="Scenario file (may be left out with --resume).", show_default=False),
    ] = None,
    turn_days: Annotated[
        int | None,
        typer.Option(
            "--turn-days",
            min=1,
            help="Days per turn (default: the decision file's, else the shortest of 7, 14, 30, 61, 91, 182, 365 "
            "days giving at most 16 decision points: a year plays in 13 monthly turns).",
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Seed of the game (default: the scenario's).")
    ] = None,
    overrides: SetOption = None,
    results_root: Annotated[
        Path, typer.Option("--out", help="Folder in which the game folder (log, figures) is made.")
    ] = Path("results"),
    decisions_file: Annotated[
        Path | None,
        typer.Option(
            "--decisions", help="Decisions and injects per turn (YAML); the game then runs without prompting."
        ),
    ] = None,
    interactive: Annotated[
        bool | None,
        typer.Option(
            "--interactive/--no-interactive",
            help="Prompt for decisions at every decision point (default: yes, unless --decisions is given; with "
            "both, the file's entries come first at each decision point).",
        ),
    ] = None,
    played: Annotated[
        list[str] | None,
        typer.Option("--play", metavar="ACTOR", help="Actor played from the start: --play DE --play NATO or DE,NATO."),
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", metavar="LOG", help="Continue the game of this log.")
    ] = None,
    figures: Annotated[bool, typer.Option("--figures/--no-figures", help="Save a figure with every turn.")] = True,
    look_ahead: Annotated[
        int,
        typer.Option(
            "--look-ahead",
            min=0,
            max=100,
            metavar="N",
            help="Futures run at each decision point to project the objectives if nothing changes (0: off).",
        ),
    ] = 8,
    clock: Annotated[
        float | None,
        typer.Option(
            "--clock", min=0.5, metavar="MINUTES", help="Show the time left for each decision point at the prompt."
        ),
    ] = None,
) -> None:
    """Play a scenario turn by turn: situation reports, players' decisions and injects, a game log.

    Decisions taken at decision point k take effect at the start of day k x turn-days (the first day of the next
    turn). Actors played by a team stand down from their policies until released (`release ACTOR`); the others
    follow them. The log is saved after every turn and every decision, so nothing is lost; continue with
    --resume LOG. At the prompt, `help` lists the commands.

    Examples:

      sim play scenarios/baseline.yaml --play DE,PL,NATO,EU          (monthly turns over a year: 13 points)

      sim play scenarios/baseline.yaml --play UA --turn-days 91 --clock 10

      sim play scenarios/baseline.yaml --decisions my_game.yaml --no-interactive

      sim play --resume results/…-game-baseline/game.yaml
    """
    from sim import api
    from sim.tabletop.decisions import LoadedDecisions, default_turn_days, load_decision_file
    from sim.tabletop.log import LogMismatch, load_logged_scenario, read_game_log
    from sim.tabletop.session import ReadLine, Session, resume_session, start_session

    actors = _split_actors(played)

    def prompt_unless_scripted(decisions_path: Path | None) -> ReadLine | None:
        """Prompt by default unless the game has a decision file (then only with --interactive)."""
        prompting = interactive if interactive is not None else decisions_path is None
        return _read_line if prompting else None

    session: Session | None = None
    try:
        if resume is not None:
            record = guarded(lambda: read_game_log(resume))
            for name, given, logged in (
                ("--seed", seed, record.log.seed),
                ("--turn-days", turn_days, record.log.turn_days),
            ):
                if given is not None and given != logged:
                    fail(f"this game was played with {name} {logged}; leave {name} out when resuming")
            if actors:
                fail("--play applies to a new game; when resuming, type `play ACTOR` at a decision point")
            scenario = guarded(lambda: load_logged_scenario(record, scenario_file, overrides))
            decision_path = decisions_file or guarded(record.decisions_path)
            decisions: LoadedDecisions | None = None
            if decision_path is not None:
                decisions = guarded(lambda: load_decision_file(decision_path, scenario, record.log.turn_days))
            session = resume_session(
                record,
                scenario,
                console=out,
                read_line=prompt_unless_scripted(decision_path),
                decisions=decisions,
                figures=figures,
                look_ahead_seeds=look_ahead,
                clock_minutes=clock,
            )
        else:
            if scenario_file is None:
                fail("give a SCENARIO file to start a game, or --resume LOG to continue one")
            check_output_folder(results_root)
            scenario = guarded(lambda: api.load_scenario(scenario_file, overrides=overrides or ()))
            decisions = None
            if decisions_file is not None:
                decisions = guarded(lambda: load_decision_file(decisions_file, scenario, turn_days))
            days = (
                decisions.turn_days
                if decisions is not None
                else (turn_days or default_turn_days(scenario.horizon_days))
            )
            session = start_session(
                scenario,
                seed=seed if seed is not None else scenario.seed,
                turn_days=days,
                results_root=results_root,
                console=out,
                read_line=prompt_unless_scripted(decisions_file),
                decisions=decisions,
                played=actors,
                figures=figures,
                source_file=str(scenario_file),
                overrides=overrides or (),
                command=" ".join(["sim", *sys.argv[1:]]),
                look_ahead_seeds=look_ahead,
                clock_minutes=clock,
            )
            out.print(f"game log: {escape(str(session.log.path))}")
            game = session.game
            default_days = default_turn_days(scenario.horizon_days)
            how = "--turn-days" if turn_days else "default" if days == default_days else "the decision file"
            out.print(
                f"[bold]This game has {game.turn_count} decision points[/] (0–{game.turn_count - 1}): "
                f"{game.turn_count} turns of {days} days ({how}) over {scenario.horizon_days} days from "
                f"{scenario.start_date:%d %b %Y}; about 10 minutes each makes a session of about "
                f"{session_length(game.turn_count * 10)}."
            )
        result = session.run()
    except KeyboardInterrupt:
        if session is not None:
            session.log.set_status("stopped")
            fail(
                f"interrupted; the game is saved. Continue with: sim play --resume {session.log.path}", EXIT_INTERRUPTED
            )
        fail("interrupted", EXIT_INTERRUPTED)
    except (LogMismatch, ValueError) as error:
        fail(str(error))
    except ScenarioError as error:
        report_scenario_error(error)
    except OSError as error:
        fail(f"cannot write the game: {error}")
    if result.status == "stopped":
        err.print(f"game saved. Continue with: sim play --resume {escape(str(result.log_path))}")


def session_length(minutes: int) -> str:
    """A session's length as a facilitator says it: ``40 minutes``, ``2.5 hours`` (to the half hour)."""
    if minutes < 90:
        return f"{minutes} minutes"
    return f"{round(minutes / 30) / 2:g} hours"


def _fmt(value: float, share: bool = False) -> str:
    from sim.report.formatting import format_number

    if isinstance(value, float) and math.isnan(value):
        return "–"
    return f"{value:.1%}" if share else format_number(value)


def replay(
    log_file: LogArgument,
    replications: Annotated[int, typer.Option("--replications", "-n", min=1, help="Seeds to replay under.")] = 20,
    seed: Annotated[
        int | None, typer.Option("--seed", min=0, help="Base of the replay seeds (default: the game's seed).")
    ] = None,
    branch_at: Annotated[
        int | None,
        typer.Option(
            "--branch-at",
            metavar="TURN",
            min=0,
            help="Also replay a branch: the game's decisions before decision point TURN, then policies "
            "(or --decisions).",
        ),
    ] = None,
    decisions_file: Annotated[
        Path | None,
        typer.Option("--decisions", help="The branch's decisions from TURN on (implies --branch-at 0 if not given)."),
    ] = None,
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="The scenario file, if not where the log says.")
    ] = None,
    overrides: SetOption = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Local worker processes (default: one per core).")
    ] = None,
    results_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the CSV tables (default: the game's folder).")
    ] = None,
) -> None:
    """Replay a game's decisions under many seeds over the turns it played (finished or not): was the outcome skill
    or luck? What if?"""
    from rich.text import Text

    from sim.experiment.execution import Execution
    from sim.experiment.executors import ExecutorError
    from sim.experiment.runner import RunInterrupted
    from sim.report.console import PlainTable as Table
    from sim.tabletop.decisions import load_decision_file
    from sim.tabletop.log import LogMismatch, load_logged_scenario, read_game_log
    from sim.tabletop.replay import ReplayError, other_injects_ignored, replay_game, turns_played
    from sim.tabletop.session import KEY_METRICS

    if results_dir is not None:
        check_output_folder(results_dir)
    record = guarded(lambda: read_game_log(log_file))
    try:
        scenario = guarded(lambda: load_logged_scenario(record, scenario_file, overrides))
    except LogMismatch as error:
        fail(str(error))
    if decisions_file is not None and branch_at is None:
        branch_at = 0
    other = None
    if decisions_file is not None:
        other = guarded(lambda: load_decision_file(decisions_file, scenario, record.log.turn_days))
        ignored = other_injects_ignored(other, branch_at or 0)
        if ignored:
            err.print(
                f"note: the branch keeps the game's injects (the same world, other decisions); the {ignored} "
                f"inject(s) of {escape(str(decisions_file))} from decision point {branch_at} on are not used"
            )
    try:
        result = replay_game(
            record,
            scenario,
            replications=replications,
            base_seed=seed,
            execution=Execution(workers=workers, progress=False),
            branch_at=branch_at,
            other=other,
            key_metrics=KEY_METRICS,
        )
    except (ReplayError, ExecutorError) as error:
        fail(str(error))
    except (KeyboardInterrupt, RunInterrupted):
        fail("interrupted", EXIT_INTERRUPTED)
    if result.reproduced:
        out.print(f"[green]✓[/] the log under its own seed ({record.log.seed}) reproduces the played game exactly")
    else:
        err.print(
            "[yellow]the log under its own seed does not reproduce the played game:[/] "
            + "; ".join(escape(m) for m in result.mismatches[:5])
        )
    count = len(result.seeds)
    played_turns = turns_played(record)
    over = "" if record.finished else f", over the {played_turns} of {record.log.turn_count} turns played"
    table = Table(
        title=f"Objectives: skill or luck? (the same decisions under {count} seeds{over})", title_justify="left"
    )
    for column in ("objective", "target", "played", "", "P(met) in replays", "90% interval", "percentile", "verdict"):
        table.add_column(column, justify="left" if column in ("objective", "verdict") else "right")
    for row in result.objectives.itertuples(index=False):
        table.add_row(
            row.objective,
            f"{row.direction} {_fmt(row.threshold)}",
            _fmt(row.played),
            Text("not yet evaluable", style="dim")
            if not row.evaluable
            else Text("met", style="green")
            if row.met
            else Text("not met", style="red"),
            _fmt(row.p_met, share=True),
            f"{_fmt(row.p_low, True)} – {_fmt(row.p_high, True)}",
            _fmt(row.percentile),
            row.verdict,
        )
    out.print(table)
    table = Table(title="Key outcomes: the played game against the replays", title_justify="left")
    for column in ("metric", "played", "replays: mean", "5–95%", "percentile of played"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for row in result.metrics.itertuples(index=False):
        table.add_row(
            row.metric, _fmt(row.played), _fmt(row.mean), f"{_fmt(row.low)} – {_fmt(row.high)}", _fmt(row.percentile)
        )
    out.print(table)
    refused = result.entries[(result.entries["kind"] == "decision") & (result.entries["refused_in_replays"] > 0)]
    refused_in_game = result.entries[(result.entries["kind"] == "decision") & ~result.entries["done_in_game"]]
    out.print(
        f"player decisions refused in the game: {len(refused_in_game)}; "
        f"mean refused per replay: {result.runs[result.runs['variant'] == 'as played']['refused_decisions'].mean():.2f}"
    )
    if not refused.empty:
        table = Table(title="Decisions refused in replays", title_justify="left")
        for column in ("turn", "decision", "in the game", "refused in replays"):
            table.add_column(column, justify="left" if column == "decision" else "right")
        for row in refused.itertuples(index=False):
            table.add_row(
                str(row.turn), row.entry, "done" if row.done_in_game else "refused", f"{row.refused_in_replays}/{count}"
            )
        out.print(table)
    if result.branch_label is not None:
        table = Table(title=f"What if: as played vs {result.branch_label} (same seeds)", title_justify="left")
        for column in ("metric", "as played: mean", "5–95%", "branch: mean", "5–95%", "branch − played", "90% CI"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for row in result.metrics.itertuples(index=False):
            table.add_row(
                row.metric,
                _fmt(row.mean),
                f"{_fmt(row.low)} – {_fmt(row.high)}",
                _fmt(row.branch_mean),
                f"{_fmt(row.branch_low)} – {_fmt(row.branch_high)}",
                _fmt(row.diff_mean),
                f"{_fmt(row.diff_low)} – {_fmt(row.diff_high)}" + (" *" if row.significant else ""),
            )
        out.print(table)
        table = Table(title="Objectives: P(met) as played vs the branch", title_justify="left")
        for column in ("objective", "as played", "branch"):
            table.add_column(column, justify="left" if column == "objective" else "right")
        for row in result.objectives.itertuples(index=False):
            table.add_row(row.objective, _fmt(row.p_met, share=True), _fmt(row.branch_p_met, share=True))
        out.print(table)
    _write_replay_tables(result, results_dir or record.path.parent, branch_at)


def _write_replay_tables(result: ReplayResult, folder: Path, branch_at: int | None) -> None:
    """The replay's CSV tables: ``replay-*.csv``, or ``branch-at-K-*.csv`` with a branch."""
    from sim.experiment.store import atomic_write_text

    stem = "replay" if branch_at is None else f"branch-at-{branch_at}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / f"{stem}-runs.csv", result.runs.to_csv(index=False))
        atomic_write_text(folder / f"{stem}-objectives.csv", result.objectives.to_csv(index=False))
        atomic_write_text(folder / f"{stem}-metrics.csv", result.metrics.to_csv(index=False))
        atomic_write_text(folder / f"{stem}-entries.csv", result.entries.to_csv(index=False))
    except OSError as error:
        fail(f"cannot write the tables: {error}")
    out.print(f"tables: {escape(str(folder / stem))}-*.csv")


def _replay_for_report(
    record: GameRecord, replications: int, scenario_file: Path | None, workers: int | None, results_dir: Path | None
) -> ReplayResult:
    """``sim aar --replay N``: the game's replays and the branch from its first played decision (if any)."""
    from sim.experiment.execution import Execution
    from sim.experiment.executors import ExecutorError
    from sim.experiment.runner import RunInterrupted
    from sim.tabletop.log import LogMismatch, load_logged_scenario
    from sim.tabletop.replay import ReplayError, replay_game, turns_played
    from sim.tabletop.session import KEY_METRICS

    try:
        scenario = guarded(lambda: load_logged_scenario(record, scenario_file))
    except LogMismatch as error:
        fail(str(error))
    first = next(
        (
            turn.turn
            for turn, entries in zip(record.log.turns, record.entries, strict=True)
            for entry, _ in entries
            if entry.is_decision
        ),
        None,
    )
    if first is not None and first >= turns_played(record):
        first = None  # decided at the open decision point only: nothing of it has been played
    out.print(
        f"replaying the game under {replications} seeds"
        + (
            f", and a branch from decision point {first} (the first played decision) on policies"
            if first is not None
            else ""
        )
        + " …"
    )
    try:
        result = replay_game(
            record,
            scenario,
            replications=replications,
            execution=Execution(workers=workers, progress=False),
            branch_at=first,
            key_metrics=KEY_METRICS,
        )
    except (ReplayError, ExecutorError) as error:
        fail(str(error))
    except (KeyboardInterrupt, RunInterrupted):
        fail("interrupted", EXIT_INTERRUPTED)
    _write_replay_tables(result, results_dir or record.path.parent, first)
    return result


def aar(
    log_file: LogArgument,
    results_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for aar.md and aar.html (default: the game's folder).")
    ] = None,
    html: Annotated[bool, typer.Option("--html/--no-html", help="Also write the report as HTML.")] = True,
    replays: Annotated[
        int,
        typer.Option(
            "--replay",
            metavar="N",
            min=0,
            max=10_000,
            help="Also replay the game under N seeds (skill or luck?) and a branch from the first played decision "
            "(every actor on its policies from there), and put their verdicts in the report.",
        ),
    ] = 0,
    scenario_file: Annotated[
        Path | None, typer.Option("--scenario", help="The scenario file, if not where the log says (with --replay).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Local worker processes for --replay.")
    ] = None,
) -> None:
    """Write the after-action report of a game, finished or not (HSEEP AAR/IP): overview, objectives, timeline,
    strengths, areas for improvement and the improvement plan. Replay results (sim replay) in the game's folder are
    included; --replay N runs them now, with the branch from the first played decision.

    Examples:

      sim aar results/…-game-baseline/game.yaml

      sim aar results/…-game-baseline/game.yaml --replay 20
    """
    from sim.experiment.store import atomic_write_text
    from sim.tabletop.aar import build_aar, read_replay_objectives, to_html, to_markdown
    from sim.tabletop.log import read_game_log

    if results_dir is not None:
        check_output_folder(results_dir)
    record = guarded(lambda: read_game_log(log_file))
    replay_result = _replay_for_report(record, replays, scenario_file, workers, results_dir) if replays else None
    report = build_aar(record, read_replay_objectives(record.path.parent), replay_result)
    folder = results_dir or record.path.parent
    written = [folder / "aar.md"]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(folder / "aar.md", to_markdown(report))
        if html:
            written.append(folder / "aar.html")
            atomic_write_text(folder / "aar.html", to_html(report))
    except OSError as error:
        fail(f"cannot write the report: {error}")
    areas = sum(1 for finding in report.findings if not finding.strength)
    strengths = len(report.findings) - areas
    out.print(f"{strengths} strengths, {areas} areas for improvement")
    for path in written:
        out.print(f"after-action report: {escape(str(path))}")
