"""Tests of the whole model (sim/model/world.py and the agents): determinism, common random numbers,
conservation over real runs, events on their day, refusals, every shipped scenario, and plausibility of the
baseline against the public figures (shared/reference/public-figures.md).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.api import load_scenario
from sim.model.industry import Delivery
from sim.model.metrics import compute_metrics
from sim.model.run import run_replication
from sim.model.world import AirDefenceModel
from sim.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))


@pytest.fixture(scope="module")
def baseline_40() -> Scenario:
    return load_scenario(BASELINE, overrides=["horizon_days=40"])


def write_variant(tmp_path: Path, body: str) -> Path:
    """A scenario file extending the shipped baseline (lists without names replace the baseline's)."""
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {BASELINE}\nname: test_variant\n{body}", encoding="utf-8")
    return path


def same_results(first: dict, second: dict) -> bool:
    """Metrics equal (NaN equal to NaN) and every daily series equal bit for bit."""
    metrics_a, metrics_b = first["metrics"], second["metrics"]
    if list(metrics_a) != list(metrics_b):
        return False
    if any(np.float64(metrics_a[k]).tobytes() != np.float64(metrics_b[k]).tobytes() for k in metrics_a):
        return False
    series_a, series_b = first["timeseries"], second["timeseries"]
    return list(series_a) == list(series_b) and all(series_a[k].tobytes() == series_b[k].tobytes() for k in series_a)


# --------------------------------------------------------------------------------------------------
# Determinism and common random numbers
# --------------------------------------------------------------------------------------------------


def test_same_scenario_and_seed_give_identical_results(baseline_40: Scenario) -> None:
    first = run_replication(baseline_40, 5)
    assert same_results(first, run_replication(baseline_40, 5))
    assert len(first["timeseries"]["ukraine_launched"]) == 40


def test_different_seeds_give_different_raids(baseline_40: Scenario) -> None:
    first, second = run_replication(baseline_40, 5), run_replication(baseline_40, 6)
    assert not same_results(first, second)
    assert not np.array_equal(first["timeseries"]["ukraine_launched"], second["timeseries"]["ukraine_launched"])


def test_common_random_numbers_same_raids_whatever_the_defence() -> None:
    overrides = ["horizon_days=60"]
    stronger = [
        *overrides,
        "actors.ukraine.inventory.fire_units.patriot=30",
        "actors.ukraine.inventory.interceptors.pac3_mse=600",
        "actors.member_states.PL.inventory.fire_units.patriot=8",
    ]
    plain = run_replication(load_scenario(BASELINE, overrides=overrides), 11)
    defended = run_replication(load_scenario(BASELINE, overrides=stronger), 11)
    for series in ("ukraine_launched", "ukraine_drone_launched", "nato_launched"):
        assert np.array_equal(plain["timeseries"][series], defended["timeseries"][series]), series
    # The same threats at the same cost; only the order of the sum differs (seen and unseen in NATO airspace).
    np.testing.assert_allclose(
        plain["timeseries"]["attacker_cost_meur"], defended["timeseries"]["attacker_cost_meur"], rtol=1e-12
    )
    # The defence did change: more Patriot fire, more missiles down.
    assert defended["metrics"]["shots.pac3_mse"] > plain["metrics"]["shots.pac3_mse"]
    assert defended["metrics"]["ukraine_missile_intercept_rate"] > plain["metrics"]["ukraine_missile_intercept_rate"]


# --------------------------------------------------------------------------------------------------
# Conservation over real runs
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("path", "seed"), [(BASELINE, 1), (ROOT / "scenarios" / "escalation.yaml", 2)])
def test_conservation_day_by_day(path: Path, seed: int) -> None:
    model = AirDefenceModel(load_scenario(path, overrides=["horizon_days=90"]), seed)
    while model.running:
        model.step()
        assert (model.munitions >= 0).all(), model.day
        assert (model.fire_units >= 0).all(), model.day
        assert (model.adversary.stock >= -1e-9).all(), model.day
        assert (model.ukraine.depot_munitions >= 0).all() and (model.ukraine.depot_fire_units >= 0).all()
        guests = model.posture.guests()
        assert (guests >= 0).all() and (guests <= model.fire_units).all(), model.day
    assert model.day == 90
    ledger = model.ledger
    tables = model.tables
    # For every region and threat type: launched = killed + leakers, exactly.
    assert np.array_equal(ledger.launched, ledger.killed + ledger.leakers)
    assert np.array_equal(ledger.killed, ledger.killed_by_layer.sum(axis=1))
    assert (ledger.unseen <= ledger.leakers).all()
    assert ledger.launched[tables.region_is_ukraine].sum() > 0
    assert ledger.launched[~tables.region_is_ukraine].sum() > 0
    # The adversary launched exactly what arrived.
    assert np.array_equal(model.adversary.launched, ledger.launched.sum(axis=0))
    # The daily series add up to the totals.
    series = ledger.series
    ukraine = tables.region_is_ukraine
    for column, total in (
        ("ukraine_launched", ledger.launched[ukraine].sum()),
        ("ukraine_killed", ledger.killed[ukraine].sum()),
        ("ukraine_leakers", ledger.leakers[ukraine].sum()),
        ("ukraine_drone_launched", ledger.launched[ukraine][:, tables.is_drone_or_decoy].sum()),
        ("nato_launched", ledger.launched[~ukraine].sum()),
        ("nato_killed", ledger.killed[~ukraine].sum()),
        ("nato_leakers", ledger.leakers[~ukraine].sum()),
        ("empty_magazine_regions", ledger.empty_magazine_region_days.sum()),
        ("orders_units", sum(ledger.units_ordered.values())),
        ("deliveries_units", sum(ledger.units_delivered.values())),
    ):
        assert series[:, ledger.column(column)].sum() == total, column
    spend_eur = (ledger.shots * tables.munition_cost_eur).sum()
    assert series[:, ledger.column("interceptor_spend_meur")].sum() == pytest.approx(spend_eur / 1e6)
    assert ledger.interceptor_spend_eur.sum() == pytest.approx(spend_eur)
    assert series[:, ledger.column("airport_closure_hours")].sum() == pytest.approx(ledger.airport_closure_hours.sum())
    assert series[:, ledger.column("damage_meur")].sum() == pytest.approx(ledger.damage_meur.sum())
    assert ledger.damage_meur.sum() > 0 and ledger.site_hits.sum() > 0
    protected = (ledger.killed * tables.threat_damage_fraction).sum(axis=1) * tables.region_expected_hit_value_meur
    assert ledger.value_protected_meur == pytest.approx(protected)
    assert series[:, ledger.column("value_protected_meur")].sum() == pytest.approx(protected.sum())


