"""The situation report shown at each decision point: what happened this turn and where things stand.

:func:`build_sitrep` reads a :class:`~sim.tabletop.game.Game` after a turn (or before the first one) and returns a
:class:`Sitrep` of plain numbers: raids and intercepts on each side, incursions and airport closures, layers that
ran dry, interceptor stocks running low, deliveries made and due, budgets left, the NATO pool's positions,
Ukraine's depot, refusals, scheduled events, the objectives' status, and a few highlight lines for the log's
timeline. :func:`render_sitrep` turns it into rich tables for the terminal; :func:`sitrep_figure_data` feeds the
per-turn figure (:mod:`sim.report.sitrep_figure`).

Rules used here (constants below):

* **Running low**: a region's stock of an interceptor its fire units fire is *low* when it is less than one full
  load of those fire units, or would last less than one more turn at this turn's rate of fire.
* **Mass raid**: a night on which at least :data:`MASS_RAID_FACTOR` times the turn's median night was launched at
  Ukraine (and at least :data:`MASS_RAID_MIN` threats).
* **Objective status** during the game: a *level* metric (a share, a ratio, a mean lead time) is "on track" when
  its value so far meets the threshold, else "off track"; a *cumulative* metric (leakers, hours, region-days …) is
  projected to the horizon pro rata (value × horizon ÷ days played): for ``<=`` it is "missed" once the value
  itself is over the threshold (it cannot come down), "on track" when the projection is within it, else "at risk";
  for ``>=`` it is "met" once reached, "on track" when the projection reaches it, else "at risk". After the last
  turn an objective is "met" or "not met".
* **Look-ahead** (:mod:`sim.tabletop.lookahead`, added by :func:`with_look_ahead`): the projection is then the
  median at the horizon over several futures "if nothing changes", with its interval, and an objective not yet
  decided is "on track" when at least :data:`ON_TRACK_SHARE` of the futures meet it, "at risk" when at least
  :data:`AT_RISK_SHARE` do, else "off track". "missed" (a running total already over its ceiling) and "met" (a
  running total already at its floor) stay: those are decided.
* **Evaluable**: before the last turn only a decided objective ("met" or "missed" as above) may be rated in an
  after-action report; the others are "not yet evaluable" (:func:`is_decided`).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sim.analysis.objectives import is_met
from sim.model.metrics import METRICS, Metric, compute_metrics, metric_by_name
from sim.report.console import PlainTable
from sim.report.sitrep_figure import ObjectiveBar, SitrepFigureData
from sim.scenario.model import Objective
from sim.tabletop.game import Game, TurnWindow
from sim.tabletop.lookahead import HIGH_PERCENTILE, LOW_PERCENTILE, LookAhead, Projection, look_ahead
from sim.tabletop.numbers import format_meur, format_value

MASS_RAID_FACTOR = 2.5
MASS_RAID_MIN = 300
LOW_STOCK_ROWS = 12
COSTLY_INTERCEPTOR_EUR = 100_000.0
"""Interceptors at least this costly are drawn in the figure's stock panel (missiles, not bursts or drones)."""
ON_TRACK_SHARE, AT_RISK_SHARE = 0.75, 0.25
LEVEL_UNITS = ("share", "ratio")
LEVEL_METRICS = frozenset({"mean_delivery_lead_time_days"})


@dataclass(frozen=True)
class SideRow:
    """Threats launched at one side this turn and what became of them."""

    side: str
    launched: int
    intercepted: int
    leakers: int
    intercept_rate: float
    fired_meur: float
    damage_meur: float


@dataclass(frozen=True)
class IncursionRow:
    """Incursions into one member state's airspace this turn."""

    region: str
    nights: int
    threats: int
    intercepted: int
    leakers: int
    airport_closure_hours: float


@dataclass(frozen=True)
class LowStock:
    """An interceptor stock running low in a region."""

    region: str
    interceptor: str
    stock: int
    load: int
    fired: int
    days_of_cover: float


@dataclass(frozen=True)
class BudgetRow:
    """A member state's money."""

    code: str
    name: str
    budget_left_meur: float
    safe_left_meur: float
    spent_this_turn_meur: float
    played: bool


