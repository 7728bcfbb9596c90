"""``sim sweep`` and :mod:`sim.experiment.sweep` on the real model.

What is varied by default (exactly the contested parameters of a small scenario made here), ``--vary`` parsing and
its errors, whole-number rounding, every design method end to end with tiny samples, the files written and the
command line. Scenarios run for 20 days with two replications per point, in-process.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner, Result

from sim.analysis.screening import ScreeningRule, screen
from sim.api import check_objective_metrics, load_scenario
from sim.cli import app
from sim.experiment.execution import Execution
from sim.experiment.replications import ResumeMismatch
from sim.experiment.seeds import replication_seeds
from sim.experiment.sweep import (
    DEFAULT_OUTCOMES,
    SweepError,
    SweptParameter,
    VarySpec,
    parse_vary,
    plan_sweep,
    sweep_scenario,
)
from sim.experiment.sweep_plan import resolve_sweep
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import read_scenario_document, scenario_hash, validate_document
from sim.scenario.merge import parse_override
from sim.scenario.overrides import apply_overrides, apply_overrides_fast, canonical_key_path, whole_number_parameters
from sim.scenario.revalidate import validate_changed

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHORT = "horizon_days=20"
WIDE = {"COLUMNS": "1000"}

DRONES = "events[1].drones"  # a count: 21 drones in the Polish incursion, sourced range 19-23
DETECTION = "actors.member_states.PL.detection_probability"  # 0.4, range 0.2-0.8
SHAHED_COST = "catalog.threats.shahed.unit_cost_eur"  # 32,000 EUR, range 18,000-92,000
RAID_SHARE = "actors.ukraine.regions[0].raid_share"  # Kyiv's share of raids: the shares must add up to 1
CONTESTED = {DRONES: (19, 23), DETECTION: (0.2, 0.8), SHAHED_COST: (18000.0, 92000.0), RAID_SHARE: (0.25, 0.35)}


def invoke(*args: str) -> Result:
    # The report has its own tests; here it would only slow the runs and change the last line printed.
    arguments = list(args)
    if arguments and arguments[0] in ("compare", "sweep"):
        arguments.insert(1, "--no-report")
    return CliRunner().invoke(app, arguments, env=WIDE)


def _strip_ranges(node: Any) -> None:
    if isinstance(node, dict):
        if "value" in node and isinstance(node["value"], int | float):
            node.pop("low", None)
            node.pop("high", None)
        for child in node.values():
            _strip_ranges(child)
    elif isinstance(node, list):
        for child in node:
            _strip_ranges(child)


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline, 20 days, 2 replications, with a range on only four parameters (one that cannot be varied)."""
    data = load_scenario(BASELINE).model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    _strip_ranges(data)
    data.update(name="small", horizon_days=20, replications=2)
    for key, (low, high) in CONTESTED.items():
        node: Any = data
        path, _ = parse_override(f"{key}=0")
        for segment in path:
            node = node[segment]
        node.update(low=low, high=high)
    path = tmp_path_factory.mktemp("scenario") / "small.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------------------------
# What is varied
# --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("events[1].drones=15:30", VarySpec("events[1].drones", 15.0, 30.0)),
        (" a.b = -0.5 : 1e3 ", VarySpec("a.b", -0.5, 1000.0)),
        ("catalog.threats.shahed.unit_cost_eur=18000:92000", VarySpec(SHAHED_COST, 18000.0, 92000.0)),
    ],
)
def test_vary_is_parsed(text: str, expected: VarySpec) -> None:
    assert parse_vary(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("events[1].drones", "expected key=low:high"),
        ("=1:2", "expected key=low:high"),
        ("a=1", "two numbers separated by one colon"),
        ("a=1:2:3", "two numbers separated by one colon"),
        ("a=x:2", "low 'x' is not a number"),
        ("a=1:", "high '' is not a number"),
        ("a=nan:1", "low must be a finite number"),
        ("a=2:1", "low (2) must be below high (1)"),
        ("a=1:1", "low (1) must be below high (1)"),
    ],
)
def test_bad_vary_is_a_clear_error(text: str, message: str) -> None:
    with pytest.raises(SweepError, match=r"^--vary") as caught:
        parse_vary(text)
    assert message in str(caught.value)


