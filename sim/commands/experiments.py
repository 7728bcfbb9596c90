"""Experiment commands: ``sim compare`` (scenarios with common random numbers) and ``sim sweep`` (parameters).

Both write a new run folder (or continue one with ``--resume``), print rich tables and end with the folder's
path. Ctrl-C keeps what finished and prints the command that resumes (exit 130), as does a Dask cluster that goes
away (exit 3); bad input is a one-line error (exit 2), never a traceback.
"""

from __future__ import annotations

import math
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from sim.commands.common import (
    EXIT_REPLICATIONS_FAILED,
    SchedulerOption,
    SetOption,
    check_report_size,
    err,
    execution_options,
    fail,
    guarded,
    out,
    report_failed_replications,
    report_workers,
    run_errors,
)

if TYPE_CHECKING:  # pandas, the experiment layer and the model load only when a command runs (fast --help)
    import pandas as pd

    from sim.analysis.screening import Screening
    from sim.experiment.compare import CompareResults
    from sim.experiment.execution import Execution
    from sim.experiment.sweep import SweepPlan, SweepResults
    from sim.experiment.sweep_plan import ScreenChoice
    from sim.scenario.model import Scenario

RANKING_ROWS_SHOWN = 10
"""A sweep's ranking table shows this many parameters per outcome (all of them are in indices.csv)."""

ReplicationsOption = Annotated[
    int | None, typer.Option("--replications", "-n", min=1, help="Replications (default: the scenario's).")
]
SeedOption = Annotated[int | None, typer.Option("--seed", min=0, help="Base seed (default: the scenario's).")]
OutOption = Annotated[Path, typer.Option("--out", help="Folder in which the new run folder is made.")]
WorkersOption = Annotated[
    int | None, typer.Option("--workers", "-w", min=1, help="Local worker processes (default: one per core).")
]
ResumeOption = Annotated[
    Path | None, typer.Option("--resume", help="Continue an interrupted run folder instead of starting anew.")
]


def _format(value: float) -> str:
    from sim.report.formatting import format_number

    return format_number(float(value))


# --------------------------------------------------------------------------------------------------------------
# sim compare
# --------------------------------------------------------------------------------------------------------------


VERDICT_STYLES = {"better": "bold blue", "worse": "bold red", "changed": "bold"}
"""How the terminal marks a verdict that matters (the others print plain)."""


def comparison_tables(results: CompareResults, *, all_metrics: bool = False) -> list[Table]:
    """One table per variant: each metric's baseline and variant means, the paired difference and its verdict.

    Narrow enough for an 80-column terminal; every metric with its 90% of replications and CI is in
    ``comparison.csv``. Differences are printed at the precision their confidence interval supports, and the
    verdict is the one rule of :mod:`sim.analysis.verdicts` (better/worse only when the interval excludes zero and
    the difference reaches the metric's smallest difference that matters; negligible when the whole interval lies
    within ± that size).

    Args:
        results: A comparison's results.
        all_metrics: Show every metric (families too), not only the registered headline metrics.
    """
    from sim.analysis.verdicts import verdicts_of
    from sim.model.metrics import METRICS
    from sim.report.console import PlainTable
    from sim.report.formatting import format_difference_interval, format_metric

    comparison = verdicts_of(results.comparison, results.baseline)
    baseline = results.baseline
    present = list(dict.fromkeys(comparison["metric"]))
    names = present if all_metrics else [metric.name for metric in METRICS if metric.name in present]
    rows = {(row.scenario, row.metric): row for row in comparison.itertuples(index=False)}
    tables: list[Table] = []
    for label in results.labels[1:]:
        identical = [
            name
            for name in names
            if (row := rows.get((label, name))) is not None
            and row.diff_mean == 0
            and row.diff_low == 0
            and row.diff_high == 0
        ]
        caption = (
            "Δ = mean paired difference [90% CI]; shares in percentage points. better/worse: the CI excludes 0 and "
            "Δ reaches the smallest difference that matters; negligible: the CI lies within ± it."
        )
        if identical:
            caption += f" The same in every replication: {', '.join(identical)}."
        table = PlainTable(
            box=box.SIMPLE_HEAD,
            title=f"{escape(label)} − {escape(baseline)}: {len(results.seeds)} paired replications",
            title_justify="left",
            caption=f"{escape(caption)} Every metric: {escape(str(results.run_dir))}/comparison.csv",
            caption_justify="left",
        )
        table.add_column("metric", no_wrap=True)
        table.add_column(f"{escape(baseline)} mean", justify="right")
        table.add_column("Δ [90% CI]", justify="right")
        table.add_column("verdict")
        for name in names:
            row = rows.get((label, name))
            base = rows.get((baseline, name))
            if row is None or name in identical:
                continue
            mean, low, high = format_difference_interval(name, row.diff_mean, row.diff_low, row.diff_high)
            difference = mean if low == "–" else f"{mean} [{low}, {high}]"
            verdict = str(row.verdict)
            table.add_row(
                name,
                format_metric(name, float(base.mean)) if base is not None else "–",
                difference,
                Text(verdict, style=VERDICT_STYLES.get(verdict, "")),
            )
        tables.append(table)
    return tables


