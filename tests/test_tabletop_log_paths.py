"""A game log names its scenario and decision files; they are followed only inside the log's folder or the shipped
``scenarios/`` folder, so a log from elsewhere cannot make ``sim play --resume`` or ``sim replay`` read any other
file. Played end to end: a short game is stopped at its first decision point, then its log is edited the way a
stranger's log could be.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario.yaml_source import read_yaml_file
from sim.tabletop.log import read_game_log

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
BASELINE = SHIPPED / "baseline.yaml"
SECRET = "hunter2-do-not-print"
DECISIONS = """\
turn_days: 7
played: [EU]
turns:
  - turn: 0
    decisions:
      - {actor: EU, kind: fund_ukraine_industry, meur: 100, note: "%s"}
"""


def invoke(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, list(args), input=stdin, env={"COLUMNS": "1000"})


@pytest.fixture(scope="module")
def stopped_game(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 14-day game of a scenario in ``exercise/``, played from a decision file there, stopped at decision
    point 0; its log is in ``results/<game>/``."""
    folder = tmp_path_factory.mktemp("stopped")
    exercise = folder / "exercise"
    exercise.mkdir()
    (exercise / "mine.yaml").write_text(f"extends: {BASELINE}\nhorizon_days: 14\n", encoding="utf-8")
    (exercise / "decisions.yaml").write_text(DECISIONS % "fund the drone makers", encoding="utf-8")
    result = invoke(
        "play",
        str(exercise / "mine.yaml"),
        "--decisions",
        str(exercise / "decisions.yaml"),
        "--interactive",
        "--no-figures",
        "--out",
        str(folder / "results"),
        stdin="quit\n",
    )
    assert result.exit_code == 0, result.output
    return folder


