"""The metric registry: every outcome a run reports, defined once, computed from a finished ledger.

Runs, comparisons, sweeps, tabletop play and reports all read metrics from here (``sim metrics`` prints
it). Each :class:`Metric` says what it measures, its unit and which direction is better. Some outcomes
come as families broken down by region, interceptor, channel or supplier (``empty_magazine_days.kyiv``,
``procurement_spend_meur.eu_joint``); their base name is registered as a :class:`MetricFamily`.

Rates are NaN when undefined (an intercept rate with nothing launched); summaries skip NaN.

Each metric also declares the smallest difference that matters to a planner (:class:`MinDifference`): a paired
difference smaller than that is *negligible* however significant it is (the verdict rules are
:func:`sim.analysis.verdicts.judge_difference`). A scenario may override it (``min_differences:``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.model.engagement.constraints import CONSTRAINTS, LAYERS, SIDES
from sim.model.ledger import Ledger
from sim.model.tables import NO_MUNITION


@dataclass(frozen=True)
class MinDifference:
    """The smallest difference of a metric that matters, absolute (in the metric's unit) or relative.

    Attributes:
        value: The size: in the metric's unit when ``relative`` is false (0.01 of a share is one percentage
            point), else a fraction of the baseline's mean magnitude (0.05 = 5 %).
        relative: Whether ``value`` is a fraction of the baseline's mean rather than an absolute amount.
    """

    value: float
    relative: bool = False

    def absolute(self, baseline_mean: float) -> float:
        """The size in the metric's unit against a baseline mean (a relative size of a NaN mean is NaN)."""
        return self.value * abs(baseline_mean) if self.relative else self.value

    def describe(self, unit: str = "") -> str:
        """``5% of the baseline``, ``1 pp`` (a share's absolute size) or ``1 region-days``."""
        if self.relative:
            return f"{self.value:.0%} of the baseline"
        if unit == "share":
            return f"{self.value * 100:g} pp"
        return f"{self.value:g} {unit}".strip()


ONE_POINT = MinDifference(0.01)
"""One percentage point of a share: the smallest change of a rate a planner acts on (assumption)."""
FIVE_PERCENT = MinDifference(0.05, relative=True)
"""5 % of the baseline: the default smallest difference of a count, an amount of money or a ratio (assumption)."""


@dataclass(frozen=True)
class Metric:
    """One scalar outcome of a replication."""

    name: str
    description: str
    unit: str
    better: str  # "higher", "lower" or "neither"
    compute: Callable[[Ledger], float]
    min_difference: MinDifference | None = None  # None: one point for a share, else 5% (default_min_difference)


@dataclass(frozen=True)
class MetricFamily:
    """Outcomes broken down by some key; each member is named ``<name>.<key>``."""

    name: str
    description: str
    unit: str
    better: str
    compute: Callable[[Ledger], dict[str, float]]
    min_difference: MinDifference | None = None  # None: one point for a share, else 5% (default_min_difference)


def _ratio(numerator: float, denominator: float) -> float:
    return float(numerator / denominator) if denominator > 0 else float("nan")


def _side(ledger: Ledger, ukraine: bool) -> np.ndarray:
    return ledger.tables.region_is_ukraine if ukraine else ~ledger.tables.region_is_ukraine


def _intercept_rate(ukraine: bool, kinds: str) -> Callable[[Ledger], float]:
    def compute(ledger: Ledger) -> float:
        rows = _side(ledger, ukraine)
        tables = ledger.tables
        columns = {"all": slice(None), "drones": tables.is_drone_or_decoy, "missiles": tables.is_missile}[kinds]
        return _ratio(ledger.killed[rows][:, columns].sum(), ledger.launched[rows][:, columns].sum())

    return compute


def _total(attribute: str, ukraine: bool | None, scale: float = 1.0) -> Callable[[Ledger], float]:
    def compute(ledger: Ledger) -> float:
        values = getattr(ledger, attribute)
        if ukraine is not None:
            values = values[_side(ledger, ukraine)]
        return float(values.sum() * scale)

    return compute


def _cost_exchange(ledger: Ledger) -> float:
    attacker_eur = float((ledger.launched * ledger.tables.threat_cost_eur).sum())
    return _ratio(float(ledger.interceptor_spend_eur.sum()), attacker_eur)


def _nato_cost_exchange(ledger: Ledger) -> float:
    rows = _side(ledger, False)
    attacker_eur = float((ledger.launched[rows] * ledger.tables.threat_cost_eur).sum())
    return _ratio(float(ledger.interceptor_spend_eur[rows].sum()), attacker_eur)


