"""Sensors and what they buy: detection of drones entering NATO airspace, and shorter airport closures.

A member state starts with the detection probability its scenario gives (``detection_probability``: what
its radars, fighters and observers achieve today, calibrated on Poland's night of 9–10 September 2025). Every
sensor delivered later (an acoustic node, a drone radar, an early-warning aircraft) adds its ``coverage_km``
to the state's *added coverage*, and detection rises towards NATO's ceiling:

1. **Detection** (:func:`detection_probability`)::

       p = p_max − (p_max − p_start) · exp(−C / B)

   with ``C`` the added coverage (km of border watched by the sensors bought since the start, Σ units ×
   coverage_km), ``B`` the state's ``watched_border_km`` and ``p_max`` NATO's ``detection_ceiling``. It is the
   chance of detection when the new sensors' footprints fall along the border like a Poisson scatter: a
   crossing escapes all of them with probability exp(−C/B), and an escaped crossing is detected as today
   (scaled so that ``C = 0`` gives ``p_start`` exactly and no coverage goes above ``p_max``). Rules: ``p`` is
   ``p_start`` with no new sensors; it never falls as sensors arrive; it halves the gap to ``p_max`` when
   ``C = B·ln 2``.
2. **Airport closures** (:func:`closure_hours`): on a night drones enter a state's airspace, each of its
   airports closes for::

       h = h_all + (h_none − h_all) · (leaked ÷ entered)

   hours, with ``leaked`` the intruders not shot down (undetected ones included: tracks never held are the
   ones that keep the airspace shut). Every intruder defeated gives ``h_all`` (public-figures#40: 3–4 h where
   drones were only sighted); none defeated gives ``h_none`` (public-figures#35: Poland's ~7 h 15 min with
   ~4 of 19–23 drones shot down).

:class:`SensorNetwork` holds the sensors in each member state's region and the detection probability each
region has tonight (Ukraine's regions: 1, their detection is inside the engagement layers).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from sim.model.tables import Tables
from sim.scenario.model import Scenario


def detection_probability(
    start_probability: float, ceiling_probability: float, added_coverage_km: float, watched_border_km: float
) -> float:
    """Detection probability of a state with ``added_coverage_km`` of new sensor coverage (rule 1).

    Args:
        start_probability: Detection at the start (no new sensors).
        ceiling_probability: What detection approaches as coverage grows (if below the start, the start stays).
        added_coverage_km: Km of border watched by sensors bought since the start.
        watched_border_km: Km of border the state must watch.

    Returns:
        ``p_max − (p_max − p_start)·exp(−C/B)``, computed as ``p_start + (p_max − p_start)·(1 − exp(−C/B))``
        (so that no coverage gives ``p_start`` exactly); never below ``p_start``.
    """
    ceiling = max(ceiling_probability, start_probability)
    return start_probability - (ceiling - start_probability) * math.expm1(-added_coverage_km / watched_border_km)


def closure_hours(entered: int, leaked: int, hours_all_defeated: float, hours_none_defeated: float) -> float:
    """Hours each airport of a state closes on a night ``entered`` intruders came and ``leaked`` got away (rule 2).

    Returns:
        0 when nothing entered; else ``h_all + (h_none − h_all)·leaked/entered``.
    """
    if entered <= 0:
        return 0.0
    return hours_all_defeated + (hours_none_defeated - hours_all_defeated) * leaked / entered


class SensorNetwork:
    """Sensors standing in each member state's region and the detection they give (see the module docstring)."""

    def __init__(self, scenario: Scenario, tables: Tables) -> None:
        regions = len(tables.region_names)
        self.sensor_names: tuple[str, ...] = tuple(scenario.catalog.sensors)
        self._sensor_index = {name: index for index, name in enumerate(self.sensor_names)}
        self.coverage_per_unit_km = np.array(
            [sensor.coverage_km.value for sensor in scenario.catalog.sensors.values()], dtype=np.float64
        )
        self.units = np.zeros((regions, len(self.sensor_names)), dtype=np.int64)
        self.ceiling = scenario.actors.nato.detection_ceiling.value
        self.start_probability = np.ones(regions)
        self.watched_border_km = np.ones(regions)
        for code, state in scenario.actors.member_states.items():
            region = tables.region_index(code)
            self.start_probability[region] = state.detection_probability.value
            self.watched_border_km[region] = state.watched_border_km.value
        self.detection = self.start_probability.copy()
        """``[R]`` tonight's detection probability of each region (1 in Ukraine's regions)."""

    def is_sensor(self, item: str) -> bool:
        """Whether a catalog item is a sensor."""
        return item in self._sensor_index

    def add(self, region: int, item: str, units: int) -> None:
        """Sensors arrive in a region (a member state's); its detection probability follows (rule 1)."""
        self.units[region, self._sensor_index[item]] += units
        self.detection[region] = detection_probability(
            float(self.start_probability[region]),
            self.ceiling,
            self.added_coverage_km(region),
            float(self.watched_border_km[region]),
        )

    def added_coverage_km(self, region: int) -> float:
        """Km of border watched by the sensors that arrived in a region since the start."""
        return float(self.units[region] @ self.coverage_per_unit_km)

    def coverage_per_eur(self, item: str, unit_price_eur: float) -> float:
        """Km of coverage a euro buys at a price (how the default sensor choice ranks sensors)."""
        return float(self.coverage_per_unit_km[self._sensor_index[item]]) / unit_price_eur

    def detection_by_region(self) -> NDArray[np.float64]:
        """``[R]`` a copy of tonight's detection probabilities."""
        return self.detection.copy()
