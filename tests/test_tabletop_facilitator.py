"""Tabletop play as a facilitator runs it (issue 16): release and idle warnings, the default turn length,
the look-ahead, replay and after-action report of unfinished games, and the prompt's commands — scripted games
played through ``sim play`` end to end."""

from __future__ import annotations

import io
import math
import re
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from sim.api import load_scenario
from sim.cli import app
from sim.model.metrics import compute_metrics
from sim.report.document import Bullets, Paragraph, Table
from sim.scenario.errors import ScenarioError
from sim.tabletop.aar import build_aar
from sim.tabletop.decisions import default_turn_days, load_decision_file, turn_count
from sim.tabletop.game import Game
from sim.tabletop.log import read_game_log
from sim.tabletop.lookahead import Projection, look_ahead
from sim.tabletop.sitrep import ObjectiveStatus, with_look_ahead

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WIDE = {"COLUMNS": "200"}
QUICK = ["--no-figures", "--look-ahead", "0"]


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin, env=WIDE)


def play(folder: Path, stdin: str, *args: str, horizon: int = 56, turn_days: int | None = 14) -> tuple[Result, Path]:
    days = ["--turn-days", str(turn_days)] if turn_days else []
    result = invoke(
        "play",
        str(BASELINE),
        "--set",
        f"horizon_days={horizon}",
        *days,
        "--out",
        str(folder),
        *QUICK,
        *args,
        stdin=stdin,
    )
    assert result.exit_code == 0, result.output
    logs = list(folder.glob("*/game.yaml"))
    assert len(logs) == 1, logs
    return result, logs[0]


# --- a game that fits the room ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("horizon", "days", "points"),
    [(365, 30, 13), (1217, 91, 14), (28, 7, 4), (112, 7, 16), (113, 14, 9), (200, 14, 15), (10_000, 625, 16)],
)
def test_default_turn_length_gives_at_most_16_decision_points(horizon, days, points):
    assert default_turn_days(horizon) == days
    assert turn_count(horizon, days) == points


def test_play_says_how_many_decision_points_and_documents_its_options(tmp_path):
    result, _ = play(tmp_path, "quit\n", turn_days=None, horizon=365)
    assert "This game has 13 decision points (0–12): 13 turns of 30 days (default) over 365 days" in result.output
    assert "Decision point 0 of 12" in result.output
    help_text = invoke("play", "--help").output
    for text in ("--turn-days", "--no-interactive", "--look-ahead", "--clock", "Examples"):
        assert text in help_text
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "--turn-days" in readme and "--no-interactive" in readme and "release UA" in readme


# --- no traps: release and idle warnings -------------------------------------------------------------------------


def test_idle_depot_is_warned_then_released_to_the_allocation_policy(tmp_path):
    result, log_path = play(tmp_path, "play UA\ndone\ndone\nrelease UA\ndone\ndone\n")
    log = read_game_log(log_path).log
    assert log.status == "finished" and [turn.released for turn in log.turns] == [[], [], ["UA"], [], []]
    depot_warnings = [
        [w for w in turn.warnings if w.startswith("UA (played) leaves in its depot")] for turn in log.turns
    ]
    assert [len(w) for w in depot_warnings] == [0, 1, 1, 0, 0]  # decision points 1 and 2, none after the release
    assert "⚠ idle: UA (played) leaves in its depot" in result.output and "release UA" in result.output
    assert "Released: UA" in result.output
    held = [sum((turn.outcome or {}).get("idle", {}).get("ukraine_depot", {}).values()) for turn in log.turns]
    assert held[1] < held[2] and held[2] > 5_000  # four weeks of deliveries and industry output waited there
    # After the release the policy sends the depot out at every allocation review: what is left is the last
    # days' arrivals, less than two weeks' worth.
    assert held[3] < held[1] and held[4] < held[1]
    # The log with its release replays bit for bit.
    replayed = invoke("replay", str(log_path), "-n", "1", "-w", "1")
    assert replayed.exit_code == 0 and "reproduces the played game exactly" in replayed.output, replayed.output
    # The after-action report does not blame an idle depot after the release.
    report = build_aar(read_game_log(log_path))
    assert not any("Ukraine's depot held" in f.observation for f in report.findings)