# --------------------------------------------------------------------------------------------------
# Events happen on their day; impossible actions are refused
# --------------------------------------------------------------------------------------------------

EVENTS = """horizon_days: 12
actors:
  ukraine:
    military_aid_meur_per_year: 0  # no aid-bought missiles arriving in the depot meanwhile
  adversary:
    incursions: {name: no_incursions}
events:
  - {day: 2, kind: transfer, donor: DE, recipient: UA, fire_units: {patriot: 50}}
  - {day: 3, kind: transfer, donor: DE, recipient: UA, fire_units: {patriot: 1}, interceptors: {pac3_mse: 10}}
  - {day: 3, kind: capacity_change, supplier: rheinmetall, item: skyranger, capacity_per_month: 70}
  - {day: 4, kind: incursion, target: PL, drones: 7, threat: gerbera, airport_closure_hours: 5}
  - {day: 5, kind: airport_closure, site: copenhagen, hours: 4}
  - {day: 6, kind: supplier_delay, supplier: mesko, days: 3}
  - {day: 6, kind: budget_change, state: LV, air_defence_budget_meur_per_year: 515}
"""


def test_events_happen_on_their_day(tmp_path: Path) -> None:
    model = AirDefenceModel(load_scenario(write_variant(tmp_path, EVENTS)), seed=3)
    tables = model.tables
    germany = model.member_state("DE")
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    for _ in range(2):  # days 0 and 1
        model.step()
    home_patriots = int(germany.home_fire_units()[patriot])
    assert home_patriots == 5  # 6, one lent to NATO's pool

    model.step()  # day 2: 50 Patriots asked for; Germany has 5 at home: refused, nothing moves
    assert model.ledger.refused == ["day 2: DE gives UA 50 patriot: DE has only 5 patriot at home"]
    assert int(germany.home_fire_units()[patriot]) == 5

    germany_pac3 = int(model.munitions[germany.region, pac3])
    line = model.market.line("rheinmetall", "skyranger")
    assert line.capacity_per_month == 7
    model.step()  # day 3: one battery and 10 missiles go to Ukraine's depot (allocated on day 7)
    assert int(germany.home_fire_units()[patriot]) == 4
    assert int(model.munitions[germany.region, pac3]) == germany_pac3 - 10
    assert int(model.ukraine.depot_fire_units[patriot]) == 1
    assert int(model.ukraine.depot_munitions[pac3]) == 10
    assert model.ledger.fire_units_donated == {"patriot": 1}
    assert line.capacity_per_month == 70

    poland = tables.region_index("PL")
    model.step()  # day 4: seven decoys enter Polish airspace; Poland's four airports close for 5 h
    ledger = model.ledger
    assert ledger.series[4, ledger.column("nato_launched")] == 7
    assert ledger.launched[poland, tables.threat_index("gerbera")] == 7
    assert ledger.launched[~tables.region_is_ukraine].sum() == 7
    assert ledger.series[4, ledger.column("airport_closure_hours")] == 4 * 5
    assert model.incursion_history[4, poland] == 1 and ledger.incursions[poland] == 1
    assert model.member_state("PL").incursions_since_review == 1

    model.step()  # day 5: Copenhagen closes for 4 h
    assert ledger.series[5, ledger.column("airport_closure_hours")] == 4
    assert ledger.airport_closure_hours[tables.site_names.index("copenhagen")] == 4

    latvia = model.member_state("LV").budget
    available = latvia.available_eur
    model.step()  # day 6: Mesko stops for three days; Latvia's budget rises by €365M a year, 359/365 of it left
    assert model.market.line("mesko", "piorun").paused_until_day == 9
    assert latvia.available_eur - available == pytest.approx(359e6)
    assert latvia.yearly_eur == 515e6
    assert len(ledger.refused) == 1


