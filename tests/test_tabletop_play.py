"""``sim play`` end to end: a scripted game from the example decision file, the interactive prompt driven through
standard input, the game log, and resuming after a crash, an interrupt or a quit."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.api import load_scenario
from sim.cli import app
from sim.scenario.yaml_source import read_yaml_file
from sim.tabletop import game as game_module
from sim.tabletop.decisions import load_decision_file
from sim.tabletop.log import read_game_log

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLE = ROOT / "scenarios" / "decisions" / "example_decisions.yaml"
SHORT = ["--set", "horizon_days=28"]
WIDE = {"COLUMNS": "200"}


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin, env=WIDE)


def the_log(folder: Path) -> Path:
    logs = list(folder.glob("*/game.yaml"))
    assert len(logs) == 1, logs
    return logs[0]


def same_metrics(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(
        float(a[k]) == float(b[k]) or (math.isnan(float(a[k])) and math.isnan(float(b[k]))) for k in a
    )


@pytest.fixture(scope="module")
def scripted(tmp_path_factory) -> tuple[Result, Path]:
    """The example game played from its decision file, figures and all."""
    folder = tmp_path_factory.mktemp("scripted")
    result = invoke("play", str(BASELINE), *SHORT, "--decisions", str(EXAMPLE), "--out", str(folder))
    return result, the_log(folder)


def test_scripted_game_runs_end_to_end(scripted):
    result, log_path = scripted
    assert result.exit_code == 0, result.output
    output = result.output
    for heading in (
        "Starting situation",
        "Raids and intercepts this turn",
        "NATO airspace",
        "Budgets left",
        "Objectives",
        "Game over",
        "player decisions refused: 1",
    ):
        assert heading in output
    assert "✗ refused: DE: DE gives UA 10 patriot: refused — DE has only 4 patriot at home" in output
    record = read_game_log(log_path)
    log = record.log
    assert log.status == "finished" and log.turn_count == 4 and log.turn_days == 7
    assert [turn.turn for turn in log.turns] == [0, 1, 2, 3, 4]
    assert all(turn.closed for turn in log.turns[:4])
    assert log.turns[0].played == ["DE", "DK", "EU", "NATO", "PL"] and log.turns[1].played == ["UA"]
    assert log.turns[0].outcome is None and log.turns[4].outcome["dates"] == ["2025-09-22", "2025-09-28"]
    entries = [(turn.turn, logged) for turn in log.turns for logged in turn.entries]
    assert len(entries) == 25 and all(logged.source == "file" for _, logged in entries)
    refused = [(turn, logged.message) for turn, logged in entries if not logged.done]
    assert refused == [(1, "DE gives UA 10 patriot: refused — DE has only 4 patriot at home")]
    objectives = {objective["name"]: objective["met"] for objective in log.final["objectives"]}
    assert set(objectives) == {"ukraine_drone_defence", "nato_airspace", "airports_open", "patriot_magazines"}
    assert log.final["refused_decisions"] == 1
    # A figure per turn, the resolved scenario beside the log.
    folder = log_path.parent
    assert sorted(p.name for p in folder.glob("*.png")) == [f"sitrep-turn-0{k}.png" for k in (1, 2, 3, 4)]
    assert (folder / "scenario.yaml").is_file()
    assert read_yaml_file(log_path).data["scenario"]["overrides"] == ["horizon_days=28"]


def prompt_script(scenario) -> str:
    """The example decision file typed at the prompt, decision point by decision point."""
    loaded = load_decision_file(EXAMPLE, scenario)
    lines: list[str] = []
    played: frozenset[str] = frozenset()
    for turn in range(4):
        plan = loaded.plans.get(turn)
        if plan is not None:
            if plan.played - played:
                lines.append("play " + " ".join(sorted(plan.played - played)))
                played = plan.played
            lines += [entry.describe() for entry in plan.entries]
        lines.append("done")
    return "\n".join(lines) + "\n"


def test_the_prompt_and_the_file_use_one_format(scripted, tmp_path):
    """Typing the example file's entries at the prompt plays exactly the same game."""
    scenario = load_scenario(BASELINE, overrides=["horizon_days=28"])
    result = invoke(
        "play", str(BASELINE), *SHORT, "--out", str(tmp_path), "--no-figures", stdin=prompt_script(scenario)
    )
    assert result.exit_code == 0, result.output
    typed = read_game_log(the_log(tmp_path)).log
    filed = read_game_log(scripted[1]).log
    assert typed.status == "finished"
    assert same_metrics(typed.final["metrics"], filed.final["metrics"])
    assert [[(e.done, e.message) for e in t.entries] for t in typed.turns] == [
        [(e.done, e.message) for e in t.entries] for t in filed.turns
    ]
    assert all(e.source == "prompt" for t in typed.turns for e in t.entries)