def test_default_varies_exactly_the_contested_parameters_that_can_be_varied(small: Path) -> None:
    plan = plan_sweep(read_scenario_document(small), method="lhs", samples=6, outcomes=["nato_leakers"])
    assert [parameter.name for parameter in plan.parameters] == [SHAHED_COST, DETECTION, DRONES]
    assert [(parameter.low, parameter.high) for parameter in plan.parameters] == [
        CONTESTED[SHAHED_COST],
        CONTESTED[DETECTION],
        CONTESTED[DRONES],
    ]
    assert {parameter.origin for parameter in plan.parameters} == {"contested"}
    [note] = plan.notes
    assert note.startswith(f"contested parameter {RAID_SHARE} is not varied: the scenario is not valid at 0.25")
    assert "raid_share values sum to 0.95, not 1" in note


def test_vary_errors_name_the_parameter(small: Path) -> None:
    document = read_scenario_document(small)
    suggestion = "no numeric parameter 'events[1].drone'; did you mean 'events[1].drones'?"
    with pytest.raises(SweepError, match=re.escape(suggestion)):
        plan_sweep(document, vary=["events[1].drone=1:5"])
    with pytest.raises(SweepError, match=rf"{re.escape(DETECTION)} at 1.5: .*above 1"):
        plan_sweep(document, vary=[f"{DETECTION}=0.5:1.5"])
    with pytest.raises(SweepError, match="fewer than two whole numbers"):
        plan_sweep(document, vary=[f"{DRONES}=19.2:19.8"])
    with pytest.raises(SweepError, match="varied twice"):
        plan_sweep(document, vary=[f"{DRONES}=15:30", "events.poland_incursion.drones=10:20"])
    with pytest.raises(SweepError, match="did you mean 'nato_leakers'"):
        plan_sweep(document, vary=[f"{DRONES}=15:30"], outcomes=["nato_leaker"])
    with pytest.raises(SweepError, match=r"unknown method 'sobel'.*did you mean 'sobol'"):
        plan_sweep(document, vary=[f"{DRONES}=15:30"], method="sobel")
    with pytest.raises(SweepError, match="regression needs at least 4 points; raise --samples"):
        plan_sweep(document, vary=[f"{DRONES}=15:30", f"{DETECTION}=0.2:0.8"], method="lhs", samples=3)


def test_list_items_may_be_named(small: Path) -> None:
    document = read_scenario_document(small)
    assert canonical_key_path(document, "events.poland_incursion.drones") == DRONES
    assert canonical_key_path(document, "industry.suppliers.raytheon_us.products[0].capacity_per_month").startswith(
        "industry.suppliers["
    )


def test_whole_number_parameters_are_the_counts() -> None:
    whole = whole_number_parameters(load_scenario(BASELINE))
    assert {DRONES, "actors.member_states.DE.inventory.fire_units.patriot"} <= whole
    assert "catalog.effectors.patriot.ready_rounds" in whole  # Count | None
    assert "industry.suppliers[2].products[0].lead_time_days" in whole
    assert not {SHAHED_COST, DETECTION, "industry.suppliers[0].products[0].capacity_per_month"} & whole


def test_counts_are_rounded_and_keep_their_source(small: Path) -> None:
    plan = plan_sweep(read_scenario_document(small), vary=[f"{DRONES}=15:30", f"{DETECTION}=0.2:0.8"], samples=7)
    drawn = plan.design.points[:, 0]
    assert not np.all(drawn == np.round(drawn)), "an LHS design draws fractional values"
    assert np.array_equal(plan.applied[:, 0], np.rint(drawn))
    assert np.array_equal(plan.applied[:, 1], plan.design.points[:, 1])
    base = load_scenario(small).events[1].drones
    for row, scenario in zip(plan.applied, plan.scenarios, strict=True):
        drones = scenario.events[1].drones  # type: ignore[union-attr]
        assert drones.value == row[0] and drones.source == base.source
        assert scenario.actors.member_states["PL"].detection_probability.value == row[1]
    parameter = SweptParameter(DRONES, 15.5, 30.0, True, 21.0, "--vary")
    assert [parameter.applied(value) for value in (15.5, 16.5, 17.5, 29.9)] == [16.0, 16.0, 18.0, 30.0]
    assert parameter.override(16.5) == f"{DRONES}=16"


def test_fast_overrides_give_the_document_of_one_override_after_another(small: Path) -> None:
    document = read_scenario_document(small)
    before = yaml.safe_dump(document.data)
    overrides = [f"{DRONES}=17", f"{DETECTION}=0.9", "actors.member_states.DE.inventory.interceptors.new_thing=3"]
    paths = [parse_override(text)[0] for text in overrides]
    fast = apply_overrides_fast(document, list(zip(paths, overrides, strict=True)))
    assert fast.data == apply_overrides(document, overrides).data
    assert yaml.safe_dump(document.data) == before, "the base document is never modified"


