"""Member-state procurement policies: what to order at each procurement review.

A policy returns :class:`Demand` lines (item, units, why); the member state then funds them, splits them
between national and EU-joint channels and picks suppliers from the quotes — using the policy's own
preference (:meth:`StockCoverPolicy.rank_quotes`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.tables import UNLIMITED_STOCK, Tables
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


class StockCoverPolicy:
    """Keep each interceptor at ``magazine_reloads`` full reloads of the fire units that fire it, order fire
    units up to NATO's capability targets, and answer incursions with a cheap counter-drone layer."""

    name = "stock_cover"

    def __init__(self, params: StockCoverParams, tables: Tables) -> None:
        self.params = params
        self.tables = tables

    @property
    def joint_share(self) -> float:
        """Share of each demand placed through EU joint procurement."""
        return self.params.joint_procurement_share.value

    def decide(self, view: ProcurementView) -> list[Demand]:
        """The demands of one review."""
        tables = self.tables
        demands: list[Demand] = []
        fire_units = view.fire_units.copy()
        for effector, target in view.capability_targets.items():
            index = tables.effector_index(effector)
            gap = target - int(fire_units[index]) - view.on_order.get(effector, 0)
            if gap > 0:
                demands.append(Demand(effector, gap, f"NATO capability target of {target}"))
                fire_units[index] += gap
        counter = self.params.counter_drone_effector
        per_incursion = self.params.counter_drone_units_per_incursion.as_int()
        if counter and per_incursion and view.incursions_since_review:
            units = per_incursion * view.incursions_since_review
            demands.append(Demand(counter, units, f"{view.incursions_since_review} incursion(s) since last review"))
            fire_units[tables.effector_index(counter)] += units
        # Plain ints for the loop (exact: counts are far below 2**53), cheaper to compare than numpy scalars.
        ready = (fire_units @ tables.ready_matrix).tolist()  # [M] ready rounds of the whole (future) force
        on_hand = view.munitions.tolist()
        reloads = self.params.magazine_reloads.value
        for index, name in enumerate(tables.munition_names):
            if name == "none" or ready[index] <= 0 or ready[index] >= UNLIMITED_STOCK:
                continue
            target = math.ceil(reloads * ready[index])
            gap = target - on_hand[index] - view.on_order.get(name, 0)
            if gap > 0:
                demands.append(Demand(name, gap, f"stock below {reloads:g} reloads ({target})"))
        return demands

    def rank_quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        """Acceptable quotes, best first: within the longest acceptable lead time, by price or lead time."""
        limit = self.params.max_lead_time_days.value
        usable = [quote for quote in quotes if quote.lead_time_days <= limit]
        if self.params.choose_supplier_by == "price":
            return sorted(usable, key=lambda quote: (quote.unit_price_eur, quote.lead_time_days, quote.supplier))
        return sorted(usable, key=lambda quote: (quote.lead_time_days, quote.unit_price_eur, quote.supplier))


class NoProcurementPolicy:
    """Orders nothing (a reference case: what the year looks like on today's stocks)."""

    name = "no_procurement"
    joint_share = 0.0

    def decide(self, view: ProcurementView) -> list[Demand]:
        """No demands."""
        return []

    def rank_quotes(self, quotes: Sequence[Quote]) -> list[Quote]:
        """Fastest first (used only for orders forced by events, such as backfill)."""
        return sorted(quotes, key=lambda quote: (quote.lead_time_days, quote.unit_price_eur, quote.supplier))
