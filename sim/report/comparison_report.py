"""The report of a comparison (``sim compare``): several scenarios under the same seeds.

Every scenario faced the same raids (common random numbers), so the report reads differences from the baseline
replication by replication: a difference is clear when its 90% confidence interval excludes zero, and better or
worse by the outcome's direction. It shows the scenarios side by side (outcomes, objectives, figures, one map
each) and what each variant changes in the parameters.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.hypotheses import judge_hypotheses
from sim.analysis.targets import with_common_targets
from sim.analysis.verdicts import min_difference_overrides, verdicts_of
from sim.model.metrics import METRICS
from sim.report.comparison_rows import difference_header, difference_rows, differences_caption
from sim.report.document import Block, Cell, Document, Paragraph, Section, Table
from sim.report.figure_blocks import FigureSaver, map_figure_block, outcome_names, time_figures
from sim.report.figures.comparisons import comparison_figure
from sim.report.figures.distributions import distributions_figure, objectives_figure
from sim.report.findings_sections import (
    binding_section,
    comparison_key_findings,
    hypotheses_section,
    key_findings_section,
)
from sim.report.folder import ReportError, load_metrics, load_resolved, load_timeseries, read_optional_csv, successful
from sim.report.formatting import (
    format_metric,
    format_objective_target,
    format_parameter,
    format_percent,
    format_range,
)
from sim.report.map_replay import start_map_replay
from sim.report.sections import (
    OBJECTIVES_NOTE,
    footer,
    named_key_path,
    objective_verdict,
    provenance_section,
    reproduce_section,
)
from sim.report.style import metric_label, unit_label
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, provenance_rows

MAX_MAPS = 8
"""A comparison draws a map for at most this many scenarios."""
MAX_DIFFERENCE_PANELS = 18
"""The differences figure draws at most this many outcomes (six rows of three panels): the nine headline outcomes
and the hypotheses' and objectives' metrics of all seven shipped scenarios together fit."""


def _compare_scenarios(run_dir: Path, manifest: dict[str, Any]) -> tuple[list[str], list[Scenario]]:
    labels, scenarios = [], []
    for index, entry in enumerate(manifest.get("scenarios", [])):
        label = str(entry.get("label") or entry.get("name") or f"scenario {index}")
        resolved = entry.get("resolved")
        if not resolved:
            matches = sorted(run_dir.glob(f"scenario-{index}-*.yaml"))
            if not matches:
                raise ReportError(f"{run_dir}: no resolved scenario file for scenario {index} ({label})")
            resolved = matches[0].name
        labels.append(label)
        scenarios.append(load_resolved(run_dir, str(resolved)))
    if not scenarios:
        raise ReportError(f"{run_dir}: the manifest lists no scenarios")
    return labels, scenarios


def _comparison_table(run_dir: Path, ok: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    stored = read_optional_csv(run_dir / "comparison.csv")
    if stored is not None:
        return stored
    from sim.analysis.paired import compare_frames
    from sim.experiment.replications import metric_columns

    columns = [column for column in metric_columns(ok) if column != "scenario"]
    frames = {
        label: ok[ok["point"] == point][["replication", *columns]].reset_index(drop=True)
        for point, label in enumerate(labels)
        if (ok["point"] == point).any()
    }
    if labels[0] not in frames:
        return pd.DataFrame(columns=["scenario", "metric", "diff_mean", "diff_low", "diff_high"])
    return compare_frames(frames, labels[0])


VERDICT_TONES = {"better": "good", "worse": "bad"}
"""How a verdict's cell is coloured (the rest are neutral)."""


def _differences_table(comparison: pd.DataFrame, names: Sequence[str], baseline: str, order: list[str]) -> Table:
    rows = difference_rows(comparison, names, baseline, order)
    return Table(
        difference_header(baseline),
        tuple((*row[:-1], Cell(row[-1], VERDICT_TONES.get(row[-1], "neutral"))) for row in rows),
        caption=differences_caption(baseline),
        numeric=(2, 3, 4, 5, 6),
    )


def _same(first: ProvenanceRow, second: ProvenanceRow) -> bool:
    return (first.value, first.low, first.high, first.source_id) == (
        second.value,
        second.low,
        second.high,
        second.source_id,
    )


