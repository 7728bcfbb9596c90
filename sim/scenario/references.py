"""Checks that span sections of a scenario: every name it uses refers to something it defines.

Pydantic checks each field's type and range; these checks find a kill probability for an unknown threat,
an inventory of an unknown effector, an event naming a state that is not in the scenario, a cited source
that is not listed, mixes that do not sum to one. Each finding carries the key path of the offending entry
and the closest valid name, so the loader can print it at its file position.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.scenario.catalog import ThreatKind
from sim.scenario.errors import closest_match
from sim.scenario.events import (
    AirportClosure,
    BudgetChange,
    CapacityChange,
    Funding,
    Incursion,
    Raid,
    Redeployment,
    SupplierDelay,
    Transfer,
)
from sim.scenario.industry import EXTERNAL_BUYER
from sim.scenario.model import Scenario
from sim.scenario.parameters import DAYS_PER_MONTH, MAX_COUNT, Param
from sim.scenario.policies import (
    BorderIncursions,
    FlankContribution,
    NightlyRaidParams,
    StockCover,
    SurplusDonation,
)
from sim.scenario.public_figures import public_figure_row, public_figures

KeyPath = tuple[str | int, ...]
MIX_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """A cross-reference problem at a key path."""

    key_path: KeyPath
    message: str
    expected: str | None = None
    suggestion: str | None = None


def _unknown(path: KeyPath, what: str, name: str, valid: Iterable[str]) -> Finding:
    names = sorted(valid)
    shown = ", ".join(names[:12]) + (" …" if len(names) > 12 else "")
    return Finding(path, f"unknown {what} '{name}'", expected=f"one of: {shown}", suggestion=closest_match(name, names))


def _check_names(path: KeyPath, what: str, names: Iterable[str], valid: Iterable[str]) -> Iterator[Finding]:
    valid_set = set(valid)
    for name in names:
        if name not in valid_set:
            yield _unknown((*path, name), what, name, valid_set)


def _check_one(path: KeyPath, what: str, name: str, valid: Iterable[str]) -> Iterator[Finding]:
    valid_set = set(valid)
    if name not in valid_set:
        yield _unknown(path, what, name, valid_set)


def _check_states(
    path: KeyPath, names: Iterable[str], states: Mapping[str, Any], extra: Iterable[str] = ()
) -> Iterator[Finding]:
    """Member-state references are codes; a full or misspelt name suggests the code ('Polnad' → 'PL')."""
    valid = set(states) | set(extra)
    for name in names:
        if name in valid:
            continue
        by_name = {state.name: code for code, state in states.items()}
        close_name = closest_match(name, by_name)
        suggestion = by_name[close_name] if close_name else closest_match(name, valid)
        listing = ", ".join([f"{code} ({state.name})" for code, state in states.items()] + sorted(extra))
        yield Finding(
            path, f"unknown member state '{name}'", expected=f"a state code: {listing}", suggestion=suggestion
        )


def _check_mix(path: KeyPath, mix: Mapping[str, Param], valid: Iterable[str], what: str) -> Iterator[Finding]:
    yield from _check_names(path, what, mix, valid)
    total = sum(share.value for share in mix.values())
    if mix and abs(total - 1.0) > MIX_TOLERANCE:
        yield Finding(path, f"shares sum to {total:g}, not 1", expected="shares that add up to 1")


def walk_params(node: object, path: KeyPath = ()) -> Iterator[tuple[KeyPath, Param]]:
    """Every :class:`Param` in a scenario tree with its key path."""
    if isinstance(node, Param):
        yield path, node
    elif isinstance(node, BaseModel):
        for field_name in type(node).model_fields:
            yield from walk_params(getattr(node, field_name), (*path, field_name))
    elif isinstance(node, Mapping):
        for key, value in node.items():
            yield from walk_params(value, (*path, key))
    elif isinstance(node, list | tuple):
        for index, value in enumerate(node):
            yield from walk_params(value, (*path, index))


def _check_sources(scenario: Scenario) -> Iterator[Finding]:
    ids = [source.id for source in scenario.sources]
    seen: set[str] = set()
    for index, source_id in enumerate(ids):
        if source_id in seen:
            yield Finding(("sources", index, "id"), f"source id '{source_id}' is listed twice")
        seen.add(source_id)
    rows = public_figures()
    citable = [*sorted(seen), "public-figures#N"]

    def check(path: KeyPath, source_id: str) -> Iterator[Finding]:
        row = public_figure_row(source_id)
        if row is not None:
            if row not in rows:
                yield Finding(
                    path,
                    f"'{source_id}' is not a row of the public-figures table",
                    expected=f"public-figures#N with N one of {min(rows)}–{max(rows)} (not all numbers are used)",
                )
        elif source_id not in seen:
            yield _unknown(path, "source", source_id, citable)

    for path, param in walk_params(scenario):
        if param.source is not None:
            yield from check((*path, "source"), param.source)
    for index, event in enumerate(scenario.events):
        if event.source is not None:
            yield from check(("events", index, "source"), event.source)


def _check_catalog(scenario: Scenario) -> Iterator[Finding]:
    catalog = scenario.catalog
    for name in catalog.sensors:
        if name in catalog.effectors or name in catalog.interceptors:
            yield Finding(
                ("catalog", "sensors", name),
                f"'{name}' names a sensor and an effector or interceptor",
                expected="a sensor name no effector or interceptor uses (deliveries are routed by name)",
            )
    for name, effector in catalog.effectors.items():
        path: KeyPath = ("catalog", "effectors", name)
        if effector.interceptor is not None:
            yield from _check_one((*path, "interceptor"), "interceptor", effector.interceptor, catalog.interceptors)
        yield from _check_names((*path, "kill_probability"), "threat", effector.kill_probability, catalog.threats)


def _check_actors(scenario: Scenario) -> Iterator[Finding]:
    catalog = scenario.catalog
    actors = scenario.actors
    states = actors.member_states
    effectors, interceptors, threats = catalog.effectors, catalog.interceptors, catalog.threats
    region_names = scenario.region_names()
    for code, state in states.items():
        path: KeyPath = ("actors", "member_states", code)
        yield from _check_names((*path, "inventory", "fire_units"), "effector", state.inventory.fire_units, effectors)
        yield from _check_names(
            (*path, "inventory", "interceptors"), "interceptor", state.inventory.interceptors, interceptors
        )
        policies = state.policies
        if isinstance(policies.procurement, StockCover) and policies.procurement.params.counter_drone_effector:
            yield from _check_one(
                (*path, "policies", "procurement", "params", "counter_drone_effector"),
                "effector",
                policies.procurement.params.counter_drone_effector,
                effectors,
            )
        if isinstance(policies.procurement, StockCover):
            yield from _check_mix(
                (*path, "policies", "procurement", "params", "sensor_shares"),
                policies.procurement.params.sensor_shares,
                catalog.sensors,
                "sensor",
            )
        if isinstance(policies.deployment, FlankContribution):
            yield from _check_names(
                (*path, "policies", "deployment", "params", "effectors"),
                "effector",
                policies.deployment.params.effectors,
                effectors,
            )
        if isinstance(policies.donation, SurplusDonation):
            yield from _check_one(
                (*path, "policies", "donation", "params", "effector"),
                "effector",
                policies.donation.params.effector,
                effectors,
            )
    for index, target in enumerate(actors.nato.capability_targets):
        path = ("actors", "nato", "capability_targets", index)
        yield from _check_states((*path, "state"), [target.state], states)
        yield from _check_one((*path, "effector"), "effector", target.effector, effectors)

    ukraine = actors.ukraine
    yield from _check_names(
        ("actors", "ukraine", "inventory", "fire_units"), "effector", ukraine.inventory.fire_units, effectors
    )
    yield from _check_names(
        ("actors", "ukraine", "inventory", "interceptors"),
        "interceptor",
        ukraine.inventory.interceptors,
        interceptors,
    )
    yield from _check_one(
        ("actors", "ukraine", "industry", "interceptor"),
        "interceptor",
        ukraine.industry.interceptor,
        interceptors,
    )
    if ukraine.industry.launch_team is not None:
        yield from _check_one(
            ("actors", "ukraine", "industry", "launch_team"),
            "effector",
            ukraine.industry.launch_team,
            effectors,
        )
        team = effectors.get(ukraine.industry.launch_team)
        if team is not None and team.interceptor != ukraine.industry.interceptor:
            yield Finding(
                ("actors", "ukraine", "industry", "launch_team"),
                f"launch team '{ukraine.industry.launch_team}' fires '{team.interceptor}', not the industry's "
                f"interceptor '{ukraine.industry.interceptor}' (expected an effector that launches it)",
            )
    yield from _check_mix(("actors", "ukraine", "aid_shares"), ukraine.aid_shares, interceptors, "interceptor")
    fund_names: set[str] = set()
    for index, fund in enumerate(ukraine.aid_funds):
        fund_path = ("actors", "ukraine", "aid_funds", index)
        if fund.name in fund_names:
            yield Finding((*fund_path, "name"), f"aid fund '{fund.name}' is listed twice")
        fund_names.add(fund.name)
        yield from _check_mix((*fund_path, "shares"), fund.shares, interceptors, "interceptor")
    shares = sum(region.raid_share.value for region in ukraine.regions)
    if ukraine.regions and abs(shares - 1.0) > MIX_TOLERANCE:
        yield Finding(("actors", "ukraine", "regions"), f"raid_share values sum to {shares:g}, not 1")
    if not ukraine.regions:
        yield Finding(("actors", "ukraine", "regions"), "Ukraine needs at least one region")
    duplicates = {name for name in region_names if region_names.count(name) > 1}
    for name in sorted(duplicates):
        yield Finding(("actors", "ukraine", "regions"), f"region name '{name}' is used twice")

    adversary = actors.adversary
    path = ("actors", "adversary")
    yield from _check_names((*path, "stock"), "threat", adversary.stock, threats)
    yield from _check_names((*path, "production_per_month"), "threat", adversary.production_per_month, threats)
    yield from _check_names(
        (*path, "production_growth_per_year"), "threat", adversary.production_growth_per_year, threats
    )
    drones = [name for name, threat in threats.items() if threat.kind in (ThreatKind.DRONE, ThreatKind.DECOY)]
    missiles = [name for name in threats if name not in drones]
    params = getattr(adversary.raids, "params", None)
    if isinstance(params, NightlyRaidParams):  # nightly_raids and adaptive_raids
        yield from _check_mix(
            (*path, "raids", "params", "drone_mix"), params.drone_mix, drones, "drone or decoy threat"
        )
        yield from _check_mix((*path, "raids", "params", "missile_mix"), params.missile_mix, missiles, "missile threat")
        if params.missile_strike_probability.value > 0 and not params.missile_mix:
            yield Finding(
                (*path, "raids", "params", "missile_mix"),
                "missile strikes are possible but missile_mix is empty",
                expected="shares of missile threats, e.g. {kh101: 0.7, iskander_m: 0.3}",
            )
    if isinstance(adversary.incursions, BorderIncursions):
        params_i = adversary.incursions.params
        for code in params_i.incursions_per_month:
            yield from _check_states((*path, "incursions", "params", "incursions_per_month", code), [code], states)
        yield from _check_mix(
            (*path, "incursions", "params", "drone_mix"), params_i.drone_mix, drones, "drone or decoy threat"
        )


def _check_industry(scenario: Scenario) -> Iterator[Finding]:
    items = set(scenario.catalog.interceptors) | set(scenario.catalog.effectors) | set(scenario.catalog.sensors)
    seen: set[str] = set()
    for index, supplier in enumerate(scenario.industry.suppliers):
        if supplier.name in seen:
            yield Finding(("industry", "suppliers", index, "name"), f"supplier '{supplier.name}' is listed twice")
        seen.add(supplier.name)
        for product_index, product in enumerate(supplier.products):
            path: KeyPath = ("industry", "suppliers", index, "products", product_index)
            yield from _check_one((*path, "item"), "catalog item", product.item, items)
            for delivery_index, delivery in enumerate(product.pipeline):
                delivery_path = (*path, "pipeline", delivery_index)
                yield from _check_states(
                    (*delivery_path, "buyer"),
                    [delivery.buyer],
                    scenario.actors.member_states,
                    extra=["UA", EXTERNAL_BUYER],
                )
                if delivery.last_day.as_int() < delivery.first_day.as_int():
                    yield Finding(
                        (*delivery_path, "last_day"),
                        f"last_day {delivery.last_day.as_int()} comes before first_day {delivery.first_day.as_int()}",
                        expected="a last delivery day on or after the first",
                    )


def _check_events(scenario: Scenario) -> Iterator[Finding]:
    states = scenario.actors.member_states
    catalog = scenario.catalog
    suppliers = {supplier.name for supplier in scenario.industry.suppliers}
    all_sites = [site for state in scenario.actors.member_states.values() for site in state.sites] + [
        site for region in scenario.actors.ukraine.regions for site in region.sites
    ]
    airports = {site.name for site in all_sites if site.kind == "airport"}
    for index, event in enumerate(scenario.events):
        path: KeyPath = ("events", index)
        match event:
            case Incursion():
                yield from _check_states((*path, "target"), [event.target], states)
                yield from _check_one((*path, "threat"), "threat", event.threat, catalog.threats)
            case Transfer():
                yield from _check_states((*path, "donor"), [event.donor], states)
                yield from _check_states((*path, "recipient"), [event.recipient], states, extra=["UA"])
                yield from _check_names((*path, "fire_units"), "effector", event.fire_units, catalog.effectors)
                yield from _check_names(
                    (*path, "interceptors"), "interceptor", event.interceptors, catalog.interceptors
                )
            case BudgetChange():
                yield from _check_states((*path, "state"), [event.state], states)
            case SupplierDelay():
                yield from _check_one((*path, "supplier"), "supplier", event.supplier, suppliers)
            case CapacityChange():
                yield from _check_one((*path, "supplier"), "supplier", event.supplier, suppliers)
                products = {
                    product.item
                    for supplier in scenario.industry.suppliers
                    if supplier.name == event.supplier
                    for product in supplier.products
                }
                if event.supplier in suppliers:
                    yield from _check_one((*path, "item"), f"product of {event.supplier}", event.item, products)
            case AirportClosure():
                yield from _check_one((*path, "site"), "airport", event.site, airports)
            case Redeployment():
                yield from _check_states((*path, "owner"), [event.owner], states)
                yield from _check_one((*path, "effector"), "effector", event.effector, catalog.effectors)
                yield from _check_one((*path, "region"), "region", event.region, scenario.region_names())
            case Funding():
                yield from _check_states((*path, "funder"), [event.funder], states, extra=["EU"])
            case Raid():
                yield from _check_raid_mix(path, event, scenario)


def _check_raid_mix(path: KeyPath, event: Raid, scenario: Scenario) -> Iterator[Finding]:
    """A scripted raid is split over threat types by the raid policy's mixes: without them it could not happen."""
    raids = scenario.actors.adversary.raids
    params = getattr(raids, "params", None)
    drone_mix = params.drone_mix if isinstance(params, NightlyRaidParams) else {}
    missile_mix = params.missile_mix if isinstance(params, NightlyRaidParams) else {}
    missing = [
        (field, f"{count} {field}", mix_name)
        for field, count, mix, mix_name in (
            ("drones", event.drones.as_int(), drone_mix, "drone_mix"),
            ("missiles", event.missiles.as_int(), missile_mix, "missile_mix"),
        )
        if count > 0 and not any(share.value > 0 for share in mix.values())
    ]
    if missing:
        remedy = " ".join(f"--set events.{event.name}.{field}=0" for field, _, _ in missing) if event.name else ""
        yield Finding(
            (*path, missing[0][0]),
            f"a scripted raid of {' and '.join(what for _, what, _ in missing)}, but the raid policy '{raids.name}' "
            f"has no {' or '.join(mix for _, _, mix in missing)} to say which threats they are, so the raid "
            "could not happen",
            expected=(
                "a raid policy with that mix (for scripted raids only: nightly_raids with drones_per_night: 0 and "
                "missile_strike_probability: 0), or no such raid" + (f" ({remedy})" if remedy else "")
            ),
        )