def _nato_detection_rate(ledger: Ledger) -> float:
    rows = _side(ledger, False)
    launched = float(ledger.launched[rows].sum())
    return _ratio(launched - float(ledger.unseen[rows].sum()), launched)


def _detection_end(ledger: Ledger) -> dict[str, float]:
    tables = ledger.tables
    return {
        name: float(ledger.detection_probability[i])
        for i, name in enumerate(tables.region_names)
        if not tables.region_is_ukraine[i]
    }


NOT_MEMBER_STATE_CHANNELS = ("ukraine_industry", "eu_drone_wall")
"""Procurement channels not paid by member states' procurement: Ukraine's industry, the EU's drone-wall sensors."""


def _joint_share(ledger: Ledger) -> float:
    spend = ledger.procurement_spend_eur
    member_total = sum(value for channel, value in spend.items() if channel not in NOT_MEMBER_STATE_CHANNELS)
    joint = spend.get("eu_joint", 0.0) + spend.get("edip", 0.0)
    return _ratio(joint, member_total)


def target_fulfilment(owned_fire_units: np.ndarray, target_fire_units: np.ndarray) -> float:
    """Mean over capability targets of min(1, fire units owned ÷ target); a zero target counts as met.

    The one definition of capability-target fulfilment: the model's own (``capability_target_fulfilment``) and a
    comparison's against the first scenario's targets (:mod:`sim.analysis.targets`) both call it.

    Args:
        owned_fire_units: Fire units owned, one per target (any trailing shape broadcast against the targets).
        target_fire_units: The targets' fire units, one per target.

    Returns:
        The mean share over the last axis (NaN without targets).
    """
    targets = np.asarray(target_fire_units, dtype=float)
    if targets.size == 0:
        return float("nan")
    owned = np.asarray(owned_fire_units, dtype=float)
    shares = np.minimum(1.0, np.divide(owned, targets, out=np.ones_like(owned), where=targets > 0))
    return float(np.mean(shares))


def _value_protected_share(ledger: Ledger) -> float:
    protected = float(ledger.value_protected_meur.sum())
    return _ratio(protected, protected + float(ledger.damage_meur.sum()))


def _mean_lead_time(ledger: Ledger) -> float:
    return _ratio(ledger.lead_time_unit_days, ledger.lead_time_units)


