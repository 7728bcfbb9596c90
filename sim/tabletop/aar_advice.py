"""What an after-action report advises: the core capability each outcome metric exercises, and the corrective
action, responsible actors and timeframe to recommend when the outcome falls short (:mod:`sim.tabletop.aar`
applies them).

Both tables are keyed by metric-name prefixes; the longest prefix that matches a metric wins.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CAPABILITIES",
    "DEFAULT_RECOMMENDATION",
    "RECOMMENDATIONS",
    "Finding",
    "capability_of",
    "recommendation_for",
]


@dataclass(frozen=True)
class Finding:
    """A strength or an area for improvement, tied to a capability."""

    strength: bool
    capability: str
    observation: str
    recommendation: str = ""
    responsible: str = ""
    timeframe: str = ""


CAPABILITIES: dict[str, str] = {
    "ukraine": "Air and missile defence of Ukraine",
    "nato": "Airspace protection on the eastern flank",
    "incursions": "Airspace protection on the eastern flank",
    "airport": "Critical infrastructure protection (airports)",
    "damage": "Protection of critical sites",
    "value": "Protection of critical sites",
    "capability_target": "Force posture and NATO capability targets",
    "fire_units_donated": "Support to Ukraine",
    "ukraine_industry": "Defence-industrial support to Ukraine",
    "procurement": "Procurement and the industrial base",
    "joint": "Procurement and the industrial base",
    "edip": "Procurement and the industrial base",
    "safe": "Procurement and the industrial base",
    "mean_delivery": "Procurement and the industrial base",
    "units": "Procurement and the industrial base",
    "cost_exchange": "Cost-effective air defence",
    "interceptor_spend": "Cost-effective air defence",
    "refused": "Planning and coordination",
}

RECOMMENDATIONS: dict[str, tuple[str, str, str]] = {
    # metric prefix → (recommendation, responsible, timeframe)
    "ukraine_drone": (
        "Add cheap counter-drone layers in Ukraine (interceptor drones, guns, EW) and fund Ukraine's "
        "interceptor-drone industry so that costly missiles are kept for missiles",
        "UA; EU; donor states",
        "3 months",
    ),
    "ukraine_missile": (
        "Keep Patriot/SAMP-T-class interceptors for missiles, order replacements early and coordinate donations "
        "with backfill",
        "UA; donor states; NATO",
        "6–12 months",
    ),
    "ukraine_intercept": (
        "Thicken the layered defence of the regions hit hardest and keep their magazines full",
        "UA; donor states",
        "3 months",
    ),
    "ukraine_leakers": (
        "Move fire units and interceptors to the regions where threats got through",
        "UA",
        "next decision point",
    ),
    "ukraine_empty_magazine": (
        "Order interceptors before stocks run low (lead times are long), allocate stock to the regions that ran "
        "dry, and fund interceptor-drone production",
        "UA; donor states; EU",
        "3 months",
    ),
    "nato": (
        "Put counter-drone layers (Skyranger, interceptor drones) and pool units where incursions happen, and raise "
        "detection there",
        "NATO; the flank states entered",
        "next decision point",
    ),
    "incursions": (
        "Deter and detect incursions earlier; position the rotational pool by the threat",
        "NATO; the flank states entered",
        "3 months",
    ),
    "airport": (
        "Protect airports with counter-drone systems and agree procedures that shorten closures",
        "the member states whose airports closed",
        "3 months",
    ),
    "damage": (
        "Protect the most valuable sites first and keep their defending layers supplied",
        "UA; member states",
        "3 months",
    ),
    "capability_target": (
        "Order fire units towards the NATO capability targets and backfill what is donated",
        "the member states short of their targets; NATO",
        "12 months",
    ),
    "procurement": (
        "Pool demand through EU joint procurement to shorten queues and lower prices",
        "member states; EU",
        "6 months",
    ),
    "cost_exchange": (
        "Put cheaper layers (EW, guns, interceptor drones) in front of costly missiles so that missiles are fired "
        "at missiles, and report the value protected beside the cost",
        "UA; member states",
        "6 months",
    ),
}
DEFAULT_RECOMMENDATION = ("Review the decisions that drove this outcome before the next exercise", "all players", "")


def _longest_prefix(metric: str, table: Mapping[str, Any]) -> str | None:
    matches = [prefix for prefix in table if metric.startswith(prefix)]
    return max(matches, key=len) if matches else None


def capability_of(metric: str) -> str:
    """The core capability an outcome metric measures (the longest matching prefix in :data:`CAPABILITIES`)."""
    prefix = _longest_prefix(metric, CAPABILITIES)
    return CAPABILITIES[prefix] if prefix else "Air and drone defence"


def recommendation_for(metric: str) -> tuple[str, str, str]:
    """``(recommendation, responsible actors, timeframe)`` for an outcome that fell short (the longest matching
    prefix in :data:`RECOMMENDATIONS`, else :data:`DEFAULT_RECOMMENDATION`)."""
    prefix = _longest_prefix(metric, RECOMMENDATIONS)
    return RECOMMENDATIONS[prefix] if prefix else DEFAULT_RECOMMENDATION
