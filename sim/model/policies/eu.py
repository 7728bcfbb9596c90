"""The EU's slot: whether and how it runs joint procurement rounds, and the discount they earn."""

from __future__ import annotations

import math
from typing import Protocol

from sim.model.policies.context import Parameterless, PolicyContext
from sim.scenario.policies import JointProcurementParams


class JointRoundPolicy(Protocol):
    """What the EU asks of its joint-procurement policy."""

    round_interval_days: int
    """Days between joint rounds (0: no joint rounds)."""

    def discount(self, pooled_units: int, reference_units: int) -> float:
        """Price reduction for a pooled order of ``pooled_units`` (0 up to one typical national order)."""
        ...


class JointProcurementPolicy:
    """Pool member orders into rounds every ``round_interval_days``; the unit price falls by
    ``discount_per_doubling`` for each doubling of the pooled volume above a typical national order,
    down to ``max_discount``."""

    name = "joint_procurement"

    def __init__(self, params: JointProcurementParams, context: PolicyContext | None = None) -> None:
        self.params = params
        self.round_interval_days = params.round_interval_days.as_int()

    def discount(self, pooled_units: int, reference_units: int) -> float:
        """Price reduction for a pooled order (0 up to one reference order)."""
        if pooled_units <= reference_units or reference_units <= 0:
            return 0.0
        doublings = math.log2(pooled_units / reference_units)
        return min(self.params.max_discount.value, self.params.discount_per_doubling.value * doublings)


class NoJointProcurementPolicy(Parameterless):
    """No joint rounds: every order is national."""

    name = "no_joint_procurement"
    round_interval_days = 0

    def discount(self, pooled_units: int, reference_units: int) -> float:
        """No discount."""
        return 0.0
