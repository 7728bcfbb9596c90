"""The policy registry: every policy name a scenario can choose, the class that implements it, and its
documentation (``sim policies`` prints this).

Scenario files choose policies by ``name`` (validated by the discriminated unions in
``sim.scenario.policies``); the model builds them here. A test checks that the two lists agree.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from sim.model.policies import market, posture, procurement, threats
from sim.scenario.policies import POLICY_UNIONS

IMPLEMENTATIONS: dict[str, dict[str, type]] = {
    "raids": {"nightly_raids": threats.NightlyRaidsPolicy, "no_raids": threats.NoRaidsPolicy},
    "incursions": {
        "border_incursions": threats.BorderIncursionsPolicy,
        "no_incursions": threats.NoIncursionsPolicy,
    },
    "procurement": {"stock_cover": procurement.StockCoverPolicy, "no_procurement": procurement.NoProcurementPolicy},
    "deployment": {"home_defence": posture.HomeDefencePolicy, "flank_contribution": posture.FlankContributionPolicy},
    "donation": {"no_donation": posture.NoDonationPolicy, "surplus_donation": posture.SurplusDonationPolicy},
    "eu": {
        "joint_procurement": market.JointProcurementPolicy,
        "no_joint_procurement": market.NoJointProcurementPolicy,
    },
    "sentry": {
        "threat_weighted_sentry": posture.ThreatWeightedSentryPolicy,
        "static_sentry": posture.StaticSentryPolicy,
    },
    "allocation": {
        "threat_weighted": posture.ThreatWeightedAllocationPolicy,
        "static": posture.StaticAllocationPolicy,
    },
    "supplier": {"backlog_expansion": market.BacklogExpansionPolicy, "fixed_capacity": market.FixedCapacityPolicy},
}
"""Decision slot → policy name → implementing class."""

SLOT_OWNERS = {
    "raids": "adversary (actors.adversary.raids)",
    "incursions": "adversary (actors.adversary.incursions)",
    "procurement": "member state (actors.member_states.XX.policies.procurement)",
    "deployment": "member state (actors.member_states.XX.policies.deployment)",
    "donation": "member state (actors.member_states.XX.policies.donation)",
    "eu": "EU (actors.eu.policy)",
    "sentry": "NATO (actors.nato.sentry)",
    "allocation": "Ukraine (actors.ukraine.allocation)",
    "supplier": "supplier (industry.suppliers[i].policy)",
}


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
    for slot, implementations in IMPLEMENTATIONS.items():
        for name, cls in implementations.items():
            summary = " ".join((cls.__doc__ or "").split())
            model = _parameter_model(slot, name)
            parameters: tuple[PolicyParameter, ...] = ()
            if model is not None:
                parameters = tuple(
                    PolicyParameter(field_name, field.description or "", _default_text(field))
                    for field_name, field in model.model_fields.items()
                )
            yield PolicyDoc(slot, SLOT_OWNERS[slot], name, summary, parameters)
