"""Tests for production lines (sim/model/industry.py): exact schedules from hand calculation and conservation
properties (hypothesis) over random orders, capacities, lead times and pauses.

Conventions of the model used throughout: ``produce(day)`` first applies capacity changes due that day, then
starts ``capacity_per_month / 30`` units a day (fractions carry over while there is a queue), then delivers
what is due; a unit started on day ``d`` is delivered on day ``d + lead_time_days``. In the model an order is
placed after the day's production (decisions follow industry), so it can start the next day at the earliest.
A priority order first takes over units already in production for non-priority orders (closest to delivery
first); those orders return to the head of the queue.
"""

from __future__ import annotations

import itertools
import math
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.industry import Delivery, Order, ProductionLine


def make_line(capacity_per_month: float = 30.0, lead_time_days: int = 0) -> ProductionLine:
    return ProductionLine(
        supplier="maker",
        item="missile",
        capacity_per_month=capacity_per_month,
        lead_time_days=lead_time_days,
        unit_price_eur=1000.0,
        eu_content_share=1.0,
        european=True,
        reference_order_units=100,
    )


def make_order(order_id: int, quantity: int, day: int = 0, *, priority: bool = False, buyer: str = "PL") -> Order:
    return Order(
        order_id=order_id,
        buyer=buyer,
        item="missile",
        supplier="maker",
        quantity=quantity,
        unit_price_eur=1000.0,
        channel="national",
        day_placed=day,
        priority=priority,
    )


def run_days(line: ProductionLine, days: range) -> list[Delivery]:
    deliveries: list[Delivery] = []
    for day in days:
        deliveries.extend(line.produce(day))
    return deliveries


def started_each_day(line: ProductionLine, order: Order, days: range) -> list[int]:
    """Units of ``order`` started on each day."""
    per_day = []
    for day in days:
        before = order.started
        line.produce(day)
        per_day.append(order.started - before)
    return per_day


# --------------------------------------------------------------------------------------------------
# Exact schedules
# --------------------------------------------------------------------------------------------------


def test_thirty_a_month_starts_one_a_day_and_delivers_after_the_lead_time() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=10)
    order = make_order(1, 5)
    line.enqueue(order)
    deliveries = run_days(line, range(30))
    # Starts on days 0..4, one each; each arrives 10 days later.
    assert [(delivery.day, delivery.units) for delivery in deliveries] == [(10, 1), (11, 1), (12, 1), (13, 1), (14, 1)]
    assert all(delivery.order is order for delivery in deliveries)
    assert order.started == order.delivered == 5
    assert line.queued_units == 0 and line.units_in_production == 0


def test_first_delivery_on_day_lead_time_and_pipeline_counts() -> None:
    line = make_line(capacity_per_month=60, lead_time_days=7)  # two a day
    order = make_order(1, 6)
    line.enqueue(order)
    assert line.queued_units == 6
    assert run_days(line, range(7)) == []  # days 0..6: nothing is due yet
    assert order.started == 6  # days 0, 1, 2: two a day
    assert (line.queued_units, line.units_in_production) == (0, 6)
    first = line.produce(7)
    assert [(delivery.day, delivery.units) for delivery in first] == [(7, 2)]
    assert (line.units_in_production, order.delivered) == (4, 2)


def test_zero_lead_time_delivers_the_day_it_starts() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=0)
    line.enqueue(make_order(1, 2))
    assert [(d.day, d.units) for d in line.produce(0)] == [(0, 1)]
    assert [(d.day, d.units) for d in line.produce(1)] == [(1, 1)]


@pytest.mark.parametrize("capacity_per_month", [1.33, 1.0, 3.0, 9.0, 20.0, 52.0, 167.0])
def test_fractional_capacity_accumulates_exactly(capacity_per_month: float) -> None:
    """After day d (0-based) the line has started floor((d + 1) · capacity / 30) units — no day lost to
    floating-point sums (3/month is 0.1 a day: ten of them sum to 0.9999999999999999 in binary)."""
    line = make_line(capacity_per_month=capacity_per_month)
    order = make_order(1, 10**6)
    line.enqueue(order)
    for day in range(1500):
        line.produce(day)
        assert order.started == math.floor((day + 1) * capacity_per_month / 30 + 1e-9), day


def test_iris_t_slm_line_makes_sixteen_a_year() -> None:
    # 1.33 a month (public figures: up to 16 fire units a year): 365 · 1.33 / 30 = 16.18 → 16 started.
    line = make_line(capacity_per_month=1.33, lead_time_days=0)
    line.enqueue(make_order(1, 100))
    assert sum(d.units for d in run_days(line, range(365))) == 16


