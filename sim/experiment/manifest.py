"""The run manifest: what a run folder was made from, so it can be reproduced and resumed.

``manifest.json`` records versions, the scenario's name, file, overrides and content hash, the base seed
and every replication seed, the command, start and end times and the outcome tally. ``scenario.yaml``
beside it holds the resolved scenario (after ``extends`` and ``--set``), loadable on its own.

:func:`read_manifest` checks the fields that resuming and reporting rely on (their types, the seeds against
the count of replications), so a damaged or hand-edited manifest is a :class:`ManifestError` naming the file,
the field and what is wrong, never a crash further on.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, Literal

import pydantic
import yaml

from sim.experiment.execution import Execution
from sim.experiment.store import atomic_write_text
from sim.scenario.model import Scenario

MANIFEST_FILE = "manifest.json"
RESOLVED_SCENARIO_FILE = "scenario.yaml"
MANIFEST_PROBLEMS_SHOWN = 3
"""A :class:`ManifestError` names at most this many problems of a manifest."""

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
    execution: Execution,
) -> dict[str, Any]:
    """A fresh manifest: the ``kind`` of folder, what was run (``description``, kind-specific), then the fields
    every run, comparison and sweep records — seeds, executor, command, versions, times and status."""
    return {
        "kind": kind,
        **description,
        "base_seed": base_seed,
        "replications": len(seeds),
        "seeds": seeds,
        "executor": {"workers": execution.workers, "scheduler": execution.scheduler},
        "command": execution.command,
        "versions": versions(),
        "started": now_utc(),
        "finished": None,
        "status": "running",
    }


def write_manifest(run_dir: Path, manifest: dict[str, Any]) -> None:
    """Write (or rewrite) the manifest atomically."""
    atomic_write_text(run_dir / MANIFEST_FILE, json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")


class ManifestError(ValueError):
    """A run folder's ``manifest.json`` cannot be used: not JSON, or not of the shape sim writes. The message
    names the file, the field and what is wrong."""


Seed = Annotated[int, pydantic.Field(ge=0, lt=2**63)]
"""A replication seed as the result store keeps it (int64)."""


class _Fields(pydantic.BaseModel):
    """Fields checked for their type; every other field of the manifest is kept as it is."""

    model_config = pydantic.ConfigDict(extra="allow", strict=True)


class _ScenarioEntry(_Fields):
    hash: str


class _ComparedScenario(_Fields):
    label: str
    hash: str
    resolved: str


class _SweptParameter(_Fields):
    name: str
    low: float
    high: float
    value: float | None


class _Manifest(_Fields):
    kind: Literal["run", "compare", "sweep"] = "run"
    base_seed: Seed
    replications: Annotated[int, pydantic.Field(ge=1)]
    seeds: list[Seed]
    resumed: list[str] = []

    @pydantic.model_validator(mode="after")
    def _one_seed_per_replication(self) -> _Manifest:
        if len(self.seeds) != self.replications:
            raise ValueError(f"lists {len(self.seeds)} seeds for {self.replications} replications")
        return self


class _RunManifest(_Manifest):
    scenario: _ScenarioEntry


class _CompareManifest(_Manifest):
    scenarios: Annotated[list[_ComparedScenario], pydantic.Field(min_length=1)]


class _SweepManifest(_Manifest):
    scenario: _ScenarioEntry
    method: str
    samples: int
    design_seed: Seed
    parameters: list[_SweptParameter]
    outcomes: list[str]
    points_hash: str | None = None  # checked against the rebuilt design on resume


_SHAPES: dict[str, type[_Manifest]] = {"run": _RunManifest, "compare": _CompareManifest, "sweep": _SweepManifest}


def _problem_text(problem: Any) -> str:
    where = ".".join(str(part) for part in problem["loc"])
    message = str(problem["msg"]).removeprefix("Value error, ")
    if not where:
        return message
    if problem["type"] == "missing":
        return f"{where}: missing"
    return f"{where}: {message} (found {json.dumps(problem.get('input'), default=str)[:60]})"


def check_manifest(manifest: Any, path: Path) -> dict[str, Any]:
    """Check that a manifest read from ``path`` has the fields, types and seeds that sim relies on.

    Args:
        manifest: The parsed JSON.
        path: The file it came from (for the message).

    Returns:
        The manifest, unchanged.

    Raises:
        ManifestError: If it is not a JSON object, its ``kind`` is unknown, or a field is missing or of the wrong
            type.
    """
    damaged = "(damaged or edited by hand?): start a new run, or restore the file"
    if not isinstance(manifest, dict):
        raise ManifestError(f"{path}: expected a JSON object, found a {type(manifest).__name__} {damaged}")
    kind = manifest.get("kind", "run")
    shape = _SHAPES.get(kind) if isinstance(kind, str) else None
    if shape is None:
        raise ManifestError(f"{path}: kind: expected one of {', '.join(_SHAPES)}, found {kind!r} {damaged}")
    try:
        shape.model_validate(manifest)
    except pydantic.ValidationError as error:
        problems = [_problem_text(problem) for problem in error.errors()]
        shown = "; ".join(problems[:MANIFEST_PROBLEMS_SHOWN])
        more = f" and {len(problems) - MANIFEST_PROBLEMS_SHOWN} more" if len(problems) > MANIFEST_PROBLEMS_SHOWN else ""
        raise ManifestError(f"{path}: {shown}{more} {damaged}") from None
    return manifest


def read_manifest(run_dir: Path) -> dict[str, Any]:
    """Read a run folder's manifest and check its shape (see :func:`check_manifest`).

    Raises:
        FileNotFoundError: if the folder has no manifest (it is not a run folder).
        ManifestError: if the manifest is not JSON or not of the shape sim writes.
    """
    path = run_dir / MANIFEST_FILE
    if not path.is_file():
        raise FileNotFoundError(f"{run_dir} is not a run folder (no {MANIFEST_FILE})")
    try:
        parsed = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as error:
        raise ManifestError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start}); start a new run") from None
    except json.JSONDecodeError as error:
        raise ManifestError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON ({error.msg}); start a new run, or restore the file"
        ) from None
    return check_manifest(parsed, path)
