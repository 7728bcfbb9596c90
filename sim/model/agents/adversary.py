"""The adversary: launches the planned raids and incursions each night, as far as its stock allows."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.policies.posture import split_units
from sim.model.policies.registry import IMPLEMENTATIONS
from sim.model.policies.threats import DAYS_PER_MONTH
from sim.scenario.policies import BorderIncursions, NightlyRaids

if TYPE_CHECKING:
    from sim.model.world import AirDefenceModel


class AdversaryAgent(mesa.Agent):
    """Raids on Ukraine and incursions into NATO airspace, limited by its stock and production."""

    model: AirDefenceModel

    def __init__(self, model: AirDefenceModel) -> None:
        super().__init__(model)
        tables = model.tables
        adversary = model.spec.actors.adversary
        threats = len(tables.threat_names)
        self.stock = np.zeros(threats)
        self.production_per_day = np.zeros(threats)
        for name, count in adversary.stock.items():
            self.stock[tables.threat_index(name)] = count.value
        for name, rate in adversary.production_per_month.items():
            self.production_per_day[tables.threat_index(name)] = rate.value / DAYS_PER_MONTH
        shares = np.array([region.raid_share.value for region in model.spec.actors.ukraine.regions])
        raids = adversary.raids
        if isinstance(raids, NightlyRaids):
            self.raid_policy = IMPLEMENTATIONS["raids"][raids.name](raids.params, tables, shares)
        else:
            self.raid_policy = IMPLEMENTATIONS["raids"][raids.name](tables, shares)
        incursions = adversary.incursions
        if isinstance(incursions, BorderIncursions):
            self.incursion_policy = IMPLEMENTATIONS["incursions"][incursions.name](incursions.params, tables)
        else:
            self.incursion_policy = IMPLEMENTATIONS["incursions"][incursions.name](tables)
        horizon = model.horizon_days
        self.raid_plan = self.raid_policy.plan(horizon, model.streams.raids)
        self.incursion_plan, self.incursion_drones = self.incursion_policy.plan(horizon, model.streams.incursions)
        self.launched = np.zeros(threats)
        ukraine = tables.ukraine_regions  # consecutive: Ukraine's regions follow the member states
        self._ukraine_rows = slice(int(ukraine[0]), int(ukraine[-1]) + 1) if len(ukraine) else slice(0, 0)

    def produce(self) -> None:
        """A day's production adds to stock."""
        self.stock += self.production_per_day

    def tonight(self, day: int, extra: NDArray[np.int64]) -> NDArray[np.int64]:
        """Threats launched tonight at every region ``[R, T]``: the plan plus injected raids and incursions,
        cut down per threat type to what is in stock."""
        incoming = extra.copy()
        if day < len(self.raid_plan):
            incoming[self._ukraine_rows] += self.raid_plan[day]
            incoming += self.incursion_drones[day]
        wanted = incoming.sum(axis=0)
        available = np.floor(self.stock).astype(np.int64)
        if (wanted > available).any():
            for threat in np.flatnonzero(wanted > available):
                incoming[:, threat] = split_units(int(available[threat]), incoming[:, threat].astype(np.float64))
            wanted = incoming.sum(axis=0)
        self.stock -= wanted
        self.launched += wanted
        return incoming

    def incursions_on(self, day: int) -> NDArray[np.int64]:
        """Planned incursions per region on a day."""
        if day < len(self.incursion_plan):
            return self.incursion_plan[day]
        return np.zeros(len(self.model.tables.region_names), dtype=np.int64)
