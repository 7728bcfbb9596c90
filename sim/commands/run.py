"""Run commands: ``sim run``, ``sim policies``, ``sim metrics``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from sim.commands.common import (
    EXIT_REPLICATIONS_FAILED,
    SchedulerOption,
    SetOption,
    check_report_size,
    emit_text,
    err,
    execution_options,
    guarded,
    out,
    report_failed_replications,
    report_workers,
    run_errors,
)


def run(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file.", show_default=False)],
    replications: Annotated[
        int | None, typer.Option("--replications", "-n", min=1, help="Replications (default: the scenario's).")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", min=0, help="Base seed (default: the scenario's).")] = None,
    overrides: SetOption = None,
    results_root: Annotated[Path, typer.Option("--out", help="Folder in which the new run folder is made.")] = Path(
        "results"
    ),
    workers: Annotated[
        int | None, typer.Option("--workers", "-w", min=1, help="Local worker processes (default: one per core).")
    ] = None,
    scheduler: SchedulerOption = None,
    resume: Annotated[
        Path | None, typer.Option("--resume", help="Continue an interrupted run folder instead of starting anew.")
    ] = None,
    all_metrics: Annotated[bool, typer.Option("--all-metrics", help="Print every metric, breakdowns too.")] = False,
    no_report: Annotated[
        bool, typer.Option("--no-report", help="Do not write report.html, report.md and figures/ at the end.")
    ] = False,
) -> None:
    """Run a scenario's seeded replications; write a run folder; print the summary and objectives."""
    from sim import api
    from sim.experiment.replications import run_scenario
    from sim.report.console import objectives_table, print_findings, summary_table
    from sim.report.findings_sections import run_key_findings

    execution = execution_options(workers, scheduler, results_root)
    scenario = guarded(lambda: api.load_scenario(scenario_file, overrides=overrides or ()))
    if not no_report:
        check_report_size("run", [scenario], replications, resume)
    with run_errors("run", [str(scenario_file)], overrides or (), execution=execution):
        results = run_scenario(
            scenario,
            replications=replications,
            seed=seed,
            execution=execution,
            resume=resume,
            source_file=str(scenario_file),
            overrides=overrides or (),
        )
    for note in results.tally.set_aside:
        err.print(f"note: {note}", markup=False)
    count = len(results.seeds)
    print_findings(out, run_key_findings(results.summary, scenario, results.objectives))
    out.print(summary_table(results.summary, f"{escape(scenario.name)}: {count} replications", all_metrics=all_metrics))
    if not results.objectives.empty:
        out.print(objectives_table(results.objectives))
    out.print(f"results: {results.run_dir}", markup=False)
    if not no_report:
        from sim.commands.report import write_and_announce

        write_and_announce(results.run_dir, after_run=True, workers=report_workers(execution))
    if report_failed_replications(results.metrics, results.run_dir):
        raise typer.Exit(EXIT_REPLICATIONS_FAILED)


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


def metrics() -> None:
    """Document every outcome metric: what it measures, its unit and which way is better."""
    from sim.model.metrics import FAMILIES, METRICS

    table = Table(title="Outcome metrics (per replication)", title_justify="left", show_lines=False)
    table.add_column("metric", no_wrap=True)  # names are never broken, so they can be copied and grepped
    for column in ("unit", "better", "what it measures"):
        table.add_column(column, overflow="fold")
    for metric in METRICS:
        table.add_row(metric.name, metric.unit, metric.better, metric.description)
    for family in FAMILIES:
        table.add_row(f"{family.name}.<key>", family.unit, family.better, family.description)
    out.print(table)


def docs(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write the page here instead of printing it.")
    ] = None,
) -> None:
    """Write the model reference page (every policy and metric) as Markdown."""
    from sim.model.documentation import reference_markdown

    emit_text(reference_markdown(), output)