def test_interactive_prompt_through_stdin(tmp_path):
    stdin = "\n".join(
        [
            "help",
            "help transfer",
            "{actor: DE, kind: order, item: pac3_mse, units: 5}",  # DE is not played yet
            "play DE NATO",
            "play Natoo",
            '{actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 2}, note: "day-0 gift"}',
            "{actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 9}}",
            "{actor: DE, kind: tranfer}",
            "frobnicate",
            "played",
            "done",
            "{kind: incursion, target: EE, drones: 5}",
            "{actor: NATO, kind: move, effector: patriot, to: DE}",
            "sitrep",
            "done",
            "done",
            "done",
        ]
    )
    result = invoke("play", str(BASELINE), *SHORT, "--out", str(tmp_path), "--no-figures", stdin=stdin + "\n")
    assert result.exit_code == 0, result.output
    output = result.output
    assert "Type one entry or command per line" in output  # help
    assert "transfer (decision by member state)" in output and "fields: actor, note?" in output  # help transfer
    assert "DE is not played: type `play DE` first" in output
    assert "Played from now on: DE, NATO" in output
    assert "play needs actors from: PL, DE" in output and "did you mean 'NATO'?" in output
    assert "✓ DE: DE gives UA 2 patriot" in output
    assert "✗ refused: DE: DE gives UA 9 patriot: refused — DE has only 3 patriot at home" in output
    assert "<prompt>:1:13: kind: unknown choice 'tranfer'" in output
    assert "unknown command 'frobnicate'" in output
    assert "played: DE, NATO" in output
    assert "✓ inject: 5 shahed enter EE's airspace" in output
    assert (
        "refused — the rotational pool stands on the eastern flank (PL, RO, FI, EE, LV, LT); DE is not on it" in output
    )
    assert "Traceback" not in output
    log = read_game_log(the_log(tmp_path)).log
    assert log.status == "finished"
    assert [(e.done, e.source) for e in log.turns[0].entries] == [(True, "prompt"), (False, "prompt")]
    assert log.turns[0].entries[0].decision.note == "day-0 gift"
    assert [e.inject is not None for e in log.turns[1].entries] == [True, False]


def test_end_of_input_saves_and_resume_continues(scripted, tmp_path):
    scenario = load_scenario(BASELINE, overrides=["horizon_days=28"])
    script = prompt_script(scenario).splitlines()
    cut = script.index("done", script.index("done") + 1) + 4  # two decision points done, three entries into the third
    first = invoke(
        "play", str(BASELINE), *SHORT, "--out", str(tmp_path), "--no-figures", stdin="\n".join(script[:cut]) + "\n"
    )
    assert first.exit_code == 0, first.output
    assert "end of input: the game is saved" in first.output and "sim play --resume" in first.output
    log_path = the_log(tmp_path)
    stopped = read_game_log(log_path).log
    assert stopped.status == "stopped" and len(stopped.turns) == 3 and not stopped.turns[2].closed
    assert len(stopped.turns[2].entries) == 3
    second = invoke("play", "--resume", str(log_path), "--no-figures", stdin="\n".join(script[cut:]) + "\n")
    assert second.exit_code == 0, second.output
    assert f"Resumed {log_path} at decision point 2" in second.output
    resumed = read_game_log(log_path).log
    # The script types the example file, so the game played straight through is the scripted one.
    reference = read_game_log(scripted[1]).log
    assert resumed.status == "finished"
    assert same_metrics(resumed.final["metrics"], reference.final["metrics"])
    # The log after the resume holds the same entries as a game played straight through.
    assert [[e.message for e in t.entries] for t in resumed.turns] == [
        [e.message for e in t.entries] for t in reference.turns
    ]


class PowerCut(Exception):
    """A crash in the middle of a turn."""


@pytest.mark.parametrize("crash", [PowerCut, KeyboardInterrupt])
def test_resume_after_a_crash_in_the_middle_of_a_turn(scripted, tmp_path, monkeypatch, crash):
    real_run_turn = game_module.Game.run_turn
    calls = {"n": 0}

    def failing_run_turn(self):
        calls["n"] += 1
        if calls["n"] == 3:
            raise crash("the power went out")
        return real_run_turn(self)

    monkeypatch.setattr(game_module.Game, "run_turn", failing_run_turn)
    crashed = invoke("play", str(BASELINE), *SHORT, "--decisions", str(EXAMPLE), "--out", str(tmp_path), "--no-figures")
    if crash is KeyboardInterrupt:
        assert crashed.exit_code == 130
        assert "interrupted; the game is saved. Continue with: sim play --resume" in crashed.output
    else:  # a real crash: nothing gets to tidy up; the guard prints one line and keeps the traceback in a file
        assert crashed.exit_code == 70
        assert crashed.stderr.startswith("error: PowerCut: the power went out (details: ")
    monkeypatch.setattr(game_module.Game, "run_turn", real_run_turn)
    log_path = the_log(tmp_path)
    saved = read_game_log(log_path).log
    assert saved.status == ("stopped" if crash is KeyboardInterrupt else "playing")
    assert len(saved.turns) == 3 and saved.turns[2].closed  # decision point 2 was done; turn 3 was running
    resumed = invoke("play", "--resume", str(log_path), "--no-figures")
    assert resumed.exit_code == 0, resumed.output
    final = read_game_log(log_path).log
    assert final.status == "finished"
    assert same_metrics(final.final["metrics"], read_game_log(scripted[1]).log.final["metrics"])
    again = invoke("play", "--resume", str(log_path))
    assert again.exit_code == 2 and "this game is finished" in again.output


