"""The adversary: launches the planned raids and incursions each night, as far as its stock allows."""

from __future__ import annotations

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.night import launch
from sim.model.policies.registry import INCURSIONS, RAIDS
from sim.model.splits import split_units
from sim.model.surroundings import Surroundings
from sim.scenario.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR


class AdversaryAgent(mesa.Agent):
    """Raids on Ukraine and incursions into NATO airspace, limited by its stock and production.

    Besides its plan, tonight it launches what events and injects add (:meth:`inject`); a scripted raid may
    replace tonight's planned raid (:meth:`cancel_planned_raid`). A raid policy that reviews its plan (the
    adaptive raids) reshapes the coming nights every ``review_days`` from what got through since its last
    review, as the ledger has it; the fixed plan never changes.
    """

    def __init__(
        self,
        model: mesa.Model,
        surroundings: Surroundings,
        raids_rng: np.random.Generator,
        incursions_rng: np.random.Generator,
    ) -> None:
        """Plan every night of the horizon.

        Args:
            model: The Mesa model the agent belongs to.
            surroundings: What it reads of the world (the scenario, tables and policy context).
            raids_rng: The raids' random stream; the raid policy draws the plan from it.
            incursions_rng: The incursions' random stream; the incursion policy draws the plan from it.
        """
        super().__init__(model)
        self.ledger = surroundings.ledger
        tables = surroundings.tables
        adversary = surroundings.scenario.actors.adversary
        threats = len(tables.threat_names)
        self.stock = np.zeros(threats)
        self.production_per_day = np.zeros(threats)
        self.production_growth_per_day = np.ones(threats)  # a daily factor: 1 where output does not grow
        for name, count in adversary.stock.items():
            self.stock[tables.threat_index(name)] = count.value
        for name, rate in adversary.production_per_month.items():
            self.production_per_day[tables.threat_index(name)] = rate.value / DAYS_PER_MONTH
        for name, growth in adversary.production_growth_per_year.items():
            self.production_growth_per_day[tables.threat_index(name)] = (1.0 + growth.value) ** (1.0 / DAYS_PER_YEAR)
        self.raid_policy = RAIDS.build(adversary.raids, surroundings.policy_context)
        self.incursion_policy = INCURSIONS.build(adversary.incursions, surroundings.policy_context)
        horizon = surroundings.scenario.horizon_days
        self.raid_plan = self.raid_policy.plan(horizon, raids_rng)
        self.incursion_plan, self.incursion_drones = self.incursion_policy.plan(horizon, incursions_rng)
        self.launched = np.zeros(threats)
        ukraine = tables.ukraine_regions  # consecutive: Ukraine's regions follow the member states
        self._ukraine = slice(int(ukraine[0]), int(ukraine[-1]) + 1) if len(ukraine) else slice(0, 0)
        # Tonight's plan, raids and incursions together, for every night at once: [horizon, R, T].
        self.planned = np.array(self.incursion_drones[:horizon], dtype=np.int64)
        if len(ukraine):
            self.planned[:, self._ukraine] += self.raid_plan[:horizon]
        self._nothing = np.zeros((len(tables.region_names), threats), dtype=np.int64)
        self._injected = np.zeros((len(tables.region_names), threats), dtype=np.int64)  # tonight's extra [R, T]
        self.incursions_by_day: dict[int, list[tuple[int, int]]] = {}
        """Planned incursions: day → [(region, incursions)], for the days that have any."""
        for day, region in zip(*np.nonzero(self.incursion_plan[:horizon]), strict=True):
            planned_incursions = int(self.incursion_plan[day, region])
            self.incursions_by_day.setdefault(int(day), []).append((int(region), planned_incursions))
        ukraine_rows = self._ukraine
        self._reviewed_launched = self.ledger.launched[ukraine_rows].copy()
        self._reviewed_leakers = self.ledger.leakers[ukraine_rows].copy()

    def take_future_plan(self, other: AdversaryAgent, day: int) -> None:
        """From night ``day`` on, launch what ``other`` (the same scenario under another seed) planned; the nights
        before keep this plan. Used to continue a run with other future draws (:meth:`AirDefenceModel.branch`)."""
        self.planned[day:] = other.planned[day:]
        self.incursions_by_day = {d: plan for d, plan in self.incursions_by_day.items() if d < day} | {
            d: plan for d, plan in other.incursions_by_day.items() if d >= day
        }

    def produce(self) -> None:
        """A day's production adds to stock; then each line's daily output grows by its yearly growth."""
        self.stock += self.production_per_day
        self.production_per_day *= self.production_growth_per_day  # (× 1.0, where nothing grows, is exact)

    def review_raids(self, day: int) -> None:
        """On a review day of a reviewing raid policy, reshape the coming nights by what got through.

        What was launched at Ukraine's regions since the last review, and what of it got through, come from the
        ledger's totals (the difference from the last review's). Incursion drones and cancelled nights keep
        their place: only the planned raids are reshaped.
        """
        review_days = self.raid_policy.review_days
        if not review_days or day == 0 or day % review_days or day >= len(self.planned):
            return
        ukraine = self._ukraine
        launched = self.ledger.launched[ukraine] - self._reviewed_launched
        leakers = self.ledger.leakers[ukraine] - self._reviewed_leakers
        self._reviewed_launched += launched
        self._reviewed_leakers += leakers
        window = slice(day, min(day + review_days, len(self.planned)))
        incursions = self.incursion_drones[window, ukraine]
        raids = self.planned[window, ukraine] - incursions
        self.planned[window, ukraine] = self.raid_policy.adapt(raids, launched, leakers) + incursions

    def inject(self, region: int, threats: NDArray[np.int64]) -> None:
        """Add ``threats`` ``[T]`` to tonight's launches at ``region`` (an injected raid or incursion)."""
        self._injected[region] += threats

    def cancel_planned_raid(self, day: int) -> None:
        """Night ``day``'s planned raid on Ukraine does not happen (a scripted raid replaces it); it uses no stock.

        Planned incursions that night stay. The whole plan was drawn at the start, so no random draw moves and
        the other nights' raids are unchanged (common random numbers). Cancelling twice is cancelling once.
        """
        if day < len(self.planned):
            self.planned[day, self._ukraine] = self.incursion_drones[day, self._ukraine]

    def tonight(self, day: int) -> tuple[NDArray[np.int64], bool]:
        """Threats launched tonight at every region ``[R, T]``: the plan plus injected raids and incursions,
        cut down per threat type to what is in stock; and whether anything was injected (then cleared).
        """
        self.review_raids(day)
        extra = self._injected
        injected = bool(extra.any())
        incoming = self._launch(day, extra)
        if injected:
            extra[:] = 0
        return incoming, injected

    def _launch(self, day: int, extra: NDArray[np.int64]) -> NDArray[np.int64]:
        planned = self.planned[day] if day < len(self.planned) else self._nothing
        incoming = np.empty_like(planned)
        if launch(planned, extra, self.stock, self.launched, incoming):
            return incoming  # the stock covered every threat type (the usual night)
        wanted = incoming.sum(axis=0)
        available = np.floor(self.stock).astype(np.int64)
        for threat in np.flatnonzero(wanted > available):
            incoming[:, threat] = split_units(int(available[threat]), incoming[:, threat].astype(np.float64))
        wanted = incoming.sum(axis=0)
        self.stock -= wanted
        self.launched += wanted
        return incoming
