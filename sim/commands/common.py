"""Shared pieces of the command line: consoles, error reporting and common options."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console

from sim.scenario.errors import ScenarioError

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set actors.member_states.DE.inventory.fire_units.patriot=7 "
        "(repeatable; YAML 1.2 values).",
    ),
]


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error to stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def report_scenario_error(error: ScenarioError) -> NoReturn:
    """Print every problem of a scenario error, one per line, and exit 1."""
    for problem in error.problems:
        err.print(problem.format(), markup=False)
    count = len(error.problems)
    err.print(f"[red]{count} problem{'s' if count != 1 else ''}[/]")
    raise typer.Exit(1)


def guarded(action: Callable[[], Any]) -> Any:
    """Run ``action``, turning scenario errors into located messages (exit 1)."""
    try:
        return action()
    except ScenarioError as error:
        report_scenario_error(error)


def emit_text(text: str, output: Path | None) -> None:
    """Print ``text`` to standard output, or write it to ``output`` (making its folder) and say so."""
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {output}")