def test_resume_refuses_another_scenario(scripted, tmp_path):
    log_path = scripted[1]
    other = invoke("play", str(BASELINE), "--set", "horizon_days=35", "--resume", str(log_path))
    assert other.exit_code == 2
    assert "is not the scenario this game was played on (its content hash differs)" in other.output
    seed = invoke("play", "--resume", str(log_path), "--seed", "3")
    assert seed.exit_code == 2 and "this game was played with --seed 20250901" in seed.output


def test_resume_uses_the_resolved_copy_when_the_file_is_gone(tmp_path):
    scenario_file = tmp_path / "mine.yaml"
    scenario_file.write_text(f"extends: {BASELINE}\nhorizon_days: 14\n", encoding="utf-8")
    first = invoke("play", str(scenario_file), "--out", str(tmp_path), "--no-figures", stdin="play PL\nquit\n")
    assert first.exit_code == 0, first.output
    scenario_file.unlink()
    log_path = the_log(tmp_path)
    resumed = invoke("play", "--resume", str(log_path), "--no-figures", stdin="done\ndone\n")
    assert resumed.exit_code == 0, resumed.output
    assert read_game_log(log_path).log.status == "finished"


def test_bad_command_lines_give_messages_not_tracebacks(tmp_path):
    nothing = invoke("play")
    assert nothing.exit_code == 2 and "give a SCENARIO file to start a game, or --resume LOG" in nothing.output
    missing = invoke("play", "--resume", str(tmp_path / "nope.yaml"))
    assert missing.exit_code == 1 and "nope.yaml: file not found" in missing.output
    not_a_log = tmp_path / "not_a_log.yaml"
    not_a_log.write_text("format: something-else\n", encoding="utf-8")
    wrong = invoke("play", "--resume", str(not_a_log))
    assert wrong.exit_code == 1 and "this is not a game log of this version" in wrong.output
    actor = invoke("play", str(BASELINE), *SHORT, "--play", "DE,XX", "--out", str(tmp_path), stdin="quit\n")
    assert actor.exit_code == 2 and "cannot play XX" in actor.output
    for result in (nothing, missing, wrong, actor):
        assert "Traceback" not in result.output


def test_raids_under_no_raids_are_refused_with_the_reason_not_reported_as_done(tmp_path):
    """QA: under no_raids a raid inject said "✓ inject: a raid of 650 drones…" and nothing was launched, and the
    baseline's record night vanished. The scenario's scripted raid is refused at its line; the inject at the prompt."""
    no_raids = ["--set", "actors.adversary.raids={name: no_raids}"]
    scripted = invoke("play", str(BASELINE), *SHORT, *no_raids, "--out", str(tmp_path), "--no-figures")
    assert scripted.exit_code == 1
    line = next(n for n, text in enumerate(BASELINE.read_text().splitlines(), 1) if "drones: {value: 810" in text)
    assert scripted.output.splitlines()[0] == (
        f"{BASELINE}:{line}:5: events[0].drones: a scripted raid of 810 drones and 13 missiles, but the raid policy "
        "'no_raids' has no drone_mix or missile_mix to say which threats they are, so the raid could not happen "
        "(expected a raid policy with that mix (for scripted raids only: nightly_raids with drones_per_night: 0 and "
        "missile_strike_probability: 0), or no such raid (--set events.record_night_sep_7.drones=0 "
        "--set events.record_night_sep_7.missiles=0))"
    )
    quiet = ["--set", "events.record_night_sep_7.drones=0", "--set", "events.record_night_sep_7.missiles=0"]
    stdin = "{kind: raid, drones: 650, missiles: 40}\ndone\nquit\n"
    played = invoke(
        "play", str(BASELINE), *SHORT, *no_raids, *quiet, "--out", str(tmp_path), "--no-figures", stdin=stdin
    )
    assert played.exit_code == 0, played.output
    assert (
        "<prompt>:1:14: drones: a scripted raid of 650 drones and 40 missiles, but the raid policy 'no_raids' has no "
        "drone_mix or missile_mix to say which threats they are, so the raid could not happen" in played.output
    )
    assert "✓ inject" not in played.output and "Traceback" not in played.output
    assert not read_game_log(the_log(tmp_path)).log.turns[0].entries