def hypotheses_table(hypotheses: pd.DataFrame) -> Table:
    """Each hypothesis: what it expects, the paired difference [90% CI] and supported/refuted/inconclusive."""
    from sim.report.console import PlainTable
    from sim.report.formatting import format_difference_interval

    table = PlainTable(box=box.SIMPLE_HEAD, title="Hypotheses", title_justify="left")
    table.add_column("scenario: hypothesis", overflow="fold")
    table.add_column("expects", overflow="fold")
    table.add_column("Δ [90% CI]", justify="right")
    table.add_column("judgement")
    styles = {"supported": "bold blue", "refuted": "bold red"}
    for row in hypotheses.itertuples(index=False):
        mean, low, high = format_difference_interval(str(row.metric), row.diff_mean, row.diff_low, row.diff_high)
        table.add_row(
            f"{row.scenario}: {row.name}",
            f"{row.metric} {row.direction} than {row.against}",
            mean if low == "–" else f"{mean} [{low}, {high}]",
            Text(str(row.judgement), style=styles.get(str(row.judgement), "")),
        )
    return table


def objectives_by_scenario_table(objectives: pd.DataFrame, labels: Sequence[str]) -> Table:
    """Each objective's probability of being met [90% CI], one column per scenario (narrow: the metric and
    target read together; every figure is in ``objectives.csv``)."""
    from sim.report.console import PlainTable

    table = PlainTable(box=box.SIMPLE_HEAD, title="Objectives: probability of being met [90% CI]", title_justify="left")
    table.add_column("objective", overflow="fold")
    table.add_column("target", overflow="fold")
    for label in labels:
        table.add_column(escape(label), justify="right")
    keys = ["name", "metric", "direction", "threshold"]
    for key, group in objectives.groupby(keys, sort=False):
        name, metric, direction, threshold = key
        by_scenario = {row.scenario: row for row in group.itertuples(index=False)}
        cells = [str(name), f"{metric} {direction} {_format(threshold)}"]
        for label in labels:
            row = by_scenario.get(label)
            if row is None or math.isnan(row.probability):
                cells.append("–")
            else:
                cells.append(f"{row.probability:.0%} [{row.low * 100:.0f}–{row.high:.0%}]")
        table.add_row(*cells)
    return table


def _load(path: Path, overrides: Sequence[str]) -> Scenario:
    from sim import api

    loaded: Scenario = guarded(lambda: api.load_scenario(path, overrides=overrides))
    return loaded


def _close(run_dir: Path, notes: Sequence[str], metrics: pd.DataFrame, no_report: bool, execution: Execution) -> None:
    """The end of a comparison or sweep: notes, the folder, the report (drawn on the run's local workers), then how
    many replications failed (exit 1 if any did)."""
    for note in notes:
        err.print(f"[yellow]note:[/] {escape(note)}")
    out.print(f"results: {run_dir}", markup=False)
    if not no_report:
        from sim.commands.report import write_and_announce

        write_and_announce(run_dir, after_run=True, workers=report_workers(execution))
    if report_failed_replications(metrics, run_dir):
        raise typer.Exit(EXIT_REPLICATIONS_FAILED)


