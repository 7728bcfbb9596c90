"""The replay the map needs, run once per result folder and kept in it.

The map (:mod:`sim.report.map`) shows the layers deployed at the end of a scenario's first replication, which the
run does not store: :func:`~sim.report.map.deployed_fire_units` replays that replication (a run is a pure function
of scenario and seed). The first report of a folder replays it, on the report's executor beside the other figures;
the answer is kept in ``map_replay.json`` in the folder, keyed by the resolved scenario and the seed, so a report
drawn again (``sim report``) reads it instead of running the model.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from sim.experiment.store import atomic_write_text
from sim.report.map import deployed_fire_units
from sim.scenario.loader import scenario_hash
from sim.scenario.model import Scenario

REPLAY_FILE = "map_replay.json"
"""The folder's kept replays: ``{key: {region: {effector: fire units}}}``."""

Deployed = dict[str, dict[str, int]]
"""Fire units by region and effector at the end of a replication."""


def replay_key(scenario: Scenario, seed: int) -> str:
    """What a kept replay is valid for: the resolved scenario's content (:func:`~sim.scenario.loader.scenario_hash`,
    all its numbers, not the ``extends`` that says where they came from) and the seed."""
    return f"{scenario_hash(scenario)[:16]}-{seed}"


def _kept(run_dir: Path) -> dict[str, Deployed]:
    path = run_dir / REPLAY_FILE
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # absent or damaged: replay again
        return {}
    return kept if isinstance(kept, dict) else {}


@dataclass(frozen=True)
class MapReplay:
    """A replay under way (or read from the folder): the seed replayed and its answer when it is ready."""

    seed: int
    run_dir: Path
    key: str
    future: Future[Deployed]

    def deployed(self) -> Deployed:
        """The fire units by region and effector; a new answer is kept in the folder (atomically)."""
        deployed = self.future.result()
        kept = _kept(self.run_dir)
        if kept.get(self.key) != deployed:
            kept[self.key] = deployed
            atomic_write_text(self.run_dir / REPLAY_FILE, json.dumps(kept, indent=1, sort_keys=True))
        return deployed


def start_map_replay(
    submit: Callable[..., Future[Deployed]], run_dir: Path, scenario: Scenario, seed: int | None
) -> MapReplay | None:
    """Start the replay of ``seed`` for the map of ``scenario``, or take it from the folder.

    Args:
        submit: Where to run it (:meth:`sim.report.figure_blocks.FigureSaver.submit`).
        run_dir: The result folder, which keeps the answer.
        scenario: The resolved scenario.
        seed: The first replication's seed; None (no seeds recorded): no replay, the map shows the start.
    """
    if seed is None:
        return None
    key = replay_key(scenario, seed)
    kept = _kept(run_dir).get(key)
    if kept is not None:
        future: Future[Deployed] = Future()
        future.set_result(
            {region: {name: int(count) for name, count in units.items()} for region, units in kept.items()}
        )
        return MapReplay(seed, run_dir, key, future)
    return MapReplay(seed, run_dir, key, submit(deployed_fire_units, scenario, seed))
