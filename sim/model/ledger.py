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

from sim.model.engagement import NightOutcome
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


def _as_rows(regions: NDArray[np.int64] | slice) -> NDArray[np.int64] | slice:
    """Consecutive ascending region indices as a slice (cheaper to index and update than an index array)."""
    if isinstance(regions, slice):
        return regions
    if len(regions) and (len(regions) == 1 or bool((np.diff(regions) == 1).all())):
        return slice(int(regions[0]), int(regions[-1]) + 1)
    return regions


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
        self.incursions = np.zeros(regions, dtype=np.int64)
        self.procurement_spend_eur: defaultdict[str, float] = defaultdict(float)  # by channel
        self.procurement_spend_by_supplier_eur: defaultdict[str, float] = defaultdict(float)
        self.units_ordered: defaultdict[str, int] = defaultdict(int)  # by item
        self.units_delivered: defaultdict[str, int] = defaultdict(int)
        self.lead_time_unit_days = 0.0  # Σ over delivered units of (delivery day − order day)
        self.lead_time_units = 0
        self.edip_spent_eur = 0.0
        self.safe_drawn_eur = 0.0
        self.ukraine_industry_output = 0
        self.ukraine_industry_funding_eur = 0.0
        self.fire_units_donated: defaultdict[str, int] = defaultdict(int)  # by effector
        self.capability_target_fulfilment = float("nan")
        self.refused: list[str] = []  # decisions or events that could not be carried out, with the reason
        self._layer_munition = np.zeros((effectors, munitions), dtype=np.int64)  # one-hot: layer -> its munition
        self._layer_munition[np.arange(effectors), tables.effector_munition] = 1
        self.series_names: tuple[str, ...] = DAILY_SERIES + tuple(f"stock.{name}" for name in tables.region_names)
        self._column = {name: index for index, name in enumerate(self.series_names)}
        self.series = np.zeros((horizon_days, len(self.series_names)))
        self._today = np.zeros(len(self.series_names))
        self._stock_columns = slice(len(DAILY_SERIES), len(self.series_names))

    def column(self, name: str) -> int:
        """Index of a daily series."""
        return self._column[name]

    def add_today(self, name: str, amount: float) -> None:
        """Add to today's value of a daily series."""
        self._today[self._column[name]] += amount

    def record_night(
        self, regions: NDArray[np.int64] | slice, incoming: NDArray[np.int64], outcome: NightOutcome
    ) -> None:
        """Book one kernel call's outcome for the given regions (rows of ``incoming``; indices or a slice)."""
        tables = self.tables
        rows = _as_rows(regions)
        killed = outcome.killed_total
        leakers = outcome.leakers
        self.launched[rows] += incoming
        self.killed[rows] += killed
        self.leakers[rows] += leakers
        self.killed_by_layer[rows] += outcome.killed
        shots_by_layer = outcome.shots.sum(axis=2)  # [r, L]
        self.shots[rows] += shots_by_layer @ self._layer_munition
        spend = (shots_by_layer * outcome.cost_per_shot_eur).sum(axis=1)
        self.interceptor_spend_eur[rows] += spend
        empty = outcome.magazine_empty
        self.empty_magazine_days[rows] += empty
        any_empty = empty.any(axis=1)
        self.empty_magazine_region_days[rows] += any_empty
        protected = (killed * tables.threat_damage_fraction).sum(axis=1) * tables.region_expected_hit_value_meur[rows]
        self.value_protected_meur[rows] += protected
        today = self._today
        column = self._column
        ukraine = tables.region_is_ukraine[rows]
        # A kernel call books either Ukraine's regions or NATO's (the world makes one call for each side);
        # the general case splits the rows. Integer totals are exact whichever way they are summed.
        if ukraine.all():
            self._add_side(today, "ukraine", incoming, killed, leakers)
            today[column["ukraine_drone_launched"]] += incoming[:, tables.is_drone_or_decoy].sum()
            today[column["ukraine_drone_killed"]] += killed[:, tables.is_drone_or_decoy].sum()
        elif not ukraine.any():
            self._add_side(today, "nato", incoming, killed, leakers)
        else:
            self._add_side(today, "ukraine", incoming[ukraine], killed[ukraine], leakers[ukraine])
            self._add_side(today, "nato", incoming[~ukraine], killed[~ukraine], leakers[~ukraine])
            today[column["ukraine_drone_launched"]] += incoming[ukraine][:, tables.is_drone_or_decoy].sum()
            today[column["ukraine_drone_killed"]] += killed[ukraine][:, tables.is_drone_or_decoy].sum()
        today[column["interceptor_spend_meur"]] += spend.sum() / 1e6
        today[column["attacker_cost_meur"]] += (incoming * tables.threat_cost_eur).sum() / 1e6
        today[column["value_protected_meur"]] += protected.sum()
        today[column["empty_magazine_regions"]] += any_empty.sum()

    def _add_side(
        self,
        today: NDArray[np.float64],
        side: str,
        incoming: NDArray[np.int64],
        killed: NDArray[np.int64],
        leakers: NDArray[np.int64],
    ) -> None:
        column = self._column
        today[column[f"{side}_launched"]] += incoming.sum()
        today[column[f"{side}_killed"]] += killed.sum()
        today[column[f"{side}_leakers"]] += leakers.sum()

    def record_unseen(self, regions: NDArray[np.int64], unseen: NDArray[np.int64]) -> None:
        """Book threats that were never detected: launched and leaked without an engagement."""
        self.launched[regions] += unseen
        self.leakers[regions] += unseen
        self.unseen[regions] += unseen
        total = float(unseen.sum())
        self._today[self._column["nato_launched"]] += total
        self._today[self._column["nato_leakers"]] += total
        self._today[self._column["attacker_cost_meur"]] += (unseen * self.tables.threat_cost_eur).sum() / 1e6

    def record_damage(self, site_hits: NDArray[np.int64], damage_by_site_meur: NDArray[np.float64]) -> None:
        """Book the sites leakers hit tonight and what they destroyed."""
        self.site_hits += site_hits
        self.damage_meur += np.bincount(
            self.tables.site_region, weights=damage_by_site_meur, minlength=len(self.tables.region_names)
        )
        self._today[self._column["damage_meur"]] += damage_by_site_meur.sum()

    def close_airports(self, site_indices: NDArray[np.int64], hours: float) -> None:
        """Book closure hours for airports (each airport's hours in a day are at most 24)."""
        if len(site_indices) == 0 or hours <= 0:
            return
        hours = min(hours, 24.0)
        self.airport_closure_hours[site_indices] += hours
        self._today[self._column["airport_closure_hours"]] += hours * len(site_indices)

    def record_order(self, item: str, units: int, cost_eur: float, channel: str, supplier: str) -> None:
        """Book an order placed (its money is committed on the day it is ordered)."""
        self.units_ordered[item] += units
        self.procurement_spend_eur[channel] += cost_eur
        self.procurement_spend_by_supplier_eur[supplier] += cost_eur
        self.add_today("orders_units", units)
        self.add_today("procurement_spend_meur", cost_eur / 1e6)

    def record_delivery(self, item: str, units: int, lead_time_days: int) -> None:
        """Book units delivered and how long they took from order to delivery."""
        self.units_delivered[item] += units
        self.lead_time_unit_days += units * lead_time_days
        self.lead_time_units += units
        self.add_today("deliveries_units", units)

    def end_day(self, day: int, stock_by_region: NDArray[np.float64], levels: dict[str, float]) -> None:
        """Write today's row: flows accumulated today, stock levels and other end-of-day levels."""
        if day >= self.horizon_days:
            return
        row = self.series[day]
        row[:] = self._today
        row[self._stock_columns] = stock_by_region
        for name, value in levels.items():
            row[self._column[name]] = value
        self._today[:] = 0.0

    def refuse(self, day: int, what: str, reason: str) -> None:
        """Record a decision or event that could not be carried out."""
        self.refused.append(f"day {day}: {what}: {reason}")