@dataclass(frozen=True)
class ObjectiveStatus:
    """Where an objective stands (see the module docstring for the rules)."""

    name: str
    metric: str
    direction: str
    threshold: float
    value: float
    projected: float
    status: str
    description: str = ""
    projected_low: float = math.nan
    projected_high: float = math.nan
    share_met: float = math.nan  # of the look-ahead's futures; NaN without a look-ahead

    @property
    def ok(self) -> bool:
        """True when met or on track."""
        return self.status in ("met", "on track")


def is_decided(status: str) -> bool:
    """Whether an objective's status can no longer change ("met", "not met", or a running total's "missed")."""
    return status in ("met", "not met", "missed")


@dataclass
class Sitrep:
    """A situation report (see the module docstring); turn 0 is the starting situation."""

    turn: int
    turn_count: int
    first_day: int
    end_day: int
    start_date: dt.date
    sides: list[SideRow] = field(default_factory=list)
    largest_night: tuple[int, int] | None = None  # (day, threats launched at Ukraine)
    mass_raids: list[tuple[int, int]] = field(default_factory=list)
    incursions: list[IncursionRow] = field(default_factory=list)
    empty_magazines: list[tuple[str, int, list[str]]] = field(default_factory=list)  # region, days, interceptors
    low_stocks: list[LowStock] = field(default_factory=list)
    delivered: dict[str, int] = field(default_factory=dict)
    due_next_turn: dict[tuple[str, str], int] = field(default_factory=dict)
    budgets: list[BudgetRow] = field(default_factory=list)
    eu: dict[str, float] = field(default_factory=dict)
    ukraine_depot: dict[str, int] = field(default_factory=dict)
    ukraine_industry_output: int = 0
    nato_pool: dict[str, dict[str, int]] = field(default_factory=dict)
    objectives: list[ObjectiveStatus] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    highlights: list[str] = field(default_factory=list)
    numbers: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    played: list[str] = field(default_factory=list)
    look_ahead: LookAhead | None = None

    def date(self, day: int) -> dt.date:
        """The calendar date of a scenario day."""
        return self.start_date + dt.timedelta(days=day)

    @property
    def title(self) -> str:
        """One-line heading."""
        if self.turn == 0:
            return f"Starting situation — {self.date(0):%d %b %Y} (decision point 0 of {self.turn_count - 1})"
        last = self.end_day - 1
        return (
            f"Turn {self.turn} of {self.turn_count} — days {self.first_day}–{last} "
            f"({self.date(self.first_day):%d %b} – {self.date(last):%d %b %Y})"
        )


def _rate(numerator: float | np.integer, denominator: float | np.integer) -> float:
    return float(numerator) / float(denominator) if denominator > 0 else math.nan


def is_level_metric(name: str) -> bool:
    """Whether a metric is a level (share, ratio, mean) rather than a running total."""
    definition = metric_by_name(name)
    return isinstance(definition, Metric) and (definition.unit in LEVEL_UNITS or name in LEVEL_METRICS)


def objective_status(objective: Objective, value: float, days_played: int, horizon_days: int) -> ObjectiveStatus:
    """Evaluate one objective so far (rules in the module docstring)."""
    threshold, direction = objective.threshold, objective.direction
    level = is_level_metric(objective.metric)
    projected = value if level or days_played <= 0 else value * horizon_days / days_played
    if math.isnan(value) or (days_played <= 0 and not level):
        status = "no data yet"
    elif days_played >= horizon_days:
        status = "met" if is_met(value, threshold, direction) else "not met"
    elif level:
        status = "on track" if is_met(value, threshold, direction) else "off track"
    elif direction == "<=":
        status = "missed" if value > threshold else "on track" if projected <= threshold else "at risk"
    else:
        status = "met" if value >= threshold else "on track" if projected >= threshold else "at risk"
    return ObjectiveStatus(
        objective.name, objective.metric, direction, threshold, value, projected, status, objective.description
    )


def with_look_ahead(objective: ObjectiveStatus, projection: Projection | None) -> ObjectiveStatus:
    """An objective's status with the look-ahead's projection (rules in the module docstring)."""
    if projection is None or math.isnan(projection.share_met) or is_decided(objective.status):
        return objective
    share = projection.share_met
    status = "on track" if share >= ON_TRACK_SHARE else "at risk" if share >= AT_RISK_SHARE else "off track"
    return replace(
        objective,
        projected=projection.median,
        projected_low=projection.low,
        projected_high=projection.high,
        share_met=share,
        status=status,
    )


