"""Property tests: any value at any numeric place of a real scenario is refused with a located message, or runs.

Hypothesis draws a place (every number of the baseline scenario, found by walking its loaded document) and a
value (infinities, NaN, 1e308, 2**63, 2**64, −1, 0, huge integers, quoted numbers, booleans, text, lists …),
writes the value there and validates. Either validation refuses it with problems that each name
``file:line:column`` and a key path, or the scenario runs a short horizon in-process without an exception and
with finite outputs. Names are drawn the same way: a name that loads can always become a run folder.

The default suite draws a fixed, small number of examples; ``pytest -m exhaustive`` draws many more.
"""

from __future__ import annotations

import copy
import math
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.api import check_objective_metrics
from sim.experiment.store import create_run_dir
from sim.model.run import run_replication
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import read_scenario_document, validate_document
from sim.scenario.merge import KeyPath, LocatedDocument
from sim.scenario.model import Scenario

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
SHORT_HORIZON_DAYS = 20

DOCUMENT = read_scenario_document(BASELINE)


def _leaves(node: Any, path: KeyPath, keep: Any) -> Iterator[KeyPath]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _leaves(value, (*path, key), keep)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _leaves(value, (*path, index), keep)
    elif keep(node):
        yield path


NUMERIC_PATHS = sorted(
    _leaves(DOCUMENT.data, (), lambda value: isinstance(value, int | float) and not isinstance(value, bool)), key=str
)
NAME_PATHS = sorted(
    [path for path in _leaves(DOCUMENT.data, (), lambda value: isinstance(value, str)) if path[-1] in ("name", "id")]
    + [("name",)],
    key=str,
)

EXTREMES: list[Any] = [
    math.inf,
    -math.inf,
    math.nan,
    1e308,
    -1e308,
    2**63,
    2**63 - 1,
    2**64,
    -(2**63),
    10**400,
    -1,
    0,
    0.5,
    1e-300,
    "32000",
    "1e308",
    ".inf",
    "inf",
    True,
    False,
    None,
    "lots",
    [1, 2],
    {"value": 1e308},
    {"value": "32000"},
    {"value": 5, "low": math.nan, "high": 10},
    {"value": 1, "low": -math.inf, "high": math.inf},
]

VALUES = st.one_of(
    st.sampled_from(EXTREMES),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(min_value=0, max_value=1e7),
    st.integers(min_value=0, max_value=5000),
    st.from_regex(r"-?[0-9]{1,30}(\.[0-9]+)?", fullmatch=True),
)
NAMES = st.one_of(
    st.sampled_from(["", ".", "..", "x[/]", "a/b", "\x1b[31mred", "🚀", "x" * 300, "nul\x00", "Київ", "ok name"]),
    st.text(max_size=100),
)


def patched(path: KeyPath, value: Any) -> LocatedDocument:
    """The baseline document with ``value`` at ``path`` and a short horizon (unless the horizon is the place)."""
    data = copy.deepcopy(DOCUMENT.data)
    node = data
    for segment in path[:-1]:
        node = node[segment]
    node[path[-1]] = value
    if path != ("horizon_days",):
        data["horizon_days"] = SHORT_HORIZON_DAYS
    return LocatedDocument(data, DOCUMENT.locations)


def assert_located(error: ScenarioError) -> None:
    for problem in error.problems:
        assert problem.file == str(BASELINE), problem.format()
        assert problem.line is not None and problem.column is not None, problem.format()
        assert problem.key_path, problem.format()


def assert_runs(scenario: Scenario) -> None:
    if scenario.horizon_days > SHORT_HORIZON_DAYS:
        scenario = scenario.model_copy(update={"horizon_days": SHORT_HORIZON_DAYS})
    result = run_replication(scenario, seed=scenario.seed)
    # A ratio of nothing to nothing (an intercept rate without threats) is NaN by design; nothing is infinite.
    infinite = {name: value for name, value in result["metrics"].items() if math.isinf(value)}
    assert not infinite, infinite
    for name, series in result["timeseries"].items():
        assert np.isfinite(series).all(), name


def check_value_at(path: KeyPath, value: Any) -> None:
    try:
        scenario = validate_document(patched(path, value), extra_checks=(check_objective_metrics,))
    except ScenarioError as error:
        assert_located(error)
        return
    assert_runs(scenario)


def check_name_at(path: KeyPath, name: str) -> None:
    try:
        scenario = validate_document(patched(path, name), extra_checks=(check_objective_metrics,))
    except ScenarioError as error:
        assert_located(error)
        return
    assert all(character.isprintable() for character in name) and 0 < len(name) <= 80
    with tempfile.TemporaryDirectory() as results_root:
        run_dir = create_run_dir(Path(results_root), scenario.name)
        assert run_dir.parent == Path(results_root) and run_dir.is_dir()


FEW = settings(
    max_examples=40, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow], database=None
)
MANY = settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@FEW
@given(path=st.sampled_from(NUMERIC_PATHS), value=VALUES)
def test_any_value_at_a_numeric_place_is_refused_with_a_location_or_runs(path: KeyPath, value: Any) -> None:
    check_value_at(path, value)


@FEW
@given(path=st.sampled_from(NAME_PATHS), name=NAMES)
def test_any_name_is_refused_with_a_location_or_can_name_a_run_folder(path: KeyPath, name: str) -> None:
    check_name_at(path, name)


@pytest.mark.parametrize("value", EXTREMES, ids=repr)
def test_every_extreme_at_the_places_the_issue_lists(value: Any) -> None:
    params = ("actors", "adversary", "raids", "params")
    for path in [
        (*params, "drones_per_night"),
        (*params, "dispersion"),
        (*params, "surge_multiplier"),
        (*params, "missiles_per_strike"),
        (*params, "trend_per_month"),
        ("horizon_days",),
        ("replications",),
        ("seed",),
    ]:
        check_value_at(path, value)


@pytest.mark.exhaustive
@MANY
@given(path=st.sampled_from(NUMERIC_PATHS), value=VALUES)
def test_many_values_at_numeric_places(path: KeyPath, value: Any) -> None:
    check_value_at(path, value)


@pytest.mark.exhaustive
@MANY
@given(path=st.sampled_from(NAME_PATHS), name=NAMES)
def test_many_names(path: KeyPath, name: str) -> None:
    check_name_at(path, name)