def raid_series(tmp_path: Path, *events: str, seed: int = 4) -> dict[str, np.ndarray]:
    """Daily series of a 12-day baseline variant without the record night (day 6) and with ``events`` added."""
    listed = ", ".join(("{name: record_night_sep_7, remove: true}", *events))
    path = write_variant(tmp_path, f"horizon_days: 12\nevents: [{listed}]\n")
    return run_replication(load_scenario(path), seed)["timeseries"]


RAID_SERIES = ("ukraine_launched", "ukraine_drone_launched", "nato_launched")


def test_a_scripted_raid_replaces_that_nights_planned_raid(tmp_path: Path) -> None:
    """With the default, the night's launches at Ukraine are exactly the event's; every other night (and the
    incursions that night) is the planned one, drawn from the same stream positions."""
    plain = raid_series(tmp_path)
    scripted = raid_series(tmp_path, "{day: 5, kind: raid, drones: 1000, missiles: 20}")
    assert 0 < plain["ukraine_launched"][5] != 1020  # the plan of that night is something else
    assert scripted["ukraine_launched"][5] == 1020
    assert scripted["ukraine_drone_launched"][5] == 1000
    other_days = np.arange(12) != 5
    for series in RAID_SERIES:
        assert np.array_equal(scripted[series][other_days], plain[series][other_days]), series
    assert scripted["nato_launched"][5] == plain["nato_launched"][5]
    only_drones = raid_series(tmp_path, "{day: 5, kind: raid, drones: 700}")
    assert only_drones["ukraine_launched"][5] == only_drones["ukraine_drone_launched"][5] == 700  # no missiles


