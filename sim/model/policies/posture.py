"""Posture policies: where fire units stand (member-state deployment, NATO Eastern Sentry, Ukraine's
allocation over its regions) and when a state donates to Ukraine."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.tables import Tables
from sim.scenario.policies import (
    FlankContributionParams,
    SurplusDonationParams,
    ThreatWeightedAllocationParams,
    ThreatWeightedSentryParams,
)


class UnitSplit:
    """Whole units split over fixed weights by the cumulative-floor rule of the engagement kernel (exact total,
    deterministic), prepared once for many totals.

    Place ``i`` of a split of ``total`` gets ``floor(total·W_i / S) − floor(total·W_{i−1} / S)``, where ``W`` is the
    running sum of the weights and ``S`` their sum. From the last place with a positive weight on, the cumulative
    value is ``total`` exactly: rounding must not leave a unit for the places with zero weight after it (a running
    sum of ten weights of 0.1 is 0.9999999999999999). A place with zero weight gets nothing; a total of zero or
    less, or weights that sum to zero or less, split into zeros.

    The arithmetic is in plain Python floats: decisions split a few totals over a few places, where numpy's cost per
    call is far above the arithmetic. It is bit for bit the vectorised formula
    ``floor(total * np.cumsum(weights) / weights.sum())``: ``S`` is numpy's own sum (pairwise from eight weights on,
    so not a plain running sum), the running sums add in order as ``np.cumsum`` does, and each product and
    quotient is the same IEEE-754 double operation on the same operands (an ``int`` total converts to the same
    double as an ``int64`` one).
    """

    def __init__(self, weights: NDArray[np.float64]) -> None:
        self.places = len(weights)
        self.weight_sum = float(weights.sum())
        weight_list = weights.tolist()
        self._cumulative_weights = list(itertools.accumulate(weight_list))
        last_weighted = len(weight_list) - 1
        while last_weighted >= 0 and not weight_list[last_weighted] > 0:
            last_weighted -= 1
        self._last_weighted = last_weighted

    def of(self, total: int) -> list[int]:
        """The split of ``total`` units: one count per place, summing to ``max(total, 0)`` (or 0 without weight)."""
        if total <= 0 or self.weight_sum <= 0:
            return [0] * self.places
        weight_sum = self.weight_sum
        last = self._last_weighted
        split = [0] * self.places
        before = 0  # cumulative units before the place
        for place in range(last):
            after = math.floor(total * self._cumulative_weights[place] / weight_sum)
            split[place] = after - before
            before = after
        split[last] = total - before
        return split


def split_units(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``total`` whole units over places in proportion to ``weights`` (see :class:`UnitSplit`)."""
    return np.array(UnitSplit(weights).of(total), dtype=np.int64)


def split_units_each(totals: NDArray[np.int64], weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """:func:`split_units` of several totals over the same places: row ``k`` splits ``totals[k]``
    ``[len(totals), len(weights)]`` (rows identical to separate calls)."""
    split = UnitSplit(weights)
    rows = np.zeros((len(totals), split.places), dtype=np.int64)
    for row, total in enumerate(totals.tolist()):
        if total > 0:  # (the rest split into zeros; building the array from lists costs more than filling it)
            rows[row] = split.of(total)
    return rows


class HomeDefencePolicy:
    """All fire units defend the home region."""

    name = "home_defence"

    def contribution(self, fire_units: NDArray[np.int64], tables: Tables) -> NDArray[np.int64]:
        """Units given to NATO's rotational pool: none."""
        return np.zeros_like(fire_units)


class FlankContributionPolicy:
    """A share of the listed effectors' fire units joins NATO's rotational pool (Eastern Sentry)."""

    name = "flank_contribution"

    def __init__(self, params: FlankContributionParams) -> None:
        self.params = params

    def contribution(self, fire_units: NDArray[np.int64], tables: Tables) -> NDArray[np.int64]:
        """Units of each effector given to the pool (rounded down)."""
        given = np.zeros_like(fire_units)
        for name in self.params.effectors:
            index = tables.effector_index(name)
            given[index] = int(np.floor(self.params.share.value * fire_units[index]))
        return given


@dataclass(frozen=True)
class DonationDecision:
    """A donation to Ukraine: fire units, interceptors sent with them, and whether to order replacements."""

    effector: str
    fire_units: int
    interceptors: int
    backfill: bool


class NoDonationPolicy:
    """Gives nothing (scheduled transfers in the scenario's events still happen)."""

    name = "no_donation"

    def decide(
        self, home_units: Mapping[str, int], donated_this_year: int, ukraine_short: bool
    ) -> DonationDecision | None:
        """No donation."""
        return None


class SurplusDonationPolicy:
    """When Ukraine reports empty magazines, give one fire unit above a floor (at most so many a year)."""

    name = "surplus_donation"

    def __init__(self, params: SurplusDonationParams) -> None:
        self.params = params

    def decide(
        self, home_units: Mapping[str, int], donated_this_year: int, ukraine_short: bool
    ) -> DonationDecision | None:
        """One unit if Ukraine is short, the donor is above its floor and under its yearly cap."""
        p = self.params
        if not ukraine_short or donated_this_year >= p.max_per_year.as_int():
            return None
        if home_units.get(p.effector, 0) <= p.keep_at_least.as_int():
            return None
        return DonationDecision(p.effector, 1, p.interceptors_per_unit.as_int(), p.with_backfill)


class ThreatWeightedSentryPolicy:
    """Place the rotational pool over the flank states in proportion to their recent incursions (+1 each,
    so no flank state is left bare), reviewed every ``review_days``."""

    name = "threat_weighted_sentry"

    def __init__(self, params: ThreatWeightedSentryParams) -> None:
        self.params = params
        self.review_days = params.review_days.as_int()
        self.lookback_days = params.lookback_days.as_int()

    def assign(self, pool: NDArray[np.int64], recent_incursions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Units of each effector per flank region: ``[flank regions, E]``."""
        weights = recent_incursions.astype(np.float64) + 1.0
        return split_units_each(pool, weights).T.copy()


class StaticSentryPolicy:
    """Spread the rotational pool evenly over the flank once and keep it there."""

    name = "static_sentry"
    review_days = 0
    lookback_days = 1

    def assign(self, pool: NDArray[np.int64], recent_incursions: NDArray[np.int64]) -> NDArray[np.int64]:
        """Even spread over the flank regions."""
        weights = np.ones(len(recent_incursions))
        return split_units_each(pool, weights).T.copy()


class ThreatWeightedAllocationPolicy:
    """Ukraine sends new stock to its regions by the threats each received recently, with a floor share."""

    name = "threat_weighted"

    def __init__(self, params: ThreatWeightedAllocationParams) -> None:
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


class StaticAllocationPolicy:
    """Ukraine splits new stock by the regions' fixed raid shares."""

    name = "static"
    lookback_days = 1

    def weights(self, recent_threats: NDArray[np.float64], raid_shares: NDArray[np.float64]) -> NDArray[np.float64]:
        """The fixed raid shares."""
        result: NDArray[np.float64] = raid_shares / raid_shares.sum()
        return result
