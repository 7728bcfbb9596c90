"""Scenario commands: ``sim validate``, ``sim schema``, ``sim sources``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.commands.common import SetOption, emit_text, guarded, out
from sim.scenario.errors import ScenarioError


def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.", show_default=False)],
    overrides: SetOption = None,
) -> None:
    """Check scenario files; print each problem as file:line:column: key.path: message."""
    from sim import api
    from sim.scenario.references import events_after_horizon

    problems = 0
    for file in files:
        try:
            scenario = api.load_scenario(file, overrides=overrides or ())
        except ScenarioError as error:
            for problem in error.problems:
                out.print(problem.format(), markup=False)
            problems += len(error.problems)
            continue
        out.print(f"[green]ok[/] {escape(str(file))}: {escape(scenario.name)}, {scenario.horizon_days} days")
        late = events_after_horizon(scenario)
        if late:
            out.print(
                f"  note: {len(late)} event(s) fall after the horizon and will not happen: {escape(', '.join(late))}"
            )
    if problems:
        out.print(f"[red]{problems} problem{'s' if problems != 1 else ''}[/]")
        raise typer.Exit(1)


def schema(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema to this file instead of printing it.")
    ] = None,
) -> None:
    """Write the JSON Schema (draft-07) of the scenario format, for editors and checks."""
    from sim.scenario.schema import scenario_json_schema_text

    emit_text(scenario_json_schema_text(), output)


def sources(
    file: Annotated[Path, typer.Argument(help="Scenario file.", show_default=False)],
    overrides: SetOption = None,
    unsourced: Annotated[bool, typer.Option("--unsourced", help="List only parameters that cite no source.")] = False,
) -> None:
    """Print the provenance table: every parameter with its value, range and source."""
    from sim import api
    from sim.scenario.provenance import provenance_rows

    scenario = guarded(lambda: api.load_scenario(file, overrides=overrides or ()))
    rows = provenance_rows(scenario)
    if unsourced:
        rows = [row for row in rows if not row.has_source]
    table = Table(title=f"Provenance of {escape(scenario.name)} ({len(rows)} parameters)", show_lines=False)
    for column in ("parameter", "value", "range", "unit", "source", "note"):
        table.add_column(column, overflow="fold")
    for row in rows:
        span = f"{row.low:g}–{row.high:g}" if row.low is not None and row.high is not None else ""
        # Cells are user text: escape it, or Rich reads e.g. "[articles/003_….txt]" as markup and drops it.
        source = escape(row.source_text) if row.source_text else "[dim]none[/]"
        table.add_row(escape(row.key_path), f"{row.value:g}", span, escape(row.unit or ""), source, escape(row.note))
    out.print(table)
    sourced = sum(row.has_source for row in provenance_rows(scenario))
    total = len(provenance_rows(scenario))
    out.print(f"{sourced} of {total} parameters cite a source; the rest are assumptions (see their notes).")
