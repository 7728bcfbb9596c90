"""The run manifest: what a run folder was made from, so it can be reproduced and resumed.

``manifest.json`` records versions, the scenario's name, file, overrides and content hash, the base seed
and every replication seed, the command, start and end times and the outcome tally. ``scenario.yaml``
beside it holds the resolved scenario (after ``extends`` and ``--set``), loadable on its own.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from sim.experiment.store import atomic_write_text
from sim.scenario.model import Scenario

MANIFEST_FILE = "manifest.json"
RESOLVED_SCENARIO_FILE = "scenario.yaml"
PACKAGES = ("eu-airdefence-sim", "mesa", "numpy", "pandas", "pydantic", "scipy", "SALib", "distributed")


def versions() -> dict[str, str]:
    """Python, platform and the versions of the packages results depend on."""
    found = {"python": sys.version.split()[0], "platform": platform.platform()}
    for package in PACKAGES:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "not installed"
    return found


def now_utc() -> str:
    """The current time, ISO 8601 in UTC."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def write_resolved_scenario(run_dir: Path, scenario: Scenario) -> Path:
    """Write the resolved scenario as YAML (loadable with ``load_scenario``)."""
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    header = "# Resolved scenario of this run (extends and --set applied). Load it to reproduce the run.\n"
    path = run_dir / RESOLVED_SCENARIO_FILE
    atomic_write_text(path, header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return path


def new_manifest(
    kind: str,
    description: dict[str, Any],
    *,
    base_seed: int,
    seeds: list[int],
    workers: int | None,
    scheduler: str | None,
    command: str,
) -> dict[str, Any]:
    """A fresh manifest: the ``kind`` of folder, what was run (``description``, kind-specific), then the fields
    every run, comparison and sweep records — seeds, executor, command, versions, times and status."""
    return {
        "kind": kind,
        **description,
        "base_seed": base_seed,
        "replications": len(seeds),
        "seeds": seeds,
        "executor": {"workers": workers, "scheduler": scheduler},
        "command": command,
        "versions": versions(),
        "started": now_utc(),
        "finished": None,
        "status": "running",
    }


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write (or rewrite) the manifest atomically."""
    atomic_write_text(run_dir / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """Read a run folder's manifest.

    Raises:
        FileNotFoundError: if the folder has no manifest (it is not a run folder).
    """
    path = run_dir / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run folder (no {MANIFEST_FILE})")
    result: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return result
