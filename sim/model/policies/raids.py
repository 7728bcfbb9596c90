"""The adversary's raids slot: how many drones and missiles are launched at Ukraine each night, and where.

A raid policy draws the whole horizon's plan at the start from the adversary's own random stream, in a handful
of vectorised draws. Replication *i* of two scenarios therefore faces the same raids whatever the defenders do
(common random numbers). The adversary's stock still limits what is launched on the night
(:mod:`sim.model.agents.adversary`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import PolicyContext
from sim.model.tables import Tables
from sim.scenario.calendar import DAYS_PER_MONTH
from sim.scenario.policies import NightlyRaidParams


class RaidPolicy(Protocol):
    """What the adversary asks of its raid policy."""

    @property
    def drone_mix(self) -> NDArray[np.float64] | None:
        """``[T]`` shares of the drone types in a raid (None: no raids); injected raids are split by it too."""
        ...

    @property
    def missile_mix(self) -> NDArray[np.float64] | None:
        """``[T]`` shares of the missile types in a strike (None: no strikes)."""
        ...

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Threats launched at each Ukrainian region each night: ``[day, Ukrainian region, threat]``."""
        ...


def threat_mix_vector(tables: Tables, mix: dict[str, float]) -> NDArray[np.float64]:
    """``[T]`` shares of each threat type in a mix (normalised to sum to 1; zeros stay zeros)."""
    vector = np.zeros(len(tables.threat_names))
    for name, share in mix.items():
        vector[tables.threat_index(name)] = share
    total = vector.sum()
    return vector / total if total > 0 else vector


class NightlyRaidsPolicy:
    """Nightly raids on Ukraine: a negative-binomial count with a monthly trend and surge nights, split over
    regions by their raid share and over drone types by the mix; missile strikes on some nights."""

    name = "nightly_raids"

    def __init__(self, params: NightlyRaidParams, context: PolicyContext) -> None:
        tables = context.tables
        self.params = params
        self.tables = tables
        self.region_shares = context.raid_shares / context.raid_shares.sum()
        self.drone_mix = threat_mix_vector(tables, {k: v.value for k, v in params.drone_mix.items()})
        self.missile_mix = threat_mix_vector(tables, {k: v.value for k, v in params.missile_mix.items()})

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

    drone_mix = None
    missile_mix = None

    def __init__(self, params: None, context: PolicyContext) -> None:
        self.shape = (len(context.raid_shares), len(context.tables.threat_names))

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """All zeros."""
        return np.zeros((horizon_days, *self.shape), dtype=np.int64)
