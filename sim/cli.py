"""The ``sim`` command line: parse, call the library, print. No modelling happens here.

Every command turns bad input into a located message and a non-zero exit code, never a traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sim import api
from sim.scenario.errors import ScenarioError

app = typer.Typer(
    name="sim",
    help="European air- and drone-defence scenario simulator: validate, run, compare, sweep, report, play.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
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


@app.command()
def validate(
    files: Annotated[list[Path], typer.Argument(help="Scenario files to check.", show_default=False)],
    overrides: SetOption = None,
) -> None:
    """Check scenario files; print each problem as file:line:column: key.path: message."""
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
    if problems:
        out.print(f"[red]{problems} problem{'s' if problems != 1 else ''}[/]")
        raise typer.Exit(1)


@app.command()
def schema(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the schema to this file instead of printing it.")
    ] = None,
) -> None:
    """Write the JSON Schema (draft-07) of the scenario format, for editors and checks."""
    from sim.scenario.schema import scenario_json_schema_text

    text = scenario_json_schema_text()
    if output is None:
        sys.stdout.write(text)
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    out.print(f"wrote {output}")


@app.command()
def sources(
    file: Annotated[Path, typer.Argument(help="Scenario file.", show_default=False)],
    overrides: SetOption = None,
    unsourced: Annotated[bool, typer.Option("--unsourced", help="List only parameters that cite no source.")] = False,
) -> None:
    """Print the provenance table: every parameter with its value, range and source."""
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


@app.command()
def run(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file.", show_default=False)],
    replications: Annotated[
        int | None, typer.Option("--replications", "-n", min=1, help="Replications (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Base seed (default: the scenario's).")] = None,
    overrides: SetOption = None,
    out: Annotated[Path, typer.Option("--out", help="Folder in which the new run folder is made.")] = Path("results"),
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Local worker processes (default: one per core).")
    ] = None,
    scheduler: Annotated[
        str | None, typer.Option("--scheduler", help="Dask scheduler address, e.g. tcp://10.0.0.5:8786.")
    ] = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue an interrupted run folder instead of starting anew.")
    ] = None,
    all_metrics: Annotated[bool, typer.Option("--all-metrics", help="Print every metric, breakdowns too.")] = False,
) -> None:
    """Run a scenario's seeded replications; write a run folder; print the summary and objectives."""
    from sim.experiment.executors import ExecutorError
    from sim.experiment.replications import ResumeMismatch, run_scenario
    from sim.experiment.runner import RunIncomplete, RunInterrupted
    from sim.report.console import objectives_table, summary_table

    if workers is not None and scheduler is not None:
        fail("give either --workers or --scheduler, not both")
    scenario = guarded(lambda: api.load_scenario(scenario_file, overrides=overrides or ()))
    try:
        results = run_scenario(
            scenario,
            replications=replications,
            seed=seed,
            workers=workers,
            scheduler=scheduler,
            results_root=out,
            resume=resume,
            source_file=str(scenario_file),
            overrides=overrides or (),
            command=" ".join(["sim", *sys.argv[1:]]),
        )
    except RunInterrupted as interrupted:
        fail(
            f"interrupted; what finished is saved. Resume with: sim run {scenario_file} --resume {interrupted.run_dir}",
            130,
        )
    except (ExecutorError, ResumeMismatch, RunIncomplete, FileNotFoundError) as error:
        fail(str(error))
    count = len(results.seeds)
    out.mkdir(parents=True, exist_ok=True)
    out_console = out_console_for()
    out_console.print(summary_table(results.summary, f"{scenario.name}: {count} replications", all_metrics=all_metrics))
    if not results.objectives.empty:
        out_console.print(objectives_table(results.objectives))
    if not results.failed.empty:
        err.print(
            f"[yellow]{len(results.failed)} of {count} replications failed[/]; see {results.run_dir}/replications.csv"
        )
    out_console.print(f"results: {results.run_dir}")


@app.command()
def policies() -> None:
    """Document every decision policy a scenario can choose, with its parameters and defaults."""
    from sim.model.policies.registry import policy_docs

    current = None
    for doc in policy_docs():
        if doc.slot != current:
            current = doc.slot
            out.rule(f"[bold]{doc.slot}[/] — chosen by {doc.owner}")
        out.print(f"[bold cyan]{doc.name}[/]  {doc.summary}")
        for parameter in doc.parameters:
            out.print(f"    [green]{parameter.name}[/] (default {parameter.default}): {parameter.description}")


@app.command()
def metrics() -> None:
    """Document every outcome metric: what it measures, its unit and which way is better."""
    from sim.model.metrics import FAMILIES, METRICS

    table = Table(title="Outcome metrics (per replication)", title_justify="left", show_lines=False)
    for column in ("metric", "unit", "better", "what it measures"):
        table.add_column(column, overflow="fold")
    for metric in METRICS:
        table.add_row(metric.name, metric.unit, metric.better, metric.description)
    for family in FAMILIES:
        table.add_row(f"{family.name}.<key>", family.unit, family.better, family.description)
    out.print(table)


def out_console_for() -> Console:
    """The console results are printed to."""
    return out


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