def test_play_and_release_at_once_is_the_policies_game(tmp_path):
    """Releasing UA at the decision point it was played changes nothing: the game is a plain run."""
    _, released = play(tmp_path / "a", "play UA\nrelease UA\ndone\ndone\ndone\ndone\n")
    _, plain = play(tmp_path / "b", "done\ndone\ndone\ndone\n")
    a, b = read_game_log(released).log.final["metrics"], read_game_log(plain).log.final["metrics"]
    assert a.keys() == b.keys()
    assert all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_aar_names_the_idle_depot_and_the_non_decisions_behind_it(tmp_path):
    _, log_path = play(tmp_path, "play UA PL\ndone\ndone\nquit\n")
    report = build_aar(read_game_log(log_path))
    depot = next(f for f in report.findings if f.observation.startswith("Ukraine's depot held"))
    assert "unused after turn 2" in depot.observation
    assert (
        "UA was played from decision point 0 on and its allocation policy stood down; it never allocated; the "
        "idle-stock warning was shown at 2 decision points (1–2)" in depot.observation
    )
    assert depot.recommendation.startswith("Allocate what waits in Ukraine's depot")
    money = next(f for f in report.findings if f.observation.startswith("PL (played"))
    assert "was warned of budget unspent at 2 decision points (1–2); it took no decision of that kind" in (
        money.observation
    )
    assert not any("Players funded Ukraine's industry" in f.observation for f in report.findings)


def test_decision_file_releases_and_refuses_releasing_an_actor_not_played(tmp_path):
    scenario = load_scenario(BASELINE, overrides=["horizon_days=56"])
    good = tmp_path / "good.yaml"
    good.write_text("turn_days: 14\nplayed: [UA]\nturns:\n  - turn: 1\n    released: [UA]\n", encoding="utf-8")
    plans = load_decision_file(good, scenario).plans
    assert plans[0].played == {"UA"} and plans[1].played == frozenset() and plans[1].released == {"UA"}
    _, log_path = play(tmp_path / "game", "", "--decisions", str(good), "--no-interactive")
    log = read_game_log(log_path).log
    assert log.turns[0].played == ["UA"] and log.turns[1].released == ["UA"] and log.status == "finished"
    assert [bool(turn.warnings) for turn in log.turns] == [False, True, False, False, False]
    bad = tmp_path / "bad.yaml"
    bad.write_text("turn_days: 14\nturns:\n  - turn: 1\n    released: [DE]\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as error:
        load_decision_file(bad, scenario)
    message = error.value.problems[0].format()
    assert "bad.yaml:4:" in message and "turns[0].released[0]" in message
    assert "DE is not played at decision point 1, so it cannot be released" in message


# --- look-ahead ---------------------------------------------------------------------------------------------------


def test_a_branch_under_the_games_own_seed_continues_the_game_exactly():
    scenario = load_scenario(BASELINE, overrides=["horizon_days=60"])
    game = Game(scenario, 7, 30)
    game.run_turn()
    branch = game.model.branch(7)
    branch.run()
    while not game.finished:
        game.run_turn()
    game.model.run()
    assert compute_metrics(branch.ledger) == pytest.approx(compute_metrics(game.model.ledger), nan_ok=True, abs=0)
    other = game.model.branch(8)  # the finished game is not touched by branching
    assert other.day == game.model.day


def test_look_ahead_leaves_the_game_as_it_was(tmp_path):
    _, with_look = play(tmp_path / "a", "done\ndone\ndone\ndone\n", "--look-ahead", "2")
    _, without = play(tmp_path / "b", "done\ndone\ndone\ndone\n")
    a, b = read_game_log(with_look).log, read_game_log(without).log
    assert a.final["metrics"] == pytest.approx(b.final["metrics"], nan_ok=True, abs=0)
    projected = a.turns[1].outcome["objectives"]
    assert all(o["projected_low"] <= o["projected"] <= o["projected_high"] for o in projected if o["share_met"] >= 0)
    assert all(0 <= o["share_met"] <= 1 for o in projected if not math.isnan(o["share_met"]))


def test_look_ahead_projects_an_interval_and_statuses_follow_the_share_of_futures():
    scenario = load_scenario(BASELINE, overrides=["horizon_days=60"])
    game = Game(scenario, 1, 30)
    game.run_turn()
    result = look_ahead(game.model, scenario.objectives, 3)
    assert result is not None and result.futures == 3 and game.model.day == 30
    for projection in result.projections.values():
        assert projection.futures == 3
    base = ObjectiveStatus("o", "nato_leakers", "<=", 5.0, 1.0, 2.0, "on track")
    for share, status in (
        (0.8, "on track"),
        (0.75, "on track"),
        (0.5, "at risk"),
        (0.25, "at risk"),
        (0.1, "off track"),
    ):
        projected = with_look_ahead(base, Projection("o", "nato_leakers", 4.0, 2.0, 9.0, share, 8))
        assert (projected.status, projected.projected, projected.projected_low) == (status, 4.0, 2.0)
    missed = ObjectiveStatus("o", "nato_leakers", "<=", 5.0, 6.0, 12.0, "missed")
    assert with_look_ahead(missed, Projection("o", "nato_leakers", 4.0, 2.0, 9.0, 1.0, 8)).status == "missed"


# --- replay and after-action report of any game -------------------------------------------------------------------

EMPTY_SLOT = re.compile(
    r";\s*[;.,]|:\s*[.;,]|\(\s*\)|\s[.,;](?!\d)|\b(in|of|by state|most|from)\s*[;.,]|\bnan\b|None|e\+\d"
)


def report_texts(report) -> list[str]:
    texts = [report.document.subtitle]
    for section in report.document.sections:
        for block in section.blocks:
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, Bullets):
                texts.extend(block.items)
            elif isinstance(block, Table):
                texts.extend(cell for row in block.rows for cell in row)
    return texts


