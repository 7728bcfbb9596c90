"""The game engine of tabletop play: one model run turn by turn, with decision points in between.

:class:`Game` owns an :class:`~sim.model.world.AirDefenceModel` and nothing else: no terminal, no files. The
session (:mod:`sim.tabletop.session`), replays (:mod:`sim.tabletop.replay`) and tests drive it the same way::

    game = Game(scenario, seed=1, turn_days=7)
    game.set_played({"DE", "NATO"})        # decision point 0, before the first day
    game.apply(entry)                       # carried out now, i.e. at the start of day 0
    window = game.run_turn()                # days 0-6; then decision point 1 …

Timing (see :mod:`sim.tabletop.decisions`): at decision point *k* the model stands at the start of day
``k·turn_days``, before that day's scheduled events, so a decision applied there takes effect "at the start of the
next turn's first day". Every decision goes through :mod:`sim.model.actions`, the one path that changes the world,
which checks stock, budget and rules and records refusals with their reason.

Determinism: a game draws random numbers only inside the model, so the same scenario, seed, played actors and
entries at the same decision points give the same game — which is what makes the log replayable. A game with no
played actors and no entries is exactly a plain run of the scenario (the NATO pool's starting positions, which a
plain run takes on day 0, are taken before decision point 0 so that players see and can move them; the result is
the same). One edge differs: the first budget year opens before decision point 0, whereas a plain run opens it on
day 0 after that day's scheduled events, so a scenario event on day 0 that changes or spends a budget sees the
year's money in a game and not in a plain run (no shipped scenario has events on day 0).

Who is played changes only flags the model reads during the day (never at once), so at a decision point the order
of ``play``, ``release`` and entries does not matter (an actor released there may still decide there first).
Looking ahead never steps this model: :meth:`~sim.model.world.AirDefenceModel.branch` copies it.
Ukraine played from decision point 0 may allocate from its depot there;
what it leaves is spread over its regions by its allocation policy on day 0, as the starting posture.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import NDArray

from sim.model.actions import ActionResult
from sim.model.world import AirDefenceModel
from sim.scenario.model import Scenario
from sim.tabletop.decisions import (
    EU,
    NATO,
    UKRAINE,
    AllocateDecision,
    DecisionBase,
    Entry,
    FundingDecision,
    JointRoundDecision,
    MoveDecision,
    OrderDecision,
    TransferDecision,
    TurnPlan,
    playable_actors,
    turn_count,
)


class GameOver(Exception):
    """The game has no decision point left (the last turn has run)."""


@dataclass(frozen=True)
class EntryResult:
    """What became of a decision or inject: carried out or refused, and the model's message."""

    entry: Entry
    done: bool
    message: str
    day: int


@dataclass(frozen=True)
class LedgerSnapshot:
    """The ledger's running totals at one moment (a turn's outcome is the difference of two snapshots)."""

    launched: NDArray[np.int64]
    killed: NDArray[np.int64]
    leakers: NDArray[np.int64]
    unseen: NDArray[np.int64]
    shots: NDArray[np.int64]
    interceptor_spend_eur: NDArray[np.float64]
    damage_meur: NDArray[np.float64]
    value_protected_meur: NDArray[np.float64]
    empty_magazine_days: NDArray[np.int64]
    empty_magazine_region_days: NDArray[np.int64]
    airport_closure_hours: NDArray[np.float64]
    units_delivered: dict[str, int]
    refused: int
    budget_spent_eur: dict[str, float]

    @classmethod
    def take(cls, model: AirDefenceModel) -> LedgerSnapshot:
        """Copy the running totals of a model's ledger."""
        ledger = model.ledger
        return cls(
            launched=ledger.launched.copy(),
            killed=ledger.killed.copy(),
            leakers=ledger.leakers.copy(),
            unseen=ledger.unseen.copy(),
            shots=ledger.shots.copy(),
            interceptor_spend_eur=ledger.interceptor_spend_eur.copy(),
            damage_meur=ledger.damage_meur.copy(),
            value_protected_meur=ledger.value_protected_meur.copy(),
            empty_magazine_days=ledger.empty_magazine_days.copy(),
            empty_magazine_region_days=ledger.empty_magazine_region_days.copy(),
            airport_closure_hours=ledger.airport_closure_hours.copy(),
            units_delivered=dict(ledger.units_delivered),
            refused=len(ledger.refused),
            budget_spent_eur={state.code: state.budget.spent_eur for state in model.member_states},
        )


