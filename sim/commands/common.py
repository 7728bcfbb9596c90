"""Shared pieces of the command line: consoles, error reporting and common options."""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from sim.experiment.runner import RunInterrupted

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


EXIT_CLUSTER_LOST = 3
"""Exit code of a run, comparison or sweep stopped because its Dask cluster went away (resumable)."""

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT, as shells report it)."""


def _checked_scheduler(address: str | None) -> str | None:
    """Reject a malformed ``--scheduler`` address before anything starts."""
    if address is None:
        return None
    from sim.experiment.cluster import ExecutorError, check_scheduler_address

    try:
        check_scheduler_address(address)
    except ExecutorError as error:
        raise typer.BadParameter(str(error)) from None
    return address


SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786, or tls://… with Dask's TLS settings "
        "(docs/scaling.md). A lost cluster stops the run with exit code 3; resume it with --resume.",
        callback=_checked_scheduler,
    ),
]


def resume_hint(
    command: str,
    arguments: Sequence[str],
    overrides: Sequence[str],
    run_dir: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> str:
    """The shell command that resumes ``run_dir`` with the same inputs and executor, quoted for a POSIX shell."""
    parts = ["sim", command, *arguments]
    for override in overrides:
        parts += ["--set", override]
    parts += ["--resume", str(run_dir)]
    if workers is not None:
        parts += ["--workers", str(workers)]
    if scheduler is not None:
        parts += ["--scheduler", scheduler]
    return " ".join(shlex.quote(part) for part in parts)


def fail_interrupted(interrupted: RunInterrupted, hint: str) -> NoReturn:
    """Say why a run stopped early, that what finished is saved, and how to resume; exit 130 (Ctrl-C) or
    :data:`EXIT_CLUSTER_LOST` (the Dask cluster went away)."""
    if interrupted.lost is None:
        fail(f"interrupted; what finished is saved. Resume with: {escape(hint)}", EXIT_INTERRUPTED)
    fail(
        f"the run stopped: {escape(interrupted.lost)}. What finished is saved in {escape(str(interrupted.run_dir))}. "
        f"When the cluster is back, resume with: {escape(hint)}",
        EXIT_CLUSTER_LOST,
    )


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
