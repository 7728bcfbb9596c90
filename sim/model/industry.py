"""Industry: production lines that serve order queues at a monthly rate and deliver after a lead time.

One :class:`ProductionLine` per (supplier, product). Each day the line starts ``capacity_per_month / DAYS_PER_MONTH``
units (fractions carry over), taking them from its queue — priority orders (NATO backfill) first, then in
order of arrival — and each started unit is delivered ``lead_time_days`` later. Demand above capacity
therefore lengthens the wait, which is what a quote reports. Orders from outside the scenario (the
``backlog_units`` at the start) hold places in the queue like any other. A supplier delay stops starts
for some days; investment raises capacity after a delay (decided by the supplier's policy).

The market runs a line only on the days on which something can happen (:attr:`ProductionLine.next_busy_day`):
a unit starts, a delivery or a capacity change is due, or an order came in. On the days in between a line
with orders waiting only earns production credit, and the line adds it up when it next runs, with the same
floating-point additions in the same order as day-by-day production (see :meth:`ProductionLine.produce`).

Conservation: every unit ordered is delivered exactly once, never before its order day + lead time, and
never more than was ordered.
"""

from __future__ import annotations

import functools
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from sim.scenario.calendar import DAYS_PER_MONTH
from sim.scenario.industry import EXTERNAL_BUYER

__all__ = ["EXTERNAL_BUYER", "Delivery", "Order", "ProductionLine", "steady_state_schedule"]

CREDIT_TOLERANCE = 1e-9
"""Units of production credit within which a day's credit counts as whole (floating-point sums)."""
NEVER = 2**62
"""A day after every horizon."""
MAX_SKIPPED_DAYS = 366
"""A line with orders waiting looks at most this many days ahead for its next start (a tiny capacity would
otherwise take many years of additions to reach a unit): it then runs on that day and looks again."""


@dataclass
class Order:
    """Units of one item ordered from one production line."""

    order_id: int
    buyer: str
    item: str
    supplier: str
    quantity: int
    unit_price_eur: float
    channel: str
    day_placed: int
    priority: bool = False
    started: int = 0
    delivered: int = 0

    @property
    def waiting(self) -> int:
        """Units not yet started."""
        return self.quantity - self.started


class Delivery(NamedTuple):
    """Units of an order that arrive on a day (a named tuple: a line makes thousands in a year)."""

    order: Order
    units: int
    day: int


