"""Industry: suppliers, what they make, how fast, at what price, and what they already owe."""

from __future__ import annotations

from pydantic import Field, StrictBool

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import Count, Days, Fraction, PositiveCount, PriceEur, Rate, param
from sim.scenario.policies import FixedCapacity, SupplierPolicy
from sim.scenario.text import Name


class Product(Frozen):
    """One item a supplier makes: an interceptor, an effector's fire unit or a sensor."""

    item: str = Field(description="Interceptor, effector or sensor name from the catalog.")
    capacity_per_month: Rate = Field(description="Units produced per 30 days.")
    lead_time_days: Days = Field(description="Days from the start of production of a unit to its delivery.")
    backlog_units: Count = Field(default=param(0), description="Units already on order from others at the start.")
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
    policy: SupplierPolicy = Field(default_factory=FixedCapacity)


class Industry(Frozen):
    suppliers: list[Supplier]