def test_priority_orders_overtake_the_queue_but_not_each_other() -> None:
    line = make_line(capacity_per_month=30)
    normal = make_order(1, 5)
    line.enqueue(normal)
    line.produce(0)  # normal: 1 started
    first_priority = make_order(2, 2, day=0, priority=True)
    second_priority = make_order(3, 1, day=0, priority=True)
    line.enqueue(first_priority)
    line.enqueue(second_priority)
    starts = []
    for day in range(1, 8):
        before = (normal.started, first_priority.started, second_priority.started)
        line.produce(day)
        after = (normal.started, first_priority.started, second_priority.started)
        starts.append(tuple(b - a for a, b in zip(before, after, strict=True)))
    # Days 1-2: the first priority order, day 3: the second, days 4-7: the normal order resumes.
    assert starts == [(0, 1, 0), (0, 1, 0), (0, 0, 1), (1, 0, 0), (1, 0, 0), (1, 0, 0), (1, 0, 0)]


def test_a_priority_order_takes_over_units_in_production_closest_to_delivery() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=10)
    normal = make_order(1, 5)
    line.enqueue(normal)
    run_days(line, range(5))  # days 0-4: all five started, due on days 10-14
    assert (normal.started, line.queued_units, line.units_in_production) == (5, 0, 5)
    backfill = make_order(2, 2, day=4, priority=True)
    line.enqueue(backfill)
    # The backfill takes the units due on days 10 and 11; the normal order waits for two at the head of the queue.
    assert (backfill.started, normal.started, normal.waiting) == (2, 3, 2)
    assert (line.queued_units, line.units_in_production) == (2, 5)
    deliveries = run_days(line, range(5, 20))
    assert [(d.day, d.order.order_id, d.units) for d in deliveries] == [
        (10, 2, 1),
        (11, 2, 1),
        (12, 1, 1),
        (13, 1, 1),
        (14, 1, 1),
        (15, 1, 1),  # restarted on day 5
        (16, 1, 1),  # restarted on day 6
    ]
    assert normal.delivered == 5 and backfill.delivered == 2


def test_a_priority_order_never_takes_over_another_priority_order() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=10)
    first = make_order(1, 2, priority=True)
    line.enqueue(first)
    run_days(line, range(2))
    second = make_order(2, 2, day=1, priority=True)
    line.enqueue(second)
    assert (first.started, second.started, line.queued_units) == (2, 0, 2)


def test_a_backlog_starts_in_steady_state() -> None:
    # 45 a month = 1.5 a day, 4 days in production: units due on days 1-4 are already being made (1, 2, 1, 2).
    line = make_line(capacity_per_month=45, lead_time_days=4)
    backlog = make_order(1, 20, buyer="external")
    line.start_in_steady_state(backlog)
    assert (backlog.started, line.units_in_production, line.queued_units) == (6, 6, 14)
    delivered = [sum(d.units for d in line.produce(day)) for day in range(5)]
    # Day 0 starts one more unit (due day 4): deliveries 1, 2, 1 and 2 + 1.
    assert delivered == [0, 1, 2, 1, 3]
    small = make_order(2, 3, buyer="external")
    short_line = make_line(capacity_per_month=60, lead_time_days=10)
    short_line.start_in_steady_state(small)  # the whole order is already in production
    assert (short_line.units_in_production, short_line.queued_units) == (3, 0)


def test_fifo_among_normal_orders() -> None:
    line = make_line(capacity_per_month=60)  # two a day
    first, second = make_order(1, 3), make_order(2, 3)
    line.enqueue(first)
    line.enqueue(second)
    line.produce(0)
    assert (first.started, second.started) == (2, 0)
    line.produce(1)  # one to finish the first order, one for the second
    assert (first.started, second.started) == (3, 1)


def test_idle_capacity_is_not_banked() -> None:
    line = make_line(capacity_per_month=15)  # half a unit a day
    run_days(line, range(10))  # ten idle days would be five units if banked
    order = make_order(1, 3, day=9)
    line.enqueue(order)
    assert started_each_day(line, order, range(10, 16)) == [0, 1, 0, 1, 0, 1]


def test_capacity_left_unused_by_an_emptied_queue_is_not_banked() -> None:
    line = make_line(capacity_per_month=300)  # ten a day
    small = make_order(1, 3)
    line.enqueue(small)
    line.produce(0)  # starts 3; 7 units of today's capacity had nothing to make
    assert small.started == 3
    big = make_order(2, 40, day=0)
    line.enqueue(big)
    assert started_each_day(line, big, range(1, 4)) == [10, 10, 10]