def test_a_raid_in_addition_comes_on_top_of_the_planned_raid(tmp_path: Path) -> None:
    plain = raid_series(tmp_path)
    added = raid_series(tmp_path, "{day: 5, kind: raid, drones: 1000, missiles: 20, in_addition: true}")
    assert added["ukraine_launched"][5] == plain["ukraine_launched"][5] + 1020
    assert added["ukraine_drone_launched"][5] == plain["ukraine_drone_launched"][5] + 1000
    other_days = np.arange(12) != 5
    for series in RAID_SERIES:
        assert np.array_equal(added[series][other_days], plain[series][other_days]), series
    # Two scripted raids on one night add up; the plan is replaced once if either replaces it.
    both = raid_series(
        tmp_path, "{day: 5, kind: raid, drones: 300}", "{day: 5, kind: raid, drones: 200, in_addition: true}"
    )
    assert both["ukraine_launched"][5] == 500


def test_a_replaced_plan_uses_no_stock(tmp_path: Path) -> None:
    """The night's stock falls by exactly the scripted raid (plus the planned incursions into NATO airspace)."""
    path = write_variant(
        tmp_path,
        "horizon_days: 12\nactors:\n  adversary:\n    incursions: {name: no_incursions}\n"
        "events: [{name: record_night_sep_7, remove: true}, {day: 5, kind: raid, drones: 1000, missiles: 20}]\n",
    )
    model = AirDefenceModel(load_scenario(path), 4)
    for _ in range(5):
        model.step()
    before = model.adversary.stock.copy()
    produced_today = model.adversary.production_per_day.copy()  # (the day's output, before the lines grow)
    model.step()
    spent = before + produced_today - model.adversary.stock
    assert spent.sum() == pytest.approx(1020)
    assert model.adversary.launched.sum() == model.ledger.series[:6, model.ledger.column("ukraine_launched")].sum()


def test_the_baseline_record_night_launches_what_its_source_says() -> None:
    """7 September 2025: 805–810 drones and 13 missiles (public-figures #34), not that on top of a night."""
    series = run_replication(load_scenario(BASELINE, overrides=["horizon_days=8"]), 1)["timeseries"]
    assert series["ukraine_drone_launched"][6] == 810
    assert series["ukraine_launched"][6] == 823


def test_unknown_or_impossible_actions_are_refused_with_a_reason(baseline_40: Scenario) -> None:
    model = AirDefenceModel(baseline_40, seed=1)
    model.step()
    actions = model.actions
    results = [
        actions.transfer("XX", "UA", {"patriot": 1}, {}, False, 1),
        actions.transfer("DE", "UA", {}, {"pac3_mse": 10**6}, False, 1),
        actions.order("PL", "no_such_item", 3, 1),
        actions.order("PL", "piorun", 0, 1),
        actions.redeploy("PL", "patriot", 99, "LT", 1),
        actions.capacity_change("mbda", "piorun", 10, 1),
        actions.close_airport("warsaw", 3, 1),  # a city, not an airport
        actions.incursion("UA", 5, "shahed", 3, 1),
    ]
    assert [result.done for result in results] == [False] * len(results)
    assert len(model.ledger.refused) == len(results)
    # Germany's 120 PAC-3 MSE less the 48 ready rounds of the battery it lent to NATO's pool.
    assert model.ledger.refused[1] == "day 1: DE gives UA 1000000 pac3_mse: DE has only 72 pac3_mse at home"


