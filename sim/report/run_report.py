"""The report of one scenario's replications (``sim run``).

It opens with the scenario and its key outcomes (the mean and the range of 90% of replications), then how
likely each objective is met, the figures over time and over the replications, the map of deployed layers
and leakers, the provenance table and how to reproduce the run.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.objectives import evaluate_objectives
from sim.analysis.summary import summarize_metrics
from sim.experiment.manifest import RESOLVED_SCENARIO_FILE
from sim.experiment.store import REPLICATIONS_CSV
from sim.model.metrics import METRICS
from sim.report.document import Block, Document, Paragraph, Section, Table
from sim.report.figure_blocks import FigureSaver, map_figure_block, outcome_names, time_figures
from sim.report.figures.distributions import distributions_figure, objectives_figure
from sim.report.findings_sections import binding_section, key_findings_section, run_key_findings
from sim.report.folder import load_metrics, load_resolved, load_timeseries, read_optional_csv, successful
from sim.report.formatting import format_interval, format_metric
from sim.report.map_replay import start_map_replay
from sim.report.sections import OBJECTIVES_NOTE, footer, objectives_rows, provenance_section, reproduce_section
from sim.report.style import metric_label, unit_label
from sim.scenario.model import Scenario

NON_METRIC_COLUMNS = ("key", "point", "replication", "seed", "status", "error", "scenario")
"""Columns of replications.csv that are not outcomes."""


def _key_outcomes_table(ok: pd.DataFrame, level: float = 0.90) -> Table:
    tail = (1.0 - level) / 2.0
    rows = []
    for metric in METRICS:
        if metric.name not in ok.columns:
            continue
        values = ok[metric.name].to_numpy(dtype=float)
        values = values[np.isfinite(values)]
        if values.size:
            mean = float(values.mean())
            low, high = (float(value) for value in np.quantile(values, [tail, 1.0 - tail]))
        else:
            mean = low = high = math.nan
        rows.append(
            (
                metric_label(metric.name),
                format_metric(metric.name, mean),
                format_interval(metric.name, low, high),
                unit_label(metric.unit) if metric.unit != "share" else "%",
                metric.better,
                metric.description,
            )
        )
    return Table(
        ("outcome", "mean", "90% of replications", "unit", "better", "what it measures"),
        tuple(rows),
        caption="Mean over the replications and the range that holds 90% of them (5th–95th percentile).",
        numeric=(1, 2),
    )


def _run_facts(scenario: Scenario, manifest: dict[str, Any], metrics: pd.DataFrame) -> Table:
    ok = int((metrics["status"] == "ok").sum()) if "status" in metrics.columns else len(metrics)
    failed = len(metrics) - ok
    end = scenario.start_date + dt.timedelta(days=scenario.horizon_days - 1)
    info = manifest.get("scenario", {})
    return Table(
        ("item", "value"),
        (
            ("scenario", scenario.name),
            ("scenario file", str(info.get("file") or "–")),
            ("overrides (--set)", ", ".join(info.get("overrides", [])) or "none"),
            ("period", f"{scenario.start_date:%d %b %Y} – {end:%d %b %Y} ({scenario.horizon_days} days)"),
            ("replications", f"{ok} ok" + (f", {failed} failed" if failed else "")),
            ("base seed", str(manifest.get("base_seed", scenario.seed))),
            ("status", str(manifest.get("status", ""))),
        ),
        wrap=(1,),
        compact=True,
    )


def run_document(run_dir: Path, manifest: dict[str, Any], saver: FigureSaver) -> Document:
    """The run report of ``run_dir`` (its manifest already read); figures are drawn into ``saver``.

    Raises:
        ReportError: If the resolved scenario or the replications cannot be read.
    """
    scenario = load_resolved(run_dir, RESOLVED_SCENARIO_FILE)
    seeds = manifest.get("seeds") or []
    replay = start_map_replay(saver.submit, run_dir, scenario, int(seeds[0]) if seeds else None)  # the longest job
    metrics = load_metrics(run_dir)
    ok = successful(metrics)
    timeseries = load_timeseries(run_dir)
    objectives = read_optional_csv(run_dir / "objectives.csv")
    if objectives is None:
        objectives = evaluate_objectives(scenario.objectives, ok)

    summary_blocks: list[Block] = [
        Paragraph(" ".join(scenario.description.split())),
        _run_facts(scenario, manifest, metrics),
    ]
    failed = metrics[metrics["status"] != "ok"] if "status" in metrics.columns else metrics.iloc[0:0]
    if len(failed):
        summary_blocks.append(
            Paragraph(
                f"{len(failed)} replication(s) failed and are left out of every number below; their errors are in "
                f"{REPLICATIONS_CSV}.",
                "bad",
            )
        )
    summary_blocks.append(_key_outcomes_table(ok))

    objective_blocks: list[Block]
    if objectives.empty:
        objective_blocks = [Paragraph("The scenario sets no objectives.")]
    else:
        objective_blocks = [
            Paragraph(OBJECTIVES_NOTE),
            Table(
                ("objective", "target", "P(met)", "90% CI", "met in", "verdict", "description"),
                objectives_rows(objectives),
                numeric=(2, 3, 4),
            ),
            saver.add(
                "objectives",
                "Objectives: how likely each is met",
                "Dot: share of replications meeting the objective; bar: its 90% CI. The dotted line marks 50%.",
                objectives_figure,
                objectives,
            ),
        ]

    figure_blocks: list[Block] = list(time_figures(saver, timeseries, scenario, None))
    names = outcome_names([scenario], list(ok.columns))
    figure_blocks.append(
        saver.add(
            "outcome_distributions",
            "Outcomes over the replications",
            "Each dot is one replication; the vertical tick is the mean and the black bar spans 90% of replications "
            "(5th–95th percentile). Shares are in percent.",
            distributions_figure,
            ok,
            names,
        )
    )
    map_block, deployed_table = map_figure_block(
        saver, scenario, ok, replay, "map", "Regions, deployed layers and leakers"
    )
    figure_blocks.append(map_block)
    if deployed_table is not None:
        figure_blocks.append(deployed_table)

    ok_count = len(ok)
    summary = summarize_metrics(ok[[c for c in ok.columns if c not in NON_METRIC_COLUMNS]].select_dtypes("number"))
    return Document(
        title=f"Run report: {scenario.name}",
        subtitle=(
            f"{ok_count} replications of {scenario.horizon_days} days from {scenario.start_date:%d %B %Y} · "
            f"folder {run_dir.name}"
        ),
        sections=(
            key_findings_section(run_key_findings(summary, scenario, objectives)),
            Section("summary", "Summary", tuple(summary_blocks)),
            Section("objectives", "Objectives", tuple(objective_blocks)),
            binding_section(summary["mean"], saver),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance_section(scenario),
            reproduce_section(run_dir, manifest),
        ),
        footer=footer(manifest),
        meta={"sim-report-kind": "run"},
    )
