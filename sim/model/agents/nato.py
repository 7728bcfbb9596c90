"""NATO: capability targets, the Eastern Sentry rotational pool on the eastern flank, and backfill."""

from __future__ import annotations

import mesa
import numpy as np
from numpy.typing import NDArray

from sim.model.metrics import target_fulfilment
from sim.model.policies.registry import SENTRY
from sim.model.surroundings import Surroundings


class NATOAgent(mesa.Agent):
    """The Alliance's planning and posture role."""

    def __init__(self, model: mesa.Model, surroundings: Surroundings) -> None:
        super().__init__(model)
        self.surroundings = surroundings
        nato = surroundings.scenario.actors.nato
        tables = surroundings.tables
        self.backfill_priority = nato.backfill_priority
        self.targets = [
            (target.state, tables.effector_index(target.effector), target.fire_units.as_int())
            for target in nato.capability_targets
        ]
        self._target_regions = np.array([tables.region_index(code) for code, _, _ in self.targets], dtype=np.int64)
        self._target_effectors = np.array([effector for _, effector, _ in self.targets], dtype=np.int64)
        self._target_units = np.array([units for _, _, units in self.targets], dtype=np.int64)
        self.sentry = SENTRY.build(nato.sentry, surroundings.policy_context)
        self.moves = 0
        self._last_review: tuple[bytes, ...] = ()  # (pool, recent incursions, assignment) after the last review
        # Tabletop play: True while a team of players positions the pool; the sentry policy then stands down
        # and the pool stays where the players put it (see `move_pool_units`). Never set outside play.
        self.played = False

    @property
    def flank_regions(self) -> NDArray[np.int64]:
        """``[F]`` the eastern-flank regions the rotational pool stands over (:class:`ForcePosture`)."""
        return self.surroundings.posture.flank_regions

    @property
    def pool(self) -> NDArray[np.int64]:
        """``[E]`` units in the rotational pool, lent by member states (:class:`ForcePosture`)."""
        return self.surroundings.posture.pool

    @property
    def assignment(self) -> NDArray[np.int64]:
        """``[F, E]`` pool units standing in each flank region (:class:`ForcePosture`)."""
        return self.surroundings.posture.pool_assignment

    def gather_contributions(self) -> None:
        """Member states lend the pool what their deployment policies give (at the start)."""
        surroundings = self.surroundings
        if len(self.flank_regions) == 0:
            return
        for state in surroundings.actors.member_states:
            given = state.deployment.contribution(state.home_fire_units(), surroundings.tables)
            if given.sum() == 0:
                continue
            surroundings.posture.lend_to_pool(state.region, given)

    def review_sentry(self, day: int) -> None:
        """Reposition the pool over the flank by recent incursions (the sentry policy decides)."""
        if self.played:  # tabletop: the players position the pool
            return
        if len(self.flank_regions) == 0 or self.pool.sum() == 0:
            return
        start = max(0, day - self.sentry.lookback_days)
        recent = (
            self.surroundings.threat_picture.incursions_between(start, day)[self.flank_regions]  # (exact sums)
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
        if self.surroundings.posture.place_pool(new):
            self.moves += 1

    def move_pool_units(self, effector: int, sources: dict[int, int], target: int) -> None:
        """Move rotational-pool units between flank regions (a tabletop decision; the caller has checked them).

        Each moving unit carries up to one load of its interceptors from its region's stock, as in a review
        (:meth:`ForcePosture.move_pool_units`).
        """
        self.surroundings.posture.move_pool_units(effector, sources, target)
        self.moves += 1

    def fulfilment(self) -> float:
        """Mean over capability targets of min(1, fire units owned ÷ target); NaN without targets."""
        owned = self.surroundings.posture.owned()[self._target_regions, self._target_effectors]
        return target_fulfilment(owned, self._target_units)