def test_nato_pool_units_are_not_their_hosts_to_give_or_count(baseline_40: Scenario) -> None:
    model = AirDefenceModel(baseline_40, seed=1)
    model.step()  # day 0: the Eastern Sentry review places the pool (2 Patriots, 2 fighter pairs) on the flank
    tables = model.tables
    patriot = tables.effector_index("patriot")
    assert model.nato.pool[patriot] == 2 and model.nato.assignment[:, patriot].sum() == 2
    owned_everywhere = model.posture.owned()
    for code, state in model.spec.actors.member_states.items():
        agent = model.member_state(code)
        expected = np.zeros(len(tables.effector_names), dtype=np.int64)
        for name, count in state.inventory.fire_units.items():
            expected[tables.effector_index(name)] = count.as_int()
        assert agent.owned_fire_units().tolist() == expected.tolist(), code  # nothing delivered by day 1
        assert owned_everywhere[agent.region].tolist() == expected.tolist(), code
    flank = model.nato.flank_regions
    host_position = int(np.flatnonzero(model.nato.assignment[:, patriot])[0])
    host = model.member_state(tables.region_names[flank[host_position]])
    own = int(host.home_fire_units()[patriot])
    assert model.fire_units[host.region, patriot] > own
    result = model.actions.transfer(host.code, "UA", {"patriot": own + 1}, {}, False, 1)
    assert not result.done
    assert result.message.endswith(f"{host.code} has only {own} patriot at home")


def test_fire_unit_levels_follow_changes_made_between_days(baseline_40: Scenario) -> None:
    # The end-of-day fire-unit levels are recomputed only when fire units moved; a change made between two
    # days (as a facilitator's decision in tabletop play is) must show in the next day's row.
    model = AirDefenceModel(baseline_40, seed=3)
    model.step()
    ledger = model.ledger
    fulfilment, ukraine_units = ledger.column("capability_target_fulfilment"), ledger.column("ukraine_fire_units")
    before = model.nato.fulfilment()
    assert ledger.series[0, fulfilment] == before
    poland = model.member_state("PL")
    patriot = model.tables.effector_index("patriot")
    model.fire_units[poland.region, patriot] -= 1
    model.ukraine.depot_fire_units[patriot] += 1
    model.step()
    assert model.nato.fulfilment() < before
    assert ledger.series[1, fulfilment] == model.nato.fulfilment()
    assert ledger.series[1, ukraine_units] == ledger.series[0, ukraine_units] + 1
    model.fire_units[poland.region, patriot] += 1
    model.step()
    assert ledger.series[2, fulfilment] == before


def test_pooled_joint_demand_counts_as_on_order_at_the_next_review(tmp_path: Path) -> None:
    # Poland wants 20 Skyrangers (NATO target) and has none: 30% → 6 into the EU's joint round (day 89),
    # 14 ordered nationally on day 0. On day 30 nothing more is missing; the pool must not grow.
    body = "horizon_days: 40\nactors:\n  adversary:\n    incursions: {name: no_incursions}\nevents: []\n"
    model = AirDefenceModel(load_scenario(write_variant(tmp_path, body)), seed=1)
    for _ in range(31):  # days 0..30: reviews on days 0 and 30
        model.step()
    assert model.eu.pool["skyranger"]["PL"] == 6
    assert model.market.on_order["PL"]["skyranger"] == 14


