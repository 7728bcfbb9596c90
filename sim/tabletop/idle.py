"""What played actors leave idle: the warnings shown (and logged) at every decision point, and the holdings the
after-action report names.

A played actor's policies stand down, so whatever they would have done is left undone unless the players do it.
The rules, one per kind of idle holding (constants below):

* **Ukraine's depot** (UA played, from decision point 1 on — at decision point 0 its allocation policy still
  places the starting posture): every fire unit and interceptor in the depot waits there until the players
  allocate it or release UA; the warning adds the region-days on which Ukraine's layers ran dry in the last turn.
* **Unspent budget** (a played member state, from decision point 1 on): money left of the air-defence budget of at
  least :data:`IDLE_BUDGET_SHARE` of a year's budget (its procurement policy would be ordering with it).
* **Units where nothing happens** (NATO played): rotational-pool units standing in flank states that had no
  incursion in the last turn while flank states that had incursions have no pool units (Eastern Sentry's policy
  would reposition them).
* **The EU's Ukraine-industry line** (EU played, from decision point 1 on): this year's line not yet paid out.

Each warning names the actor, what is idle, and the two ways out: decide, or ``release ACTOR``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.tabletop.decisions import EU, NATO, UKRAINE
from sim.tabletop.game import Game, TurnWindow
from sim.tabletop.numbers import format_value

IDLE_BUDGET_SHARE = 0.25
"""A played state is warned when it has at least this share of a year's budget left unspent."""


@dataclass(frozen=True)
class IdleHoldings:
    """What lies idle now: Ukraine's depot by item, and each member state's unspent budget and SAFE loan."""

    ukraine_depot: dict[str, int]
    budget_left_meur: dict[str, float]
    safe_left_meur: dict[str, float]
    industry_item: str = ""
    industry_made: int = 0

    def as_record(self) -> dict[str, object]:
        """Plain data for the game log."""
        return {
            "ukraine_depot": dict(self.ukraine_depot),
            "industry_item": self.industry_item,
            "industry_made": self.industry_made,
            "budget_left_meur": {code: round(value, 3) for code, value in self.budget_left_meur.items()},
            "safe_left_meur": {code: round(value, 3) for code, value in self.safe_left_meur.items()},
        }


def idle_holdings(game: Game) -> IdleHoldings:
    """Ukraine's depot and the member states' money left, as they stand now."""
    model = game.model
    tables = model.tables
    depot = model.ukraine
    items = (*tables.effector_names, *tables.interceptor_names)
    counts = (*depot.depot_fire_units.tolist(), *depot.depot_munitions[: tables.no_munition].tolist())
    return IdleHoldings(
        ukraine_depot={name: int(units) for name, units in zip(items, counts, strict=True) if units > 0},
        budget_left_meur={state.code: state.budget.available_eur / 1e6 for state in model.member_states},
        safe_left_meur={state.code: state.budget.safe_available_eur / 1e6 for state in model.member_states},
        industry_item=tables.munition_names[depot.industry_munition],
        industry_made=int(depot.produced),
    )


def describe_items(items: Mapping[str, int]) -> str:
    """``1,234 interceptor_drone, 2 patriot`` (largest first)."""
    ranked = sorted(items.items(), key=lambda pair: (-pair[1], pair[0]))
    return ", ".join(f"{int(units):,} {name}" for name, units in ranked)


def idle_warnings(game: Game, window: TurnWindow | None) -> list[str]:
    """The warnings of the current decision point for the actors played now (rules in the module docstring).

    Args:
        game: The game at a decision point.
        window: The turn just played (None at decision point 0: no warnings there).
    """
    if game.turn == 0 or window is None:
        return []
    model = game.model
    ukraine = model.tables.region_is_ukraine
    dry = model.ledger.empty_magazine_region_days - window.before.empty_magazine_region_days
    dry_region_days_last_turn = int(dry[ukraine].sum())
    warnings: list[str] = []
    holdings = idle_holdings(game)
    short = (
        f"; Ukraine's regions ran a layer dry on {dry_region_days_last_turn:,} region-days last turn"
        if dry_region_days_last_turn
        else ""
    )
    if UKRAINE in game.played and holdings.ukraine_depot:
        warnings.append(
            f"UA (played) leaves in its depot: {describe_items(holdings.ukraine_depot)}{short}. Allocate it "
            "({actor: UA, kind: allocate, region: …, interceptors: {…}}) or type `release UA` to hand the depot "
            "back to its allocation policy"
        )
    for state in model.member_states:
        if state.code not in game.played:
            continue
        yearly_meur = state.budget.yearly_eur / 1e6
        left_meur = holdings.budget_left_meur[state.code]
        if yearly_meur > 0 and left_meur >= IDLE_BUDGET_SHARE * yearly_meur:
            warnings.append(
                f"{state.code} (played) has €{format_value(left_meur)}M of its budget unspent "
                f"({left_meur / yearly_meur:.0%} of a year's budget; SAFE loan €"
                f"{format_value(holdings.safe_left_meur[state.code])}M). Order ({{actor: {state.code}, kind: "
                f"order, …}}; `catalog` lists items, prices and lead times), fund Ukraine's industry, or type "
                f"`release {state.code}`"
            )
    if NATO in game.played:
        warnings.extend(_nato_pool_warning(game, window))
    if EU in game.played:
        line_meur = model.eu.ukraine_line_left_eur(game.day) / 1e6
        if line_meur >= 1:
            warnings.append(
                f"EU (played) has €{format_value(line_meur)}M of this year's Ukraine-industry line unpaid. Fund "
                "({actor: EU, kind: fund_ukraine_industry, meur: …}) or type `release EU`"
            )
    return warnings


def _nato_pool_warning(game: Game, window: TurnWindow) -> list[str]:
    """NATO's pool standing where no incursion came while flank states with incursions have none of it."""
    model = game.model
    names = model.tables.region_names
    incursions = model.incursion_history[window.first_day : window.end_day].sum(axis=0)
    assignment = model.nato.assignment
    quiet, uncovered = [], []
    for position, region in enumerate(model.nato.flank_regions.tolist()):
        units = int(assignment[position].sum())
        if units and not incursions[region]:
            quiet.append(f"{names[region]} ({units:,})")
        elif not units and incursions[region]:
            count = int(incursions[region])
            uncovered.append(f"{names[region]} ({count:,} incursion{'s' if count != 1 else ''})")
    if not (quiet and uncovered):
        return []
    return [
        f"NATO (played) keeps pool units in {', '.join(quiet)}, where no incursion came last turn, while "
        f"{', '.join(uncovered)} had none of them. Move ({{actor: NATO, kind: move, effector: …, units: …, to: …}}) "
        "or type `release NATO` to let Eastern Sentry's policy reposition the pool"
    ]
