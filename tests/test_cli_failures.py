"""Failures are loud and never a traceback: every bad input tried against the real ``sim`` command line.

Each case runs the CLI (typer's in-process runner, or the installed command in a subprocess where standard input
or a real process matters) on the shipped baseline, shortened to a few days, and checks the exact message and the
exit code: damaged or hand-edited run folders on ``--resume``, ``--out`` that cannot be a folder, NUL bytes, a disk
that fills up mid-run (then a resume that finishes the run with the same numbers), failed replications, absurd
sizes, ``sim play`` without standard input, ``sim replay`` on a log edited by hand, and anything unexpected (the
top-level guard: one line, a traceback file, ``--debug``).
"""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner, Result

import sim.experiment.replications as replications_module
from sim import api
from sim.cli import app
from sim.commands import safety
from sim.experiment import limits
from sim.experiment.limits import MAX_REPLICATIONS, RunTooLarge
from sim.experiment.seeds import replication_seeds
from sim.experiment.store import ResultStore
from sim.model.run import run_replication

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLE_DECISIONS = ROOT / "scenarios" / "decisions" / "example_decisions.yaml"
SHORT = ["--set", "horizon_days=10"]
RESUMED = [*SHORT, "--no-report", "--workers", "1"]
"""The options of a resumed TINY run (the folder fixes -n and --seed)."""
TINY = ["-n", "2", *RESUMED]
WIDE = {"COLUMNS": "1000"}
SCRIPT = Path(sys.executable).with_name("sim")
SIM = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-m", "sim"]
FAILING_SEED = replication_seeds(20250901, 3)[1]
"""The seed of the baseline's second replication: the one :func:`failing_replication` fails."""


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], env=WIDE)


def stderr_line(result: Result) -> str:
    """All of standard error on one line (rich may wrap long messages)."""
    return " ".join(result.stderr.split())


def run_folder(result: Result) -> Path:
    lines = [line for line in result.stdout.splitlines() if line.startswith("results: ")]
    assert len(lines) == 1, result.stdout + result.stderr
    return Path(lines[0].removeprefix("results: "))


def failing_replication(scenario: Any, seed: int) -> dict[str, Any]:
    """The model's replication, except that the replication with :data:`FAILING_SEED` raises."""
    if seed == FAILING_SEED:
        raise ValueError(f"test failure for seed {seed}")
    return run_replication(scenario, seed)


