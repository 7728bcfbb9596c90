"""The scenario commands end to end: ``sim validate``, ``sim schema``, ``sim sources``.

Most tests use typer's CliRunner (fast, in-process); a handful run ``python -m sim`` in a subprocess, as a user
would, to prove the entry point works and that bad input never ends in a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from sim.cli import app
from sim.scenario.schema import scenario_json_schema
from sim.scenario.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WIDE = {"COLUMNS": "1000"}  # Rich wraps table cells to the terminal width; keep each row on one line


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


def run_sim(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sim", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **WIDE},
    )


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "broken.yaml"
    path.write_text(
        f"extends: {BASELINE}\nhorizn_days: 30\nactors:\n  member_states:\n    PL:\n"
        "      inventory:\n        fire_units: {patriot: -2}\n",
        encoding="utf-8",
    )
    return path


BROKEN_LINES = [
    "broken.yaml:2:1: horizn_days: unknown key 'horizn_days' (expected one of: extends, name, description, "
    "start_date, horizon_days, seed, replications, cadence, sources, catalog, actors, industry, events, objectives, "
    "min_differences, hypotheses; "
    "did you mean 'horizon_days'?)",
    "broken.yaml:7:22: actors.member_states.PL.inventory.fire_units.patriot: value -2 is below 0: "
    "a number of fire units must be ≥ 0 "
    "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)",
]


# --- validate ---------------------------------------------------------------------------------------------


def test_validate_accepts_every_shipped_scenario() -> None:
    result = invoke("validate", *map(str, SCENARIOS))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines == [f"ok {path}: {path.stem}, 1218 days" for path in SCENARIOS]


def test_validate_prints_located_problems_and_exits_1(broken: Path) -> None:
    result = invoke("validate", str(broken))
    assert result.exit_code == 1
    assert sorted(result.stdout.splitlines()) == sorted(
        [f"{broken.parent}/{line}" for line in BROKEN_LINES] + ["2 problems"]
    )
    assert "Traceback" not in result.output


def test_validate_checks_every_file_even_after_a_bad_one(broken: Path) -> None:
    result = invoke("validate", str(broken), str(BASELINE))
    assert result.exit_code == 1
    assert f"ok {BASELINE}: baseline, 1218 days" in result.stdout.splitlines()
    assert result.stdout.splitlines()[-1] == "2 problems"


def test_validate_with_a_good_override() -> None:
    result = invoke("validate", str(BASELINE), "--set", "actors.member_states.DE.inventory.fire_units.patriot=7")
    assert result.exit_code == 0, result.output


def test_validate_notes_events_after_a_shortened_horizon() -> None:
    result = invoke("validate", str(BASELINE), "--set", "horizon_days=100")
    assert result.exit_code == 0, result.output
    late = [
        f"{event['name']} (day {event['day']})"
        for event in read_yaml_file(BASELINE).data["events"]
        if event["day"] >= 100
    ]
    assert late
    assert result.stdout.splitlines() == [
        f"ok {BASELINE}: baseline, 100 days",
        f"  note: {len(late)} event(s) fall after the horizon and will not happen: {', '.join(late)}",
    ]


def test_validate_with_a_bad_override_value() -> None:
    result = invoke("validate", str(BASELINE), "--set", "actors.member_states.DE.inventory.fire_units.patriot=-7")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "--set actors.member_states.DE.inventory.fire_units.patriot=-7: "
        "actors.member_states.DE.inventory.fire_units.patriot: value -7 is below 0: "
        "a number of fire units must be ≥ 0 "
        "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)",
        "1 problem",
    ]


def test_validate_with_a_malformed_override() -> None:
    result = invoke("validate", str(BASELINE), "--set", "horizon_days")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "--set horizon_days: an override must look like key.path=value (expected e.g. horizon_days=90)"
    )


def test_validate_a_missing_file_and_a_directory(tmp_path: Path) -> None:
    result = invoke("validate", str(tmp_path / "nowhere.yaml"), str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'nowhere.yaml'}: file not found (expected an existing file)",
        f"{tmp_path}: is a directory, not a file (expected the path of a .yaml file)",
        "2 problems",
    ]


# --- schema -----------------------------------------------------------------------------------------------


def test_schema_prints_the_json_schema() -> None:
    result = invoke("schema")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == scenario_json_schema()


def test_schema_out_writes_a_file(tmp_path: Path) -> None:
    target = tmp_path / "scenario.schema.json"
    result = invoke("schema", "--out", str(target))
    assert result.exit_code == 0
    assert result.stdout.strip() == f"wrote {target}"
    assert json.loads(target.read_text(encoding="utf-8")) == scenario_json_schema()


def test_schema_and_docs_out_that_cannot_be_written_say_why(tmp_path: Path) -> None:
    """QA: a folder, an unwritable path or a missing folder gave "unexpected error" (exit 70), and a missing
    parent was made silently. Each is now a one-line message naming --out, exit 2 (a usage error), nothing made."""
    a_file = tmp_path / "a_file"
    a_file.write_text("x", encoding="utf-8")
    cases = {
        str(tmp_path): f"--out {tmp_path} is a folder; give the name of a file to write, e.g. {tmp_path / 'out'}",
        str(tmp_path / "missing" / "x.json"): (
            f"--out {tmp_path / 'missing' / 'x.json'}: the folder {tmp_path / 'missing'} does not exist; "
            "make it first or choose another"
        ),
        str(a_file / "x.md"): f"--out {a_file / 'x.md'}: a part of the path is a file, not a folder",
    }
    for command in ("schema", "docs"):
        for target, message in cases.items():
            result = run_sim(command, "--out", target)
            assert (result.returncode, result.stdout, result.stderr) == (2, "", f"error: {message}\n"), target
    assert sorted(path.name for path in tmp_path.iterdir()) == ["a_file"]


def test_docs_out_where_writing_fails_says_why(tmp_path: Path) -> None:
    """A path the checks pass but the system refuses (/proc/sys accepts no new files, even for root)."""
    result = run_sim("docs", "--out", "/proc/sys/x.md")
    assert result.returncode == 2 and result.stderr.startswith("error: --out /proc/sys/x.md: "), result.stderr
    assert len(result.stderr.splitlines()) == 1 and "Traceback" not in result.stderr


# --- sources ----------------------------------------------------------------------------------------------


def _table_rows(output: str) -> dict[str, list[str]]:
    """Table body rows by parameter path, split into their cells."""
    rows = {}
    for line in output.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            assert cells[0], f"a table row wrapped onto a second line: {line!r}"
            rows[cells[0]] = cells
    return rows


def test_sources_lists_parameters_with_their_evidence() -> None:
    result = invoke("sources", str(BASELINE))
    assert result.exit_code == 0, result.output
    rows = _table_rows(result.stdout)
    shahed = rows["catalog.threats.shahed.unit_cost_eur"]
    assert shahed[1:4] == ["32000", "18000–92000", "EUR"]
    assert shahed[4].startswith("public figures #28: Shahed/Geran unit cost")
    assert shahed[5] == "$20–100k estimates at 0.92 EUR/USD; $35k central"
    # An article source keeps its file name in brackets (not eaten as Rich markup).
    ramp_up = rows["actors.ukraine.industry.ramp_up_days"]
    assert ramp_up[4] == (
        "Broader support among EU states to expand military mission in Ukraine, says EU foreign policy chief — "
        "Anadolu Agency, 2025-08-29 [articles/003_990bacac988589a9.txt]"
    )
    assert rows["catalog.threats.gerbera.damage_fraction"][4] == "none"
    total = len(rows)
    assert result.stdout.splitlines()[0] == f"Provenance of baseline ({total} parameters)"
    assert result.stdout.splitlines()[-1].endswith(
        f"of {total} parameters cite a source; the rest are assumptions (see their notes)."
    )


def test_sources_unsourced_lists_only_unsourced_parameters() -> None:
    everything = _table_rows(invoke("sources", str(BASELINE)).stdout)
    result = invoke("sources", str(BASELINE), "--unsourced")
    assert result.exit_code == 0
    unsourced = _table_rows(result.stdout)
    assert unsourced
    assert all(row[4] == "none" for row in unsourced.values())
    assert set(unsourced) == {path for path, row in everything.items() if row[4] == "none"}
    assert "catalog.threats.shahed.unit_cost_eur" not in unsourced
    assert "catalog.threats.shahed.damage_fraction" in unsourced


def test_sources_with_an_override_shows_the_override_note() -> None:
    result = invoke("sources", str(BASELINE), "--set", "catalog.threats.shahed.unit_cost_eur=500")
    assert result.exit_code == 0
    row = _table_rows(result.stdout)["catalog.threats.shahed.unit_cost_eur"]
    assert row[1:3] == ["500", ""]
    assert row[5] == "set by --set catalog.threats.shahed.unit_cost_eur=500, outside the sourced range 18000–92000"


def test_sources_of_a_missing_file_exits_1_with_a_message(tmp_path: Path) -> None:
    result = invoke("sources", str(tmp_path / "nowhere.yaml"))
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'nowhere.yaml'}: file not found (expected an existing file)",
        "1 problem",
    ]
    assert isinstance(result.exception, SystemExit)  # a clean exit, not an escaped exception


# --- subprocess: as a user runs it ------------------------------------------------------------------------


def test_python_m_sim_help() -> None:
    completed = run_sim("--help")
    assert completed.returncode == 0
    for command in ("validate", "schema", "sources"):
        assert command in completed.stdout


def test_subprocess_validate_good_and_broken_files_together(broken: Path) -> None:
    # Run from the broken file's folder so its problems are printed with the relative name given.
    shipped = [str(path) for path in SCENARIOS]
    completed = run_sim("validate", *shipped, "broken.yaml", cwd=broken.parent)
    assert completed.returncode == 1
    lines = completed.stdout.splitlines()
    assert lines[: len(shipped)] == [f"ok {path}: {Path(path).stem}, 1218 days" for path in shipped]
    assert sorted(lines[len(shipped) :]) == sorted([*BROKEN_LINES, "2 problems"])
    assert "Traceback" not in completed.stdout + completed.stderr


def test_subprocess_sources_lists_a_public_figures_row() -> None:
    completed = run_sim("sources", "scenarios/baseline.yaml")
    assert completed.returncode == 0
    assert "public figures #28" in completed.stdout
    assert "actors.adversary.raids.params.drones_per_night" in completed.stdout
