"""The decision format of tabletop play: players' decisions and the facilitator's injects.

One format serves the decision file (``sim play --decisions FILE.yaml``), the interactive prompt (one YAML flow
mapping per line) and the game log. A **decision** names the ``actor`` who takes it and its ``kind``; an
**inject** is a scenario event (``sim.scenario.events``) written without ``day``. A decision file::

    description: What the game is about
    turn_days: 7                 # optional; must agree with --turn-days when both are given (default below)
    played: [DE, PL, NATO, EU]   # played from the start (decision point 0)
    turns:
      - turn: 0                  # decision point 0: before the first day
        decisions:
          - {actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}, backfill: true}
      - turn: 1                  # decision point 1: after turn 1 (days 0-6)
        played: [UA]             # UA is played from here on
        released: [PL]           # PL follows its policies again after this decision point's decisions
        injects:
          - {kind: incursion, target: EE, drones: 12, threat: shahed}
        decisions:
          - {actor: PL, kind: order, item: pac3_mse, units: 200, joint: true}
          - {actor: NATO, kind: move, effector: patriot, units: 1, to: EE}
          - {actor: EU, kind: fund_ukraine_industry, meur: 500}

Rules (the same everywhere):

* **Turns and timing.** Turn *k* (k ≥ 1) runs days ``(k-1)·turn_days`` to ``k·turn_days - 1``. Decision point *k*
  comes after turn *k*; decision point 0 comes before the first day. Whatever is decided or injected at decision
  point *k* takes effect at the start of day ``k·turn_days`` — the first day of the next turn — before that day's
  scheduled events. The last turn has no decision point after it: the game is over.
* **Turn length.** ``turn_days`` (or ``--turn-days``); by default :func:`default_turn_days`: the shortest of a
  week, a fortnight, a month (30 days), two months, a quarter (91 days), half a year and a year that gives at most
  16 turns — about 12-16 decision points, which a room plays in two to three hours.
* **Played actors.** An actor listed in ``played`` (top level: from decision point 0; in a turn: from that
  decision point) is played until it is ``released``: its policies stand down and only the players decide for
  it (see :mod:`sim.model.agents`). An actor released at a decision point may still decide there; its policies
  take over again from the next turn (Ukraine's depot is sent out at the next allocation review). Actors nobody
  plays follow their scenario policies. A decision may only be taken for an actor that is played by then.
* **Order.** At a decision point a file's injects are carried out first, then its decisions, each in the order
  listed; at the prompt, entries are carried out as they are typed. The game log records the order.
* Decision kinds and who may take them (member state = a code such as PL):

  ========================= ============================ ==================================================
  kind                      actor                        fields
  ========================= ============================ ==================================================
  transfer                  member state                 recipient (UA or a state), fire_units, interceptors,
                                                         backfill
  order                     member state                 item, units, joint, supplier
  move                      member state, NATO, UA       effector, units, to, from
  fund_ukraine_industry     member state, EU             meur
  joint_round               EU                           (none)
  allocate                  UA                           region, fire_units, interceptors (from the depot)
  ========================= ============================ ==================================================

  Every decision may carry a ``note`` (the team's reasoning), kept in the log and the after-action report.

Format errors (unknown kind, unknown field, wrong type) and names the scenario does not know (an unknown actor,
effector, region, supplier) are problems located at ``file:line:column`` with the closest valid name. Whether
an actor *can* do what it decided (stock, budget, rules) is checked when the decision takes effect; if not, it is
refused with the reason, and the refusal is logged.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from sim.scenario.errors import Problem, ScenarioError, closest_match
from sim.scenario.events import Event
from sim.scenario.loader import problems_from_validation
from sim.scenario.merge import KeyPath, LocatedDocument
from sim.scenario.model import Scenario
from sim.scenario.references import Finding, check_references
from sim.scenario.yaml_source import parse_scalar, read_yaml_file, read_yaml_text

UKRAINE = "UA"
NATO = "NATO"
EU = "EU"
TURN_LENGTHS_DAYS = (7, 14, 30, 61, 91, 182, 365)
"""Turn lengths a game may default to: a week, a fortnight, a month, two months, a quarter, half a year, a year."""
MAX_DEFAULT_TURNS = 16
"""A room plays about 12-16 decision points in an afternoon of two to three hours (about 10 minutes each)."""


class StrictModel(BaseModel):
    """Base of the tabletop formats: immutable, unknown keys are errors, aliases (``from``) accepted."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


