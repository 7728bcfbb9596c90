"""``sim compare`` and :func:`sim.experiment.compare.compare_scenarios` on the real model.

Common random numbers (replication *i* of every scenario has the same seed), the paired statistics against values
computed here by hand from ``replications.csv``, the objectives per scenario, the run folder and the command line.
Scenarios run for 20-30 days with a few replications, in-process, to stay fast.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from typer.testing import CliRunner, Result

from sim.analysis.paired import COMPARISON_COLUMNS
from sim.api import load_scenario
from sim.cli import app
from sim.experiment.compare import (
    CompareResults,
    IncomparableScenarios,
    compare_scenarios,
    load_comparison,
    unique_labels,
)
from sim.experiment.execution import Execution
from sim.experiment.replications import ResumeMismatch
from sim.experiment.seeds import replication_seeds
from sim.scenario.loader import scenario_hash

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
DRONE_WALL = ROOT / "scenarios" / "drone_wall.yaml"
SHORT = "horizon_days=20"
BETTER_DRONES = "catalog.effectors.interceptor_drone_team.kill_probability.shahed=0.55"
WIDE = {"COLUMNS": "1000"}


def invoke(*args: str) -> Result:
    # The report has its own tests; here it would only slow the runs and change the last line printed.
    arguments = list(args)
    if arguments and arguments[0] in ("compare", "sweep"):
        arguments.insert(1, "--no-report")
    return CliRunner().invoke(app, arguments, env=WIDE)


def compare(tmp_path: Path, entries: list[tuple[str, list[str]]], replications: int = 4) -> CompareResults:
    """Compare (label, overrides) variants of the baseline, in-process."""
    loaded = [(label, load_scenario(BASELINE, [SHORT, *extra]), str(BASELINE)) for label, extra in entries]
    return compare_scenarios(
        loaded, replications=replications, seed=11, execution=Execution(workers=1, results_root=tmp_path)
    )


@pytest.fixture(scope="module")
def better_drones(tmp_path_factory: pytest.TempPathFactory) -> CompareResults:
    """The baseline against better Ukrainian interceptor drones (kill probability 0.55), 6 replications."""
    return compare(tmp_path_factory.mktemp("better-drones"), [("baseline", []), ("better_drones", [BETTER_DRONES])], 6)


def test_labels_are_made_unique() -> None:
    assert unique_labels(["a", "b", "a", "a", "a-2"]) == ["a", "b", "a-2", "a-3", "a-2-2"]


def test_a_scenario_compared_with_itself_differs_by_exactly_zero(tmp_path: Path) -> None:
    results = compare(tmp_path, [("baseline", []), ("baseline", [])], replications=3)
    assert results.labels == ["baseline", "baseline-2"]
    comparison = results.comparison
    twin = comparison[comparison["scenario"] == "baseline-2"].set_index("metric")
    first = comparison[comparison["scenario"] == "baseline"].set_index("metric")
    assert (twin.loc[twin["n"] > 0, "diff_mean"] == 0.0).all()
    defined = twin[twin["n"] > 1]  # (one pair has a mean difference but no interval)
    assert len(defined) > 20
    assert (defined[["diff_mean", "diff_low", "diff_high"]] == 0.0).all().all()
    assert not twin["significant"].any()
    pd.testing.assert_frame_equal(twin[["mean", "low", "high", "n"]], first[["mean", "low", "high", "n"]])
    # Both scenarios' resolved files are kept, under distinct names.
    assert (results.run_dir / "scenario-0-baseline.yaml").is_file()
    assert (results.run_dir / "scenario-1-baseline-2.yaml").is_file()


def test_replication_i_of_every_scenario_uses_the_same_seed(better_drones: CompareResults) -> None:
    run_dir = better_drones.run_dir
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["kind"] == "compare"
    assert manifest["status"] == "complete"
    assert manifest["seeds"] == replication_seeds(11, 6)
    assert [entry["label"] for entry in manifest["scenarios"]] == ["baseline", "better_drones"]
    for entry, scenario in zip(manifest["scenarios"], better_drones.scenarios, strict=True):
        assert entry["name"] == scenario.name and entry["file"] == str(BASELINE)
        assert entry["hash"] == scenario_hash(scenario)
        assert scenario_hash(load_scenario(run_dir / entry["resolved"])) == entry["hash"]
    replications = pd.read_csv(run_dir / "replications.csv")
    assert list(replications.columns[:3]) == ["key", "point", "scenario"]
    assert replications.groupby("scenario")["point"].unique().to_dict() == {"baseline": [0], "better_drones": [1]}
    seeds = replications.pivot(index="replication", columns="scenario", values="seed")
    assert seeds["baseline"].tolist() == seeds["better_drones"].tolist() == manifest["seeds"]


def test_paired_statistics_match_a_hand_computation(better_drones: CompareResults) -> None:
    replications = pd.read_csv(better_drones.run_dir / "replications.csv")
    comparison = pd.read_csv(better_drones.run_dir / "comparison.csv")
    assert tuple(comparison.columns) == (*COMPARISON_COLUMNS, "min_difference", "verdict")
    metric = "ukraine_leakers"
    base = replications[replications["scenario"] == "baseline"].sort_values("replication")[metric].to_numpy()
    treated = replications[replications["scenario"] == "better_drones"].sort_values("replication")[metric].to_numpy()
    differences = treated - base
    n = len(differences)
    t = stats.t.ppf(0.95, n - 1)
    half_width = t * differences.std(ddof=1) / math.sqrt(n)
    row = comparison[(comparison["scenario"] == "better_drones") & (comparison["metric"] == metric)].iloc[0]
    assert row["n"] == n == 6
    assert row["mean"] == pytest.approx(treated.mean(), rel=1e-12)
    assert row["low"] == pytest.approx(np.quantile(treated, 0.05), rel=1e-12)
    assert row["high"] == pytest.approx(np.quantile(treated, 0.95), rel=1e-12)
    assert row["diff_mean"] == pytest.approx(differences.mean(), rel=1e-12)
    assert row["diff_low"] == pytest.approx(differences.mean() - half_width, rel=1e-12)
    assert row["diff_high"] == pytest.approx(differences.mean() + half_width, rel=1e-12)
    assert bool(row["significant"]) == (row["diff_low"] > 0 or row["diff_high"] < 0)
    assert row["significant"] and row["diff_high"] < 0, "better interceptor drones let fewer threats through"
    # The smallest difference that matters: 5% of the baseline's mean; fewer leakers is better.
    size = 0.05 * abs(base.mean())
    assert row["min_difference"] == pytest.approx(size, rel=1e-12)
    low, high, mean = differences.mean() - half_width, differences.mean() + half_width, differences.mean()
    expected = "negligible" if -size < low and high < size else ("better" if mean <= -size else "uncertain")
    assert row["verdict"] == expected


def test_the_paired_interval_is_narrower_than_an_unpaired_one(better_drones: CompareResults) -> None:
    replications = better_drones.metrics
    comparison = better_drones.comparison.set_index(["scenario", "metric"])
    narrower = 0
    # (Not empty-magazine days: from a start in motion the missile layers are supply-bound and run dry on the
    # same days in both scenarios, so their paired difference is exactly 0 over these 20 days.)
    metrics = ("interceptor_spend_meur", "ukraine_leakers", "cost_exchange_ratio")
    for metric in metrics:
        base = replications[replications["scenario"] == "baseline"][metric].to_numpy()
        treated = replications[replications["scenario"] == "better_drones"][metric].to_numpy()
        # Welch's interval, as if the two scenarios had been run with independent seeds.
        variance = base.var(ddof=1) / len(base) + treated.var(ddof=1) / len(treated)
        freedom = variance**2 / (
            (base.var(ddof=1) / len(base)) ** 2 / (len(base) - 1)
            + (treated.var(ddof=1) / len(treated)) ** 2 / (len(treated) - 1)
        )
        unpaired_width = 2 * stats.t.ppf(0.95, freedom) * math.sqrt(variance)
        row = comparison.loc[("better_drones", metric)]
        paired_width = row["diff_high"] - row["diff_low"]
        assert paired_width > 0
        narrower += paired_width < unpaired_width
    assert narrower == len(metrics)


def test_objectives_are_evaluated_for_every_scenario(better_drones: CompareResults) -> None:
    objectives = pd.read_csv(better_drones.run_dir / "objectives.csv")
    names = [objective.name for objective in better_drones.scenarios[0].objectives]
    assert objectives["scenario"].tolist() == ["baseline"] * len(names) + ["better_drones"] * len(names)
    assert objectives["name"].tolist() == names * 2
    replications = better_drones.metrics
    for row in objectives.itertuples(index=False):
        values = replications[replications["scenario"] == row.scenario][row.metric].to_numpy()
        met = values >= row.threshold if row.direction == ">=" else values <= row.threshold
        assert row.probability == pytest.approx(met.mean())
        assert row.n == len(values) == 6
        assert row.low <= row.probability <= row.high


def test_load_comparison_reads_the_folder_back(better_drones: CompareResults) -> None:
    again = load_comparison(better_drones.run_dir)
    assert again.labels == better_drones.labels
    pd.testing.assert_frame_equal(again.comparison, better_drones.comparison)
    pd.testing.assert_frame_equal(again.objectives, better_drones.objectives)


def test_resume_refuses_other_scenarios(tmp_path: Path, better_drones: CompareResults) -> None:
    scenario = load_scenario(BASELINE, [SHORT])
    with pytest.raises(ResumeMismatch, match="other scenarios"):
        compare_scenarios([("baseline", scenario, None)], execution=Execution(workers=1), resume=better_drones.run_dir)
    with pytest.raises(
        ResumeMismatch, match=r"^--resume continues the comparison as it was started; drop --replications "
    ):
        compare_scenarios(
            [(label, s, None) for label, s in zip(better_drones.labels, better_drones.scenarios, strict=True)],
            replications=5,
            execution=Execution(workers=1),
            resume=better_drones.run_dir,
        )


def test_cli_compare_end_to_end(tmp_path: Path) -> None:
    result = invoke(
        "compare", str(BASELINE), str(DRONE_WALL), str(BASELINE), "-n", "3", "--set", SHORT, "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "drone_wall − baseline: 3 paired replications" in result.stdout
    assert "baseline-2 − baseline: 3 paired replications" in result.stdout
    assert "Objectives: probability of being met" in result.stdout
    run_dir = Path(result.stdout.strip().splitlines()[-1].removeprefix("results: "))
    assert run_dir.parent == tmp_path and run_dir.name.endswith("compare-baseline-vs-drone_wall-vs-baseline-2")
    for name in ("manifest.json", "replications.csv", "timeseries.parquet", "comparison.csv", "objectives.csv"):
        assert (run_dir / name).is_file(), name
    comparison = pd.read_csv(run_dir / "comparison.csv")
    assert tuple(comparison.columns) == (*COMPARISON_COLUMNS, "min_difference", "verdict")
    assert comparison["scenario"].unique().tolist() == ["baseline", "drone_wall", "baseline-2"]
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["overrides"] == [SHORT] and manifest["replications"] == 3
    # The drone wall adds no drone-defence capacity in 20 days, but it changes what is ordered: a real difference.
    orders = comparison[(comparison["scenario"] == "drone_wall") & (comparison["metric"] == "units_ordered")]
    assert orders["significant"].item()


def test_cli_compare_errors_are_one_line_messages(tmp_path: Path) -> None:
    one = invoke("compare", str(BASELINE), "--set", SHORT, "-n", "2", "-w", "1", "--no-report", "--out", str(tmp_path))
    assert one.exit_code == 0 and " ".join(one.stderr.split()).startswith(
        f"warning: one scenario: nothing to compare it with (the first file is the baseline, the others are compared "
        f"with it); `sim run {BASELINE}` gives its results and report"
    )
    both = invoke("compare", str(BASELINE), str(BASELINE), "-w", "2", "--scheduler", "tcp://127.0.0.1:9")
    assert both.exit_code == 2 and "either --workers or --scheduler" in both.output
    broken = tmp_path / "broken.yaml"
    broken.write_text(f"extends: {BASELINE}\nhorizn_days: 30\n", encoding="utf-8")
    located = invoke("compare", str(BASELINE), str(broken), "--out", str(tmp_path))
    assert located.exit_code == 1
    assert "broken.yaml:2:1: horizn_days: unknown key 'horizn_days'" in located.output
    not_a_run = invoke("compare", str(BASELINE), str(BASELINE), "--set", SHORT, "--resume", str(tmp_path), "-w", "1")
    assert not_a_run.exit_code == 2 and "is not a run folder" in not_a_run.output
    assert "Traceback" not in both.output + located.output + not_a_run.output


def test_scenarios_of_different_horizons_are_refused_before_any_work(tmp_path: Path) -> None:
    """QA: horizons of 60 and 90 days gave the finding 'empty magazine days +154 … worse' from the extra days."""
    short, long = (load_scenario(BASELINE, [f"horizon_days={days}"]) for days in (10, 12))
    message = (
        "the scenarios run over different horizons (horizon_days: baseline 10, baseline-2 12): totals over "
        "different periods would differ by the extra days alone; compare them over one horizon, e.g. "
        "--set horizon_days=10"
    )
    with pytest.raises(IncomparableScenarios) as caught:
        compare_scenarios(
            [("baseline", short, None), ("baseline", long, None)],
            execution=Execution(workers=1, results_root=tmp_path),
        )
    assert str(caught.value) == message and not any(tmp_path.iterdir())
    later = tmp_path / "later.yaml"
    later.write_text(f"extends: {BASELINE}\nname: later\nhorizon_days: 12\n", encoding="utf-8")
    result = invoke("compare", str(BASELINE), str(later), "--set", "seed=1", "-n", "2", "--out", str(tmp_path))
    assert result.exit_code == 2 and " ".join(result.stderr.split()) == (
        "error: the scenarios run over different horizons (horizon_days: baseline 1218, later 12): totals over "
        "different periods would differ by the extra days alone; compare them over one horizon, e.g. "
        "--set horizon_days=12"
    )


def test_scenarios_of_different_start_dates_are_compared_with_a_warning(tmp_path: Path) -> None:
    """Compared day by day (the model counts days from the start): allowed, with a note in the terminal and the
    manifest (the report's notes)."""
    october = tmp_path / "october.yaml"
    october.write_text(f"extends: {BASELINE}\nname: october\nstart_date: 2025-10-01\n", encoding="utf-8")
    result = invoke(
        "compare", str(BASELINE), str(october), "--set", "horizon_days=8", "-n", "2", "-w", "1",
        "--no-report", "--out", str(tmp_path),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    note = (
        "WARNING: the scenarios start on different dates (baseline 2025-09-01, october 2025-10-01); the model counts "
        "days from each start, so day d of one is paired with day d of the other (same raids, events on the same day "
        "numbers) and the figures' dates are baseline's: if the later start is meant to change what happens, write "
        "it into its raids and events"
    )
    assert f"note: {note}" in " ".join(result.stderr.split())
    run_dir = Path(result.stdout.strip().splitlines()[-1].removeprefix("results: "))
    assert json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["notes"][0] == note
