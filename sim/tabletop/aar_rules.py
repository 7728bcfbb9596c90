"""The rules of an after-action report: how an objective is rated, and which outcomes are strengths and which
areas for improvement (:mod:`sim.tabletop.aar` writes the report with them).

Ratings. With the gap ``g`` = (value − target) ÷ |target|, signed so that positive is better: **met** when
``g ≥ 0`` (HSEEP **P**, performed without challenges, when ``g ≥`` :data:`COMFORTABLE_MARGIN`; else **S**, with some
challenges); **partially met** when ``-`` :data:`PARTIAL_SHORTFALL` ``≤ g < 0`` (**M**, major challenges); **not met**
otherwise (**U**, unable to be performed). A target of 0 is met or not met.

Strengths and areas for improvement come from explicit rules (constants below), each naming the capability:

1. Each objective met with a comfortable margin is a strength; each objective not fully met is an area for
   improvement, with the recommendation and responsible actors of its metric
   (:data:`sim.tabletop.aar_advice.RECOMMENDATIONS`).
2. Each player decision that was refused is an area for improvement (planning and coordination), with a
   recommendation chosen by the reason given, the deciding actor responsible.
3. Outcomes no objective covers: Ukraine's or NATO's layers running dry, threats getting through in NATO airspace,
   airport closures, NATO capability-target fulfilment below :data:`LOW_FULFILMENT`, delivery lead times above
   :data:`SLOW_DELIVERY_DAYS` and a cost-exchange ratio above 1 are areas for improvement; joint procurement at or
   above :data:`GOOD_JOINT_SHARE` of member-state spend, fire units donated to Ukraine, Ukraine's industry output
   after players funded it, and capability-target fulfilment at or above :data:`HIGH_FULFILMENT` are strengths.
4. Findings about idle holdings (:mod:`sim.tabletop.aar_idle`) come first among the areas; objectives of an
   unfinished game that can still change are listed "not yet evaluable" and never rated.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from sim.analysis.objectives import margin
from sim.tabletop.aar_advice import Finding, capability_of, recommendation_for
from sim.tabletop.aar_idle import DEPOT_FIRST
from sim.tabletop.numbers import format_share, format_value

COMFORTABLE_MARGIN = 0.10
PARTIAL_SHORTFALL = 0.25
LOW_FULFILMENT = 0.5
HIGH_FULFILMENT = 0.9
GOOD_JOINT_SHARE = 0.25
SLOW_DELIVERY_DAYS = 365.0
NOT_EVALUATED = "not evaluated (no data)"
NOT_YET = "not yet evaluable"

HSEEP_RATINGS = {
    "P": "Performed without Challenges",
    "S": "Performed with Some Challenges",
    "M": "Performed with Major Challenges",
    "U": "Unable to be Performed",
}


def rate(value: float, threshold: float, direction: str) -> tuple[str, str, float]:
    """``(result, HSEEP rating letter, gap)`` of an objective (rules in the module docstring)."""
    if math.isnan(value):
        return NOT_EVALUATED, "–", math.nan
    better = margin(value, threshold, direction)
    if threshold == 0:
        return ("met", "P", math.inf) if better >= 0 else ("not met", "U", -math.inf)
    gap = better / abs(threshold)
    if gap >= 0:
        return "met", "P" if gap >= COMFORTABLE_MARGIN else "S", gap
    if gap >= -PARTIAL_SHORTFALL:
        return "partially met", "M", gap
    return "not met", "U", gap


def _refusal_advice(message: str) -> str:
    text = message.lower()
    if "has only" in text or "holds only" in text or "has 0" in text:
        return "Check holdings in the situation report before committing units; plan transfers within what is held"
    if "budget" in text or "afford" in text or "€" in text:
        return "Check budgets left before deciding; use SAFE loans or EU joint procurement, or phase the decision"
    if "not on it" in text or "flank" in text or "region" in text:
        return "Brief the rules of movement (the NATO pool stands on the eastern flank; states move from home)"
    if "supplier" in text or "lead time" in text:
        return "Check which suppliers make the item and their lead times before ordering"
    return "Brief the rules of this kind of decision before play"


def _family(metrics: Mapping[str, float], family: str) -> dict[str, float]:
    return {name.split(".", 1)[1]: value for name, value in metrics.items() if name.startswith(family + ".")}


def _top(values: Mapping[str, float], count: int = 3) -> str:
    ranked = sorted(((v, k) for k, v in values.items() if v > 0), reverse=True)[:count]
    return ", ".join(f"{k} ({format_value(v)})" for v, k in ranked)


def derive_findings(
    objectives: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, float],
    refused: Sequence[Mapping[str, Any]],
    funded_industry: bool,
    *,
    not_yet_evaluable: Mapping[str, str] | None = None,
    idle: Sequence[Finding] = (),
    depot_idle: bool = False,
) -> tuple[list[Finding], list[dict[str, Any]]]:
    """Strengths and areas for improvement by the module's rules; also each objective's rating.

    Args:
        objectives: The scenario's objectives (as logged).
        metrics: The outcomes (at the end, or after the last turn played).
        refused: The refused decisions (turn, actor, message).
        funded_industry: Whether players funded Ukraine's industry.
        not_yet_evaluable: Objectives of an unfinished game that are not decided yet, with their status so far;
            they are listed but never rated.
        idle: Findings about idle holdings (:func:`idle_findings`), placed first among the areas.
        depot_idle: Ukraine's depot held idle stock at the end: Ukraine's objectives then recommend allocating it
            first, and the industry's output is not counted as a strength.
    """
    findings: list[Finding] = list(idle)
    ratings: list[dict[str, Any]] = []
    covered = set()
    pending = not_yet_evaluable or {}
    for objective in objectives:
        metric = objective["metric"]
        covered.add(metric)
        value = float(metrics.get(metric, math.nan))
        capability = capability_of(metric)
        if objective["name"] in pending:
            result = f"{NOT_YET} (so far: {pending[objective['name']]})"
            ratings.append(
                {
                    **objective,
                    "value": value,
                    "result": result,
                    "rating": "–",
                    "gap": math.nan,
                    "capability": capability,
                }
            )
            continue
        result, letter, gap = rate(value, float(objective["threshold"]), objective["direction"])
        target = f"{objective['direction']} {format_value(float(objective['threshold']))}"
        ratings.append(
            {**objective, "value": value, "result": result, "rating": letter, "gap": gap, "capability": capability}
        )
        observation = f"Objective {objective['name']}: {metric} = {format_value(value)} (target {target}), {result}"
        if letter == "P":
            findings.append(Finding(True, capability, observation))
        elif letter in ("M", "U"):
            recommendation, responsible, timeframe = recommendation_for(metric)
            if depot_idle and metric.startswith("ukraine"):
                recommendation = f"{DEPOT_FIRST}; then: {recommendation[0].lower()}{recommendation[1:]}"
                responsible = f"UA team; {responsible}"
            findings.append(Finding(False, capability, observation, recommendation, responsible, timeframe))
    for entry in refused:
        findings.append(
            Finding(
                False,
                "Planning and coordination",
                f"Decision point {entry['turn']}: {entry['actor']} — {entry['message']}",
                _refusal_advice(entry["message"]),
                entry["actor"],
                "before the next exercise",
            )
        )

    def area(metric: str, observation: str) -> None:
        if metric not in covered:
            recommendation, responsible, timeframe = recommendation_for(metric)
            findings.append(Finding(False, capability_of(metric), observation, recommendation, responsible, timeframe))

    def strength(metric: str, observation: str) -> None:
        findings.append(Finding(True, capability_of(metric), observation))

    def get(name: str) -> float:
        return float(metrics.get(name, math.nan))

    empty = _family(metrics, "empty_magazine_days")
    dry = _family(metrics, "empty_magazine_days_by_interceptor")
    if get("ukraine_empty_magazine_days") > 0:
        area(
            "ukraine_empty_magazine_days",
            f"Ukraine's regions ran a layer dry on {format_value(get('ukraine_empty_magazine_days'))} region-days"
            + (f"; most in {_top(empty)}" if _top(empty) else "")
            + (f"; interceptors that ran out most: {_top(dry)}" if _top(dry) else ""),
        )
    if get("nato_empty_magazine_days") > 0:
        area(
            "nato_empty_magazine_days",
            f"NATO layers ran dry on {format_value(get('nato_empty_magazine_days'))} region-days",
        )
    if get("nato_leakers") > 0:
        nights = _top(_family(metrics, "incursion_nights"))
        rate_text = format_share(get("nato_intercept_rate"))
        area(
            "nato_leakers",
            f"{format_value(get('nato_leakers'))} threats got through in NATO airspace"
            + (f" (intercept rate {rate_text})" if rate_text != "–" else "")
            + (f"; incursion nights by state: {nights}" if nights else ""),
        )
    if get("airport_closure_hours") > 0:
        area(
            "airport_closure_hours",
            f"Airports were closed {format_value(get('airport_closure_hours'))} airport-hours in all",
        )
    fulfilment = get("capability_target_fulfilment")
    if math.isnan(fulfilment):
        pass
    elif fulfilment < LOW_FULFILMENT:
        area("capability_target_fulfilment", f"NATO capability targets {fulfilment:.0%} fulfilled at the end")
    elif fulfilment >= HIGH_FULFILMENT:
        strength("capability_target_fulfilment", f"NATO capability targets {fulfilment:.0%} fulfilled at the end")
    if get("mean_delivery_lead_time_days") > SLOW_DELIVERY_DAYS:
        area(
            "procurement_spend_meur",
            f"Deliveries took {format_value(get('mean_delivery_lead_time_days'))} days from order on average",
        )
    if get("cost_exchange_ratio") > 1:
        protected = get("value_protected_meur")
        area(
            "cost_exchange_ratio",
            f"Interceptors fired cost {format_value(get('cost_exchange_ratio'))} times what the adversary launched"
            + (f" (value protected €{format_value(protected)}M)" if not math.isnan(protected) else ""),
        )
    if get("joint_procurement_share") >= GOOD_JOINT_SHARE:
        strength(
            "joint_procurement_share",
            f"{get('joint_procurement_share'):.0%} of member-state procurement went through EU joint rounds",
        )
    if get("fire_units_donated") > 0:
        strength("fire_units_donated", f"{format_value(get('fire_units_donated'))} fire units given to Ukraine")
    if funded_industry and get("ukraine_industry_output") > 0 and not depot_idle:
        strength(
            "ukraine_industry_output",
            "Players funded Ukraine's industry; it made "
            f"{format_value(get('ukraine_industry_output'))} interceptor drones",
        )
    return findings, ratings