# --------------------------------------------------------------------------------------------------------------
# Each method end to end on the real model
# --------------------------------------------------------------------------------------------------------------


def _sweep(small: Path, tmp_path: Path, method: str, samples: int, **options: Any) -> Any:
    return sweep_scenario(
        small,
        vary=[f"{SHAHED_COST}=18000:92000", f"{DETECTION}=0.2:0.8"],
        method=method,
        samples=samples,
        outcomes=["nato_leakers", "cost_exchange_ratio"],
        execution=Execution(workers=1, results_root=tmp_path),
        extra_checks=(check_objective_metrics,),
        **options,
    )


def _read(results: Any) -> Mapping[str, pd.DataFrame]:
    return {name: pd.read_csv(results.run_dir / f"{name}.csv") for name in ("design", "points", "indices")}


@pytest.mark.parametrize(
    ("method", "samples", "points", "analysis", "columns"),
    [
        ("grid", 2, 4, "regression", ["SRC", "spearman_rho", "spearman_p", "r_squared"]),
        ("lhs", 5, 5, "regression", ["SRC", "spearman_rho", "spearman_p", "r_squared"]),
        ("sobol", 2, 8, "sobol", ["S1", "S1_conf", "ST", "ST_conf"]),
        ("morris", 2, 6, "morris", ["mu", "mu_star", "mu_star_conf", "sigma"]),
    ],
)
def test_each_method_runs_end_to_end(
    small: Path, tmp_path: Path, method: str, samples: int, points: int, analysis: str, columns: list[str]
) -> None:
    results = _sweep(small, tmp_path, method, samples)
    files = _read(results)
    names = [SHAHED_COST, DETECTION]
    assert list(files["design"].columns) == ["point", *names]
    assert len(files["design"]) == points
    assert np.array_equal(files["design"][names].to_numpy(), results.plan.design.points)
    outcomes = ["nato_leakers", "cost_exchange_ratio"]
    assert list(files["points"].columns) == ["point", *names, "replications_ok", "replications_failed", *outcomes]
    assert files["points"]["replications_ok"].tolist() == [2] * points
    indices = files["indices"]
    assert list(indices.columns) == ["outcome", "parameter", "method", *columns, "influence", "rank"]
    assert indices["method"].unique().tolist() == [analysis]
    assert indices["outcome"].tolist() == [outcome for outcome in outcomes for _ in names]
    for _, ranking in indices.groupby("outcome"):
        assert sorted(ranking["parameter"]) == sorted(names)
        assert ranking["influence"].is_monotonic_decreasing and ranking["rank"].iloc[0] == 1
    # Every point ran with the same seeds (common random numbers); the means in points.csv are theirs.
    replications = pd.read_csv(results.run_dir / "replications.csv")
    assert replications.groupby("replication")["seed"].nunique().eq(1).all()
    assert sorted(replications["seed"].unique()) == sorted(replication_seeds(load_scenario(small).seed, 2))
    means = replications.groupby("point")["nato_leakers"].mean()
    assert np.allclose(files["points"]["nato_leakers"], means, rtol=0, atol=1e-12)
    # Polish detection drives NATO leakers; the Shahed's price drives the cost-exchange ratio and changes no
    # engagement, so with common random numbers its Sobol indices and elementary effects on leakers are exactly 0.
    ranked = indices.set_index(["outcome", "parameter"])
    assert ranked.loc[("nato_leakers", DETECTION), "rank"] == 1
    assert ranked.loc[("cost_exchange_ratio", SHAHED_COST), "rank"] == 1
    if analysis != "regression":
        assert (ranked.loc[("nato_leakers", SHAHED_COST), columns] == 0.0).all()
    manifest = json.loads((results.run_dir / "manifest.json").read_text())
    assert manifest["kind"] == "sweep" and manifest["method"] == method and manifest["samples"] == samples
    assert [entry["name"] for entry in manifest["parameters"]] == names
    assert manifest["outcomes"] == outcomes and manifest["points"] == points and manifest["status"] == "complete"


def test_default_outcomes_and_resume_of_a_finished_sweep(small: Path, tmp_path: Path) -> None:
    first = sweep_scenario(
        small, vary=[f"{DRONES}=19:23"], method="grid", samples=3, execution=Execution(workers=1, results_root=tmp_path)
    )
    assert first.plan.outcomes == list(DEFAULT_OUTCOMES)
    again = sweep_scenario(small, execution=Execution(workers=1), resume=first.run_dir)
    assert again.tally.skipped == 6 and again.tally.ran == 0
    pd.testing.assert_frame_equal(again.points, first.points)
    with pytest.raises(ResumeMismatch, match="drop --method"):
        sweep_scenario(small, method="lhs", execution=Execution(workers=1), resume=first.run_dir)


