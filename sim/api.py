"""The Python API, mirroring the command line: load a scenario, run it, compare, sweep.

This module sits above every layer and wires them together; the CLI calls it and so can a notebook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sim.scenario.loader import load_scenario as _load_scenario
from sim.scenario.model import Scenario


def load_scenario(path: str | Path, overrides: Sequence[str] = ()) -> Scenario:
    """Load, merge (``extends``), override (``--set``) and validate a scenario file.

    Args:
        path: The scenario YAML file.
        overrides: ``key.path=value`` strings applied after ``extends`` is resolved.

    Returns:
        The typed, immutable scenario.

    Raises:
        sim.scenario.errors.ScenarioError: every problem found, each with file:line:column and key path.
    """
    return _load_scenario(path, overrides)
