"""Decision policies as the scenario names them: which rule an actor follows, with its parameters.

Each policy is chosen in YAML by ``name`` with its ``params``; the name selects the parameter model below,
so a misspelt parameter or an unknown policy is a validation error that points at the file, and the JSON
Schema offers completion. The model layer (``sim.model.policies``) implements each name; a test checks the
two lists agree. A policy never reads the YAML itself: it receives these typed parameters.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictBool

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import (
    Days,
    Dispersion,
    Duration,
    FireUnits,
    Fraction,
    GrowthRate,
    Months,
    Multiplier,
    PerFireUnit,
    PositiveDays,
    PositiveMultiplier,
    Probability,
    Rate,
    param,
)

# --- adversary -------------------------------------------------------------------------------------------


class NightlyRaidParams(Frozen):
    """Nightly drone raids with a trend and surge nights, plus occasional missile strikes."""

    drones_per_night: Rate = Field(description="Mean drones launched at Ukraine on an ordinary night.")
    trend_per_month: GrowthRate = Field(default=param(0), description="Relative change of the mean every 30 days.")
    dispersion: Dispersion = Field(
        default=param(4), description="Negative-binomial shape of the nightly count (smaller = burstier)."
    )
    surge_probability: Probability = Field(default=param(0), description="Chance that a night is a surge night.")
    surge_multiplier: PositiveMultiplier = Field(
        default=param(1), description="Mean drones on a surge night ÷ ordinary mean."
    )
    drone_mix: dict[str, Probability] = Field(description="Share of each drone/decoy threat; sums to 1.")
    missile_strike_probability: Probability = Field(default=param(0), description="Chance of a missile strike a night.")
    missiles_per_strike: Rate = Field(default=param(0), description="Mean missiles in a strike.")
    missile_mix: dict[str, Probability] = Field(default_factory=dict, description="Share of each missile; sums to 1.")


class NightlyRaids(Frozen):
    name: Literal["nightly_raids"] = "nightly_raids"
    params: NightlyRaidParams


class NoRaids(Frozen):
    name: Literal["no_raids"] = "no_raids"


class AdaptiveRaidParams(NightlyRaidParams):
    """The nightly raids' plan, adjusted every review to what got through (see ``sim policies``).

    Success is the share of the threats launched at Ukraine since the last review that got through. Each shift
    has a level that steps up by its step at a review where success is below its floor and back down by the
    step where it is at or above, between 0 and its maximum.
    """

    review_days: PositiveDays = Field(default=param(7), description="Days between reviews of the raids' success.")
    drone_success_floor: Probability = Field(
        default=param(0.1), description="Below this share of attack drones getting through, more decoys fly."
    )
    decoys_per_drone_step: Multiplier = Field(
        default=param(0.25), description="Decoys added per attack drone in a raid, per review below the floor."
    )
    max_decoys_per_drone: Multiplier = Field(default=param(1), description="Most decoys added per attack drone.")
    missile_success_floor: Probability = Field(
        default=param(0.3),
        description="Below this share of cruise missiles getting through, ballistic ones replace them.",
    )
    ballistic_shift_step: Fraction = Field(
        default=param(0.1),
        description="Share of cruise missiles replaced by ballistic ones, per review below the floor.",
    )
    max_ballistic_shift: Fraction = Field(default=param(0.5), description="Most cruise missiles replaced.")
    saturation_floor: Probability = Field(
        default=param(0.1),
        description="Below this share of all threats getting through, drones mass on the region where most did.",
    )
    saturation_step: Fraction = Field(
        default=param(0.1), description="Share of the other regions' drones moved to that region, per review below."
    )
    max_saturation: Fraction = Field(default=param(0.5), description="Most of the other regions' drones moved.")


class AdaptiveRaids(Frozen):
    name: Literal["adaptive_raids"] = "adaptive_raids"
    params: AdaptiveRaidParams


RaidPolicy = Annotated[NightlyRaids | AdaptiveRaids | NoRaids, Field(discriminator="name")]


class BorderIncursionParams(Frozen):
    """Drone incursions into NATO airspace: a Poisson process per border state."""

    incursions_per_month: dict[str, Rate] = Field(description="Mean incursions per 30 days, by state code.")
    drones_per_incursion: Rate = Field(description="Mean drones in one incursion.")
    drone_mix: dict[str, Probability] = Field(description="Share of each drone/decoy threat; sums to 1.")


class BorderIncursions(Frozen):
    name: Literal["border_incursions"] = "border_incursions"
    params: BorderIncursionParams


class NoIncursions(Frozen):
    name: Literal["no_incursions"] = "no_incursions"


IncursionPolicy = Annotated[BorderIncursions | NoIncursions, Field(discriminator="name")]

# --- member states ---------------------------------------------------------------------------------------


class StockCoverParams(Frozen):
    """Keep interceptor stocks at a number of full reloads, meet NATO targets, answer incursions."""

    magazine_reloads: Multiplier = Field(
        default=param(2),
        description="Target stock of each interceptor, in full reloads of the fire units firing it.",
    )
    joint_procurement_share: Fraction = Field(
        default=param(0.0), description="Share of orders placed through EU joint procurement rounds."
    )
    counter_drone_effector: str | None = Field(
        default=None, description="Effector bought in answer to incursions (cheap counter-drone layer)."
    )
    counter_drone_units_per_incursion: FireUnits = Field(
        default=param(0), description="Fire units of it ordered per incursion into the state's airspace."
    )
    max_lead_time_days: Duration = Field(
        default=param(1500), description="Suppliers quoting longer lead times than this are not used."
    )
    choose_supplier_by: Literal["price", "lead_time"] = Field(
        default="lead_time", description="Cheapest quote first, or fastest delivery first."
    )
    sensor_shares: dict[str, Fraction] = Field(
        default_factory=dict,
        description="How the state's sensor money is split over sensor types (sums to 1); empty: all of it on "
        "the sensor that adds the most coverage per euro.",
    )


class StockCover(Frozen):
    name: Literal["stock_cover"] = "stock_cover"
    params: StockCoverParams = Field(default_factory=StockCoverParams)


class NoProcurement(Frozen):
    name: Literal["no_procurement"] = "no_procurement"


ProcurementPolicy = Annotated[StockCover | NoProcurement, Field(discriminator="name")]


class HomeDefence(Frozen):
    """All fire units defend the home region."""

    name: Literal["home_defence"] = "home_defence"


class FlankContributionParams(Frozen):
    share: Fraction = Field(description="Share of the listed effectors' fire units given to NATO's rotational pool.")
    effectors: list[str] = Field(description="Effectors contributed.")


class FlankContribution(Frozen):
    """A share of fire units goes to NATO's rotational pool on the eastern flank (Eastern Sentry)."""

    name: Literal["flank_contribution"] = "flank_contribution"
    params: FlankContributionParams


