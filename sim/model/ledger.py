"""The ledger: every outcome of a replication, accumulated as it happens, plus the daily time series.

Counters are numpy arrays indexed like :mod:`sim.model.tables` (regions, threat types, effectors,
munitions). The daily time series is one preallocated float64 matrix ``[horizon_days, columns]`` whose
columns are named in :attr:`Ledger.series_names`; a day's row is written once at the end of the day.
Metrics (:mod:`sim.model.metrics`) are computed from a finished ledger and nothing else.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.constraints import CONSTRAINTS, LAYERS, SIDES
from sim.model.tables import Tables

DAILY_SERIES: tuple[str, ...] = (
    "ukraine_launched",
    "ukraine_killed",
    "ukraine_leakers",
    "ukraine_drone_launched",
    "ukraine_drone_killed",
    "nato_launched",
    "nato_killed",
    "nato_leakers",
    "interceptor_spend_meur",
    "attacker_cost_meur",
    "damage_meur",
    "value_protected_meur",
    "empty_magazine_regions",
    "airport_closure_hours",
    "orders_units",
    "deliveries_units",
    "procurement_spend_meur",
    "capability_target_fulfilment",
    "ukraine_industry_output",
    "ukraine_fire_units",
    "nato_rotational_fire_units",
)
"""Series every run records; per-region stock series follow them: ``stock.<region>`` is the interceptor
missiles on hand there at the end of the day (SHORAD, medium- and long-range SAMs, fighters' missiles; not gun
rounds, which number in the millions, nor interceptor drones)."""


NIGHT_SERIES = (
    "ukraine_launched",
    "ukraine_killed",
    "ukraine_leakers",
    "ukraine_drone_launched",
    "ukraine_drone_killed",
    "nato_launched",
    "nato_killed",
    "nato_leakers",
    "interceptor_spend_meur",
    "attacker_cost_meur",
    "value_protected_meur",
    "empty_magazine_regions",
)
"""Daily series the compiled night (:func:`sim.model.engagement.night.engage_regions`) adds to."""

NIGHT_COLUMNS = np.dtype([(name, np.int64) for name in NIGHT_SERIES])
"""A record naming the column of each :data:`NIGHT_SERIES` in the daily row: how the compiled night finds them."""


class Ledger:
    """Accumulators of one replication (see the module docstring)."""

    def __init__(self, tables: Tables, horizon_days: int) -> None:
        regions, threats = len(tables.region_names), len(tables.threat_names)
        effectors, munitions = len(tables.effector_names), len(tables.munition_names)
        self.tables = tables
        self.horizon_days = horizon_days
        self.launched = np.zeros((regions, threats), dtype=np.int64)
        self.killed = np.zeros((regions, threats), dtype=np.int64)
        self.leakers = np.zeros((regions, threats), dtype=np.int64)
        self.unseen = np.zeros((regions, threats), dtype=np.int64)  # never detected (NATO airspace)
        self.killed_by_layer = np.zeros((regions, effectors, threats), dtype=np.int64)
        self.shots = np.zeros((regions, munitions), dtype=np.int64)
        self.interceptor_spend_eur = np.zeros(regions)
        self.damage_meur = np.zeros(regions)
        self.value_protected_meur = np.zeros(regions)
        self.site_hits = np.zeros(len(tables.site_names), dtype=np.int64)
        self.empty_magazine_days = np.zeros((regions, effectors), dtype=np.int64)
        self.empty_magazine_region_days = np.zeros(regions, dtype=np.int64)
        self.airport_closure_hours = np.zeros(len(tables.site_names))
        # The binding-constraint ledger (sim.model.engagement.binding): nights each constraint bound a layer,
        # per side and catalog layer, and per region and effector.
        self.binding_nights = np.zeros((len(SIDES), len(LAYERS), len(CONSTRAINTS)), dtype=np.int64)
        self.binding_region_nights = np.zeros((regions, effectors, len(CONSTRAINTS)), dtype=np.int64)
        # What was left at the end of the day (the last day's values at the end of a run): interceptors on
        # hand and never fired, by item (Ukraine's depot and regions, member states' stores), and money
        # not spent, by actor (see AirDefenceModel._settle_end_state).
        self.idle_stock_end: dict[str, float] = {}
        self.unspent_budget_eur: dict[str, float] = {}
        self._airports_by_region = [
            np.flatnonzero(tables.site_is_airport & (tables.site_region == region)) for region in range(regions)
        ]
        self.incursions = np.zeros(regions, dtype=np.int64)
        # [R] detection probability of drones entering each region (the model shares its live array, so at the
        # end it holds the end's: sim.model.sensors.SensorNetwork.detection)
        self.detection_probability = np.ones(regions)
        self.procurement_spend_eur: defaultdict[str, float] = defaultdict(float)  # by channel
        self.procurement_spend_by_supplier_eur: defaultdict[str, float] = defaultdict(float)
        # By item; units a scenario buyer ordered before the start (a product's pipeline) count, from day 0.
        self.units_ordered: defaultdict[str, int] = defaultdict(int)
        self.units_delivered: defaultdict[str, int] = defaultdict(int)
        self.units_delivered_to_ukraine: defaultdict[str, int] = defaultdict(int)  # by item
        self.units_delivered_to_member_states: defaultdict[str, int] = defaultdict(int)  # by item
        self.lead_time_unit_days = 0.0  # Σ over delivered units of (delivery day − order day)
        self.lead_time_units = 0
        self.edip_spent_eur = 0.0
        self.safe_drawn_eur = 0.0
        self.ukraine_industry_output = 0
        self.ukraine_industry_funding_eur = 0.0
        self.ukraine_launch_teams_trained = 0  # launch teams the industry's funding trained and equipped
        self.fire_units_donated: defaultdict[str, int] = defaultdict(int)  # by effector
        self.capability_target_fulfilment = float("nan")
        # [R, E] fire units each member state owns at the end (its region's row; set when the run ends): lets a
        # comparison measure every scenario against the same capability targets.
        self.fire_units_owned_end = np.zeros((regions, effectors), dtype=np.int64)
        self.refused: list[str] = []  # decisions or events that could not be carried out, with the reason
        self.series_names: tuple[str, ...] = DAILY_SERIES + tuple(f"stock.{name}" for name in tables.region_names)
        self._column = {name: index for index, name in enumerate(self.series_names)}
        self.series = np.zeros((horizon_days, len(self.series_names)))
        self.today = np.zeros(len(self.series_names))  # today's flows, written to ``series`` at the end of the day
        # What the compiled night (sim.model.engagement.night.engage_regions) adds to, in its argument order.
        self.night_counters = (
            self.launched,
            self.killed,
            self.leakers,
            self.killed_by_layer,
            self.shots,
            self.empty_magazine_days,
            self.empty_magazine_region_days,
        )
        self.night_money = (self.interceptor_spend_eur, self.value_protected_meur)
        self.night_binding = (self.binding_nights, self.binding_region_nights)
        self.night_columns = np.array([tuple(self._column[name] for name in NIGHT_SERIES)], dtype=NIGHT_COLUMNS)
        self._stock_columns = slice(len(DAILY_SERIES), len(self.series_names))

    def column(self, name: str) -> int:
        """Index of a daily series."""
        return self._column[name]

    def add_today(self, name: str, amount: float) -> None:
        """Add to today's value of a daily series."""
        self.today[self._column[name]] += amount

    def record_unseen(self, regions: NDArray[np.int64], unseen: NDArray[np.int64]) -> None:
        """Book threats that were never detected: launched and leaked without an engagement."""
        self.launched[regions] += unseen
        self.leakers[regions] += unseen
        self.unseen[regions] += unseen
        total = float(unseen.sum())
        self.today[self._column["nato_launched"]] += total
        self.today[self._column["nato_leakers"]] += total
        self.today[self._column["attacker_cost_meur"]] += (unseen * self.tables.threat_cost_eur).sum() / 1e6

    def close_airports(self, site_indices: NDArray[np.int64], hours: float) -> None:
        """Book closure hours for airports (each airport's hours in a day are at most 24)."""
        if len(site_indices) == 0 or hours <= 0:
            return
        hours = min(hours, 24.0)
        self.airport_closure_hours[site_indices] += hours
        self.today[self._column["airport_closure_hours"]] += hours * len(site_indices)

    def close_region_airports(self, region: int, hours: float) -> None:
        """Book closure hours for every airport of a region (:meth:`close_airports`)."""
        self.close_airports(self._airports_by_region[region], hours)

    def record_order(self, item: str, units: int, cost_eur: float, channel: str, supplier: str) -> None:
        """Book an order placed (its money is committed on the day it is ordered)."""
        self.units_ordered[item] += units
        self.procurement_spend_eur[channel] += cost_eur
        self.procurement_spend_by_supplier_eur[supplier] += cost_eur
        self.add_today("orders_units", units)
        self.add_today("procurement_spend_meur", cost_eur / 1e6)

    def record_order_before_start(self, item: str, units: int) -> None:
        """Book units a buyer in the scenario ordered before the start (a product's ``pipeline``): they count as
        ordered on day 0, so that every unit delivered was ordered, but their money was spent before the start
        and is not booked."""
        self.units_ordered[item] += units
        self.add_today("orders_units", units)

    def record_delivery(self, item: str, units: int, lead_time_days: int | None, *, to_ukraine: bool) -> None:
        """Book units delivered (to Ukraine or to a member state) and how long they took from order to delivery
        (None: an order placed before the start, whose wait is not known and not averaged)."""
        self.units_delivered[item] += units
        (self.units_delivered_to_ukraine if to_ukraine else self.units_delivered_to_member_states)[item] += units
        if lead_time_days is not None:
            self.lead_time_unit_days += units * lead_time_days
            self.lead_time_units += units
        self.add_today("deliveries_units", units)

    def end_day(self, day: int, stock_by_region: NDArray[np.float64], levels: dict[str, float]) -> None:
        """Write today's row: flows accumulated today, stock levels and other end-of-day levels."""
        if day >= self.horizon_days:
            return
        row = self.series[day]
        row[:] = self.today
        row[self._stock_columns] = stock_by_region
        for name, value in levels.items():
            row[self._column[name]] = value
        self.today[:] = 0.0

    def refuse(self, day: int, what: str, reason: str) -> None:
        """Record a decision or event that could not be carried out."""
        self.refused.append(f"day {day}: {what}: {reason}")
