"""Market policies: how the EU prices joint procurement rounds and when suppliers invest in capacity."""

from __future__ import annotations

import math

from sim.model.industry import ProductionLine
from sim.scenario.policies import BacklogExpansionParams, JointProcurementParams


class JointProcurementPolicy:
    """Pool member orders into rounds every ``round_interval_days``; the unit price falls by
    ``discount_per_doubling`` for each doubling of the pooled volume above a typical national order,
    down to ``max_discount``."""

    name = "joint_procurement"

    def __init__(self, params: JointProcurementParams) -> None:
        self.params = params
        self.round_interval_days = params.round_interval_days.as_int()

    def discount(self, pooled_units: int, reference_units: int) -> float:
        """Price reduction for a pooled order (0 up to one reference order)."""
        if pooled_units <= reference_units or reference_units <= 0:
            return 0.0
        doublings = math.log2(pooled_units / reference_units)
        return min(self.params.max_discount.value, self.params.discount_per_doubling.value * doublings)


class NoJointProcurementPolicy:
    """No joint rounds: every order is national."""

    name = "no_joint_procurement"
    round_interval_days = 0

    def discount(self, pooled_units: int, reference_units: int) -> float:
        """No discount."""
        return 0.0


class BacklogExpansionPolicy:
    """Invest when the order book exceeds ``backlog_months_trigger`` months of output: capacity grows by
    ``expansion_share`` after ``delay_days``; one expansion at a time."""

    name = "backlog_expansion"

    def __init__(self, params: BacklogExpansionParams) -> None:
        self.params = params

    def decide(self, line: ProductionLine, day: int) -> tuple[int, float] | None:
        """``(day effective, new monthly capacity)`` or None."""
        if line.expansion_pending or line.capacity_per_month <= 0:
            return None
        backlog_months = line.queued_units / line.capacity_per_month
        if backlog_months <= self.params.backlog_months_trigger.value:
            return None
        new_capacity = line.capacity_per_month * (1.0 + self.params.expansion_share.value)
        return day + self.params.delay_days.as_int(), new_capacity


class FixedCapacityPolicy:
    """Never invests: a line's capacity changes only through scheduled capacity-change events."""

    name = "fixed_capacity"

    def decide(self, line: ProductionLine, day: int) -> tuple[int, float] | None:
        """Never."""
        return None