def test_pause_stops_starts_and_earns_no_credit() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=2)
    order = make_order(1, 10)
    line.enqueue(order)
    line.pause(0, 5)
    assert started_each_day(line, order, range(0, 8)) == [0, 0, 0, 0, 0, 1, 1, 1]


def test_pause_does_not_hold_deliveries_already_in_production() -> None:
    line = make_line(capacity_per_month=30, lead_time_days=3)
    order = make_order(1, 2)
    line.enqueue(order)
    run_days(line, range(2))  # both started (days 0 and 1)
    line.pause(2, 100)
    assert [(d.day, d.units) for d in run_days(line, range(2, 10))] == [(3, 1), (4, 1)]


def test_capacity_change_takes_effect_on_its_day() -> None:
    line = make_line(capacity_per_month=30)
    order = make_order(1, 100)
    line.enqueue(order)
    line.schedule_capacity(5, 60)
    assert line.expansion_pending
    assert started_each_day(line, order, range(0, 5)) == [1, 1, 1, 1, 1]
    assert line.expansion_pending and line.capacity_per_month == 30
    assert started_each_day(line, order, range(5, 8)) == [2, 2, 2]
    assert not line.expansion_pending and line.capacity_per_month == 60


def test_capacity_changes_apply_in_day_order_and_a_cut_to_zero_stops_the_line() -> None:
    line = make_line(capacity_per_month=30)
    order = make_order(1, 100)
    line.enqueue(order)
    line.schedule_capacity(4, 0)
    line.schedule_capacity(2, 90)  # scheduled later, due earlier
    assert started_each_day(line, order, range(0, 6)) == [1, 1, 3, 3, 0, 0]


def test_quote_lead_time_formula() -> None:
    line = make_line(capacity_per_month=15, lead_time_days=100)  # half a unit a day
    line.enqueue(make_order(1, 20))
    line.enqueue(make_order(2, 10, priority=True))
    # (units ahead + units ordered) ÷ daily rate + lead time.
    assert line.quote_lead_time_days(5) == pytest.approx((30 + 5) / 0.5 + 100)
    assert line.quote_lead_time_days(5, priority=True) == pytest.approx((10 + 5) / 0.5 + 100)
    line.produce(0)  # credit 0.5: nothing started yet
    line.produce(1)  # one priority unit started: it is no longer ahead of anyone
    assert line.quote_lead_time_days(5) == pytest.approx((29 + 5) / 0.5 + 100)
    assert make_line(capacity_per_month=0).quote_lead_time_days(1) == float("inf")


def test_a_line_with_less_than_a_unit_a_day_is_skipped_until_its_next_start() -> None:
    line = make_line(capacity_per_month=3, lead_time_days=50)  # 0.1 a day: a start every ten days
    line.enqueue(make_order(1, 5))
    line.produce(0)
    # Credit 0.1 after day 0; ten days of 0.1 sum to 0.9999999999999999, a whole unit within the tolerance.
    assert line.next_busy_day == 9
    line.pause(5, 8)  # three days without credit: the start moves to day 12
    assert line.produce(9) == [] and line.next_busy_day == 12


def run_with_events(
    line: ProductionLine, days: range, events: dict[int, list[tuple[str, tuple]]], *, every_day: bool
) -> list[tuple]:
    """Run ``line`` every day, or as the market does (only from :attr:`ProductionLine.next_busy_day` on), with
    pauses before a day's production and orders and capacity changes after it; return what happened each day."""
    happened: list[tuple] = []
    for day in days:
        for kind, args in events.get(day, ()):
            if kind == "pause":
                line.pause(day, day + args[0])
        if every_day or line.next_busy_day <= day:
            happened.extend((d.day, d.order.order_id, d.units) for d in line.produce(day))
        for kind, args in events.get(day, ()):
            if kind == "order":
                line.enqueue(make_order(args[0], args[1], day, priority=args[2]))
            elif kind == "capacity":
                line.schedule_capacity(day + args[0], args[1])
        happened.append((day, line.queued_units, line.units_in_production))
    return happened


