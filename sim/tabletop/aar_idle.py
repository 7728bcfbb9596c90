"""What the after-action report says about idle holdings: stock, money and units that played actors left unused,
and the decisions (or non-decisions) behind them, read from the game log alone.

Rules:

1. **Ukraine's depot.** When UA is played at the end of the turns played and its depot holds stock then (the
   ``idle`` record of the last outcome, :mod:`sim.tabletop.idle`), it is an area for improvement naming the stock,
   how much of its industry's output waits there, when UA was played, at which decision points it allocated from
   the depot (or that it never did), and at how many decision points the idle warning was shown. Ukraine's
   objectives then recommend allocating the depot first, and the industry's output is not counted a strength.
2. **Other idle warnings.** Each other played actor warned at one decision point or more (money unspent, the EU's
   line unpaid, NATO's pool standing where nothing happened) is an area for improvement naming what it was warned
   about, at how many decision points (first and last), its decisions of the matching kind, and — for a member
   state — the budget it had left at the end.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sim.tabletop.aar_advice import Finding
from sim.tabletop.decisions import UKRAINE
from sim.tabletop.idle import describe_items
from sim.tabletop.log import GameRecord
from sim.tabletop.numbers import format_value

DEPOT_FIRST = (
    "Allocate what waits in Ukraine's depot at every decision point, or release UA (`release UA`) so that its "
    "allocation policy sends it out"
)
WARNING_KINDS = {
    "depot": ("leaves in its depot", ("allocate",)),
    "budget unspent": ("of its budget unspent", ("order", "fund_ukraine_industry", "transfer")),
    "Ukraine-industry line unpaid": ("Ukraine-industry line unpaid", ("fund_ukraine_industry",)),
    "pool units where no incursion came": ("keeps pool units", ("move",)),
}
"""Kind of idle warning → (text that marks it in a logged warning, decision kinds that act on it)."""


def _points(points: list[int]) -> str:
    if not points:
        return "none"
    if len(points) == 1:
        return f"decision point {points[0]}"
    return f"{len(points)} decision points ({points[0]}–{points[-1]})"


def _played_spans(record: GameRecord, actor: str) -> str:
    """``from decision point 1, released at 4`` (and again), or ``from decision point 1 to the end``."""
    spans: list[str] = []
    start: int | None = None
    for turn in record.log.turns:
        if actor in turn.played and start is None:
            start = turn.turn
        if actor in turn.released and start is not None:
            spans.append(f"from decision point {start}, released at {turn.turn}")
            start = None
    if start is not None:
        spans.append(f"from decision point {start} on")
    return "; ".join(spans)


def _decision_points(record: GameRecord, actor: str, kinds: tuple[str, ...]) -> list[int]:
    """Decision points at which ``actor`` took a decision of one of ``kinds`` that was carried out."""
    return sorted(
        {
            turn.turn
            for turn, entries in zip(record.log.turns, record.entries, strict=True)
            for entry, logged in entries
            if entry.actor == actor and getattr(entry.item, "kind", "") in kinds and logged.done
        }
    )


def played_at_end(record: GameRecord) -> set[str]:
    """Actors played after the last decision point of the log."""
    played: set[str] = set()
    for turn in record.log.turns:
        played = (played | set(turn.played)) - set(turn.released)
    return played


def idle_findings(record: GameRecord, idle: Mapping[str, Any], turns_run: int) -> tuple[list[Finding], bool]:
    """The idle-holdings findings (rules in the module docstring) and whether Ukraine's depot was left idle.

    Args:
        record: The game log.
        idle: The ``idle`` record of the final outcome or of the last turn played (may be empty: an old log).
        turns_run: Turns played.
    """
    findings: list[Finding] = []
    warned: dict[tuple[str, str], list[int]] = {}
    for turn in record.log.turns:
        for warning in turn.warnings:
            actor = warning.split(" ", 1)[0]
            for kind, (marker, _) in WARNING_KINDS.items():
                if marker in warning:
                    warned.setdefault((actor, kind), []).append(turn.turn)
    depot = {name: int(units) for name, units in (idle.get("ukraine_depot") or {}).items() if units}
    depot_idle = bool(depot) and UKRAINE in played_at_end(record)
    if depot_idle:
        item, made = idle.get("industry_item", ""), int(idle.get("industry_made", 0))
        waiting = depot.get(item, 0)
        industry = (
            f" — {format_value(waiting)} of the {format_value(made)} {item} its industry made"
            if item and made and waiting
            else ""
        )
        allocations = _decision_points(record, UKRAINE, ("allocate",))
        allocated = f"it allocated from the depot at {_points(allocations)}" if allocations else "it never allocated"
        warnings = warned.get((UKRAINE, "depot"), [])
        findings.append(
            Finding(
                False,
                "Air and missile defence of Ukraine",
                f"Ukraine's depot held {describe_items(depot)} unused after turn {turns_run}{industry}. UA was played "
                f"{_played_spans(record, UKRAINE)} and its allocation policy stood down; {allocated}; the idle-stock "
                f"warning was shown at {_points(warnings)}",
                DEPOT_FIRST,
                "UA team; facilitator",
                "next decision point",
            )
        )
    budgets = idle.get("budget_left_meur") or {}
    for (actor, kind), points in sorted(warned.items()):
        if actor == UKRAINE:
            continue
        decided = _decision_points(record, actor, WARNING_KINDS[kind][1])
        acted = f"its decisions of that kind: at {_points(decided)}" if decided else "it took no decision of that kind"
        left = (
            f"; €{format_value(float(budgets[actor]))}M of its budget was left at the end" if actor in budgets else ""
        )
        findings.append(
            Finding(
                False,
                "Planning and coordination",
                f"{actor} (played {_played_spans(record, actor)}) was warned of {kind} at {_points(points)}; "
                f"{acted}{left}",
                f"Act on the idle warnings at each decision point, or release {actor} (`release {actor}`) so that "
                "its policies use what is idle",
                f"{actor} team; facilitator",
                "next decision point",
            )
        )
    return findings, depot_idle
