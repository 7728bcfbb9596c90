"""The facilitator's reference views at the prompt: the catalogue (what can be bought, from whom, at what price and
lead time, and what each member state can afford) and one actor's status (money, holdings, orders).

Read-only: nothing here changes the game. Lead times are quoted as the market would quote an order of one unit
today (queue ahead + production + the line's lead time); a larger order waits longer.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from sim.report.console import PlainTable
from sim.tabletop.decisions import EU, NATO, UKRAINE
from sim.tabletop.game import Game
from sim.tabletop.idle import describe_items
from sim.tabletop.numbers import format_meur, format_value


def _table(title: str, *columns: str) -> Table:
    table = PlainTable(title=title, title_justify="left", title_style="bold")
    for index, column in enumerate(columns):
        table.add_column(column, justify="left" if index < 2 else "right")
    return table


def eur(value: float) -> str:
    """EUR in plain notation with thousands separators: ``€3,700,000``."""
    return f"€{value:,.0f}"


def delivery_date(game: Game, lead_time_days: float) -> dt.date:
    """The date an order placed at this decision point is expected, ``lead_time_days`` after it takes effect."""
    return game.scenario.start_date + dt.timedelta(days=game.day + round(lead_time_days))


def catalog_view(game: Game, item: str = "") -> RenderableType:
    """Every product line (or one item's): supplier, price, quoted lead time and expected delivery, capacity, and
    how many units each member state could pay for now (budget, and budget + SAFE loan where eligible)."""
    model = game.model
    market = model.market
    states = [state for state in model.member_states if not game.played or state.code in game.played]
    columns = ["item", "supplier", "unit price", "lead time (days)", "delivery", "per month"]
    table = _table(
        "Catalogue" + (f": {item}" if item else "") + " — quoted today for one unit",
        *columns,
        *(f"{state.code} can buy" for state in states),
    )
    lines = [line for (supplier, name), line in sorted(market.lines.items(), key=lambda kv: (kv[0][1], kv[0][0]))]
    if item:
        lines = [line for line in lines if line.item == item]
    for line in lines:
        lead = line.quote_lead_time_days(1)
        affordable = []
        for state in states:
            if not market.access.national(line):  # reserved for other money (e.g. US stocks released for PURL)
                affordable.append("–")
                continue
            budget_units, safe_units = state.split_payment(line.unit_price_eur, 10**9, market.access.safe(line))
            affordable.append(f"{budget_units:,}" + (f" (+{safe_units:,} SAFE)" if safe_units else ""))
        finite = lead != float("inf")
        table.add_row(
            line.item,
            f"{line.supplier}" + (" (EU)" if line.european else ""),
            eur(line.unit_price_eur),
            format_value(lead) if finite else "no capacity",
            f"{delivery_date(game, lead):%d %b %Y}" if finite else "–",
            format_value(line.capacity_per_month),
            *affordable,
        )
    if not lines:
        return Text(f"no supplier makes '{item}'; type `catalog` for every item")
    note = Text(
        "can buy = units its budget pays for now (+ units its SAFE loan would pay for, where the line is eligible); "
        "order with {actor: XX, kind: order, item: …, units: …, supplier: …}",
        style="dim",
    )
    return Group(table, note)


def status_view(game: Game, actor: str) -> RenderableType:
    """One actor as it stands: played or not, money, holdings, what is on order and due."""
    model = game.model
    tables = model.tables
    played = "played" if actor in game.played else "follows its policies"
    parts: list[RenderableType] = [Text(f"{actor} ({played}) at day {game.day}", style="bold")]
    rows: list[tuple[str, str]] = []
    if actor == UKRAINE:
        depot = model.ukraine
        items = dict(
            zip(
                (*tables.effector_names, *tables.interceptor_names),
                (*depot.depot_fire_units.tolist(), *depot.depot_munitions[: tables.no_munition].tolist()),
                strict=True,
            )
        )
        rows.append(("depot", describe_items({k: int(v) for k, v in items.items() if v > 0}) or "empty"))
        for region in tables.ukraine_regions.tolist():
            units = {
                n: int(v) for n, v in zip(tables.effector_names, model.fire_units[region].tolist(), strict=True) if v
            }
            rounds = {
                n: int(v)
                for n, v in zip(
                    tables.interceptor_names, model.munitions[region, : tables.no_munition].tolist(), strict=True
                )
                if v
            }
            rows.append(
                (
                    tables.region_names[region],
                    f"{describe_items(units) or 'no fire units'}; {describe_items(rounds) or 'no interceptors'}",
                )
            )
        rows.append(("interceptor drones made so far", f"{depot.produced:,}"))
    elif actor == NATO:
        pool = model.nato
        for position, region in enumerate(pool.flank_regions.tolist()):
            units = {tables.effector_names[e]: int(n) for e, n in enumerate(pool.assignment[position]) if n > 0}
            rows.append((f"pool in {tables.region_names[region]}", describe_items(units) or "–"))
        rows.append(("capability targets fulfilled", f"{pool.fulfilment():.0%}"))
    elif actor == EU:
        eu = model.eu
        rows.append(("SAFE room", format_meur(eu.safe_room_eur() / 1e6)))
        rows.append(("EDIP grants left", format_meur(eu.edip_left_eur / 1e6)))
        rows.append(("Ukraine-industry line left this year", format_meur(eu.ukraine_line_left_eur(game.day) / 1e6)))
        pooled = {item: sum(buyers.values()) for item, buyers in eu.pool.items() if buyers}
        rows.append(("pooled for the next joint round", describe_items(pooled) or "nothing"))
    else:
        state = model.member_state(actor)
        rows.append(("budget left", format_meur(state.budget.available_eur / 1e6)))
        rows.append(("SAFE loan left", format_meur(state.budget.safe_available_eur / 1e6)))
        rows.append(("a year's budget", format_meur(state.budget.yearly_eur / 1e6)))
        rows.append(("fire units at home", describe_items(state.home_units_by_name()) or "none"))
        rounds = {
            n: int(v)
            for n, v in zip(
                tables.interceptor_names, model.munitions[state.region, : tables.no_munition].tolist(), strict=True
            )
            if v
        }
        rows.append(("interceptors at home", describe_items(rounds) or "none"))
        on_order = {item: units for item, units in model.market.on_order[actor].items() if units > 0}
        rows.append(("on order", describe_items(on_order) or "nothing"))
        due = {
            item: units
            for (buyer, item), units in model.deliveries_due(game.day + game.turn_days).items()
            if buyer == actor
        }
        rows.append(("due by the next decision point", describe_items(due) or "nothing"))
    table = _table("", "", "")
    table.show_header = False
    for key, value in rows:
        table.add_row(key, value)
    parts.append(table)
    return Group(*parts)
