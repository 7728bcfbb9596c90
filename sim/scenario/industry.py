"""Industry: suppliers, what they make, how fast, at what price, and what they already owe."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictBool

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import Count, Days, Fraction, PositiveCount, PriceEur, Rate, param
from sim.scenario.policies import FixedCapacity, SupplierPolicy
from sim.scenario.text import Name

EXTERNAL_BUYER = "external"
"""Buyer of orders from customers outside the scenario (the backlog at the start, pipeline entries)."""


class PipelineDelivery(Frozen):
    """Units of an order signed before the start that are already in production, with their due days."""

    buyer: str = Field(
        description="Who receives them: a member-state code, UA (Ukraine), or external (a customer outside the "
        "scenario, whose units only take their share of the line)."
    )
    units: PositiveCount = Field(description="Units due.")
    first_day: Days = Field(description="Day of the first delivery (0 = the start date).")
    last_day: Days = Field(description="Day of the last delivery; the units arrive evenly from first_day to here.")
    source: str | None = Field(default=None, description="Source id or public-figures#N of the delivery schedule.")
    note: str | None = Field(default=None, description="Free text: what order this is, or 'assumption: ...'.")


class Product(Frozen):
    """One item a supplier makes: an interceptor, an effector's fire unit or a sensor."""

    item: str = Field(description="Interceptor, effector or sensor name from the catalog.")
    capacity_per_month: Rate = Field(description="Units produced per 30 days.")
    lead_time_days: Days = Field(description="Days from the start of production of a unit to its delivery.")
    backlog_units: Count = Field(
        default=param(0),
        description="Units already on order from others at the start. Without a pipeline the line starts as if it "
        "had run for years at its capacity (the units due within one lead time are in production, the rest "
        "waits); with a pipeline the pipeline is what is in production and the whole backlog waits.",
    )
    pipeline: list[PipelineDelivery] = Field(
        default_factory=list,
        description="Deliveries already due at the start from orders signed before it, with their due days "
        "(they do not use the line's capacity: they were started before day 0).",
    )
    unit_price_eur: PriceEur | None = Field(
        default=None, description="Price per unit, EUR; default: the catalog's cost."
    )
    eu_content_share: Fraction = Field(default=param(1.0), description="Share of the product's value made in the EU.")
    reference_order_units: PositiveCount = Field(
        default=param(100),
        description="A typical single-nation order; joint-volume discounts start above it.",
    )


class Supplier(Frozen):
    name: Name
    country: Name
    european: StrictBool = Field(description="Counts as European under a European-preference rule.")
    products: list[Product]
    reserved_for: Literal["national", "eu", "us"] | None = Field(
        default=None,
        description="Sells only to money of this kind (us: stocks the US releases only for PURL packages); "
        "default: to every buyer its rules allow.",
    )
    policy: SupplierPolicy = Field(default_factory=FixedCapacity)


class Industry(Frozen):
    suppliers: list[Supplier]