@dataclass
class ProductionLine:
    """One product of one supplier: capacity, lead time, queue and units in production."""

    supplier: str
    item: str
    capacity_per_month: float
    lead_time_days: int
    unit_price_eur: float
    eu_content_share: float
    european: bool
    reference_order_units: int
    country: str = ""
    """The supplier's country (``US`` lines are what US-funded money may buy)."""
    reserved_for: str | None = None
    """The only kind of money (national, eu, us) that may buy from the line; None: any the rules allow."""
    _paused_until_day: int = field(default=-1, init=False)
    _credit: float = field(default=0.0, init=False)
    _uncredited_from_day: int = field(default=NEVER, init=False)
    """First of the days skipped with orders waiting whose credit is not yet in ``_credit`` (NEVER: none)."""
    _priority_queue: deque[Order] = field(default_factory=deque, init=False)
    _queue: deque[Order] = field(default_factory=deque, init=False)
    _in_production: deque[tuple[int, int, Order, int]] = field(default_factory=deque, init=False)
    """``(due day, sequence, order, units)`` in (due day, sequence) order: starts are appended in day order and
    every unit takes the same lead time, so the head is always the next delivery."""
    _sequence: itertools.count[int] = field(default_factory=itertools.count, init=False)
    _pending_capacity: list[tuple[int, float]] = field(default_factory=list, init=False)  # (day, new capacity)
    next_busy_day: int = field(default=0, init=False)
    """No day before this one can change anything (see :meth:`produce`): the market skips such days."""

    @property
    def paused_until_day(self) -> int:
        """No unit starts before this day (see :meth:`pause`)."""
        return self._paused_until_day

    @property
    def queued_units(self) -> int:
        """Units ordered but not yet started."""
        return sum(order.waiting for order in self._priority_queue) + sum(order.waiting for order in self._queue)

    @property
    def units_in_production(self) -> int:
        """Units started and not yet delivered."""
        return sum(units for _, _, _, units in self._in_production)

    def enqueue(self, order: Order) -> None:
        """Put an order in the queue; a priority order first takes over units already in production.

        A priority order (NATO backfill, re-prioritised deliveries to Ukraine) is served from the units closest
        to delivery that were made for non-priority orders; those orders go back to the head of the queue for
        the units they lost. Every unit is still delivered exactly once. What is not covered by units in
        production waits at the head of the queue, ahead of every non-priority order.
        """
        self.next_busy_day = 0
        if order.priority:
            self._take_over_production(order)
            if order.waiting:
                self._priority_queue.append(order)
        elif order.waiting:
            self._queue.append(order)

    def start_in_steady_state(self, order: Order) -> None:
        """Enter an order already on the books when the scenario starts, as a line that has been running
        for years holds it: units due every day of the next lead time are already in production (at the
        line's rate, as far as the order goes), and the rest waits in the queue."""
        schedule = steady_state_schedule(self.capacity_per_month, self.lead_time_days, order.waiting)
        sequences = self._sequence
        started = [(due_day, next(sequences), order, units) for due_day, units in schedule]
        self._in_production = deque(sorted([*self._in_production, *started]))  # (sequences are unique)
        order.started += sum(units for _, units in schedule)
        self.enqueue(order)

    def start_pipeline(self, order: Order, first_day: int, last_day: int) -> None:
        """Enter an order signed before the start whose units are already in production, due evenly from
        ``first_day`` to ``last_day`` (a delivery schedule from the scenario). They were started before day 0,
        so they use none of the line's capacity in the horizon."""
        sequences = self._sequence
        started = [
            (due_day, next(sequences), order, units)
            for due_day, units in even_schedule(order.quantity, first_day, last_day)
        ]
        self._in_production = deque(sorted([*self._in_production, *started]))  # (sequences are unique)
        order.started = order.quantity
        self.next_busy_day = 0

    def _take_over_production(self, order: Order) -> None:
        """Give ``order`` the units in production for non-priority orders closest to delivery (see :meth:`enqueue`).

        Entries come off the head of the queue of units in production, closest to delivery first, and go back in
        (due day, sequence) order. A piece handed to ``order`` gets a new, larger sequence, so it goes behind every
        entry due the same day: those left in the queue are taken off too before everything is put back. Every
        entry holds at least one unit, so a queue of priority units only would come back unchanged: it is left alone.
        """
        in_production = self._in_production
        if all(owner.priority for _, _, owner, _ in in_production):
            return
        displaced: dict[int, Order] = {}
        set_aside: list[tuple[int, int, Order, int]] = []
        waiting = order.waiting
        while waiting and in_production:
            entry = in_production.popleft()
            due, sequence, owner, units = entry
            if owner.priority:
                set_aside.append(entry)
                continue
            take = min(units, waiting)
            waiting -= take
            order.started += take
            owner.started -= take
            displaced[owner.order_id] = owner
            set_aside.append((due, next(self._sequence), order, take))
            if units - take:
                set_aside.append((due, sequence, owner, units - take))
        if set_aside:
            last_due = set_aside[-1][0]
            while in_production and in_production[0][0] == last_due:
                set_aside.append(in_production.popleft())
            set_aside.sort()  # (due day, sequence): unique, so orders are never compared
            in_production.extendleft(reversed(set_aside))
        for owner in sorted(displaced.values(), key=lambda o: o.order_id, reverse=True):
            if not any(queued is owner for queued in self._queue):
                self._queue.appendleft(owner)

    def quote_lead_time_days(self, quantity: int, priority: bool = False) -> float:
        """Expected days from ordering ``quantity`` units now until the last one arrives."""
        ahead = sum(order.waiting for order in self._priority_queue)
        if not priority:
            ahead += sum(order.waiting for order in self._queue)
        if self.capacity_per_month <= 0:
            return float("inf")
        return (ahead + quantity) / (self.capacity_per_month / DAYS_PER_MONTH) + self.lead_time_days

    def schedule_capacity(self, day: int, capacity_per_month: float) -> None:
        """Set the monthly capacity to a new value from ``day`` on (investment, cuts)."""
        self._pending_capacity.append((day, capacity_per_month))
        self._pending_capacity.sort()
        self.next_busy_day = 0

    @property
    def expansion_pending(self) -> bool:
        """True while a capacity change is scheduled but not yet in effect."""
        return bool(self._pending_capacity)

    def pause(self, from_day: int, until_day: int) -> None:
        """Start no unit from ``from_day`` until the day before ``until_day`` (a strike, a parts shortage).

        Call it before the line produces ``from_day`` (a pause starts with a day, like an inject): the credit of the
        days before, which the market may have skipped, is added up first, as those days were not paused.
        Deliveries of units already in production go on.
        """
        if self._uncredited_from_day < from_day:
            self._credit_skipped_days(from_day - 1)
        self._paused_until_day = max(self._paused_until_day, until_day)

    def produce(self, day: int) -> list[Delivery]:
        """Advance the line by one day: apply due capacity changes, start units, deliver finished ones.

        The market skips the days before :attr:`next_busy_day`, on which nothing but credit can change: with no
        order waiting, until the next delivery or capacity change is due (or an order or a capacity change comes
        in); with orders waiting, also until the credit reaches a whole unit (:meth:`_next_start_day`). The credit
        of such days is added when the line next runs (:meth:`_credit_skipped_days`).
        """
        if self._uncredited_from_day <= day:
            self._credit_skipped_days(day - 1)
            self._uncredited_from_day = NEVER
        pending = self._pending_capacity
        while pending and pending[0][0] <= day:
            _, self.capacity_per_month = pending.pop(0)
        in_production = self._in_production
        orders_waiting = bool(self._priority_queue or self._queue)
        if orders_waiting:
            units_per_day = self.capacity_per_month / DAYS_PER_MONTH
            credit = self._credit
            if day >= self._paused_until_day:
                credit += units_per_day
                # The tolerance keeps rounding from costing a day: ten days of 0.1 sum to 0.9999999999999999.
                startable = int(credit + CREDIT_TOLERANCE)
                if startable:
                    credit -= self._start(startable, day)
                    orders_waiting = bool(self._priority_queue or self._queue)
                    if not orders_waiting:
                        credit = 0.0  # what an emptied queue left unused today is not banked
                self._credit = credit
        else:
            self._credit = 0.0  # idle capacity is not banked
        deliveries: list[Delivery] = []
        if in_production and in_production[0][0] <= day:
            popleft = in_production.popleft
            while in_production and in_production[0][0] <= day:
                _, _, order, units = popleft()
                order.delivered += units
                deliveries.append(Delivery(order, units, day))
        tomorrow = day + 1
        if not orders_waiting:
            self.next_busy_day = min(
                in_production[0][0] if in_production else NEVER, pending[0][0] if pending else NEVER
            )
        elif (not in_production or in_production[0][0] > tomorrow) and (
            tomorrow < self._paused_until_day or not int(credit + units_per_day + CREDIT_TOLERANCE)
        ):  # no delivery and no start tomorrow: look further ahead
            self.next_busy_day = self._next_start_day(day)
            self._uncredited_from_day = tomorrow
        return deliveries

    def _next_start_day(self, day: int) -> int:
        """The first day after ``day`` on which a unit can start (orders are waiting), a delivery or a capacity
        change is due, or :data:`MAX_SKIPPED_DAYS` have passed, whichever comes first.

        The credit is run forward with the very additions :meth:`produce` would make (none on a paused day), so
        the day found is the day on which day-by-day production would start a unit; an order or a capacity
        change coming in meanwhile makes the market run the line the next day anyway, and a pause can only
        delay the start.
        """
        in_production = self._in_production
        pending = self._pending_capacity
        last_day = min(
            in_production[0][0] if in_production else NEVER,
            pending[0][0] if pending else NEVER,
            day + MAX_SKIPPED_DAYS,
        )
        rate = self.capacity_per_month / DAYS_PER_MONTH
        credit = self._credit
        next_day = max(day + 1, self._paused_until_day)
        while next_day < last_day:
            credit += rate
            if int(credit + CREDIT_TOLERANCE):
                break
            next_day += 1
        return min(next_day, last_day)

    def _credit_skipped_days(self, through_day: int) -> None:
        """Add the credit of the days from :attr:`_uncredited_from_day` through ``through_day`` that the market
        skipped with orders waiting: one addition of the day's rate per unpaused day, in day order, exactly as
        :meth:`produce` would have made them (no unit started on those days, the capacity did not change)."""
        rate = self.capacity_per_month / DAYS_PER_MONTH
        credit = self._credit
        for _ in range(max(self._uncredited_from_day, self._paused_until_day), through_day + 1):
            credit += rate
        self._credit = credit
        self._uncredited_from_day = through_day + 1

    def _start(self, units: int, day: int) -> int:
        """Start up to ``units`` units for the orders at the heads of the queues, priority first; return how many."""
        left = units
        due_day = day + self.lead_time_days
        in_production = self._in_production
        sequence = self._sequence
        for queue in (self._priority_queue, self._queue):
            while queue:
                order = queue[0]
                take = order.quantity - order.started
                if take > left:
                    order.started += left
                    in_production.append((due_day, next(sequence), order, left))
                    return units
                queue.popleft()  # fully started
                order.started += take
                left -= take
                in_production.append((due_day, next(sequence), order, take))
                if not left:
                    return units
        return units - left