@pytest.fixture(autouse=True)
def traceback_files_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Traceback files of the guard go to the test's folder, not the machine's temporary folder."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    monkeypatch.delenv(safety.DEBUG_ENVIRONMENT_VARIABLE, raising=False)
    safety.set_debug(False)
    return folder


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A finished two-replication baseline run (10 days) to copy and damage."""
    result = invoke("run", BASELINE, *TINY, "--out", tmp_path_factory.mktemp("results"))
    assert result.exit_code == 0, result.stderr
    return run_folder(result)


def copy_run(finished_run: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(finished_run, copy)
    return copy


# --------------------------------------------------------------------------------------------------------------
# The top-level guard
# --------------------------------------------------------------------------------------------------------------


def test_an_unexpected_error_is_one_line_and_a_traceback_file(
    monkeypatch: pytest.MonkeyPatch, traceback_files_in: Path
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("something nobody expected\nsecond line")

    monkeypatch.setattr(api, "load_scenario", broken)
    result = invoke("run", BASELINE, *TINY)
    assert result.exit_code == safety.EXIT_SOFTWARE == 70
    logs = list(traceback_files_in.glob("sim-error-*.log"))
    assert len(logs) == 1
    assert result.stderr == (
        f"error: RuntimeError: something nobody expected second line (details: {logs[0]}; "
        "run with --debug to see the traceback)\n"
    )
    text = logs[0].read_text(encoding="utf-8")
    assert "Traceback (most recent call last)" in text and "def broken" not in text and "in broken" in text
    assert "Traceback" not in result.output


def test_debug_shows_the_traceback(monkeypatch: pytest.MonkeyPatch, traceback_files_in: Path) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "load_scenario", broken)
    result = invoke("--debug", "run", BASELINE, *TINY)
    assert isinstance(result.exception, RuntimeError) and str(result.exception) == "boom"
    assert not list(traceback_files_in.glob("sim-error-*.log"))


def test_ctrl_c_outside_a_run_exits_130(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(api, "load_scenario", interrupted)
    result = invoke("run", BASELINE, *TINY)
    assert (result.exit_code, result.stderr) == (130, "interrupted\n")


BROKEN_MAIN = (
    "import sys, sim.api; sim.api.load_scenario = lambda *a, **k: 1 / 0; "
    "sys.argv = ['sim', *sys.argv[1:]]; from sim.cli import main; main()"
)
"""``sim`` in a fresh interpreter whose scenario loading fails in a way no command expects."""


def test_main_in_a_real_process_prints_one_line_or_with_debug_the_traceback(tmp_path: Path) -> None:
    env = {**os.environ, **WIDE, "TMPDIR": str(tmp_path)}
    args = ["run", str(BASELINE), *TINY]
    plain = subprocess.run([sys.executable, "-c", BROKEN_MAIN, *args], capture_output=True, text=True, env=env)
    (log,) = tmp_path.glob("sim-error-*.log")
    assert plain.returncode == 70
    assert plain.stderr == (
        f"error: ZeroDivisionError: division by zero (details: {log}; run with --debug to see the traceback)\n"
    )
    assert log.read_text(encoding="utf-8").startswith(f"sim {' '.join(args)}\n\nTraceback (most recent call last)")
    debug = subprocess.run(
        [sys.executable, "-c", BROKEN_MAIN, "--debug", *args], capture_output=True, text=True, env=env
    )
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback (most recent call last)")
    assert debug.stderr.rstrip().endswith("ZeroDivisionError: division by zero")


# --------------------------------------------------------------------------------------------------------------
# --resume on damaged, foreign or hand-edited run folders
# --------------------------------------------------------------------------------------------------------------


def manifest_of(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))


def write_manifest_text(run_dir: Path, text: str) -> Path:
    path = run_dir / "manifest.json"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda m: "{not json", "{path}:1:2: not valid JSON (Expecting property name enclosed in double quotes)"),
        (lambda m: "[1, 2]", "{path}: expected a JSON object, found a list"),
        (lambda m: json.dumps({**m, "seeds": ["a", 2]}), "{path}: seeds.0: Input should be a valid integer"),
        (lambda m: json.dumps({k: v for k, v in m.items() if k != "seeds"}), "{path}: seeds: missing"),
        (
            lambda m: json.dumps({**m, "seeds": m["seeds"][:1]}),
            "{path}: lists 1 seeds for 2 replications (damaged or edited by hand?)",
        ),
        (lambda m: json.dumps({**m, "scenario": {"hash": 5}}), "{path}: scenario.hash: Input should be a valid string"),
        (
            lambda m: json.dumps({**m, "kind": "game"}),
            "{path}: kind: expected one of run, compare, sweep, found 'game'",
        ),
        (lambda m: json.dumps({**m, "base_seed": -1}), "{path}: base_seed: Input should be greater than or equal to 0"),
    ],
    ids=["not-json", "a-list", "seed-not-int", "no-seeds", "seed-count", "hash-not-str", "unknown-kind", "neg-seed"],
)
def test_a_damaged_or_hand_edited_manifest_is_named(
    finished_run: Path, tmp_path: Path, edit: Any, expected: str
) -> None:
    run_dir = copy_run(finished_run, tmp_path)
    path = write_manifest_text(run_dir, edit(manifest_of(run_dir)))
    result = invoke("run", BASELINE, *TINY, "--resume", run_dir)
    assert result.exit_code == 2, result.output
    assert stderr_line(result).startswith("error: " + expected.format(path=path)), result.stderr
    assert "Traceback" not in result.output


def test_resume_of_a_folder_without_manifest_or_of_another_scenario(finished_run: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = invoke("run", BASELINE, *TINY, "--resume", empty)
    assert (result.exit_code, stderr_line(result)) == (2, f"error: {empty} is not a run folder (no manifest.json)")
    run_dir = copy_run(finished_run, tmp_path)
    write_manifest_text(run_dir, json.dumps({**manifest_of(run_dir), "scenario": {"hash": "0" * 64}}))
    result = invoke("run", BASELINE, *TINY, "--resume", run_dir)
    assert result.exit_code == 2
    assert stderr_line(result) == (
        f"error: {run_dir} was run from a different scenario (its hash differs); resume with the same file and --set"
    )
    result = invoke("compare", BASELINE, *TINY, "--resume", finished_run)
    assert stderr_line(result) == f"error: {finished_run} holds a 'run' run, not a 'compare'; resume it with `sim run`"


@pytest.mark.parametrize("command", ["run", "compare"])
def test_resume_refuses_the_options_the_folder_fixes(finished_run: Path, tmp_path: Path, command: str) -> None:
    """QA: `--resume DIR -n 10` ran nothing more and reported the folder's replications without a word. Run,
    compare and sweep refuse, naming the options, with one message."""
    run_dir = finished_run
    if command == "compare":
        started = invoke("compare", BASELINE, *TINY, "--out", tmp_path)
        assert started.exit_code == 0, started.output
        run_dir = run_folder(started)
    before = manifest_of(run_dir)
    result = invoke(command, BASELINE, *RESUMED, "-n", "10", "--resume", run_dir)
    what = "comparison" if command == "compare" else "run"
    assert (result.exit_code, stderr_line(result)) == (
        2,
        f"error: --resume continues the {what} as it was started; drop --replications (they are in its manifest)",
    )
    result = invoke(command, BASELINE, *RESUMED, "-n", "2", "--seed", "7", "--resume", run_dir)
    assert stderr_line(result) == (
        f"error: --resume continues the {what} as it was started; drop --replications, --seed "
        "(they are in its manifest)"
    )
    assert manifest_of(run_dir) == before


def test_a_report_of_a_hand_edited_manifest_names_the_field(finished_run: Path, tmp_path: Path) -> None:
    run_dir = copy_run(finished_run, tmp_path)
    path = write_manifest_text(run_dir, json.dumps({**manifest_of(run_dir), "seeds": "all of them"}))
    result = invoke("report", run_dir)
    assert result.exit_code == 2
    assert f"error: report not written: {path}: seeds: Input should be a valid list" in stderr_line(result)


@pytest.mark.parametrize("damage", ["truncated", "foreign"])
def test_damaged_or_foreign_chunks_are_set_aside_and_recomputed(
    finished_run: Path, tmp_path: Path, damage: str
) -> None:
    run_dir = copy_run(finished_run, tmp_path)
    chunks = sorted((run_dir / "chunks").glob("chunk-*.parquet"))
    assert len(chunks) == 2  # one replication per chunk with one worker
    victim = chunks[1]
    if damage == "truncated":
        victim.write_bytes(victim.read_bytes()[:100])
        problem = "cannot be read (ArrowInvalid"
    else:  # the same replication key from a run with another seed
        other = invoke("run", BASELINE, *TINY, "--seed", "7", "--out", tmp_path / "other")
        foreign = sorted((run_folder(other) / "chunks").glob("chunk-*.parquet"))[1]
        shutil.copyfile(foreign, victim)
        problem = "holds replication 'p0000-r0001' with seed"
    result = invoke("run", BASELINE, *RESUMED, "--resume", run_dir)
    assert result.exit_code == 0, result.output
    note = stderr_line(result)
    assert note.startswith(f"note: chunk file {victim.name} {problem}"), note
    assert note.endswith(f"moved to {run_dir / 'chunks' / 'set-aside' / victim.name}, its replications run again")
    assert (run_dir / "chunks" / "set-aside" / victim.name).is_file()
    again, original = (pd.read_csv(folder / "replications.csv") for folder in (run_dir, finished_run))
    pd.testing.assert_frame_equal(again.drop(columns="elapsed_s"), original.drop(columns="elapsed_s"))


# --------------------------------------------------------------------------------------------------------------
# --out that cannot be a folder; NUL bytes
# --------------------------------------------------------------------------------------------------------------


def test_out_that_cannot_be_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("x", encoding="utf-8")
    too_long = tmp_path / ("x" * 300)
    cases = {
        a_file: f"error: --out {a_file} is a file, not a folder; give a folder in which the results can be written",
        Path("/dev/null"): "error: --out /dev/null is a device, not a folder; give a folder in which the results can "
        "be written",
        a_file / "sub": f"error: --out {a_file / 'sub'}: a part of the path is a file, not a folder",
        too_long: f"error: --out {too_long}: the path is longer than the file system allows",
    }
    for out, expected in cases.items():
        result = invoke("run", BASELINE, *TINY, "--out", out)
        assert (result.exit_code, stderr_line(result)) == (2, expected), out
    # An unwritable folder (tests run as root, who may write anywhere: the permission check is simulated).
    locked = tmp_path / "locked"
    locked.mkdir()
    monkeypatch.setattr(os, "access", lambda path, mode: Path(path) != locked)
    result = invoke("compare", BASELINE, *TINY, "--out", locked / "new")
    assert stderr_line(result) == f"error: --out {locked / 'new'}: {locked} cannot be written (permission denied)"
    assert not (locked / "new").exists()


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["run", "scen\0.yaml"], "SCENARIO"),
        (["run", BASELINE, "--out", "res\0ults"], "--out"),
        (["run", BASELINE, "--resume", "r\0"], "--resume"),
        (["compare", BASELINE, "b\0.yaml"], "SCENARIO..."),
        (["sweep", BASELINE, "--out", "x\0"], "--out"),
        (["play", "--resume", "game\0.yaml"], "--resume"),
        (["replay", "game\0.yaml"], "LOG"),
        (["aar", "game\0.yaml"], "LOG"),
        (["validate", "a.yaml", "b\0.yaml"], "files"),
        (["report", "run\0"], "RUN_DIR"),
    ],
)
def test_nul_bytes_in_any_path_are_refused(args: list[Any], option: str) -> None:
    """Click's path type refuses them as a usage error that names the option (no command code runs)."""
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert f"Invalid value for '{option}': Value error, embedded null byte" in stderr_line(result)
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------------------------------------------
# A full disk mid-run
# --------------------------------------------------------------------------------------------------------------