def events_after_horizon(scenario: Scenario) -> list[str]:
    """Names (or kinds and days) of events that fall after the horizon and so will not happen.

    Not an error: a shorter horizon (``--set horizon_days=90``) simply ends before them.
    """
    return [
        f"{event.name or event.kind} (day {event.day})"
        for event in scenario.events
        if event.day >= scenario.horizon_days
    ]


def _check_unique_names(scenario: Scenario) -> Iterator[Finding]:
    seen: dict[str, KeyPath] = {}
    places: list[tuple[KeyPath, str]] = []
    for code, state in scenario.actors.member_states.items():
        places += [(("actors", "member_states", code, "sites", i, "name"), s.name) for i, s in enumerate(state.sites)]
    for r, region in enumerate(scenario.actors.ukraine.regions):
        places += [
            (("actors", "ukraine", "regions", r, "sites", i, "name"), s.name) for i, s in enumerate(region.sites)
        ]
    for path, name in places:
        if name in seen:
            yield Finding(path, f"site name '{name}' is used twice; site names must be unique")
        seen[name] = path
    objective_names = [objective.name for objective in scenario.objectives]
    for index, name in enumerate(objective_names):
        if name in objective_names[:index]:
            yield Finding(("objectives", index, "name"), f"objective '{name}' is listed twice")
    hypothesis_names = [hypothesis.name for hypothesis in scenario.hypotheses]
    for index, name in enumerate(hypothesis_names):
        if name in hypothesis_names[:index]:
            yield Finding(("hypotheses", index, "name"), f"hypothesis '{name}' is listed twice")
    for index, hypothesis in enumerate(scenario.hypotheses):
        if hypothesis.against == scenario.name:
            yield Finding(
                ("hypotheses", index, "against"),
                f"hypothesis '{hypothesis.name}' is against the scenario itself ('{scenario.name}')",
                expected="the name of another scenario, e.g. baseline",
            )


