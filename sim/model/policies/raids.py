"""The adversary's raids slot: how many drones and missiles are launched at Ukraine each night, and where.

A raid policy draws the whole horizon's plan at the start from the adversary's own random stream, in a handful
of vectorised draws. With the fixed plan (``nightly_raids``, the default) replication *i* of two scenarios
therefore faces the same raids whatever the defenders do (common random numbers). The adaptive plan
(``adaptive_raids``) draws the same plan and then, every review, reshapes the coming nights by what got
through since the last review (:meth:`AdaptiveRaidsPolicy.adapt`): a thinking opponent, deterministic given
the seed (no further draws), whose raids therefore answer the defenders' choices. The adversary's stock still
limits what is launched on the night (:mod:`sim.model.agents.adversary`).
"""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import PolicyContext
from sim.model.tables import Tables
from sim.scenario.calendar import DAYS_PER_MONTH
from sim.scenario.catalog import ThreatKind
from sim.scenario.policies import AdaptiveRaidParams, NightlyRaidParams


class RaidPolicy(Protocol):
    """What the adversary asks of its raid policy."""

    @property
    def name(self) -> str:
        """The policy's registry name (as the scenario chooses it)."""
        ...

    @property
    def drone_mix(self) -> NDArray[np.float64] | None:
        """``[T]`` shares of the drone types in a raid (None: no raids); injected raids are split by it too."""
        ...

    @property
    def missile_mix(self) -> NDArray[np.float64] | None:
        """``[T]`` shares of the missile types in a strike (None: no strikes)."""
        ...

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Threats launched at each Ukrainian region each night: ``[day, Ukrainian region, threat]``."""
        ...

    @property
    def review_days(self) -> int:
        """Days between reviews of the plan (0: the plan never changes)."""
        ...

    def adapt(
        self, plan: NDArray[np.int64], launched: NDArray[np.int64], leakers: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """The coming nights' plan ``[days, U, T]`` reshaped by what got through since the last review.

        ``launched`` and ``leakers`` are ``[U, T]``: threats launched at each Ukrainian region since the last
        review and those that got through.
        """
        ...


def threat_mix_vector(tables: Tables, mix: dict[str, float]) -> NDArray[np.float64]:
    """``[T]`` shares of each threat type in a mix (normalised to sum to 1; zeros stay zeros)."""
    vector = np.zeros(len(tables.threat_names))
    for name, share in mix.items():
        vector[tables.threat_index(name)] = share
    total = vector.sum()
    return vector / total if total > 0 else vector


class NightlyRaidsPolicy:
    """Nightly raids on Ukraine: a negative-binomial count with a monthly trend and surge nights, split over
    regions by their raid share and over drone types by the mix; missile strikes on some nights."""

    name = "nightly_raids"

    def __init__(self, params: NightlyRaidParams, context: PolicyContext) -> None:
        tables = context.tables
        self.params = params
        self.tables = tables
        self.region_shares = context.raid_shares / context.raid_shares.sum()
        self.drone_mix = threat_mix_vector(tables, {k: v.value for k, v in params.drone_mix.items()})
        self.missile_mix = threat_mix_vector(tables, {k: v.value for k, v in params.missile_mix.items()})

    review_days = 0

    def adapt(
        self, plan: NDArray[np.int64], launched: NDArray[np.int64], leakers: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """The fixed plan: unchanged."""
        del launched, leakers
        return plan

    def mean_drones(self, days: NDArray[np.float64]) -> NDArray[np.float64]:
        """Mean drones on an ordinary night of each day (trend applied)."""
        p = self.params
        return p.drones_per_night.value * (1.0 + p.trend_per_month.value) ** (days / DAYS_PER_MONTH)

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """Threats launched at each Ukrainian region each night: ``[day, region, threat]``."""
        p = self.params
        days = np.arange(horizon_days, dtype=np.float64)
        mean = self.mean_drones(days)
        surge = rng.random(horizon_days) < p.surge_probability.value
        mean = np.where(surge, mean * p.surge_multiplier.value, mean)
        shape = p.dispersion.value
        rate = rng.gamma(shape, mean / shape)
        drones = rng.poisson(rate)
        plan = np.zeros((horizon_days, len(self.region_shares), len(self.tables.threat_names)), dtype=np.int64)
        by_region = rng.multinomial(drones, self.region_shares)  # [H, Ru]
        plan += rng.multinomial(by_region, self.drone_mix)  # [H, Ru, T]
        if p.missile_strike_probability.value > 0 and self.missile_mix.sum() > 0:
            strike = rng.random(horizon_days) < p.missile_strike_probability.value
            missiles = np.where(strike, rng.poisson(p.missiles_per_strike.value, horizon_days), 0)
            plan += rng.multinomial(rng.multinomial(missiles, self.region_shares), self.missile_mix)
        return plan


class NoRaidsPolicy:
    """No raids on Ukraine (a reference case)."""

    name = "no_raids"

    drone_mix = None
    missile_mix = None

    review_days = 0

    def __init__(self, params: None, context: PolicyContext) -> None:
        self.shape = (len(context.raid_shares), len(context.tables.threat_names))

    def adapt(
        self, plan: NDArray[np.int64], launched: NDArray[np.int64], leakers: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """No raids: unchanged."""
        del launched, leakers
        return plan

    def plan(self, horizon_days: int, rng: np.random.Generator) -> NDArray[np.int64]:
        """All zeros."""
        return np.zeros((horizon_days, *self.shape), dtype=np.int64)


def _main_type(tables: Tables, mix: NDArray[np.float64], kind: ThreatKind) -> int | None:
    """The threat type of ``kind`` with the largest share in ``mix``, else the first of that kind; None if none."""
    of_kind = [index for index, threat_kind in enumerate(tables.threat_kind) if threat_kind == kind]
    if not of_kind:
        return None
    return max(of_kind, key=lambda index: (mix[index], -index))


class AdaptiveRaidsPolicy(NightlyRaidsPolicy):
    """The nightly raids' plan, reshaped every review by what got through: more decoys when attack drones are
    shot down, ballistic missiles in place of cruise missiles when those are, and drones massed on one region
    when little gets through anywhere.

    Success is the share of threats launched since the last review that got through (leakers ÷ launched), for
    attack drones, cruise missiles and all threats. Each of three levels steps up by its step at a review where
    its success is below its floor, and down by the step where it is at or above (never below 0 nor above its
    maximum); a kind that was not launched leaves its level as it was. The coming ``review_days`` nights of the
    plan are then changed, night by night and region by region, in whole numbers (floors):

    1. decoys: ``floor(decoy level × attack drones)`` decoys of the main decoy type fly with each raid;
    2. ballistic shift: ``floor(ballistic level × cruise missiles)`` of each cruise type become the main
       ballistic type;
    3. saturation: ``floor(saturation level × drones)`` of the drones and decoys of every other region move to
       the region where the largest share got through (the lowest index on a tie).

    A night with nothing planned stays empty (a scripted raid that replaced it keeps it so). No random draw is
    made after the start, so a replication is a pure function of the scenario and the seed; but the raids
    answer the defenders, so two scenarios' replications share the draws, not the raids.
    """

    name = "adaptive_raids"

    def __init__(self, params: AdaptiveRaidParams, context: PolicyContext) -> None:
        super().__init__(params, context)
        tables = context.tables
        self.adaptive = params
        kinds = tables.threat_kind
        self._attack_drones = np.array([kind == ThreatKind.DRONE for kind in kinds])
        self._drones = np.array([kind in (ThreatKind.DRONE, ThreatKind.DECOY) for kind in kinds])
        self._cruise = np.array([kind == ThreatKind.CRUISE_MISSILE for kind in kinds])
        self.decoy_type = _main_type(tables, self.drone_mix, ThreatKind.DECOY)
        self.ballistic_type = _main_type(tables, self.missile_mix, ThreatKind.BALLISTIC_MISSILE)
        self.decoy_level = 0.0
        self.ballistic_level = 0.0
        self.saturation_level = 0.0

    @property
    def review_days(self) -> int:  # type: ignore[override]
        """Days between reviews (the ``review_days`` parameter)."""
        return self.adaptive.review_days.as_int()

    @staticmethod
    def _success(launched: NDArray[np.int64], leakers: NDArray[np.int64]) -> float | None:
        total = int(launched.sum())
        return int(leakers.sum()) / total if total else None

    def adapt(
        self, plan: NDArray[np.int64], launched: NDArray[np.int64], leakers: NDArray[np.int64]
    ) -> NDArray[np.int64]:
        """The coming nights' plan ``[days, U, T]`` reshaped by the last review's success (class docstring)."""
        p = self.adaptive
        everything = np.ones(len(self._drones), dtype=bool)
        attack, cruise = self._attack_drones, self._cruise
        steps = (  # (level, threats whose success moves it, floor, step, maximum)
            ("decoy_level", attack, p.drone_success_floor, p.decoys_per_drone_step, p.max_decoys_per_drone),
            ("ballistic_level", cruise, p.missile_success_floor, p.ballistic_shift_step, p.max_ballistic_shift),
            ("saturation_level", everything, p.saturation_floor, p.saturation_step, p.max_saturation),
        )
        for level_name, threats, floor, step, most in steps:
            success = self._success(launched[:, threats], leakers[:, threats])
            if success is None:
                continue  # nothing of the kind launched: the level stays
            level = getattr(self, level_name) + (step.value if success < floor.value else -step.value)
            setattr(self, level_name, round(min(max(level, 0.0), most.value), 9))  # no drift from 0.1 steps
        plan = plan.copy()
        if self.decoy_type is not None and self.decoy_level > 0:
            attack_drones = plan[:, :, self._attack_drones].sum(axis=2)
            plan[:, :, self.decoy_type] += np.floor(self.decoy_level * attack_drones).astype(np.int64)
        if self.ballistic_type is not None and self.ballistic_level > 0:
            for cruise_type in np.flatnonzero(self._cruise):
                converted = np.floor(self.ballistic_level * plan[:, :, cruise_type]).astype(np.int64)
                plan[:, :, cruise_type] -= converted
                plan[:, :, self.ballistic_type] += converted
        regions = plan.shape[1]
        if self.saturation_level > 0 and regions > 1:
            region_launched = launched.sum(axis=1)
            shares = np.where(region_launched > 0, leakers.sum(axis=1) / np.maximum(region_launched, 1), -1.0)
            target = int(np.argmax(shares))  # the first of equal shares
            if shares[target] >= 0:
                others = np.arange(regions) != target
                moved = np.floor(self.saturation_level * plan[:, others][:, :, self._drones]).astype(np.int64)
                drones = np.flatnonzero(self._drones)
                plan[:, np.flatnonzero(others)[:, None], drones] -= moved
                plan[:, target, drones] += moved.sum(axis=1)
        return plan