@functools.lru_cache(maxsize=256)
def steady_state_schedule(capacity_per_month: float, lead_time_days: int, units: int) -> tuple[tuple[int, int], ...]:
    """``(due day, units)`` in production on day 0 for an order of ``units`` at a line that has been running
    for years (see :meth:`ProductionLine.start_in_steady_state`).

    A pure function of its arguments, cached: replications of a scenario start with the same backlogs, and
    the loop runs over years of lead time.
    """
    rate = capacity_per_month / DAYS_PER_MONTH
    credit = 0.0
    waiting = units
    schedule: list[tuple[int, int]] = []
    for due_day in range(1, lead_time_days + 1 if waiting else 1):
        credit += rate
        started = int(credit + CREDIT_TOLERANCE)
        if started:  # (the loop runs for years of lead time: no call to min() on the days nothing starts)
            started = min(started, waiting)
            credit -= started
            waiting -= started
            schedule.append((due_day, started))
            if waiting == 0:
                break
    return tuple(schedule)


def even_schedule(units: int, first_day: int, last_day: int) -> list[tuple[int, int]]:
    """``(due day, units)`` spreading ``units`` as evenly as whole units allow over ``first_day..last_day``:
    unit *k* of *n* is due on ``first_day + k * days // n`` (so the first is due on ``first_day``)."""
    days = last_day - first_day + 1
    due: dict[int, int] = {}
    for k in range(units):
        day = first_day + k * days // units
        due[day] = due.get(day, 0) + 1
    return sorted(due.items())
