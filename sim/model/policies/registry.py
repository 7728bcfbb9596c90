"""The policy registry: every decision slot, the policies a scenario can choose for it, and how they are built.

A slot is one decision an actor delegates to a policy (the adversary's raids and incursions, a member state's
procurement, deployment and donation, the EU's joint rounds, NATO's sentry, Ukraine's allocation, a supplier's
investment). Each slot has a protocol (what the actor asks of the policy, in the slot's module of
:mod:`sim.model.policies`) and here a :class:`Slot`: its owner and the class behind each name. Scenario files
choose a policy by ``name`` with ``params`` (validated by the discriminated unions in ``sim.scenario.policies``,
one per slot key); an actor builds it with :meth:`Slot.build`. A test checks that the names agree with the
scenario format's; ``sim policies`` prints :func:`policy_docs`.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from sim.model.policies import allocation, deployment, donation, eu, incursions, procurement, raids, sentry, supplier
from sim.model.policies.context import PolicyContext
from sim.scenario.policies import POLICY_UNIONS


class PolicyChoice(Protocol):
    """A scenario's choice of policy for a slot: a name and, for most, ``params`` (pydantic models)."""

    @property
    def name(self) -> str:
        """The policy's registered name."""
        ...


@dataclass(frozen=True)
class Slot[PolicyT]:
    """One decision slot: its key in the scenario format, who chooses it, and the class behind each name.

    Every class is built as ``cls(params, context)`` (see :mod:`sim.model.policies.context`).
    """

    key: str
    owner: str
    implementations: Mapping[str, Callable[[Any, PolicyContext], PolicyT]]

    def build(self, choice: PolicyChoice, context: PolicyContext) -> PolicyT:
        """The policy a scenario chose for this slot, built with its parameters (None where it has none)."""
        return self.implementations[choice.name](getattr(choice, "params", None), context)


RAIDS: Slot[raids.RaidPolicy] = Slot(
    "raids",
    "adversary (actors.adversary.raids)",
    {
        "nightly_raids": raids.NightlyRaidsPolicy,
        "adaptive_raids": raids.AdaptiveRaidsPolicy,
        "no_raids": raids.NoRaidsPolicy,
    },
)
INCURSIONS: Slot[incursions.IncursionPolicy] = Slot(
    "incursions",
    "adversary (actors.adversary.incursions)",
    {"border_incursions": incursions.BorderIncursionsPolicy, "no_incursions": incursions.NoIncursionsPolicy},
)
PROCUREMENT: Slot[procurement.ProcurementPolicy] = Slot(
    "procurement",
    "member state (actors.member_states.XX.policies.procurement)",
    {"stock_cover": procurement.StockCoverPolicy, "no_procurement": procurement.NoProcurementPolicy},
)
DEPLOYMENT: Slot[deployment.DeploymentPolicy] = Slot(
    "deployment",
    "member state (actors.member_states.XX.policies.deployment)",
    {"home_defence": deployment.HomeDefencePolicy, "flank_contribution": deployment.FlankContributionPolicy},
)
DONATION: Slot[donation.DonationPolicy] = Slot(
    "donation",
    "member state (actors.member_states.XX.policies.donation)",
    {"no_donation": donation.NoDonationPolicy, "surplus_donation": donation.SurplusDonationPolicy},
)
EU: Slot[eu.JointRoundPolicy] = Slot(
    "eu",
    "EU (actors.eu.policy)",
    {"joint_procurement": eu.JointProcurementPolicy, "no_joint_procurement": eu.NoJointProcurementPolicy},
)
SENTRY: Slot[sentry.SentryPolicy] = Slot(
    "sentry",
    "NATO (actors.nato.sentry)",
    {"threat_weighted_sentry": sentry.ThreatWeightedSentryPolicy, "static_sentry": sentry.StaticSentryPolicy},
)
ALLOCATION: Slot[allocation.AllocationPolicy] = Slot(
    "allocation",
    "Ukraine (actors.ukraine.allocation)",
    {"threat_weighted": allocation.ThreatWeightedAllocationPolicy, "static": allocation.StaticAllocationPolicy},
)
SUPPLIER: Slot[supplier.InvestmentPolicy] = Slot(
    "supplier",
    "supplier (industry.suppliers[i].policy)",
    {"backlog_expansion": supplier.BacklogExpansionPolicy, "fixed_capacity": supplier.FixedCapacityPolicy},
)

SLOTS: tuple[Slot[Any], ...] = (RAIDS, INCURSIONS, PROCUREMENT, DEPLOYMENT, DONATION, EU, SENTRY, ALLOCATION, SUPPLIER)
"""Every decision slot, in the order the reference page lists them."""


@dataclass(frozen=True)
class PolicyParameter:
    """One parameter of a policy, for documentation."""

    name: str
    description: str
    default: str


@dataclass(frozen=True)
class PolicyDoc:
    """What a student needs to know about a policy."""

    slot: str
    owner: str
    name: str
    summary: str
    parameters: tuple[PolicyParameter, ...]


def scenario_policy_names() -> dict[str, list[str]]:
    """Policy names the scenario format accepts, per slot."""
    names: dict[str, list[str]] = {}
    for slot, union in POLICY_UNIONS.items():
        members = typing.get_args(typing.get_args(union)[0])
        names[slot] = [member.model_fields["name"].default for member in members]
    return names


def _parameter_model(slot: str, name: str) -> type[BaseModel] | None:
    members = typing.get_args(typing.get_args(POLICY_UNIONS[slot])[0])
    for member in members:
        if member.model_fields["name"].default == name and "params" in member.model_fields:
            annotation: Any = member.model_fields["params"].annotation
            return typing.cast(type[BaseModel], annotation)
    return None


def _default_text(field: Any) -> str:
    if field.is_required():
        return "required"
    default = field.get_default(call_default_factory=True)
    value = getattr(default, "value", default)
    return "none" if value is None else f"{value:g}" if isinstance(value, float) else str(value)


def policy_docs() -> Iterator[PolicyDoc]:
    """Documentation of every registered policy, slot by slot."""
    for slot in SLOTS:
        for name, cls in slot.implementations.items():
            summary = " ".join((cls.__doc__ or "").split())
            params_model = _parameter_model(slot.key, name)
            parameters: tuple[PolicyParameter, ...] = ()
            if params_model is not None:
                parameters = tuple(
                    PolicyParameter(field_name, field.description or "", _default_text(field))
                    for field_name, field in params_model.model_fields.items()
                )
            yield PolicyDoc(slot.key, slot.owner, name, summary, parameters)