def test_a_full_disk_mid_run_stops_cleanly_and_the_run_resumes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = ResultStore.write_chunk
    written: list[int] = []

    def fills_up(self: ResultStore, records: Any) -> Path:
        if written:  # the second chunk finds the disk full
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(self.chunks_dir / "chunk-x.parquet"))
        written.append(len(records))
        return real_write(self, records)

    monkeypatch.setattr(ResultStore, "write_chunk", fills_up)
    out = tmp_path / "results"
    result = invoke("run", BASELINE, "-n", "3", *SHORT, "--no-report", "--workers", "1", "--out", out)
    assert result.exit_code == 2, result.output
    (run_dir,) = out.iterdir()
    message = stderr_line(result)
    assert message == (
        f"error: cannot write the results: {run_dir / 'chunks' / 'chunk-x.parquet'}: the disk is full. What "
        f"finished before is saved in {run_dir}; fix that, then resume with: sim run {BASELINE} --set "
        f"horizon_days=10 --resume {run_dir} --workers 1"
    )
    assert len(list((run_dir / "chunks").glob("*"))) == 1  # the chunk written; no temporary file left behind
    monkeypatch.setattr(ResultStore, "write_chunk", real_write)
    resumed = invoke("run", BASELINE, *SHORT, "--no-report", "--workers", "1", "--resume", run_dir)
    assert resumed.exit_code == 0, resumed.output
    fresh = invoke("run", BASELINE, "-n", "3", *SHORT, "--no-report", "--workers", "1", "--out", tmp_path / "fresh")
    again, original = (pd.read_csv(folder / "replications.csv") for folder in (run_dir, run_folder(fresh)))
    assert again["status"].tolist() == ["ok"] * 3
    pd.testing.assert_frame_equal(again.drop(columns="elapsed_s"), original.drop(columns="elapsed_s"))


