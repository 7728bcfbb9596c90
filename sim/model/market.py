"""The procurement pipeline: budget line → order (national, SAFE-funded, EU-joint, backfill, aid) → a queue at a
supplier's production line → delivery into the buyer's inventory.

**Who may buy what** (:class:`MarketAccess`, the one place these rules live). Each pot of money reaches some
production lines:

- *national* money (member states' budgets, bilateral aid to Ukraine, backfill): every line;
- *SAFE* loans: products within the cap on non-EU content (public-figures#43), and under European preference
  only European suppliers (EU/EEA/Ukraine: the supplier's ``european`` flag);
- *EU joint rounds* and EU aid funds: any line, or under European preference European suppliers with products
  within the non-EU content cap (public-figures#44);
- *US* money (PURL, FMS: allies paying for US equipment): US suppliers only.

**Queues.** Orders wait at a line in order of arrival. Priority orders (NATO backfill of what a donor gave
Ukraine; an aid fund marked ``priority``) go ahead of every waiting order and take over units in production
for other customers (see :meth:`ProductionLine.enqueue`) — as the US did in July 2025, when Switzerland's
Patriot production batches were moved back for states supplying Ukraine. Aid orders are not priority unless
their fund says so: they wait in line like any customer. What was already due at the start comes from each
product's ``pipeline`` (orders signed before the start, in production with their due days) and its
``backlog_units`` (orders from others, waiting).

:class:`Budget` holds a member state's money: a yearly air-defence budget (unspent money carries over)
and a SAFE loan drawn at most a fifth of its allocation a year (SAFE runs to 2030). :class:`Market`
holds every production line, gives quotes, places orders and routes deliveries. Money is committed when
an order is placed: an order is only placed if the buyer can pay for it, so spending never exceeds what
was available.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sim.model.industry import EXTERNAL_BUYER, Delivery, Order, ProductionLine
from sim.model.ledger import Ledger
from sim.model.policies.procurement import Quote
from sim.model.tables import UKRAINE
from sim.scenario.actors import EU, AidFunding
from sim.scenario.model import Scenario

PIPELINE = "pipeline"
"""Channel of the orders signed before the start (a product's ``pipeline``): not booked as spend; a scenario
buyer's units count as ordered on day 0 (:meth:`Ledger.record_order_before_start`), so that every unit delivered
was ordered."""
SAFE_YEARS = 5
"""SAFE loans are drawn over this many years (2026–2030), so at most 1/5 of an allocation a year."""


@dataclass
class Budget:
    """A member state's money for air-defence procurement, EUR."""

    yearly_eur: float
    growth_per_year: float
    safe_allocation_eur: float
    available_eur: float = 0.0
    safe_available_eur: float = 0.0
    spent_eur: float = 0.0
    safe_drawn_eur: float = 0.0
    year: int = -1

    def start_year(self, year: int) -> None:
        """Add a new year's budget and SAFE drawing right (both carry over when unspent)."""
        if year <= self.year:
            return
        self.year = year
        self.available_eur += self.yearly_eur * (1.0 + self.growth_per_year) ** year
        drawable = self.safe_allocation_eur - self.safe_drawn_eur - self.safe_available_eur
        self.safe_available_eur += min(self.safe_allocation_eur / SAFE_YEARS, max(drawable, 0.0))

    def set_yearly(self, yearly_eur: float, remaining_share_of_year: float) -> None:
        """A new yearly budget; the rest of this year changes pro rata."""
        self.available_eur = max(0.0, self.available_eur + (yearly_eur - self.yearly_eur) * remaining_share_of_year)
        self.yearly_eur = yearly_eur

    def pay(self, amount_eur: float, *, safe: bool = False) -> None:
        """Commit money (the caller has checked it is there)."""
        if safe:
            self.safe_available_eur -= amount_eur
            self.safe_drawn_eur += amount_eur
        else:
            self.available_eur -= amount_eur
        self.spent_eur += amount_eur


US_COUNTRY = "US"
"""The country code of the suppliers US-funded money (PURL, FMS) buys from."""


@dataclass(frozen=True)
class MarketAccess:
    """Which production lines each pot of money may buy from (the rules in the module docstring)."""

    european_preference: bool
    non_eu_component_cap: float

    @classmethod
    def of(cls, eu: EU) -> MarketAccess:
        """The rules a scenario's EU section sets."""
        return cls(eu.european_preference, eu.non_eu_component_cap.value)

    def national(self, line: ProductionLine) -> bool:
        """Whether national money may buy from the line: every line not reserved for other money."""
        return line.reserved_for in (None, AidFunding.NATIONAL)

    def within_content_cap(self, line: ProductionLine) -> bool:
        """Whether the product's non-EU content is within the cap."""
        return line.eu_content_share >= 1.0 - self.non_eu_component_cap

    def european(self, line: ProductionLine) -> bool:
        """Whether the line passes European preference: a European supplier, a product within the content cap."""
        return line.european and self.within_content_cap(line)

    def safe(self, line: ProductionLine) -> bool:
        """Whether SAFE loans may pay for the line's product."""
        return (
            line.reserved_for is None
            and self.within_content_cap(line)
            and (line.european or not self.european_preference)
        )

    def eu(self, line: ProductionLine) -> bool:
        """Whether EU money (joint rounds, EU aid funds) may buy from the line."""
        return line.reserved_for in (None, AidFunding.EU) and (self.european(line) or not self.european_preference)

    def us(self, line: ProductionLine) -> bool:
        """Whether US-funded money (PURL, FMS) may buy from the line."""
        return line.reserved_for in (None, AidFunding.US) and line.country == US_COUNTRY

    def rule(self, funding: AidFunding) -> Callable[[ProductionLine], bool]:
        """The line filter of a kind of money."""
        return {AidFunding.NATIONAL: self.national, AidFunding.EU: self.eu, AidFunding.US: self.us}[funding]


class Market:
    """Every production line of every supplier; quotes, orders and deliveries."""

    def __init__(self, scenario: Scenario, ledger: Ledger) -> None:
        self.ledger = ledger
        self.access = MarketAccess.of(scenario.actors.eu)
        self.lines: dict[tuple[str, str], ProductionLine] = {}
        self.lines_by_item: defaultdict[str, list[ProductionLine]] = defaultdict(list)
        self.on_order: defaultdict[str, defaultdict[str, int]] = defaultdict(lambda: defaultdict(int))
        self._order_ids = itertools.count(1)
        catalog = scenario.catalog
        for supplier in scenario.industry.suppliers:
            for product in supplier.products:
                if product.unit_price_eur is not None:
                    price = product.unit_price_eur.value
                elif product.item in catalog.interceptors:
                    price = catalog.interceptors[product.item].unit_cost_eur.value
                elif product.item in catalog.sensors:
                    price = catalog.sensors[product.item].unit_cost_eur.value
                else:
                    price = catalog.effectors[product.item].fire_unit_cost_meur.value * 1e6
                line = ProductionLine(
                    supplier=supplier.name,
                    item=product.item,
                    capacity_per_month=product.capacity_per_month.value,
                    lead_time_days=product.lead_time_days.as_int(),
                    unit_price_eur=price,
                    eu_content_share=product.eu_content_share.value,
                    european=supplier.european,
                    reference_order_units=product.reference_order_units.as_int(),
                    country=supplier.country,
                    reserved_for=supplier.reserved_for,
                )
                for delivery in product.pipeline:
                    order = self._new_order(delivery.buyer, line, delivery.units.as_int(), price, PIPELINE, 0)
                    line.start_pipeline(order, delivery.first_day.as_int(), delivery.last_day.as_int())
                    if delivery.buyer != EXTERNAL_BUYER:
                        self.on_order[delivery.buyer][product.item] += order.quantity
                        ledger.record_order_before_start(product.item, order.quantity)
                backlog = product.backlog_units.as_int()
                if backlog:
                    order = self._new_order(EXTERNAL_BUYER, line, backlog, price, "external", 0)
                    if product.pipeline:
                        line.enqueue(order)
                    else:
                        line.start_in_steady_state(order)
                self.lines[(supplier.name, product.item)] = line
                self.lines_by_item[product.item].append(line)
        self._line_list = list(self.lines.values())  # (the lines in the order of ``lines``)

    def _new_order(
        self,
        buyer: str,
        line: ProductionLine,
        units: int,
        unit_price: float,
        channel: str,
        day: int,
        priority: bool = False,
    ) -> Order:
        return Order(
            order_id=next(self._order_ids),
            buyer=buyer,
            item=line.item,
            supplier=line.supplier,
            quantity=units,
            unit_price_eur=unit_price,
            channel=channel,
            day_placed=day,
            priority=priority,
        )

    def quotes(
        self, item: str, units: int, *, eligible: Callable[[ProductionLine], bool] | None = None, priority: bool = False
    ) -> list[Quote]:
        """Quotes of every line making ``item`` that passes ``eligible`` (default: what national money may buy,
        :meth:`MarketAccess.national`) and has capacity."""
        if eligible is None:
            eligible = self.access.national
        quotes = []
        for line in self.lines_by_item.get(item, ()):
            if not eligible(line):
                continue
            lead_time = line.quote_lead_time_days(units, priority)
            if lead_time == float("inf"):
                continue
            quotes.append(
                Quote(line.supplier, item, line.unit_price_eur, lead_time, line.european, line.eu_content_share)
            )
        return quotes

    def line(self, supplier: str, item: str) -> ProductionLine:
        """The production line of an item at a supplier."""
        return self.lines[(supplier, item)]

    def lines_of(self, supplier: str) -> Iterable[ProductionLine]:
        """Every line of a supplier."""
        return (line for (name, _), line in self.lines.items() if name == supplier)

    def place(
        self,
        buyer: str,
        supplier: str,
        item: str,
        units: int,
        unit_price_eur: float,
        channel: str,
        day: int,
        *,
        priority: bool = False,
    ) -> Order:
        """Place a paid order (the buyer has already paid) and book it."""
        line = self.lines[(supplier, item)]
        order = self._new_order(buyer, line, units, unit_price_eur, channel, day, priority)
        line.enqueue(order)
        self.on_order[buyer][item] += units
        self.ledger.record_order(item, units, units * unit_price_eur, channel, supplier)
        return order

    def book_spend(self, item: str, cost_eur: float, channel: str, supplier: str) -> None:
        """Book money spent on an order by a third party (EDIP co-financing) without units."""
        self.ledger.procurement_spend_eur[channel] += cost_eur
        self.ledger.procurement_spend_by_supplier_eur[supplier] += cost_eur
        self.ledger.add_today("procurement_spend_meur", cost_eur / 1e6)

    def produce(self, day: int) -> list[Delivery]:
        """Run every line for a day; return the deliveries to buyers in the scenario (booked in the ledger)."""
        delivered: list[Delivery] = []
        on_order = self.on_order
        record_delivery = self.ledger.record_delivery
        for line in self._line_list:
            if line.next_busy_day > day:
                continue
            for delivery in line.produce(day):
                order = delivery.order
                if order.buyer != EXTERNAL_BUYER:
                    on_order[order.buyer][order.item] -= delivery.units
                    wait = None if order.channel == PIPELINE else day - order.day_placed
                    record_delivery(order.item, delivery.units, wait, to_ukraine=order.buyer == UKRAINE)
                    delivered.append(delivery)
        return delivered
