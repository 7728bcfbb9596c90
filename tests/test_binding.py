"""The binding-constraint ledger and Ukraine's launch teams.

Kernel nights with hand-computed reasons (channels, magazine, reserve, nothing, a shoot-look-shoot follow-up);
the night's classification per side and layer (crews, detection, ties, absent units); the metric families over
real runs (shares sum to 1, NaN where a layer never faced threats, idle stock conserved); the launch-team rule
in closed form; located errors for the new fields; the metrics on the command line.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.api import load_scenario
from sim.cli import app
from sim.model.engagement import LayerSpec, resolve_night
from sim.model.engagement.binding import book_binding
from sim.model.engagement.constraints import CONSTRAINTS, LAYERS, SIDES
from sim.model.metrics import compute_metrics
from sim.model.world import AirDefenceModel
from sim.scenario.calendar import DAYS_PER_YEAR

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
C = {name: index for index, name in enumerate(CONSTRAINTS)}


def drone_layer(*, k: int = 1, look: bool = False, p: float = 0.5, priority: bool = False) -> LayerSpec:
    """One layer over [drone, missile]; engages both (missiles first when ``priority``)."""
    return LayerSpec(
        name="layer",
        kill_probability=np.array([p, p]),
        engages=np.array([True, True]),
        shots_per_target=k,
        shoot_look_shoot=look,
        munition_index=0,
        cost_per_shot_eur=1.0,
        priority=np.array([1, 0]) if priority else None,
    )


def night(layer: LayerSpec, drones: int, channels: int, stock: int, reserve: int = 0) -> np.ndarray:
    outcome = resolve_night(
        [layer], [[drones, 0]], [[channels]], [[stock]], np.random.default_rng(1), reserve_rounds=[[reserve]]
    )
    assert outcome.candidates is not None and outcome.unserved is not None
    assert outcome.candidates[0, 0] == drones
    return outcome.unserved[0, 0]


# --- what the kernel counts ---------------------------------------------------------------------------


def test_fire_channels_bind_when_candidates_exceed_channels_and_rounds_remain() -> None:
    # 10 drones, 4 channels, 100 rounds: 4 engaged, 6 unserved for want of channels.
    assert night(drone_layer(), 10, 4, 100).tolist() == [6, 0, 0]


def test_magazine_binds_when_rounds_run_short_before_channels() -> None:
    # 10 drones, 20 channels, 3 rounds (salvo of 1): 3 engaged, 7 for want of rounds.
    assert night(drone_layer(), 10, 20, 3).tolist() == [0, 7, 0]
    # a salvo of 2 from 7 rounds: floor(7/2) = 3 targets, 7 unserved; channels (3) equal the magazine limit
    # (3) -> the tie goes to channels.
    assert night(drone_layer(k=2), 10, 3, 7).tolist() == [7, 0, 0]


def test_reserve_holds_rounds_back_from_drones() -> None:
    # 10 drones, 20 channels, 12 rounds, 8 held for missiles: 12 − 8 = 4 fired at drones; without the reserve
    # min(10, 20, 12) = 10: 6 held back by the reserve, none by channels or magazine.
    assert night(drone_layer(priority=True), 10, 20, 12, reserve=8).tolist() == [0, 0, 6]
    # reserve and magazine together: 10 rounds, 8 held: 2 fired; n0 = min(10, 20, 10) = 10 -> 8 reserve, 0 else.
    assert night(drone_layer(priority=True), 10, 20, 10, reserve=8).tolist() == [0, 0, 8]
    # 30 drones, 20 channels, 12 rounds, reserve 8: n0 = 12 (magazine tighter than channels): 18 magazine, 8 reserve.
    assert night(drone_layer(priority=True), 30, 20, 12, reserve=8).tolist() == [0, 18, 8]


def test_nothing_binds_when_every_candidate_is_served() -> None:
    assert night(drone_layer(), 5, 10, 100).tolist() == [0, 0, 0]


def test_shoot_look_shoot_follow_up_short_of_rounds_is_magazine() -> None:
    # p = 0: every target survives its first shot. 5 engaged (7 rounds), 2 rounds left for 5 follow-ups: 3 short.
    assert night(drone_layer(k=2, look=True, p=0.0), 5, 10, 7).tolist() == [0, 3, 0]


def test_bookkeeping_leaves_the_draws_alone() -> None:
    """The same night with and without a binding limit draws identically where it engages identically."""
    layer = drone_layer(p=0.3)
    first = resolve_night([layer], [[50, 0]], [[50]], [[100]], np.random.default_rng(7))
    second = resolve_night([layer], [[50, 0]], [[50]], [[100]], np.random.default_rng(7))
    assert first.killed.tolist() == second.killed.tolist()
    assert int(np.random.default_rng(7).binomial(50, 0.3)) == int(first.killed.sum())


# --- one constraint per side, layer and night --------------------------------------------------------


def book(
    fire_units: list[list[int]],
    candidates: list[list[int]],
    unserved: list[list[list[int]]],
    unseen: list[list[int]],
    layers: list[int],
    crewed: list[bool],
    side: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    regions, effectors = len(fire_units), len(fire_units[0])
    binding_nights = np.zeros((len(SIDES), len(LAYERS), len(CONSTRAINTS)), dtype=np.int64)
    region_nights = np.zeros((regions, effectors, len(CONSTRAINTS)), dtype=np.int64)
    book_binding(
        np.arange(regions, dtype=np.int64),
        np.array(fire_units, dtype=np.int64),
        np.zeros((effectors, 2), dtype=np.int64),  # every effector engages both types
        np.array(candidates, dtype=np.int64),
        np.array(unserved, dtype=np.int64).reshape(regions, effectors, 3),
        np.array(unseen, dtype=np.int64),
        np.array(layers, dtype=np.int64),
        np.array(crewed, dtype=np.bool_),
        side,
        binding_nights,
        region_nights,
    )
    return binding_nights, region_nights


def test_a_layers_night_goes_to_the_constraint_that_left_most_threats_without_fire() -> None:
    gun, drones = LAYERS.index("gun"), LAYERS.index("interceptor_drone")
    # Two regions; effector 0 a gun, effector 1 crewed launch teams.
    # Region 0: gun short of rounds for 5; teams' channels full for 3.  Region 1: gun short of channels for 7;
    # teams served everything.  Gun layer: magazine 5 < channels 7 -> fire_channels; teams: crews.
    nights, regions = book(
        fire_units=[[1, 1], [1, 1]],
        candidates=[[10, 8], [9, 2]],
        unserved=[[[0, 5, 0], [3, 0, 0]], [[7, 0, 0], [0, 0, 0]]],
        unseen=[[0, 0], [0, 0]],
        layers=[gun, drones],
        crewed=[False, True],
    )
    assert nights[0, gun].tolist() == [1, 0, 0, 0, 0, 0]
    assert nights[0, drones, C["crews"]] == 1 and nights[0, drones].sum() == 1
    assert regions[0, 0, C["magazine"]] == 1 and regions[1, 0, C["fire_channels"]] == 1
    assert regions[0, 1, C["crews"]] == 1 and regions[1, 1, C["none"]] == 1
    assert nights[1].sum() == 0  # the other side untouched


def test_unseen_threats_book_detection_and_ties_go_to_the_earlier_constraint() -> None:
    gun = LAYERS.index("gun")
    # 4 unseen against 4 short of rounds: a tie between magazine and detection -> magazine (earlier).
    nights, _ = book([[1]], [[6]], [[[0, 4, 0]]], [[3, 1]], [gun], [False], side=1)
    assert nights[1, gun, C["magazine"]] == 1
    nights, _ = book([[1]], [[6]], [[[0, 3, 0]]], [[3, 1]], [gun], [False], side=1)
    assert nights[1, gun, C["detection"]] == 1
    # everything unseen: the layer still faced threats, and detection bound.
    nights, _ = book([[1]], [[0]], [[[0, 0, 0]]], [[2, 0]], [gun], [False], side=1)
    assert nights[1, gun, C["detection"]] == 1


def test_a_layer_without_fire_units_in_a_region_does_not_face_its_threats() -> None:
    gun = LAYERS.index("gun")
    nights, regions = book([[0]], [[6]], [[[6, 0, 0]]], [[0, 0]], [gun], [False])
    assert nights.sum() == 0 and regions.sum() == 0
    nights, _ = book([[2]], [[0]], [[[0, 0, 0]]], [[0, 0]], [gun], [False])
    assert nights.sum() == 0  # no threat, no night booked


# --- the metric families over real runs ---------------------------------------------------------------


@pytest.fixture(scope="module")
def baseline_model() -> AirDefenceModel:
    model = AirDefenceModel(load_scenario(BASELINE, overrides=["horizon_days=40"]), 3)
    model.run()
    return model


def test_shares_sum_to_one_per_side_and_layer_and_are_nan_where_never_faced(baseline_model: AirDefenceModel) -> None:
    metrics = compute_metrics(baseline_model.ledger)
    nights = baseline_model.ledger.binding_nights
    for side_index, side in enumerate(SIDES):
        for layer_index, layer in enumerate(LAYERS):
            shares = [metrics[f"binding_nights_share.{side}.{layer}.{c}"] for c in CONSTRAINTS]
            if nights[side_index, layer_index].sum() == 0:
                assert all(math.isnan(share) for share in shares), (side, layer)
            else:
                assert sum(shares) == pytest.approx(1.0, abs=1e-12), (side, layer)
    # Ukraine's layers fight every night; NATO has no interceptor-drone teams in the baseline.
    assert nights[0, LAYERS.index("ew")].sum() == 40
    assert math.isnan(metrics["binding_nights_share.nato.interceptor_drone.none"])
    # Crew-served layers book crews, never fire channels.
    assert nights[0, LAYERS.index("interceptor_drone"), CONSTRAINTS.index("fire_channels")] == 0


def test_idle_stock_is_what_was_held_made_and_delivered_but_not_fired(baseline_model: AirDefenceModel) -> None:
    scenario, ledger, tables = baseline_model.spec, baseline_model.ledger, baseline_model.tables
    metrics = compute_metrics(ledger)
    for index, item in enumerate(tables.interceptor_names):
        start = sum(state.inventory.interceptors[item].as_int() for state in scenario.actors.member_states.values()
                    if item in state.inventory.interceptors)  # fmt: skip
        ukraine = scenario.actors.ukraine.inventory.interceptors
        start += ukraine[item].as_int() if item in ukraine else 0
        made = ledger.ukraine_industry_output if item == scenario.actors.ukraine.industry.interceptor else 0
        expected = start + made + ledger.units_delivered.get(item, 0) - int(ledger.shots[:, index].sum())
        assert metrics[f"idle_stock_end.{item}"] == expected, item
    posture = baseline_model.posture
    drones = tables.munition_index("interceptor_drone")
    on_hand = int(posture.munitions[:, drones].sum() + posture.depot_munitions[drones])
    assert metrics["idle_stock_end.interceptor_drone"] == on_hand


def test_unspent_budget_names_the_eu_every_member_state_and_ukraines_aid(baseline_model: AirDefenceModel) -> None:
    metrics = compute_metrics(baseline_model.ledger)
    actors = {key.partition(".")[2] for key in metrics if key.startswith("unspent_budget_meur.")}
    assert actors == {"EU", "ukraine_aid", *baseline_model.spec.actors.member_states}
    assert metrics["unspent_budget_meur.EU"] * 1e6 == pytest.approx(baseline_model.eu.edip_left_eur)
    assert metrics["unspent_budget_meur.PL"] * 1e6 == pytest.approx(
        baseline_model.member_state("PL").budget.available_eur
    )


# --- launch teams -----------------------------------------------------------------------------------------

OWN_TRANCHE_EUR = 500e6 * 30 / DAYS_PER_YEAR
TEAM_RULE = [
    "horizon_days=50",
    "actors.eu.ukraine_industry_funding_meur_per_year=0",
    "actors.ukraine.industry.investment_share=0",
]


def teams_held(model: AirDefenceModel) -> int:
    team = model.tables.effector_index("interceptor_drone_team")
    posture = model.posture
    return int(posture.fire_units[model.tables.ukraine_regions, team].sum() + posture.depot_fire_units[team])


def test_teams_at_the_rules_ratio_buy_no_more() -> None:
    # capacity 10,000 a month / 125 drones per team = 80 teams = the 80 held: nothing bought.
    model = AirDefenceModel(load_scenario(BASELINE, overrides=TEAM_RULE), 1)
    model.run()
    assert model.ukraine.launch_teams_bought == 0 and teams_held(model) == 80


def test_missing_teams_are_paid_first_and_join_after_their_training() -> None:
    # ratio 50: 10,000 / 50 = 200 wanted, 80 held -> 120 missing at 0.15 M€ = 18 M€, within the first tranche of
    # own funding (500 M€ × 30/365 = 41.1 M€ = OWN_TRANCHE_EUR). They join the depot on day 45 (0 + 45 training days).
    scenario = load_scenario(
        BASELINE, overrides=[*TEAM_RULE, "actors.ukraine.industry.drones_per_launch_team_per_month=50"]
    )
    model = AirDefenceModel(scenario, 1)
    model.run_for(45)  # days 0..44
    assert model.ukraine.launch_teams_bought == 120
    assert teams_held(model) == 80 and model.ledger.ukraine_launch_teams_trained == 0
    model.step()  # day 45
    assert teams_held(model) == 200 and model.ledger.ukraine_launch_teams_trained == 120
    # the teams' 18 M€ came out of the drones: exactly 120 × 0.15 M€ / 3,700 € fewer drones paid for.
    without = AirDefenceModel(load_scenario(BASELINE, overrides=TEAM_RULE), 1)
    without.run_for(46)
    paid = model.ukraine.paid_units + model.ukraine.produced
    assert without.ukraine.paid_units + without.ukraine.produced - paid == pytest.approx(120 * 0.15e6 / 3700)


def test_teams_are_bought_as_far_as_the_money_goes() -> None:
    # at 10 M€ a team each tranche pays for as many of the 120 missing as it covers, and no more.
    scenario = load_scenario(
        BASELINE,
        overrides=[
            *TEAM_RULE,
            "actors.ukraine.industry.drones_per_launch_team_per_month=50",
            "catalog.effectors.interceptor_drone_team.fire_unit_cost_meur=10",
        ],
    )
    model = AirDefenceModel(scenario, 1)
    model.run_for(30)  # days 0..29: one tranche of own funding
    assert int(OWN_TRANCHE_EUR // 10e6) == 4
    assert model.ukraine.launch_teams_bought == 4
    model.step()  # day 30: Denmark's 340 M€ (an event, before decisions) pays for 34, then own funding for 4
    assert model.ukraine.launch_teams_bought == 4 + 34 + 4


def test_more_teams_lift_the_drone_intercept_rate_where_crews_bind() -> None:
    few = load_scenario(BASELINE, overrides=["horizon_days=30"])
    many = load_scenario(
        BASELINE, overrides=["horizon_days=30", "actors.ukraine.inventory.fire_units.interceptor_drone_team=240"]
    )
    metrics = []
    for scenario in (few, many):
        model = AirDefenceModel(scenario, 2)
        model.run()
        metrics.append(compute_metrics(model.ledger))
    assert metrics[0]["binding_nights_share.ukraine.interceptor_drone.crews"] > 0
    assert metrics[1]["ukraine_drone_intercept_rate"] > metrics[0]["ukraine_drone_intercept_rate"]


def test_a_launch_team_that_is_not_an_effector_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: bad_team\nactors:\n  ukraine:\n    industry:\n"
        "      launch_team: interceptor_drone_teams\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "1000"})
    assert result.exit_code != 0
    assert "variant.yaml:6:" in result.output
    assert "actors.ukraine.industry.launch_team" in result.output
    assert "interceptor_drone_team" in result.output  # the closest valid name
    assert "Traceback" not in result.output


def test_a_launch_team_firing_another_interceptor_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: bad_team\nactors:\n  ukraine:\n    industry:\n      launch_team: piorun_team\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "1000"})
    assert result.exit_code != 0
    assert "actors.ukraine.industry.launch_team" in result.output
    assert "fires 'piorun', not the industry's interceptor 'interceptor_drone'" in result.output


def test_sim_metrics_documents_the_ledgers_families() -> None:
    result = CliRunner().invoke(app, ["metrics"], env={"COLUMNS": "1000"})
    assert result.exit_code == 0
    for family in ("binding_nights_share", "idle_stock_end", "unspent_budget_meur", "ukraine_launch_teams_trained"):
        assert family in result.output
