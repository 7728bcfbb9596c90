"""What every policy is built from: its scenario parameters and the model's context.

The registry (:mod:`sim.model.policies.registry`) builds every policy the same way,
``Policy(params, context)``: ``params`` is the scenario's validated parameter model (``None`` for a policy
without parameters) and ``context`` the few facts of the model a policy may need to set itself up. A policy
never reads the YAML or the model itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from sim.model.tables import Tables


@dataclass(frozen=True)
class PolicyContext:
    """The model's facts a policy may be built with.

    Attributes:
        tables: The scenario's index tables (regions, threat types, effectors, munitions).
        raid_shares: ``[Ukrainian regions]`` each region's share of the raids on Ukraine, as the scenario
            gives them (not normalised).
    """

    tables: Tables
    raid_shares: NDArray[np.float64]


class Parameterless:
    """Base of a policy that has no parameters and needs no context: built like every other policy."""

    def __init__(self, params: None = None, context: PolicyContext | None = None) -> None:
        """Keep nothing: the policy's behaviour is fixed."""
