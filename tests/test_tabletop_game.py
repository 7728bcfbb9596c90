"""The tabletop game engine: timing of decisions, played actors' policies standing down, and every decision
checked against what the actor can do — refused with a clear reason, recorded in the ledger."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from sim.api import load_scenario
from sim.model.metrics import compute_metrics
from sim.model.run import run_model
from sim.scenario.model import Objective
from sim.tabletop.decisions import parse_entry
from sim.tabletop.game import Game, GameOver
from sim.tabletop.sitrep import build_sitrep, objective_status, render_sitrep, sitrep_figure_data

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE, overrides=["horizon_days=28"])


def entry(scenario, text: str):
    return parse_entry(text, scenario)


def apply(game: Game, text: str):
    return game.apply(entry(game.scenario, text))


def same_metrics(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_a_game_without_decisions_is_a_plain_run():
    scenario = load_scenario(BASELINE, overrides=["horizon_days=60"])
    plain = run_model(scenario, 11)
    game = Game(scenario, 11, turn_days=7)
    while not game.finished:
        game.run_turn()
    assert game.turn == 9 and game.day == 60  # 8 turns of 7 days and one of 4
    assert np.array_equal(plain.ledger.series, game.model.ledger.series)
    assert same_metrics(compute_metrics(plain.ledger), compute_metrics(game.model.ledger))
    with pytest.raises(GameOver):
        game.run_turn()


def test_decisions_take_effect_at_the_start_of_the_next_turn(scenario):
    game = Game(scenario, 1, turn_days=7)
    game.run_turn()
    game.run_turn()
    assert game.turn == 2 and game.day == 14  # decision point 2 stands at the start of day 14
    game.play(["DE"])
    tables = game.model.tables
    de, patriot = tables.region_index("DE"), tables.effector_index("patriot")
    at_home = int(game.model.fire_units[de, patriot])
    depot = int(game.model.ukraine.depot_fire_units[patriot])
    result = apply(game, "{actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}}")
    assert result.done and result.day == 14 and result.message == "DE gives UA 1 patriot"
    assert game.model.fire_units[de, patriot] == at_home - 1
    assert game.model.ukraine.depot_fire_units[patriot] == depot + 1
    assert game.model.ledger.fire_units_donated["patriot"] == 1


def test_played_member_state_stands_down_from_its_policies(scenario):
    free = Game(scenario, 3, turn_days=7)
    played = Game(scenario, 3, turn_days=7)
    played.set_played({"PL"})
    for game in (free, played):
        while not game.finished:
            game.run_turn()
    assert sum(free.model.market.on_order["PL"].values()) > 0  # PL's stock-cover policy orders on day 0
    assert sum(played.model.market.on_order["PL"].values()) == 0  # nobody ordered for PL
    assert sum(played.model.market.on_order["DE"].values()) == sum(free.model.market.on_order["DE"].values())


def test_played_nato_keeps_the_pool_where_the_players_put_it(scenario):
    game = Game(scenario, 5, turn_days=7)
    game.set_played({"NATO"})
    result = apply(game, "{actor: NATO, kind: move, effector: patriot, units: 1, to: EE}")
    assert result.done and result.message == "NATO moves 1 patriot to EE (1 from FI)"
    tables = game.model.tables
    ee, fi = tables.region_index("EE"), tables.region_index("FI")
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    assert game.model.fire_units[ee, patriot] == 1 and game.model.fire_units[fi, patriot] == 0
    assert game.model.munitions[ee, pac3] > 0  # the unit carried its interceptors
    while not game.finished:
        game.run_turn()
    assert game.model.fire_units[ee, patriot] == 1  # the sentry policy did not move it back
    assert game.model.nato.moves == 2  # the starting positions, and the players' move


def test_released_actor_follows_its_policy_again(scenario):
    game = Game(scenario, 5, turn_days=7)
    game.set_played({"NATO", "DE"})
    assert game.model.nato.played and game.model.member_state("DE").played
    game.set_played({"DE"})
    assert not game.model.nato.played and game.played == frozenset({"DE"})
    with pytest.raises(ValueError, match="not playable in this scenario: XX"):
        game.set_played({"XX"})


def test_decision_by_an_actor_not_played_is_a_programming_error(scenario):
    game = Game(scenario, 1, turn_days=7)
    with pytest.raises(ValueError, match="DE is not played"):
        apply(game, "{actor: DE, kind: order, item: pac3_mse, units: 1}")


@pytest.mark.parametrize(
    ("played", "text", "message"),
    [
        (
            "DE",
            "{actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 10}}",
            "DE gives UA 10 patriot: refused — DE has only 5 patriot at home",  # 6, one in the NATO pool
        ),
        (
            "DE",
            "{actor: DE, kind: transfer, recipient: UA, interceptors: {aster30: 5}}",
            "DE gives UA 5 aster30: refused — DE has only 0 aster30 at home",
        ),
        (
            "EE",
            "{actor: EE, kind: order, item: patriot, units: 2}",
            "EE orders 2 patriot: refused — cannot afford one patriot at €300,000,000 (budget left €150.0M)",
        ),
        (
            "PL",
            "{actor: PL, kind: order, item: pac3_mse, units: 5, supplier: diehl}",
            "PL orders 5 pac3_mse: refused — diehl does not make pac3_mse",
        ),
        (
            "DE",
            "{actor: DE, kind: move, effector: samp_t, units: 1, to: PL}",
            "DE moves 1 samp_t to PL: refused — DE has only 0 samp_t at home",
        ),
        (
            "NATO",
            "{actor: NATO, kind: move, effector: patriot, units: 1, to: DE}",
            "NATO moves 1 patriot to DE: refused — the rotational pool stands on the eastern flank "
            "(PL, RO, FI, EE, LV, LT); DE is not on it",
        ),
        (
            "NATO",
            "{actor: NATO, kind: move, effector: patriot, units: 1, to: EE, from: PL}",
            "NATO moves 1 patriot to EE from PL: refused — the pool has only 0 patriot in PL",
        ),
        (
            "NATO",
            "{actor: NATO, kind: move, effector: patriot, units: 3, to: EE}",
            "NATO moves 3 patriot to EE: refused — the pool has only 2 patriot on the flank outside EE",
        ),
        (
            "EU",
            "{actor: EU, kind: fund_ukraine_industry, meur: 2000}",
            "EU funds Ukraine's industry with €2,000M: refused — the EU has €1,800M left: €300M of this year's "
            "Ukraine-industry line and €1,500M of EDIP grants",
        ),
        (
            "LV",
            "{actor: LV, kind: fund_ukraine_industry, meur: 200}",
            "LV funds Ukraine's industry with €200M: refused — LV has only €150.0M of its budget left",
        ),
        (
            "EU",
            "{actor: EU, kind: joint_round}",
            "the EU runs a joint procurement round now: refused — no member state has pooled demand for a joint round",
        ),
        (
            "UA",
            "{actor: UA, kind: allocate, region: kyiv, fire_units: {patriot: 1}}",
            "UA sends kyiv 1 patriot: refused — the depot holds only 0 patriot",
        ),
        (
            "UA",
            "{actor: UA, kind: move, effector: nasams, units: 9, from: lviv, to: kyiv}",
            "UA moves 9 nasams from lviv to kyiv: refused — lviv has 1 nasams",
        ),
    ],
)
def test_refused_decisions_say_why(scenario, played, text, message):
    game = Game(scenario, 2, turn_days=7)
    game.set_played({played})
    if played == "UA":
        game.run_turn()  # the starting inventory is spread on day 0; the depot is then empty of fire units
    refused_before = len(game.model.ledger.refused)
    result = apply(game, text)
    assert not result.done
    assert result.message == message
    assert len(game.model.ledger.refused) == refused_before + 1
    assert game.model.ledger.refused[-1] == f"day {game.day}: " + message.replace(": refused — ", ": ", 1)


def test_eu_funding_draws_on_the_line_then_on_edip(scenario):
    game = Game(scenario, 1, turn_days=7)
    game.set_played({"EU"})
    eu = game.model.eu
    result = apply(game, "{actor: EU, kind: fund_ukraine_industry, meur: 500}")
    assert result.message == (
        "EU funds Ukraine's interceptor-drone industry with €500M (€300M from the Ukraine line, €200M from EDIP grants)"
    )
    assert eu.ukraine_line_left_eur(0) == 0.0
    assert eu.edip_left_eur == pytest.approx(1300e6)
    assert game.model.ledger.ukraine_industry_funding_eur == pytest.approx(500e6)
    # Played, the EU's yearly line is no longer paid automatically: on day 0 only Ukraine's own money (30 days of
    # €500M a year) joins the EU's €500M.
    while not game.finished:
        game.run_turn()
    assert game.model.ledger.ukraine_industry_funding_eur == pytest.approx(500e6 + 500e6 * 30 / 365)
    assert eu.ukraine_line_paid_eur == {0: 300e6}


def test_member_state_funding_is_paid_from_its_budget(scenario):
    game = Game(scenario, 1, turn_days=7)
    game.set_played({"DK"})
    budget = game.model.member_state("DK").budget
    before = budget.available_eur
    assert before == pytest.approx(500e6)  # the first budget year is open at decision point 0
    result = apply(game, "{actor: DK, kind: fund_ukraine_industry, meur: 120}")
    assert result.done and budget.available_eur == pytest.approx(before - 120e6)


def test_joint_order_is_placed_when_the_eu_brings_the_round_forward(scenario):
    game = Game(scenario, 1, turn_days=7)
    game.set_played({"PL", "EU"})
    assert apply(game, "{actor: PL, kind: order, item: pac3_mse, units: 200, joint: true}").message == (
        "PL orders 200 pac3_mse through EU joint procurement: pooled for the next joint round"
    )
    assert game.model.market.on_order["PL"]["pac3_mse"] == 0
    result = apply(game, "{actor: EU, kind: joint_round}")
    assert result.done and "200 pac3_mse" in result.message
    assert game.model.market.on_order["PL"]["pac3_mse"] == 200


def test_ukraine_allocates_from_its_depot_and_moves_between_regions(scenario):
    game = Game(scenario, 4, turn_days=7)
    game.set_played({"UA"})
    game.run_turn()  # week 1: the industry delivers interceptor drones to the depot; nobody allocates them
    tables = game.model.tables
    drone = tables.munition_index("interceptor_drone")
    in_depot = int(game.model.ukraine.depot_munitions[drone])
    assert in_depot > 0
    kharkiv = tables.region_index("kharkiv")
    before = int(game.model.munitions[kharkiv, drone])
    result = apply(
        game, f"{{actor: UA, kind: allocate, region: kharkiv, interceptors: {{interceptor_drone: {in_depot}}}}}"
    )
    assert result.done
    assert game.model.munitions[kharkiv, drone] == before + in_depot
    assert game.model.ukraine.depot_munitions[drone] == 0
    patriot = tables.effector_index("patriot")
    lviv, kyiv = tables.region_index("lviv"), tables.region_index("kyiv")
    units = int(game.model.fire_units[lviv, patriot]), int(game.model.fire_units[kyiv, patriot])
    assert apply(game, "{actor: UA, kind: move, effector: patriot, units: 1, from: lviv, to: kyiv}").done
    assert (game.model.fire_units[lviv, patriot], game.model.fire_units[kyiv, patriot]) == (units[0] - 1, units[1] + 1)


def test_injects_happen_on_the_day_of_the_decision_point(scenario):
    game = Game(scenario, 1, turn_days=7)
    game.run_turn()
    tables = game.model.tables
    ee = tables.region_index("EE")
    result = apply(game, "{kind: incursion, target: EE, drones: 12, threat: shahed, airport_closure_hours: 5}")
    assert result.done and result.message == "12 shahed enter EE's airspace"
    assert game.model.incursion_history[7, ee] == 1
    window = game.run_turn()
    report = build_sitrep(game, window)
    row = next(row for row in report.incursions if row.region == "EE")
    assert row.threats == 12 and row.airport_closure_hours == 5


@pytest.mark.parametrize(("in_addition", "on_top"), [("", False), (", in_addition: true", True)])
def test_a_raid_inject_replaces_that_nights_planned_raid_unless_in_addition(scenario, in_addition, on_top):
    plain, injected = Game(scenario, 2, turn_days=7), Game(scenario, 2, turn_days=7)
    for game in (plain, injected):
        game.run_turn()
    result = apply(injected, f"{{kind: raid, drones: 900, missiles: 10{in_addition}}}")
    planned = "on top of" if on_top else "in place of"
    assert result.done and result.day == 7
    assert result.message == f"a raid of 900 drones and 10 missiles on Ukraine tonight, {planned} the planned raid"
    for game in (plain, injected):
        while not game.finished:
            game.run_turn()
    column = plain.model.ledger.column("ukraine_launched")
    before, after = plain.model.ledger.series[:, column], injected.model.ledger.series[:, column]
    assert before[7] > 0 and after[7] == (before[7] if on_top else 0) + 910
    assert np.array_equal(np.delete(after, 7), np.delete(before, 7))


def test_sitrep_covers_the_turn(scenario):
    game = Game(scenario, 1, turn_days=7)
    start = build_sitrep(game, None)
    assert start.turn == 0 and not start.sides and start.budgets[0].budget_left_meur == pytest.approx(4000)
    window = game.run_turn()
    report = build_sitrep(game, window)
    assert report.title == "Turn 1 of 4 — days 0–6 (01 Sep – 07 Sep 2025)"
    ukraine = report.sides[0]
    series = game.model.ledger.series
    column = game.model.ledger.column
    assert ukraine.launched == int(series[0:7, column("ukraine_launched")].sum())
    assert ukraine.leakers == int(series[0:7, column("ukraine_leakers")].sum())
    assert report.numbers["ukraine_launched"] == ukraine.launched
    assert [o.name for o in report.objectives] == [o.name for o in scenario.objectives]
    assert any(line.startswith("Scheduled event day 6") for line in report.highlights)
    assert render_sitrep(report) is not None


def test_the_turn_figure_shows_the_stock_day_by_day_within_the_turn():
    # A 30-day turn: the stock panel of turn 1 holds every day's stock, the same as a game stopping every day
    # records at its decision points. It used to hold day 0 and day 30 only, so the fall showed a turn late.
    scenario = load_scenario(BASELINE, overrides=["horizon_days=30"])
    game = Game(scenario, 1, turn_days=30)
    data = sitrep_figure_data(game, build_sitrep(game, game.run_turn()))
    daily = Game(scenario, 1, turn_days=1)
    while not daily.finished:
        daily.run_turn()
    assert data.stock_days == list(range(31))
    names = list(daily.model.tables.munition_names)
    for name, values in data.stock_by_interceptor.items():
        assert values == [float(stock[names.index(name)]) for _, stock in daily.stock_history]
    iris_t = data.stock_by_interceptor["iris_t"]
    assert iris_t[0] == 188 and iris_t[5] == 145 and iris_t[30] == 108  # falls in the first week already


@pytest.mark.parametrize(
    ("metric", "direction", "threshold", "value", "days", "status"),
    [
        ("ukraine_drone_intercept_rate", ">=", 0.85, 0.9, 7, "on track"),
        ("ukraine_drone_intercept_rate", ">=", 0.85, 0.8, 7, "off track"),
        ("nato_leakers", "<=", 5, 6, 7, "missed"),
        ("nato_leakers", "<=", 5, 1, 7, "on track"),  # 1 × 28/7 = 4 ≤ 5
        ("nato_leakers", "<=", 5, 2, 7, "at risk"),  # 2 × 28/7 = 8 > 5
        ("ukraine_industry_output", ">=", 100, 30, 7, "on track"),  # 120 ≥ 100
        ("ukraine_industry_output", ">=", 100, 100, 7, "met"),
        ("nato_leakers", "<=", 5, 5, 28, "met"),
        ("nato_leakers", "<=", 5, 6, 28, "not met"),
        ("nato_leakers", "<=", 5, 0, 0, "no data yet"),
        ("ukraine_drone_intercept_rate", ">=", 0.85, float("nan"), 7, "no data yet"),
    ],
)
def test_objective_status_rules(metric, direction, threshold, value, days, status):
    objective = Objective(name="o", metric=metric, threshold=float(threshold), direction=direction)
    assert objective_status(objective, value, days, 28).status == status
