"""The actors of a scenario: EU, NATO, member states, Ukraine and the adversary, with what they hold.

Regions are where threats arrive and fire units stand. Each member state is one region (its airspace,
named by its state code); Ukraine has several named regions. Sites (airports, bases, cities, energy) sit in
regions and carry the value that leakers destroy; airports close during incursions.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, StrictBool

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import (
    Coordinate,
    Count,
    Days,
    FireUnits,
    Fraction,
    GrowthRate,
    MoneyMeur,
    PositivePriceEur,
    Probability,
    Rate,
    param,
)
from sim.scenario.policies import (
    AllocationPolicy,
    DeploymentPolicy,
    DonationPolicy,
    EUPolicy,
    HomeDefence,
    IncursionPolicy,
    JointProcurement,
    NoDonation,
    NoIncursions,
    ProcurementPolicy,
    RaidPolicy,
    SentryPolicy,
    StaticSentry,
    StockCover,
    ThreatWeightedAllocation,
)
from sim.scenario.text import Name


class SiteKind(StrEnum):
    """What a site is."""

    AIRPORT = "airport"
    AIR_BASE = "air_base"
    CITY = "city"
    ENERGY = "energy"
    PORT = "port"
    INDUSTRY = "industry"


class Site(Frozen):
    """A place in a region that leakers can hit."""

    name: Name
    kind: SiteKind
    value_meur: MoneyMeur = Field(description="Value at risk, EUR million (what a leaker's damage is a share of).")
    position_km: tuple[Coordinate, Coordinate] = Field(description="Schematic x, y position, km (for the map).")


class Holdings(Frozen):
    """Fire units and interceptors an actor holds at the start."""

    fire_units: dict[str, FireUnits] = Field(default_factory=dict, description="Fire units by effector name.")
    interceptors: dict[str, Count] = Field(default_factory=dict, description="Interceptors by interceptor name.")


class MemberStatePolicies(Frozen):
    procurement: ProcurementPolicy = Field(default_factory=StockCover)
    deployment: DeploymentPolicy = Field(default_factory=HomeDefence)
    donation: DonationPolicy = Field(default_factory=NoDonation)


class MemberState(Frozen):
    """An EU/NATO member state: its budget, what it holds, its airspace and its decision rules."""

    name: Name = Field(description="Full name, e.g. Poland.")
    air_defence_budget_meur_per_year: MoneyMeur = Field(
        description="Money for air-defence procurement per year, EUR million."
    )
    budget_growth_per_year: GrowthRate = Field(default=param(0), description="Relative budget change each year.")
    safe_loan_meur: MoneyMeur = Field(default=param(0), description="SAFE loan allocation it may draw on, EUR million.")
    detection_probability: Probability = Field(
        default=param(1.0),
        description="Chance a drone entering its airspace is detected and tracked in time to engage; "
        "undetected drones fly on unengaged (small drones at night are hard to see).",
    )
    eastern_flank: StrictBool = Field(
        default=False, description="Borders the adversary or Belarus (NATO eastern flank)."
    )
    position_km: tuple[Coordinate, Coordinate] = Field(description="Schematic x, y of the state's centre, km.")
    inventory: Holdings = Field(default_factory=Holdings)
    sites: list[Site] = Field(default_factory=list)
    policies: MemberStatePolicies = Field(default_factory=MemberStatePolicies)


class CapabilityTarget(Frozen):
    """A NATO capability target: fire units of an effector a state should hold."""

    state: str = Field(description="State code.")
    effector: str
    fire_units: FireUnits


class EU(Frozen):
    """The EU: joint procurement, SAFE loans, EDIP grants and funding of Ukraine's industry."""

    safe_loans_meur: MoneyMeur = Field(description="SAFE loan envelope, EUR million.")
    edip_grants_meur: MoneyMeur = Field(description="EDIP grant envelope, EUR million.")
    edip_cofinance_share: Fraction = Field(
        default=param(0.1),
        description="Share of a joint order's price from European suppliers that EDIP grants pay.",
    )
    non_eu_component_cap: Fraction = Field(
        default=param(0.35), description="Largest non-EU content share of a product SAFE/EDIP money may buy."
    )
    european_preference: StrictBool = Field(
        default=False, description="Joint rounds and SAFE loans buy only from European suppliers."
    )
    ukraine_industry_funding_meur_per_year: MoneyMeur = Field(
        default=param(0),
        description="Orders placed at Ukraine's industry each year (the Danish model), EUR million.",
    )
    policy: EUPolicy = Field(default_factory=JointProcurement)


