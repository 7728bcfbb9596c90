"""Index tables: a scenario's catalog and regions turned into numpy arrays, built once per scenario.

The model works on arrays indexed by threat type (``T``), effector (``E``, one engagement-kernel layer
each, in layer order), munition (``M``, the interceptors plus one unlimited pseudo-munition for EW that
fires nothing), region (``R``: member states, then Ukraine's regions) and site (``S``). Everything here is
read-only and derived from the scenario alone, so it can be shared by every replication.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.rules import LayerSpec
from sim.scenario.catalog import LAYER_ORDER, EffectorType, Layer, ThreatKind
from sim.scenario.model import Scenario

UNLIMITED_STOCK = 10**12
"""Stock of the pseudo-munition of effectors that fire nothing (EW): never runs out."""
NO_MUNITION = "none"
"""Name of that pseudo-munition: the last column of the munition axis (:attr:`Tables.no_munition`)."""
MISSILE_LAYERS = frozenset({Layer.SHORT_RANGE, Layer.MEDIUM_RANGE, Layer.LONG_RANGE, Layer.FIGHTER})
"""Layers whose munitions are interceptor missiles (what the stock series count)."""
UKRAINE = "UA"
"""Owner code of Ukraine's regions and the recipient code in transfers."""


@dataclass(frozen=True, eq=False)
class Tables:
    """Arrays describing a scenario's catalog, regions and sites (see the module docstring)."""

    threat_names: tuple[str, ...]
    threat_kind: tuple[ThreatKind, ...]
    threat_cost_eur: NDArray[np.float64]
    threat_damage_fraction: NDArray[np.float64]
    is_drone_or_decoy: NDArray[np.bool_]
    is_missile: NDArray[np.bool_]

    munition_names: tuple[str, ...]  # interceptors, then NO_MUNITION (EW)
    munition_cost_eur: NDArray[np.float64]

    effector_names: tuple[str, ...]  # in layer order
    layers: tuple[LayerSpec, ...]
    effector_munition: NDArray[np.int64]
    missile_munitions: NDArray[np.int64]  # munitions fired by missile layers (SHORAD, medium, long range, fighters)
    engagements_per_unit: NDArray[np.int64]
    ready_rounds_per_unit: NDArray[np.int64]
    reserve_rounds_per_unit: NDArray[np.int64]  # [E] rounds held back for top-priority threats
    ready_matrix: NDArray[np.int64]  # [E, M]: ready rounds one unit of e holds of munition m
    fire_unit_cost_eur: NDArray[np.float64]
    effector_layer: NDArray[np.int64]  # [E] index of each effector's catalog layer in LAYER_ORDER
    effector_crewed: NDArray[np.bool_]  # [E] whether an effector's fire unit is a crew (EffectorType.crewed)

    region_names: tuple[str, ...]
    region_owner: tuple[str, ...]  # state code, or "UA"
    region_is_ukraine: NDArray[np.bool_]
    region_position_km: NDArray[np.float64]

    site_names: tuple[str, ...]
    site_region: NDArray[np.int64]
    site_value_meur: NDArray[np.float64]
    site_is_airport: NDArray[np.bool_]
    site_share_in_region: NDArray[np.float64]  # share of the region's value: where its leakers land
    region_expected_hit_value_meur: NDArray[np.float64]  # value of the site a leaker hits, on average
    _holding_slots: dict[str, tuple[bool, int]] = field(init=False, repr=False)  # see holding_slot

    def __post_init__(self) -> None:
        slots = {name: (False, index) for index, name in enumerate(self.munition_names)}
        slots.update((name, (True, index)) for index, name in enumerate(self.effector_names))
        object.__setattr__(self, "_holding_slots", slots)  # (a frozen dataclass: set once, here)

    @property
    def no_munition(self) -> int:
        """Column of :data:`NO_MUNITION` on the munition axis (the last)."""
        return len(self.munition_names) - 1

    @property
    def interceptor_names(self) -> tuple[str, ...]:
        """The munitions that are stock (every munition but :data:`NO_MUNITION`)."""
        return self.munition_names[: self.no_munition]

    def holding_slot(self, item: str) -> tuple[bool, int]:
        """``(is a fire unit, index)`` of a catalog item: an effector's index if ``item`` names an effector,
        else its munition index (one dict look-up: deliveries arrive daily)."""
        return self._holding_slots[item]

    @property
    def ukraine_regions(self) -> NDArray[np.int64]:
        """Indices of Ukraine's regions."""
        return np.flatnonzero(self.region_is_ukraine)

    @property
    def nato_regions(self) -> NDArray[np.int64]:
        """Indices of member-state regions."""
        return np.flatnonzero(~self.region_is_ukraine)

    def threat_index(self, name: str) -> int:
        """Index of a threat type."""
        return self.threat_names.index(name)

    def effector_index(self, name: str) -> int:
        """Index of an effector (layer)."""
        return self.effector_names.index(name)

    def munition_index(self, name: str) -> int:
        """Index of an interceptor (munition)."""
        return self.munition_names.index(name)

    def region_index(self, name: str) -> int:
        """Index of a region (a state code or a Ukrainian region name)."""
        return self.region_names.index(name)


