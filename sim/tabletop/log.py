"""The game log: a YAML record of a tabletop game, written as it goes, from which the game can be resumed,
replayed under other seeds and reported on.

The log is rewritten atomically (temp file, fsync, rename) after every turn and after every decision or inject,
accepted or refused, so a crash or Ctrl-C loses nothing: at worst the turn that was running is run again on
resume, which gives the same result because the game is deterministic. Its shape::

    format: sim-tabletop-game-log/1
    scenario: {name, description, file, file_resolved, overrides, hash, start_date, horizon_days, objectives}
    seed: 20250901
    turn_days: 7
    turn_count: 4
    decisions_file: null          # or the decision file the game was played from
    command: sim play …
    versions: {python: …, mesa: …}
    created: …                    # ISO 8601, UTC
    updated: …
    status: playing               # playing | stopped | finished
    turns:
      - turn: 0                   # decision point 0 (the starting situation)
        day: 0                    # the day its entries take effect
        date: '2025-09-01'
        outcome: null             # turns 1…: what happened in the turn (numbers, objectives, highlights, metrics)
        played: [DE, NATO]        # actors played from here on
        released: []              # actors handed back to their policies here (after this point's entries)
        warnings: []              # what played actors left idle at this decision point (stock, money, units)
        entries:                  # in the order carried out
          - decision: {actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}}
            source: prompt        # prompt | file
            done: true
            message: DE gives UA 1 patriot
        closed: true              # the decision point ended and the next turn was started
    final: null                   # after the last turn: every metric and each objective met or not

The ``scenario.yaml`` written beside it holds the resolved scenario (``extends`` and ``--set`` applied), used to
resume or replay the game when the original file is not at hand. A game is only resumed or replayed with a
scenario whose content hash (:func:`~sim.scenario.loader.scenario_hash`) equals the logged one.

The scenario and decision files a log names (``scenario.file``, ``scenario.file_resolved``, ``decisions_file``;
relative ones from the folder ``sim play`` ran in, as it wrote them) are only followed when they lie -- symlinks
followed -- inside the log's folder or the shipped ``scenarios/`` folder
(:func:`~sim.scenario.files.resolve_named_path`): a log that came from elsewhere cannot make the simulator read
any other file. A logged scenario file outside those folders is passed over for the copy beside the log.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import Field, StrictBool, StrictInt, model_validator

from sim.experiment.manifest import RESOLVED_SCENARIO_FILE, now_utc, versions
from sim.experiment.store import atomic_write_text
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.files import MAX_GAME_LOG_BYTES, default_allowed_roots, resolve_named_path
from sim.scenario.loader import load_scenario, scenario_hash
from sim.scenario.merge import LocatedDocument
from sim.scenario.model import Scenario
from sim.scenario.yaml_source import read_yaml_file
from sim.tabletop.decisions import Decision, Entry, Inject, StrictModel, TurnPlan, validate_located

LOG_FORMAT = "sim-tabletop-game-log/1"
LOG_FILE = "game.yaml"


class LogMismatch(Exception):
    """The log does not fit the scenario given, or replaying it does not reproduce what it records."""


class LoggedScenario(StrictModel):
    """What the game was played on."""

    name: str
    description: str = ""
    file: str | None = None
    file_resolved: str | None = None
    overrides: list[str] = Field(default_factory=list)
    hash: str
    start_date: str
    horizon_days: StrictInt
    objectives: list[dict[str, Any]] = Field(default_factory=list)


class LoggedEntry(StrictModel):
    """A decision or an inject, where it came from and what became of it."""

    decision: Decision | None = None
    inject: Inject | None = None
    source: Literal["prompt", "file"] = "prompt"
    done: StrictBool
    message: str

    @model_validator(mode="after")
    def _one_of(self) -> LoggedEntry:
        if (self.decision is None) == (self.inject is None):
            raise ValueError("an entry holds exactly one of 'decision' and 'inject'")
        return self


class LoggedTurn(StrictModel):
    """A decision point and the turn before it."""

    turn: StrictInt = Field(ge=0)
    day: StrictInt = Field(ge=0)
    date: str
    outcome: dict[str, Any] | None = None
    played: list[str] = Field(default_factory=list)
    released: list[str] = Field(default_factory=list)
    warnings: list[str] = Field(default_factory=list)
    entries: list[LoggedEntry] = Field(default_factory=list)
    closed: StrictBool = False


class GameLogFile(StrictModel):
    """The whole log (see the module docstring)."""

    format: Literal["sim-tabletop-game-log/1"]
    scenario: LoggedScenario
    seed: StrictInt = Field(ge=0)
    turn_days: StrictInt = Field(ge=1)
    turn_count: StrictInt = Field(ge=1)
    decisions_file: str | None = None
    command: str = ""
    versions: dict[str, Any] = Field(default_factory=dict)
    created: str
    updated: str
    status: Literal["playing", "stopped", "finished"]
    turns: list[LoggedTurn] = Field(default_factory=list)
    final: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consecutive(self) -> GameLogFile:
        for index, turn in enumerate(self.turns):
            if turn.turn != index:
                raise ValueError(f"turns must be numbered 0, 1, 2 … in order; turns[{index}] is turn {turn.turn}")
            if not turn.closed and index != len(self.turns) - 1:
                raise ValueError(f"only the last turn may be open; turn {turn.turn} is not closed")
        return self


@dataclass(frozen=True)
class GameRecord:
    """A log read back: the validated content, its raw data and the entries of each decision point."""

    path: Path
    log: GameLogFile
    data: dict[str, Any]
    entries: list[list[tuple[Entry, LoggedEntry]]]  # per turn, in order
    document: LocatedDocument = dataclasses.field(repr=False)  # where each key was written, for messages

    def named_file(self, named: str, key_path: tuple[str | int, ...]) -> Path | Problem:
        """A file this log names, resolved, if it lies inside the log's folder or the shipped scenarios.

        Args:
            named: The path as logged; a relative one is taken from the current folder, as ``sim play`` wrote it.
            key_path: Where the log names it, e.g. ``("decisions_file",)``.

        Returns:
            The resolved path, or a located problem naming the path and the rule.
        """
        return resolve_named_path(
            named,
            self.path,
            self.document,
            key_path,
            allowed_roots=default_allowed_roots(self.path, "game log"),
            relative_to=Path.cwd(),
            kind="game log",
        )

    def decisions_path(self) -> Path | None:
        """The decision file the game was played from, if any, checked by :meth:`named_file`.

        Raises:
            ScenarioError: when the logged file lies outside the allowed folders.
        """
        named = self.log.decisions_file
        if named is None:
            return None
        checked = self.named_file(named, ("decisions_file",))
        if isinstance(checked, Problem):
            raise ScenarioError([dataclasses.replace(checked, expected="the decision file given with --decisions")])
        return checked

    @property
    def finished(self) -> bool:
        """True when the last turn has run."""
        return self.log.status == "finished"

    def plans(self, until_turn: int | None = None) -> dict[int, TurnPlan]:
        """The decision points as plans (played actors so far, entries in order), up to but excluding a turn."""
        plans: dict[int, TurnPlan] = {}
        played: frozenset[str] = frozenset()
        for turn, entries in zip(self.log.turns, self.entries, strict=True):
            if until_turn is not None and turn.turn >= until_turn:
                break
            played = played | frozenset(turn.played)
            released = frozenset(turn.released)
            played_after = played - released
            if turn.turn < self.log.turn_count:
                plans[turn.turn] = TurnPlan(turn.turn, played_after, tuple(entry for entry, _ in entries), released)
            played = played_after
        return plans


def read_game_log(path: str | Path) -> GameRecord:
    """Read and validate a game log.

    Raises:
        ScenarioError: with located problems when the file is not a valid game log.
    """
    document = LocatedDocument.from_yaml(read_yaml_file(path, MAX_GAME_LOG_BYTES))
    if not isinstance(document.data, dict):
        raise ScenarioError(
            [Problem(str(path), 1, 1, "", "this is not a game log", expected=f"a mapping with format: {LOG_FORMAT}")]
        )
    if document.data.get("format") != LOG_FORMAT:
        raise ScenarioError(
            [document.problem(("format",), "this is not a game log of this version", expected=f"format: {LOG_FORMAT}")]
        )
    log: GameLogFile = validate_located(document, GameLogFile)
    entries: list[list[tuple[Entry, LoggedEntry]]] = []
    for index, turn in enumerate(log.turns):
        raw_entries = document.data["turns"][index].get("entries") or []
        turn_entries = []
        for logged, raw in zip(turn.entries, raw_entries, strict=True):
            item = logged.decision if logged.decision is not None else logged.inject
            raw_item = raw["decision"] if logged.decision is not None else raw["inject"]
            turn_entries.append((Entry(item, raw_item), logged))
        entries.append(turn_entries)
    return GameRecord(Path(path), log, document.data, entries, document)


def load_logged_scenario(
    record: GameRecord, scenario_file: str | Path | None = None, overrides: Sequence[str] | None = None
) -> Scenario:
    """The scenario a logged game was played on, checked by its content hash.

    Looks for, in order: ``scenario_file`` (with ``overrides``, else the logged ones) if given; the logged file
    as written, then as resolved, with the logged overrides; the resolved ``scenario.yaml`` beside the log.

    Raises:
        ScenarioError: when the scenario file is invalid.
        LogMismatch: when no file is found, or the scenario differs from the one the game was played on.
    """
    logged = record.log.scenario
    candidates: list[tuple[Path, Sequence[str]]] = []
    refused: list[Problem] = []
    if scenario_file is not None:
        candidates.append((Path(scenario_file), overrides if overrides is not None else logged.overrides))
    else:
        for key, name in (("file", logged.file), ("file_resolved", logged.file_resolved), (None, None)):
            if key is None:  # the copy beside the log: checked too, it may be a link to elsewhere
                checked = resolve_named_path(RESOLVED_SCENARIO_FILE, record.path, record.document, (), kind="game log")
            elif name:
                checked = record.named_file(name, ("scenario", key))
            else:
                continue
            if isinstance(checked, Problem):
                refused.append(checked)
            else:
                candidates.append((checked, logged.overrides if key is not None else ()))
    for path, sets in candidates:
        if not path.is_file():
            continue
        scenario = load_scenario(path, sets)
        if scenario_hash(scenario) != logged.hash:
            if scenario_file is None and path.name != RESOLVED_SCENARIO_FILE:
                continue  # the original file changed since; the resolved copy beside the log may still match
            raise LogMismatch(
                f"{path} (with --set {' '.join(sets) or 'nothing'}) is not the scenario this game was played on "
                f"(its content hash differs); use the same file and --set options, or leave SCENARIO out to use "
                f"the copy beside the log"
            )
        return scenario
    tried = ", ".join(str(path) for path, _ in candidates) or "no file it may read"
    if refused:
        raise ScenarioError(
            [
                *refused,
                Problem(
                    str(record.path),
                    None,
                    None,
                    "",
                    f"cannot find the scenario of this game (tried {tried})",
                    expected="the scenario file given on the command line",
                ),
            ]
        )
    raise LogMismatch(f"cannot find the scenario of this game (tried {tried}); give the scenario file")


def _plain(value: Any) -> Any:
    """Data YAML can hold: numpy scalars become floats, tuples lists, keys strings."""
    if isinstance(value, Mapping):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, bool | str | int) or value is None:
        return value
    if isinstance(value, float):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    return int(number) if number.is_integer() and not math.isinf(number) and abs(number) < 2**53 else number


_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter when PyYAML was built with it


def _dump(data: Any) -> str:
    return yaml.dump(_plain(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)


class GameLog:
    """The log being written (see the module docstring); every change is saved at once, atomically.

    Closed turns never change, so their YAML is kept and only the header and the open turn are emitted again on
    each save: a save costs the same at the end of a year-long game as at its start.
    """

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self._closed_text: list[str] = []  # YAML of turns[i] for the closed turns at the start of the list

    @classmethod
    def create(
        cls,
        path: Path,
        scenario: Scenario,
        *,
        seed: int,
        turn_days: int,
        turn_count: int,
        source_file: str | None,
        overrides: Sequence[str],
        decisions_file: str | None,
        command: str,
    ) -> GameLog:
        """Start the log of a new game (and save it)."""
        now = now_utc()
        data: dict[str, Any] = {
            "format": LOG_FORMAT,
            "scenario": {
                "name": scenario.name,
                "description": " ".join(scenario.description.split()),
                "file": source_file,
                "file_resolved": str(Path(source_file).resolve()) if source_file else None,
                "overrides": list(overrides),
                "hash": scenario_hash(scenario),
                "start_date": scenario.start_date.isoformat(),
                "horizon_days": scenario.horizon_days,
                "objectives": [objective.model_dump(mode="json") for objective in scenario.objectives],
            },
            "seed": seed,
            "turn_days": turn_days,
            "turn_count": turn_count,
            "decisions_file": decisions_file,
            "command": command,
            "versions": versions(),
            "created": now,
            "updated": now,
            "status": "playing",
            "turns": [],
            "final": None,
        }
        log = cls(path, data)
        log.save()
        return log

    @classmethod
    def from_record(cls, record: GameRecord) -> GameLog:
        """Continue writing a log that was read back."""
        return cls(record.path, record.data)

    @property
    def turns(self) -> list[dict[str, Any]]:
        """The turn records written so far."""
        turns: list[dict[str, Any]] = self.data["turns"]
        return turns

    def save(self) -> None:
        """Write the log atomically."""
        self.data["updated"] = now_utc()
        turns = self.turns
        while len(self._closed_text) < len(turns) and turns[len(self._closed_text)]["closed"]:
            self._closed_text.append(_dump([turns[len(self._closed_text)]]))
        header = {key: value for key, value in self.data.items() if key not in ("turns", "final")}
        parts = ["# Tabletop game log (sim play); resume: sim play --resume THIS_FILE\n", _dump(header), "turns:\n"]
        parts += self._closed_text
        parts += [_dump([turn]) for turn in turns[len(self._closed_text) :]]
        if not turns:
            parts[-1] = "turns: []\n"
        parts.append(_dump({"final": self.data.get("final")}))
        atomic_write_text(self.path, "".join(parts))

    def open_turn(self, turn: int, day: int, date: str, outcome: Mapping[str, Any] | None) -> None:
        """Record a turn that has run (or decision point 0) and open its decision point."""
        self.turns.append(
            {
                "turn": turn,
                "day": day,
                "date": date,
                "outcome": dict(outcome) if outcome is not None else None,
                "played": [],
                "released": [],
                "warnings": [],
                "entries": [],
                "closed": False,
            }
        )
        self.save()

    def add_played(self, actors: Iterable[str]) -> None:
        """Record actors played from the current decision point on."""
        turn = self.turns[-1]
        played = turn["played"]
        played.extend(actor for actor in sorted(set(actors)) if actor not in played)
        released = turn.get("released", [])
        released[:] = [actor for actor in released if actor not in set(actors)]  # played again after a release
        self.save()

    def add_released(self, actors: Iterable[str]) -> None:
        """Record actors handed back to their policies at the current decision point."""
        released = self.turns[-1].setdefault("released", [])
        released.extend(actor for actor in sorted(set(actors)) if actor not in released)
        self.save()

    def add_warnings(self, warnings: Iterable[str]) -> None:
        """Record what played actors leave idle at the current decision point."""
        self.turns[-1].setdefault("warnings", []).extend(warnings)
        self.save()

    def add_entry(self, entry: Entry, done: bool, message: str, source: str) -> None:
        """Record a decision or inject and what became of it."""
        self.turns[-1]["entries"].append(
            {
                "decision" if entry.is_decision else "inject": dict(entry.raw),
                "source": source,
                "done": done,
                "message": message,
            }
        )
        self.save()

    def remove_last_entry(self) -> dict[str, Any]:
        """Take back the last entry of the open decision point (``undo``); returns it."""
        entry: dict[str, Any] = self.turns[-1]["entries"].pop()
        self.save()
        return entry

    def close_turn(self) -> None:
        """The decision point is over; the next turn starts."""
        self.turns[-1]["closed"] = True
        self.save()

    def set_status(self, status: str, final: Mapping[str, Any] | None = None) -> None:
        """Mark the game stopped (resumable) or finished (with its final outcome)."""
        self.data["status"] = status
        if final is not None:
            self.data["final"] = dict(final)
        self.save()