NoReportOption = Annotated[
    bool, typer.Option("--no-report", help="Do not write report.html, report.md and figures/ at the end.")
]


def compare(
    scenario_files: Annotated[
        list[Path],
        typer.Argument(metavar="SCENARIO...", help="Scenario files; the first is the baseline.", show_default=False),
    ],
    replications: ReplicationsOption = None,
    seed: SeedOption = None,
    overrides: SetOption = None,
    results_root: OutOption = Path("results"),
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    resume: ResumeOption = None,
    all_metrics: Annotated[bool, typer.Option("--all-metrics", help="Print every metric, breakdowns too.")] = False,
    no_report: NoReportOption = False,
) -> None:
    """Run scenarios with common random numbers and compare each with the first (paired differences)."""
    from sim.experiment.compare import compare_scenarios

    execution = execution_options(workers, scheduler, results_root)
    if len(scenario_files) == 1 and resume is None:  # (a resume goes on with what the folder holds)
        err.print(
            "[bold yellow]warning:[/] one scenario: nothing to compare it with (the first file is the baseline, "
            f"the others are compared with it); `sim run {escape(shlex.quote(str(scenario_files[0])))}` gives "
            "its results and report"
        )
    entries = []
    for path in scenario_files:
        scenario = _load(path, overrides or ())
        entries.append((scenario.name, scenario, str(path)))
    if not no_report:
        check_report_size("comparison", [scenario for _, scenario, _ in entries], replications, resume)
    with run_errors(
        "compare",
        [str(path) for path in scenario_files],
        overrides or (),
        also=(ValueError,),
        execution=execution,
    ):
        results = compare_scenarios(
            entries, replications=replications, seed=seed, execution=execution, resume=resume, overrides=overrides or ()
        )
    from sim.analysis.verdicts import verdicts_of
    from sim.report.console import print_findings
    from sim.report.findings_sections import comparison_key_findings

    print_findings(
        out,
        comparison_key_findings(
            verdicts_of(results.comparison, results.baseline),
            results.labels,
            results.scenarios,
            results.objectives,
            results.hypotheses,
        ),
    )
    for table in comparison_tables(results, all_metrics=all_metrics):
        out.print(table)
    if not results.hypotheses.empty:
        out.print(hypotheses_table(results.hypotheses))
    if not results.objectives.empty:
        out.print(objectives_by_scenario_table(results.objectives, results.labels))
    _close(results.run_dir, [*results.tally.set_aside, *results.notes], results.metrics, no_report, execution)


# --------------------------------------------------------------------------------------------------------------
# sim sweep
# --------------------------------------------------------------------------------------------------------------


def _influence_columns(method: str) -> list[tuple[str, str]]:
    """(header, column) of the index columns a ranking table shows for an analysis method."""
    if method == "sobol":
        return [("ST", "ST"), ("± (90%)", "ST_conf"), ("S1", "S1"), ("± (90%) ", "S1_conf")]
    if method == "morris":
        return [("μ*", "mu_star"), ("± (90%)", "mu_star_conf"), ("σ", "sigma"), ("μ", "mu")]
    return [("SRC", "SRC"), ("Spearman ρ", "spearman_rho")]


