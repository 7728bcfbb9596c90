"""Agents, actions and policies talk to the world through ``Surroundings`` (sim/model/surroundings.py), not
through ``AirDefenceModel``; the model keeps its working parts private.

A static check over the source (like tests/test_one_definition.py) and checks of the running model, plus the
behaviour of the pieces the interface is made of: the threat picture, the adversary's injected threats, Ukraine's
depot in the force posture and the actors' directory.
"""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import mesa
import numpy as np
import pytest

from sim.model.agents.adversary import AdversaryAgent
from sim.model.agents.eu import EUAgent
from sim.model.agents.member_state import MemberStateAgent
from sim.model.agents.nato import NATOAgent
from sim.model.agents.supplier import SupplierAgent
from sim.model.agents.ukraine import UkraineAgent
from sim.model.splits import UnitSplit
from sim.model.surroundings import Surroundings
from sim.model.threat_picture import ThreatPicture
from sim.model.world import AirDefenceModel
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario

SIM = Path(__file__).resolve().parents[1] / "sim"
BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
ACTOR_SOURCES = sorted([*(SIM / "model" / "agents").glob("*.py"), SIM / "model" / "actions.py"])
POLICY_SOURCES = sorted((SIM / "model" / "policies").glob("*.py"))

PUBLIC_MODEL_ATTRIBUTES = {
    "spec",
    "seed",
    "tables",
    "horizon_days",
    "day",
    "posture",
    "ledger",
    "market",
    "actions",
    "sensors",
}
"""What a model holds in public besides Mesa's own: what tabletop play, reports and tests read. Everything else
it holds (streams, events, the actors' directory, the threat picture, the night's constants and caches) is
private; read-only properties (``eu``, ``nato``, ``ukraine``, ``member_states``, ``incursion_history`` …) serve
the readers."""


def reaches_of_the_model(source: str, name: str) -> list[str]:
    """Every place in source text that reaches the model: ``model.x``, ``self.model`` (and ``….model.x``), an
    import of ``sim.model.world`` (under TYPE_CHECKING too), or a private member of another object (``other._x``).
    """
    found = []
    for node in ast.walk(ast.parse(source)):
        where = f"{name}:{getattr(node, 'lineno', 0)}"
        if isinstance(node, ast.ImportFrom) and node.module == "sim.model.world":
            found.append(f"{where}: imports sim.model.world")
        if isinstance(node, ast.Import) and any(alias.name == "sim.model.world" for alias in node.names):
            found.append(f"{where}: imports sim.model.world")
        if not isinstance(node, ast.Attribute):
            continue
        value = node.value
        if isinstance(value, ast.Name) and value.id == "model":
            found.append(f"{where}: model.{node.attr}")
        elif isinstance(value, ast.Attribute) and value.attr == "model":
            found.append(f"{where}: ….model.{node.attr}")
        elif node.attr == "model" and isinstance(value, ast.Name) and value.id == "self":
            found.append(f"{where}: self.model")
        elif (
            node.attr.startswith("_")
            and not node.attr.startswith("__")
            and not (isinstance(value, ast.Name) and value.id in ("self", "cls"))
        ):
            found.append(f"{where}: a private member .{node.attr} of another object")
    return sorted(found, key=lambda line: int(line.split(":")[1]))


def test_the_guard_finds_what_it_forbids() -> None:
    source = (
        "from sim.model.world import AirDefenceModel\n"
        "def f(self, model, other):\n"
        "    model.ledger\n"
        "    self.model.market\n"
        "    other._streams\n"
        "    self._own\n"
        "    other.__class__\n"
    )
    found = reaches_of_the_model(source, "sample.py")
    assert sorted(found) == sorted(
        [
            "sample.py:1: imports sim.model.world",
            "sample.py:3: model.ledger",
            "sample.py:4: ….model.market",
            "sample.py:4: self.model",
            "sample.py:5: a private member ._streams of another object",
        ]
    )


@pytest.mark.parametrize("path", ACTOR_SOURCES + POLICY_SOURCES, ids=lambda path: str(path.relative_to(SIM)))
def test_agents_actions_and_policies_do_not_reach_into_the_model(path: Path) -> None:
    assert reaches_of_the_model(path.read_text(encoding="utf-8"), str(path.relative_to(SIM))) == []


@pytest.mark.parametrize("agent", [EUAgent, NATOAgent, MemberStateAgent, UkraineAgent, AdversaryAgent, SupplierAgent])
def test_every_agent_is_built_from_the_mesa_model_and_its_surroundings(agent: type[mesa.Agent]) -> None:
    parameters = list(inspect.signature(agent.__init__).parameters.values())
    assert [parameter.name for parameter in parameters[1:3]] == ["model", "surroundings"]
    assert parameters[1].annotation in ("mesa.Model", mesa.Model)
    assert parameters[2].annotation in ("Surroundings", Surroundings)


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE, overrides=["horizon_days=20"])