def _ready_rounds(effector: EffectorType) -> int:
    """Rounds one fire unit can fire a night; unlimited for EW and for effectors without a ready-round limit."""
    if effector.interceptor is None or effector.ready_rounds is None:
        return UNLIMITED_STOCK
    return effector.ready_rounds.as_int()


_TABLES_BY_SCENARIO: dict[int, tuple[weakref.ref[Scenario], Tables]] = {}
"""id(scenario) → (a weak reference to the scenario, its tables): see :func:`tables_for`."""


def tables_for(scenario: Scenario) -> Tables:
    """The tables of a scenario object, built on the first call and shared by later calls with the same object.

    Replications of one scenario in one process (a run's seeds, a tabletop game's restarts) then build them
    once. Sharing is safe: a scenario is frozen and the tables are derived from it alone and never written to.
    The cache holds the scenario only weakly; an entry goes when its scenario does (an id is reused only after
    that, and the weak reference, checked on every hit, makes a stale entry miss anyway).
    """
    key = id(scenario)
    cached = _TABLES_BY_SCENARIO.get(key)
    if cached is not None and cached[0]() is scenario:
        return cached[1]
    tables = build_tables(scenario)

    def forget(reference: weakref.ref[Scenario]) -> None:
        if _TABLES_BY_SCENARIO.get(key, (None,))[0] is reference:
            del _TABLES_BY_SCENARIO[key]

    _TABLES_BY_SCENARIO[key] = (weakref.ref(scenario, forget), tables)
    return tables


