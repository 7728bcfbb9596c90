"""A supplier's slot: when it invests in production capacity."""

from __future__ import annotations

from typing import Protocol

from sim.model.industry import ProductionLine
from sim.model.policies.context import Parameterless, PolicyContext
from sim.scenario.policies import BacklogExpansionParams


class InvestmentPolicy(Protocol):
    """What a supplier asks of its investment policy."""

    def decide(self, line: ProductionLine, day: int) -> tuple[int, float] | None:
        """``(day effective, new monthly capacity)`` of an investment in ``line``, or None."""
        ...


class BacklogExpansionPolicy:
    """Invest when the order book exceeds ``backlog_months_trigger`` months of output: capacity grows by
    ``expansion_share`` after ``delay_days``; one expansion at a time."""

    name = "backlog_expansion"

    def __init__(self, params: BacklogExpansionParams, context: PolicyContext | None = None) -> None:
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


class FixedCapacityPolicy(Parameterless):
    """Never invests: a line's capacity changes only through scheduled capacity-change events."""

    name = "fixed_capacity"

    def decide(self, line: ProductionLine, day: int) -> tuple[int, float] | None:
        """Never."""
        return None
