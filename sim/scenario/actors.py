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
    DistanceKm,
    FireUnits,
    Fraction,
    GrowthRate,
    Hours,
    MoneyMeur,
    PositiveCount,
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
        description="Chance a drone entering its airspace is detected and tracked in time to engage, with the "
        "sensors it has at the start; sensors it buys later raise it towards NATO's detection ceiling "
        "(sim.model.sensors). Undetected drones fly on unengaged (small drones at night are hard to see).",
    )
    watched_border_km: DistanceKm = Field(
        default=param(1000),
        description="Length of border (or coast) over which drones come and sensors must watch, km: coverage is "
        "measured against it.",
    )
    sensor_budget_meur_per_year: MoneyMeur = Field(
        default=param(0),
        description="Money for drone sensors (acoustic networks, radars, early-warning aircraft) per year, "
        "EUR million (grows like the air-defence budget), spent at procurement reviews as the procurement "
        "policy's sensor_shares say.",
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
    flank_sensor_funding_meur_per_year: MoneyMeur = Field(
        default=param(0),
        description="EU money a year buying drone sensors for the eastern-flank states (the drone wall's "
        "detection layer), EUR million, shared by the length of border each watches.",
    )
    policy: EUPolicy = Field(default_factory=JointProcurement)


class AirportClosureRule(Frozen):
    """How long a state's airports close on a night drones enter its airspace, by how many got away.

    Closure hours = hours_all_defeated + (hours_none_defeated − hours_all_defeated) × share of the night's
    intruders not defeated (undetected ones count as not defeated) (sim.model.sensors.closure_hours).
    """

    hours_all_defeated: Hours = Field(
        default=param(3), description="Hours airports close when every intruder is detected and shot down."
    )
    hours_none_defeated: Hours = Field(
        default=param(8), description="Hours airports close when no intruder is shot down (tracks lost, sightings)."
    )


class NATO(Frozen):
    """NATO: capability targets, the Eastern Sentry rotational pool, transfers with backfill."""

    capability_targets: list[CapabilityTarget] = Field(default_factory=list)
    backfill_priority: StrictBool = Field(
        default=True, description="Backfill orders for fire units given to Ukraine jump the supplier's queue."
    )
    sentry: SentryPolicy = Field(default_factory=StaticSentry)
    detection_ceiling: Probability = Field(
        default=param(0.95),
        description="Detection probability a state's sensor coverage approaches without reaching it: "
        "p = p_max − (p_max − p_start)·exp(−added coverage ÷ watched border) (sim.model.sensors).",
    )
    airport_closure: AirportClosureRule = Field(default_factory=lambda: AirportClosureRule())


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
    launch_team: str | None = Field(
        default=None,
        description="Fire unit that launches its drones (an effector name, e.g. interceptor_drone_team): its "
        "funding equips and trains these teams as well as buying drones, at the effector's fire_unit_cost_meur "
        "each. None: it buys drones only.",
    )
    drones_per_launch_team_per_month: PositiveCount = Field(
        default=param(200),
        description="The launch-team rule: the industry keeps one team (standing, in the depot or in training) "
        "for every this many drones of monthly capacity (capacity already invested in included); each tranche "
        "of funding first pays for the teams missing, then invests and buys drones.",
    )
    launch_team_training_days: Days = Field(
        default=param(45),
        description="Days from paying for a launch team to its joining Ukraine's depot trained and equipped "
        "(then allocated to the regions like any fire unit).",
    )


class AidFunding(StrEnum):
    """Whose money an aid fund is, which decides which suppliers it may buy from (see :mod:`sim.model.market`)."""

    NATIONAL = "national"
    """Member states' own budgets (bilateral aid): any supplier."""
    EU = "eu"
    """EU money (European Peace Facility, Ukraine support instruments): under European preference only
    European suppliers within the non-EU content cap."""
    US = "us"
    """Allies' money for US equipment (PURL, FMS): US suppliers only."""


class AidFund(Frozen):
    """A pot of money that buys interceptors for Ukraine."""

    name: Name
    funding: AidFunding = Field(description="Whose money: national, eu or us (decides the suppliers it reaches).")
    meur_per_year: MoneyMeur = Field(description="Money spent each year, EUR million.")
    shares: dict[str, Fraction] = Field(
        description="How the money is split over interceptors; sums to 1. A share no eligible supplier makes "
        "goes to the fund's other interceptors."
    )
    priority: StrictBool = Field(
        default=False, description="Its orders jump suppliers' queues (as backfill does); otherwise they wait in line."
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
    aid_funds: list[AidFund] = Field(
        default_factory=list,
        description="Further pots of aid money, each with its own funding rule (PURL for US equipment, EU "
        "instruments under European preference), besides military_aid_meur_per_year (national money).",
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
