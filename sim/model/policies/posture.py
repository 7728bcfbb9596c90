"""Posture policies: where fire units stand (member-state deployment, NATO Eastern Sentry, Ukraine's
allocation over its regions) and when a state donates to Ukraine."""

from __future__ import annotations

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


def split_units(total: int, weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """Split ``total`` whole units over places in proportion to ``weights`` (exact total, deterministic).

    The cumulative-floor rule of the engagement kernel on real weights: place ``i`` gets
    ``floor(total·W_i) − floor(total·W_{i−1})`` where ``W`` is the cumulative share, the cumulative value
    at the last place with a positive weight (and after it) being ``total`` exactly: a place with zero weight
    gets nothing.
    """
    split: NDArray[np.int64] = split_units_each(np.array([total], dtype=np.int64), weights)[0]
    return split


def split_units_each(totals: NDArray[np.int64], weights: NDArray[np.float64]) -> NDArray[np.int64]:
    """:func:`split_units` of several totals over the same places, in one go: row ``k`` splits ``totals[k]``
    ``[len(totals), len(weights)]``.

    Each row is computed with the same floating-point operations, in the same order, as a split of its total
    alone (``total · cumsum(weights) / sum(weights)``, floored), so the rows are identical to separate calls.
    A total of zero or less gets nothing.
    """
    weight_sum = weights.sum()
    if weight_sum <= 0:
        return np.zeros((len(totals), len(weights)), dtype=np.int64)
    # Cumulative units after each place, behind a column of zeros; a total of zero or less splits as zero.
    cumulative = np.zeros((len(totals), len(weights) + 1), dtype=np.int64)
    column_totals = np.maximum(totals, 0)[:, np.newaxis]
    cumulative[:, 1:] = np.floor(column_totals * np.cumsum(weights) / weight_sum)
    # From the last place with weight on, the cumulative value is the total exactly: rounding must not leave
    # a unit for the places with zero weight after it (ten weights of 0.1 sum to 0.9999999999999999).
    cumulative[:, np.flatnonzero(weights > 0)[-1] + 1 :] = column_totals
    split: NDArray[np.int64] = cumulative[:, 1:] - cumulative[:, :-1]
    return split


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