# --------------------------------------------------------------------------------------------------------------
# Failed replications
# --------------------------------------------------------------------------------------------------------------


def test_failed_replications_make_run_exit_non_zero_with_the_count_and_the_first_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replications_module, "run_replication", failing_replication)
    for report in ([], ["--no-report"]):
        result = invoke("run", BASELINE, "-n", "3", *SHORT, "--workers", "1", "--out", tmp_path / "r", *report)
        assert result.exit_code == 1, result.output
        run_dir = run_folder(result)
        assert stderr_line(result).endswith(
            f"1 of 3 replications failed; errors in {run_dir / 'replications.csv'} (columns status, error, seed). "
            f"First error: ValueError: test failure for seed {FAILING_SEED}"
        )
        assert (run_dir / "report.html").is_file() != bool(report)  # the report is still written
        table = pd.read_csv(run_dir / "replications.csv")
        assert table["status"].tolist() == ["ok", "failed", "ok"]


def test_failed_replications_make_compare_and_sweep_exit_non_zero(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(replications_module, "run_replication", failing_replication)
    result = invoke("compare", BASELINE, BASELINE, "-n", "3", *SHORT, "--no-report", "-w", "1", "--out", tmp_path)
    assert result.exit_code == 1, result.output
    run_dir = run_folder(result)
    assert f"2 of 6 replications failed; errors in {run_dir / 'replications.csv'}" in stderr_line(result)
    result = invoke(
        "sweep",
        BASELINE,
        "--vary",
        "actors.member_states.PL.detection_probability=0.2:0.8",
        "--samples",
        "3",
        "--method",
        "grid",
        "-n",
        "3",
        *SHORT,
        "--no-report",
        "-w",
        "1",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 1, result.output
    run_dir = run_folder(result)
    assert f"3 of 9 replications failed; errors in {run_dir / 'replications.csv'}" in stderr_line(result)
    assert f"First error: ValueError: test failure for seed {FAILING_SEED}" in stderr_line(result)


# --------------------------------------------------------------------------------------------------------------
# Absurd sizes
# --------------------------------------------------------------------------------------------------------------


def test_absurd_replication_counts_are_refused_before_any_work(tmp_path: Path) -> None:
    tmp_path = tmp_path / "results"
    tmp_path.mkdir()
    result = invoke("run", BASELINE, "-n", "1000000000", "--out", tmp_path)
    assert result.exit_code == 2
    assert stderr_line(result) == (
        f"error: -n/--replications 1,000,000,000 is more than the {MAX_REPLICATIONS:,} replications one scenario "
        f"may have (more would only cost time: {MAX_REPLICATIONS:,} already pin a probability to within ±0.8 points)"
    )
    assert not any(tmp_path.iterdir())  # no run folder made
    with pytest.raises(RunTooLarge, match="1,000,000,000 is more than"):
        api.run(api.load_scenario(BASELINE), replications=1_000_000_000)
    result = invoke("sweep", BASELINE, "--method", "grid", "--samples", "1000", "-n", "10", "--out", tmp_path)
    assert result.exit_code == 2
    assert stderr_line(result).startswith("error: a sweep of ~10^")
    assert stderr_line(result).endswith(
        "replications is more than the 10,000,000 one command may run; use fewer points or replications"
    )


def test_a_sweep_larger_than_memory_is_refused_with_the_figure(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "available_memory_bytes", lambda: 24 * limits.GIB)
    tmp_path = tmp_path / "results"
    tmp_path.mkdir()
    result = invoke(
        "sweep",
        BASELINE,
        "--vary",
        "actors.member_states.PL.detection_probability=0.2:0.8",
        "--samples",
        "200000",
        "-n",
        "10",
        "--out",
        tmp_path,
    )
    assert result.exit_code == 2
    scenario = api.load_scenario(BASELINE)
    needed = limits.estimated_memory_bytes(200_000, 10, scenario, 365, timeseries_loaded=False)
    assert needed > 24 * limits.GIB
    assert stderr_line(result) == (
        f"error: a sweep of 200,000 points × 10 replications would need ~{needed / limits.GIB:,.1f} GiB of memory; "
        "this machine has 24.0 GiB available; use fewer points or replications"
    )
    assert not any(tmp_path.iterdir())


def test_the_memory_estimate_adds_scenarios_metrics_and_series() -> None:
    scenario = {"a": 1}
    pickled = len(__import__("pickle").dumps(scenario, protocol=5))
    assert limits.estimated_memory_bytes(3, 10, scenario, 100, timeseries_loaded=True) == (
        3 * pickled * 8 + 30 * (150 + 7) * 8 * 2 + 30 * 100 * (40 + 4) * 8 * 2
    )


def test_a_report_that_would_not_fit_in_memory_is_refused_before_the_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "available_memory_bytes", lambda: limits.GIB)
    result = invoke("run", BASELINE, "-n", "10000", "--out", tmp_path)
    assert result.exit_code == 2
    assert stderr_line(result).startswith("error: a run of 10,000 replications would need ~")
    assert stderr_line(result).endswith(
        "this machine has 1.0 GiB available; use fewer replications, or --no-report (the report loads every daily "
        "series)"
    )


# --------------------------------------------------------------------------------------------------------------
# Tabletop: play without standard input, replay of a hand-edited log
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("stdin", ["devnull", "closed"])
def test_play_without_standard_input_saves_the_game(tmp_path: Path, stdin: str) -> None:
    completed = subprocess.run(
        [*SIM, "play", BASELINE, "--set", "horizon_days=14", "--no-figures", "--out", tmp_path / "games"],
        stdin=subprocess.DEVNULL if stdin == "devnull" else None,
        preexec_fn=(lambda: os.close(0)) if stdin == "closed" else None,  # no threads in this test
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **WIDE},
    )
    assert completed.returncode == 0, completed.stderr
    (game_dir,) = (tmp_path / "games").iterdir()
    log = game_dir / "game.yaml"
    assert "end of input: the game is saved" in completed.stdout
    assert completed.stderr.strip() == f"game saved. Continue with: sim play --resume {log}"
    assert yaml.safe_load(log.read_text(encoding="utf-8"))["status"] == "stopped"