def add_look_ahead(report: Sitrep, game: Game, seeds: int) -> LookAhead | None:
    """Project the report's objectives with a look-ahead from the game's current state (the game is not changed)."""
    result = look_ahead(game.model, game.scenario.objectives, seeds)
    if result is not None:
        report.objectives = [with_look_ahead(o, result.projections.get(o.name)) for o in report.objectives]
        report.look_ahead = result
    return result


def build_sitrep(game: Game, window: TurnWindow | None) -> Sitrep:
    """The situation report after ``window`` (None: the starting situation at decision point 0)."""
    model = game.model
    tables = model.tables
    ledger = model.ledger
    scenario = game.scenario
    turn = window.turn if window else 0
    first, end = (window.first_day, window.end_day) if window else (0, 0)
    report = Sitrep(turn, game.turn_count, first, end, scenario.start_date, played=sorted(game.played))
    regions = tables.region_names
    ukraine = tables.region_is_ukraine
    if window is not None:
        before = window.before
        launched = ledger.launched - before.launched
        killed = ledger.killed - before.killed
        leakers = ledger.leakers - before.leakers
        spend = ledger.interceptor_spend_eur - before.interceptor_spend_eur
        damage = ledger.damage_meur - before.damage_meur
        for name, rows in (("Ukraine", ukraine), ("NATO airspace", ~ukraine)):
            report.sides.append(
                SideRow(
                    name,
                    int(launched[rows].sum()),
                    int(killed[rows].sum()),
                    int(leakers[rows].sum()),
                    _rate(killed[rows].sum(), launched[rows].sum()),
                    float(spend[rows].sum() / 1e6),
                    float(damage[rows].sum()),
                )
            )
        series = ledger.series[first:end]
        column = ledger.column
        nightly = series[:, column("ukraine_launched")]
        if len(nightly) and nightly.max() > 0:
            peak = int(np.argmax(nightly))
            report.largest_night = (first + peak, int(nightly[peak]))
            median = float(np.median(nightly))
            for offset, count in enumerate(nightly):
                if count >= max(MASS_RAID_MIN, MASS_RAID_FACTOR * median):
                    report.mass_raids.append((first + offset, int(count)))
        incursion_nights = (model.incursion_history[first:end] > 0).sum(axis=0)
        closure = ledger.airport_closure_hours - before.airport_closure_hours
        closure_by_region = np.bincount(tables.site_region, weights=closure, minlength=len(regions))
        for region in np.flatnonzero(~ukraine):
            threats = int(launched[region].sum())
            if incursion_nights[region] or threats or closure_by_region[region] > 0:
                report.incursions.append(
                    IncursionRow(
                        regions[region],
                        int(incursion_nights[region]),
                        threats,
                        int(killed[region].sum()),
                        int(leakers[region].sum()),
                        float(closure_by_region[region]),
                    )
                )
        empty = ledger.empty_magazine_region_days - before.empty_magazine_region_days
        empty_layers = ledger.empty_magazine_days - before.empty_magazine_days
        for region in np.flatnonzero(empty):
            dry = sorted(
                {
                    tables.munition_names[tables.effector_munition[effector]]
                    for effector in np.flatnonzero(empty_layers[region])
                }
            )
            report.empty_magazines.append((regions[region], int(empty[region]), dry))
        report.delivered = {
            item: units - before.units_delivered.get(item, 0)
            for item, units in sorted(ledger.units_delivered.items())
            if units - before.units_delivered.get(item, 0) > 0
        }
        report.ukraine_industry_output = int(series[:, column("ukraine_industry_output")].sum())
        report.refused = list(ledger.refused[before.refused :])
        report.events = [
            f"day {event.day} ({report.date(event.day):%d %b}): {event.name or event.kind}"
            + (f" — {event.description}" if event.description else "")
            for event in sorted(scenario.events, key=lambda event: event.day)  # (stable: same-day order kept)
            if first <= event.day < end
        ]
        shots = ledger.shots - before.shots
        report.numbers = {
            "ukraine_launched": float(launched[ukraine].sum()),
            "ukraine_intercepted": float(killed[ukraine].sum()),
            "ukraine_leakers": float(leakers[ukraine].sum()),
            "ukraine_intercept_rate": _rate(killed[ukraine].sum(), launched[ukraine].sum()),
            "nato_threats": float(launched[~ukraine].sum()),
            "nato_leakers": float(leakers[~ukraine].sum()),
            "incursion_nights": float(incursion_nights[~ukraine].sum()),
            "damage_meur": float(damage.sum()),
            "airport_closure_hours": float(closure.sum()),
            "empty_magazine_region_days": float(empty.sum()),
            "interceptors_fired": float(shots[:, :-1].sum()),
            "interceptor_spend_meur": float(spend.sum() / 1e6),
            "units_delivered": float(sum(report.delivered.values())),
        }
    else:
        shots = np.zeros_like(ledger.shots)
    report.low_stocks = _low_stocks(game, shots, max(end - first, 1))
    report.due_next_turn = model.deliveries_due(game.day + game.turn_days) if not game.finished else {}
    spent_before = window.before.budget_spent_eur if window else {}
    for state in model.member_states:
        report.budgets.append(
            BudgetRow(
                state.code,
                state.name,
                state.budget.available_eur / 1e6,
                state.budget.safe_available_eur / 1e6,
                (state.budget.spent_eur - spent_before.get(state.code, state.budget.spent_eur)) / 1e6,
                state.played,
            )
        )
    eu = model.eu
    report.eu = {
        "safe_room_meur": eu.safe_room_eur() / 1e6,
        "edip_left_meur": eu.edip_left_eur / 1e6,
        "ukraine_line_left_meur": eu.ukraine_line_left_eur(game.day) / 1e6,
    }
    depot = model.ukraine
    report.ukraine_depot = {
        name: int(units)
        for name, units in zip(
            (*tables.effector_names, *tables.interceptor_names),
            (*depot.depot_fire_units, *depot.depot_munitions[: tables.no_munition]),
            strict=True,
        )
        if units > 0
    }
    nato = model.nato
    for position, region in enumerate(nato.flank_regions):
        units = {tables.effector_names[e]: int(n) for e, n in enumerate(nato.assignment[position]) if n > 0}
        report.nato_pool[regions[region]] = units
    metrics = compute_metrics(ledger)
    # Every registered metric, and the family members the objectives read (so that an unfinished game's
    # objectives can be judged from its log).
    names = [metric.name for metric in METRICS]
    names += [o.metric for o in scenario.objectives if o.metric not in names and o.metric in metrics]
    report.metrics = {name: metrics[name] for name in names}
    report.objectives = [
        objective_status(objective, metrics.get(objective.metric, math.nan), game.day, scenario.horizon_days)
        for objective in scenario.objectives
    ]
    report.highlights = _highlights(report)
    return report