# --------------------------------------------------------------------------------------------------------------
# The command line
# --------------------------------------------------------------------------------------------------------------


def test_cli_sweep_end_to_end(small: Path, tmp_path: Path) -> None:
    result = invoke(
        "sweep", str(small), "--method", "morris", "--samples", "2", "-n", "2", "-w", "1", "--out", str(tmp_path)
    )
    assert result.exit_code == 0, result.output
    assert "sweep: 3 parameters, morris design of 8 points × 2 replications = 16 runs" in result.stderr
    assert f"note: contested parameter {RAID_SHARE} is not varied" in result.stderr
    for outcome in DEFAULT_OUTCOMES:
        assert f"{outcome}: parameters by influence (Morris μ*)" in result.stdout or outcome in result.stderr
    nato = result.stdout.split("nato_leakers: parameters by influence")[1].splitlines()
    first_row = next(line for line in nato if line.strip().startswith("│    1 │"))
    third_row = next(line for line in nato if line.strip().startswith("│    3 │"))
    # Both the incursion's size and the chance of seeing its drones move NATO's leakers; with two Morris
    # trajectories either may come first. The Shahed's price cannot move them at all: μ* is exactly 0.
    assert DETECTION in first_row or DRONES in first_row
    assert SHAHED_COST in third_row
    assert float(third_row.split("│")[3]) == 0.0
    run_dir = Path(result.stdout.strip().splitlines()[-1].removeprefix("results: "))
    for name in ("manifest.json", "scenario.yaml", "design.csv", "points.csv", "indices.csv", "replications.csv"):
        assert (run_dir / name).is_file(), name


def test_cli_sweep_errors_are_one_line_messages(small: Path, tmp_path: Path) -> None:
    unknown = invoke("sweep", str(small), "--vary", "events[1].dron=1:5", "--out", str(tmp_path))
    assert unknown.exit_code == 2
    assert "no numeric parameter 'events[1].dron'; did you mean 'events[1].drones'?" in unknown.output
    bad = invoke("sweep", str(small), "--vary", "events[1].drones=5", "--out", str(tmp_path))
    assert bad.exit_code == 2 and "the range must be low:high" in bad.output
    outcome = invoke("sweep", str(small), "--outcome", "leakers", "--out", str(tmp_path))
    assert outcome.exit_code == 2 and "--outcome leakers: not a metric of the model" in outcome.output
    broken = tmp_path / "broken.yaml"
    (tmp_path / "small.yaml").write_bytes(small.read_bytes())  # extends may only reach into its own folder
    broken.write_text("extends: small.yaml\nhorizn_days: 30\n", encoding="utf-8")
    located = invoke("sweep", str(broken), "--out", str(tmp_path))
    assert located.exit_code == 1 and "broken.yaml:2:1: horizn_days: unknown key 'horizn_days'" in located.output
    outputs = unknown.output + bad.output + outcome.output + located.output
    assert "Traceback" not in outputs
    assert not any(path.name.startswith("2") for path in tmp_path.iterdir()), "no run folder for a refused sweep"


# --------------------------------------------------------------------------------------------------------------
# Planning re-validates only what changed; screening before Sobol
# --------------------------------------------------------------------------------------------------------------


def test_points_revalidated_where_they_changed_equal_the_full_validation() -> None:
    document = read_scenario_document(BASELINE)
    setup = resolve_sweep(document)
    base = setup.base
    assert len(setup.parameters) > 40
    paths = [parse_override(f"{parameter.name}=0")[0] for parameter in setup.parameters]
    for parameter, path in zip(setup.parameters, paths, strict=True):  # each alone at its low end
        changed = apply_overrides(document, [parameter.override(parameter.low)])
        assert scenario_hash(validate_changed(base, changed, [path])) == scenario_hash(validate_document(changed))
    everything = [parameter.override(parameter.high) for parameter in setup.parameters]  # all at their high ends
    fast = apply_overrides_fast(document, list(zip(paths, everything, strict=True)))
    assert scenario_hash(validate_changed(base, fast, paths)) == scenario_hash(
        validate_document(apply_overrides(document, everything))
    )
    # A point that breaks a rule spanning sections fails with the full, located message.
    shares = [parse_override(f"{RAID_SHARE}=0")[0]]
    broken = apply_overrides(document, [f"{RAID_SHARE}=0.5"])
    with pytest.raises(ScenarioError, match="raid_share values sum to"):
        validate_changed(base, broken, shares)


