"""Mutation tests: corrupted copies of the shipped scenarios load, or fail with located problems — never a traceback.

Each mutant is a shipped scenario file's text with one deterministic corruption: a line deleted or
duplicated (a duplicate key), a value replaced by an extreme number, a quoted number or a value of another
type (a list, a mapping, a boolean, null, text), an indentation changed, the file cut short, a stray character
inserted. Every mutant is loaded as a user's file would be (``extends`` and all); it must load, or raise
:class:`ScenarioError` whose every problem names the file and a line. A small sample of the mutants that
load is run for a short horizon.

The default suite loads a few hundred mutants; ``pytest -m exhaustive`` loads thousands.
"""

from __future__ import annotations

import functools
import math
import random
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sim.api import load_scenario
from sim.model.run import run_replication
from sim.scenario import loader
from sim.scenario.errors import ScenarioError
from sim.scenario.model import Scenario
from sim.scenario.yaml_source import YamlDocument

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
DEFAULT_MUTANTS_PER_FILE = 45
EXHAUSTIVE_MUTANTS_PER_FILE = 500  # 3,500 mutants: about 10 minutes on a quiet core
RUN_EVERY = 25  # run one loading mutant in this many for a short horizon
SHORT_HORIZON_DAYS = 15

EXTREME_VALUES = [
    ".inf",
    "-.inf",
    ".nan",
    "1e308",
    "-1e308",
    "9223372036854775808",
    "18446744073709551616",
    "1" + "0" * 400,
    "-1",
    "0",
    "'32000'",
    '"1e3"',
    "true",
    "null",
    "~",
    "[1, 2]",
    "{a: 1}",
    "{value: .nan}",
    "{value: 1, low: 2, high: 0}",
    "lots",
    "''",
    '"x[/]"',
    '"\\e[31mred"',
    '"' + "x" * 300 + '"',
    "9999-12-31",
    "NO",
]
_VALUE = re.compile(r"^(?P<head>\s*(?:-\s+)?[^\s:#][^:#]*:\s+)(?P<value>[^#\n]+?)(?P<tail>\s*(?:#.*)?)$")
_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?(?![\w.])")

EXTENDS = "extends:"
"""Values of ``extends`` are left alone: its path rules are tested in test_scenario_paths.py (and one case below)."""

Mutation = Callable[[list[str], random.Random], list[str] | None]


