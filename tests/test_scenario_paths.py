"""Nothing outside a scenario's folder is read, and only regular files of modest size are read.

``extends`` and ``article_file`` must resolve, symlinks followed, inside the naming file's folder or the shipped
``scenarios/`` folder; a file given on the command line may be anywhere but must be a regular file of at most
5 MB whose path holds no NUL byte. Every refusal names the path and the rule, exits 1 without a traceback and
never shows the content of the file it refused. The commands run end to end through typer's CliRunner; the FIFO
cases run ``sim`` in a subprocess with a timeout, so a reader that blocks fails the test instead of hanging it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.api import load_scenario
from sim.cli import app
from sim.scenario import files, loader
from sim.scenario.errors import ScenarioError
from sim.scenario.files import MAX_FILE_BYTES, MAX_GAME_LOG_BYTES, AllowedRoot, shipped_scenarios_folder
from sim.scenario.yaml_source import read_yaml_file
from sim.tabletop.log import read_game_log

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "scenarios"
BASELINE = SHIPPED / "baseline.yaml"
SECRET = "hunter2-do-not-print"
RULE = "scenario files may only name files inside those folders"
CHARACTER_DEVICE = "is a character device, not a regular file (expected the path of a .yaml file)"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env={"COLUMNS": "1000"})


def lines(result: Result) -> list[str]:
    return result.output.splitlines()


def outside_rule(file: Path | str, where: str, key: str, named: str, resolved: Path, folder: Path) -> str:
    """The refusal, as printed, of a path a scenario names outside its folder and the shipped one."""
    return (
        f"{file}:{where}: {key}: '{named}' resolves to {resolved}, outside this scenario's folder ({folder}) and "
        f"the shipped scenarios folder ({SHIPPED}); {RULE}"
    )


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    """A scenario folder, and beside it a folder holding a secret file that looks like YAML."""
    scenario_folder = tmp_path / "exercise"
    elsewhere = tmp_path / "private"
    scenario_folder.mkdir()
    elsewhere.mkdir()
    (elsewhere / "secret.yaml").write_text(f"password: {SECRET}\nname: {SECRET}\n", encoding="utf-8")
    return scenario_folder, elsewhere


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_the_shipped_folder_is_found_beside_the_package():
    assert shipped_scenarios_folder() == SHIPPED
    assert shipped_scenarios_folder(ROOT / "sim") is None  # no pyproject.toml there: an installed package


# --- extends --------------------------------------------------------------------------------------------------


def test_extends_an_absolute_system_file_is_refused(folders):
    scenario_folder, _ = folders
    scenario = write(scenario_folder / "a.yaml", "name: a\nextends: /etc/passwd\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result) == [
        outside_rule(scenario, "2:1", "extends", "/etc/passwd", Path("/etc/passwd"), scenario_folder),
        "1 problem",
    ]
    assert "root:" not in result.output and "Traceback" not in result.output


def test_extends_climbing_out_with_dot_dot_is_refused(folders):
    scenario_folder, _ = folders
    named = "../" * len(scenario_folder.parts) + "etc/passwd"  # enough '..' to reach / from the folder
    scenario = write(scenario_folder / "a.yaml", f"extends: {named}\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result)[0] == outside_rule(scenario, "1:1", "extends", named, Path("/etc/passwd"), scenario_folder)
    assert "root:" not in result.output


def test_extends_a_file_in_a_sibling_folder_never_shows_its_content(folders):
    scenario_folder, elsewhere = folders
    scenario = write(scenario_folder / "a.yaml", "extends: ../private/secret.yaml\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result)[0] == outside_rule(
        scenario, "1:1", "extends", "../private/secret.yaml", elsewhere / "secret.yaml", scenario_folder
    )
    assert SECRET not in result.output and "password" not in result.output


def test_a_symlink_inside_the_folder_that_points_outside_is_refused(folders):
    scenario_folder, elsewhere = folders
    (scenario_folder / "parent.yaml").symlink_to(elsewhere / "secret.yaml")
    scenario = write(scenario_folder / "a.yaml", "extends: parent.yaml\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result)[0] == outside_rule(
        scenario, "1:1", "extends", "parent.yaml", elsewhere / "secret.yaml", scenario_folder
    )
    assert SECRET not in result.output


def test_a_symlinked_folder_that_points_outside_is_refused(folders):
    scenario_folder, elsewhere = folders
    (scenario_folder / "shared").symlink_to(elsewhere, target_is_directory=True)
    scenario = write(scenario_folder / "a.yaml", "extends: shared/secret.yaml\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert f"resolves to {elsewhere / 'secret.yaml'}, outside this scenario's folder" in result.output
    assert SECRET not in result.output


def test_paths_that_end_inside_the_folder_or_the_shipped_one_are_followed(folders):
    """``sub/../parent.yaml`` stays inside; the shipped baseline may be named from anywhere; a symlink that
    points into the shipped folder ends inside it."""
    scenario_folder, _ = folders
    (scenario_folder / "sub").mkdir()
    write(scenario_folder / "parent.yaml", f"extends: {BASELINE}\nreplications: 3\n")
    (scenario_folder / "linked_baseline.yaml").symlink_to(BASELINE)
    via_dot_dot = write(scenario_folder / "a.yaml", "extends: sub/../parent.yaml\nseed: 5\n")
    via_link = write(scenario_folder / "b.yaml", "extends: linked_baseline.yaml\nseed: 6\n")
    result = invoke("validate", str(via_dot_dot), str(via_link))
    assert result.exit_code == 0, result.output
    assert lines(result) == [f"ok {via_dot_dot}: baseline, 1218 days", f"ok {via_link}: baseline, 1218 days"]
    assert (load_scenario(via_dot_dot).seed, load_scenario(via_dot_dot).replications) == (5, 3)


def test_allowed_roots_narrow_what_extends_may_reach(folders):
    """The web app's rule: an uploaded scenario may extend only the shipped scenarios."""
    scenario_folder, _ = folders
    write(scenario_folder / "parent.yaml", f"extends: {BASELINE}\n")
    child = write(scenario_folder / "child.yaml", "extends: parent.yaml\n")
    only_shipped = [AllowedRoot(SHIPPED, "the shipped scenarios folder")]
    with pytest.raises(ScenarioError) as refused:
        loader.load_scenario(child, allowed_roots=only_shipped)
    assert str(refused.value) == (
        f"{child}:1:1: extends: 'parent.yaml' resolves to {scenario_folder / 'parent.yaml'}, outside the shipped "
        f"scenarios folder ({SHIPPED}); scenario files may only name files inside that folder"
    )
    direct = write(scenario_folder / "direct.yaml", f"extends: {BASELINE}\nseed: 9\n")
    assert loader.load_scenario(direct, allowed_roots=only_shipped).seed == 9