Units = Annotated[StrictInt, Field(ge=1)]
Holdings = dict[str, Units]


class DecisionBase(StrictModel):
    """What every decision has: who takes it, and why."""

    actor: str = Field(description="Who decides: a member-state code (PL, DE …), NATO, EU or UA.")
    note: str = Field(default="", description="The team's reasoning, kept in the log and the after-action report.")


class _GivesSomething(DecisionBase):
    fire_units: Holdings = Field(default_factory=dict, description="Fire units by effector name.")
    interceptors: Holdings = Field(default_factory=dict, description="Interceptors by interceptor name.")

    @model_validator(mode="after")
    def _something(self) -> _GivesSomething:
        if not self.fire_units and not self.interceptors:
            raise ValueError("name at least one fire unit or interceptor (fire_units: {…} or interceptors: {…})")
        return self


class TransferDecision(_GivesSomething):
    """A member state gives fire units and/or interceptors from home to Ukraine or another state."""

    kind: Literal["transfer"] = "transfer"
    recipient: str = Field(default=UKRAINE, description="UA or a member-state code.")
    backfill: StrictBool = Field(default=False, description="Order replacements (priority if NATO coordinates).")


class OrderDecision(DecisionBase):
    """A member state orders units nationally, or pools them into the EU's next joint round."""

    kind: Literal["order"] = "order"
    item: str = Field(description="An interceptor or effector some supplier makes.")
    units: Units
    joint: StrictBool = Field(default=False, description="Through EU joint procurement (the next joint round).")
    supplier: str | None = Field(default=None, description="Buy from this supplier (default: the best quote).")


class MoveDecision(DecisionBase):
    """Fire units move: a state's from home; NATO's rotational pool between flank states; Ukraine's between regions."""

    kind: Literal["move"] = "move"
    effector: str
    units: Units = 1
    to: str = Field(description="Region the units go to.")
    origin: str | None = Field(
        default=None,
        alias="from",
        description="Region they leave (a state: its home; NATO: any flank state holding them; UA: required).",
    )


class FundingDecision(DecisionBase):
    """Money for Ukraine's interceptor-drone industry, paid from the funder's budget."""

    kind: Literal["fund_ukraine_industry"] = "fund_ukraine_industry"
    meur: StrictFloat = Field(gt=0, description="EUR million.")


class JointRoundDecision(DecisionBase):
    """The EU brings the next joint procurement round forward to now."""

    kind: Literal["joint_round"] = "joint_round"


class AllocateDecision(_GivesSomething):
    """Ukraine sends fire units and interceptors from its depot to a region."""

    kind: Literal["allocate"] = "allocate"
    region: str = Field(description="One of Ukraine's regions.")


Decision = Annotated[
    TransferDecision | OrderDecision | MoveDecision | FundingDecision | JointRoundDecision | AllocateDecision,
    Field(discriminator="kind"),
]
DecisionItem = TransferDecision | OrderDecision | MoveDecision | FundingDecision | JointRoundDecision | AllocateDecision

DECISION_ACTORS: dict[str, tuple[str, ...]] = {
    "transfer": ("member state",),
    "order": ("member state",),
    "move": ("member state", NATO, UKRAINE),
    "fund_ukraine_industry": ("member state", EU),
    "joint_round": (EU,),
    "allocate": (UKRAINE,),
}
"""Decision kind → who may take it ("member state" stands for every member-state code)."""


def _inject_without_day(raw: Any) -> Any:
    """Injects take effect at the start of the next turn: the day is the game's, not the author's."""
    if isinstance(raw, dict):
        if "day" in raw:
            raise ValueError(
                "an inject takes effect at the start of the next turn, so it has no 'day': leave 'day' out"
            )
        return {**raw, "day": 0}
    return raw