@pytest.mark.parametrize("stop_after", [0, 1, 2, 4])
def test_after_action_reports_of_games_stopped_at_any_turn_have_no_empty_slots(tmp_path, stop_after):
    stdin = "play UA DE\n{actor: DE, kind: order, item: pac3_mse, units: 8}\n" + "done\n" * stop_after + "quit\n"
    _, log_path = play(tmp_path, stdin, horizon=28, turn_days=7)
    record = read_game_log(log_path)
    report = build_aar(record)
    for text in report_texts(report):
        assert not EMPTY_SLOT.search(text), text
    results = {rating["name"]: rating["result"] for rating in report.ratings}
    if stop_after < 4:
        assert not record.finished
        assert results["ukraine_drone_defence"].startswith("not yet evaluable")
        assert all(r["rating"] == "–" for r in report.ratings if r["result"].startswith("not yet evaluable"))
    else:
        assert not any(result.startswith("not yet") for result in results.values())


def test_replay_and_aar_with_replays_of_an_unfinished_game(tmp_path):
    stdin = "play DE\n{actor: DE, kind: order, item: pac3_mse, units: 8}\ndone\ndone\nquit\n"
    _, log_path = play(tmp_path, stdin, horizon=28, turn_days=7)
    replayed = invoke("replay", str(log_path), "-n", "2", "-w", "1")
    assert replayed.exit_code == 0, replayed.output
    assert "reproduces the played game exactly" in replayed.output and "not yet evaluable" in replayed.output
    aar = invoke("aar", str(log_path), "--replay", "2", "-w", "1")
    assert aar.exit_code == 0, aar.output
    assert "a branch from decision point 0 (the first played decision)" in aar.output
    markdown = (log_path.parent / "aar.md").read_text(encoding="utf-8")
    assert "## Appendix C: Skill or Luck?" in markdown and "## Appendix D: What If? (branch at 0: policies)" in markdown
    assert "Replayed under 2 seeds" in markdown
    assert (log_path.parent / "branch-at-0-objectives.csv").is_file()


# --- the facilitator's prompt -------------------------------------------------------------------------------------


