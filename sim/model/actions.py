"""Actions that change the world on a day: the one place scheduled events, policy decisions and the
players' decisions in tabletop play go through.

Each action checks what the actor can actually do (stock, budget, rules) and either happens or is refused
with a reason; refusals are recorded in the ledger. Nothing here draws random numbers: an injected raid's
drones are split over regions and types in fixed shares (:func:`sim.model.splits.split_units`).

Actions reach the world only through :class:`sim.model.surroundings.Surroundings`, as agents do.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from sim.model.splits import split_units
from sim.model.surroundings import Surroundings
from sim.model.tables import UKRAINE
from sim.scenario import events as ev
from sim.scenario.calendar import DAYS_PER_YEAR


@dataclass(frozen=True)
class ActionResult:
    """Whether an action happened, and what was done or why not."""

    done: bool
    message: str


class Actions:
    """The world-changing actions of one model."""

    def __init__(self, surroundings: Surroundings) -> None:
        self.surroundings = surroundings
        self.scripted_closures: set[int] = set()
        """Regions whose airport closure tonight an incursion scripted (the night adds none of its own there)."""

    def _refuse(self, day: int, what: str, reason: str) -> ActionResult:
        self.surroundings.ledger.refuse(day, what, reason)
        return ActionResult(False, f"{what}: refused — {reason}")

    def transfer(
        self,
        donor: str,
        recipient: str,
        fire_units: Mapping[str, int],
        interceptors: Mapping[str, int],
        backfill: bool,
        day: int,
    ) -> ActionResult:
        """A member state hands fire units and interceptors from home to Ukraine or another state.

        Refused whole if the donor does not have them at home. With ``backfill`` the donor orders
        replacements (priority in the queue if NATO coordinates backfill), as far as its money allows.
        """
        world = self.surroundings
        tables = world.tables
        what = f"{donor} gives {recipient} " + ", ".join(
            [f"{n} {name}" for name, n in fire_units.items()] + [f"{n} {name}" for name, n in interceptors.items()]
        )
        if not world.actors.is_member_state(donor):
            return self._refuse(day, what, f"'{donor}' is not a member state")
        if recipient != UKRAINE and not world.actors.is_member_state(recipient):
            return self._refuse(day, what, f"'{recipient}' is neither Ukraine (UA) nor a member state")
        giver = world.actors.member_state(donor)
        for name, units in fire_units.items():
            if name not in tables.effector_names:
                return self._refuse(day, what, f"unknown effector '{name}'")
            held = int(giver.home_fire_units()[tables.effector_index(name)])  # its own, not guests stationed there
            if units > held:
                return self._refuse(day, what, f"{donor} has only {held} {name} at home")
        for name, units in interceptors.items():
            if name not in tables.interceptor_names:
                return self._refuse(day, what, f"unknown interceptor '{name}'")
            held = int(world.posture.munitions[giver.region, tables.munition_index(name)])
            if units > held:
                return self._refuse(day, what, f"{donor} has only {held} {name} at home")
        for item, units in (*fire_units.items(), *interceptors.items()):
            if units <= 0:
                continue
            world.posture.add(giver.region, item, -units)
            world.actors.deliver(recipient, item, units)
            if item in tables.effector_names and recipient == UKRAINE:
                world.ledger.fire_units_donated[item] += units
        message = what
        if backfill:
            priority = world.actors.nato.backfill_priority
            notes = []
            for item, units in (*fire_units.items(), *interceptors.items()):
                if units > 0:
                    ordered, note = giver.buy(item, units, day, channel="backfill", priority=priority)
                    notes.append(note)
                    if ordered < units:
                        world.ledger.refuse(day, f"backfill of {units} {item} for {donor}", note)
            message += "; backfill: " + "; ".join(notes)
        return ActionResult(True, message)

    def order(
        self, buyer: str, item: str, units: int, day: int, *, joint: bool = False, supplier: str | None = None
    ) -> ActionResult:
        """A member state orders ``units`` of an item, nationally or into the EU's next joint round."""
        world = self.surroundings
        what = f"{buyer} orders {units} {item}" + (" through EU joint procurement" if joint else "")
        if not world.actors.is_member_state(buyer):
            return self._refuse(day, what, f"'{buyer}' is not a member state")
        if item not in world.market.lines_by_item:
            return self._refuse(day, what, f"no supplier in the scenario makes '{item}'")
        if units <= 0:
            return self._refuse(day, what, "the number of units must be positive")
        state = world.actors.member_state(buyer)
        if joint:
            if not world.actors.eu.joint_active:
                return self._refuse(day, what, "the EU runs no joint procurement rounds in this scenario")
            world.actors.eu.pool_demand(state, item, units)
            return ActionResult(True, f"{what}: pooled for the next joint round")
        ordered, note = state.buy(item, units, day, supplier=supplier)
        if ordered == 0:
            return self._refuse(day, what, note)
        return ActionResult(True, f"{what}: {note}")

    def redeploy(self, owner: str, effector: str, units: int, region: str, day: int) -> ActionResult:
        """A member state moves fire units from home to another region, carrying one load of munitions each."""
        world = self.surroundings
        tables = world.tables
        what = f"{owner} moves {units} {effector} to {region}"
        if not world.actors.is_member_state(owner):
            return self._refuse(day, what, f"'{owner}' is not a member state")
        if region not in tables.region_names:
            return self._refuse(day, what, f"unknown region '{region}'")
        if effector not in tables.effector_names:
            return self._refuse(day, what, f"unknown effector '{effector}'")
        state = world.actors.member_state(owner)
        index = tables.effector_index(effector)
        target = tables.region_index(region)
        held = int(state.home_fire_units()[index])  # its own, not guests stationed there
        if units > held:
            return self._refuse(day, what, f"{owner} has only {held} {effector} at home")
        if target == state.region:
            return self._refuse(day, what, f"the units are already in {region}")
        world.posture.redeploy(state.region, index, units, target)
        return ActionResult(True, what)

    def fund_ukraine_industry(self, funder: str, meur: float, day: int, *, from_budget: bool = False) -> ActionResult:
        """Money for Ukraine's interceptor-drone industry (the Danish model).

        A scheduled event brings its own money. With ``from_budget`` (a player's decision in tabletop play) the
        funder pays: a member state from its air-defence budget; the EU from what is left of this year's
        Ukraine-industry line, then from EDIP grants not yet committed (which then cannot co-finance joint
        orders). Refused whole if the money is not there.
        """
        if meur <= 0:
            return self._refuse(day, f"{funder} funds Ukraine's industry", "the amount must be positive")
        what = f"{funder} funds Ukraine's industry with €{meur:,.0f}M"
        amount_eur = meur * 1e6
        note = ""
        if from_budget:
            world = self.surroundings
            if funder == "EU":
                eu = world.actors.eu
                line_eur = eu.ukraine_line_left_eur(day)
                if amount_eur > line_eur + eu.edip_left_eur:
                    return self._refuse(
                        day,
                        what,
                        f"the EU has €{(line_eur + eu.edip_left_eur) / 1e6:,.0f}M left: €{line_eur / 1e6:,.0f}M of "
                        f"this year's Ukraine-industry line and €{eu.edip_left_eur / 1e6:,.0f}M of EDIP grants",
                    )
                from_line = eu.spend_on_ukraine_industry(amount_eur, day)
                if amount_eur > from_line:
                    edip_meur = (amount_eur - from_line) / 1e6
                    line_part = f"€{from_line / 1e6:,.0f}M from the Ukraine line, " if from_line > 0 else ""
                    note = f" ({line_part}€{edip_meur:,.0f}M from EDIP grants)"
            elif world.actors.is_member_state(funder):
                state = world.actors.member_state(funder)
                if amount_eur > state.budget.available_eur:
                    return self._refuse(
                        day, what, f"{funder} has only €{state.budget.available_eur / 1e6:,.1f}M of its budget left"
                    )
                state.pay(amount_eur, safe=False)
            else:
                return self._refuse(day, what, f"'{funder}' is neither the EU nor a member state")
        self.surroundings.actors.ukraine.fund(amount_eur, funder, day)
        return ActionResult(True, f"{funder} funds Ukraine's interceptor-drone industry with €{meur:,.0f}M{note}")

    # --- tabletop play: decisions only players take (their actors' policies stand down meanwhile) -------

    def nato_move(self, effector: str, units: int, target: str, origin: str | None, day: int) -> ActionResult:
        """NATO moves rotational-pool units to another eastern-flank state (Eastern Sentry).

        From ``origin`` if given, else from the flank states holding most of them (largest first). Each unit
        carries up to one load of interceptors. Refused if the units are not in the pool where asked.
        """
        world = self.surroundings
        tables = world.tables
        nato = world.actors.nato
        what = f"NATO moves {units} {effector} to {target}" + (f" from {origin}" if origin else "")
        flank = [tables.region_names[region] for region in nato.flank_regions]
        if not flank:
            return self._refuse(day, what, "no member state is on the eastern flank in this scenario")
        if target not in flank or (origin is not None and origin not in flank):
            wrong = target if target not in flank else origin
            return self._refuse(
                day, what, f"the rotational pool stands on the eastern flank ({', '.join(flank)}); {wrong} is not on it"
            )
        if effector not in tables.effector_names:
            return self._refuse(day, what, f"unknown effector '{effector}'")
        if units <= 0:
            return self._refuse(day, what, "the number of units must be positive")
        index = tables.effector_index(effector)
        to = flank.index(target)
        holding = nato.assignment[:, index]
        if origin is not None:
            source = flank.index(origin)
            if source == to:
                return self._refuse(day, what, f"the units are already in {target}")
            if holding[source] < units:
                return self._refuse(day, what, f"the pool has only {int(holding[source])} {effector} in {origin}")
            sources = {source: units}
        else:
            elsewhere = [position for position in range(len(flank)) if position != to and holding[position] > 0]
            available = sum(int(holding[position]) for position in elsewhere)
            if available < units:
                return self._refuse(
                    day, what, f"the pool has only {available} {effector} on the flank outside {target}"
                )
            sources = {}
            for position in sorted(elsewhere, key=lambda p: (-int(holding[p]), p)):
                take = min(units - sum(sources.values()), int(holding[position]))
                if take > 0:
                    sources[position] = take
        nato.move_pool_units(index, sources, to)
        moved_from = ", ".join(f"{n} from {flank[position]}" for position, n in sources.items())
        return ActionResult(True, f"NATO moves {units} {effector} to {target} ({moved_from})")

    def joint_round(self, day: int) -> ActionResult:
        """The EU brings the next joint procurement round forward to today (rounds keep their cadence)."""
        eu = self.surroundings.actors.eu
        what = "the EU runs a joint procurement round now"
        if not eu.joint_active:
            return self._refuse(day, what, "the EU runs no joint procurement rounds in this scenario")
        pooled = {item: sum(buyers.values()) for item, buyers in sorted(eu.pool.items())}
        if not pooled:
            return self._refuse(day, what, "no member state has pooled demand for a joint round")
        eu.run_joint_round(day)
        listing = ", ".join(f"{units} {item}" for item, units in pooled.items())
        return ActionResult(True, f"{what}: {listing} pooled (refusals, if any, appear in the situation report)")

    def ukraine_allocate(
        self, region: str, fire_units: Mapping[str, int], interceptors: Mapping[str, int], day: int
    ) -> ActionResult:
        """Ukraine sends fire units and interceptors from its depot to one of its regions."""
        world = self.surroundings
        tables = world.tables
        posture = world.posture
        what = f"UA sends {region} " + ", ".join(
            [f"{n} {name}" for name, n in fire_units.items()] + [f"{n} {name}" for name, n in interceptors.items()]
        )
        ukraine_names = [tables.region_names[r] for r in tables.ukraine_regions]
        if region not in ukraine_names:
            return self._refuse(day, what, f"'{region}' is not a region of Ukraine ({', '.join(ukraine_names)})")
        for name, units in fire_units.items():
            if name not in tables.effector_names:
                return self._refuse(day, what, f"unknown effector '{name}'")
            held = int(posture.depot_fire_units[tables.effector_index(name)])
            if units > held:
                return self._refuse(day, what, f"the depot holds only {held} {name}")
        for name, units in interceptors.items():
            if name not in tables.interceptor_names:
                return self._refuse(day, what, f"unknown interceptor '{name}'")
            held = int(posture.depot_munitions[tables.munition_index(name)])
            if units > held:
                return self._refuse(day, what, f"the depot holds only {held} {name}")
        posture.allocate_from_depot(
            tables.region_index(region),
            {tables.effector_index(name): units for name, units in fire_units.items()},
            {tables.munition_index(name): units for name, units in interceptors.items()},
        )
        return ActionResult(True, what)

    def ukraine_move(self, effector: str, units: int, origin: str, target: str, day: int) -> ActionResult:
        """Ukraine moves fire units between its regions, each carrying up to one load of interceptors."""
        world = self.surroundings
        tables = world.tables
        what = f"UA moves {units} {effector} from {origin} to {target}"
        ukraine_names = [tables.region_names[r] for r in tables.ukraine_regions]
        for name in (origin, target):
            if name not in ukraine_names:
                return self._refuse(day, what, f"'{name}' is not a region of Ukraine ({', '.join(ukraine_names)})")
        if origin == target:
            return self._refuse(day, what, f"the units are already in {target}")
        if effector not in tables.effector_names:
            return self._refuse(day, what, f"unknown effector '{effector}'")
        index = tables.effector_index(effector)
        source, destination = tables.region_index(origin), tables.region_index(target)
        held = int(world.posture.fire_units[source, index])
        if units <= 0 or units > held:
            return self._refuse(day, what, f"{origin} has {held} {effector}")
        world.posture.move_with_rounds(index, units, source, destination)
        return ActionResult(True, what)

    def set_budget(self, state: str, meur_per_year: float, day: int) -> ActionResult:
        """A state's yearly air-defence budget changes (the rest of this year pro rata)."""
        world = self.surroundings
        if not world.actors.is_member_state(state):
            return self._refuse(day, f"budget of {state}", f"'{state}' is not a member state")
        remaining = (DAYS_PER_YEAR - day % DAYS_PER_YEAR) / DAYS_PER_YEAR
        world.actors.member_state(state).budget.set_yearly(meur_per_year * 1e6, remaining)
        return ActionResult(True, f"{state}'s air-defence budget is now €{meur_per_year:,.0f}M a year")

    def supplier_delay(self, supplier: str, days: int, day: int) -> ActionResult:
        """A supplier stops starting units for some days."""
        agent = self.surroundings.actors.supplier(supplier)
        if agent is None:
            return self._refuse(day, f"delay at {supplier}", f"unknown supplier '{supplier}'")
        agent.delay(day, days)
        return ActionResult(True, f"{supplier} stops production for {days} days")

    def capacity_change(self, supplier: str, item: str, capacity_per_month: float, day: int) -> ActionResult:
        """A production line's monthly capacity changes from today."""
        line = self.surroundings.market.lines.get((supplier, item))
        if line is None:
            return self._refuse(day, f"capacity of {item} at {supplier}", f"{supplier} does not make {item}")
        line.schedule_capacity(day, capacity_per_month)
        return ActionResult(True, f"{supplier} makes {capacity_per_month:g} {item} a month from day {day}")

    def close_airport(self, site: str, hours: float, day: int) -> ActionResult:
        """An airport closes for some hours."""
        tables = self.surroundings.tables
        if site not in tables.site_names or not tables.site_is_airport[tables.site_names.index(site)]:
            return self._refuse(day, f"closure of {site}", f"'{site}' is not an airport in the scenario")
        self.surroundings.ledger.close_airports(np.array([tables.site_names.index(site)]), hours)
        return ActionResult(True, f"{site} closes for {hours:g} h")

    def incursion(self, target: str, drones: int, threat: str, closure_hours: float | None, day: int) -> ActionResult:
        """Drones enter a member state's airspace tonight; its airports close.

        With ``closure_hours`` the closure is scripted: every airport of the state closes that long, whatever
        the defence does. Without, the night decides it from how many intruders got away
        (:func:`sim.model.sensors.closure_hours`).
        """
        world = self.surroundings
        tables = world.tables
        if not world.actors.is_member_state(target):
            return self._refuse(day, f"incursion into {target}", f"'{target}' is not a member state")
        if threat not in tables.threat_names:
            return self._refuse(day, f"incursion into {target}", f"unknown threat '{threat}'")
        region = tables.region_index(target)
        threats = np.zeros(len(tables.threat_names), dtype=np.int64)
        threats[tables.threat_index(threat)] = drones
        world.actors.adversary.inject(region, threats)
        world.threat_picture.record_incursions(day, region, 1)
        world.actors.member_state(target).incursions_since_review += 1
        if closure_hours is not None:
            world.ledger.close_region_airports(region, closure_hours)
            self.scripted_closures.add(region)
        return ActionResult(True, f"{drones} {threat} enter {target}'s airspace")

    def raid(self, drones: int, missiles: int, day: int, in_addition: bool = False) -> ActionResult:
        """A scripted raid on Ukraine tonight, split over regions and types like the ordinary raids.

        It replaces tonight's planned raid on Ukraine unless ``in_addition`` (:class:`sim.scenario.events.Raid`).
        """
        world = self.surroundings
        policy = world.actors.adversary.raid_policy
        what = f"a raid of {drones} drones and {missiles} missiles on Ukraine"
        for count, mix, kind in ((drones, policy.drone_mix, "drone"), (missiles, policy.missile_mix, "missile")):
            if count > 0 and (mix is None or mix.sum() == 0):
                return self._refuse(
                    day,
                    what,
                    f"the raid policy '{policy.name}' has no {kind} mix to say which {kind}s they are "
                    f"(a policy with a {kind}_mix, e.g. nightly_raids, can script raids)",
                )
        if not in_addition:
            world.actors.adversary.cancel_planned_raid(day)
        shares = world.actors.ukraine.raid_shares
        for count, mix in ((drones, policy.drone_mix), (missiles, policy.missile_mix)):
            if count <= 0 or mix is None:
                continue
            by_region = split_units(count, shares)
            for offset, region in enumerate(world.tables.ukraine_regions):
                world.actors.adversary.inject(region, split_units(int(by_region[offset]), mix))
        instead = "on top of" if in_addition else "in place of"
        return ActionResult(True, f"{what} tonight, {instead} the planned raid")

    def apply_event(self, event: ev.Event, day: int) -> ActionResult:
        """Carry out a scheduled event or a facilitator's inject."""
        match event:
            case ev.Incursion():
                return self.incursion(
                    event.target,
                    event.drones.as_int(),
                    event.threat,
                    None if event.airport_closure_hours is None else event.airport_closure_hours.value,
                    day,
                )
            case ev.Raid():
                return self.raid(event.drones.as_int(), event.missiles.as_int(), day, event.in_addition)
            case ev.Transfer():
                return self.transfer(
                    event.donor,
                    event.recipient,
                    {name: n.as_int() for name, n in event.fire_units.items()},
                    {name: n.as_int() for name, n in event.interceptors.items()},
                    event.backfill,
                    day,
                )
            case ev.BudgetChange():
                return self.set_budget(event.state, event.air_defence_budget_meur_per_year.value, day)
            case ev.SupplierDelay():
                return self.supplier_delay(event.supplier, event.days.as_int(), day)
            case ev.CapacityChange():
                return self.capacity_change(event.supplier, event.item, event.capacity_per_month.value, day)
            case ev.AirportClosure():
                return self.close_airport(event.site, event.hours.value, day)
            case ev.Redeployment():
                return self.redeploy(event.owner, event.effector, event.fire_units.as_int(), event.region, day)
            case ev.Funding():
                return self.fund_ukraine_industry(event.funder, event.meur.value, day)
        raise TypeError(f"unknown event {event!r}")