def test_a_review_skips_only_purchases_that_would_order_nothing(baseline_40: Scenario) -> None:
    # A procurement review does not try to buy what no line's price fits in the budget or the SAFE money: such
    # a purchase must order nothing and leave money and order books as they were. Money just below, at and
    # above each price, from the budget or from SAFE.
    model = AirDefenceModel(baseline_40, seed=1)
    market = model.market
    skipped = tried = 0
    for state in model.member_states[:3]:
        budget = state.budget
        for item, lines in sorted(market.lines_by_item.items()):
            for price in sorted({line.unit_price_eur for line in lines}):
                for money_eur in (0.0, np.nextafter(price, 0.0), price, 2 * price):
                    for budget_eur, safe_eur in ((money_eur, 0.0), (0.0, money_eur)):
                        budget.available_eur, budget.safe_available_eur = budget_eur, safe_eur
                        if state._may_afford_one(item):
                            tried += 1
                            continue
                        skipped += 1
                        books = {buyer: dict(items) for buyer, items in market.on_order.items()}
                        assert state.buy(item, 3, 0)[0] == 0
                        assert (budget.available_eur, budget.safe_available_eur) == (budget_eur, safe_eur)
                        assert {buyer: dict(items) for buyer, items in market.on_order.items()} == books
    assert skipped and tried


# --------------------------------------------------------------------------------------------------
# Shipped scenarios and plausibility
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[path.stem for path in SHIPPED])
def test_each_shipped_scenario_runs(path: Path) -> None:
    scenario = load_scenario(path, overrides=["horizon_days=30"])
    result = run_replication(scenario, 1)
    series = result["timeseries"]
    assert all(len(values) == 30 for values in series.values())
    assert series["ukraine_launched"].sum() > 0
    metrics = result["metrics"]
    assert 0 < metrics["ukraine_intercept_rate"] <= 1
    assert metrics["procurement_spend_meur"] > 0
    # Undefined by definition: a lead time with nothing delivered, what bound a layer that never faced threats.
    binding = {name: value for name, value in metrics.items() if name.startswith("binding_nights_share.")}
    undefined = {"mean_delivery_lead_time_days", *binding}
    defined = [value for name, value in metrics.items() if name not in undefined]
    assert np.isfinite(defined).all()
    layers: dict[str, float] = {}
    for name, value in binding.items():
        layer = name.rsplit(".", 1)[0]
        layers[layer] = layers.get(layer, 0.0) + value
    faced = {layer: total for layer, total in layers.items() if np.isfinite(total)}
    assert faced and all(total == pytest.approx(1.0) for total in faced.values())


@pytest.fixture(scope="module")
def baseline_year() -> list[tuple[AirDefenceModel, Counter[tuple[str, str]]]]:
    """Three replications of the baseline's first year, each with the units delivered to each (buyer, item)."""
    scenario = load_scenario(BASELINE, overrides=["horizon_days=365"])
    runs = []
    for seed in (101, 202, 303):
        model = AirDefenceModel(scenario, seed)
        received: Counter[tuple[str, str]] = Counter()
        produce = model.market.produce

        def recording_produce(day: int, produce: Any = produce, received: Counter = received) -> list[Delivery]:
            deliveries: list[Delivery] = produce(day)
            for delivery in deliveries:
                received[(delivery.order.buyer, delivery.order.item)] += delivery.units
            return deliveries

        model.market.produce = recording_produce  # type: ignore[method-assign]
        model.run()
        runs.append((model, received))
    return runs


def test_drones_launched_at_ukraine_match_the_public_monthly_figures(baseline_year: list) -> None:
    # Public figures rows 31-33: 5,312-6,900 drones a month in Jul-Oct 2025.
    for model, _ in baseline_year:
        ledger = model.ledger
        per_30_days = ledger.series[:, ledger.column("ukraine_drone_launched")].sum() / 365 * 30
        assert 4000 <= per_30_days <= 9000


def test_ukraine_drone_intercept_rate_is_plausible(baseline_year: list) -> None:
    for model, _ in baseline_year:
        rate = compute_metrics(model.ledger)["ukraine_drone_intercept_rate"]
        assert 0.7 <= rate <= 0.95


