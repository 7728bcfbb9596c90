"""Whole units split over places in proportion to weights: the cumulative-floor rule, exact in total.

The engagement kernel splits targets over threat types by the same rule
(:func:`sim.model.engagement.rules.split_in_proportion`); this module splits fire units, rounds and raids
over regions and types for the decisions and the adversary.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from numpy.typing import NDArray

__all__ = ["UnitSplit", "split_units", "split_units_each"]


class UnitSplit:
    """Whole units split over fixed weights by the cumulative-floor rule of the engagement kernel (exact total,
    deterministic), prepared once for many totals.

    Place ``i`` of a split of ``total`` gets ``floor(total·W_i / S) − floor(total·W_{i−1} / S)``, where ``W`` is the
    running sum of the weights and ``S`` their sum. From the last place with a positive weight on, the cumulative
    value is ``total`` exactly: rounding must not leave a unit for the places with zero weight after it (a running
    sum of ten weights of 0.1 is 0.9999999999999999). A place with zero weight gets nothing; a total of zero or
    less, or weights that sum to zero or less, split into zeros.

    The arithmetic is in plain Python floats and is bit for bit the vectorised formula
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
        if total > 0:  # (the rest split into zeros)
            rows[row] = split.of(total)
    return rows
