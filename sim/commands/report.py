"""Report command: ``sim report RUN_DIR`` writes ``report.html``, ``report.md`` and ``figures/`` into a run folder."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from sim.commands.common import EXIT_INTERRUPTED, describe_os_error, err, fail, out


def write_and_announce(run_dir: Path, *, after_run: bool = False, workers: int | None = 1) -> Path:
    """Write a folder's report and print where it is (shared by ``sim report`` and the end of ``sim run``).

    Args:
        run_dir: A run, comparison or sweep folder.
        after_run: Called at the end of a run: a failure says that the results are saved and how to retry.
        workers: Processes that draw the figures side by side (1: this one; None: one per core).

    Returns:
        The path of ``report.html``.

    Raises:
        typer.Exit: With code 2 and a message (never a traceback) if the report cannot be written; with code 130
            on Ctrl-C, saying that the results are complete and how to draw the report.
    """
    from sim.report.build import ReportError, write_report

    command = f"sim report {shlex.quote(str(run_dir))}"
    retry = f"; the results are saved: write the report again with {command}" if after_run else ""
    try:
        paths = write_report(run_dir, workers=workers)
    except KeyboardInterrupt:
        if after_run:
            fail(
                f"interrupted while drawing the report; the results are complete in {escape(str(run_dir))}. "
                f"Draw the report with: {escape(command)}",
                EXIT_INTERRUPTED,
            )
        fail(f"interrupted; the report is not complete. Draw it again with: {escape(command)}", EXIT_INTERRUPTED)
    except ReportError as error:
        fail(f"report not written: {escape(str(error))}{escape(retry)}")
    except OSError as error:  # e.g. the disk filled up while the figures were written
        fail(f"report not written: {escape(describe_os_error(error))}{escape(retry)}")
    figures_dir = paths.figures[0].png.parent if paths.figures else paths.html.parent
    count = len(paths.figures)
    out.print(
        f"report: {paths.html} (and {paths.markdown.name}; {count} figures as PNG and SVG in {figures_dir})",
        markup=False,
    )
    return paths.html


def report(
    run_dir: Annotated[
        Path,
        typer.Argument(metavar="RUN_DIR", help="Folder made by sim run, sim compare or sim sweep.", show_default=False),
    ],
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", min=1, help="Processes that draw the figures (default: one per core)."),
    ] = None,
) -> None:
    """Write a self-contained report.html (figures embedded), report.md and figures/ (PNG + SVG) for a run folder."""
    if not run_dir.exists():
        fail(f"{run_dir} does not exist; give a folder made by sim run, sim compare or sim sweep")
    if not run_dir.is_dir():
        fail(f"{run_dir} is not a folder; give a folder made by sim run, sim compare or sim sweep")
    err.print(f"writing the report of {run_dir} …", markup=False)
    write_and_announce(run_dir, workers=workers)
