"""The threat picture: what the defenders have seen of the adversary, night by night.

Two records, both whole counts per night (so sums over any window are exact in any order):

- incursions into each region (``[horizon_days + 1, R]``): the adversary's planned incursions and injected
  ones; NATO's sentry policy places the rotational pool by the recent ones;
- threats launched at each of Ukraine's regions (``[horizon_days + 1, U]``): Ukraine's allocation policy
  weighs its regions by the recent ones.

The night (:meth:`sim.model.world.AirDefenceModel.step`) and the incursion action write them; agents read
windows of them; the tabletop situation report reads :attr:`ThreatPicture.incursions`.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray


class ThreatPicture:
    """Incursions and threats at Ukraine per night (see the module docstring).

    Attributes:
        incursions: ``[horizon_days + 1, R]`` incursions into each region on each night.
        threats_at_ukraine: ``[horizon_days + 1, U]`` threats launched at each Ukrainian region on each night.
    """

    def __init__(self, horizon_days: int, regions: int, ukraine_regions: int) -> None:
        self.incursions = np.zeros((horizon_days + 1, regions), dtype=np.int64)
        self.threats_at_ukraine = np.zeros((horizon_days + 1, ukraine_regions), dtype=np.int64)

    def record_incursions(self, day: int, region: int, count: int) -> None:
        """``count`` incursions into ``region`` on the night of ``day``."""
        self.incursions[day, region] += count

    def record_threats_at_ukraine(self, day: int, launched: NDArray[np.int64]) -> None:
        """The threats launched at each Ukrainian region (``[U]``) on the night of ``day``."""
        self.threats_at_ukraine[day] = launched

    def incursions_between(self, first_day: int, end_day: int) -> NDArray[np.int64]:
        """``[R]`` incursions into each region on the nights ``[first_day, end_day)``."""
        counts: NDArray[np.int64] = self.incursions[first_day:end_day].sum(axis=0)
        return counts

    def threats_at_ukraine_between(self, first_day: int, end_day: int) -> NDArray[np.int64]:
        """``[U]`` threats launched at each Ukrainian region on the nights ``[first_day, end_day)``."""
        counts: NDArray[np.int64] = self.threats_at_ukraine[first_day:end_day].sum(axis=0)
        return counts
