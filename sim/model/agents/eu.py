"""The EU: joint procurement rounds, SAFE loans and EDIP grants within their envelopes, funding of Ukraine's
interceptor-drone industry ("Brussels facilitates, member states procure"), and the drone wall's sensors for
the eastern-flank states."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import mesa

from sim.model.policies.registry import EU
from sim.model.surroundings import Surroundings
from sim.scenario.calendar import DAYS_PER_YEAR

FLANK_SENSORS = "eu_drone_wall"
"""The procurement channel of the sensors the EU buys for the eastern-flank states."""

if TYPE_CHECKING:
    from sim.model.agents.member_state import MemberStateAgent


class EUAgent(mesa.Agent):
    """The European Union as a procurement facilitator and funder."""

    def __init__(self, model: mesa.Model, surroundings: Surroundings) -> None:
        super().__init__(model)
        self.surroundings = surroundings
        eu = surroundings.scenario.actors.eu
        self.safe_envelope_eur = eu.safe_loans_meur.value * 1e6
        self.safe_drawn_eur = 0.0
        self.edip_left_eur = eu.edip_grants_meur.value * 1e6
        self.edip_cofinance_share = eu.edip_cofinance_share.value
        self.ukraine_funding_eur_per_year = eu.ukraine_industry_funding_meur_per_year.value * 1e6
        self.flank_sensor_funding_eur_per_year = eu.flank_sensor_funding_meur_per_year.value * 1e6
        self.policy = EU.build(eu.policy, surroundings.policy_context)
        self.pool: defaultdict[str, dict[str, int]] = defaultdict(dict)  # item -> buyer -> units
        self.rounds = 0
        # Money paid to Ukraine's industry from the yearly line, by budget year (what a played EU has left).
        self.ukraine_line_paid_eur: dict[int, float] = {}
        # Tabletop play: True while a team of players decides for the EU; the automatic payments of the yearly
        # Ukraine-industry line then stop (the players fund by decision). Joint rounds keep their cadence:
        # they serve the member states' pooled orders. Never set outside play.
        self.played = False

    @property
    def joint_active(self) -> bool:
        """Whether joint rounds run at all."""
        return self.policy.round_interval_days > 0

    def safe_room_eur(self) -> float:
        """SAFE money still lendable under the EU-wide envelope."""
        return max(0.0, self.safe_envelope_eur - self.safe_drawn_eur)

    def draw_safe(self, amount_eur: float) -> None:
        """A member state draws a SAFE loan: it counts against the EU-wide envelope."""
        self.safe_drawn_eur += amount_eur

    def pool_demand(self, buyer: MemberStateAgent, item: str, units: int) -> None:
        """A member state puts units into the next joint round."""
        self.pool[item][buyer.code] = self.pool[item].get(buyer.code, 0) + units

    def run_joint_round(self, day: int) -> None:
        """Order the pooled demand: one supplier per item, a volume discount, EDIP co-financing of European
        products, each buyer paying its share as far as its budget (or SAFE) allows."""
        surroundings = self.surroundings
        market, ledger = surroundings.market, surroundings.ledger
        for item in sorted(self.pool):
            demands = self.pool[item]
            total = sum(demands.values())
            quotes = market.quotes(item, total, eligible=market.access.eu)
            if not quotes:
                for code, units in demands.items():
                    ledger.refuse(day, f"joint order of {units} {item} for {code}", "no eligible supplier")
                continue
            quote = min(quotes, key=lambda q: (q.lead_time_days, q.unit_price_eur, q.supplier))
            line = market.line(quote.supplier, item)
            price = quote.unit_price_eur * (1.0 - self.policy.discount(total, line.reference_order_units))
            european = market.access.european(line)
            grant_share = self.edip_cofinance_share if european and self.edip_left_eur > 0 else 0.0
            for code in sorted(demands):
                buyer = surroundings.actors.member_state(code)
                units = demands[code]
                buyer_price = price * (1.0 - grant_share)
                budget_units, safe_units = buyer.split_payment(buyer_price, units, market.access.safe(line))
                grant_units = budget_units + safe_units
                grant_eur = min(self.edip_left_eur, grant_units * price * grant_share)
                if grant_units == 0:
                    ledger.refuse(day, f"joint order of {units} {item} for {code}", "buyer cannot pay its share")
                    continue
                for count, safe, channel in ((budget_units, False, "eu_joint"), (safe_units, True, "safe")):
                    if count:
                        buyer.pay(count * buyer_price, safe=safe)
                        market.place(code, quote.supplier, item, count, buyer_price, channel, day)
                if grant_eur > 0:
                    self.edip_left_eur -= grant_eur
                    ledger.edip_spent_eur += grant_eur
                    market.book_spend(item, grant_eur, "edip", quote.supplier)
        self.pool.clear()
        self.rounds += 1

    def fund_ukraine_industry(self, day: int, days_covered: int) -> None:
        """Pay Ukraine's industry for ``days_covered`` days of the yearly funding line."""
        if self.played:  # tabletop: the players fund by decision
            return
        amount_eur = self.ukraine_funding_eur_per_year * days_covered / DAYS_PER_YEAR
        if amount_eur > 0:
            self.surroundings.actors.ukraine.fund(amount_eur, "EU", day)
            year = day // DAYS_PER_YEAR
            self.ukraine_line_paid_eur[year] = self.ukraine_line_paid_eur.get(year, 0.0) + amount_eur

    def fund_flank_sensors(self, day: int, days_covered: int) -> None:
        """Buy sensors for the eastern-flank states with ``days_covered`` days of the yearly drone-wall line.

        Each flank state gets a share in proportion to the border it watches; its procurement policy says which
        sensors the money buys (:meth:`MemberStateAgent.order_sensors`, channel ``eu_drone_wall``).
        """
        if self.played:  # tabletop: the players fund by decision
            return
        amount_eur = self.flank_sensor_funding_eur_per_year * days_covered / DAYS_PER_YEAR
        flank = [state for state in self.surroundings.actors.member_states if state.eastern_flank]
        if amount_eur <= 0 or not flank:
            return
        borders_km = [self.surroundings.sensors.watched_border_km[state.region] for state in flank]
        total_km = float(sum(borders_km))
        for state, border_km in zip(flank, borders_km, strict=True):
            share_eur = amount_eur * border_km / total_km
            state.order_sensors(share_eur, day, channel=FLANK_SENSORS)

    def spend_on_ukraine_industry(self, amount_eur: float, day: int) -> float:
        """Book a played EU's payment to Ukraine's industry: from this year's line first, then from EDIP grants
        (the caller has checked that both together cover it). Returns the part paid from the line."""
        from_line = min(amount_eur, self.ukraine_line_left_eur(day))
        year = day // DAYS_PER_YEAR
        self.ukraine_line_paid_eur[year] = self.ukraine_line_paid_eur.get(year, 0.0) + from_line
        self.edip_left_eur -= amount_eur - from_line
        return from_line

    def ukraine_line_left_eur(self, day: int) -> float:
        """What is left of this budget year's Ukraine-industry line (for the players' funding decisions)."""
        return max(0.0, self.ukraine_funding_eur_per_year - self.ukraine_line_paid_eur.get(day // DAYS_PER_YEAR, 0.0))