DeploymentPolicy = Annotated[HomeDefence | FlankContribution, Field(discriminator="name")]


class NoDonation(Frozen):
    name: Literal["no_donation"] = "no_donation"


class SurplusDonationParams(Frozen):
    effector: str = Field(description="Effector donated.")
    keep_at_least: FireUnits = Field(description="Fire units the donor keeps at home whatever Ukraine asks.")
    max_per_year: FireUnits = Field(description="Fire units donated at most in 365 days.")
    interceptors_per_unit: PerFireUnit = Field(
        default=param(0), description="Interceptors sent with each donated unit."
    )
    with_backfill: StrictBool = Field(default=True, description="Order a replacement for every unit given.")


class SurplusDonation(Frozen):
    """Donate fire units above a floor when Ukraine reports empty magazines, with backfill orders."""

    name: Literal["surplus_donation"] = "surplus_donation"
    params: SurplusDonationParams


DonationPolicy = Annotated[NoDonation | SurplusDonation, Field(discriminator="name")]

# --- EU, NATO, Ukraine, industry -------------------------------------------------------------------------


class JointProcurementParams(Frozen):
    round_interval_days: PositiveDays = Field(default=param(90), description="Days between joint procurement rounds.")
    discount_per_doubling: Fraction = Field(
        default=param(0.05), description="Unit price falls by this share each time pooled volume doubles."
    )
    max_discount: Fraction = Field(default=param(0.2), description="Largest volume discount.")


