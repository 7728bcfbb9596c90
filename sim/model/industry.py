"""Industry: production lines that serve order queues at a monthly rate and deliver after a lead time.

One :class:`ProductionLine` per (supplier, product). Each day the line starts ``capacity_per_month / 30``
units (fractions carry over), taking them from its queue — priority orders (NATO backfill) first, then in
order of arrival — and each started unit is delivered ``lead_time_days`` later. Demand above capacity
therefore lengthens the wait, which is what a quote reports. Orders from outside the scenario (the
``backlog_units`` at the start) hold places in the queue like any other. A supplier delay stops starts
for some days; investment raises capacity after a delay (decided by the supplier's policy).

Conservation: every unit ordered is delivered exactly once, never before its order day + lead time, and
never more than was ordered.
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

EXTERNAL_BUYER = "external"
"""Buyer of the orders that were already in the queue at the start (other customers)."""
DAYS_PER_MONTH = 30.0
CREDIT_TOLERANCE = 1e-9
"""Units of production credit within which a day's credit counts as whole (floating-point sums)."""
NEVER = 2**62
"""A day after every horizon."""


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
    paused_until_day: int = -1
    _credit: float = 0.0
    _priority_queue: deque[Order] = field(default_factory=deque)
    _queue: deque[Order] = field(default_factory=deque)
    _in_production: list[tuple[int, int, Order, int]] = field(default_factory=list)  # (due, seq, order, units)
    _sequence: itertools.count[int] = field(default_factory=itertools.count)
    _pending_capacity: list[tuple[int, float]] = field(default_factory=list)  # (day, new capacity)
    next_busy_day: int = field(default=0, init=False)
    """No day before this one can change anything (see :meth:`produce`): the market skips such days."""

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
        self._in_production.extend((due_day, next(sequences), order, units) for due_day, units in schedule)
        heapq.heapify(self._in_production)
        order.started += sum(units for _, units in schedule)
        self.enqueue(order)

    def _take_over_production(self, order: Order) -> None:
        """Give ``order`` the units in production for non-priority orders closest to delivery (see :meth:`enqueue`).

        Entries are popped in (due day, sequence) order and pushed back; sequences are unique, so the order in
        which entries come off the heap later does not depend on how the heap is laid out. Every entry holds at
        least one unit, so a heap of priority units only would come back unchanged: it is left alone.
        """
        heap = self._in_production
        if all(owner.priority for _, _, owner, _ in heap):
            return
        displaced: dict[int, Order] = {}
        set_aside: list[tuple[int, int, Order, int]] = []
        waiting = order.waiting
        while waiting and heap:  # closest to delivery first (the heap's order: due day, then sequence)
            entry = heapq.heappop(heap)
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
        for entry in set_aside:
            heapq.heappush(heap, entry)
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

    def produce(self, day: int) -> list[Delivery]:
        """Advance the line by one day: apply due capacity changes, start units, deliver finished ones.

        With no order waiting, nothing happens until the next delivery or capacity change is due (or an order or
        a capacity change comes in): :attr:`next_busy_day` says when, and the market skips the days before it.
        """
        pending = self._pending_capacity
        while pending and pending[0][0] <= day:
            _, self.capacity_per_month = pending.pop(0)
        if self._priority_queue or self._queue:
            if day >= self.paused_until_day:
                credit = self._credit + self.capacity_per_month / DAYS_PER_MONTH
                # The tolerance keeps rounding from costing a day: ten days of 0.1 sum to 0.9999999999999999.
                startable = int(credit + CREDIT_TOLERANCE)
                if startable:
                    credit -= self._start(startable, day)
                    if not (self._priority_queue or self._queue):
                        credit = 0.0  # what an emptied queue left unused today is not banked
                self._credit = credit
        else:
            self._credit = 0.0  # idle capacity is not banked
        in_production = self._in_production
        deliveries: list[Delivery] = []
        if in_production and in_production[0][0] <= day:
            heappop = heapq.heappop
            while in_production and in_production[0][0] <= day:
                _, _, order, units = heappop(in_production)
                order.delivered += units
                deliveries.append(Delivery(order, units, day))
        if not (self._priority_queue or self._queue):
            self.next_busy_day = min(
                in_production[0][0] if in_production else NEVER, pending[0][0] if pending else NEVER
            )
        return deliveries

    def _start(self, units: int, day: int) -> int:
        """Start up to ``units`` units for the orders at the heads of the queues, priority first; return how many."""
        left = units
        due_day = day + self.lead_time_days
        in_production = self._in_production
        for queue in (self._priority_queue, self._queue) if self._priority_queue else (self._queue,):
            while queue and left:
                order = queue[0]
                take = order.quantity - order.started
                if take > left:
                    take = left
                else:
                    queue.popleft()  # fully started
                order.started += take
                left -= take
                heapq.heappush(in_production, (due_day, next(self._sequence), order, take))
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
