"""The controls the web app offers for a scenario: every contested parameter and the key levers, grouped by actor.

Nothing here names a scenario path: the levers are found in the scenario's own parameters (its provenance table,
:func:`sim.scenario.provenance.provenance_rows`), so parameters other parts of the model add later (launch teams,
sensor budgets …) appear as soon as a scenario carries them.

* A **contested** parameter (one with ``low`` < ``high``) gets a slider over its sourced range.
* A **key lever** is a parameter whose key path names something a decision maker can change
  (:data:`LEVER_WORDS`: budgets, joint-procurement shares, donations, production capacities, launch teams,
  sensors, funding, fire units); it gets a slider from 0 to twice its value (0 to 1 for a share or probability).

Each control's key path is the ``--set`` path of ``sim run``, so the page can show the command line that repeats the
run (:func:`command_line`).
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from pydantic import BaseModel

from sim.scenario.errors import ScenarioError
from sim.scenario.files import shipped_scenarios_folder
from sim.scenario.merge import KeyPath, LocatedDocument
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, provenance_rows
from sim.scenario.references import walk_params
from sim.scenario.yaml_source import read_yaml_bytes

__all__ = [
    "LEVER_WORDS",
    "Lever",
    "command_line",
    "group_title",
    "lever_overrides",
    "scenario_levers",
    "upload_setup",
]

LEVER_WORDS: tuple[str, ...] = (
    "budget",
    "joint_procurement_share",
    "donat",
    "capacity_per_month",
    "team",
    "sensor",
    "funding",
    "fire_units",
    "launch",
)
"""Words in a key path that mark a parameter a decision maker can change (matched anywhere in the path)."""

NOT_LEVERS: tuple[str, ...] = ("catalog", "capability_targets")
"""Parts of a scenario that hold no decision (the technical catalog, NATO's targets): only their contested
parameters get controls."""

_SHARE_WORDS = ("share", "probability", "fraction", "rate")
"""Words in a parameter's name that make it a share between 0 and 1 (when its value lies there)."""

SLIDER_STEPS = 100
"""How many steps a slider of fractional values has over its range."""


@dataclass(frozen=True)
class Lever:
    """One control of the Explore page.

    Attributes:
        key_path: The ``--set`` path, e.g. ``actors.member_states.PL.detection_probability``.
        group: The actor (or part of the scenario) it belongs to, e.g. ``Poland (PL)``.
        label: A short name for the control (the path below the group).
        value: The scenario's value.
        low: The slider's lower end.
        high: The slider's upper end.
        step: The slider's step (1 for counts).
        contested: True when the range is the parameter's sourced ``low``–``high``.
        source: Where the number comes from (a source's description), or "".
        note: The parameter's note (``assumption: …`` marks an assumption), or "".
    """

    key_path: str
    group: str
    label: str
    value: float
    low: float
    high: float
    step: float
    contested: bool
    source: str
    note: str

    @property
    def input_id(self) -> str:
        """An identifier for the page's control, made only of letters, digits and underscores."""
        return "lever_" + "".join(character if character.isalnum() else "_" for character in self.key_path)

    def override(self, value: float) -> str:
        """The ``key.path=value`` text that sets this parameter (a count is written as a whole number)."""
        return f"{self.key_path}={_number_text(value, self.step)}"


def _number_text(value: float, step: float) -> str:
    if step >= 1 and float(value).is_integer():
        return str(int(value))
    return f"{value:.6g}"


def _is_share(row: ProvenanceRow) -> bool:
    return any(word in row.key_path for word in _SHARE_WORDS) and 0.0 <= row.value <= 1.0


def _is_lever(row: ProvenanceRow) -> bool:
    if any(part in row.key_path for part in NOT_LEVERS):
        return False
    return any(word in row.key_path for word in LEVER_WORDS)


def _step(low: float, high: float, whole: bool) -> float:
    span = high - low
    if whole:
        return float(max(1, round(span / SLIDER_STEPS)))
    return float(f"{span / SLIDER_STEPS:.1g}")  # one significant digit keeps the labels readable


def _written(scenario: Scenario, path: KeyPath) -> bool:
    """Whether every model on the path was written in the scenario (not a default), so ``--set`` can reach it: a
    default policy has no ``name`` written, and setting one of its parameters would make a policy without one."""
    node: object = scenario
    for segment in path:
        if isinstance(node, BaseModel):
            if segment not in node.model_fields_set:
                return False
            node = getattr(node, str(segment))
        elif isinstance(node, Mapping):
            node = node[segment]
        elif isinstance(node, list | tuple) and isinstance(segment, int):
            node = node[int(segment)]
        else:
            return False
    return True


def group_title(scenario: Scenario, key_path: str) -> str:
    """The actor a key path belongs to, as the page names it (``Poland (PL)``, ``EU``, ``Ukraine`` …)."""
    parts = key_path.replace("[", ".[").split(".")
    if parts[0] == "actors" and len(parts) > 1:
        actor = parts[1]
        if actor == "member_states" and len(parts) > 2:
            code = parts[2]
            state = scenario.actors.member_states.get(code)
            return f"{state.name} ({code})" if state is not None else code
        return {"eu": "EU", "nato": "NATO", "ukraine": "Ukraine", "adversary": "Adversary"}.get(actor, actor)
    return {"industry": "Industry", "catalog": "Catalog (threats, interceptors, effectors)"}.get(parts[0], "Other")


def _label(scenario: Scenario, path: KeyPath) -> str:
    """The path below its group, list items named by their ``name`` or ``item`` (``mbda / aster30 /
    capacity_per_month``)."""
    words: list[str] = []
    node: object = scenario
    for segment in path:
        if isinstance(node, list | tuple) and isinstance(segment, int):
            node = node[segment]
            words.append(str(getattr(node, "name", None) or getattr(node, "item", None) or segment))
            continue
        node = node.get(segment) if isinstance(node, Mapping) else getattr(node, str(segment), None)
        words.append(str(segment))
    if words[:2] == ["actors", "member_states"]:
        words = words[3:]
    elif words[:1] == ["actors"]:
        words = words[2:]
    elif words[:1] in (["industry"], ["catalog"]):
        words = words[1:]
    return " / ".join(word.replace("_", " ") for word in words if word not in ("params", "suppliers", "products"))


def scenario_levers(scenario: Scenario) -> list[Lever]:
    """The contested parameters and key levers of a scenario, in document order.

    Args:
        scenario: A validated scenario.

    Returns:
        One :class:`Lever` per control; a parameter that is both contested and a lever appears once, with its
        sourced range.
    """
    levers = []
    for (path, _), row in zip(walk_params(scenario), provenance_rows(scenario), strict=True):
        contested = row.is_contested
        if not contested and not _is_lever(row):
            continue
        if not _written(scenario, path):
            continue
        whole = float(row.value).is_integer() and not _is_share(row)
        if contested:
            low, high = float(row.low or 0.0), float(row.high or 0.0)
        elif _is_share(row):
            low, high = 0.0, 1.0
        else:
            low, high = 0.0, max(2.0 * row.value, 1.0 if whole else 0.0, row.value)
        if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
            continue
        group = group_title(scenario, row.key_path)
        levers.append(
            Lever(
                key_path=row.key_path,
                group=group,
                label=_label(scenario, path),
                value=float(row.value),
                low=low,
                high=high,
                step=_step(low, high, whole),
                contested=contested,
                source=row.source_text or (row.source_id or ""),
                note=row.note,
            )
        )
    return levers


def lever_overrides(levers: Sequence[Lever], values: Mapping[str, float]) -> list[str]:
    """The ``--set`` overrides for the controls whose value differs from the scenario's, in lever order.

    Args:
        levers: The scenario's levers.
        values: The controls' values by :attr:`Lever.input_id` (missing ones keep the scenario's value).

    Returns:
        ``key.path=value`` strings.
    """
    overrides = []
    for lever in levers:
        value = values.get(lever.input_id)
        if value is None or math.isclose(float(value), lever.value, rel_tol=1e-9, abs_tol=1e-12):
            continue
        overrides.append(lever.override(float(value)))
    return overrides


def command_line(scenario_file: str, overrides: Sequence[str], replications: int, seed: int) -> str:
    """The ``sim run`` command that repeats a run of the page (same scenario, seed, replications and overrides)."""
    words = ["sim", "run", scenario_file, "-n", str(replications), "--seed", str(seed)]
    for override in overrides:
        words += ["--set", override]
    return shlex.join(words)


def upload_setup(raw: bytes, name: str, shipped: Path | None = None) -> str:
    """The shell line to type before :func:`command_line` in the folder that holds an uploaded scenario, so that
    its relative ``extends`` finds the shipped scenario it names, or "" when none is needed.

    The page resolves an upload's relative ``extends`` in the shipped ``scenarios/`` folder, ``sim run`` beside the
    file: a symbolic link beside the file to the shipped file makes both resolve alike (a link is followed, and the
    shipped folder is a folder scenario files may name).

    Args:
        raw: The uploaded file's bytes (already loaded without problems).
        name: The file's name as uploaded.
        shipped: The shipped scenarios folder (default: :func:`~sim.scenario.files.shipped_scenarios_folder`).
    """
    folder = shipped if shipped is not None else shipped_scenarios_folder()
    try:
        data = LocatedDocument.from_yaml(read_yaml_bytes(raw, name)).data
    except ScenarioError:
        return ""
    written = data.get("extends") if isinstance(data, dict) else None
    if folder is None or not isinstance(written, str) or Path(written).is_absolute():
        return ""
    target = (folder / written).resolve()
    relative = PurePosixPath(written)
    if ".." in relative.parts:
        return (
            f"# {name} extends '{written}', the shipped {target}: write that path after extends: in {name}, "
            "then in its folder:"
        )
    link = shlex.join(["ln", "-s", str(target), str(relative)])
    if relative.parent != PurePosixPath("."):
        link = f"{shlex.join(['mkdir', '-p', str(relative.parent)])} && {link}"
    return f"{link}  # {name} extends the shipped {relative}: link it beside {name} (once), then:"
