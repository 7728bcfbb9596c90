"""``sim run``, ``sim policies`` and ``sim metrics`` end to end on the shipped scenario files, plus the Python API
that mirrors the command line.

The baseline runs and the main kinds of bad input go through the installed ``sim`` command in a subprocess, as a
user runs it (tiny runs: two replications of 20 days, without the report, which has tests of its own); the
variants and the documentation commands use typer's in-process runner, which goes through the same command code
without paying for a new interpreter each time.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner, Result

from sim import api
from sim.cli import app
from sim.experiment.replications import metric_columns
from sim.experiment.seeds import replication_seeds
from sim.model.metrics import FAMILIES, METRICS
from sim.model.policies.registry import SLOTS
from sim.model.run import run_replication
from sim.scenario.loader import scenario_hash

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
VARIANTS = sorted(path for path in (ROOT / "scenarios").glob("*.yaml") if path != BASELINE)
RUN_FILES = {
    "manifest.json",
    "scenario.yaml",
    "replications.csv",
    "timeseries.parquet",
    "summary.csv",
    "objectives.csv",
}
SCRIPT = Path(sys.executable).with_name("sim")
SIM = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "sim"]  # the installed console script
TINY = ["-n", "2", "--set", "horizon_days=20", "--no-report"]
WIDE = {"COLUMNS": "1000"}  # Rich wraps table cells to the terminal width


def run_sim(*args: str | Path, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SIM, *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **WIDE},
    )


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], env=WIDE)


def run_folder(completed: subprocess.CompletedProcess[str] | Result) -> Path:
    """The run folder a successful ``sim run`` reports."""
    lines = [line for line in completed.stdout.splitlines() if line.startswith("results: ")]
    assert len(lines) == 1, completed.stdout
    return Path(lines[0].removeprefix("results: "))


def digest(folder: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in folder.iterdir() if path.is_file()}


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    """The baseline run twice into one results folder: with one worker, then with two."""
    out = tmp_path_factory.mktemp("results")
    first = run_sim("run", BASELINE, *TINY, "--out", out, "--workers", "1")
    assert first.returncode == 0, first.stderr
    first_dir = run_folder(first)
    first_digest = digest(first_dir)
    second = run_sim("run", BASELINE, *TINY, "--out", out, "--workers", "2")
    assert second.returncode == 0, second.stderr
    return first_dir, run_folder(second), first_digest


def test_run_folder_holds_what_reproduces_the_run(two_runs: tuple[Path, Path, dict[str, str]]) -> None:
    run_dir, _, _ = two_runs
    assert {path.name for path in run_dir.iterdir()} >= RUN_FILES
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["status"] == "complete"
    assert manifest["replications"] == 2
    assert manifest["seeds"] == replication_seeds(manifest["base_seed"], 2)
    assert manifest["base_seed"] == 20250901  # the scenario's seed
    assert manifest["scenario"]["overrides"] == ["horizon_days=20"]
    assert manifest["command"].startswith("sim run ") and "horizon_days=20" in manifest["command"]
    assert {"python", "numpy", "mesa", "eu-airdefence-sim"} <= set(manifest["versions"])
    resolved = api.load_scenario(run_dir / "scenario.yaml")
    assert resolved.horizon_days == 20
    assert scenario_hash(resolved) == manifest["scenario"]["hash"]
    assert scenario_hash(resolved) == scenario_hash(api.load_scenario(BASELINE, overrides=["horizon_days=20"]))


def test_run_tables(two_runs: tuple[Path, Path, dict[str, str]]) -> None:
    run_dir, _, _ = two_runs
    replications = pd.read_csv(run_dir / "replications.csv")
    assert replications["replication"].tolist() == [0, 1]
    assert (replications["status"] == "ok").all()
    assert {metric.name for metric in METRICS} <= set(replications.columns)
    timeseries = pd.read_parquet(run_dir / "timeseries.parquet")
    assert len(timeseries) == 2 * 20
    for _, days in timeseries.groupby("replication"):
        assert days["day"].tolist() == list(range(20))
    assert timeseries["ukraine_launched"].sum() > 0
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    assert summary.loc["ukraine_drone_intercept_rate", "n"] == 2
    assert summary.loc["ukraine_leakers", "mean"] == pytest.approx(replications["ukraine_leakers"].mean())
    objectives = pd.read_csv(run_dir / "objectives.csv")
    assert objectives["name"].tolist() == [
        "ukraine_drone_defence",
        "nato_airspace",
        "airports_open",
        "patriot_magazines",
    ]


def test_a_second_run_never_overwrites_the_first(two_runs: tuple[Path, Path, dict[str, str]]) -> None:
    first_dir, second_dir, first_digest = two_runs
    assert first_dir != second_dir and first_dir.parent == second_dir.parent
    assert digest(first_dir) == first_digest


def test_results_do_not_depend_on_the_number_of_workers(two_runs: tuple[Path, Path, dict[str, str]]) -> None:
    first_dir, second_dir, _ = two_runs
    for folder, workers in ((first_dir, 1), (second_dir, 2)):
        assert json.loads((folder / "manifest.json").read_text(encoding="utf-8"))["executor"]["workers"] == workers
    one = pd.read_csv(first_dir / "replications.csv")
    two = pd.read_csv(second_dir / "replications.csv")
    columns = metric_columns(one)
    assert columns == metric_columns(two) and len(columns) > 40
    pd.testing.assert_frame_equal(one[["seed", *columns]], two[["seed", *columns]], check_exact=True)
    series_one = pd.read_parquet(first_dir / "timeseries.parquet").drop(columns="key")
    series_two = pd.read_parquet(second_dir / "timeseries.parquet").drop(columns="key")
    pd.testing.assert_frame_equal(series_one, series_two, check_exact=True)


@pytest.mark.parametrize("path", VARIANTS, ids=[path.stem for path in VARIANTS])
def test_each_variant_runs_end_to_end(path: Path, tmp_path: Path) -> None:
    result = invoke("run", path, "-n", "1", "--set", "horizon_days=10", "--out", tmp_path, "-w", "1", "--no-report")
    assert result.exit_code == 0, result.output
    assert (run_folder(result) / "replications.csv").is_file()
    assert f"{path.stem}: 1 replications" in result.stdout  # the summary table's title names the scenario


# --------------------------------------------------------------------------------------------------
# Bad input: a message that says what is wrong, a non-zero exit, never a traceback
# --------------------------------------------------------------------------------------------------


def test_missing_scenario_file(tmp_path: Path) -> None:
    completed = run_sim("run", "no_such_scenario.yaml", "--out", tmp_path)
    assert completed.returncode == 1
    assert "no_such_scenario.yaml" in completed.stderr and "not found" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert not list(tmp_path.iterdir())  # no run folder


def test_unknown_set_key_is_located_with_a_suggestion(tmp_path: Path) -> None:
    completed = run_sim("run", BASELINE, "--set", "horizon_dayz=20", "--out", tmp_path)
    assert completed.returncode == 1
    assert "--set horizon_dayz=20" in completed.stderr
    assert "unknown key 'horizon_dayz'" in completed.stderr and "did you mean 'horizon_days'" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("horizon_days=abc", "valid integer"),
        ("horizon_days=0", "greater than or equal to 1"),
        (
            "actors.member_states.PL.inventory.fire_units.patriot=-2",
            "value -2 is below 0: a number of fire units must be ≥ 0",
        ),
        ("horizon_days", "an override must look like key.path=value"),
    ],
)
def test_bad_set_values_are_located(tmp_path: Path, setting: str, expected: str) -> None:
    result = invoke("run", BASELINE, "--set", setting, "--out", tmp_path)
    assert result.exit_code == 1, result.output
    assert setting in result.output and expected in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not list(tmp_path.iterdir())


def test_zero_replications_is_refused(tmp_path: Path) -> None:
    completed = run_sim("run", BASELINE, "--replications", "0", "--out", tmp_path)
    assert completed.returncode != 0
    assert "--replications" in completed.stderr and "greater than or equal to 1" in completed.stderr
    assert "Traceback" not in completed.stderr + completed.stdout
    assert not list(tmp_path.iterdir())


def test_negative_replications_are_refused(tmp_path: Path) -> None:
    result = invoke("run", BASELINE, "-n", "-3", "--out", tmp_path)
    assert result.exit_code == 2
    assert "greater than or equal to 1" in result.output
    assert not list(tmp_path.iterdir())


# --------------------------------------------------------------------------------------------------
# Documentation commands
# --------------------------------------------------------------------------------------------------


def test_sim_policies_lists_every_registered_policy() -> None:
    completed = invoke("policies")
    assert completed.exit_code == 0, completed.output
    for slot in SLOTS:
        assert slot.key in completed.stdout
        for name in slot.implementations:
            assert name in completed.stdout, name
    assert "magazine_reloads (default 2)" in completed.stdout


def test_sim_metrics_lists_every_metric() -> None:
    completed = invoke("metrics")
    assert completed.exit_code == 0, completed.output
    for metric in METRICS:
        assert metric.name in completed.stdout, metric.name
    for family in FAMILIES:
        assert f"{family.name}.<key>" in completed.stdout, family.name


# --------------------------------------------------------------------------------------------------
# The Python API mirrors the command line
# --------------------------------------------------------------------------------------------------


def test_api_run_returns_dataframes(tmp_path: Path) -> None:
    scenario = api.load_scenario(BASELINE, overrides=["horizon_days=15"])
    results = api.run(scenario, replications=3, seed=7, workers=1, results_root=tmp_path)
    assert results.seeds == replication_seeds(7, 3)
    assert results.run_dir.parent == tmp_path
    assert isinstance(results.metrics, pd.DataFrame) and len(results.metrics) == 3
    assert isinstance(results.summary, pd.DataFrame) and "ukraine_leakers" in results.summary.index
    assert isinstance(results.objectives, pd.DataFrame) and len(results.objectives) == 4
    series = results.timeseries(["ukraine_launched"])
    assert isinstance(series, pd.DataFrame) and len(series) == 3 * 15
    # Each row is the pure function (scenario, seed) → results.
    for row, seed in zip(results.metrics.itertuples(), results.seeds, strict=True):
        direct = run_replication(scenario, seed)
        assert row.seed == seed
        assert row.ukraine_leakers == direct["metrics"]["ukraine_leakers"]
        launched = series[series["replication"] == row.replication]["ukraine_launched"].to_numpy()
        assert np.array_equal(launched, direct["timeseries"]["ukraine_launched"])


def test_on_an_80_column_terminal_every_metric_name_is_shown_whole(two_runs: tuple[Path, Path, dict[str, str]]) -> None:
    """QA: two summary rows both read 'capability_target_fulfilmen…'. Long names wrap in their cell instead: each
    name reads whole from the table's first column, its lines joined, and nothing is cut."""
    from rich.console import Console

    from sim.report.console import summary_table

    run_dir, _, _ = two_runs
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(summary_table(summary, "baseline", all_metrics=True))
    lines = console.export_text().splitlines()
    assert max(len(line) for line in lines) <= 80
    first_column = "".join(line.split("│")[1].strip() for line in lines if line.startswith("│"))
    assert "…" not in first_column
    longest = max(summary.index, key=len)
    assert len(longest) > 30 and all(name in first_column for name in summary.index)
