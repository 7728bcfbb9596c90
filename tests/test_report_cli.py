"""``sim report`` and the report at the end of ``sim run``: it is written, and bad input never ends in a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_report_support import BASELINE, ROOT, WIDE, invoke, real_report


def test_sim_report_writes_the_report_of_a_run_folder(tmp_path_factory: pytest.TempPathFactory) -> None:
    result, run_dir = real_report(tmp_path_factory)
    assert result.exit_code == 0, result.output
    assert f"report: {run_dir / 'report.html'}" in result.output
    assert "9 figures as PNG and SVG" in result.output
    assert (run_dir / "report.md").is_file()
    assert len(list((run_dir / "figures").glob("*.png"))) == 9


@pytest.mark.parametrize("kind", ["missing", "file", "not a run folder"])
def test_sim_report_on_bad_input_exits_nonzero_without_traceback(tmp_path: Path, kind: str) -> None:
    target = {"missing": tmp_path / "nowhere", "file": tmp_path / "notes.txt", "not a run folder": tmp_path}[kind]
    if kind == "file":
        target.write_text("hello", encoding="utf-8")
    result = invoke("report", str(target))
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    expected = {"missing": "does not exist", "file": "is not a folder", "not a run folder": "is not a run folder"}[kind]
    assert expected in result.output


def test_sim_report_as_a_user_runs_it(tmp_path: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "sim", "report", str(tmp_path / "missing")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **WIDE},
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr + completed.stdout
    assert "does not exist" in completed.stderr


def test_sim_run_writes_its_report_unless_told_not_to(tmp_path: Path) -> None:
    common = [str(BASELINE), "-n", "2", "--set", "horizon_days=14", "-w", "1"]
    quiet = invoke("run", *common, "--out", str(tmp_path / "quiet"), "--no-report")
    assert quiet.exit_code == 0, quiet.output
    (run_dir,) = (tmp_path / "quiet").iterdir()
    assert not (run_dir / "report.html").exists() and not (run_dir / "figures").exists()
    assert "report:" not in quiet.output

    reported = invoke("run", *common, "--out", str(tmp_path / "reported"))
    assert reported.exit_code == 0, reported.output
    (run_dir,) = (tmp_path / "reported").iterdir()
    assert f"report: {run_dir / 'report.html'}" in reported.output
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert html.count('src="data:image/png;base64,') == 9
    assert f"sim run {run_dir.name}/scenario.yaml -n 2 --seed 20250901" in html


def test_reference_report_compares_the_baseline_with_every_variant() -> None:
    from sim.report.reference import scenario_files

    files = scenario_files(BASELINE)
    assert files[0] == BASELINE
    assert [path.name for path in files[1:]] == sorted(
        path.name for path in (ROOT / "scenarios").glob("*.yaml") if path.name != "baseline.yaml"
    )
    assert len(files) >= 2


def test_reference_report_must_run_from_the_repository_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from sim.report.reference import main

    monkeypatch.chdir(tmp_path)
    assert main(["--out", str(tmp_path / "reference")]) == 2
    assert "run from the repository's root" in capsys.readouterr().err
    assert not (tmp_path / "reference").exists()
