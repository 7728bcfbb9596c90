"""Adversary policies: how many drones and missiles are launched each night, and where.

Both policies draw the whole horizon's plan at the start from the adversary's own random stream, in a
handful of vectorised draws. Replication *i* of two scenarios therefore faces the same raids whatever the
defenders do (common random numbers), and a night costs nothing to plan. The adversary's stock still
limits what is launched on the night (see ``sim.model.agents.adversary``).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from sim.model.tables import Tables
from sim.scenario.policies import BorderIncursionParams, NightlyRaidParams

DAYS_PER_MONTH = 30.0


def _mix_vector(tables: Tables, mix: dict[str, float]) -> NDArray[np.float64]:
    vector = np.zeros(len(tables.threat_names))
    for name, share in mix.items():
        vector[tables.threat_index(name)] = share
    total = vector.sum()
    return vector / total if total > 0 else vector


class NightlyRaidsPolicy:
    """Nightly raids on Ukraine: a negative-binomial count with a monthly trend and surge nights, split over
    regions by their raid share and over drone types by the mix; missile strikes on some nights."""

    name = "nightly_raids"

    def __init__(self, params: NightlyRaidParams, tables: Tables, region_shares: NDArray[np.float64]) -> None:
        self.params = params
        self.tables = tables
        self.region_shares = region_shares / region_shares.sum()
        self.drone_mix = _mix_vector(tables, {k: v.value for k, v in params.drone_mix.items()})
        self.missile_mix = _mix_vector(tables, {k: v.value for k, v in params.missile_mix.items()})

    def mean_drones(self, days: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean drones on an ordinary night of each day (trend applied)."""
        p = self.params
        return p.drones_per_night.value * (1.0 + p.trend_per_month.value) ** (days / DAYS_PER_MONTH)

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Threats launched at each Ukrainian region each night: ``[day, region, threat]``."""
        p = self.params
        days = np.arange(horizon_days, dtype=np.float64)
        mean = self.mean_drones(days)
        surge = rng.random(horizon_days) < p.surge_probability.value
        mean = np.where(surge, mean * p.surge_multiplier.value, mean)
        shape = p.dispersion.value
        rate = rng.gamma(shape, mean / shape)
        drones = rng.poisson(rate)
        plan = np.zeros((horizon_days, len(self.region_shares), len(self.tables.threat_names)), dtype=np.int64)
        by_region = rng.multinomial(drones, self.region_shares)  # [H, Ru]
        plan += rng.multinomial(by_region, self.drone_mix)  # [H, Ru, T]
        if p.missile_strike_probability.value > 0 and self.missile_mix.sum() > 0:
            strike = rng.random(horizon_days) < p.missile_strike_probability.value
            missiles = np.where(strike, rng.poisson(p.missiles_per_strike.value, horizon_days), 0)
            plan += rng.multinomial(rng.multinomial(missiles, self.region_shares), self.missile_mix)
        return plan


class NoRaidsPolicy:
    """No raids on Ukraine (a reference case)."""

    name = "no_raids"

    def __init__(self, tables: Tables, region_shares: NDArray[np.float64]) -> None:
        self.shape = (len(region_shares), len(tables.threat_names))

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """All zeros."""
        return np.zeros((horizon_days, *self.shape), dtype=np.int64)


class BorderIncursionsPolicy:
    """Incursions into NATO airspace: Poisson counts per state and day; each brings 1 + Poisson(m − 1)
    drones (mean m), split over drone types by the mix; the state's airports close meanwhile."""

    name = "border_incursions"

    def __init__(self, params: BorderIncursionParams, tables: Tables) -> None:
        self.params = params
        self.tables = tables
        self.regions = np.array([tables.region_index(code) for code in params.incursions_per_month], dtype=np.int64)
        self.rate_per_day = np.array([r.value for r in params.incursions_per_month.values()]) / DAYS_PER_MONTH
        self.mix = _mix_vector(tables, {k: v.value for k, v in params.drone_mix.items()})

    @property
    def airport_closure_hours(self) -> float:
        """Hours each airport of a state closes on a night with an incursion."""
        return self.params.airport_closure_hours.value

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
    airport_closure_hours = 0.0

    def __init__(self, tables: Tables) -> None:
        self.tables = tables

    def plan(self, horizon_days: int, rng: np.random.Generator) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """All zeros."""
        regions, threats = len(self.tables.region_names), len(self.tables.threat_names)
        return (
            np.zeros((horizon_days, regions), dtype=np.int64),
            np.zeros((horizon_days, regions, threats), dtype=np.int64),
        )
