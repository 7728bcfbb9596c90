"""Start-up time of the command line: figures printed, nothing asserted.

Measures, side by side in one run, the wall time of fresh processes running

* ``python -c pass`` (the interpreter alone: the yardstick),
* a bare typer app's ``--help`` (two trivial commands: what typer and rich cost on their own),
* ``python -m sim --help`` and
* ``python -m sim run --help``,

taking turns (one of each per round, so that a burst of load on a shared machine hits all three alike) over several
rounds, and prints each median, its ratio to the yardstick, and the heavy modules that ``sim --help`` still imports
(from ``sys.modules`` after the help is printed) with the slowest top-level imports (``python -X importtime``).
The target of issue 17 is ``sim --help`` ≤ 0.3 s.

Usage::

    python benchmarks/cli_startup.py               # 9 rounds
    python benchmarks/cli_startup.py --rounds 21   # steadier medians on a busy machine
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

HEAVY_MODULES = (
    "pandas",
    "numpy",
    "scipy",
    "numba",
    "matplotlib",
    "mesa",
    "pyarrow",
    "pydantic",
    "yaml",
    "ruamel",
    "dask",
    "distributed",
    "sim.api",
    "sim.model",
    "sim.experiment",
    "sim.report",
    "sim.analysis",
    "sim.tabletop",
    "sim.scenario.model",
)
"""Modules (and packages) whose presence after ``sim --help`` is reported: the libraries and layers a command needs
only when it runs."""

BARE_TYPER_APP = """
import typer
app = typer.Typer(add_completion=False)
@app.command()
def first(count: int = 1) -> None:
    "First."
@app.command()
def second(count: int = 1) -> None:
    "Second."
app()
"""
"""A typer app with two trivial commands: the floor of ``--help`` with typer and rich (no ``sim`` code)."""

COMMANDS = {
    "python -c pass": ["-c", "pass"],
    "bare typer --help": ["-c", BARE_TYPER_APP, "--help"],
    "sim --help": ["-m", "sim", "--help"],
    "sim run --help": ["-m", "sim", "run", "--help"],
}

LOADED_AFTER_HELP = """
import json, sys
sys.argv = ["sim", "--help"]
from sim.cli import main
try:
    main()
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""
"""Runs ``sim --help`` in-process, then writes the names of every loaded module to standard error."""

TARGET_SECONDS = 0.3
"""Issue 17's target for ``sim --help``."""


def wall_seconds(arguments: list[str]) -> float:
    """Wall time of one fresh ``python <arguments>`` process, its output discarded."""
    start = time.perf_counter()
    subprocess.run([sys.executable, *arguments], check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - start


def medians(rounds: int) -> dict[str, float]:
    """Median wall time in seconds of each command of :data:`COMMANDS`, the commands taking turns, after one
    untimed warm-up round (which fills the file cache and writes any missing bytecode)."""
    for arguments in COMMANDS.values():
        wall_seconds(arguments)
    times: dict[str, list[float]] = {name: [] for name in COMMANDS}
    for _ in range(rounds):
        for name, arguments in COMMANDS.items():
            times[name].append(wall_seconds(arguments))
    return {name: statistics.median(values) for name, values in times.items()}


def heavy_modules_loaded() -> list[str]:
    """The entries of :data:`HEAVY_MODULES` (a package counts if any of its modules is loaded) after ``sim --help``."""
    result = subprocess.run(
        [sys.executable, "-c", LOADED_AFTER_HELP], check=True, capture_output=True, text=True, cwd=ROOT
    )
    loaded = json.loads(result.stderr.strip().splitlines()[-1])
    return [heavy for heavy in HEAVY_MODULES if any(name == heavy or name.startswith(heavy + ".") for name in loaded)]


def slowest_imports(count: int) -> list[tuple[str, float]]:
    """The ``count`` top-level packages imported by ``sim --help`` with the largest cumulative import time (ms,
    their own imports included), from ``python -X importtime`` (one run: indicative only)."""
    words = [sys.executable, "-X", "importtime", "-m", "sim", "--help"]
    result = subprocess.run(words, check=True, capture_output=True, text=True, cwd=ROOT)
    packages: list[tuple[str, float]] = []
    for line in result.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative_us, name = line.removeprefix("import time:").split("|")
        name = name.strip()
        if "." not in name and not name.startswith("_"):
            packages.append((name, int(cumulative_us) / 1000))
    return sorted(packages, key=lambda item: -item[1])[:count]


def main() -> None:
    """Measure and print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=9, help="Timed rounds (each runs every command once).")
    arguments = parser.parse_args()

    figures = medians(arguments.rounds)
    empty = figures["python -c pass"]
    print(f"median wall time over {arguments.rounds} rounds ({sys.executable}):")
    for name, seconds in figures.items():
        print(f"  {name:<18} {seconds:6.3f} s  {seconds / empty:5.1f}× python -c pass")
    verdict = "met" if figures["sim --help"] <= TARGET_SECONDS else "not met"
    print(f"target sim --help ≤ {TARGET_SECONDS} s: {verdict}")
    heavy = heavy_modules_loaded()
    print(f"heavy modules loaded by sim --help: {', '.join(heavy) if heavy else 'none'}")
    print("slowest packages imported by sim --help (cumulative, one run):")
    for name, milliseconds in slowest_imports(8):
        print(f"  {name:<32} {milliseconds:7.1f} ms")


if __name__ == "__main__":
    main()
