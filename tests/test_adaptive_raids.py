"""Tests for the adaptive raid policy (sim/model/policies/raids.py, ``adaptive_raids``) and the adversary's
production growth (sim/model/agents/adversary.py).

Each shift is shown on a hand-built review: launches and leakers per Ukrainian region, a small plan, and the
plan expected by hand from the rules in :class:`AdaptiveRaidsPolicy`'s docstring. Then the policy in a model
run: the first review's nights are the fixed plan's, later ones answer the defence, and a run stays a pure
function of (scenario, seed). Threat columns of the baseline: shahed (drone), gerbera (decoy), kh101 (cruise),
iskander_m (ballistic); six Ukrainian regions, Kyiv first and Odesa fourth.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model.policies.context import PolicyContext
from sim.model.policies.raids import AdaptiveRaidsPolicy
from sim.model.run import run_model
from sim.model.tables import Tables, build_tables
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.policies import AdaptiveRaidParams

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
RAID_SHARES = np.array([0.3, 0.2, 0.15, 0.15, 0.1, 0.1])
SHAHED, GERBERA, KH101, ISKANDER = 0, 1, 2, 3
NEVER_BELOW = 0.0  # a success floor nothing falls below: that shift never steps up


@pytest.fixture(scope="module")
def tables() -> Tables:
    tables = build_tables(load_scenario(BASELINE))
    assert tables.threat_names[:4] == ("shahed", "gerbera", "kh101", "iskander_m")
    return tables


def adaptive(tables: Tables, **params: object) -> AdaptiveRaidsPolicy:
    defaults: dict[str, object] = {
        "drones_per_night": 100,
        "drone_mix": {"shahed": 0.5, "gerbera": 0.5},
        "missile_mix": {"kh101": 0.6, "iskander_m": 0.4},
        "drone_success_floor": NEVER_BELOW,
        "missile_success_floor": NEVER_BELOW,
        "saturation_floor": NEVER_BELOW,
    }
    return AdaptiveRaidsPolicy(AdaptiveRaidParams.model_validate(defaults | params), PolicyContext(tables, RAID_SHARES))


def counts(tables: Tables, by_region: dict[int, dict[int, int]]) -> np.ndarray:
    """``[U, T]`` counts from {region: {threat: count}}."""
    array = np.zeros((len(RAID_SHARES), len(tables.threat_names)), dtype=np.int64)
    for region, threats in by_region.items():
        for threat, count in threats.items():
            array[region, threat] = count
    return array


def test_more_decoys_fly_when_attack_drones_are_shot_down(tables: Tables) -> None:
    policy = adaptive(tables, drone_success_floor=0.1, decoys_per_drone_step=0.25, max_decoys_per_drone=1)
    launched = counts(tables, {region: {SHAHED: 100, GERBERA: 100} for region in range(6)})
    leakers = counts(tables, {region: {SHAHED: 5, GERBERA: 50} for region in range(6)})  # drones: 5 % get through
    night = counts(tables, {0: {SHAHED: 10, GERBERA: 4, KH101: 3}, 1: {SHAHED: 7}})
    plan = np.stack([night, np.zeros_like(night)])  # the second night has nothing planned (a replaced raid)

    adapted = policy.adapt(plan, launched, leakers)

    assert policy.decoy_level == 0.25
    expected = night.copy()
    expected[0, GERBERA] += 2  # floor(0.25 × 10)
    expected[1, GERBERA] += 1  # floor(0.25 × 7)
    np.testing.assert_array_equal(adapted[0], expected)
    np.testing.assert_array_equal(adapted[1], 0)  # an empty night stays empty
    np.testing.assert_array_equal(plan[0], night)  # the plan given is not changed in place
    # Below the floor four more times: the level stops at its maximum, one decoy per attack drone.
    for _ in range(4):
        adapted = policy.adapt(plan, launched, leakers)
    assert policy.decoy_level == 1.0
    assert adapted[0, 0, GERBERA] == 4 + 10
    # At the floor or above it steps back down; nothing launched of a kind leaves its level alone.
    policy.adapt(plan, launched, counts(tables, {0: {SHAHED: 60}}))  # 60 of 600 = the floor
    assert policy.decoy_level == 0.75
    policy.adapt(plan, np.zeros_like(launched), np.zeros_like(leakers))
    assert policy.decoy_level == 0.75


def test_ballistic_missiles_replace_cruise_missiles_that_are_shot_down(tables: Tables) -> None:
    policy = adaptive(tables, missile_success_floor=0.3, ballistic_shift_step=0.1, max_ballistic_shift=0.5)
    launched = counts(tables, {0: {KH101: 20, ISKANDER: 10}, 2: {KH101: 20}})
    leakers = counts(tables, {0: {KH101: 2, ISKANDER: 9}, 2: {KH101: 2}})  # cruise: 4 of 40 get through
    night = counts(tables, {0: {SHAHED: 50, KH101: 25, ISKANDER: 4}, 3: {KH101: 9}})

    adapted = policy.adapt(night[np.newaxis], launched, leakers)[0]

    assert policy.ballistic_level == 0.1
    expected = night.copy()
    expected[0, KH101], expected[0, ISKANDER] = 25 - 2, 4 + 2  # floor(0.1 × 25) = 2 change type
    expected[3, KH101], expected[3, ISKANDER] = 9, 0  # floor(0.9) = 0
    np.testing.assert_array_equal(adapted, expected)
    assert adapted.sum() == night.sum()  # a shift, not an addition
    assert policy.decoy_level == 0 and policy.saturation_level == 0  # the other shifts stayed off


def test_drones_mass_on_the_region_where_most_got_through(tables: Tables) -> None:
    policy = adaptive(tables, saturation_floor=0.1, saturation_step=0.1, max_saturation=0.5)
    launched = counts(tables, {region: {SHAHED: 100} for region in range(6)})
    leakers = counts(tables, {region: {SHAHED: 8 if region == 3 else 2} for region in range(6)})  # 18 of 600
    night = counts(tables, {region: {SHAHED: 30, GERBERA: 20} for region in range(6)})
    night[0, KH101] = 5

    adapted = policy.adapt(night[np.newaxis], launched, leakers)[0]

    assert policy.saturation_level == 0.1
    expected = night.copy()
    for region in (0, 1, 2, 4, 5):
        expected[region, SHAHED] -= 3  # floor(0.1 × 30)
        expected[region, GERBERA] -= 2  # floor(0.1 × 20)
    expected[3, SHAHED] += 5 * 3
    expected[3, GERBERA] += 5 * 2
    np.testing.assert_array_equal(adapted, expected)  # Odesa (8 %) is the target; missiles stay where they were
    np.testing.assert_array_equal(adapted.sum(axis=0), night.sum(axis=0))  # every threat still flies


def test_the_fixed_plan_never_changes(tables: Tables) -> None:
    policy = adaptive(tables)  # no floor is ever crossed
    plan = counts(tables, {0: {SHAHED: 9, GERBERA: 3}})[np.newaxis]
    leakers = np.zeros_like(plan[0])
    np.testing.assert_array_equal(policy.adapt(plan, plan[0], leakers), plan)
    assert (policy.decoy_level, policy.ballistic_level, policy.saturation_level) == (0, 0, 0)


ADAPTIVE_VARIANT = f"""
extends: {BASELINE}
name: adaptive_adversary
horizon_days: 28
actors:
  adversary:
    raids:
      name: adaptive_raids
      params:
        drones_per_night: 175
        trend_per_month: 0.01
        dispersion: 3
        surge_probability: 0.05
        surge_multiplier: 3.5
        drone_mix: {{shahed: 0.55, gerbera: 0.45}}
        missile_strike_probability: 0.15
        missiles_per_strike: 60
        missile_mix: {{kh101: 0.6, iskander_m: 0.4}}
        review_days: 7
        drone_success_floor: 0.9
        decoys_per_drone_step: 0.5
