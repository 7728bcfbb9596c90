"""The Mesa model: one step is one day of the scenario, run in fixed phases.

The day runs in fixed phases, always in this order, so that cause and effect come in the same order in every
run — the pattern of starsim's simulation loop, not Mesa's "every agent's ``step()`` in turn":

1. **Events** scheduled for the day (and a facilitator's injects) are carried out (:mod:`sim.model.actions`).
2. **Production**: production lines start and deliver units; Ukraine's industry delivers drones; the
   adversary's factories add to its stock.
3. **Decisions** on their cadence: budget years roll over; the EU runs a joint round and pays Ukraine's
   industry; member states review procurement (in random order — nobody is always first in a queue) and
   donations; NATO repositions Eastern Sentry; suppliers consider investing; Ukraine allocates new stock.
   Each decision is the actor's policy (:mod:`sim.model.policies`) unless players hold the actor in play.
4. **Night**: the adversary launches the planned raids and incursions (as far as its stock allows); the
   engagement rules (:mod:`sim.model.engagement`) resolve Ukraine's regions in one call and the NATO regions
   under attack in another, where only the drones the state's sensors detect are engaged
   (:mod:`sim.model.sensors`); leakers hit sites; the airports of a state drones entered close for longer the
   more of them got away.
5. **Books**: the ledger (:mod:`sim.model.ledger`) writes the day's row of the time series.

Where Mesa serves: :class:`AirDefenceModel` is a ``mesa.Model`` (its ``rng``, ``run_for`` and ``running``);
the actors — EU, NATO, member states, Ukraine, the adversary, suppliers — are ``mesa.Agent`` objects held in
``model.agents``, and the member states also in a ``mesa.AgentSet`` that shuffles their reviews. There is no
scheduler and no agent ``step()``: :meth:`AirDefenceModel.step` calls the phases above. Where fire units and
interceptors stand (Ukraine's depot included) belongs to :class:`sim.model.posture.ForcePosture`
(``model.posture``). Agents and actions reach the world only through the narrow interface of
:class:`sim.model.surroundings.Surroundings` (posture, ledger, market, threat picture, the other actors), never
through this class; its own working parts (streams, events, the night's constants and caches) are private.

Random numbers come from separate streams spawned from the replication's seed (:mod:`sim.model.engagement.streams`:
raids, incursions, engagements, damage, decisions), so replication *i* of two scenarios faces the same raids
whatever the defenders do: common random numbers.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.actions import Actions
from sim.model.agents.adversary import AdversaryAgent
from sim.model.agents.eu import EUAgent
from sim.model.agents.member_state import MemberStateAgent
from sim.model.agents.nato import NATOAgent
from sim.model.agents.supplier import SupplierAgent
from sim.model.agents.ukraine import UkraineAgent
from sim.model.engagement.night import engage_regions, hit_sites
from sim.model.engagement.rules import layer_table
from sim.model.engagement.streams import NIGHT_PURPOSES, Streams
from sim.model.industry import EXTERNAL_BUYER
from sim.model.ledger import Ledger
from sim.model.market import Market
from sim.model.policies.context import PolicyContext
from sim.model.posture import ForcePosture
from sim.model.sensors import SensorNetwork, closure_hours
from sim.model.surroundings import Actors, Surroundings
from sim.model.tables import UKRAINE, UNLIMITED_STOCK, Tables, tables_for
from sim.model.threat_picture import ThreatPicture
from sim.scenario.calendar import DAYS_PER_YEAR
from sim.scenario.events import Event
from sim.scenario.model import Scenario

SUPPLIER_REVIEW_DAYS = 30
UKRAINE_STREAM, NATO_STREAM, DAMAGE_STREAM = (NIGHT_PURPOSES.index(name) for name in ("ukraine", "nato", "damage"))


class AirDefenceModel(mesa.Model):
    """European air and drone defence, one day per step (see the module docstring)."""

    def __init__(self, scenario: Scenario, seed: int, tables: Tables | None = None) -> None:
        super().__init__(rng=np.random.default_rng(np.random.SeedSequence(seed).spawn(1)[0]))
        self.spec = scenario
        self.seed = seed
        self.tables = tables if tables is not None else tables_for(scenario)
        self.horizon_days = scenario.horizon_days
        self.day = 0
        self._settle_daily = True  # False while run() goes to the end: see _settle_end_state
        self._streams = Streams.from_seed(seed, self.horizon_days)
        tables = self.tables
        regions, munitions = len(tables.region_names), len(tables.munition_names)
        member_states = scenario.actors.member_states
        self.posture = ForcePosture(
            tables,
            flank_regions=np.array(
                [tables.region_index(code) for code, state in member_states.items() if state.eastern_flank],
                dtype=np.int64,
            ),
            member_regions=[tables.region_index(code) for code in member_states],
        )
        self._set_up_inventories()
        self.ledger = Ledger(tables, self.horizon_days)
        self.market = Market(scenario, self.ledger)
        self.sensors = SensorNetwork(scenario, tables)
        self.ledger.detection_probability = self.sensors.detection  # the live array: the end's at the end
        raid_shares = np.array([region.raid_share.value for region in scenario.actors.ukraine.regions])
        self._actors = Actors()
        self._threat_picture = ThreatPicture(self.horizon_days, regions, len(tables.ukraine_regions))
        surroundings = Surroundings(
            scenario=scenario,
            tables=tables,
            policy_context=PolicyContext(tables, raid_shares),
            posture=self.posture,
            ledger=self.ledger,
            market=self.market,
            threat_picture=self._threat_picture,
            actors=self._actors,
            sensors=self.sensors,
        )
        self.actions = Actions(surroundings)
        self._events_by_day: defaultdict[int, list[Event]] = defaultdict(list)
        for event in scenario.events:
            self._events_by_day[event.day].append(event)
        eu = EUAgent(self, surroundings)
        nato = NATOAgent(self, surroundings)
        states = [
            MemberStateAgent(self, surroundings, self.actions, code, state)
            for code, state in scenario.actors.member_states.items()
        ]
        ukraine = UkraineAgent(self, surroundings)
        adversary = AdversaryAgent(self, surroundings, self._streams.raids, self._streams.incursions)
        suppliers = [SupplierAgent(self, surroundings, supplier) for supplier in scenario.industry.suppliers]
        self._actors.enrol(
            eu=eu, nato=nato, ukraine=ukraine, adversary=adversary, member_states=states, suppliers=suppliers
        )
        self._member_state_agents = mesa.agent.AgentSet(states, random=self.random)
        nato.gather_contributions()
        kernel = layer_table(tables.layers)
        self._night_constants = (  # the arguments of engagement.night.engage_regions between munitions and rng
            tables.engagements_per_unit,
            tables.ready_matrix,
            tables.reserve_rounds_per_unit,
            kernel.classes,
            kernel.class_count,
            kernel.draw_probability,
            kernel.shots_per_target,
            kernel.salvo,
            kernel.munition_index,
            kernel.cost_per_shot_eur,
            tables.threat_cost_eur,
            tables.threat_damage_fraction,
            tables.is_drone_or_decoy,
            tables.region_is_ukraine,
            tables.region_expected_hit_value_meur,
            tables.effector_layer,
            tables.effector_crewed,
        )
        closure = scenario.actors.nato.airport_closure
        self._closure_hours_range = (closure.hours_all_defeated.value, closure.hours_none_defeated.value)
        self._damaging = np.flatnonzero(tables.threat_damage_fraction > 0)
        self._nato_regions = tables.nato_regions
        # Nights on which the plan sends drones into NATO airspace (others may still have injected ones).
        self._nato_planned = adversary.planned[:, self._nato_regions].any(axis=(1, 2)).tolist()
        self._leakers = np.zeros((regions, len(tables.threat_names)), dtype=np.int64)  # tonight's, reused
        self._all_seen = np.zeros((len(tables.ukraine_regions), len(tables.threat_names)), dtype=np.int64)
        # Interceptor missiles (what the stock series count), not gun rounds or drones: 1 in their columns.
        self._stock_mask = np.zeros(munitions, dtype=np.int64)
        self._stock_mask[tables.missile_munitions] = 1
        self._fire_unit_levels_key: tuple[object, ...] = ()
        self._fire_unit_levels_cached: dict[str, float] = {}
        ukraine_regions = tables.ukraine_regions
        self._ukraine_rows = (
            slice(int(ukraine_regions[0]), int(ukraine_regions[-1]) + 1) if len(ukraine_regions) else slice(0, 0)
        )
        self._ukraine_regions = np.ascontiguousarray(ukraine_regions, dtype=np.int64)

    def _set_up_inventories(self) -> None:
        """The scenario's starting inventories: member states' at home, Ukraine's in its depot."""
        tables, posture, actors = self.tables, self.posture, self.spec.actors
        for code, state in actors.member_states.items():
            region = tables.region_index(code)
            for name, count in state.inventory.fire_units.items():
                posture.fire_units[region, tables.effector_index(name)] += count.as_int()
            for name, count in state.inventory.interceptors.items():
                posture.munitions[region, tables.munition_index(name)] += count.as_int()
        for name, count in actors.ukraine.inventory.fire_units.items():
            posture.depot_fire_units[tables.effector_index(name)] += count.as_int()
        for name, count in actors.ukraine.inventory.interceptors.items():
            posture.depot_munitions[tables.munition_index(name)] += count.as_int()

    # --- what tabletop play, reports and tests read (agents and actions reach the world through Surroundings) -

    @property
    def eu(self) -> EUAgent:
        """The EU agent."""
        return self._actors.eu

    @property
    def nato(self) -> NATOAgent:
        """The NATO agent."""
        return self._actors.nato

    @property
    def ukraine(self) -> UkraineAgent:
        """The Ukraine agent."""
        return self._actors.ukraine

    @property
    def adversary(self) -> AdversaryAgent:
        """The adversary agent."""
        return self._actors.adversary

    @property
    def member_states(self) -> list[MemberStateAgent]:
        """Member-state agents in scenario order."""
        return self._actors.member_states

    def member_state(self, code: str) -> MemberStateAgent:
        """The agent of a member state."""
        return self._actors.member_state(code)

    @property
    def fire_units(self) -> NDArray[np.int64]:
        """``[R, E]`` fire units standing in each region (:attr:`ForcePosture.fire_units`)."""
        return self.posture.fire_units

    @property
    def munitions(self) -> NDArray[np.int64]:
        """``[R, M]`` rounds on hand in each region (:attr:`ForcePosture.munitions`)."""
        return self.posture.munitions

    @property
    def incursion_history(self) -> NDArray[np.int64]:
        """``[horizon_days + 1, R]`` incursions into each region per night (:attr:`ThreatPicture.incursions`)."""
        return self._threat_picture.incursions

    def deliveries_due(self, before_day: int) -> dict[tuple[str, str], int]:
        """Units already in production for buyers in the scenario that arrive before ``before_day``.

        Read-only; the tabletop situation report lists them as "deliveries due next turn".

        Returns:
            ``(buyer, item) → units``, sorted by buyer and item.
        """
        due: dict[tuple[str, str], int] = {}
        for line in self.market.lines.values():
            for day, _, order, units in line._in_production:  # (due day, sequence, order, units): read only
                if day < before_day and order.buyer != EXTERNAL_BUYER:
                    due[(order.buyer, order.item)] = due.get((order.buyer, order.item), 0) + units
        return dict(sorted(due.items()))

    def branch(self, seed: int) -> AirDefenceModel:
        """A copy of this model as it stands now whose future draws come from ``seed``.

        The copy keeps everything that has happened (stocks, orders, budgets, the ledger, who is played); from
        today on its raids, incursions, nights and shuffles are those of the same scenario run under ``seed``
        (so ``branch(self.seed)`` continues exactly as this model would). This model is not touched: tabletop play
        looks ahead with branches while the game itself stays a pure function of its seed.
        """
        import copy
        import itertools

        donor = AirDefenceModel(self.spec, seed, self.tables)
        # itertools.count cannot be deep-copied from Python 3.14 on: the market's order numbers and the lines'
        # sequence numbers are copied by hand, going on from where they stand (read from their repr).
        counters = [self.market._order_ids, *(line._sequence for line in self.market.lines.values())]
        memo: dict[int, Any] = {
            id(counter): itertools.count(int(repr(counter).removeprefix("count(").removesuffix(")")))
            for counter in counters
        }
        branch = copy.deepcopy(self, memo)
        day = branch.day
        branch._streams = donor._streams  # never the copied streams: their compiled addresses are this model's
        branch.adversary.take_future_plan(donor.adversary, day)
        branch._nato_planned = branch._nato_planned[:day] + donor._nato_planned[day:]
        if seed != self.seed:  # the member states' review order; under its own seed it goes on as it was
            branch.random.seed(seed)
        return branch

    # --- the day --------------------------------------------------------------------------------------

    def step(self) -> None:
        """Advance the scenario by one day (and book what is left at its end: :meth:`_settle_end_state`)."""
        day = self.day
        if day >= self.horizon_days:
            self.running = False
            return
        for event in self._events_by_day.get(day, ()):
            self.actions.apply_event(event, day)
        self._produce(day)
        self._decide(day)
        self._night(day)
        self._close_books(day)
        if self._settle_daily:
            self._settle_end_state()
        self.day += 1
        if self.day >= self.horizon_days:
            self.running = False

    def _produce(self, day: int) -> None:
        actors = self._actors
        for delivery in self.market.produce(day):
            actors.deliver(delivery.order.buyer, delivery.order.item, delivery.units)
        actors.ukraine.produce(day)
        actors.adversary.produce()

    def _decide(self, day: int) -> None:
        cadence = self.spec.cadence
        actors = self._actors
        eu, ukraine, nato = actors.eu, actors.ukraine, actors.nato
        if day % DAYS_PER_YEAR == 0:
            for state in actors.member_states:
                state.start_year(day // DAYS_PER_YEAR)
        if day % cadence.procurement_days == 0:
            eu.fund_ukraine_industry(day, cadence.procurement_days)
            eu.fund_flank_sensors(day, cadence.procurement_days)
            ukraine.fund(ukraine.own_funding_eur_per_year * cadence.procurement_days / DAYS_PER_YEAR, UKRAINE, day)
            ukraine.buy_with_aid(day, cadence.procurement_days)
            self._member_state_agents.shuffle_do("review_procurement", day)
        if eu.joint_active and day % eu.policy.round_interval_days == eu.policy.round_interval_days - 1:
            eu.run_joint_round(day)
        if day % cadence.allocation_days == 0:
            short = ukraine.is_short(day, cadence.allocation_days)
            self._member_state_agents.shuffle_do("review_donation", day, short)
            ukraine.allocate(day)
        sentry_days = nato.sentry.review_days
        if day == 0 or (sentry_days and day % sentry_days == 0):
            nato.review_sentry(day)
        if day % SUPPLIER_REVIEW_DAYS == SUPPLIER_REVIEW_DAYS - 1:
            for supplier in actors.suppliers:
                supplier.review(day)

    def _night(self, day: int) -> None:
        tables = self.tables
        actors = self._actors
        adversary = actors.adversary
        for region, count in adversary.incursions_by_day.get(day, ()):
            self._threat_picture.record_incursions(day, region, count)
            owner = tables.region_owner[region]
            if owner != UKRAINE:
                actors.member_state(owner).incursions_since_review += count
        incoming, injected = adversary.tonight(day)
        ukraine = self._ukraine_rows
        self._threat_picture.record_threats_at_ukraine(day, incoming[ukraine].sum(axis=1))
        leakers = self._leakers
        leakers[:] = 0
        self._engage(
            self._ukraine_regions,
            incoming[ukraine],
            leakers,
            self._streams.night_address(day, UKRAINE_STREAM),
            self._all_seen,
        )
        if injected or day >= len(self._nato_planned) or self._nato_planned[day]:
            nato = self._nato_regions
            attacked = nato[incoming[nato].sum(axis=1) > 0]
            if len(attacked):
                self.ledger.incursions[attacked] += 1
                rng = self._streams.night(day, "nato")
                seen = rng.binomial(incoming[attacked], self.sensors.detection[attacked, np.newaxis])
                unseen = incoming[attacked] - seen
                # the same stream
                self._engage(attacked, seen, leakers, self._streams.nights[NATO_STREAM].address, unseen)
                leakers[attacked] += unseen
                self.ledger.record_unseen(attacked, unseen)
                self._close_airports(attacked, incoming[attacked].sum(axis=1), leakers[attacked].sum(axis=1))
        self.actions.scripted_closures.clear()
        self._damage(leakers, day)

    def _close_airports(
        self, regions: NDArray[np.int64], entered: NDArray[np.int64], leaked: NDArray[np.int64]
    ) -> None:
        """Close the airports of each region drones entered tonight, for longer the more got away
        (:func:`sim.model.sensors.closure_hours`), unless an event scripted tonight's closure there."""
        scripted = self.actions.scripted_closures
        hours_all, hours_none = self._closure_hours_range
        for region, count, away in zip(regions.tolist(), entered.tolist(), leaked.tolist(), strict=True):
            if region not in scripted:
                self.ledger.close_region_airports(region, closure_hours(count, away, hours_all, hours_none))

    def _engage(
        self,
        rows: NDArray[np.int64],
        incoming: NDArray[np.int64],
        leakers: NDArray[np.int64],
        rng: NDArray[np.uint64],
        unseen: NDArray[np.int64],
    ) -> None:
        """Resolve one night for the regions ``rows`` (``incoming`` [r, T]), update their stocks and book it.

        ``rng`` is the address of the night's stream (:meth:`Streams.night_address`); ``unseen`` [r, T] the
        threats that flew through undetected (for the binding-constraint ledger)."""
        ledger = self.ledger
        posture = self.posture
        engage_regions(
            rows,
            incoming,
            posture.fire_units,
            posture.munitions,
            UNLIMITED_STOCK,
            *self._night_constants,
            rng,
            ledger.night_counters,
            ledger.night_money,
            ledger.night_binding,
            ledger.today,
            ledger.night_columns,
            leakers,
            unseen,
        )

    def _damage(self, leakers: NDArray[np.int64], day: int) -> None:
        """Leakers hit sites in their region in proportion to the sites' value (marginally exact binomials)."""
        tables = self.tables
        if len(tables.site_names) == 0:
            return  # (with no damaging leakers, hit_sites draws nothing and books zeros)
        ledger = self.ledger
        damage_meur = hit_sites(
            leakers,
            tables.site_region,
            tables.site_share_in_region,
            tables.site_value_meur,
            self._damaging,
            tables.threat_damage_fraction,
            self._streams.night_address(day, DAMAGE_STREAM),
            ledger.site_hits,
            ledger.damage_meur,
        )
        ledger.add_today("damage_meur", damage_meur)

    def _close_books(self, day: int) -> None:
        stock = (self.posture.munitions @ self._stock_mask).astype(np.float64)  # integer sums: exact in any order
        self.ledger.end_day(day, stock, self._fire_unit_levels())

    def _settle_end_state(self) -> None:
        """Book what is left at the end of the day (at the end of a run: at the end): interceptors on hand and
        never fired, by item, and money not spent (a state's sensor budget included), by actor (the ledger's
        ``idle_stock_end`` and ``unspent_budget_eur``). After every :meth:`step` (a game reads them between
        days), and once at the end of :meth:`run`, whose days change nothing in between that could be read."""
        posture, ledger, actors = self.posture, self.ledger, self._actors
        stock = posture.munitions.sum(axis=0) + posture.depot_munitions
        ledger.idle_stock_end = {name: float(stock[index]) for index, name in enumerate(self.tables.interceptor_names)}
        unspent = {"EU": actors.eu.edip_left_eur}
        for state in actors.member_states:
            unspent[state.code] = state.budget.available_eur + state.sensor_budget.available_eur
        unspent["ukraine_aid"] = actors.ukraine.aid_available_eur
        ledger.unspent_budget_eur = unspent

    def _fire_unit_levels(self) -> dict[str, float]:
        """The end-of-day levels that count fire units, recomputed only on days some fire unit moved.

        They depend on nothing but where fire units stand, who owns them and what waits in Ukraine's depot, all
        of which :meth:`ForcePosture.snapshot` holds, so an unchanged key means unchanged levels. Fire units move
        on few days (deliveries, allocations, donations, sentry reviews, events; never at night).
        """
        key = self.posture.snapshot()
        if key != self._fire_unit_levels_key:
            self._fire_unit_levels_key = key
            posture = self.posture
            # Who owns what, as of today: the comparison's common capability-target yardstick reads the last day's.
            self.ledger.fire_units_owned_end = posture.owned()
            self._fire_unit_levels_cached = {
                "capability_target_fulfilment": self._actors.nato.fulfilment(),
                "ukraine_fire_units": float(
                    posture.fire_units[self._ukraine_rows].sum() + posture.depot_fire_units.sum()
                ),
                "nato_rotational_fire_units": float(self.posture.pool.sum()),
            }
        return self._fire_unit_levels_cached

    def run(self) -> None:
        """Run to the end of the horizon."""
        if self.day < self.horizon_days:
            # One step a day, as many as days are left; nobody reads the end-of-day state until the end.
            self._settle_daily = False
            try:
                self.run_for(self.horizon_days - self.day)
            finally:
                self._settle_daily = True
        self._settle_end_state()
        self.ledger.capability_target_fulfilment = self._actors.nato.fulfilment()