METRICS: tuple[Metric, ...] = (
    Metric(
        "ukraine_drone_intercept_rate",
        "Share of drones and decoys launched at Ukraine that were shot down or jammed.",
        "share",
        "higher",
        _intercept_rate(True, "drones"),
    ),
    Metric(
        "ukraine_missile_intercept_rate",
        "Share of cruise and ballistic missiles launched at Ukraine that were intercepted.",
        "share",
        "higher",
        _intercept_rate(True, "missiles"),
    ),
    Metric(
        "ukraine_intercept_rate",
        "Share of everything launched at Ukraine intercepted.",
        "share",
        "higher",
        _intercept_rate(True, "all"),
    ),
    Metric(
        "ukraine_leakers",
        "Threats that got through Ukraine's air defence.",
        "threats",
        "lower",
        _total("leakers", True),
    ),
    Metric(
        "nato_intercept_rate",
        "Share of threats entering NATO airspace that were intercepted.",
        "share",
        "higher",
        _intercept_rate(False, "all"),
    ),
    Metric("nato_leakers", "Threats in NATO airspace that got through.", "threats", "lower", _total("leakers", False)),
    Metric(
        "nato_detection_rate",
        "Share of threats entering NATO airspace that were detected in time to be engaged (sensors raise it).",
        "share",
        "higher",
        _nato_detection_rate,
    ),
    Metric(
        "incursions",
        "Nights a member state's airspace was entered.",
        "region-nights",
        "lower",
        _total("incursions", False),
    ),
    Metric(
        "damage_meur",
        "Value destroyed by leakers (Ukraine and NATO).",
        "EUR million",
        "lower",
        _total("damage_meur", None),
    ),
    Metric(
        "ukraine_damage_meur",
        "Value destroyed by leakers in Ukraine.",
        "EUR million",
        "lower",
        _total("damage_meur", True),
    ),
    Metric(
        "nato_damage_meur",
        "Value destroyed by leakers on NATO territory.",
        "EUR million",
        "lower",
        _total("damage_meur", False),
    ),
    Metric(
        "value_protected_meur",
        "Expected value the intercepted threats would have destroyed had they got through. It grows with "
        "what is launched as much as with the defence, so neither direction is better: read value_protected_share.",
        "EUR million",
        "neither",
        _total("value_protected_meur", None),
    ),
    Metric(
        "value_protected_share",
        "Share of the value at risk that the defences saved: value protected ÷ (value protected + damage).",
        "share",
        "higher",
        _value_protected_share,
    ),
    Metric(
        "interceptor_spend_meur",
        "Value of interceptors fired (Ukraine and NATO).",
        "EUR million",
        "neither",
        _total("interceptor_spend_eur", None, 1e-6),
    ),
    Metric(
        "nato_interceptor_spend_meur",
        "Value of interceptors fired in NATO airspace.",
        "EUR million",
        "neither",
        _total("interceptor_spend_eur", False, 1e-6),
    ),
    Metric(
        "cost_exchange_ratio",
        "Interceptors fired ÷ cost of what the adversary launched (read with value_protected_share: a high "
        "ratio can still be a good trade when what is protected is worth more; it falls when the adversary "
        "launches more, so neither direction is better).",
        "ratio",
        "neither",
        _cost_exchange,
    ),
    Metric(
        "nato_cost_exchange_ratio",
        "Interceptors fired in NATO airspace ÷ cost of the threats that entered it (falls when more enters, so "
        "neither direction is better).",
        "ratio",
        "neither",
        _nato_cost_exchange,
    ),
    Metric(
        "ukraine_empty_magazine_days",
        "Region-days on which some layer in Ukraine wanted to fire but had no interceptors.",
        "region-days",
        "lower",
        _total("empty_magazine_region_days", True),
        MinDifference(1.0),
    ),
    Metric(
        "nato_empty_magazine_days",
        "Region-days on which some layer on NATO territory had no interceptors when needed.",
        "region-days",
        "lower",
        _total("empty_magazine_region_days", False),
        MinDifference(1.0),
    ),
    Metric(
        "airport_closure_hours",
        "Hours airports were closed, summed over airports (a night's closure is longer the more intruders got "
        "away undetected or unengaged).",
        "airport-hours",
        "lower",
        _total("airport_closure_hours", None),
    ),
    Metric(
        "procurement_spend_meur",
        "Money committed to orders by all channels (national, SAFE, EU joint, EDIP, backfill, Ukraine's industry).",
        "EUR million",
        "neither",
        lambda ledger: sum(ledger.procurement_spend_eur.values()) / 1e6,
    ),
    Metric(
        "joint_procurement_share",
        "Share of member-state procurement spend placed through EU joint rounds (incl. EDIP co-financing): a choice "
        "a scenario makes, not an outcome, so neither direction is better.",
        "share",
        "neither",
        _joint_share,
    ),
    Metric(
        "edip_spend_meur",
        "EDIP grants used to co-finance joint orders.",
        "EUR million",
        "neither",
        lambda ledger: ledger.edip_spent_eur / 1e6,
    ),
    Metric(
        "safe_drawn_meur",
        "SAFE loans drawn for orders.",
        "EUR million",
        "neither",
        lambda ledger: ledger.safe_drawn_eur / 1e6,
    ),
    Metric(
        "mean_delivery_lead_time_days",
        "Mean days from order to delivery over the units delivered in the horizon.",
        "days",
        "lower",
        _mean_lead_time,
    ),
    Metric(
        "units_ordered",
        "Units (fire units, interceptors and sensors) ordered, with those buyers in the scenario had in production "
        "at the start (a product's pipeline).",
        "units",
        "neither",
        lambda ledger: float(sum(ledger.units_ordered.values())),
    ),
    Metric(
        "units_delivered",
        "Units delivered within the horizon (they follow what was ordered, so neither direction is better).",
        "units",
        "neither",
        lambda ledger: float(sum(ledger.units_delivered.values())),
    ),
    Metric(
        "capability_target_fulfilment",
        "Mean over the scenario's own NATO capability targets of min(1, fire units held ÷ target) at the end.",
        "share",
        "higher",
        lambda ledger: ledger.capability_target_fulfilment,
    ),
    Metric(
        "capability_target_fulfilment_common",
        "Capability-target fulfilment against the first scenario's targets in a comparison (so that a scenario "
        "with other targets is measured by the same yardstick); in a single run, against its own targets.",
        "share",
        "higher",
        lambda ledger: ledger.capability_target_fulfilment,
    ),
    Metric(
        "ukraine_industry_output",
        "Interceptor drones made by Ukraine's industry.",
        "drones",
        "higher",
        lambda ledger: float(ledger.ukraine_industry_output),
    ),
    Metric(
        "ukraine_launch_teams_trained",
        "Interceptor-drone launch teams Ukraine's industry funding trained and equipped (joined within the horizon).",
        "teams",
        "higher",
        lambda ledger: float(ledger.ukraine_launch_teams_trained),
    ),
    Metric(
        "fire_units_donated",
        "Fire units given to Ukraine.",
        "fire units",
        "neither",
        lambda ledger: float(sum(ledger.fire_units_donated.values())),
    ),
    Metric(
        "refused_actions",
        "Decisions or events that could not be carried out.",
        "actions",
        "lower",
        lambda ledger: float(len(ledger.refused)),
        MinDifference(1.0),
    ),
)