def test_prompt_catalog_status_order_confirmation_undo_and_entries_after_resume(tmp_path):
    stdin = (
        "play DE\ncatalog pac3_mse\nstatus DE\nstatus XX\n"
        "{actor: DE, kind: order, item: pac3_mse, units: 8}\nundo\nundo\n"
        "{actor: DE, kind: order, item: iris_t, units: 8, note: kept}\nlookahead\n"
    )
    first, log_path = play(tmp_path, stdin, horizon=28, turn_days=7)
    output = first.output
    assert "Catalogue: pac3_mse" in output and "DE can buy" in output
    assert "budget left" in output and "status needs an actor from" in output
    assert re.search(r"cost €[\d,]+ \(budget and SAFE loan\); expected by \d\d \w{3} \d{4}", output)
    assert "undone: {actor: DE, kind: order, item: pac3_mse, units: 8}" in output
    assert "nothing to undo at this decision point" in output
    assert "With what was entered here — projected to the horizon if nothing changes (8 futures)" in output
    entries = read_game_log(log_path).log.turns[0].entries
    assert [e.decision.item for e in entries] == ["iris_t"]
    resumed = invoke("play", "--resume", str(log_path), *QUICK, stdin="done\ndone\ndone\ndone\n")
    assert resumed.exit_code == 0, resumed.output
    assert (
        "Entered at decision point 0:" in resumed.output and "{actor: DE, kind: order, item: iris_t" in resumed.output
    )
    assert not re.search(r"\de[+-]\d", resumed.output)  # plain notation in the game-over tables
    # Undo rebuilt the game exactly: the same as a game where only the second order was ever typed.
    _, direct = play(
        tmp_path / "direct",
        "play DE\n{actor: DE, kind: order, item: iris_t, units: 8, note: kept}\ndone\ndone\ndone\ndone\n",
        horizon=28,
        turn_days=7,
    )
    assert read_game_log(log_path).log.final["metrics"] == pytest.approx(
        read_game_log(direct).log.final["metrics"], nan_ok=True, abs=0
    )


def test_the_facilitators_clock_counts_down_then_over(tmp_path, monkeypatch):
    from sim.tabletop import session as session_module

    _, log_path = play(tmp_path, "quit\n", horizon=28, turn_days=7)
    scenario = load_scenario(BASELINE, overrides=["horizon_days=28"])
    resumed = session_module.resume_session(
        read_game_log(log_path), scenario, console=Console(file=io.StringIO()), read_line=None, clock_minutes=10
    )
    monkeypatch.setattr(session_module.time, "monotonic", lambda: 1000.0 + 4 * 60 + 30)
    assert resumed._prompt_text(2, 1000.0) == "[2 · 6 min left]> "
    monkeypatch.setattr(session_module.time, "monotonic", lambda: 1000.0 + 12 * 60)
    assert resumed._prompt_text(2, 1000.0) == "[2 · 2 min over]> "
    resumed.clock_minutes = None
    assert resumed._prompt_text(2, 1000.0) == "[2]> "


def test_numbers_are_plain_with_thousands_separators():
    from sim.tabletop.numbers import format_meur, format_outcome, format_value

    assert [format_value(v) for v in (33.0, 36_080.0, 1_234_567.8, 12.34, 0.1234, math.nan, math.inf)] == [
        "33",
        "36,080",
        "1,234,568",
        "12.3",
        "0.123",
        "–",
        "∞",
    ]
    assert format_outcome("ukraine_drone_intercept_rate", 0.885) == "88.5%"
    assert format_outcome("nato_leakers", 33.0) == "33"
    assert format_meur(0.0) == "€0M" and format_meur(2978.4) == "€2,978M"


def test_status_and_catalog_views_of_every_actor():
    from sim.tabletop.desk import catalog_view, status_view

    scenario = load_scenario(BASELINE, overrides=["horizon_days=28"])
    game = Game(scenario, 1, 7)
    game.set_played({"UA", "PL"})
    console = Console(file=io.StringIO(), width=200)
    for actor in game.playable:
        console.print(status_view(game, actor))
    console.print(catalog_view(game))
    console.print(catalog_view(game, "no_such_item"))
    text = console.file.getvalue()
    assert "UA (played) at day 0" in text and "NATO (follows its policies)" in text and "pool in PL" in text
    assert "SAFE room" in text and "PL can buy" in text and "no supplier makes 'no_such_item'" in text
    assert not re.search(r"\de[+-]\d", text)