def test_the_model_keeps_its_working_parts_private(baseline: Scenario) -> None:
    model = AirDefenceModel(baseline, 1)
    mesa_own = set(vars(mesa.Model(rng=1)))
    public = {name for name in vars(model) if not name.startswith("_")} - mesa_own
    assert public == PUBLIC_MODEL_ATTRIBUTES


def test_the_readers_properties_are_the_owners_state(baseline: Scenario) -> None:
    model = AirDefenceModel(baseline, 1)
    model.run()
    assert model.fire_units is model.posture.fire_units
    assert model.munitions is model.posture.munitions
    assert model.ukraine.depot_fire_units is model.posture.depot_fire_units
    assert model.ukraine.depot_munitions is model.posture.depot_munitions
    assert model.incursion_history.shape == (21, len(model.tables.region_names))
    assert [state.code for state in model.member_states] == list(baseline.actors.member_states)
    assert model.member_state("PL").code == "PL"


def test_the_threat_picture_sums_windows_of_nights() -> None:
    picture = ThreatPicture(horizon_days=5, regions=3, ukraine_regions=2)
    picture.record_incursions(1, 2, 3)
    picture.record_incursions(1, 2, 1)
    picture.record_incursions(4, 0, 2)
    picture.record_threats_at_ukraine(2, np.array([7, 1]))
    picture.record_threats_at_ukraine(3, np.array([5, 0]))
    assert picture.incursions_between(0, 4).tolist() == [0, 0, 4]  # night 4 is not in [0, 4)
    assert picture.incursions_between(1, 5).tolist() == [2, 0, 4]
    assert picture.threats_at_ukraine_between(2, 4).tolist() == [12, 1]
    assert picture.threats_at_ukraine_between(0, 2).tolist() == [0, 0]


def test_injected_threats_fly_tonight_only(baseline: Scenario) -> None:
    model = AirDefenceModel(baseline, 1)
    tables = model.tables
    pl, shahed = tables.region_index("PL"), tables.threat_index("shahed")
    adversary = model.adversary
    adversary.stock[:] = 10**6
    planned = adversary.planned[0, pl, shahed]
    result = model.actions.incursion("PL", 7, "shahed", 2.0, 0)
    assert result.done
    assert model.incursion_history[0, pl] == 1
    incoming, injected = adversary.tonight(0)
    assert injected and incoming[pl, shahed] == planned + 7
    incoming, injected = adversary.tonight(1)
    assert not injected and incoming[pl, shahed] == adversary.planned[1, pl, shahed]


def test_deliveries_reach_ukraines_depot_and_a_states_home(baseline: Scenario) -> None:
    model = AirDefenceModel(baseline, 1)
    tables = model.tables
    posture = model.posture
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    depot, rounds = int(posture.depot_fire_units[patriot]), int(posture.depot_munitions[pac3])
    home = int(posture.fire_units[tables.region_index("DE"), patriot])
    actors = model.actions.surroundings.actors
    actors.deliver("UA", "patriot", 2)
    actors.deliver("UA", "pac3_mse", 30)
    actors.deliver("DE", "patriot", 1)
    assert posture.depot_fire_units[patriot] == depot + 2
    assert posture.depot_munitions[pac3] == rounds + 30
    assert posture.fire_units[tables.region_index("DE"), patriot] == home + 1
    assert actors.supplier("no such supplier") is None
    assert not actors.is_member_state("UA") and actors.is_member_state("DE")


def test_the_depot_empties_into_ukraines_regions_by_the_split(baseline: Scenario) -> None:
    model = AirDefenceModel(baseline, 1)
    tables = model.tables
    posture = model.posture
    posture.depot_fire_units[:] = 0
    posture.depot_munitions[:] = 0
    assert posture.depot_is_empty()
    patriot, pac3 = tables.effector_index("patriot"), tables.munition_index("pac3_mse")
    posture.depot_fire_units[patriot] = 3
    posture.depot_munitions[pac3] = 10
    regions = tables.ukraine_regions
    before_units = posture.fire_units[regions, patriot].copy()
    before_rounds = posture.munitions[regions, pac3].copy()
    weights = np.zeros(len(regions))
    weights[0], weights[1] = 2.0, 1.0  # kyiv twice kharkiv, nothing elsewhere
    posture.send_out_depot(regions, UnitSplit(weights))
    assert (posture.fire_units[regions, patriot] - before_units).tolist()[:2] == [2, 1]
    assert (posture.munitions[regions, pac3] - before_rounds).sum() == 10
    assert (posture.munitions[regions, pac3] - before_rounds).tolist()[2:] == [0] * (len(regions) - 2)
    assert posture.depot_is_empty()
    assert posture.depot_munitions[posture.no_munition] == 0