def _delete_line(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    return lines[:index] + lines[index + 1 :]


def _duplicate_line(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    return [*lines[: index + 1], lines[index], *lines[index + 1 :]]


def _replace_value(lines: list[str], rng: random.Random) -> list[str] | None:
    candidates = [i for i, line in enumerate(lines) if _VALUE.match(line) and not line.startswith(EXTENDS)]
    if not candidates:
        return None
    index = rng.choice(candidates)
    match = _VALUE.match(lines[index])
    assert match is not None
    replaced = f"{match['head']}{rng.choice(EXTREME_VALUES)}{match['tail']}"
    return [*lines[:index], replaced, *lines[index + 1 :]]


def _replace_number(lines: list[str], rng: random.Random) -> list[str] | None:
    candidates = [
        (i, m.span()) for i, line in enumerate(lines) if not line.startswith(EXTENDS) for m in _NUMBER.finditer(line)
    ]
    if not candidates:
        return None
    index, (start, end) = rng.choice(candidates)
    line = lines[index]
    return [*lines[:index], line[:start] + rng.choice(EXTREME_VALUES[:12]) + line[end:], *lines[index + 1 :]]


def _change_indentation(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    line = lines[index]
    changed = line[2:] if line.startswith("  ") and rng.random() < 0.5 else " " * rng.choice((1, 2, 4)) + line
    return [*lines[:index], changed, *lines[index + 1 :]]


def _cut_short(lines: list[str], rng: random.Random) -> list[str]:
    return lines[: rng.randrange(len(lines))]


STRAY_CHARACTERS = ["\t", ":", "-", "[", "{", "'", '"', "&a", "*a", "!!"]


def _insert_character(lines: list[str], rng: random.Random) -> list[str]:
    index = rng.randrange(len(lines))
    line = lines[index]
    at = rng.randrange(len(line) + 1)
    return [*lines[:index], line[:at] + rng.choice(STRAY_CHARACTERS) + line[at:], *lines[index + 1 :]]


MUTATIONS: list[Mutation] = [
    _delete_line,
    _duplicate_line,
    _replace_value,
    _replace_value,
    _replace_number,
    _replace_number,
    _change_indentation,
    _cut_short,
    _insert_character,
]


def mutants(text: str, count: int, seed: int) -> Iterator[str]:
    """``count`` deterministic corruptions of ``text`` (some may happen to equal it)."""
    rng = random.Random(seed)
    lines = text.splitlines()
    produced = 0
    while produced < count:
        mutated = rng.choice(MUTATIONS)(lines, rng)
        if mutated is None:
            continue
        produced += 1
        yield "\n".join(mutated) + "\n"


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with every shipped scenario, so a mutated child still finds the parent it extends."""
    folder = tmp_path_factory.mktemp("scenarios")
    for path in SHIPPED:
        shutil.copy(path, folder / path.name)
    return folder


@pytest.fixture
def parents_read_once(monkeypatch: pytest.MonkeyPatch, workspace: Path) -> None:
    """Read each unmutated shipped file once (the loader's pipeline is unchanged; parsing 700 lines is not free)."""
    read = loader.read_yaml_file

    @functools.cache
    def cached(path: Path) -> YamlDocument:
        return read(path)

    def read_yaml_file(path: Path) -> YamlDocument:
        return cached(Path(path)) if Path(path).parent == workspace else read(path)

    monkeypatch.setattr(loader, "read_yaml_file", read_yaml_file)


def check_mutants(workspace: Path, per_file: int) -> tuple[int, int]:
    """Load ``per_file`` mutants of every shipped file; return (loaded, refused)."""
    loaded = refused = 0
    for file_index, original in enumerate(SHIPPED):
        text = original.read_text(encoding="utf-8")
        for index, mutant in enumerate(mutants(text, per_file, seed=file_index)):
            path = workspace / "mutants" / f"{index}-{original.name}"
            path.parent.mkdir(exist_ok=True)
            path.write_text(mutant, encoding="utf-8")
            try:
                scenario = load_scenario(path)
            except ScenarioError as error:
                refused += 1
                for problem in error.problems:
                    where = f"mutant {index} of {original.name}: {problem.format()}\n--- mutant ---\n{mutant}"
                    assert problem.file and problem.line is not None, where
                continue
            loaded += 1
            if loaded % RUN_EVERY == 1:
                run_short(scenario)
    return loaded, refused


def run_short(scenario: Scenario) -> None:
    short = scenario.model_copy(update={"horizon_days": min(scenario.horizon_days, SHORT_HORIZON_DAYS)})
    metrics = run_replication(short, seed=scenario.seed)["metrics"]
    assert not [name for name, value in metrics.items() if math.isinf(value)]


@pytest.mark.usefixtures("parents_read_once")
def test_mutated_scenarios_load_or_say_where_they_are_wrong(workspace: Path) -> None:
    loaded, refused = check_mutants(workspace, DEFAULT_MUTANTS_PER_FILE)
    assert loaded + refused == DEFAULT_MUTANTS_PER_FILE * len(SHIPPED)
    assert refused > loaded > 0  # most corruptions are refused, and some are harmless (a deleted comment)


def test_an_over_long_extends_path_is_a_located_problem(workspace: Path) -> None:
    path = workspace / "long-extends.yaml"
    path.write_text(f"extends: {'x' * 300}.yaml\nname: long\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    assert caught.value.problems[0].format() == (
        f"{path}:1:1: extends: the scenario it extends cannot be looked up: File name too long "
        "(expected a path relative to this file, of a length the file system allows)"
    )


@pytest.mark.exhaustive
@pytest.mark.usefixtures("parents_read_once")
def test_many_mutated_scenarios(workspace: Path) -> None:
    loaded, refused = check_mutants(workspace, EXHAUSTIVE_MUTANTS_PER_FILE)
    assert loaded + refused == EXHAUSTIVE_MUTANTS_PER_FILE * len(SHIPPED)