@settings(max_examples=150, deadline=None)
@given(
    capacity_per_month=st.sampled_from([0.5, 1.0, 1.33, 3.0, 7.0, 15.0, 52.0]) | st.floats(0.05, 45.0),
    lead_time_days=st.integers(0, 40),
    orders=st.lists(st.tuples(st.integers(0, 150), st.integers(1, 12), st.booleans()), min_size=1, max_size=8),
    pauses=st.lists(st.tuples(st.integers(0, 150), st.integers(1, 30)), max_size=3),
    capacity_change=st.tuples(st.integers(0, 150), st.integers(0, 20), st.floats(0.0, 45.0)),
)
def test_skipping_days_gives_the_same_production_as_running_every_day(
    capacity_per_month: float,
    lead_time_days: int,
    orders: list[tuple[int, int, bool]],
    pauses: list[tuple[int, int]],
    capacity_change: tuple[int, int, float],
) -> None:
    """Days skipped with orders waiting earn exactly the credit that day-by-day production earns, also across
    pauses, capacity changes and new orders: the same units start and arrive on the same days."""
    events: defaultdict[int, list[tuple[str, tuple]]] = defaultdict(list)
    for order_id, (day, units, priority) in enumerate(orders, start=1):
        events[day].append(("order", (order_id, units, priority)))
    for day, days in pauses:
        events[day].append(("pause", (days,)))
    change_day, delay_days, new_capacity = capacity_change
    events[change_day].append(("capacity", (delay_days, new_capacity)))
    skipping = run_with_events(make_line(capacity_per_month, lead_time_days), range(400), events, every_day=False)
    every_day = run_with_events(make_line(capacity_per_month, lead_time_days), range(400), events, every_day=True)
    assert skipping == every_day


# --------------------------------------------------------------------------------------------------
# Conservation (hypothesis)
# --------------------------------------------------------------------------------------------------

orders_strategy = st.lists(
    st.tuples(st.integers(0, 60), st.integers(1, 40), st.booleans()),  # (day placed, units, priority)
    min_size=1,
    max_size=12,
)


@settings(max_examples=150, deadline=None)
@given(
    capacity_per_month=st.floats(0.3, 120.0),
    lead_time_days=st.integers(0, 90),
    orders=orders_strategy,
    backlog=st.integers(0, 30),
    pause=st.tuples(st.integers(0, 60), st.integers(0, 40)),
    capacity_change=st.tuples(st.integers(0, 90), st.floats(0.3, 120.0)),
)
def test_every_unit_ordered_is_delivered_once_and_never_early(
    capacity_per_month: float,
    lead_time_days: int,
    orders: list[tuple[int, int, bool]],
    backlog: int,
    pause: tuple[int, int],
    capacity_change: tuple[int, float],
) -> None:
    line = make_line(capacity_per_month=capacity_per_month, lead_time_days=lead_time_days)
    placed: list[Order] = []
    if backlog:  # orders from outside the scenario hold places from the start, like the model's backlog
        external = make_order(0, backlog, day=0, buyer="external")
        line.enqueue(external)
        placed.append(external)
    line.schedule_capacity(*capacity_change)
    pause_day, pause_days = pause
    by_day: defaultdict[int, list[tuple[int, bool]]] = defaultdict(list)
    for day, units, priority in orders:
        by_day[day].append((units, priority))
    ordered = backlog + sum(units for _, units, _ in orders)
    slowest = min(capacity_per_month, capacity_change[1])
    horizon = 61 + pause_day + pause_days + len(orders) + math.ceil(ordered * 30 / slowest) + lead_time_days + 4
    delivered_by_order: defaultdict[int, int] = defaultdict(int)
    for day in range(horizon):
        if day == pause_day:
            line.pause(day, day + pause_days)
        for delivery in line.produce(day):
            order = delivery.order
            assert delivery.day == day
            assert delivery.units > 0
            # Placed after day_placed's production, or (the backlog) before day 0: never early. A priority order
            # may take over units already in production, so it is only sure not to arrive the day it is placed.
            if order.priority:
                earliest = order.day_placed + 1
            else:
                earliest = order.day_placed + lead_time_days + (0 if order.buyer == "external" else 1)
            assert day >= earliest
            delivered_by_order[order.order_id] += delivery.units
            assert delivered_by_order[order.order_id] <= order.quantity
        for units, priority in by_day.get(day, ()):  # decisions follow production
            order = make_order(len(placed) + 1, units, day, priority=priority)
            line.enqueue(order)
            placed.append(order)
        # Units are conserved every day: ordered = waiting + in production + delivered.
        placed_units = sum(order.quantity for order in placed)
        delivered_units = sum(delivered_by_order.values())
        assert line.queued_units + line.units_in_production + delivered_units == placed_units
        # FIFO among priority orders: a later one has started only once every earlier one has fully started.
        # (Normal orders can lose started units to a priority order and wait again at the head of the queue.)
        priority_orders = [order for order in placed if order.priority]
        for earlier, later in itertools.pairwise(priority_orders):
            if later.started:
                assert earlier.waiting == 0
        assert all(0 <= order.started <= order.quantity for order in placed)
    assert sum(delivered_by_order.values()) == ordered
    for order in placed:
        assert order.started == order.delivered == order.quantity
        assert delivered_by_order[order.order_id] == order.quantity
