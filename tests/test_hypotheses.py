"""Hypotheses (``hypotheses:``): located validation, hand-computed judgements, and ``sim compare`` judging them."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.analysis.hypotheses import judge_hypotheses, judgement_of
from sim.api import load_scenario
from sim.cli import app
from sim.scenario.errors import ScenarioError
from sim.scenario.hypotheses import Hypothesis

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
NAN = math.nan


@pytest.mark.parametrize(
    ("mean", "low", "high", "size", "direction", "judgement"),
    [
        (-3.0, -4.0, -2.0, 1.0, "lower", "supported"),
        (3.0, 2.0, 4.0, 1.0, "lower", "refuted"),  # clearly the other way
        (0.1, -0.2, 0.4, 1.0, "lower", "refuted"),  # the whole CI within ±1: no effect that matters
        (-0.5, -2.0, 1.0, 1.0, "lower", "inconclusive"),
        (-0.5, -0.9, -0.1, 1.0, "lower", "refuted"),  # clear but negligible: the expected size is not there
        (-1.0, -1.5, -0.5, 1.0, "lower", "supported"),  # boundary: the mean reaches the size
        (NAN, NAN, NAN, 1.0, "higher", "inconclusive"),
    ],
)
def test_judgement_of(mean: float, low: float, high: float, size: float, direction: str, judgement: str) -> None:
    assert judgement_of(mean, low, high, size, direction) == judgement


def _comparison(rows: list[tuple[str, str, float, float, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["scenario", "metric", "mean", "diff_mean", "diff_low", "diff_high"])


def test_judge_hypotheses_reads_each_against_the_baseline() -> None:
    baseline = load_scenario(SCENARIOS / "baseline.yaml", ["horizon_days=90"])
    hypotheses = [
        Hypothesis(name="fewer", metric="nato_leakers", direction="lower", against="baseline"),
        Hypothesis(name="sized", metric="nato_leakers", direction="lower", against="baseline", min_difference=5.0),
        Hypothesis(name="later", metric="nato_leakers", direction="lower", against="baseline", by_day=180),
        Hypothesis(name="elsewhere", metric="nato_leakers", direction="lower", against="escalation"),
        Hypothesis(name="unmeasured", metric="leakers.XX", direction="lower", against="baseline"),
    ]
    variant = baseline.model_copy(update={"name": "variant", "hypotheses": hypotheses})
    base_hypothesis = Hypothesis(name="wall_fewer", metric="nato_leakers", direction="higher", against="variant")
    baseline = baseline.model_copy(update={"hypotheses": [base_hypothesis]})
    comparison = _comparison(
        [("baseline", "nato_leakers", 20.0, 0.0, 0.0, 0.0), ("variant", "nato_leakers", 17.0, -3.0, -4.0, -2.0)]
    )
    judged = judge_hypotheses(comparison, ["baseline", "variant"], [baseline, variant])
    by_name = judged.set_index("name")
    # The baseline's own hypothesis against the variant: the sign turns (baseline − variant = +3 [+2, +4]).
    assert by_name.loc["wall_fewer", ["diff_mean", "diff_low", "diff_high"]].tolist() == [3.0, 2.0, 4.0]
    assert by_name.loc["wall_fewer", "judgement"] == "supported"  # size 5% of 20 = 1
    assert by_name.loc["fewer", "min_difference"] == pytest.approx(1.0)
    assert by_name.loc["fewer", "judgement"] == "supported"
    assert by_name.loc["sized", "judgement"] == "refuted"  # -3 [-4, -2] lies within ±5: no effect of that size
    assert by_name.loc["later", "judgement"] == "inconclusive"
    assert "ends on day 90, before day 180" in by_name.loc["later", "reason"]
    assert by_name.loc["elsewhere", "judgement"] == "inconclusive"
    assert "not the baseline" in by_name.loc["elsewhere", "reason"]
    assert "holds no values of leakers.XX" in by_name.loc["unmeasured", "reason"]


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "baseline.yaml").write_text((SCENARIOS / "baseline.yaml").read_text(encoding="utf-8"))
    path = tmp_path / "variant.yaml"
    path.write_text("extends: baseline.yaml\nname: variant\ndescription: a variant\n" + text, encoding="utf-8")
    return path


def _problems(path: Path) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    return str(caught.value).splitlines()


def test_a_hypothesis_with_an_unknown_metric_or_scenario_is_a_located_error(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        "hypotheses:\n"
        "  - {name: a, metric: nato_leakerss, direction: lower, against: baseline}\n"
        "  - {name: b, metric: nato_leakers, direction: lower, against: basline}\n"
        "  - {name: b, metric: nato_leakers, direction: lower, against: variant}\n",
    )
    problems = "\n".join(_problems(path))
    assert (
        f"{path}:5:15: hypotheses[0].metric: unknown metric 'nato_leakerss' (expected a metric listed by "
        "`sim metrics`; did you mean 'nato_leakers'?)"
    ) in problems
    assert f"{path}:6:55: hypotheses[1].against: no scenario 'basline' beside this file" in problems
    assert "did you mean 'baseline'?" in problems
    assert f"{path}:7:6: hypotheses[2].name: hypothesis 'b' is listed twice" in problems
    assert "hypotheses[2].against: hypothesis 'b' is against the scenario itself ('variant')" in problems


def test_a_hypothesis_against_a_file_name_is_told_to_drop_the_extension(tmp_path: Path) -> None:
    path = _write(
        tmp_path, "hypotheses:\n  - {name: a, metric: nato_leakers, direction: lower, against: nothere.yaml}\n"
    )
    problems = "\n".join(_problems(path))
    assert (
        f"hypotheses[0].against: no scenario 'nothere.yaml' beside this file or among the shipped ones (looked for "
        f"nothere.yaml in {tmp_path.resolve()} and " in problems
    )  # one extension, the folders by name
    assert "without '.yaml'" in problems
    path = _write(
        tmp_path, "hypotheses:\n  - {name: a, metric: nato_leakers, direction: lower, against: baseline.yaml}\n"
    )
    assert "did you mean 'baseline'?" in "\n".join(_problems(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "hypotheses:\n  - {name: a, metric: nato_leakers, direction: down, against: baseline}\n",
            "hypotheses[0].direction: 'down' is not a valid choice (expected one of: higher, lower)",
        ),
        (
            "min_differences:\n  nato_leakers: {absolute: 1, relative: 0.1}\n",
            "min_differences.nato_leakers: give exactly one of absolute or relative",
        ),
        (
            "min_differences:\n  nato_leakerz: {absolute: 1}\n",
            "min_differences.nato_leakerz: unknown metric 'nato_leakerz'",
        ),
        (
            "min_differences:\n  nato_leakers: {absolute: -1}\n",
            "min_differences.nato_leakers.absolute:",
        ),
    ],
)
def test_bad_hypotheses_and_sizes_are_refused_with_their_place(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path, text)
    problems = _problems(path)
    assert any(line.startswith(f"{path}:5:") and message in line for line in problems), problems


def test_a_scenario_size_overrides_the_registry(tmp_path: Path) -> None:
    path = _write(tmp_path, "min_differences:\n  nato_leakers: {relative: 0.2, note: 'assumption: a fifth'}\n")
    from sim.analysis.verdicts import min_difference_for, min_difference_overrides

    overrides = min_difference_overrides(load_scenario(path))
    assert min_difference_for("nato_leakers", 20.0, overrides) == pytest.approx(4.0)


def test_every_shipped_variant_states_hypotheses_against_a_shipped_scenario() -> None:
    for path in sorted(SCENARIOS.glob("*.yaml")):
        scenario = load_scenario(path)
        if scenario.name == "baseline":
            continue
        assert scenario.hypotheses, f"{path.name} states no hypothesis"
        assert all((SCENARIOS / f"{h.against}.yaml").is_file() for h in scenario.hypotheses)


def test_sim_compare_judges_the_variants_hypotheses(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        [
            "compare",
            "--no-report",
            str(SCENARIOS / "baseline.yaml"),
            str(SCENARIOS / "drone_wall.yaml"),
            "-n",
            "3",
            "--set",
            "horizon_days=8",
            "--out",
            str(tmp_path),
            "-w",
            "1",
        ],
        env={"COLUMNS": "80"},
    )
    assert result.exit_code == 0, result.output
    assert "Hypotheses" in result.output
    assert "fewer_nato_leakers" in result.output
    (run_dir,) = tmp_path.glob("*compare*")
    judged = pd.read_csv(run_dir / "hypotheses.csv")
    assert judged["name"].tolist() == ["more_drones_detected", "fewer_nato_leakers", "fewer_airport_closures"]
    # The drone wall's layers are bought over the year (by_day: 365): an 8-day run cannot judge them.
    assert judged["judgement"].tolist() == ["inconclusive"] * 3
    assert judged["reason"].str.contains("ends on day 8, before day 365").all()
    # Readable at 80 columns: every table line fits and no metric name is broken.
    from rich.console import Console

    from sim.commands.experiments import comparison_tables, hypotheses_table
    from sim.experiment.compare import load_comparison

    loaded = load_comparison(run_dir)
    console = Console(width=80, record=True, file=io.StringIO())
    for table in [*comparison_tables(loaded), hypotheses_table(loaded.hypotheses)]:
        console.print(table)
    text = console.export_text()
    assert all(len(line) <= 80 for line in text.splitlines())
    assert "units_ordered" in text and "mean_delivery_lead_time_days" in text


def test_against_may_name_a_shipped_scenario_from_another_folder(tmp_path: Path) -> None:
    text = (SCENARIOS / "baseline.yaml").read_text(encoding="utf-8").replace("\nname: baseline\n", "\nname: mine\n", 1)
    text += "\nhypotheses:\n  - {name: h, metric: nato_leakers, direction: lower, against: escalation}\n"
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    assert [h.against for h in load_scenario(path).hypotheses] == ["escalation"]