def _largest(parameter: Param) -> float:
    """The largest value a run or a sweep may give a parameter: its value, or the top of its sourced range."""
    return max(parameter.value, parameter.high if parameter.high is not None else parameter.value)


def _check_raid_growth(scenario: Scenario) -> Iterator[Finding]:
    """The nightly raid mean compounds its monthly trend over the horizon; its peak must stay a count."""
    params = getattr(scenario.actors.adversary.raids, "params", None)
    if not isinstance(params, NightlyRaidParams):
        return
    growth = max(1.0, 1.0 + _largest(params.trend_per_month))
    months = scenario.horizon_days / DAYS_PER_MONTH
    try:
        peak = _largest(params.drones_per_night) * max(1.0, _largest(params.surge_multiplier)) * growth**months
    except OverflowError:
        peak = math.inf
    if peak > MAX_COUNT:
        yield Finding(
            ("actors", "adversary", "raids", "params", "trend_per_month"),
            f"the raid grows to {peak:.3g} drones on a surge night by day {scenario.horizon_days} "
            f"(drones_per_night × surge_multiplier × (1 + trend_per_month)^(horizon_days / {DAYS_PER_MONTH:g}))",
            expected=f"a trend, horizon or raid size that keeps a night's mean ≤ {MAX_COUNT:g} drones",
        )


def check_references(scenario: Scenario, *, sources: bool = True) -> list[Finding]:
    """All cross-reference problems in a validated scenario (empty when it is consistent).

    Args:
        scenario: The scenario.
        sources: Also check that every cited source is listed (``False`` when only numbers changed since the
            last check, as at a sweep's design points: the citations are the same).
    """
    findings: list[Finding] = []
    if sources:
        findings.extend(_check_sources(scenario))
    for check in (
        _check_catalog,
        _check_actors,
        _check_industry,
        _check_events,
        _check_unique_names,
        _check_raid_growth,
    ):
        findings.extend(check(scenario))
    return findings
