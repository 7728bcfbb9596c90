"""A member state's donation slot: when it gives fire units (and rounds) to Ukraine."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from sim.model.policies.context import Parameterless, PolicyContext
from sim.scenario.policies import SurplusDonationParams


@dataclass(frozen=True)
class DonationDecision:
    """A donation to Ukraine: fire units, interceptors sent with them, and whether to order replacements."""

    effector: str
    fire_units: int
    interceptors: int
    backfill: bool


class DonationPolicy(Protocol):
    """What a member state asks of its donation policy."""

    def decide(
        self, home_units: Mapping[str, int], donated_this_year: int, ukraine_short: bool
    ) -> DonationDecision | None:
        """A donation, given the state's fire units at home by effector, what it gave this year and whether
        Ukraine reports empty magazines; None for none."""
        ...


class NoDonationPolicy(Parameterless):
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

    def __init__(self, params: SurplusDonationParams, context: PolicyContext | None = None) -> None:
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
