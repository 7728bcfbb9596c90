"""Loading the shipped scenarios: every file loads, the typed values are the ones written, the result is frozen.

Expected numbers are copied by hand from scenarios/baseline.yaml and the variants (not computed by the loader).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from pydantic import ValidationError

from sim.scenario.catalog import Layer, ThreatKind
from sim.scenario.events import CapacityChange, Funding, Incursion, Raid
from sim.scenario.industry import Supplier
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.parameters import Param
from sim.scenario.policies import FlankContribution, HomeDefence, NightlyRaids, StockCover, ThreatWeightedSentry
from sim.scenario.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SHIPPED = sorted(SCENARIOS.glob("*.yaml"))


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


def supplier(scenario: Scenario, name: str) -> Supplier:
    return next(supplier for supplier in scenario.industry.suppliers if supplier.name == name)


def test_the_baseline_and_its_six_variants_are_shipped() -> None:
    assert {path.name for path in SHIPPED} >= {
        "baseline.yaml",
        "drone_wall.yaml",
        "escalation.yaml",
        "european_preference.yaml",
        "patriot_transfer.yaml",
        "reduced_us_support.yaml",
        "ukraine_drone_industry.yaml",
    }


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.stem)
def test_every_shipped_scenario_loads_with_its_own_name(path: Path) -> None:
    scenario = load_scenario(path)
    assert isinstance(scenario, Scenario)
    assert scenario.name == path.stem


def test_baseline_top_level_values(baseline: Scenario) -> None:
    assert baseline.start_date == dt.date(2025, 9, 1)
    assert baseline.horizon_days == 1218
    # day 0 is 1 September 2025; the last day simulated (horizon_days - 1) is 31 December 2028
    assert baseline.start_date + dt.timedelta(days=baseline.horizon_days - 1) == dt.date(2028, 12, 31)
    assert baseline.seed == 20250901
    assert baseline.replications == 40
    assert (baseline.cadence.allocation_days, baseline.cadence.procurement_days) == (7, 30)
    assert baseline.extends is None
    assert [source.id for source in baseline.sources] == [
        "kallas-drone-plan",
        "rutte-drone-wall",
        "patriot-transfer",
        "danish-model",
        "eu-white-paper",
        "sky-fortress-cost",
        "robin-radar-cost",
        "globaleye-uae-order",
        "border-lengths",
        "skibitsky-2025-plan",
        "yusov-shahed-2700",
        "cnn-alabuga-2024",
        "cnn-alabuga-2025",
        "gur-made-is-used",
        "rusi-kh101-2023",
        "kalibr-per-month",
        "us-missile-reserve-2025",
    ]
    danish = baseline.sources[3]
    assert danish.date == "2025-08-29"  # source dates stay as written (the field is `date | str`)
    assert baseline.sources[0].date == "2025"
    assert danish.article_file == "articles/003_990bacac988589a9.txt"


def test_a_param_mapping_keeps_value_range_unit_source_and_note(baseline: Scenario) -> None:
    assert baseline.catalog.threats["shahed"].unit_cost_eur == Param(
        value=32000,
        low=18000,
        high=92000,
        unit="EUR",
        source="public-figures#28",
        note="$20–100k estimates at 0.92 EUR/USD; $35k central",
    )
    iris_t_slm = baseline.catalog.effectors["iris_t_slm"]
    assert iris_t_slm.ready_rounds == Param(value=24, source="public-figures#15", note="3 launchers × 8 missiles")
    assert iris_t_slm.fire_unit_cost_meur == Param(value=150, low=140, high=158, source="public-figures#16")
    assert iris_t_slm.fire_unit_cost_meur.is_contested
    assert baseline.catalog.interceptors["pac3_mse"].unit_cost_eur.value == 4.7e6


def test_a_plain_number_becomes_a_param_with_only_a_value(baseline: Scenario) -> None:
    assert baseline.catalog.threats["gerbera"].damage_fraction == Param(value=0)
    poland = baseline.actors.member_states["PL"]
    assert poland.budget_growth_per_year == Param(value=0.1)
    assert poland.inventory.fire_units["patriot"] == Param(value=2)
    assert poland.inventory.fire_units["patriot"].as_int() == 2
    assert not poland.budget_growth_per_year.is_contested
    assert baseline.catalog.effectors["ew_jammer"].range_km == Param(value=15)


def test_defaults_are_filled_as_params(baseline: Scenario) -> None:
    ew_jammer = baseline.catalog.effectors["ew_jammer"]
    assert ew_jammer.shots_per_target == Param(value=1)
    assert ew_jammer.ready_rounds is None
    assert ew_jammer.interceptor is None
    assert ew_jammer.shoot_look_shoot is False
    netherlands = baseline.actors.member_states["NL"]
    assert netherlands.budget_growth_per_year == Param(value=0)
    assert netherlands.safe_loan_meur == Param(value=0)
    assert netherlands.eastern_flank is False
    assert netherlands.policies.donation.name == "no_donation"
    mbda_samp_t = supplier(baseline, "mbda").products[1]
    assert (mbda_samp_t.item, mbda_samp_t.backlog_units) == ("samp_t", Param(value=6))
    assert mbda_samp_t.eu_content_share == Param(value=1.0)
    assert mbda_samp_t.reference_order_units == Param(value=100)
    assert mbda_samp_t.unit_price_eur is None
    # A policy given only its name gets its parameter defaults.
    rheinmetall = supplier(baseline, "rheinmetall")
    assert rheinmetall.policy.name == "backlog_expansion"
    assert rheinmetall.policy.params.backlog_months_trigger == Param(value=12)
    assert rheinmetall.policy.params.delay_days == Param(value=365)
    assert supplier(baseline, "raytheon_us").policy.name == "fixed_capacity"


def test_enums_policies_and_events_are_typed(baseline: Scenario) -> None:
    assert baseline.catalog.threats["iskander_m"].kind is ThreatKind.BALLISTIC_MISSILE
    assert baseline.catalog.effectors["interceptor_drone_team"].layer is Layer.INTERCEPTOR_DRONE
    raids = baseline.actors.adversary.raids
    assert isinstance(raids, NightlyRaids)
    assert raids.params.drones_per_night == Param(
        value=175,
        low=150,
        high=205,
        source="public-figures#31",
        note="with surges the monthly total is ~5,300–6,900 (#31–#33)",
    )
    assert raids.params.drone_mix["gerbera"] == Param(value=0.45)
    germany = baseline.actors.member_states["DE"]
    assert isinstance(germany.policies.deployment, FlankContribution)
    assert germany.policies.deployment.params.effectors == ["patriot", "fighter_qra"]
    assert isinstance(baseline.actors.member_states["FI"].policies.deployment, HomeDefence)
    assert isinstance(baseline.actors.member_states["FI"].policies.procurement, StockCover)
    assert isinstance(baseline.actors.nato.sentry, ThreatWeightedSentry)
    assert [type(event) for event in baseline.events[:3]] == [Raid, Incursion, Incursion]
    assert isinstance(baseline.events[5], CapacityChange)  # PAC-3 output steps (2027, 2028), then funding
    assert isinstance(baseline.events[7], Funding)
    incursion = baseline.events[1]
    assert isinstance(incursion, Incursion)
    assert (incursion.name, incursion.day, incursion.target, incursion.threat) == (
        "poland_incursion",
        9,
        "PL",
        "gerbera",
    )
    assert incursion.airport_closure_hours is None  # the night decides it from detection and defeat
    assert baseline.actors.member_states["PL"].position_km == (600.0, 500.0)
    assert baseline.region_names()[:3] == ["PL", "DE", "NL"]
    assert baseline.region_names()[-1] == "lviv"


def test_variants_inherit_what_they_do_not_override(baseline: Scenario) -> None:
    drone_wall = load_scenario(SCENARIOS / "drone_wall.yaml")
    poland_buys = drone_wall.actors.member_states["PL"].policies.procurement
    assert isinstance(poland_buys, StockCover)
    assert poland_buys.params.joint_procurement_share == Param(
        value=0.4, source="public-figures#46", note="40% joint procurement goal by end-2027"
    )
    # From the baseline, merged key by key (read from the raw file: calibration may change the number).
    raw_poland = read_yaml_file(BASELINE).data["actors"]["member_states"]["PL"]
    assert poland_buys.params.magazine_reloads == Param(
        value=raw_poland["policies"]["procurement"]["params"]["magazine_reloads"]
    )
    assert poland_buys.params.counter_drone_effector == "interceptor_drone_team"
    assert len(drone_wall.actors.nato.capability_targets) == 20  # an unnamed list replaces
    assert [source.id for source in drone_wall.sources][-2:] == ["drone-wall-nato", "drone-alliance"]  # merged by id
    assert len(drone_wall.sources) == len(baseline.sources) + 2
    assert drone_wall.actors.eu.edip_cofinance_share.value == 0.2
    assert drone_wall.actors.eu.safe_loans_meur.value == 150000
    assert len(drone_wall.events) == len(baseline.events) + 2  # two new names appended
    assert drone_wall.extends == "baseline.yaml"

    escalation = load_scenario(SCENARIOS / "escalation.yaml")
    params = escalation.actors.adversary.raids.params  # type: ignore[union-attr]
    # The child's {value, note} merges into the baseline's mapping: the range is inherited.
    raw_trend = read_yaml_file(BASELINE).data["actors"]["adversary"]["raids"]["params"]["trend_per_month"]
    # escalation.yaml restates the parameter as {value, note}: its own evidence replaces the baseline's range.
    assert raw_trend["low"] is not None
    assert params.trend_per_month == Param(value=0.03, note="assumption: escalation")
    assert params.drones_per_night.value == 175
    assert [event.name for event in escalation.events][-2:] == ["lithuania_incursion", "romania_mass_incursion"]

    ukraine_industry = load_scenario(SCENARIOS / "ukraine_drone_industry.yaml")
    funding = [event for event in ukraine_industry.events if event.name and event.name.startswith("danish_model")]
    assert [event.meur.value for event in funding] == [1020] * 14  # type: ignore[union-attr]
    assert len(ukraine_industry.events) == len(baseline.events)  # same names: merged in place, not appended
    assert ukraine_industry.industry.suppliers[-1].name == "ukrainian_drone_makers"


def test_the_scenario_is_immutable(baseline: Scenario) -> None:
    with pytest.raises(ValidationError, match="frozen"):
        baseline.horizon_days = 30  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        baseline.catalog.threats["shahed"].unit_cost_eur.value = 1  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        baseline.actors.member_states["PL"].name = "Polska"  # type: ignore[misc]
    with pytest.raises(ValidationError, match="frozen"):
        baseline.actors.adversary.raids = baseline.actors.adversary.raids  # type: ignore[misc]
    assert baseline.horizon_days == 1218
    # day 0 is 1 September 2025; the last day simulated (horizon_days - 1) is 31 December 2028
    assert baseline.start_date + dt.timedelta(days=baseline.horizon_days - 1) == dt.date(2028, 12, 31)


def test_norway_stays_the_string_no(tmp_path: Path) -> None:
    child = tmp_path / "norway.yaml"
    child.write_text(
        f"extends: {BASELINE}\n"
        "industry:\n"
        "  suppliers:\n"
        "    - name: kongsberg\n"
        "      country: NO\n"
        "actors:\n"
        "  member_states:\n"
        "    NO:\n"
        "      name: Norway\n"
        "      air_defence_budget_meur_per_year: 300\n"
        "      position_km: [300, 850]\n"
        "      inventory: {fire_units: {nasams: 2}}\n"
        "  adversary:\n"
        "    incursions:\n"
        "      name: border_incursions\n"
        "      params:\n"
        "        incursions_per_month: {NO: 0.1}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(child)
    assert "NO" in scenario.actors.member_states
    assert scenario.actors.member_states["NO"].name == "Norway"
    assert supplier(scenario, "kongsberg").country == "NO"
    assert scenario.actors.adversary.incursions.params.incursions_per_month["NO"].value == 0.1  # type: ignore[union-attr]
    assert "NO" in scenario.region_names()
    # The baseline writes "NO" quoted; both spellings give the same text.
    assert supplier(load_scenario(BASELINE), "kongsberg").country == "NO"


def test_loading_twice_gives_equal_but_separate_scenarios() -> None:
    first, second = load_scenario(BASELINE), load_scenario(BASELINE)
    assert first == second
    assert first is not second