def test_without_a_shipped_folder_only_the_scenarios_own_folder_is_allowed(folders, monkeypatch):
    """A non-editable install has no project root beside the package, so no shipped folder."""
    scenario_folder, _ = folders
    monkeypatch.setattr(files, "_PROJECT_ROOT", scenario_folder / "site-packages")
    scenario = write(scenario_folder / "a.yaml", f"extends: {BASELINE}\n")
    with pytest.raises(ScenarioError) as refused:
        load_scenario(scenario)
    assert str(refused.value) == (
        f"{scenario}:1:1: extends: '{BASELINE}' resolves to {BASELINE}, outside this scenario's folder "
        f"({scenario_folder}); scenario files may only name files inside that folder"
    )


def test_a_nul_byte_in_extends_is_refused(folders):
    scenario_folder, _ = folders
    scenario = write(scenario_folder / "a.yaml", 'extends: "base\\0line.yaml"\n')  # a YAML escape makes the NUL
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{scenario}:1:1: extends: 'base\\0line.yaml' contains a NUL byte, which no file path can hold "
        "(expected a file path without control characters)",
        "1 problem",
    ]


# --- article_file ---------------------------------------------------------------------------------------------


def test_an_article_file_outside_the_folders_is_refused_where_it_is_written(folders):
    scenario_folder, _ = folders
    scenario = write(
        scenario_folder / "a.yaml",
        f"""\
        extends: {BASELINE}
        sources:
          - id: leak
            title: Leak
            outlet: Nowhere
            date: 2025-10-01
            article_file: /etc/shadow
          - id: fine
            title: Fine
            outlet: Here
            date: 2025-10-01
            article_file: articles/../articles/fine.txt
        """,
    )
    result = invoke("sources", str(scenario))
    assert result.exit_code == 1
    # The child's sources are merged after the baseline's, by id.
    leak = f"sources[{len(load_scenario(BASELINE).sources)}].article_file"
    assert lines(result) == [
        outside_rule(scenario, "7:5", leak, "/etc/shadow", Path("/etc/shadow"), scenario_folder),
        "1 problem",
    ]
    overridden = invoke("validate", str(BASELINE), "--set", "sources[0].article_file=../../x.txt")
    assert overridden.exit_code == 1
    assert lines(overridden)[0] == (
        "--set sources[0].article_file=../../x.txt: sources[0].article_file: '../../x.txt' resolves to "
        f"{(SHIPPED / '../../x.txt').resolve()}, outside this scenario's folder ({SHIPPED}) and the shipped "
        f"scenarios folder ({SHIPPED}); {RULE}"
    )


