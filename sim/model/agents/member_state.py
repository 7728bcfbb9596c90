"""A member state: budget, holdings, airspace, and its procurement, deployment and donation policies.

Besides fire units and interceptors it buys drone sensors (:mod:`sim.model.sensors`) from a budget line of
their own (``sensor_budget_meur_per_year``); the EU's drone-wall money buys sensors for the flank states the
same way (:meth:`MemberStateAgent.order_sensors`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.industry import ProductionLine
from sim.model.market import Budget
from sim.model.policies.procurement import ProcurementView
from sim.model.policies.registry import DEPLOYMENT, DONATION, PROCUREMENT
from sim.model.surroundings import Surroundings
from sim.scenario.actors import MemberState
from sim.scenario.calendar import DAYS_PER_YEAR

if TYPE_CHECKING:
    from sim.model.actions import Actions


class _HomeUnitsByName(Mapping[str, int]):
    """A state's fire units at home by effector name, counted when first read.

    A donation policy reads the home units only when it may give something (Ukraine is short, the state is
    under its yearly cap), so they are counted only then.
    """

    def __init__(self, state: MemberStateAgent) -> None:
        self._state = state
        self._units: dict[str, int] | None = None

    def _counted(self) -> dict[str, int]:
        if self._units is None:
            self._units = self._state.home_units_by_name()
        return self._units

    def __getitem__(self, name: str) -> int:
        return self._counted()[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._counted())

    def __len__(self) -> int:
        return len(self._counted())


class MemberStateAgent(mesa.Agent):
    """An EU/NATO member state (its airspace is the region named by its code)."""

    def __init__(
        self, model: mesa.Model, surroundings: Surroundings, actions: Actions, code: str, state: MemberState
    ) -> None:
        """Set up a member state from its section of the scenario.

        Args:
            model: The Mesa model the agent belongs to.
            surroundings: What it reaches of the world.
            actions: Where its donations go through (:meth:`Actions.transfer`), as every transfer does.
            code: Its code, which names its region.
            state: Its section of the scenario.
        """
        super().__init__(model)
        self.surroundings = surroundings
        self._actions = actions
        tables = surroundings.tables
        self.code = code
        self.name = state.name
        self.region = tables.region_index(code)
        self.eastern_flank = state.eastern_flank
        self.budget = Budget(
            yearly_eur=state.air_defence_budget_meur_per_year.value * 1e6,
            growth_per_year=state.budget_growth_per_year.value,
            safe_allocation_eur=state.safe_loan_meur.value * 1e6,
        )
        self.sensor_budget = Budget(
            yearly_eur=state.sensor_budget_meur_per_year.value * 1e6,
            growth_per_year=state.budget_growth_per_year.value,
            safe_allocation_eur=0.0,
        )
        # Sensor money set aside for each sensor type until it buys a whole unit, by channel (national, EU).
        self._sensor_earmarks_eur: defaultdict[str, defaultdict[str, float]] = defaultdict(lambda: defaultdict(float))
        policies, context = state.policies, surroundings.policy_context
        self.procurement = PROCUREMENT.build(policies.procurement, context)
        self.deployment = DEPLOYMENT.build(policies.deployment, context)
        self.donation = DONATION.build(policies.donation, context)
        self.incursions_since_review = 0
        self.donated_by_year: dict[int, int] = {}
        # Tabletop play: True while a team of players decides for this state. Its procurement and donation
        # policies then stand down (its budget, holdings and airspace work as always). Never set outside play.
        self.played = False
        self.capability_targets = {
            target.effector: target.fire_units.as_int()
            for target in surroundings.scenario.actors.nato.capability_targets
            if target.state == code
        }

    # --- holdings -------------------------------------------------------------------------------------

    def home_fire_units(self) -> NDArray[np.int64]:
        """Its own fire units standing at home ``[E]`` (not NATO pool units or other states' units stationed there)."""
        return self.surroundings.posture.home(self.region)

    def owned_fire_units(self) -> NDArray[np.int64]:
        """Fire units it owns wherever they stand ``[E]``: at home, lent to NATO's pool, redeployed."""
        return self.surroundings.posture.owned_by(self.region)

    def home_units_by_name(self) -> dict[str, int]:
        """Fire units at home by effector name."""
        return dict(zip(self.surroundings.tables.effector_names, self.home_fire_units().tolist(), strict=True))

    def receive(self, item: str, units: int) -> None:
        """Delivered fire units, interceptors or sensors arrive at home."""
        sensors = self.surroundings.sensors
        if sensors.is_sensor(item):
            sensors.add(self.region, item, units)
        else:
            self.surroundings.posture.add(self.region, item, units)

    def start_year(self, year: int) -> None:
        """A new budget year: the air-defence and sensor budgets add the year's money."""
        self.budget.start_year(year)
        self.sensor_budget.start_year(year)

    # --- money ----------------------------------------------------------------------------------------

    def split_payment(self, cost_per_unit_eur: float, units: int, safe_ok: bool) -> tuple[int, int]:
        """Units it can pay for from its budget, then from SAFE (if allowed): ``(budget units, SAFE units)``."""
        if cost_per_unit_eur <= 0:
            return units, 0
        budget_units = min(units, int(self.budget.available_eur // cost_per_unit_eur))
        safe_units = 0
        if safe_ok and budget_units < units:
            eu_room = self.surroundings.actors.eu.safe_room_eur()
            safe_money = min(self.budget.safe_available_eur, eu_room)
            safe_units = min(units - budget_units, int(safe_money // cost_per_unit_eur))
        return budget_units, safe_units

    def pay(self, cost_eur: float, *, safe: bool) -> None:
        """Commit money from the budget or the SAFE loan."""
        self.budget.pay(cost_eur, safe=safe)
        if safe:
            self.surroundings.actors.eu.draw_safe(cost_eur)
            self.surroundings.ledger.safe_drawn_eur += cost_eur

    def buy(
        self,
        item: str,
        units: int,
        day: int,
        *,
        channel: str = "national",
        priority: bool = False,
        supplier: str | None = None,
        eligible: Callable[[ProductionLine], bool] | None = None,
    ) -> tuple[int, str]:
        """Order ``units`` of ``item`` from the best acceptable supplier, as far as money allows.

        Returns:
            ``(units ordered, explanation)``; 0 units with the reason when nothing could be ordered.
        """
        market = self.surroundings.market
        quotes = market.quotes(item, units, eligible=eligible, priority=priority)
        if supplier is not None:
            quotes = [quote for quote in quotes if quote.supplier == supplier]
        ranked = self.procurement.rank_quotes(quotes) if supplier is None else quotes
        if not ranked:
            if supplier is not None and (supplier, item) not in market.lines:
                return 0, f"{supplier} does not make {item}"
            if supplier is not None:
                return 0, f"{supplier} cannot take an order for {item} now (no capacity)"
            return 0, f"no supplier offers {item} within the acceptable lead time"
        quote = ranked[0]
        line = market.line(quote.supplier, item)
        budget_units, safe_units = self.split_payment(quote.unit_price_eur, units, market.access.safe(line))
        if budget_units + safe_units == 0:
            return 0, (
                f"cannot afford one {item} at €{quote.unit_price_eur:,.0f} "
                f"(budget left €{self.budget.available_eur / 1e6:,.1f}M)"
            )
        if budget_units:
            self.pay(budget_units * quote.unit_price_eur, safe=False)
            market.place(
                self.code, quote.supplier, item, budget_units, quote.unit_price_eur, channel, day, priority=priority
            )
        if safe_units:
            self.pay(safe_units * quote.unit_price_eur, safe=True)
            market.place(
                self.code, quote.supplier, item, safe_units, quote.unit_price_eur, "safe", day, priority=priority
            )
        ordered = budget_units + safe_units
        note = "" if ordered == units else f" ({units - ordered} unaffordable)"
        return ordered, f"ordered {ordered} {item} from {quote.supplier}, ~{quote.lead_time_days:.0f} days{note}"

    # --- decisions ------------------------------------------------------------------------------------

    def review_procurement(self, day: int) -> None:
        """Procurement review: the policy's demands, split between the EU's joint round and national orders."""
        if self.played:  # tabletop: the players order for this state (and hear of incursions in the sitrep)
            self.incursions_since_review = 0
            return
        surroundings = self.surroundings
        eu = surroundings.actors.eu
        # Units pooled for the EU's next joint round are on order too: without them every review before the
        # round would ask for the same gap again.
        on_order = dict(surroundings.market.on_order[self.code])
        for item, buyers in eu.pool.items():
            if self.code in buyers:
                on_order[item] = on_order.get(item, 0) + buyers[self.code]
        view = ProcurementView(
            fire_units=self.owned_fire_units(),
            munitions=surroundings.posture.munitions[self.region],
            on_order=on_order,
            capability_targets=self.capability_targets,
            incursions_since_review=self.incursions_since_review,
        )
        joint_share = self.procurement.joint_share if eu.joint_active else 0.0
        for demand in self.procurement.decide(view):
            joint_units = round(demand.units * joint_share)
            if joint_units:
                eu.pool_demand(self, demand.item, joint_units)
            national_units = demand.units - joint_units
            if national_units and self._may_afford_one(demand.item):
                self.buy(demand.item, national_units, day)
        self.incursions_since_review = 0
        sensor_budget = self.sensor_budget
        unallocated_eur = sensor_budget.available_eur - sum(self._sensor_earmarks_eur["national"].values())
        if unallocated_eur > 0 or sensor_budget.available_eur > 0:
            sensor_budget.pay(self.order_sensors(max(unallocated_eur, 0.0), day, channel="national"))

    def order_sensors(self, new_money_eur: float, day: int, *, channel: str) -> float:
        """Order sensors with money for them: the procurement policy splits ``new_money_eur`` over sensor types
        (its ``sensor_shares``); each type's share is set aside until it buys whole units, then ordered from the
        supplier the policy ranks first. Whoever pays (the state's sensor budget, the EU) pays what this returns.

        Returns:
            EUR committed to orders now (set-aside money waits for the next call of the same channel).
        """
        surroundings = self.surroundings
        market, sensors = surroundings.market, surroundings.sensors
        offers = {}
        for item in sensors.sensor_names:
            ranked = self.procurement.rank_quotes(market.quotes(item, 1))
            if ranked:
                offers[item] = ranked[0]
        shares = self.procurement.sensor_shares(
            {item: sensors.coverage_per_eur(item, quote.unit_price_eur) for item, quote in offers.items()}
        )
        earmarks = self._sensor_earmarks_eur[channel]
        for item, share in shares.items():
            earmarks[item] += new_money_eur * share
        committed_eur = 0.0
        for item in sorted(earmarks):
            quote = offers.get(item)
            if quote is None:
                continue  # nobody sells it now (or not within the acceptable lead time): the money waits
            units = int(earmarks[item] // quote.unit_price_eur)
            if units <= 0:
                continue
            cost_eur = units * quote.unit_price_eur
            market.place(self.code, quote.supplier, item, units, quote.unit_price_eur, channel, day)
            earmarks[item] -= cost_eur
            committed_eur += cost_eur
        return committed_eur

    def _may_afford_one(self, item: str) -> bool:
        """False when the state cannot pay for one unit of ``item`` from any line (:meth:`split_payment`, the rule
        :meth:`buy` pays by, with SAFE where the line is eligible).

        A review then skips the purchase: it would order nothing and change nothing (quotes are free), and the
        review ignores the reason given. Negative money
        (which paying what was checked never leaves) would give :meth:`split_payment` negative counts, so a review
        never skips then.
        """
        budget = self.budget
        if budget.available_eur < 0 or budget.safe_available_eur < 0:
            return True
        market = self.surroundings.market
        return any(
            sum(self.split_payment(line.unit_price_eur, 1, market.access.safe(line)))
            for line in market.lines_by_item.get(item, ())
            if market.access.national(line)
        )

    def review_donation(self, day: int, ukraine_short: bool) -> None:
        """Donation review: the policy may give Ukraine a fire unit (with backfill)."""
        if self.played:  # tabletop: the players decide this state's donations
            return
        year = day // DAYS_PER_YEAR
        decision = self.donation.decide(_HomeUnitsByName(self), self.donated_by_year.get(year, 0), ukraine_short)
        if decision is None:
            return
        munition = self.surroundings.scenario.catalog.effectors[decision.effector].interceptor
        interceptors = {munition: decision.interceptors} if munition and decision.interceptors else {}
        result = self._actions.transfer(
            self.code, "UA", {decision.effector: decision.fire_units}, interceptors, decision.backfill, day
        )
        if result.done:
            self.donated_by_year[year] = self.donated_by_year.get(year, 0) + decision.fire_units