class NATO(Frozen):
    """NATO: capability targets, the Eastern Sentry rotational pool, transfers with backfill."""

    capability_targets: list[CapabilityTarget] = Field(default_factory=list)
    backfill_priority: StrictBool = Field(
        default=True, description="Backfill orders for fire units given to Ukraine jump the supplier's queue."
    )
    sentry: SentryPolicy = Field(default_factory=StaticSentry)


class UkraineRegion(Frozen):
    """One of Ukraine's defended regions."""

    name: Name
    raid_share: Fraction = Field(description="Share of each night's raid aimed at this region.")
    position_km: tuple[Coordinate, Coordinate]
    sites: list[Site] = Field(default_factory=list)


class UkraineIndustry(Frozen):
    """Ukraine's interceptor-drone industry: fast and cheap, its capacity limited by funding."""

    interceptor: str = Field(description="Interceptor it produces (an interceptor drone).")
    capacity_per_month: Rate = Field(description="Interceptor drones it can make per 30 days now.")
    unit_cost_eur: PositivePriceEur = Field(description="Price of one, EUR.")
    capacity_per_meur: Rate = Field(
        description="Monthly capacity added per EUR million invested (beyond buying output)."
    )
    ramp_up_days: Days = Field(
        default=param(90), description="Days until invested capacity produces ('months, not years')."
    )
    own_funding_meur_per_year: MoneyMeur = Field(default=param(0), description="Ukraine's own spending on it.")
    investment_share: Fraction = Field(
        default=param(0.2),
        description="Share of foreign funding invested in new capacity rather than buying output.",
    )


class Ukraine(Frozen):
    """Ukraine: defends its regions under nightly raids; runs a fast domestic industry."""

    regions: list[UkraineRegion]
    inventory: Holdings = Field(default_factory=Holdings)
    military_aid_meur_per_year: MoneyMeur = Field(
        default=param(0),
        description="Foreign money spent buying interceptors for Ukraine each year (e.g. European-funded "
        "purchases of US missiles), EUR million.",
    )
    aid_priority: StrictBool = Field(
        default=True,
        description="Interceptors bought for Ukraine jump suppliers' queues (donors re-prioritise deliveries, "
        "as with Patriot missiles diverted from other customers).",
    )
    aid_shares: dict[str, Fraction] = Field(
        default_factory=dict, description="How the aid money is split over interceptors; sums to 1."
    )
    industry: UkraineIndustry
    allocation: AllocationPolicy = Field(default_factory=ThreatWeightedAllocation)


class Adversary(Frozen):
    """The adversary: raids on Ukraine and incursions into NATO airspace, limited by what it produces."""

    stock: dict[str, Count] = Field(description="Threats on hand at the start, by threat name.")
    production_per_month: dict[str, Rate] = Field(description="Threats produced per 30 days at the start.")
    production_growth_per_year: dict[str, GrowthRate] = Field(
        default_factory=dict,
        description="Relative growth of each threat's production per 365 days, compounded daily (0.2 = +20 % a year).",
    )
    raids: RaidPolicy
    incursions: IncursionPolicy = Field(default_factory=NoIncursions)


class Actors(Frozen):
    eu: EU
    nato: NATO
    member_states: dict[Name, MemberState] = Field(description="Member states by two-letter code (PL, DE, NO …).")
    ukraine: Ukraine
    adversary: Adversary
