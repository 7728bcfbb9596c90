"""Ukraine: allocates its air defence over its regions and runs a fast, cheap interceptor-drone industry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.industry import CREDIT_TOLERANCE, ProductionLine
from sim.model.policies.registry import ALLOCATION
from sim.model.splits import UnitSplit
from sim.model.surroundings import Surroundings
from sim.model.tables import UKRAINE
from sim.scenario.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR


@dataclass
class AidFund:
    """A pot of aid money for Ukraine's interceptors (``military_aid_meur_per_year`` or an ``aid_funds`` entry)."""

    name: str
    eur_per_year: float
    shares: dict[str, float]
    priority: bool
    eligible: Callable[[ProductionLine], bool]
    """The lines it may buy from."""
    available_eur: float = 0.0


class UkraineAgent(mesa.Agent):
    """Ukraine's air-defence command and its domestic industry.

    New fire units and interceptors (deliveries, donations, its own production) land in its depot (kept by
    :class:`sim.model.posture.ForcePosture`); at each allocation review the allocation policy sends them to
    the regions.
    """

    def __init__(self, model: mesa.Model, surroundings: Surroundings) -> None:
        super().__init__(model)
        self.surroundings = surroundings
        tables = surroundings.tables
        ukraine = surroundings.scenario.actors.ukraine
        self.code = UKRAINE
        self.regions = tables.ukraine_regions
        self.raid_shares = surroundings.policy_context.raid_shares
        self.allocation = ALLOCATION.build(ukraine.allocation, surroundings.policy_context)
        industry = ukraine.industry
        self.industry_munition = tables.munition_index(industry.interceptor)
        self.capacity_per_month = industry.capacity_per_month.value
        self.unit_cost_eur = industry.unit_cost_eur.value
        self.capacity_per_eur = industry.capacity_per_meur.value / 1e6
        self.ramp_up_days = industry.ramp_up_days.as_int()
        self.investment_share = industry.investment_share.value
        self.own_funding_eur_per_year = industry.own_funding_meur_per_year.value * 1e6
        # Launch teams (the industry's funding equips and trains them; see fund()).
        self.launch_team = None if industry.launch_team is None else tables.effector_index(industry.launch_team)
        self.launch_team_cost_eur = (
            0.0 if self.launch_team is None else float(tables.fire_unit_cost_eur[self.launch_team])
        )
        self.drones_per_launch_team_per_month = industry.drones_per_launch_team_per_month.value
        self.launch_team_training_days = industry.launch_team_training_days.as_int()
        self._teams_in_training: list[tuple[int, int]] = []  # (day they join the depot, teams)
        self.launch_teams_bought = 0
        access = surroundings.market.access
        national = AidFund(
            "military_aid",
            ukraine.military_aid_meur_per_year.value * 1e6,
            {name: share.value for name, share in ukraine.aid_shares.items()},
            ukraine.aid_priority,
            access.national,
        )
        self.aid_funds = [national] + [
            AidFund(
                fund.name,
                fund.meur_per_year.value * 1e6,
                {name: share.value for name, share in fund.shares.items()},
                fund.priority,
                access.rule(fund.funding),
            )
            for fund in ukraine.aid_funds
        ]
        self.paid_units = 0.0  # units paid for and not yet made
        self._credit = 0.0
        self._capacity_steps: list[tuple[int, float]] = []
        self.produced = 0
        self._empty_days_reported = 0
        # Tabletop play: True while a team of players commands Ukraine's air defence; the allocation policy then
        # stands down after day 0 (it still places the starting posture) and new stock waits in the depot until
        # the players allocate it. Aid purchases and the industry's own funding go on. Never set outside play.
        self.played = False

    @property
    def depot_fire_units(self) -> NDArray[np.int64]:
        """``[E]`` fire units in the depot (:attr:`ForcePosture.depot_fire_units`)."""
        return self.surroundings.posture.depot_fire_units

    @property
    def depot_munitions(self) -> NDArray[np.int64]:
        """``[M]`` interceptors in the depot (:attr:`ForcePosture.depot_munitions`)."""
        return self.surroundings.posture.depot_munitions

    def receive(self, item: str, units: int) -> None:
        """Fire units or interceptors arrive in the depot."""
        self.surroundings.posture.add_to_depot(item, units)

    @property
    def aid_available_eur(self) -> float:
        """Aid money received and not yet spent, over all funds."""
        return sum(fund.available_eur for fund in self.aid_funds)

    def buy_with_aid(self, day: int, days_covered: int) -> None:
        """Spend ``days_covered`` days of each aid fund on interceptors, each at the fastest supplier the fund may
        buy from (:class:`sim.model.market.MarketAccess`). An interceptor no eligible supplier offers gives its
        share to the fund's other interceptors; money left over (less than a unit) waits for the next review."""
        market = self.surroundings.market
        for fund in self.aid_funds:
            fund.available_eur += fund.eur_per_year * days_covered / DAYS_PER_YEAR
            best = {}
            for item, share in sorted(fund.shares.items()):
                quotes = market.quotes(item, 1, eligible=fund.eligible, priority=fund.priority)
                if quotes and share > 0:
                    best[item] = (share, min(quotes, key=lambda q: (q.lead_time_days, q.unit_price_eur, q.supplier)))
            reachable_share = sum(share for share, _ in best.values())
            budget = fund.available_eur
            for item, (share, quote) in best.items():
                units = int(budget * share / reachable_share // quote.unit_price_eur)
                if units > 0:
                    market.place(
                        self.code, quote.supplier, item, units, quote.unit_price_eur, "aid", day, priority=fund.priority
                    )
                    fund.available_eur -= units * quote.unit_price_eur

    def allocate(self, day: int) -> None:
        """Send the depot's fire units and interceptors to the regions (the allocation policy decides)."""
        if self.played and day > 0:  # tabletop: the players allocate from the depot (day 0: starting posture)
            return
        posture = self.surroundings.posture
        if posture.depot_is_empty():
            return
        start = max(0, day - self.allocation.lookback_days)
        recent = (
            self.surroundings.threat_picture.threats_at_ukraine_between(start, day)
            if day > 0
            else np.zeros(len(self.regions))
        )
        split = UnitSplit(self.allocation.weights(recent.astype(np.float64), self.raid_shares))
        posture.send_out_depot(self.regions, split)

    def is_short(self, day: int, period_days: int) -> bool:
        """Whether one of Ukraine's regions ran a layer dry in the last ``period_days`` (what donors hear)."""
        del day, period_days  # the count since the last question is exactly the last period
        empty_days = int(self.surroundings.ledger.empty_magazine_region_days[self.regions].sum())
        short = empty_days > self._empty_days_reported
        self._empty_days_reported = empty_days
        return short

    def launch_teams_wanted(self) -> int:
        """Launch teams the industry's rule wants now: one per ``drones_per_launch_team_per_month`` drones of
        monthly capacity, counting the capacity already invested in and still ramping up."""
        capacity = self.capacity_per_month + sum(added for _, added in self._capacity_steps)
        return int(capacity // self.drones_per_launch_team_per_month)

    def launch_teams_held(self) -> int:
        """Launch teams standing in Ukraine's regions, waiting in its depot or in training."""
        posture = self.surroundings.posture
        team = self.launch_team
        if team is None:
            return 0
        standing = int(posture.fire_units[self.regions, team].sum()) + int(posture.depot_fire_units[team])
        return standing + sum(teams for _, teams in self._teams_in_training)

    def _buy_launch_teams(self, amount_eur: float, day: int) -> float:
        """Pay for the launch teams missing under the rule (as many as ``amount_eur`` pays for); return the
        money spent. They join the depot after their training days."""
        if self.launch_team is None:
            return 0.0
        missing = self.launch_teams_wanted() - self.launch_teams_held()
        if missing <= 0:
            return 0.0
        cost = self.launch_team_cost_eur
        teams = missing if cost <= 0 else min(missing, int(amount_eur // cost))
        if teams <= 0:
            return 0.0
        self._teams_in_training.append((day + self.launch_team_training_days, teams))
        self.launch_teams_bought += teams
        return teams * cost

    def fund(self, amount_eur: float, funder: str, day: int) -> None:
        """Money for the industry: first the launch teams its rule is missing, then part of the rest invested
        in capacity (producing after the ramp-up), and what is left buys drones."""
        if amount_eur <= 0:
            return
        self._book_funding(amount_eur)
        amount_eur -= self._buy_launch_teams(amount_eur, day)
        invested = amount_eur * self.investment_share
        if invested > 0 and self.capacity_per_eur > 0:
            self._capacity_steps.append((day + self.ramp_up_days, invested * self.capacity_per_eur))
            self._capacity_steps.sort()
        if self.unit_cost_eur > 0:
            self.paid_units += (amount_eur - invested) / self.unit_cost_eur

    def _book_funding(self, amount_eur: float) -> None:
        ledger = self.surroundings.ledger
        ledger.ukraine_industry_funding_eur += amount_eur
        ledger.procurement_spend_eur["ukraine_industry"] += amount_eur
        ledger.procurement_spend_by_supplier_eur["ukraine_industry"] += amount_eur
        ledger.add_today("procurement_spend_meur", amount_eur / 1e6)

    def produce(self, day: int) -> None:
        """Launch teams whose training ends today, and a day's output of paid-for interceptor drones, go to
        the depot."""
        while self._teams_in_training and self._teams_in_training[0][0] <= day:
            _, teams = self._teams_in_training.pop(0)
            self.surroundings.posture.depot_fire_units[self.launch_team] += teams
            self.surroundings.ledger.ukraine_launch_teams_trained += teams
        while self._capacity_steps and self._capacity_steps[0][0] <= day:
            self.capacity_per_month += self._capacity_steps.pop(0)[1]
        if self.paid_units < 1:
            self._credit = 0.0
            return
        self._credit += self.capacity_per_month / DAYS_PER_MONTH
        made = int(min(self._credit, self.paid_units) + CREDIT_TOLERANCE)  # floating-point sums, as in industry
        if made <= 0:
            return
        self._credit -= made
        self.paid_units -= made
        self.produced += made
        self.surroundings.posture.depot_munitions[self.industry_munition] += made
        ledger = self.surroundings.ledger
        ledger.ukraine_industry_output += made
        ledger.add_today("ukraine_industry_output", made)