Inject = Annotated[Event, BeforeValidator(_inject_without_day)]
"""A scenario event without ``day`` (validated with day 0; the game sets the day it takes effect)."""


class TurnDecisions(StrictModel):
    """What is decided and injected at one decision point."""

    turn: StrictInt = Field(ge=0, description="Decision point: 0 before the first day, k after turn k.")
    played: list[str] = Field(default_factory=list, description="Actors played from this decision point on.")
    released: list[str] = Field(
        default_factory=list,
        description="Actors handed back to their policies after this decision point's decisions.",
    )
    injects: list[Inject] = Field(default_factory=list, description="Facilitator's injects (scenario events).")
    decisions: list[Decision] = Field(default_factory=list, description="Players' decisions.")
    note: str = ""


class DecisionFile(StrictModel):
    """A prepared game: decisions and injects per decision point."""

    description: str = ""
    turn_days: StrictInt | None = Field(default=None, ge=1, description="Days per turn the file was written for.")
    played: list[str] = Field(default_factory=list, description="Actors played from the start (decision point 0).")
    turns: list[TurnDecisions] = Field(default_factory=list)


# --- validated entries -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One decision or inject, validated, with the mapping it was written as (what the log keeps)."""

    item: DecisionItem | Any  # a decision model, or a scenario event (with day 0) for an inject
    raw: Mapping[str, Any]

    @property
    def is_decision(self) -> bool:
        """True for a player's decision, False for a facilitator's inject."""
        return isinstance(self.item, DecisionBase)

    @property
    def actor(self) -> str | None:
        """The deciding actor (None for an inject)."""
        return self.item.actor if isinstance(self.item, DecisionBase) else None

    def describe(self) -> str:
        """The entry as one line of flow YAML, as it was written."""
        return flow_text(self.raw)


_FLOW_SPECIAL = re.compile(r"[,:{}\[\]#&*!|>'\"%@`]|^\s|\s$|^-|^\?")


