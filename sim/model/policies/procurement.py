"""A member state's procurement slot: what to order at each procurement review.

A policy returns :class:`Demand` lines (item, units, why); the member state then funds them, splits them
between national and EU-joint channels and picks suppliers from the quotes — using the policy's own
preference (:meth:`StockCoverPolicy.rank_quotes`). Money for sensors (the state's sensor budget, the EU's
drone-wall funding) is split over sensor types as the policy's :meth:`~StockCoverPolicy.sensor_shares` say.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import Parameterless, PolicyContext
from sim.model.tables import NO_MUNITION, UNLIMITED_STOCK
from sim.scenario.policies import StockCoverParams


@dataclass(frozen=True)
class Demand:
    """Units of one catalog item a state wants to order, and why."""

    item: str
    units: int
    reason: str


@dataclass(frozen=True)
class Quote:
    """What a production line offers for an order of some units."""

    supplier: str
    item: str
    unit_price_eur: float
    lead_time_days: float
    european: bool
    eu_content_share: float


@dataclass(frozen=True)
class ProcurementView:
    """What a state knows at a review: its holdings, what it has on order, its targets and threats."""

    fire_units: NDArray[np.int64]  # [E] owned (home + lent to NATO)
    munitions: NDArray[np.int64]  # [M] on hand at home
    on_order: Mapping[str, int]  # undelivered units by item
    capability_targets: Mapping[str, int]  # effector -> fire units NATO asks for
    incursions_since_review: int


class ProcurementPolicy(Protocol):
    """What a member state asks of its procurement policy."""

    @property
    def joint_share(self) -> float:
        """Share of each demand placed through EU joint procurement."""
        ...

    def decide(self, view: ProcurementView) -> list[Demand]:
        """The demands of one review."""
        ...

    def rank_quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        """Acceptable quotes, best first."""
        ...

    def sensor_shares(self, coverage_per_eur: Mapping[str, float]) -> dict[str, float]:
        """How money for sensors is split over the sensor types on offer (km of coverage a euro buys of each)."""
        ...


class StockCoverPolicy:
    """Keep each interceptor at ``magazine_reloads`` full reloads of the fire units that fire it, order fire
    units up to NATO's capability targets, and answer incursions with a cheap counter-drone layer."""

    name = "stock_cover"

    def __init__(self, params: StockCoverParams, context: PolicyContext) -> None:
        tables = context.tables
        self.params = params
        self.tables = tables
        # Read once: a policy's parameters do not change during a run, and decide() runs at every review.
        self._counter_units_per_incursion = params.counter_drone_units_per_incursion.as_int()
        self._reloads = params.magazine_reloads.value
        self._stocked_munitions = [
            (index, name) for index, name in enumerate(tables.munition_names) if name != NO_MUNITION
        ]
        self._max_lead_time_days = params.max_lead_time_days.value
        self._sensor_shares = {item: share.value for item, share in params.sensor_shares.items() if share.value > 0}
        # Each effector fires one munition and holds so many ready rounds of it per unit (the rows of
        # ``tables.ready_matrix``), as plain ints: decide() adds up the force's ready rounds in Python.
        self._effector_munitions = tables.effector_munition.tolist()
        self._ready_rounds_per_unit = tables.ready_rounds_per_unit.tolist()

    @property
    def joint_share(self) -> float:
        """Share of each demand placed through EU joint procurement."""
        return self.params.joint_procurement_share.value

    def decide(self, view: ProcurementView) -> list[Demand]:
        """The demands of one review."""
        tables = self.tables
        demands: list[Demand] = []
        # Plain ints (exact: counts are far below 2**53): a review handles a dozen numbers, where each numpy call
        # would cost more than the arithmetic.
        fire_units = view.fire_units.tolist()
        for effector, target in view.capability_targets.items():
            index = tables.effector_index(effector)
            gap = target - fire_units[index] - view.on_order.get(effector, 0)
            if gap > 0:
                demands.append(Demand(effector, gap, f"NATO capability target of {target}"))
                fire_units[index] += gap
        counter = self.params.counter_drone_effector
        per_incursion = self._counter_units_per_incursion
        if counter and per_incursion and view.incursions_since_review:
            units = per_incursion * view.incursions_since_review
            demands.append(Demand(counter, units, f"{view.incursions_since_review} incursion(s) since last review"))
            fire_units[tables.effector_index(counter)] += units
        # [M] ready rounds of the whole (future) force: fire_units @ tables.ready_matrix, in plain ints.
        ready = [0] * len(tables.munition_names)
        for units, munition, rounds in zip(
            fire_units, self._effector_munitions, self._ready_rounds_per_unit, strict=True
        ):
            if units:
                ready[munition] += units * rounds
        on_hand = view.munitions.tolist()
        reloads = self._reloads
        for index, name in self._stocked_munitions:
            if ready[index] <= 0 or ready[index] >= UNLIMITED_STOCK:
                continue
            target = math.ceil(reloads * ready[index])
            gap = target - on_hand[index] - view.on_order.get(name, 0)
            if gap > 0:
                demands.append(Demand(name, gap, f"stock below {reloads:g} reloads ({target})"))
        return demands

    def rank_quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        """Acceptable quotes, best first: within the longest acceptable lead time, by price or lead time."""
        limit = self._max_lead_time_days
        usable = [quote for quote in quotes if quote.lead_time_days <= limit]
        if self.params.choose_supplier_by == "price":
            return sorted(usable, key=lambda quote: (quote.unit_price_eur, quote.lead_time_days, quote.supplier))
        return sorted(usable, key=lambda quote: (quote.lead_time_days, quote.unit_price_eur, quote.supplier))

    def sensor_shares(self, coverage_per_eur: Mapping[str, float]) -> dict[str, float]:
        """The ``sensor_shares`` parameter; if empty, everything on the sensor on offer that adds the most
        coverage per euro (none on offer: nothing, the money waits)."""
        if self._sensor_shares:
            return dict(self._sensor_shares)
        if not coverage_per_eur:
            return {}
        best = max(sorted(coverage_per_eur), key=lambda item: coverage_per_eur[item])
        return {best: 1.0}


class NoProcurementPolicy(Parameterless):
    """Orders nothing (a reference case: what the year looks like on today's stocks)."""

    name = "no_procurement"
    joint_share = 0.0

    def decide(self, view: ProcurementView) -> list[Demand]:
        """No demands."""
        return []

    def rank_quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        """Fastest first (used only for orders forced by events, such as backfill)."""
        return sorted(quotes, key=lambda quote: (quote.lead_time_days, quote.unit_price_eur, quote.supplier))

    def sensor_shares(self, coverage_per_eur: Mapping[str, float]) -> dict[str, float]:
        """No sensors either (money for them stays unspent)."""
        return {}