"""


@pytest.fixture(scope="module")
def adaptive_variant(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("adaptive") / "adaptive_adversary.yaml"
    path.write_text(ADAPTIVE_VARIANT, encoding="utf-8")
    return path


def launched_by_night(scenario: Scenario, seed: int) -> np.ndarray:
    model = run_model(scenario, seed)
    series = model.ledger.series
    column = model.ledger.series_names.index("ukraine_launched")
    return series[:, column]


def test_adaptive_raids_answer_the_defence_in_a_run_and_stay_a_function_of_the_seed(adaptive_variant: Path) -> None:
    adaptive_scenario = load_scenario(adaptive_variant, overrides=["events=[]"])
    fixed_scenario = load_scenario(BASELINE, overrides=["horizon_days=28", "events=[]"])
    adaptive_nights = launched_by_night(adaptive_scenario, 5)
    fixed_nights = launched_by_night(fixed_scenario, 5)
    # Until the first review (day 7) both launch the same plan, drawn from the same stream with the same
    # parameters (the variant restates the baseline's: switching a policy's name drops the old params).
    np.testing.assert_array_equal(adaptive_nights[:7], fixed_nights[:7])
    # Far more than 10 % of attack drones are shot down: every review adds half a decoy per attack drone.
    assert (adaptive_nights[7:] >= fixed_nights[7:]).all()
    assert adaptive_nights[7:].sum() > 1.2 * fixed_nights[7:].sum()
    np.testing.assert_array_equal(launched_by_night(adaptive_scenario, 5), adaptive_nights)


def test_a_variant_selects_the_adaptive_raids_and_runs_from_the_command_line(
    adaptive_variant: Path, tmp_path: Path
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        app, ["run", str(adaptive_variant), "-n", "2", "-w", "1", "--no-report", "--out", str(tmp_path / "runs")]
    )
    assert result.exit_code == 0, result.output
    assert "adaptive_adversary" in result.output


def test_a_misspelt_adaptive_parameter_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(ADAPTIVE_VARIANT.replace("review_days: 7", "reveiw_days: 7"), encoding="utf-8")
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0
    assert f"{path}:" in result.output
    assert "actors.adversary.raids.params.reveiw_days" in result.output
    assert "review_days" in result.output  # the suggestion


def test_production_grows_by_its_yearly_rate(tables: Tables) -> None:
    scenario = load_scenario(BASELINE, overrides=["horizon_days=30"])
    model = run_model(scenario, 1)
    adversary = model.adversary
    shahed = tables.threat_index("shahed")
    start_per_day = 5500 / 30
    # 30 days of compounding at (1 + 0.1)^(1/365) a day: the day-31 rate in closed form.
    assert adversary.production_per_day[shahed] == pytest.approx(start_per_day * 1.1 ** (30 / 365), rel=1e-12)
    kh101 = tables.threat_index("kh101")
    assert adversary.production_per_day[kh101] == 170 / 30  # no growth given: unchanged