# --- what a file given on the command line may be -------------------------------------------------------------


def test_a_character_device_is_refused_and_never_read():
    result = invoke("validate", "/dev/zero")
    assert result.exit_code == 1
    assert lines(result) == [f"/dev/zero: {CHARACTER_DEVICE}", "1 problem"]


def test_a_directory_is_refused(folders):
    scenario_folder, _ = folders
    result = invoke("validate", str(scenario_folder))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{scenario_folder}: is a directory, not a file (expected the path of a .yaml file)",
        "1 problem",
    ]


def sparse_file(path: Path, size_bytes: int) -> Path:
    with path.open("wb") as handle:
        handle.truncate(size_bytes)
    return path


def test_a_file_above_the_size_cap_is_refused_before_it_is_read(tmp_path):
    huge = sparse_file(tmp_path / "huge.yaml", 6 * 1024 * 1024)
    result = invoke("validate", str(huge))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{huge}: the file is 6.0 MB, larger than the 5.0 MB limit on files read here (expected a scenario, "
        "decision file or game log of ordinary size (the shipped baseline scenario is 36 KB))",
        "1 problem",
    ]
    # A file of exactly the cap is read (and then refused for what it holds: NUL characters).
    at_cap = sparse_file(tmp_path / "at_cap.yaml", MAX_FILE_BYTES)
    with pytest.raises(ScenarioError, match=r"at_cap\.yaml:1:1: unacceptable character U\+0000"):
        read_yaml_file(at_cap)


def test_game_logs_have_their_own_larger_cap(tmp_path):
    log = sparse_file(tmp_path / "game.yaml", MAX_GAME_LOG_BYTES + 1)
    with pytest.raises(ScenarioError) as refused:
        read_game_log(log)
    assert str(refused.value).startswith(f"{log}: the file is 64.0 MB, larger than the 64.0 MB limit")
    six_mb = sparse_file(tmp_path / "six.yaml", 6 * 1024 * 1024)  # too big for a scenario, fine for a log
    with pytest.raises(ScenarioError, match=r"six\.yaml:1:1: unacceptable character U\+0000"):
        read_game_log(six_mb)


def test_a_nul_byte_in_a_path_is_refused():
    with pytest.raises(ScenarioError) as refused:
        load_scenario("scen\0arios/baseline.yaml")
    assert str(refused.value) == (
        "scen\\0arios/baseline.yaml: the path contains a NUL byte, which no file path can hold "
        "(expected a path without it)"
    )