def test_airports_close_and_pac3_backlog_keeps_new_orders_waiting(baseline_year: list) -> None:
    for model, received in baseline_year:
        ledger = model.ledger
        assert ledger.airport_closure_hours.sum() > 0
        # 2,000 PAC-3 MSE already on order at 52 a month: a member state's (non-priority) order waits behind
        # them and 365 days in production, so none arrives within the year; only Ukraine's re-prioritised aid
        # can take over missiles already in production, and no more than the line makes in a year.
        assert ledger.units_ordered["pac3_mse"] > 0
        pac3 = {buyer: units for (buyer, item), units in received.items() if item == "pac3_mse"}
        assert set(pac3) <= {"UA"}
        assert sum(pac3.values()) == ledger.units_delivered.get("pac3_mse", 0) <= 52 * 365 / 30
        line = model.market.line("lockheed_martin_us", "pac3_mse")
        assert line.queued_units > 0


def test_the_adversary_launches_no_more_than_its_stock(tmp_path: Path) -> None:
    """With 300 kh101 in stock and none produced, the planned strikes (~60 missiles, 4-5 a month, some kh101)
    run the stock down to exactly zero and then stop; drones, plentiful, fly as planned (the baseline's record
    night replacing its night's plan)."""
    path = write_variant(
        tmp_path,
        "horizon_days: 120\nactors:\n  adversary:\n    stock: {kh101: 300}\n    production_per_month: {kh101: 0}\n",
    )
    model = AirDefenceModel(load_scenario(path), 3)
    kh101 = model.tables.threat_index("kh101")
    planned_kh101 = int(model.adversary.planned[:, :, kh101].sum())
    assert planned_kh101 > 300  # the plan wants more than the stock holds
    model.run()
    launched = model.ledger.launched.sum(axis=0)
    assert launched[kh101] == 300 and model.adversary.stock[kh101] == 0
    assert np.array_equal(model.adversary.launched, launched)
    shahed = model.tables.threat_index("shahed")
    assert launched[shahed] >= model.adversary.planned[:, :, shahed].sum()


NO_RAIDS = "actors:\n  adversary:\n    raids: {name: no_raids}\n    incursions: {name: no_incursions}\n"


def test_a_raid_under_no_raids_is_refused_not_reported_as_done(tmp_path: Path) -> None:
    """``no_raids`` has no mix to split a raid over threat types: the raid is refused (and recorded), the night
    stays empty — never "done" with nothing launched."""
    path = write_variant(tmp_path, NO_RAIDS + "horizon_days: 12\nevents: [{name: record_night_sep_7, remove: true}]\n")
    model = AirDefenceModel(load_scenario(path), 4)
    model.step()
    result = model.actions.raid(650, 40, 1)
    assert not result.done
    assert result.message == (
        "a raid of 650 drones and 40 missiles on Ukraine: refused — the raid policy 'no_raids' has no drone mix to "
        "say which drones they are (a policy with a drone_mix, e.g. nightly_raids, can script raids)"
    )
    assert model.ledger.refused == [f"day 1: {result.message.replace(': refused — ', ': ')}"]
    model.step()
    assert model.ledger.series[1, model.ledger.column("ukraine_launched")] == 0


def test_scripted_raids_only_with_nightly_raids_of_no_drones(tmp_path: Path) -> None:
    """What the refusal suggests works: nightly_raids with no ordinary raids launches exactly the scripted raid."""
    path = write_variant(
        tmp_path,
        "horizon_days: 12\nactors:\n  adversary:\n    incursions: {name: no_incursions}\n"
        "    raids: {params: {drones_per_night: 0, missile_strike_probability: 0}}\n"
        "events: [{name: record_night_sep_7, remove: true}, {day: 5, kind: raid, drones: 1000, missiles: 20}]\n",
    )
    launched = run_replication(load_scenario(path), 4)["timeseries"]["ukraine_launched"]
    assert launched.tolist() == [0] * 5 + [1020] + [0] * 6