def ranking_tables(results: SweepResults, rows_shown: int = RANKING_ROWS_SHOWN) -> list[Table]:
    """One table per analysed outcome: the parameters ranked by influence, most influential first."""
    from sim.report.console import PlainTable

    indices = results.indices
    method = results.plan.analysis
    what = {"sobol": "total Sobol index ST", "morris": "Morris μ*", "regression": "|standardized regression coef.|"}
    tables: list[Table] = []
    for outcome in results.plan.outcomes:
        rows = indices[indices["outcome"] == outcome]
        if rows.empty:
            continue
        title = f"{outcome}: parameters by influence ({what[method]})"
        if method == "regression" and "r_squared" in rows and not math.isnan(float(rows["r_squared"].iloc[0])):
            title += f", linear fit R² = {float(rows['r_squared'].iloc[0]):.2f}"
        table = PlainTable(title=escape(title), title_justify="left")
        table.add_column("rank", justify="right")
        table.add_column("parameter", overflow="fold")  # long names wrap: cut, two read alike
        columns = _influence_columns(method)
        for header, _ in columns:
            table.add_column(header, justify="right")
        for row in rows.head(rows_shown).itertuples(index=False):
            values = row._asdict()
            table.add_row(str(values["rank"]), str(values["parameter"]), *(_format(values[c]) for _, c in columns))
        if len(rows) > rows_shown:
            table.caption = f"… {len(rows) - rows_shown} more in {escape(str(results.run_dir))}/indices.csv"
            table.caption_justify = "left"
        tables.append(table)
    return tables


def _announce(plan: SweepPlan, replications: int) -> None:
    runs = len(plan.scenarios) * replications
    stage = "screening" if plan.screening else "sweep"
    err.print(
        f"{stage}: {len(plan.parameters)} parameters, {plan.design.method} design of {len(plan.scenarios)} points "
        f"× {replications} replications = {runs:,} runs"
    )


def screening_table(screening: Screening, rows_shown: int = RANKING_ROWS_SHOWN) -> Table:
    """The screening's decision: each parameter's score, its strongest Morris μ* ± 90% and kept or screened out."""
    from sim.report.console import PlainTable

    table = PlainTable(
        title=escape(
            f"screening: {len(screening.kept)} of {len(screening.kept) + len(screening.screened_out)} "
            "parameters kept for the Sobol analysis"
        ),
        title_justify="left",
        caption=escape(f"rule: {screening.rule.describe()}"),
        caption_justify="left",
    )
    for header in ("parameter", "score", "outcome", "μ*", "± (90%)", "decision"):
        table.add_column(
            header,
            justify="left" if header in ("parameter", "outcome", "decision") else "right",
            overflow="fold" if header in ("parameter", "outcome") else "ellipsis",  # long names wrap, never cut
        )
    strongest = screening.table.sort_values("relative_influence", ascending=False, kind="mergesort")
    strongest = strongest.drop_duplicates("parameter")
    ordered = strongest.set_index("parameter").reindex(screening.table["parameter"].drop_duplicates())
    shown = [*ordered.index[:rows_shown]]
    shown += [name for name in screening.screened_out if name not in shown][:rows_shown]
    for name in ordered.index:
        if name not in shown:
            continue
        row = ordered.loc[name]
        table.add_row(
            escape(str(name)),
            _format(row["score"]),
            escape(str(row["outcome"])),
            _format(row["mu_star"]),
            _format(row["mu_star_conf"]),
            "kept" if bool(row["kept"]) else "screened out",
        )
    return table


def _screen_choice(
    no_screen: bool, keep: int | None, threshold: float | None, trajectories: int | None
) -> ScreenChoice:
    """The screening options as a :class:`~sim.experiment.sweep_plan.ScreenChoice` (bad combinations exit 2)."""
    from sim.analysis.screening import ScreeningRule
    from sim.experiment.sweep_plan import ScreenChoice

    if no_screen and (keep is not None or threshold is not None):
        fail("--no-screen runs Sobol on every parameter; drop --screen-keep and --screen-threshold", 2)
    if keep is not None and threshold is not None:
        fail("--screen-keep and --screen-threshold are two ways to choose; give one of them", 2)
    if no_screen:
        return ScreenChoice(enabled=False)
    size = ScreenChoice().trajectories if trajectories is None else trajectories
    if keep is None and threshold is None:
        return ScreenChoice(trajectories=size)
    if threshold is not None and not 0 < threshold <= 1:
        fail(f"--screen-threshold {threshold:g}: expected a share of the largest effect, above 0 and at most 1", 2)
    rule = ScreeningRule(keep=keep) if keep is not None else ScreeningRule(threshold=float(threshold or 0))
    return ScreenChoice(enabled=True, rule=rule, trajectories=size)