def _by_region(attribute: str) -> Callable[[Ledger], dict[str, float]]:
    def compute(ledger: Ledger) -> dict[str, float]:
        values = getattr(ledger, attribute)
        return {name: float(values[i]) for i, name in enumerate(ledger.tables.region_names)}

    return compute


def _empty_by_interceptor(ledger: Ledger) -> dict[str, float]:
    tables = ledger.tables
    days: dict[str, float] = {}
    for effector, munition in enumerate(tables.effector_munition):
        name = tables.munition_names[munition]
        if name != NO_MUNITION:
            days[name] = days.get(name, 0.0) + float(ledger.empty_magazine_days[:, effector].sum())
    return days


def _fire_units_owned_end(ledger: Ledger) -> dict[str, float]:
    tables = ledger.tables
    owned = ledger.fire_units_owned_end
    return {
        f"{region}.{effector}": float(owned[r, e])
        for r, region in enumerate(tables.region_names)
        if not tables.region_is_ukraine[r]
        for e, effector in enumerate(tables.effector_names)
        if owned[r, e] > 0
    }


def _shots_by_interceptor(ledger: Ledger) -> dict[str, float]:
    tables = ledger.tables
    return {
        name: float(ledger.shots[:, i].sum()) for i, name in enumerate(tables.munition_names) if name != NO_MUNITION
    }


def _binding_nights_share(ledger: Ledger) -> dict[str, float]:
    shares: dict[str, float] = {}
    for side_index, side in enumerate(SIDES):
        for layer_index, layer in enumerate(LAYERS):
            nights = ledger.binding_nights[side_index, layer_index]
            faced = int(nights.sum())
            for constraint, count in zip(CONSTRAINTS, nights.tolist(), strict=True):
                shares[f"{side}.{layer}.{constraint}"] = count / faced if faced else float("nan")
    return shares


def _interceptors_delivered(to_ukraine: bool) -> Callable[[Ledger], dict[str, float]]:
    def compute(ledger: Ledger) -> dict[str, float]:
        delivered = ledger.units_delivered_to_ukraine if to_ukraine else ledger.units_delivered_to_member_states
        return {name: float(delivered.get(name, 0)) for name in ledger.tables.munition_names if name != NO_MUNITION}

    return compute


def _ukraine_intercept_rate_by_threat(ledger: Ledger) -> dict[str, float]:
    rows = _side(ledger, True)
    killed, launched = ledger.killed[rows].sum(axis=0), ledger.launched[rows].sum(axis=0)
    return {name: _ratio(killed[i], launched[i]) for i, name in enumerate(ledger.tables.threat_names)}