def _low_stocks(game: Game, shots: np.ndarray, days: int) -> list[LowStock]:
    model = game.model
    tables = model.tables
    loads = model.fire_units @ tables.ready_matrix  # [R, M]: one full load of the fire units standing there
    rows = []
    for region, munition in zip(*np.nonzero(loads[:, :-1]), strict=True):
        stock = int(model.munitions[region, munition])
        load = int(loads[region, munition])
        fired = int(shots[region, munition])
        cover = stock / (fired / days) if fired > 0 else math.inf
        if stock < load or cover < game.turn_days:
            rows.append(
                LowStock(tables.region_names[region], tables.munition_names[munition], stock, load, fired, cover)
            )
    rows.sort(key=lambda row: (row.days_of_cover, row.stock / max(row.load, 1)))
    return rows


def _highlights(report: Sitrep) -> list[str]:
    """Short lines for the log's timeline and the after-action report, the most important first."""
    lines: list[str] = []
    for side in report.sides:
        if side.launched:
            lines.append(
                f"{side.side}: {side.launched:,} threats launched, {side.intercepted:,} intercepted "
                f"({side.intercept_rate:.0%}), {side.leakers:,} got through, damage €{side.damage_meur:,.0f}M"
            )
    for day, count in report.mass_raids:
        lines.append(f"Mass raid on Ukraine on {report.date(day):%d %b %Y}: {count:,} threats")
    lines.extend(f"Scheduled event {event}" for event in report.events)
    for row in report.incursions:
        if row.nights or row.threats:
            lines.append(
                f"Incursions into {row.region}: {row.nights:,} night(s), {row.threats:,} threat(s), "
                f"{row.leakers:,} got through; airports closed {_count(row.airport_closure_hours)} h"
            )
        elif row.airport_closure_hours:
            lines.append(f"Airports in {row.region} closed {_count(row.airport_closure_hours)} h")
    lines.extend(f"Refused: {text}" for text in report.refused)
    if report.empty_magazines:
        lines.append(
            "Layers ran dry: "
            + "; ".join(f"{region} {days} day(s) ({', '.join(dry)})" for region, days, dry in report.empty_magazines)
        )
    if report.delivered:
        lines.append("Delivered: " + ", ".join(f"{units:,} {item}" for item, units in report.delivered.items()))
    return lines