@pytest.fixture(scope="module")
def fourteen(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The baseline, 10 days, 1 replication, with the ranges of only its first 14 contested parameters."""
    document = read_scenario_document(BASELINE)
    parameters = resolve_sweep(document).parameters[:14]
    data = load_scenario(BASELINE).model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    _strip_ranges(data)
    data.update(name="fourteen", horizon_days=10, replications=1)
    for parameter in parameters:
        node: Any = data
        for segment in parse_override(f"{parameter.name}=0")[0]:
            node = node[segment]
        node.update(low=parameter.low, high=parameter.high)
    path = tmp_path_factory.mktemp("scenario") / "fourteen.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    return path


def test_cli_sobol_sweep_of_many_contested_parameters_screens_first(fourteen: Path, tmp_path: Path) -> None:
    result = invoke(
        "sweep",
        str(fourteen),
        "--method",
        "sobol",
        "--samples",
        "2",
        "-n",
        "1",
        "-w",
        "1",
        "--outcome",
        "nato_leakers",
        "--outcome",
        "interceptor_spend_meur",
        "--screen-trajectories",
        "2",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    run_dir = Path(result.stdout.strip().splitlines()[-1].removeprefix("results: "))
    manifest = json.loads((run_dir / "manifest.json").read_text())
    screening = manifest["screening"]
    candidates = [entry["name"] for entry in screening["candidates"]]
    kept = screening["kept"]
    assert len(candidates) == 14 and 1 <= len(kept) < len(candidates)
    assert f"screening: {len(candidates)} parameters, morris design of {2 * (len(candidates) + 1)} points" in (
        result.stderr
    )
    assert f"sweep: {len(kept)} parameters, sobol design of {2 * (len(kept) + 2)} points × 1 replications" in (
        result.stderr
    )
    assert f"screening: {len(kept)} of {len(candidates)} parameters kept for the Sobol analysis" in result.stdout
    assert f"note: screening: Morris on {len(candidates)} parameters kept {len(kept)}" in result.stderr
    # The decision follows the rule from the Morris stage's own indices, and the Sobol stage varies exactly the kept.
    morris = pd.read_csv(run_dir / "screening" / "indices.csv")
    assert set(morris["method"]) == {"morris"} and set(morris["parameter"]) == set(candidates)
    decision = screen(morris, candidates, ScreeningRule())
    assert decision.kept == kept
    assert [entry["name"] for entry in manifest["parameters"]] == kept
    assert [name for name in pd.read_csv(run_dir / "design.csv").columns if name != "point"] == kept
    table = pd.read_csv(run_dir / "screening.csv")
    assert set(table.loc[table["kept"], "parameter"]) == set(kept)
    assert (table.loc[~table["kept"], "score"] < 0.1).all() and (table.loc[table["kept"], "score"] >= 0.1).all()
    assert [entry["name"] for entry in screening["screened_out"]] == decision.screened_out
    assert manifest["status"] == "complete" and screening["status"] == "done"
    # Resuming the finished sweep reruns nothing; the report says what was screened out and why.
    again = sweep_scenario(fourteen, execution=Execution(workers=1), resume=run_dir)
    assert again.tally.ran == 0 and [parameter.name for parameter in again.plan.parameters] == kept
    report = CliRunner().invoke(app, ["report", str(run_dir)], env=WIDE)
    assert report.exit_code == 0, report.output
    markdown = (run_dir / "report.md").read_text(encoding="utf-8")
    assert "Screening: which parameters the Sobol analysis kept" in markdown
    assert f"The sweep had {len(candidates)} contested parameters" in markdown
    assert f"| {decision.screened_out[0]} | screened out |".replace("_", "\\_") in markdown


def test_screening_options_are_checked(small: Path, tmp_path: Path) -> None:
    both = invoke("sweep", str(small), "--method", "sobol", "--no-screen", "--screen-keep", "3")
    assert both.exit_code == 2 and "--no-screen runs Sobol on every parameter" in both.output
    zero = invoke("sweep", str(small), "--method", "sobol", "--screen-threshold", "0")
    assert zero.exit_code == 2 and "--screen-threshold 0: expected a share" in zero.output
    lhs = invoke("sweep", str(small), "--screen-keep", "2", "--out", str(tmp_path))
    assert lhs.exit_code == 2 and "cannot precede a lhs design (use --method sobol" in lhs.output
    assert "Traceback" not in both.output + zero.output + lhs.output
