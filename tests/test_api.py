"""The Python API mirrors the command line: load, run, compare, sweep."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim import api

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHORT = ["horizon_days=20"]


def test_compare_of_a_scenario_with_itself_has_no_difference(tmp_path: Path) -> None:
    scenario = api.load_scenario(BASELINE, overrides=SHORT)
    results = api.compare([scenario, scenario], replications=2, seed=3, workers=1, results_root=tmp_path)
    assert results.labels[0] == "baseline" and len(results.labels) == 2
    variant = results.comparison[results.comparison["scenario"] == results.labels[1]]
    assert (variant["diff_mean"].dropna() == 0.0).all()
    assert not variant["significant"].any()
    assert results.run_dir.parent == tmp_path


def test_sweep_varies_what_it_is_told(tmp_path: Path) -> None:
    results = api.sweep(
        BASELINE,
        vary=["actors.member_states.PL.detection_probability=0.2:0.8"],
        method="lhs",
        samples=3,
        replications=1,
        overrides=SHORT,
        outcomes=["nato_leakers"],
        workers=1,
        results_root=tmp_path,
    )
    assert len(results.points) == 3
    assert set(results.indices["outcome"]) == {"nato_leakers"}
    assert list(results.indices["parameter"]) == ["actors.member_states.PL.detection_probability"]


def test_workers_with_a_scheduler_is_refused_before_any_folder_is_made(tmp_path: Path) -> None:
    scenario = api.load_scenario(BASELINE, overrides=SHORT)
    with pytest.raises(ValueError, match="give either workers"):
        api.run(scenario, replications=1, workers=2, scheduler="tcp://127.0.0.1:9", results_root=tmp_path)
    assert list(tmp_path.iterdir()) == []