def sweep(
    scenario_file: Annotated[Path, typer.Argument(metavar="SCENARIO", help="Scenario file.", show_default=False)],
    vary: Annotated[
        list[str] | None,
        typer.Option(
            "--vary",
            metavar="KEY=LOW:HIGH",
            help="Vary a parameter between bounds, e.g. --vary events[1].drones=15:30 (repeatable; default: every "
            "contested parameter, i.e. each with a low/high range in the scenario).",
        ),
    ] = None,
    method: Annotated[
        str | None, typer.Option("--method", help="Design: grid, lhs, sobol or morris (default lhs).")
    ] = None,
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            min=1,
            help="Grid levels per parameter (default 3), LHS points (default 4 per parameter, at least 10), "
            "Sobol base sample N (default 8) or Morris trajectories (default 10).",
        ),
    ] = None,
    outcomes: Annotated[
        list[str] | None,
        typer.Option(
            "--outcome",
            metavar="METRIC",
            help="Outcome to analyse (repeatable; see `sim metrics`). Default: ukraine_drone_intercept_rate, "
            "nato_leakers, interceptor_spend_meur, cost_exchange_ratio, airport_closure_hours.",
        ),
    ] = None,
    replications: Annotated[
        int | None,
        typer.Option(
            "--replications", "-n", min=1, help="Replications per point (default: the scenario's, at most 10)."
        ),
    ] = None,
    seed: Annotated[
        int | None,
        typer.Option("--seed", min=0, help="Base seed of replications and design (default: the scenario's)."),
    ] = None,
    overrides: SetOption = None,
    results_root: OutOption = Path("results"),
    workers: WorkersOption = None,
    scheduler: SchedulerOption = None,
    resume: ResumeOption = None,
    no_report: NoReportOption = False,
    no_screen: Annotated[
        bool,
        typer.Option(
            "--no-screen",
            help="Run Sobol on every parameter. By default a Sobol sweep of more than 12 contested parameters first "
            "screens them with Morris and runs Sobol on the influential ones.",
        ),
    ] = False,
    screen_keep: Annotated[
        int | None,
        typer.Option("--screen-keep", min=1, metavar="K", help="Screen first and keep the K most influential."),
    ] = None,
    screen_threshold: Annotated[
        float | None,
        typer.Option(
            "--screen-threshold",
            metavar="SHARE",
            help="Screen first and keep parameters whose Morris μ* (upper 90% bound) reaches this share of the "
            "largest μ* on some outcome (default 0.1).",
        ),
    ] = None,
    screen_trajectories: Annotated[
        int | None,
        typer.Option(
            "--screen-trajectories", min=2, metavar="R", help="Morris trajectories of the screening (default 10)."
        ),
    ] = None,
) -> None:
    """Vary parameters over a design, run each point with common random numbers, rank parameters by influence."""
    from sim import api
    from sim.experiment.sweep import SweepError, sweep_scenario

    screening = _screen_choice(no_screen, screen_keep, screen_threshold, screen_trajectories)
    execution = execution_options(workers, scheduler, results_root)
    with run_errors("sweep", [str(scenario_file)], overrides or (), also=(SweepError,), execution=execution):
        results = guarded(
            lambda: sweep_scenario(
                scenario_file,
                overrides=overrides or (),
                vary=vary or (),
                method=method,
                samples=samples,
                outcomes=outcomes,
                replications=replications,
                seed=seed,
                execution=execution,
                resume=resume,
                extra_checks=(api.check_objective_metrics,),
                announce=_announce,
                screening=screening,
                on_screened=lambda decision: out.print(screening_table(decision)),
            )
        )
    from sim.report.console import print_findings
    from sim.report.findings_sections import sweep_key_findings

    ok = results.metrics[results.metrics["status"] == "ok"] if "status" in results.metrics else results.metrics
    print_findings(
        out, sweep_key_findings(results.indices, results.points, results.plan.outcomes, ok.mean(numeric_only=True))
    )
    for table in ranking_tables(results):
        out.print(table)
    _close(results.run_dir, [*results.tally.set_aside, *results.notes], results.metrics, no_report, execution)
