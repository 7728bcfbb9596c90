"""What agents and actions may reach of the world: a narrow, typed interface instead of the model's internals.

An agent (:mod:`sim.model.agents`) or the actions (:mod:`sim.model.actions`) get one :class:`Surroundings`
when they are built and reach the world only through it — never through ``AirDefenceModel`` itself (a test
holds them to it). Each member is the one owner of its concept:

- ``scenario``, ``tables``, ``policy_context``: the set-up facts an actor reads when it is built (its own
  section of the scenario, the index tables, what its policies are built with);
- ``posture``: where every fire unit and interceptor stands and how they move (:class:`ForcePosture`);
- ``ledger``: the books an actor writes outcomes and refusals to (:class:`Ledger`);
- ``market``: production lines to take quotes from and order from (:class:`Market`);
- ``threat_picture``: the incursions and raids seen so far (:class:`ThreatPicture`);
- ``sensors``: the drone sensors in member states' regions and the detection they give (:class:`SensorNetwork`);
- ``actors``: the other actors, by role (:class:`Actors`): who to pay, to pool with, to deliver to.

What an actor may *not* reach: the day loop, the random streams (the adversary gets its two at construction,
nothing else draws), the scheduled events, the compiled night's constants and caches. The day comes as an
argument of every decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sim.model.ledger import Ledger
from sim.model.market import Market
from sim.model.policies.context import PolicyContext
from sim.model.posture import ForcePosture
from sim.model.sensors import SensorNetwork
from sim.model.tables import UKRAINE, Tables
from sim.model.threat_picture import ThreatPicture
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    from sim.model.agents.adversary import AdversaryAgent
    from sim.model.agents.eu import EUAgent
    from sim.model.agents.member_state import MemberStateAgent
    from sim.model.agents.nato import NATOAgent
    from sim.model.agents.supplier import SupplierAgent
    from sim.model.agents.ukraine import UkraineAgent


class Actors:
    """The actors of one model by role, filled once by the model after it has built them all (:meth:`enrol`).

    Attributes:
        eu: The EU.
        nato: NATO.
        ukraine: Ukraine.
        adversary: The adversary.
    """

    eu: EUAgent
    nato: NATOAgent
    ukraine: UkraineAgent
    adversary: AdversaryAgent

    def __init__(self) -> None:
        self._member_states: dict[str, MemberStateAgent] = {}
        self._suppliers: dict[str, SupplierAgent] = {}

    def enrol(
        self,
        *,
        eu: EUAgent,
        nato: NATOAgent,
        ukraine: UkraineAgent,
        adversary: AdversaryAgent,
        member_states: Iterable[MemberStateAgent],
        suppliers: Iterable[SupplierAgent],
    ) -> None:
        """Enter every actor (once, when the model has built them; an agent's constructor reaches no other)."""
        self.eu, self.nato, self.ukraine, self.adversary = eu, nato, ukraine, adversary
        self._member_states = {state.code: state for state in member_states}
        self._suppliers = {supplier.name: supplier for supplier in suppliers}

    @property
    def member_states(self) -> list[MemberStateAgent]:
        """Member-state agents in scenario order."""
        return list(self._member_states.values())

    def member_state(self, code: str) -> MemberStateAgent:
        """The agent of a member state (``KeyError`` for a code that is not one: check :meth:`is_member_state`)."""
        return self._member_states[code]

    def is_member_state(self, code: str) -> bool:
        """Whether ``code`` names a member state of the scenario."""
        return code in self._member_states

    def supplier(self, name: str) -> SupplierAgent | None:
        """The supplier of that name, or None if the scenario has none."""
        return self._suppliers.get(name)

    @property
    def suppliers(self) -> list[SupplierAgent]:
        """Supplier agents in scenario order."""
        return list(self._suppliers.values())

    def deliver(self, recipient: str, item: str, units: int) -> None:
        """Hand delivered units to Ukraine (its depot) or a member state (its home)."""
        if recipient == UKRAINE:
            self.ukraine.receive(item, units)
        else:
            self._member_states[recipient].receive(item, units)


@dataclass(frozen=True)
class Surroundings:
    """Everything an agent or the actions may reach of the world (see the module docstring)."""

    scenario: Scenario
    tables: Tables
    policy_context: PolicyContext
    posture: ForcePosture
    ledger: Ledger
    market: Market
    threat_picture: ThreatPicture
    actors: Actors
    sensors: SensorNetwork