FAMILIES: tuple[MetricFamily, ...] = (
    MetricFamily(
        "empty_magazine_days",
        "Days a layer ran dry, by region.",
        "days",
        "lower",
        _by_region("empty_magazine_region_days"),
    ),
    MetricFamily(
        "empty_magazine_days_by_interceptor",
        "Layer-region-days a layer ran dry, by interceptor.",
        "layer-days",
        "lower",
        _empty_by_interceptor,
    ),
    MetricFamily(
        "leakers",
        "Threats that got through, by region.",
        "threats",
        "lower",
        lambda ledger: {
            n: float(v) for n, v in zip(ledger.tables.region_names, ledger.leakers.sum(axis=1), strict=True)
        },
    ),
    MetricFamily(
        "incursion_nights",
        "Nights threats entered a member state's airspace, by region.",
        "nights",
        "lower",
        _by_region("incursions"),
    ),
    MetricFamily("damage_meur", "Value destroyed, by region.", "EUR million", "lower", _by_region("damage_meur")),
    MetricFamily(
        "detection_probability_end",
        "Chance that a drone entering a member state's airspace is detected in time to be engaged, at the end "
        "(sensors delivered during the run raise it), by state.",
        "probability",
        "higher",
        _detection_end,
    ),
    MetricFamily(
        "fire_units_owned_end",
        "Fire units a member state owns at the end, by state and effector (<state>.<effector>; only those owned).",
        "fire units",
        "neither",
        _fire_units_owned_end,
    ),
    MetricFamily("shots", "Interceptors fired, by interceptor.", "rounds", "neither", _shots_by_interceptor),
    MetricFamily(
        "ukraine_interceptors_delivered",
        "Interceptors delivered to Ukraine by suppliers within the horizon (aid purchases and orders already "
        "due at the start; not donations from stocks), by interceptor.",
        "units",
        "higher",
        _interceptors_delivered(True),
    ),
    MetricFamily(
        "member_state_interceptors_delivered",
        "Interceptors delivered to member states by suppliers within the horizon, by interceptor.",
        "units",
        "higher",
        _interceptors_delivered(False),
    ),
    MetricFamily(
        "ukraine_intercept_rate_by_threat",
        "Share of each kind of threat launched at Ukraine that was shot down or jammed (e.g. iskander_m: "
        "ballistic missiles, which only Patriot-class layers can stop).",
        "share",
        "higher",
        _ukraine_intercept_rate_by_threat,
    ),
    MetricFamily(
        "procurement_spend_meur",
        "Money committed, by channel.",
        "EUR million",
        "neither",
        lambda ledger: {k: v / 1e6 for k, v in sorted(ledger.procurement_spend_eur.items())},
    ),
    MetricFamily(
        "binding_nights_share",
        "What held a layer back, per side (ukraine, nato), layer and constraint: of the nights on which the "
        "side's layer had threats to engage, the share on which this constraint left the most of them without "
        "fire — fire_channels (every channel busy), crews (the same for crew-served fire units such as "
        "interceptor-drone teams: more trained crews would lift it), magazine (rounds on hand ran short), "
        "detection (threats flew through unseen), reserve (rounds kept back for missiles), or none (every "
        "threat engaged; only the kill probability limited it). Shares sum to 1 per side and layer; empty when "
        "the layer never faced a threat.",
        "share of nights",
        "neither",
        _binding_nights_share,
    ),
    MetricFamily(
        "idle_stock_end",
        "Interceptors on hand at the end and never fired, by interceptor: in Ukraine's depot and regions and in "
        "member states' stores (bought or made, but not the constraint that bound).",
        "units",
        "neither",
        lambda ledger: dict(ledger.idle_stock_end),
    ),
    MetricFamily(
        "unspent_budget_meur",
        "Money left unspent at the end, by actor: EU (EDIP grants), each member state (its air-defence budget) "
        "and ukraine_aid (military aid for interceptors).",
        "EUR million",
        "neither",
        lambda ledger: {actor: value / 1e6 for actor, value in ledger.unspent_budget_eur.items()},
    ),
    MetricFamily(
        "supplier_spend_meur",
        "Money committed, by supplier.",
        "EUR million",
        "neither",
        lambda ledger: {k: v / 1e6 for k, v in sorted(ledger.procurement_spend_by_supplier_eur.items())},
    ),
)

METRIC_NAMES = frozenset(metric.name for metric in METRICS)
FAMILY_NAMES = frozenset(family.name for family in FAMILIES)


def compute_metrics(ledger: Ledger) -> dict[str, float]:
    """Every registered metric and family member of a finished ledger, in registry order."""
    values = {metric.name: float(metric.compute(ledger)) for metric in METRICS}
    for family in FAMILIES:
        for key, value in family.compute(ledger).items():
            values[f"{family.name}.{key}"] = float(value)
    return values


def default_min_difference(definition: Metric | MetricFamily | None) -> MinDifference:
    """The smallest difference that matters for a metric: its own, else one point of a share, else 5 %."""
    if definition is None:
        return FIVE_PERCENT
    if definition.min_difference is not None:
        return definition.min_difference
    return ONE_POINT if definition.unit == "share" else FIVE_PERCENT


def is_known_metric(name: str) -> bool:
    """Whether ``name`` is a registered metric or a member of a registered family."""
    if name in METRIC_NAMES:
        return True
    family, _, key = name.partition(".")
    return bool(key) and family in FAMILY_NAMES


def metric_by_name(name: str) -> Metric | MetricFamily | None:
    """The definition of a metric or of the family a member belongs to."""
    for metric in METRICS:
        if metric.name == name:
            return metric
    family = name.partition(".")[0]
    for member in FAMILIES:
        if member.name == family:
            return member
    return None
