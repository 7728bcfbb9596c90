"""Scheduled events and injects: things that happen on a given day whatever the policies decide.

The same event kinds are what a facilitator injects during tabletop play.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import (
    MAX_HORIZON_DAYS,
    Bounds,
    Count,
    Days,
    FireUnits,
    Hours,
    MoneyMeur,
    PositiveHours,
    Rate,
    param,
)
from sim.scenario.text import Name, Text

MAX_EVENT_DAY = Bounds(
    "event day",
    None,
    MAX_HORIZON_DAYS,
    "is the last day of the longest horizon: a later event can never happen",
    whole=True,
)
"""The latest day an event can be scheduled on."""


class EventBase(Frozen):
    day: Annotated[StrictInt, MAX_EVENT_DAY] = Field(
        ge=0, description="Day of the scenario (0 = start date) it happens on; events after the horizon do not happen."
    )
    name: Name | None = Field(default=None, description="Optional name; named events merge by name in `extends`.")
    description: Text = ""
    source: Text | None = Field(default=None, description="Source id backing the event.")


class Incursion(EventBase):
    """Drones enter a member state's airspace (e.g. Poland, 9–10 Sep 2025)."""

    kind: Literal["incursion"] = "incursion"
    target: str = Field(description="State code of the airspace entered.")
    drones: Count
    threat: str = Field(default="shahed", description="Threat type of the drones.")
    airport_closure_hours: Hours | None = Field(
        default=None,
        description="Hours the state's airports close, as scripted; default: from how many intruders are detected "
        "and shot down that night (actors.nato.airport_closure).",
    )


class Raid(EventBase):
    """A set-piece raid on Ukraine on this night (record nights), as its source counts it.

    By default the scripted raid **replaces** the adversary's planned raid on Ukraine that night: the whole planned
    raid, drones and missiles, on every Ukrainian region, whatever types the event names. Its figures are the
    night's figures (a source's "805–810 drones and 13 missiles" is the night, not an addition to it). The
    replaced plan uses no stock, and the planned raids of the other nights stay as they were drawn (common random
    numbers). Planned incursions into NATO airspace that night still happen. With ``in_addition: true`` the
    scripted raid comes on top of the planned one. Several scripted raids on one night add up (the plan is
    replaced once if any of them replaces it). Either way the adversary launches no more of a type than it has in
    stock.
    """

    kind: Literal["raid"] = "raid"
    drones: Count
    missiles: Count = Field(default=param(0))
    in_addition: StrictBool = Field(
        default=False,
        description=(
            "false: the raid replaces that night's planned raid on Ukraine (drones and missiles); "
            "true: it comes on top of the planned raid."
        ),
    )


class Transfer(EventBase):
    """A donor hands fire units and/or interceptors to Ukraine or another state."""

    kind: Literal["transfer"] = "transfer"
    donor: str = Field(description="State code of the donor.")
    recipient: str = Field(default="UA", description="'UA' or a state code.")
    fire_units: dict[str, FireUnits] = Field(default_factory=dict)
    interceptors: dict[str, Count] = Field(default_factory=dict)
    backfill: StrictBool = Field(default=False, description="The donor orders replacements (US backfill).")


class BudgetChange(EventBase):
    """A state's yearly air-defence budget is set to a new value."""

    kind: Literal["budget_change"] = "budget_change"
    state: str
    air_defence_budget_meur_per_year: MoneyMeur


class SupplierDelay(EventBase):
    """A supplier stops producing for a number of days (strike, parts shortage, export hold)."""

    kind: Literal["supplier_delay"] = "supplier_delay"
    supplier: str
    days: Days


class CapacityChange(EventBase):
    """A supplier's monthly output of a product changes (a new line opens, US support shrinks)."""

    kind: Literal["capacity_change"] = "capacity_change"
    supplier: str
    item: str
    capacity_per_month: Rate


class AirportClosure(EventBase):
    """An airport closes for some hours (drone sightings)."""

    kind: Literal["airport_closure"] = "airport_closure"
    site: str
    hours: PositiveHours


class Redeployment(EventBase):
    """A state moves fire units it holds to another region (its own, a flank state's)."""

    kind: Literal["redeployment"] = "redeployment"
    owner: str
    effector: str
    fire_units: FireUnits
    region: str


class Funding(EventBase):
    """Money for Ukraine's interceptor-drone industry (Danish model)."""

    kind: Literal["funding"] = "funding"
    funder: str = Field(description="'EU' or a state code.")
    meur: MoneyMeur


Event = Annotated[
    Incursion
    | Raid
    | Transfer
    | BudgetChange
    | SupplierDelay
    | CapacityChange
    | AirportClosure
    | Redeployment
    | Funding,
    Field(discriminator="kind"),
]