def test_bytes_that_are_not_utf8_are_located_not_quoted(tmp_path):
    scenario = tmp_path / "latin1.yaml"
    scenario.write_bytes(b"name: baseline\ndescription: caf\xe9 au lait\n")
    result = invoke("validate", str(scenario))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{scenario}:2:17: file is not valid UTF-8 text (byte 0xe9 cannot be decoded) "
        "(expected UTF-8 text: re-save the file as UTF-8)",
        "1 problem",
    ]


def test_a_mapping_that_is_not_a_scenario_is_not_quoted(folders):
    _, elsewhere = folders
    foreign = write(elsewhere / "config.yaml", f"password: {SECRET}\nuser: admin\n")
    result = invoke("validate", str(foreign))
    assert result.exit_code == 1
    assert lines(result) == [
        f"{foreign}:1:1: this is not a scenario file: none of its top-level keys is a scenario key (expected a "
        "mapping with name, description, start_date, catalog, actors … (or extends))",
        "1 problem",
    ]
    assert SECRET not in result.output and "password" not in result.output and "admin" not in result.output


def test_a_mapping_that_is_not_a_decision_file_is_not_quoted(folders):
    _, elsewhere = folders
    foreign = write(elsewhere / "config.yaml", f"password: {SECRET}\nuser: admin\n")
    out = elsewhere / "out"
    result = invoke("play", str(BASELINE), "--decisions", str(foreign), "--out", str(out), "--no-figures")
    assert result.exit_code == 1
    assert lines(result) == [
        f"{foreign}:1:1: this is not a decision file: none of its top-level keys is a decision-file key (expected "
        "a mapping with 'turns' (and description, turn_days, played))",
        "1 problem",
    ]
    assert SECRET not in result.output and "password" not in result.output and not out.exists()


@pytest.mark.parametrize(
    "command",
    [
        ["sources"],
        ["run", "-n", "1", "--out", "OUT"],
        ["compare", str(BASELINE), "--out", "OUT"],
        ["sweep", "--out", "OUT"],
        ["play", "--no-figures", "--out", "OUT"],
        ["play", str(BASELINE), "--no-figures", "--out", "OUT", "--decisions"],
        ["play", "--no-figures", "--resume"],
        ["replay", "--out", "OUT"],
        ["aar", "--out", "OUT"],
    ],
    ids=lambda command: " ".join(part for part in command if not part.startswith("/") and part != "OUT"),
)
def test_every_command_refuses_a_device(command, tmp_path):
    out = tmp_path / "out"
    result = invoke(*(str(out) if part == "OUT" else part for part in command), "/dev/zero")
    assert result.exit_code == 1, result.output
    assert lines(result) == [f"/dev/zero: {CHARACTER_DEVICE}", "1 problem"]
    assert not out.exists()  # nothing half-written


_FIFO_SCRIPT = """
import json, sys
from typer.testing import CliRunner
from sim.cli import app
results = []
for command in json.loads(sys.argv[1]):
    result = CliRunner().invoke(app, command, env={"COLUMNS": "1000"})
    results.append([result.exit_code, result.output])
print(json.dumps(results))
"""


def test_fifos_are_refused_without_blocking(tmp_path):
    """Opening a FIFO for reading blocks until a writer comes: every command must refuse it first."""
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    extends_fifo = write(tmp_path / "child.yaml", "extends: pipe.yaml\n")  # inside the folder, still a FIFO
    out = str(tmp_path / "out")
    commands = [
        ["validate", str(fifo)],
        ["validate", str(extends_fifo)],
        ["play", str(BASELINE), "--decisions", str(fifo), "--out", out],
        ["play", "--resume", str(fifo)],
        ["aar", str(fifo)],
    ]
    completed = subprocess.run(
        [sys.executable, "-c", _FIFO_SCRIPT, json.dumps(commands)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    results = json.loads(completed.stdout)
    refusal = f"{fifo}: is a named pipe (FIFO), not a regular file (expected the path of a .yaml file)"
    for command, (exit_code, output) in zip(commands, results, strict=True):
        assert exit_code == 1, (command, output)
        assert output.splitlines() == [refusal, "1 problem"], command