class JointProcurement(Frozen):
    """The EU pools member orders into rounds; price falls with pooled volume."""

    name: Literal["joint_procurement"] = "joint_procurement"
    params: JointProcurementParams = Field(default_factory=JointProcurementParams)


class NoJointProcurement(Frozen):
    name: Literal["no_joint_procurement"] = "no_joint_procurement"


EUPolicy = Annotated[JointProcurement | NoJointProcurement, Field(discriminator="name")]


class ThreatWeightedSentryParams(Frozen):
    lookback_days: PositiveDays = Field(default=param(14), description="Incursions counted over this many days.")
    review_days: PositiveDays = Field(default=param(7), description="Days between repositioning decisions.")


class ThreatWeightedSentry(Frozen):
    """Move the rotational pool to the flank states with the most recent incursions."""

    name: Literal["threat_weighted_sentry"] = "threat_weighted_sentry"
    params: ThreatWeightedSentryParams = Field(default_factory=ThreatWeightedSentryParams)


class StaticSentry(Frozen):
    """Keep the rotational pool where it was first placed (evenly over the flank)."""

    name: Literal["static_sentry"] = "static_sentry"


SentryPolicy = Annotated[ThreatWeightedSentry | StaticSentry, Field(discriminator="name")]


class ThreatWeightedAllocationParams(Frozen):
    lookback_days: PositiveDays = Field(default=param(14), description="Raids counted over this many days.")
    floor_share: Fraction = Field(default=param(0.05), description="Smallest share of stock any region keeps.")


class ThreatWeightedAllocation(Frozen):
    """Split interceptors and movable fire units over regions by recent raid pressure (weekly)."""

    name: Literal["threat_weighted"] = "threat_weighted"
    params: ThreatWeightedAllocationParams = Field(default_factory=ThreatWeightedAllocationParams)


class StaticAllocation(Frozen):
    """Split by each region's fixed `raid_share`."""

    name: Literal["static"] = "static"


AllocationPolicy = Annotated[ThreatWeightedAllocation | StaticAllocation, Field(discriminator="name")]


class BacklogExpansionParams(Frozen):
    backlog_months_trigger: Months = Field(
        default=param(12), description="Invest when the queue exceeds this many months of output."
    )
    expansion_share: Fraction = Field(default=param(0.25), description="Capacity added by one investment, as a share.")
    delay_days: Days = Field(default=param(365), description="Days from the decision until the new capacity produces.")


class BacklogExpansion(Frozen):
    """A supplier invests in capacity when its order book runs long."""

    name: Literal["backlog_expansion"] = "backlog_expansion"
    params: BacklogExpansionParams = Field(default_factory=BacklogExpansionParams)


class FixedCapacity(Frozen):
    name: Literal["fixed_capacity"] = "fixed_capacity"


SupplierPolicy = Annotated[BacklogExpansion | FixedCapacity, Field(discriminator="name")]

POLICY_UNIONS: dict[str, object] = {
    "raids": RaidPolicy,
    "incursions": IncursionPolicy,
    "procurement": ProcurementPolicy,
    "deployment": DeploymentPolicy,
    "donation": DonationPolicy,
    "eu": EUPolicy,
    "sentry": SentryPolicy,
    "allocation": AllocationPolicy,
    "supplier": SupplierPolicy,
}
"""Each decision slot and the policies that can fill it (documentation and registry checks read this)."""