@pytest.fixture
def game(stopped_game: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A private copy of the stopped game: (the exercise folder, the log)."""
    shutil.copytree(stopped_game, tmp_path, dirs_exist_ok=True)
    (log,) = tmp_path.glob("results/*/game.yaml")
    exercise = tmp_path / "exercise"
    rewrite(log, file=str(exercise / "mine.yaml"), decisions_file=str(exercise / "decisions.yaml"))
    return exercise, log


def rewrite(log: Path, *, file: str | None = None, decisions_file: str | None = None) -> None:
    """Make the log name other files (as an edited or foreign log would)."""
    data: dict[str, Any] = yaml.safe_load(log.read_text(encoding="utf-8"))
    if file is not None:
        data["scenario"]["file"] = data["scenario"]["file_resolved"] = file
    if decisions_file is not None:
        data["decisions_file"] = decisions_file
    log.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def refusal(log: Path, key_path: tuple[str, ...], named: str, resolved: Path) -> str:
    """The refusal, as printed, of a file the log names outside its folder and the shipped one."""
    position = read_yaml_file(log).position_of(key_path)
    assert position is not None
    return (
        f"{log}:{position.line}:{position.column}: {'.'.join(key_path)}: '{named}' resolves to {resolved}, outside "
        f"this game log's folder ({log.parent}) and the shipped scenarios folder ({SHIPPED}); game log files may "
        "only name files inside those folders"
    )


def test_the_game_was_stopped_where_the_tests_need_it(game):
    _, log = game
    logged = read_game_log(log).log
    assert (logged.status, len(logged.turns)) == ("stopped", 1)


def test_a_logged_scenario_outside_the_log_folder_is_never_read(game):
    """The copy beside the log is used instead: the file the log names is replaced by a foreign one that would
    fail to load if it were read."""
    exercise, log = game
    (exercise / "mine.yaml").write_text(f"password: {SECRET}\n", encoding="utf-8")
    result = invoke("play", "--resume", str(log), "--decisions", str(exercise / "decisions.yaml"), "--no-figures")
    assert result.exit_code == 0, result.output
    assert read_game_log(log).log.status == "finished"
    assert SECRET not in result.output


def test_without_the_copy_the_refused_files_are_named_with_the_rule(game):
    exercise, log = game
    (log.parent / "scenario.yaml").unlink()
    named = str(exercise / "mine.yaml")
    expected = [
        refusal(log, ("scenario", "file"), named, exercise / "mine.yaml"),
        refusal(log, ("scenario", "file_resolved"), named, exercise / "mine.yaml"),
        f"{log}: cannot find the scenario of this game (tried {log.parent / 'scenario.yaml'}) (expected the scenario "
        "file given on the command line)",
        "3 problems",
    ]
    resumed = invoke("play", "--resume", str(log), "--no-figures")
    assert resumed.exit_code == 1, resumed.output
    assert resumed.output.splitlines() == expected
    replayed = invoke("replay", str(log), "-n", "1")
    assert replayed.exit_code == 1, replayed.output
    assert replayed.output.splitlines() == expected
    # Naming the scenario on the command line is the user's own choice: it may be anywhere.
    given = invoke(
        "play",
        str(exercise / "mine.yaml"),
        "--resume",
        str(log),
        "--decisions",
        str(exercise / "decisions.yaml"),
        "--no-figures",
    )
    assert given.exit_code == 0, given.output


def test_a_copy_beside_the_log_that_links_elsewhere_is_refused(game):
    exercise, log = game
    (exercise / "secret.yaml").write_text(f"password: {SECRET}\n", encoding="utf-8")
    copy = log.parent / "scenario.yaml"
    copy.unlink()
    copy.symlink_to(exercise / "secret.yaml")
    result = invoke("play", "--resume", str(log), "--no-figures")
    assert result.exit_code == 1, result.output
    root = read_yaml_file(log).position_of(())
    assert root is not None
    named = str(exercise / "mine.yaml")
    assert result.output.splitlines() == [
        refusal(log, ("scenario", "file"), named, exercise / "mine.yaml"),
        refusal(log, ("scenario", "file_resolved"), named, exercise / "mine.yaml"),
        f"{log}:{root.line}:{root.column}: 'scenario.yaml' resolves to {exercise / 'secret.yaml'}, outside this "
        f"game log's folder ({log.parent}) and the shipped scenarios folder ({SHIPPED}); game log files may only "
        "name files inside those folders",
        f"{log}: cannot find the scenario of this game (tried no file it may read) (expected the scenario file "
        "given on the command line)",
        "4 problems",
    ]
    assert SECRET not in result.output


def test_a_logged_decision_file_outside_the_log_folder_is_refused(game):
    exercise, log = game
    (exercise / "decisions.yaml").write_text(DECISIONS % SECRET, encoding="utf-8")
    named = str(exercise / "decisions.yaml")
    result = invoke("play", "--resume", str(log), "--no-figures")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines() == [
        refusal(log, ("decisions_file",), named, exercise / "decisions.yaml")
        + " (expected the decision file given with --decisions)",
        "1 problem",
    ]
    assert SECRET not in result.output


def test_a_relative_logged_path_is_checked_where_it_ends(game):
    """``sim play`` logs paths as given, relative to the folder it ran in; climbing out with '..' is refused."""
    _, log = game
    named = "../" * len(Path.cwd().parts) + "etc/passwd"
    rewrite(log, decisions_file=named)
    result = invoke("play", "--resume", str(log), "--no-figures")
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[0] == refusal(log, ("decisions_file",), named, Path("/etc/passwd")) + (
        " (expected the decision file given with --decisions)"
    )
    assert "root:" not in result.output


def test_files_inside_the_log_folder_are_followed(game):
    exercise, log = game
    inside = log.parent / "decisions.yaml"
    shutil.move(exercise / "decisions.yaml", inside)
    rewrite(log, decisions_file=str(inside))
    result = invoke("play", "--resume", str(log), "--no-figures")
    assert result.exit_code == 0, result.output
    assert read_game_log(log).log.status == "finished"
