"""The command line starts fast: loading it, or printing its help, imports none of the heavy libraries or the model.

Each check runs in a fresh interpreter (this test process has imported everything already) and inspects
``sys.modules``. The times themselves are measured by ``benchmarks/cli_startup.py``, never asserted here.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

HEAVY = ("pandas", "numba", "matplotlib", "mesa", "sim.model", "sim.api", "sim.experiment")
"""Loaded only when a command runs: pandas, numba and matplotlib cost most of a second, the model pulls in Mesa."""

LOADED_MODULES = """
import json, sys
{action}
print(json.dumps(sorted(sys.modules)))
"""

PRINT_HELP = """
sys.argv = ["sim", *{arguments!r}]
from sim.cli import main
try:
    main()
except SystemExit as stop:
    assert stop.code in (0, None), stop.code
"""


def loaded_after(action: str) -> set[str]:
    """The modules loaded in a fresh interpreter after ``action`` (Python statements)."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED_MODULES.format(action=action)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return set(json.loads(result.stdout.strip().splitlines()[-1]))


def heavy_among(modules: set[str]) -> list[str]:
    """The entries of :data:`HEAVY` loaded (a package counts if any of its modules is)."""
    return [heavy for heavy in HEAVY if any(name == heavy or name.startswith(heavy + ".") for name in modules)]


def test_importing_the_cli_loads_no_heavy_module() -> None:
    modules = loaded_after("import sim.cli")
    assert "sim.cli" in modules and "typer" in modules  # the check ran where it should
    assert heavy_among(modules) == []


@pytest.mark.parametrize("arguments", [["--help"], ["run", "--help"], ["compare", "--help"], ["play", "--help"]])
def test_help_loads_no_heavy_module(arguments: list[str]) -> None:
    modules = loaded_after(PRINT_HELP.format(arguments=arguments))
    assert heavy_among(modules) == []


def test_the_check_sees_a_heavy_import() -> None:
    """The helper is not blind: a command that runs does load the model."""
    modules = loaded_after(PRINT_HELP.format(arguments=["metrics"]))
    assert "sim.model" in heavy_among(modules)
