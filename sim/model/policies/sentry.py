"""NATO's sentry slot: how the rotational pool stands over the eastern flank (Eastern Sentry)."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import Parameterless, PolicyContext
from sim.model.splits import split_units_each
from sim.scenario.policies import ThreatWeightedSentryParams


class SentryPolicy(Protocol):
    """What NATO asks of its sentry policy."""

    review_days: int
    """Days between reviews (0: placed once, on the first day)."""
    lookback_days: int
    """Days of incursions a review looks back over."""

    def assign(self, pool: NDArray[np.int64], recent_incursions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Units of each effector of the ``pool`` [E] per flank region ``[flank regions, E]``."""
        ...


class ThreatWeightedSentryPolicy:
    """Place the rotational pool over the flank states in proportion to their recent incursions (+1 each,
    so no flank state is left bare), reviewed every ``review_days``."""

    name = "threat_weighted_sentry"

    def __init__(self, params: ThreatWeightedSentryParams, context: PolicyContext | None = None) -> None:
        self.params = params
        self.review_days = params.review_days.as_int()
        self.lookback_days = params.lookback_days.as_int()

    def assign(self, pool: NDArray[np.int64], recent_incursions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Units of each effector per flank region: ``[flank regions, E]``."""
        weights = recent_incursions.astype(np.float64) + 1.0
        return split_units_each(pool, weights).T.copy()


class StaticSentryPolicy(Parameterless):
    """Spread the rotational pool evenly over the flank once and keep it there."""

    name = "static_sentry"
    review_days = 0
    lookback_days = 1

    def assign(self, pool: NDArray[np.int64], recent_incursions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Even spread over the flank regions."""
        weights = np.ones(len(recent_incursions))
        return split_units_each(pool, weights).T.copy()
