"""A member state's deployment slot: which of its fire units it lends to NATO's rotational pool."""

from __future__ import annotations

from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from sim.model.policies.context import Parameterless, PolicyContext
from sim.model.tables import Tables
from sim.scenario.policies import FlankContributionParams


class DeploymentPolicy(Protocol):
    """What a member state asks of its deployment policy."""

    def contribution(self, fire_units: NDArray[np.int64], tables: Tables) -> NDArray[np.int64]:
        """``[E]`` units of each effector, of the ``fire_units`` the state holds at home, given to the pool."""
        ...


class HomeDefencePolicy(Parameterless):
    """All fire units defend the home region."""

    name = "home_defence"

    def contribution(self, fire_units: NDArray[np.int64], tables: Tables) -> NDArray[np.int64]:
        """Units given to NATO's rotational pool: none."""
        return np.zeros_like(fire_units)


class FlankContributionPolicy:
    """A share of the listed effectors' fire units joins NATO's rotational pool (Eastern Sentry)."""

    name = "flank_contribution"

    def __init__(self, params: FlankContributionParams, context: PolicyContext | None = None) -> None:
        self.params = params

    def contribution(self, fire_units: NDArray[np.int64], tables: Tables) -> NDArray[np.int64]:
        """Units of each effector given to the pool (rounded down)."""
        given = np.zeros_like(fire_units)
        for name in self.params.effectors:
            index = tables.effector_index(name)
            given[index] = int(np.floor(self.params.share.value * fire_units[index]))
        return given
