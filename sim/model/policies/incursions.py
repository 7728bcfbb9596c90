"""The adversary's incursions slot: drones sent into NATO airspace (how long airports close for them is the
defence's doing: :func:`sim.model.sensors.closure_hours`).

Like raids, the whole horizon's incursions are drawn at the start from the adversary's incursion stream.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import PolicyContext
from sim.model.policies.raids import threat_mix_vector
from sim.scenario.calendar import DAYS_PER_MONTH
from sim.scenario.policies import BorderIncursionParams


class IncursionPolicy(Protocol):
    """What the adversary asks of its incursion policy."""

    def plan(self, horizon_days: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``(incursions[day, region], drones[day, region, threat])`` over all regions."""
        ...


class BorderIncursionsPolicy:
    """Incursions into NATO airspace: Poisson counts per state and day; each brings 1 + Poisson(m − 1)
    drones (mean m), split over drone types by the mix."""

    name = "border_incursions"

    def __init__(self, params: BorderIncursionParams, context: PolicyContext) -> None:
        tables = context.tables
        self.params = params
        self.tables = tables
        self.regions = np.array([tables.region_index(code) for code in params.incursions_per_month], dtype=np.int64)
        self.rate_per_day = np.array([r.value for r in params.incursions_per_month.values()]) / DAYS_PER_MONTH
        self.mix = threat_mix_vector(tables, {k: v.value for k, v in params.drone_mix.items()})

    def plan(self, horizon_days: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """``(incursions[day, region], drones[day, region, threat])`` over all regions (zeros outside NATO's)."""
        regions = len(self.tables.region_names)
        counts = np.zeros((horizon_days, regions), dtype=np.int64)
        drones = np.zeros((horizon_days, regions, len(self.tables.threat_names)), dtype=np.int64)
        if len(self.regions) == 0:
            return counts, drones
        events = rng.poisson(np.broadcast_to(self.rate_per_day, (horizon_days, len(self.regions))))
        extra_mean = max(self.params.drones_per_incursion.value - 1.0, 0.0)
        sizes = events + rng.poisson(events * extra_mean)
        counts[:, self.regions] = events
        drones[:, self.regions, :] = rng.multinomial(sizes, self.mix)
        return counts, drones


class NoIncursionsPolicy:
    """No incursions into NATO airspace."""

    name = "no_incursions"

    def __init__(self, params: None, context: PolicyContext) -> None:
        self.tables = context.tables

    def plan(self, horizon_days: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """All zeros."""
        regions, threats = len(self.tables.region_names), len(self.tables.threat_names)
        return (
            np.zeros((horizon_days, regions), dtype=np.int64),
            np.zeros((horizon_days, regions, threats), dtype=np.int64),
        )
