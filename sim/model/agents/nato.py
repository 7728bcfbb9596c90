"""NATO: capability targets, the Eastern Sentry rotational pool on the eastern flank, and backfill."""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.policies.registry import SENTRY
from sim.model.splits import UnitSplit, split_units

if TYPE_CHECKING:
    from sim.model.world import AirDefenceModel


class NATOAgent(mesa.Agent):
    """The Alliance's planning and posture role."""

    model: AirDefenceModel

    def __init__(self, model: AirDefenceModel) -> None:
        super().__init__(model)
        nato = model.spec.actors.nato
        tables = model.tables
        self.backfill_priority = nato.backfill_priority
        self.targets = [
            (target.state, tables.effector_index(target.effector), target.fire_units.as_int())
            for target in nato.capability_targets
        ]
        self._target_regions = np.array([tables.region_index(code) for code, _, _ in self.targets], dtype=np.int64)
        self._target_effectors = np.array([effector for _, effector, _ in self.targets], dtype=np.int64)
        self._target_units = np.array([units for _, _, units in self.targets], dtype=np.int64)
        self._targets_positive = bool((self._target_units > 0).all())
        self.sentry = SENTRY.build(nato.sentry, model.policy_context)
        self.flank_regions = np.array(
            [
                tables.region_index(code)
                for code, state in model.spec.actors.member_states.items()
                if state.eastern_flank
            ],
            dtype=np.int64,
        )
        self.pool = np.zeros(len(tables.effector_names), dtype=np.int64)
        self.assignment = np.zeros((len(self.flank_regions), len(tables.effector_names)), dtype=np.int64)
        self.moves = 0
        self._last_review: tuple[bytes, ...] = ()  # (pool, recent incursions, assignment) after the last review
        # Tabletop play: True while a team of players positions the pool; the sentry policy then stands down
        # and the pool stays where the players put it (see `move_pool_units`). Never set outside play.
        self.played = False

    def gather_contributions(self) -> None:
        """Member states hand the pool what their deployment policies give (at the start)."""
        model = self.model
        if len(self.flank_regions) == 0:
            return
        for state in model.member_states:
            given = state.deployment.contribution(state.home_fire_units(), model.tables)
            if given.sum() == 0:
                continue
            model.fire_units[state.region] -= given
            carried = np.minimum(model.munitions[state.region], given @ model.tables.ready_matrix)
            carried[-1] = 0  # the EW pseudo-munition is not carried
            model.munitions[state.region] -= carried
            state.contributed += given
            self.pool += given
            self._spread_munitions(carried)

    def _spread_munitions(self, munitions: NDArray[np.int64]) -> None:
        """Spread munitions carried into the pool evenly over the flank (they follow their units later)."""
        if len(self.flank_regions) == 0:
            return
        weights = np.ones(len(self.flank_regions))
        for munition in np.flatnonzero(munitions):
            self.model.munitions[self.flank_regions, munition] += split_units(int(munitions[munition]), weights)

    def review_sentry(self, day: int) -> None:
        """Reposition the pool over the flank by recent incursions (the sentry policy decides)."""
        if self.played:  # tabletop: the players position the pool
            return
        if len(self.flank_regions) == 0 or self.pool.sum() == 0:
            return
        model = self.model
        start = max(0, day - self.sentry.lookback_days)
        recent = (
            model.incursion_history[start:day].sum(axis=0)[self.flank_regions]  # (whole counts: sums are exact)
            if day > 0
            else np.zeros(len(self.flank_regions), dtype=np.int64)
        )
        # The sentry policies place the pool by the pool and the recent incursions alone: with both as at the
        # last review and the pool still where that review put it, this review would move nothing.
        inputs = (self.pool.tobytes(), recent.tobytes())
        if self._last_review == (*inputs, self.assignment.tobytes()):
            return
        new = self.sentry.assign(self.pool, recent)
        self._last_review = (*inputs, new.tobytes())
        delta = new - self.assignment
        moving = np.flatnonzero(delta.any(axis=0)).tolist()
        if not moving:
            return
        tables = model.tables
        no_munition = len(tables.munition_names) - 1
        for effector in moving:
            munition = int(tables.effector_munition[effector])
            if munition != no_munition:
                self._carry_munitions(
                    munition, int(min(tables.ready_rounds_per_unit[effector], 10**6)), delta[:, effector]
                )
        model.fire_units[self.flank_regions] += delta
        self.assignment = new
        self.moves += 1

    def _carry_munitions(self, munition: int, ready_rounds: int, change: NDArray[np.int64]) -> None:
        """Move one effector's interceptors with its pool units: each unit leaving a flank region takes up to
        ``ready_rounds`` of the region's stock, and what is taken is split over the gaining regions by the units
        they gain (``change``: units gained or lost per flank region)."""
        stock = self.model.munitions[self.flank_regions, munition].tolist()
        units = change.tolist()
        taken = [min(held, -moved * ready_rounds) if moved < 0 else 0 for held, moved in zip(stock, units, strict=True)]
        gaining = [flank for flank, moved in enumerate(units) if moved > 0]
        shares = UnitSplit(np.array([units[flank] for flank in gaining], dtype=np.float64)).of(sum(taken))
        net = [-take for take in taken]
        for flank, share in zip(gaining, shares, strict=True):
            net[flank] += share
        self.model.munitions[self.flank_regions, munition] += net

    def move_pool_units(self, effector: int, sources: dict[int, int], target: int) -> None:
        """Move rotational-pool units between flank regions (a tabletop decision; the caller has checked them).

        Each moving unit carries up to one load of its interceptors from its region's stock, as in a review.

        Args:
            effector: Effector index.
            sources: Flank position (index into ``flank_regions``) → units leaving it.
            target: Flank position the units go to.
        """
        model = self.model
        tables = model.tables
        munition = tables.effector_munition[effector]
        ready = int(min(tables.ready_rounds_per_unit[effector], 10**6))
        target_region = self.flank_regions[target]
        for flank, units in sources.items():
            region = self.flank_regions[flank]
            self.assignment[flank, effector] -= units
            self.assignment[target, effector] += units
            model.fire_units[region, effector] -= units
            model.fire_units[target_region, effector] += units
            if munition != len(tables.munition_names) - 1:
                carried = min(int(model.munitions[region, munition]), units * ready)
                model.munitions[region, munition] -= carried
                model.munitions[target_region, munition] += carried
        self.moves += 1

    def fulfilment(self) -> float:
        """Mean over capability targets of min(1, fire units owned ÷ target); NaN without targets."""
        if not self.targets:
            return float("nan")
        owned = self.model.owned_fire_units()[self._target_regions, self._target_effectors]
        if self._targets_positive:
            return float(np.mean(np.minimum(1.0, owned / self._target_units)))
        shares = np.ones(len(self.targets))
        positive = self._target_units > 0
        shares[positive] = np.minimum(1.0, owned[positive] / self._target_units[positive])
        return float(np.mean(shares))