def flow_text(value: Any) -> str:
    """Render plain data as compact YAML flow text that reads back the same (``{actor: DE, kind: order}``).

    Strings are quoted (JSON style, valid YAML) when they hold flow indicators or would read as another type.
    """
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{flow_text(str(key))}: {flow_text(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(flow_text(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str) and (not value or _FLOW_SPECIAL.search(value) or parse_scalar(value) != value):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


@dataclass(frozen=True)
class TurnPlan:
    """What happens at one decision point: the actors played from there on, the entries in order, and the actors
    released there (played while the entries are carried out, handed back to their policies after them)."""

    turn: int
    played: frozenset[str]
    entries: tuple[Entry, ...] = ()
    released: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LoadedDecisions:
    """A decision file, checked against a scenario, ready to play."""

    path: str
    description: str
    turn_days: int
    plans: dict[int, TurnPlan]


# --- names the scenario knows ------------------------------------------------------------------------------


def playable_actors(scenario: Scenario) -> list[str]:
    """Actors a team can play: every member state, NATO, the EU and Ukraine."""
    return [*scenario.actors.member_states, NATO, EU, UKRAINE]


def default_turn_days(horizon_days: int) -> int:
    """The default turn length of a game: the shortest of :data:`TURN_LENGTHS_DAYS` that gives at most
    :data:`MAX_DEFAULT_TURNS` turns (a year: 30-day turns, 13 decision points; 2025-09-01..2028-12-31: 91-day
    turns, 14 decision points; 28 days: weekly, 4)."""
    for days in TURN_LENGTHS_DAYS:
        if turn_count(horizon_days, days) <= MAX_DEFAULT_TURNS:
            return days
    return math.ceil(horizon_days / MAX_DEFAULT_TURNS)


def turn_count(horizon_days: int, turn_days: int) -> int:
    """Number of turns a game of ``turn_days``-day turns has (the last one may be shorter)."""
    return math.ceil(horizon_days / turn_days)


def _unknown(path: KeyPath, what: str, name: str, valid: Iterable[str]) -> Finding:
    names = list(valid)
    return Finding(
        path, f"unknown {what} '{name}'", expected=f"one of: {', '.join(names)}", suggestion=closest_match(name, names)
    )


def check_actor(scenario: Scenario, path: KeyPath, name: str) -> Iterator[Finding]:
    """A played or deciding actor must exist (a state's full name suggests its code: 'Poland' → 'PL')."""
    valid = playable_actors(scenario)
    if name in valid:
        return
    by_name = {state.name: code for code, state in scenario.actors.member_states.items()}
    close = closest_match(name, by_name)
    yield Finding(
        path,
        f"unknown actor '{name}'",
        expected=f"a member-state code ({', '.join(scenario.actors.member_states)}), NATO, EU or UA",
        suggestion=by_name[close] if close else closest_match(name, valid),
    )


def _check_items(scenario: Scenario, path: KeyPath, decision: _GivesSomething) -> Iterator[Finding]:
    catalog = scenario.catalog
    for name in decision.fire_units:
        if name not in catalog.effectors:
            yield _unknown((*path, "fire_units", name), "effector", name, catalog.effectors)
    for name in decision.interceptors:
        if name not in catalog.interceptors:
            yield _unknown((*path, "interceptors", name), "interceptor", name, catalog.interceptors)


def check_decision(scenario: Scenario, path: KeyPath, decision: DecisionItem) -> Iterator[Finding]:
    """Names in a decision that the scenario does not know, and actors that may not take this kind of decision."""
    actor_findings = list(check_actor(scenario, (*path, "actor"), decision.actor))
    yield from actor_findings
    if actor_findings:
        return
    states = scenario.actors.member_states
    allowed = DECISION_ACTORS[decision.kind]
    role = "member state" if decision.actor in states else decision.actor
    if role not in allowed:
        who = " or ".join("a member state" if a == "member state" else a for a in allowed)
        yield Finding(
            (*path, "actor"),
            f"{decision.actor} cannot take '{decision.kind}' decisions",
            expected=f"{who} as the actor",
        )
        return
    catalog = scenario.catalog
    regions = scenario.region_names()
    ukraine_regions = [region.name for region in scenario.actors.ukraine.regions]
    match decision:
        case TransferDecision():
            if decision.recipient != UKRAINE and decision.recipient not in states:
                yield _unknown((*path, "recipient"), "recipient", decision.recipient, [UKRAINE, *states])
            elif decision.recipient == decision.actor:
                yield Finding(
                    (*path, "recipient"),
                    f"{decision.actor} cannot give to itself",
                    expected="UA or another member state",
                )
            yield from _check_items(scenario, path, decision)
        case OrderDecision():
            items = [*catalog.interceptors, *catalog.effectors]
            if decision.item not in items:
                yield _unknown((*path, "item"), "item", decision.item, items)
            suppliers = [supplier.name for supplier in scenario.industry.suppliers]
            if decision.supplier is not None and decision.supplier not in suppliers:
                yield _unknown((*path, "supplier"), "supplier", decision.supplier, suppliers)
        case MoveDecision():
            if decision.effector not in catalog.effectors:
                yield _unknown((*path, "effector"), "effector", decision.effector, catalog.effectors)
            valid_regions = ukraine_regions if decision.actor == UKRAINE else regions
            if decision.to not in valid_regions:
                yield _unknown((*path, "to"), "region", decision.to, valid_regions)
            if decision.actor == UKRAINE and decision.origin is None:
                yield Finding(
                    path,
                    "a move by UA needs 'from': the region the units leave",
                    expected=f"from: one of {', '.join(ukraine_regions)}",
                )
            elif decision.origin is not None:
                if decision.actor in states and decision.origin != decision.actor:
                    yield Finding(
                        (*path, "from"),
                        f"a member state moves units from home: 'from' can only be {decision.actor}",
                        expected=f"from: {decision.actor}, or leave it out",
                    )
                elif decision.origin not in valid_regions:
                    yield _unknown((*path, "from"), "region", decision.origin, valid_regions)
        case AllocateDecision():
            if decision.region not in ukraine_regions:
                yield _unknown((*path, "region"), "region of Ukraine", decision.region, ukraine_regions)
            yield from _check_items(scenario, path, decision)
        case FundingDecision() | JointRoundDecision():
            pass


def check_injects(scenario: Scenario, path: KeyPath, injects: list[Any]) -> Iterator[Finding]:
    """Names in injects the scenario does not know (the same checks as for the scenario's own events)."""
    if not injects:
        return
    probe = scenario.model_copy(update={"events": list(injects)})
    for finding in check_references(probe):
        if finding.key_path[:1] == ("events",) and len(finding.key_path) > 1:
            index = finding.key_path[1]
            yield Finding((*path, index, *finding.key_path[2:]), finding.message, finding.expected, finding.suggestion)


# --- reading -------------------------------------------------------------------------------------------------


def validate_located(document: LocatedDocument, root: Any) -> Any:
    """Validate a located document against a model or type; errors become located problems.

    Raises:
        ScenarioError: with one located problem per pydantic error.
    """
    try:
        return TypeAdapter(root).validate_python(document.data)
    except ValidationError as error:
        raise ScenarioError(problems_from_validation(document, error, root)) from None


def _raw_at(data: Any, path: KeyPath) -> Any:
    node = data
    for segment in path:
        node = node[segment]
    return node


def load_decision_file(path: str | Path, scenario: Scenario, turn_days: int | None = None) -> LoadedDecisions:
    """Read, validate and check a decision file against the scenario it will be played with.

    Args:
        path: The YAML decision file.
        scenario: The scenario of the game.
        turn_days: Days per turn given on the command line; None takes the file's ``turn_days`` (default 7).

    Returns:
        The plans per decision point.

    Raises:
        ScenarioError: with every problem found, each located at ``file:line:column``.
    """
    document = LocatedDocument.from_yaml(read_yaml_file(path))
    if document.data is None:
        raise ScenarioError([Problem(str(path), 1, 1, "", "the file is empty", expected="a mapping with 'turns'")])
    if not isinstance(document.data, dict):
        raise ScenarioError(
            [
                document.problem(
                    (), f"the file holds a {type(document.data).__name__}", expected="a mapping with 'turns'"
                )
            ]
        )
    if document.data and not set(DecisionFile.model_fields).intersection(document.data):
        # Say so without listing its keys: the file may be anything (a password file, a config).
        raise ScenarioError(
            [
                document.problem(
                    (),
                    "this is not a decision file: none of its top-level keys is a decision-file key",
                    expected="a mapping with 'turns' (and description, turn_days, played)",
                )
            ]
        )
    decisions: DecisionFile = validate_located(document, DecisionFile)
    findings: list[Finding] = []
    effective_days = turn_days or decisions.turn_days or default_turn_days(scenario.horizon_days)
    if turn_days is not None and decisions.turn_days is not None and turn_days != decisions.turn_days:
        findings.append(
            Finding(
                ("turn_days",),
                f"the file was written for {decisions.turn_days}-day turns, the game has {turn_days}-day turns",
                expected=f"--turn-days {decisions.turn_days}, or leave it out",
            )
        )
    turns = turn_count(scenario.horizon_days, effective_days)
    for index, name in enumerate(decisions.played):
        findings.extend(check_actor(scenario, ("played", index), name))
    seen: dict[int, int] = {}
    for position, turn in sorted(enumerate(decisions.turns), key=lambda pair: pair[1].turn):
        turn_path: KeyPath = ("turns", position)
        if turn.turn in seen:
            findings.append(
                Finding(
                    (*turn_path, "turn"),
                    f"turn {turn.turn} is listed twice (also turns[{seen[turn.turn]}])",
                    expected="one entry per decision point",
                )
            )
        seen[turn.turn] = position
        if turn.turn >= turns:
            findings.append(
                Finding(
                    (*turn_path, "turn"),
                    f"there is no decision point {turn.turn}: the game has {turns} turns of "
                    f"{effective_days} days and the last decision point is {turns - 1}",
                    expected=f"a turn from 0 to {turns - 1}",
                )
            )
        for key in ("played", "released"):
            for index, name in enumerate(getattr(turn, key)):
                findings.extend(check_actor(scenario, (*turn_path, key, index), name))
        played_now = _played_at(decisions, turn.turn)
        for index, name in enumerate(turn.released):
            if name not in played_now:
                findings.append(
                    Finding(
                        (*turn_path, "released", index),
                        f"{name} is not played at decision point {turn.turn}, so it cannot be released",
                        expected=f"one of the actors played then: {', '.join(sorted(played_now)) or 'nobody'}",
                    )
                )
        for index, decision in enumerate(turn.decisions):
            decision_path = (*turn_path, "decisions", index)
            problems = list(check_decision(scenario, decision_path, decision))
            findings.extend(problems)
            if not problems and decision.actor not in played_now:
                findings.append(
                    Finding(
                        (*decision_path, "actor"),
                        f"{decision.actor} is not played at decision point {turn.turn}",
                        expected=f"{decision.actor} in the top-level 'played' or in 'played' of turn "
                        f"{turn.turn} or earlier (its policies then stand down)",
                    )
                )
        findings.extend(check_injects(scenario, (*turn_path, "injects"), turn.injects))
    if findings:
        raise ScenarioError(
            [document.problem(f.key_path, f.message, expected=f.expected, suggestion=f.suggestion) for f in findings]
        )
    plans: dict[int, TurnPlan] = {}
    running = frozenset(decisions.played)
    if running:
        plans[0] = TurnPlan(0, running)
    for position, turn in sorted(enumerate(decisions.turns), key=lambda pair: pair[1].turn):
        running = running | frozenset(turn.played)
        released = frozenset(turn.released)
        turn_path = ("turns", position)
        entries = [
            Entry(inject, _raw_at(document.data, (*turn_path, "injects", index)))
            for index, inject in enumerate(turn.injects)
        ] + [
            Entry(decision, _raw_at(document.data, (*turn_path, "decisions", index)))
            for index, decision in enumerate(turn.decisions)
        ]
        plans[turn.turn] = TurnPlan(turn.turn, running - released, tuple(entries), released)
        running = running - released
    return LoadedDecisions(str(path), decisions.description, effective_days, plans)


def _played_at(decisions: DecisionFile, turn: int) -> set[str]:
    """Actors a decision file plays at decision point ``turn`` (those it releases there included)."""
    played = set(decisions.played)
    for earlier in sorted(decisions.turns, key=lambda t: t.turn):
        if earlier.turn > turn:
            break
        played |= set(earlier.played)
        if earlier.turn < turn:
            played -= set(earlier.released)
    return played


def parse_entry(text: str, scenario: Scenario, source: str = "<prompt>") -> Entry:
    """Read one decision or inject typed as a YAML flow mapping (a mapping with ``actor`` is a decision).

    Raises:
        ScenarioError: with located problems (``<prompt>:1:col``) when the text is not a valid entry.
    """
    document = LocatedDocument.from_yaml(read_yaml_text(text, file=source))
    if not isinstance(document.data, dict):
        raise ScenarioError(
            [
                document.problem(
                    (),
                    "expected one decision or inject as a mapping",
                    expected="e.g. {actor: PL, kind: order, item: pac3_mse, units: 20}",
                )
            ]
        )
    if "actor" in document.data:
        decision: DecisionItem = validate_located(document, Decision)
        findings = list(check_decision(scenario, (), decision))
        item: Any = decision
    else:
        item = validate_located(document, Inject)
        findings = [
            Finding(f.key_path[2:], f.message, f.expected, f.suggestion)
            for f in check_injects(scenario, ("injects",), [item])
        ]
    if findings:
        raise ScenarioError(
            [document.problem(f.key_path, f.message, expected=f.expected, suggestion=f.suggestion) for f in findings]
        )
    return Entry(item, document.data)