# --- terminal ------------------------------------------------------------------------------------------------


def _table(title: str, *columns: str) -> Table:
    table = PlainTable(title=title, title_justify="left", title_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index == 0 else "right")
    return table


def _count(value: float) -> str:
    """A count or a number of hours in plain notation: ``1,234``; a fraction keeps one decimal (``2.5``)."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def _share(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


STATUS_STYLE = {
    "met": "green",
    "on track": "green",
    "at risk": "yellow",
    "off track": "yellow",
    "missed": "red",
    "not met": "red",
    "no data yet": "dim",
}


def objectives_table(
    objectives: Sequence[ObjectiveStatus], title: str = "Objectives", look: LookAhead | None = None
) -> Table:
    """Each objective: its value so far, the target, the projection (with the look-ahead's interval and share of
    futures meeting it) and the status."""
    if look is not None:
        title = f"{title} — projected to the horizon if nothing changes ({look.futures} futures)"
        table = _table(
            title,
            "objective",
            "so far",
            "target",
            "projected",
            f"{LOW_PERCENTILE:.0f}–{HIGH_PERCENTILE:.0f}%",
            "futures meeting it",
            "status",
        )
    else:
        table = _table(title, "objective", "so far", "target", "projected", "status")
    for objective in objectives:
        if look is not None and not math.isnan(objective.share_met):
            projected = [
                format_value(objective.projected),
                f"{format_value(objective.projected_low)} – {format_value(objective.projected_high)}",
                f"{objective.share_met:.0%}",
            ]
        elif look is not None:
            projected = ["", "", ""]
        else:
            projected = ["" if is_level_metric(objective.metric) else format_value(objective.projected)]
        style = STATUS_STYLE.get(objective.status, "")
        table.add_row(
            objective.name,
            format_value(objective.value),
            f"{objective.direction} {format_value(objective.threshold)}",
            *projected,
            Text(objective.status, style=style),
        )
    return table


def render_sitrep(report: Sitrep) -> RenderableType:
    """The situation report as rich tables (what the facilitator shows the room)."""
    parts: list[RenderableType] = [Text(report.title, style="bold reverse")]
    if report.played:
        parts.append(Text(f"Played: {', '.join(report.played)} (everyone else follows the scenario's policies)"))
    if report.sides:
        table = _table(
            "Raids and intercepts this turn",
            "",
            "launched",
            "intercepted",
            "got through",
            "rate",
            "interceptors fired",
            "damage",
        )
        for side in report.sides:
            table.add_row(
                side.side,
                f"{side.launched:,}",
                f"{side.intercepted:,}",
                f"{side.leakers:,}",
                _share(side.intercept_rate),
                format_meur(side.fired_meur),
                format_meur(side.damage_meur),
            )
        parts.append(table)
        if report.largest_night:
            day, count = report.largest_night
            parts.append(Text(f"Largest night on Ukraine: {count:,} threats on {report.date(day):%d %b}"))
    if report.incursions:
        table = _table(
            "NATO airspace", "state", "incursion nights", "threats", "intercepted", "got through", "airport closure h"
        )
        for incursion in report.incursions:
            table.add_row(
                incursion.region,
                f"{incursion.nights:,}",
                f"{incursion.threats:,}",
                f"{incursion.intercepted:,}",
                f"{incursion.leakers:,}",
                _count(incursion.airport_closure_hours),
            )
        parts.append(table)
    if report.empty_magazines:
        table = _table("Layers that ran dry", "region", "days", "interceptors")
        for region, days, dry in report.empty_magazines:
            table.add_row(region, f"{days:,}", ", ".join(dry))
        parts.append(table)
    if report.low_stocks:
        table = _table(
            "Interceptor stocks running low", "region", "interceptor", "stock", "one load", "fired", "days of cover"
        )
        for stock in report.low_stocks[:LOW_STOCK_ROWS]:
            cover = "–" if math.isinf(stock.days_of_cover) else f"{stock.days_of_cover:.0f}"
            table.add_row(
                stock.region, stock.interceptor, f"{stock.stock:,}", f"{stock.load:,}", f"{stock.fired:,}", cover
            )
        if len(report.low_stocks) > LOW_STOCK_ROWS:
            table.caption = f"… and {len(report.low_stocks) - LOW_STOCK_ROWS} more"
        parts.append(table)
    if report.delivered or report.due_next_turn:
        table = _table("Deliveries", "", "units")
        for item, delivered in report.delivered.items():
            table.add_row(f"delivered this turn: {item}", f"{delivered:,}")
        for (buyer, item), due in report.due_next_turn.items():
            table.add_row(f"due next turn: {item} for {buyer}", f"{due:,}")
        parts.append(table)
    table = _table("Budgets left", "state", "budget", "SAFE loan", "spent this turn")
    for budget in report.budgets:
        name = f"{budget.code} {budget.name}" + (" (played)" if budget.played else "")
        table.add_row(
            name,
            format_meur(budget.budget_left_meur),
            format_meur(budget.safe_left_meur),
            format_meur(budget.spent_this_turn_meur),
        )
    table.add_row("EU: SAFE room", format_meur(report.eu["safe_room_meur"]), "", "")
    table.add_row("EU: EDIP grants", format_meur(report.eu["edip_left_meur"]), "", "")
    table.add_row("EU: Ukraine-industry line (this year)", format_meur(report.eu["ukraine_line_left_meur"]), "", "")
    parts.append(table)
    if any(report.nato_pool.values()):
        table = _table("NATO rotational pool (Eastern Sentry)", "state", "fire units")
        for region, pool_units in report.nato_pool.items():
            table.add_row(region, ", ".join(f"{n} {name}" for name, n in pool_units.items()) or "–")
        parts.append(table)
    if (report.ukraine_depot and (report.turn > 0 or "UA" in report.played)) or report.ukraine_industry_output:
        depot = ", ".join(f"{n:,} {name}" for name, n in report.ukraine_depot.items()) or "empty"
        parts.append(
            Text(f"Ukraine: industry made {report.ukraine_industry_output:,} interceptor drones; depot: {depot}")
        )
    if report.objectives:
        parts.append(objectives_table(report.objectives, look=report.look_ahead))
        if report.look_ahead is not None:
            parts.append(
                Text(
                    f"look-ahead: {report.look_ahead.futures} futures from today to the horizon in "
                    f"{report.look_ahead.seconds:.1f} s (played actors decide nothing more; the others follow "
                    "their policies)",
                    style="dim",
                )
            )
    if report.events:
        parts.append(Text("Scheduled events this turn:\n  " + "\n  ".join(report.events)))
    if report.refused:
        parts.append(Text("Refused this turn:\n  " + "\n  ".join(report.refused), style="yellow"))
    return Group(*parts)


# --- figure --------------------------------------------------------------------------------------------------


def sitrep_figure_data(game: Game, report: Sitrep) -> SitrepFigureData:
    """The plain data the per-turn figure draws (everything up to the end of this turn)."""
    ledger = game.model.ledger
    tables = game.model.tables
    series = {name: ledger.series[: report.end_day, index].copy() for index, name in enumerate(ledger.series_names)}
    costly = [
        index
        for index, name in enumerate(tables.interceptor_names)
        if tables.munition_cost_eur[index] >= COSTLY_INTERCEPTOR_EUR
    ]
    history = [(day, stock) for day, stock in game.stock_history if day <= report.end_day]
    bars = [
        ObjectiveBar(
            objective.name,
            objective.projected if not math.isnan(objective.projected) else objective.value,
            objective.threshold,
            objective.direction,
            objective.status,
            objective.ok,
            objective.projected_low,
            objective.projected_high,
        )
        for objective in report.objectives
    ]
    return SitrepFigureData(
        title=f"{game.scenario.name}: {report.title}",
        start_date=report.start_date,
        turn_first_day=report.first_day,
        turn_end_day=report.end_day,
        turn_days=game.turn_days,
        series=series,
        stock_days=[day for day, _ in history],
        stock_by_interceptor={
            tables.munition_names[index]: [float(stock[index]) for _, stock in history] for index in costly
        },
        objectives=bars,
    )