@pytest.fixture(scope="module")
def finished_game(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A game of four weekly turns played from the example decision file."""
    from sim.tabletop.decisions import load_decision_file
    from sim.tabletop.session import start_session

    scenario = api.load_scenario(BASELINE, overrides=["horizon_days=28"])
    session = start_session(
        scenario,
        seed=20250901,
        turn_days=7,
        results_root=tmp_path_factory.mktemp("game"),
        console=Console(file=io.StringIO()),
        read_line=None,
        decisions=load_decision_file(EXAMPLE_DECISIONS, scenario),
        figures=False,
        source_file=str(BASELINE),
        overrides=["horizon_days=28"],
    )
    assert session.run().status == "finished"
    return session.log.path


def test_replay_of_a_log_with_a_decision_by_an_actor_not_played(finished_game: Path, tmp_path: Path) -> None:
    log = yaml.safe_load(finished_game.read_text(encoding="utf-8"))
    entries = log["turns"][0]["entries"]
    position = next(i for i, entry in enumerate(entries) if entry.get("decision", {}).get("actor") == "DE")
    entries[position]["decision"]["actor"] = "FR"
    edited = tmp_path / "game.yaml"
    edited.write_text(yaml.safe_dump(log, sort_keys=False, allow_unicode=True), encoding="utf-8")
    shutil.copyfile(finished_game.parent / "scenario.yaml", tmp_path / "scenario.yaml")
    result = invoke("replay", edited, "-n", "2", "-w", "1")
    assert result.exit_code == 2, result.output
    assert stderr_line(result) == (
        f"error: {edited}: turns[0].entries[{position}]: a decision by FR, who is not played at decision point 0 "
        "(played: DE, DK, EU, NATO, PL); add FR to turns[0].played or remove the decision"
    )


# --------------------------------------------------------------------------------------------------------------
# Markup: scenario and player text is shown as written
# --------------------------------------------------------------------------------------------------------------


def test_markup_in_a_scenario_name_is_refused_and_quoted_as_written() -> None:
    result = invoke("run", BASELINE, *TINY, "--set", "name=x[/]")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        "--set name=x[/]: name: a name must not hold '/' or '[' or ']' (path separators and markup brackets)"
    )


def test_markup_in_scenario_free_text_is_printed_as_written(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")
    note = "catalog.threats.shahed.unit_cost_eur.note='[bold]y[/] <b>z</b>'"
    result = invoke("sources", BASELINE, "--set", note)
    assert result.exit_code == 0, result.output
    (row,) = [line for line in result.stdout.splitlines() if "shahed.unit_cost_eur" in line]
    assert "[bold]y[/] <b>z</b>" in row


def test_rich_markup_in_names_is_printed_as_written() -> None:
    from sim.report.console import objectives_table

    frame = pd.DataFrame(
        [
            {
                "name": "x[/]",
                "metric": "[bold]m",
                "direction": ">=",
                "threshold": 0.5,
                "probability": 0.25,
                "low": 0.1,
                "high": 0.5,
            }
        ]
    )
    console = Console(file=io.StringIO(), width=200, color_system=None)
    console.print(objectives_table(frame))
    text = console.file.getvalue()
    assert "x[/]" in text and "[bold]m" in text


def test_markdown_outputs_escape_html_from_scenarios_and_notes(tmp_path: Path) -> None:
    from sim.report.document import Bullets, Document, Paragraph, Section, render_markdown
    from sim.tabletop.aar import AfterActionReport, to_markdown

    script = "<script>alert(1)</script> & <b>x</b>"
    document = Document(title="t", subtitle="s", sections=(Section("a", "A", (Paragraph(script),)),))
    markdown = render_markdown(document, tmp_path)
    assert "<script>" not in markdown and "<b>" not in markdown
    assert r"\<script\>alert(1)\</script\> & \<b\>x\</b\>" in markdown
    aar_document = Document(
        title="AAR <i>",
        subtitle="",
        sections=(Section("h1", "<h1>", (Paragraph(f"**Note**: {script}"), Bullets((script,)))),),
    )
    report = AfterActionReport(aar_document)
    aar = to_markdown(report)
    assert "<" not in aar and ">" not in aar.replace("&gt;", "")
    assert "**Note**: &lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;x&lt;/b&gt;" in aar


def test_failed_replays_make_replay_exit_non_zero_with_the_count(
    finished_game: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.tabletop.replay as replay_module

    real_run_script = replay_module.run_script
    failing_seed = replication_seeds(20250901, 3)[2]

    def failing_run_script(scenario: Any, seed: int, script: Any) -> dict[str, Any]:
        if seed == failing_seed:
            raise ValueError(f"test failure for seed {seed}")
        return real_run_script(scenario, seed, script)

    monkeypatch.setattr(replay_module, "run_script", failing_run_script)
    result = invoke("replay", finished_game, "-n", "3", "-w", "1")
    assert result.exit_code == 2, result.output
    assert stderr_line(result) == (
        f"error: 1 of 3 replays failed; the first error: ValueError: test failure for seed {failing_seed}"
    )


def test_ctrl_c_during_replays_exits_130_without_tables(
    finished_game: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.tabletop.replay as replay_module

    real_run_script = replay_module.run_script
    ran: list[int] = []
    second_seed = replication_seeds(20250901, 3)[1]

    def interrupted_run_script(scenario: Any, seed: int, script: Any) -> dict[str, Any]:
        ran.append(seed)
        if seed == second_seed:
            raise KeyboardInterrupt
        return real_run_script(scenario, seed, script)

    monkeypatch.setattr(replay_module, "run_script", interrupted_run_script)
    result = invoke("replay", finished_game, "-n", "3", "-w", "1", "--out", tmp_path / "tables")
    assert result.exit_code == 130, result.output
    assert stderr_line(result) == "error: interrupted"
    assert ran == [20250901, *replication_seeds(20250901, 2)], "no replay runs after Ctrl-C"
    assert not (tmp_path / "tables").exists()


def test_a_failed_replay_under_the_games_own_seed_is_a_message(
    finished_game: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sim.tabletop.replay as replay_module

    real_run_script = replay_module.run_script

    def failing_run_script(scenario: Any, seed: int, script: Any) -> dict[str, Any]:
        if seed == 20250901:
            raise RuntimeError("test failure of the own seed")
        return real_run_script(scenario, seed, script)

    monkeypatch.setattr(replay_module, "run_script", failing_run_script)
    result = invoke("replay", finished_game, "-n", "2", "-w", "1")
    assert result.exit_code == 2, result.output
    assert stderr_line(result) == (
        "error: the replay under the game's own seed (20250901) failed: RuntimeError: test failure of the own seed"
    )


def test_a_full_disk_while_the_report_is_written(finished_run: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.report.build as build_module

    def full(run_dir: Path, *args: Any, **kwargs: Any) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(run_dir / "figures" / "x.png"))

    monkeypatch.setattr(build_module, "write_report", full)
    result = invoke("report", finished_run)
    assert result.exit_code == 2, result.output
    assert stderr_line(result).endswith(
        f"error: report not written: {finished_run / 'figures' / 'x.png'}: the disk is full"
    )


@pytest.mark.parametrize("command", ["run", "compare", "sweep"])
def test_ctrl_c_while_the_report_is_drawn_says_the_results_are_complete(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """QA: Ctrl-C during the report printed only `interrupted`. The results are complete by then: say so and how
    to draw the report, exit 130."""
    import sim.report.build

    def interrupted(run_dir: Path, workers: int | None = None) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.report.build, "write_report", interrupted)
    vary = ["--vary", "actors.member_states.PL.detection_probability=0.2:0.8", "--samples", "3", "--method", "grid"]
    extra = vary if command == "sweep" else []
    options = [opt for opt in TINY if opt != "--no-report"]
    result = invoke(command, BASELINE, *options, *extra, "--out", tmp_path)
    run_dir = run_folder(result)
    assert result.exit_code == 130
    assert stderr_line(result).endswith(  # (a sweep prints its notes first)
        f"error: interrupted while drawing the report; the results are complete in {run_dir}. "
        f"Draw the report with: sim report {run_dir}"
    )
    assert (run_dir / "replications.csv").is_file() and "Traceback" not in result.output