@dataclass(frozen=True)
class TurnWindow:
    """A turn that has run: its number, its days ``[first_day, end_day)`` and the totals when the previous turn
    ended (so the decision point's effects count in this turn; ``before.refused`` is the count when it started)."""

    turn: int
    first_day: int
    end_day: int
    before: LedgerSnapshot

    @property
    def days(self) -> int:
        """Days in the turn (the last turn may be shorter)."""
        return self.end_day - self.first_day


class Game:
    """A scenario played turn by turn (see the module docstring).

    Attributes:
        model: The model being played.
        turn_days: Days per turn.
        turn_count: Turns in the game; decision points are 0 … ``turn_count - 1``.
        turn: Turns run so far, which is also the decision point the game stands at.
        played: Actors played now.
        stock_history: ``(day, interceptors held by interceptor)`` at the start of day 0 and at the end of every
            day run since (recorded as ``day + 1``, the start of the next), for the turn reports' stock panel.
    """

    def __init__(self, scenario: Scenario, seed: int, turn_days: int) -> None:
        if turn_days < 1:
            raise ValueError(f"turn_days must be at least 1, got {turn_days}")
        self.scenario = scenario
        self.seed = seed
        self.turn_days = turn_days
        self.turn_count = turn_count(scenario.horizon_days, turn_days)
        self.model = AirDefenceModel(scenario, seed)
        # Decision point 0 stands at the start of day 0, where players need what the model would set up on that
        # day anyway: the first budget year (opened again on day 0 it is a no-op) and the NATO pool's starting
        # positions (the sentry policy takes them on day 0 from data that does not change before then).
        for state in self.model.member_states:
            state.budget.start_year(0)
        self.model.nato.review_sentry(0)
        self.turn = 0
        self.played: frozenset[str] = frozenset()
        self._playable = playable_actors(scenario)
        self.stock_history: list[tuple[int, NDArray[np.int64]]] = [(0, self.interceptor_stock())]
        # Totals when the last turn ended: what a decision point does (an inject's airport closures, an order's
        # spending) happens on the next turn's first day and so counts in the next turn.
        self._last_totals = LedgerSnapshot.take(self.model)

    # --- state ---------------------------------------------------------------------------------------------

    @property
    def day(self) -> int:
        """The day the model stands at the start of (what a decision applied now takes effect on)."""
        return self.model.day

    @property
    def finished(self) -> bool:
        """True when every turn has run."""
        return self.turn >= self.turn_count

    def interceptor_stock(self) -> NDArray[np.int64]:
        """Interceptors held now, by interceptor (``tables.interceptor_names``): every region plus Ukraine's depot."""
        model = self.model
        no_munition = model.tables.no_munition  # interceptors are the columns before it
        stock: NDArray[np.int64] = (
            model.munitions[:, :no_munition].sum(axis=0) + model.ukraine.depot_munitions[:no_munition]
        )
        return stock

    def turn_range(self, turn: int) -> tuple[int, int]:
        """Days ``[first, end)`` of turn ``turn`` (1-based)."""
        first = (turn - 1) * self.turn_days
        return first, min(turn * self.turn_days, self.scenario.horizon_days)

    # --- played actors -------------------------------------------------------------------------------------

    @property
    def playable(self) -> list[str]:
        """Actors a team can play in this scenario."""
        return list(self._playable)

    def _agent(self, actor: str) -> Any:
        model = self.model
        if actor == NATO:
            return model.nato
        if actor == EU:
            return model.eu
        if actor == UKRAINE:
            return model.ukraine
        return model.member_state(actor)

    def set_played(self, actors: Iterable[str]) -> None:
        """Play exactly these actors from now on: their policies stand down; the others' policies run.

        Raises:
            ValueError: for a name that is not a playable actor of the scenario.
        """
        chosen = frozenset(actors)
        unknown = sorted(chosen - set(self._playable))
        if unknown:
            raise ValueError(f"not playable in this scenario: {', '.join(unknown)}")
        for actor in self._playable:
            self._agent(actor).played = actor in chosen
        self.played = chosen

    def play(self, actors: Iterable[str]) -> None:
        """Add actors to those played (until released)."""
        self.set_played(self.played | frozenset(actors))

    def release(self, actors: Iterable[str]) -> None:
        """Hand actors back to their policies from now on (Ukraine's depot is then sent out by its allocation
        policy at the next allocation review; a state's procurement and donation policies review again)."""
        self.set_played(self.played - frozenset(actors))

    # --- decision points -----------------------------------------------------------------------------------

    def apply(self, entry: Entry) -> EntryResult:
        """Carry out a decision or inject now (the start of the next turn's first day).

        Raises:
            GameOver: when the last turn has run.
            ValueError: for a decision by an actor who is not played (callers check this first).
        """
        if self.finished:
            raise GameOver("the game is over: the last turn has run")
        day = self.day
        item = entry.item
        if isinstance(item, DecisionBase):
            if item.actor not in self.played:
                raise ValueError(f"{item.actor} is not played, so it cannot take decisions")
            result = self._decide(item, day)
        else:
            result = self.model.actions.apply_event(item.model_copy(update={"day": day}), day)
        return EntryResult(entry, result.done, result.message, day)

    def apply_plan(self, plan: TurnPlan) -> list[EntryResult]:
        """Set the played actors of a decision point and carry out its entries in order.

        Actors the plan releases may still decide at this decision point (before they were released): who is
        played only changes flags the model reads during the day, so releasing them after the entries is the same
        as releasing them when it was typed.
        """
        self.set_played(plan.played | plan.released)
        results = [self.apply(entry) for entry in plan.entries]
        self.set_played(plan.played)
        return results

    def _decide(self, decision: DecisionBase, day: int) -> ActionResult:
        actions = self.model.actions
        match decision:
            case TransferDecision():
                return actions.transfer(
                    decision.actor,
                    decision.recipient,
                    dict(decision.fire_units),
                    dict(decision.interceptors),
                    decision.backfill,
                    day,
                )
            case OrderDecision():
                return actions.order(
                    decision.actor, decision.item, decision.units, day, joint=decision.joint, supplier=decision.supplier
                )
            case MoveDecision() if decision.actor == NATO:
                return actions.nato_move(decision.effector, decision.units, decision.to, decision.origin, day)
            case MoveDecision() if decision.actor == UKRAINE:
                return actions.ukraine_move(decision.effector, decision.units, decision.origin or "", decision.to, day)
            case MoveDecision():
                return actions.redeploy(decision.actor, decision.effector, decision.units, decision.to, day)
            case FundingDecision():
                return actions.fund_ukraine_industry(decision.actor, decision.meur, day, from_budget=True)
            case JointRoundDecision():
                return actions.joint_round(day)
            case AllocateDecision():
                return actions.ukraine_allocate(
                    decision.region, dict(decision.fire_units), dict(decision.interceptors), day
                )
        raise TypeError(f"unknown decision {decision!r}")

    # --- turns ---------------------------------------------------------------------------------------------

    def run_turn(self) -> TurnWindow:
        """Run the next turn's days and stop at the next decision point (or the end).

        Raises:
            GameOver: when the last turn has already run.
        """
        if self.finished:
            raise GameOver("the game is over: the last turn has run")
        model = self.model
        # Refusals are the exception: those of the decision point were reported there, the turn lists its own.
        before = replace(self._last_totals, refused=len(model.ledger.refused))
        turn = self.turn + 1
        first, end = self.turn_range(turn)
        while model.day < end:
            model.step()
            self.stock_history.append((model.day, self.interceptor_stock()))  # as it stands at the end of each day
        # What `AirDefenceModel.run` records at the end, kept current so that metrics can be read at any turn.
        model.ledger.capability_target_fulfilment = model.nato.fulfilment()
        self.turn = turn
        self._last_totals = LedgerSnapshot.take(model)
        return TurnWindow(turn, first, end, before)
