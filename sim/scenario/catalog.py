"""The catalog: the kinds of threats, interceptors (munitions) and effectors (fire units) a scenario knows.

A *threat* is what the adversary launches (a Shahed, a Gerbera decoy, a cruise or ballistic missile).
An *interceptor* is a munition that is bought, stocked and fired (PAC-3 MSE, IRIS-T, an interceptor drone,
a burst of 35 mm). An *effector* is a fire unit type (a Patriot battery, an IRIS-T SLM fire unit, a Gepard,
a fighter QRA pair, an EW jammer) that stands in a region, engages a number of targets a night through its
fire channels and fires one kind of interceptor (or none, for EW). A *sensor* (an acoustic node, a drone
radar, an airborne early-warning aircraft) engages nothing: a member state buys it to watch its border, and
the coverage it adds raises the chance that drones entering the state's airspace are detected in time to be
engaged (:mod:`sim.model.sensors`). Kill probabilities are single-shot and
belong to the effector (the pair of launcher and munition), per threat; a threat an effector has no kill
probability for is not engaged by it at all.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt

from sim.scenario.parameters import (
    Bounds,
    DistanceKm,
    MoneyMeur,
    PerFireUnit,
    PositivePerFireUnit,
    PositivePriceEur,
    PriceEur,
    Probability,
    param,
)
from sim.scenario.text import Name, Text


class Frozen(BaseModel):
    """Base of every scenario model: immutable and strict about unknown keys."""

    model_config = ConfigDict(frozen=True, extra="forbid", validate_default=True)


class ThreatKind(StrEnum):
    """What a threat is; decides which metrics it counts towards."""

    DRONE = "drone"
    DECOY = "decoy"
    CRUISE_MISSILE = "cruise_missile"
    BALLISTIC_MISSILE = "ballistic_missile"


class Layer(StrEnum):
    """Defence layers in the order threats meet them (cheapest first)."""

    EW = "ew"
    GUN = "gun"
    INTERCEPTOR_DRONE = "interceptor_drone"
    FIGHTER = "fighter"
    SHORT_RANGE = "short_range"
    MEDIUM_RANGE = "medium_range"
    LONG_RANGE = "long_range"


MAX_PRIORITY = Bounds("engagement priority", None, 1_000, "is more ranks than threat types a scenario has", whole=True)
"""Largest engagement priority (lower is served first)."""

LAYER_ORDER: tuple[Layer, ...] = tuple(Layer)
"""Order in which a night's threats meet the layers."""


class ThreatType(Frozen):
    """A kind of threat the adversary launches."""

    kind: ThreatKind
    unit_cost_eur: PriceEur = Field(description="What one costs the adversary, EUR.")
    damage_fraction: Probability = Field(description="Share of a hit site's value one leaker destroys (0 for decoys).")
    engagement_priority: Annotated[StrictInt, MAX_PRIORITY] | None = Field(
        default=None,
        ge=0,
        description="Order in which a layer that cannot engage everything serves threat types (lower first); "
        "default: missiles 0, drones and decoys 1 (missiles first).",
    )
    description: Text = ""

    @property
    def priority(self) -> int:
        """The engagement priority, defaulting by kind: missiles before drones and decoys."""
        if self.engagement_priority is not None:
            return self.engagement_priority
        return 0 if self.kind in (ThreatKind.CRUISE_MISSILE, ThreatKind.BALLISTIC_MISSILE) else 1


class InterceptorType(Frozen):
    """A munition that is bought, stocked per region and fired."""

    unit_cost_eur: PositivePriceEur = Field(description="Price of one round/missile/drone, EUR.")
    description: Text = ""


class EffectorType(Frozen):
    """A fire unit type that stands in a region and engages threats."""

    layer: Layer
    interceptor: str | None = Field(
        default=None, description="Name of the interceptor it fires; none for EW (no munitions)."
    )
    kill_probability: dict[str, Probability] = Field(
        description="Single-shot kill probability per threat name; threats not listed are not engaged."
    )
    engagements_per_night: PositivePerFireUnit = Field(
        description="Targets one fire unit can engage in a night (fire channels × engagement cycles)."
    )
    ready_rounds: PerFireUnit | None = Field(
        default=None,
        description="Rounds one fire unit can fire in a night before reloading (launchers × missiles each); "
        "none = limited only by the region's stock.",
    )
    shots_per_target: PositivePerFireUnit = Field(default=param(1), description="Shots fired at each engaged target.")
    shoot_look_shoot: StrictBool = Field(
        default=False, description="Fire one shot at a time and look before the next (else a salvo)."
    )
    reserve_rounds_per_unit: PerFireUnit = Field(
        default=param(0),
        description="Rounds each fire unit holds back for its top-priority threats (missiles): it does not fire at "
        "drones or decoys when that would take the region's stock below the reserve.",
    )
    fire_unit_cost_meur: MoneyMeur = Field(description="Price of one fire unit without munitions, EUR million.")
    crewed: StrictBool = Field(
        default=False,
        description="One fire unit is a crew of people (a launch team, a MANPADS team, a mobile fire group): when "
        "its engagements a night bind, more trained crews, not more hardware, would lift them (the ledger books "
        "'crews' rather than 'fire_channels').",
    )
    range_km: DistanceKm = Field(default=param(10), description="Engagement range, km (for the map schematic).")
    description: Text = ""


class SensorType(Frozen):
    """A sensor a member state (or the EU for it) buys to detect drones entering its airspace."""

    unit_cost_eur: PositivePriceEur = Field(description="Price of one unit, installed, EUR.")
    coverage_km: DistanceKm = Field(
        description="Effective length of border one unit watches for small, low drones, km (its footprint across "
        "the drones' path, divided by the rows needed to track them): what it adds to the state's coverage."
    )
    description: Text = ""


class Catalog(Frozen):
    """Every threat, interceptor, effector and sensor type the scenario uses, by name."""

    threats: dict[Name, ThreatType]
    interceptors: dict[Name, InterceptorType]
    effectors: dict[Name, EffectorType]
    sensors: dict[Name, SensorType] = Field(
        default_factory=dict, description="Sensors member states can buy to raise detection (none: detection fixed)."
    )