def build_tables(scenario: Scenario) -> Tables:
    """Derive the index tables of a validated scenario."""
    catalog = scenario.catalog
    threat_names = tuple(catalog.threats)
    threats = [catalog.threats[name] for name in threat_names]
    kinds = tuple(threat.kind for threat in threats)

    munition_names = (*catalog.interceptors, NO_MUNITION)
    munition_cost = np.array([catalog.interceptors[name].unit_cost_eur.value for name in catalog.interceptors] + [0.0])

    order = {layer: index for index, layer in enumerate(LAYER_ORDER)}
    effector_names = tuple(sorted(catalog.effectors, key=lambda name: (order[catalog.effectors[name].layer], name)))
    no_munition = len(munition_names) - 1
    interceptors = [catalog.effectors[name].interceptor for name in effector_names]
    effector_munition = np.array(
        [munition_names.index(interceptor) if interceptor else no_munition for interceptor in interceptors],
        dtype=np.int64,
    )
    layers = []
    for index, name in enumerate(effector_names):
        effector = catalog.effectors[name]
        kill = np.array(
            [effector.kill_probability[t].value if t in effector.kill_probability else 0.0 for t in threat_names]
        )
        engages = np.array([t in effector.kill_probability for t in threat_names], dtype=np.bool_)
        layers.append(
            LayerSpec(
                name=name,
                kill_probability=kill,
                engages=engages,
                shots_per_target=effector.shots_per_target.as_int(),
                shoot_look_shoot=effector.shoot_look_shoot,
                munition_index=int(effector_munition[index]),
                cost_per_shot_eur=float(munition_cost[effector_munition[index]]),
                priority=np.array([threat.priority for threat in threats], dtype=np.int64),
            )
        )
    ready = np.array([_ready_rounds(catalog.effectors[name]) for name in effector_names], dtype=np.int64)
    ready_matrix = np.zeros((len(effector_names), len(munition_names)), dtype=np.int64)
    ready_matrix[np.arange(len(effector_names)), effector_munition] = ready

    states = scenario.actors.member_states
    regions_ua = scenario.actors.ukraine.regions
    region_names = (*states, *(region.name for region in regions_ua))
    region_owner = (*states, *(UKRAINE for _ in regions_ua))
    positions = [state.position_km for state in states.values()] + [region.position_km for region in regions_ua]
    site_lists = [state.sites for state in states.values()] + [region.sites for region in regions_ua]

    site_names: list[str] = []
    site_region: list[int] = []
    site_value: list[float] = []
    site_airport: list[bool] = []
    for region_index, sites in enumerate(site_lists):
        for site in sites:
            site_names.append(site.name)
            site_region.append(region_index)
            site_value.append(site.value_meur.value)
            site_airport.append(site.kind == "airport")
    site_region_array = np.array(site_region, dtype=np.int64)
    site_value_array = np.array(site_value, dtype=np.float64)
    region_total = np.bincount(site_region_array, weights=site_value_array, minlength=len(region_names))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(region_total[site_region_array] > 0, site_value_array / region_total[site_region_array], 0.0)
    expected_hit = np.bincount(site_region_array, weights=share * site_value_array, minlength=len(region_names))

    return Tables(
        threat_names=threat_names,
        threat_kind=kinds,
        threat_cost_eur=np.array([threat.unit_cost_eur.value for threat in threats]),
        threat_damage_fraction=np.array([threat.damage_fraction.value for threat in threats]),
        is_drone_or_decoy=np.array([kind in (ThreatKind.DRONE, ThreatKind.DECOY) for kind in kinds]),
        is_missile=np.array([kind in (ThreatKind.CRUISE_MISSILE, ThreatKind.BALLISTIC_MISSILE) for kind in kinds]),
        munition_names=munition_names,
        munition_cost_eur=munition_cost,
        effector_names=effector_names,
        layers=tuple(layers),
        effector_munition=effector_munition,
        missile_munitions=np.unique(
            [
                effector_munition[index]
                for index, name in enumerate(effector_names)
                if catalog.effectors[name].layer in MISSILE_LAYERS and catalog.effectors[name].interceptor
            ]
        ).astype(np.int64),
        engagements_per_unit=np.array(
            [catalog.effectors[name].engagements_per_night.as_int() for name in effector_names], dtype=np.int64
        ),
        ready_rounds_per_unit=ready,
        reserve_rounds_per_unit=np.array(
            [catalog.effectors[name].reserve_rounds_per_unit.as_int() for name in effector_names], dtype=np.int64
        ),
        ready_matrix=ready_matrix,
        fire_unit_cost_eur=np.array(
            [catalog.effectors[name].fire_unit_cost_meur.value * 1e6 for name in effector_names]
        ),
        effector_layer=np.array([order[catalog.effectors[name].layer] for name in effector_names], dtype=np.int64),
        effector_crewed=np.array([catalog.effectors[name].crewed for name in effector_names], dtype=np.bool_),
        region_names=region_names,
        region_owner=region_owner,
        region_is_ukraine=np.array([owner == UKRAINE for owner in region_owner]),
        region_position_km=np.array(positions, dtype=np.float64),
        site_names=tuple(site_names),
        site_region=site_region_array,
        site_value_meur=site_value_array,
        site_is_airport=np.array(site_airport, dtype=np.bool_),
        site_share_in_region=share,
        region_expected_hit_value_meur=expected_hit,
    )
