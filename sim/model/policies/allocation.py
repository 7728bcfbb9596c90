"""Ukraine's allocation slot: how new stock is shared over its regions."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import Parameterless, PolicyContext
from sim.scenario.policies import ThreatWeightedAllocationParams


class AllocationPolicy(Protocol):
    """What Ukraine asks of its allocation policy."""

    lookback_days: int
    """Days of threats the weights look back over."""

    def weights(self, recent_threats: NDArray[np.float64], raid_shares: NDArray[np.float64]) -> NDArray[np.float64]:
        """Share of new stock for each Ukrainian region (sums to 1)."""
        ...


class ThreatWeightedAllocationPolicy:
    """Ukraine sends new stock to its regions by the threats each received recently, with a floor share."""

    name = "threat_weighted"

    def __init__(self, params: ThreatWeightedAllocationParams, context: PolicyContext | None = None) -> None:
        self.params = params
        self.lookback_days = params.lookback_days.as_int()

    def weights(self, recent_threats: NDArray[np.float64], raid_shares: NDArray[np.float64]) -> NDArray[np.float64]:
        """Share of new stock for each region."""
        total = recent_threats.sum()
        pressure = recent_threats / total if total > 0 else raid_shares
        floor = self.params.floor_share.value
        weights = np.maximum(pressure, floor)
        result: NDArray[np.float64] = weights / weights.sum()
        return result


class StaticAllocationPolicy(Parameterless):
    """Ukraine splits new stock by the regions' fixed raid shares."""

    name = "static"
    lookback_days = 1

    def weights(self, recent_threats: NDArray[np.float64], raid_shares: NDArray[np.float64]) -> NDArray[np.float64]:
        """The fixed raid shares."""
        result: NDArray[np.float64] = raid_shares / raid_shares.sum()
        return result
