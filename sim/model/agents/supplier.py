"""A supplier: its production lines run daily in the market; its policy decides investment monthly."""

from __future__ import annotations

import mesa

from sim.model.policies.registry import SUPPLIER
from sim.model.surroundings import Surroundings
from sim.scenario.industry import Supplier


class SupplierAgent(mesa.Agent):
    """An industrial supplier (its production lines live in the market)."""

    def __init__(self, model: mesa.Model, surroundings: Surroundings, supplier: Supplier) -> None:
        super().__init__(model)
        self.surroundings = surroundings
        self.name = supplier.name
        self.european = supplier.european
        self.policy = SUPPLIER.build(supplier.policy, surroundings.policy_context)
        self.investments = 0

    def review(self, day: int) -> None:
        """Invest in lines whose order book runs long (the policy decides)."""
        for line in self.surroundings.market.lines_of(self.name):
            decision = self.policy.decide(line, day)
            if decision is not None:
                effective_day, capacity = decision
                line.schedule_capacity(effective_day, capacity)
                self.investments += 1

    def delay(self, day: int, days: int) -> None:
        """Stop starting new units for ``days`` from ``day`` on (a strike, a parts shortage, an export hold).

        An inject: it comes before the day's production (see :meth:`ProductionLine.pause`).
        """
        for line in self.surroundings.market.lines_of(self.name):
            line.pause(day, day + days)