def _parameter_changes(baseline: Scenario, variant: Scenario) -> Table | Paragraph:
    before = {row.key_path: row for row in provenance_rows(baseline)}
    after = {row.key_path: row for row in provenance_rows(variant)}
    rows = []
    for key, row in after.items():
        old = before.get(key)
        if old is not None and _same(old, row):
            continue
        rows.append(
            (
                named_key_path(variant, key),
                "new" if old is None else format_parameter(old.value),
                format_parameter(row.value),
                format_range(row),
                row.source_text or "none",
                row.note,
            )
        )
    for key, old in before.items():
        if key not in after:
            rows.append((key, format_parameter(old.value), "removed", "", "", ""))
    if not rows:
        return Paragraph("No numeric parameter differs from the baseline (the variant may change policies or events).")
    return Table(
        ("parameter", "baseline", "this scenario", "range", "source", "note"),
        tuple(rows),
        numeric=(1, 2, 3),
        wrap=(0, 4, 5),
    )


def comparison_document(run_dir: Path, manifest: dict[str, Any], saver: FigureSaver) -> Document:
    """The comparison report of ``run_dir`` (its manifest already read); figures are drawn into ``saver``.

    Raises:
        ReportError: If a resolved scenario or the replications cannot be read, or the manifest lists no scenario.
    """
    labels, scenarios = _compare_scenarios(run_dir, manifest)
    seeds = manifest.get("seeds") or []
    replays = [  # the longest jobs, started first
        start_map_replay(saver.submit, run_dir, scenario, int(seeds[0]) if seeds else None)
        for scenario in scenarios[:MAX_MAPS]
    ]
    baseline = labels[0]
    metrics = load_metrics(run_dir)
    ok, _ = with_common_targets(successful(metrics), scenarios)
    timeseries = load_timeseries(run_dir)
    comparison = verdicts_of(_comparison_table(run_dir, ok, labels), labels[0])
    objectives = read_optional_csv(run_dir / "objectives.csv")
    hypotheses = read_optional_csv(run_dir / "hypotheses.csv")
    if hypotheses is None:
        hypotheses = judge_hypotheses(comparison, labels, scenarios, min_difference_overrides(scenarios[0]))
    point_labels = dict(enumerate(labels))
    findings = comparison_key_findings(comparison, labels, scenarios, objectives, hypotheses)
    baseline_means = ok[ok["point"] == 0].mean(numeric_only=True)

    scenario_rows = tuple(
        (
            label,
            scenario.name,
            str(entry.get("file") or entry.get("resolved") or ""),
            str(int((ok["point"] == index).sum())),
            " ".join(scenario.description.split()),
        )
        for index, (label, scenario, entry) in enumerate(zip(labels, scenarios, manifest["scenarios"], strict=False))
    )
    means = ok.groupby("point").mean(numeric_only=True)
    outcome_rows = []
    for metric in METRICS:
        if metric.name not in means.columns:
            continue
        outcome_rows.append(
            (
                metric_label(metric.name),
                *(
                    format_metric(metric.name, float(means[metric.name].get(point, math.nan)))
                    for point in range(len(labels))
                ),
                "%" if metric.unit == "share" else unit_label(metric.unit),
            )
        )
    summary_blocks: list[Block] = [
        Paragraph(
            f"Compares {len(labels)} scenarios with common random numbers: replication i of every scenario uses the "
            f"same seed, so every scenario faces the same raids and differences from the baseline ({baseline}) are "
            "paired replication by replication."
        ),
        Table(("label", "scenario", "file", "replications ok", "what it is"), scenario_rows, numeric=(3,), wrap=(2,)),
        Table(
            ("outcome", *labels, "unit"),
            tuple(outcome_rows),
            caption="Mean over the replications of each scenario.",
            numeric=tuple(range(1, len(labels) + 1)),
        ),
    ]

    objective_blocks: list[Block]
    if objectives is None or objectives.empty:
        objective_blocks = [Paragraph("The scenarios set no objectives.")]
    else:
        names = list(dict.fromkeys(objectives["name"]))
        rows = []
        for name in names:
            first = objectives[objectives["name"] == name].iloc[0]
            cells: list[str | Cell] = [str(name), format_objective_target(first)]
            for label in labels:
                match = objectives[(objectives["name"] == name) & (objectives["scenario"] == label)]
                if match.empty:
                    cells.append("–")
                    continue
                row = match.iloc[0]
                verdict = objective_verdict(float(row["probability"]), float(row["low"]), float(row["high"]))
                cells.append(
                    Cell(
                        f"{format_percent(float(row['probability']))} ({format_percent(float(row['low']))}–"
                        f"{format_percent(float(row['high']))}) {verdict.text}",
                        verdict.tone,
                    )
                )
            rows.append(tuple(cells))
        objective_blocks = [
            Paragraph(OBJECTIVES_NOTE),
            Table(("objective", "target", *labels), tuple(rows), caption="P(met) (90% CI) and verdict."),
            saver.add(
                "objectives",
                "Objectives: how likely each is met, by scenario",
                "Marker: share of replications meeting the objective; bar: its 90% CI; one colour per scenario.",
                objectives_figure,
                objectives,
                labels=labels,
            ),
        ]

    names = outcome_names(scenarios, list(ok.columns), hypotheses=True)
    drawn = names[:MAX_DIFFERENCE_PANELS]
    rest = [metric_label(name) for name in names[len(drawn) :]]
    left_out = f" Left out for room (they are in the table below): {', '.join(rest)}." if rest else ""
    comparison_blocks: list[Block] = [
        Paragraph(
            "How each scenario differs from the baseline, replication by replication (same seeds). A difference is "
            "better or worse only when its 90% confidence interval (CI) excludes zero and it reaches the smallest "
            "difference that matters for that outcome; negligible when the whole CI lies within ± that size; "
            "uncertain otherwise (more replications may settle it)."
        ),
        saver.add(
            "comparison",
            f"Differences from {baseline}",
            "Shown: the headline outcomes, then the metrics of the scenarios' hypotheses and objectives (the key "
            f"findings speak of these); other outcomes that changed are in the table below.{left_out} Marker: mean "
            "paired difference (scenario − baseline); bar: its 90% confidence interval. Blue: better; vermillion: "
            "worse; black: changed where neither direction is better; grey hollow diamond: negligible; grey hollow "
            "circle: uncertain. Shares in percentage points.",
            comparison_figure,
            comparison,
            drawn,
            baseline=baseline,
            scenarios=labels,
        ),
        _differences_table(comparison, names, baseline, labels),
    ]

    figure_blocks: list[Block] = list(time_figures(saver, timeseries, scenarios[0], point_labels))
    figure_blocks.append(
        saver.add(
            "outcome_distributions",
            "Outcomes over the replications, by scenario",
            "Each dot is one replication; the vertical tick is the mean and the black bar spans 90% of replications. "
            "Shares are in percent.",
            distributions_figure,
            ok,
            drawn,
            labels=point_labels,
        )
    )
    for index, (label, scenario) in enumerate(list(zip(labels, scenarios, strict=True))[:MAX_MAPS]):
        map_block, _table = map_figure_block(
            saver,
            scenario,
            ok[ok["point"] == index],
            replays[index],
            f"map-{index}",
            f"{label}: regions, deployed layers and leakers",
            caption=None if index == 0 else f"As the first map, for {label}.",
        )
        figure_blocks.append(map_block)

    variant_sections = tuple(
        Section(f"changes-{index}", f"What {label} changes", (_parameter_changes(scenarios[0], scenario),))
        for index, (label, scenario) in enumerate(zip(labels, scenarios, strict=True))
        if index > 0
    )
    provenance = provenance_section(scenarios[0], title_suffix=f" ({baseline})")
    provenance = Section(
        provenance.id, provenance.title, provenance.blocks, (*provenance.subsections, *variant_sections)
    )
    return Document(
        title=(
            f"Comparison report: {' vs '.join(labels)}"
            if len(labels) <= 3
            else f"Comparison report: {baseline} and {len(labels) - 1} variants"
        ),
        subtitle=(
            f"{len(labels)} scenarios × {len(seeds)} replications with the same seeds · baseline: {baseline} · "
            f"folder {run_dir.name}"
        ),
        sections=(
            key_findings_section(findings),
            Section("summary", "Summary", tuple(summary_blocks)),
            Section("objectives", "Objectives", tuple(objective_blocks)),
            Section("comparison", "Comparison with the baseline", tuple(comparison_blocks)),
            hypotheses_section(hypotheses),
            binding_section(baseline_means, saver),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance,
            reproduce_section(run_dir, manifest),
        ),
        footer=footer(manifest),
        meta={"sim-report-kind": "compare"},
    )
