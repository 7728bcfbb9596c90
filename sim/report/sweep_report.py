"""The report of a sweep (``sim sweep``): which varied parameters move which outcomes.

It lists the varied parameters with their ranges and sources, shows a tornado chart (each parameter from the
low to the high end of its range, the others at mid-range), the sensitivity indices of the sweep's method, each
outcome against each parameter, and how likely the objectives are met across the design.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.analysis.designs import Parameter
from sim.analysis.objectives import probabilities_by_group
from sim.analysis.sensitivity import index_kind
from sim.experiment.manifest import RESOLVED_SCENARIO_FILE
from sim.report.document import Block, Document, Paragraph, Section, Table
from sim.report.figure_blocks import FigureSaver
from sim.report.figures.distributions import distributions_figure
from sim.report.figures.sweeps import indices_figure, sweep_scatter_figure, tornado_figure
from sim.report.findings_sections import binding_section, key_findings_section, sweep_key_findings
from sim.report.folder import ReportError, load_metrics, load_resolved, read_optional_csv, successful
from sim.report.formatting import format_number, format_objective_target, format_parameter, format_percent
from sim.report.sections import footer, provenance_section, reproduce_section
from sim.report.style import metric_label
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, describe_source, provenance_rows


def _sweep_points(run_dir: Path, ok: pd.DataFrame, parameters: list[Parameter], outcomes: list[str]) -> pd.DataFrame:
    stored = read_optional_csv(run_dir / "points.csv")
    if stored is not None:
        for outcome in outcomes:
            if outcome not in stored.columns:
                for candidate in (f"{outcome}_mean", f"mean_{outcome}", f"{outcome}.mean"):
                    if candidate in stored.columns:
                        stored[outcome] = stored[candidate]
                        break
        return stored
    design = read_optional_csv(run_dir / "design.csv")
    if design is None:
        raise ReportError(f"{run_dir}: a sweep folder needs points.csv or design.csv")
    means = ok.groupby("point")[[outcome for outcome in outcomes if outcome in ok.columns]].mean()
    return design.merge(means, left_on="point", right_index=True, how="left")


def _source_of(scenario: Scenario, row: ProvenanceRow | None) -> str:
    if row is None or row.source_id is None:
        return "none"
    return row.source_text or describe_source(scenario, row.source_id)


def _sweep_objectives(scenario: Scenario, ok: pd.DataFrame) -> Table | Paragraph:
    if not scenario.objectives:
        return Paragraph("The scenario sets no objectives.")
    if ok.empty:
        return Paragraph("No design point has a successful replication.")
    by_point = probabilities_by_group(scenario.objectives, ok, "point")
    rows = []
    for objective in scenario.objectives:
        probabilities = by_point[objective.name].to_numpy(dtype=float)
        finite = probabilities[np.isfinite(probabilities)]
        rows.append(
            (
                objective.name,
                format_objective_target(
                    {"metric": objective.metric, "direction": objective.direction, "threshold": objective.threshold}
                ),
                format_percent(float(finite.min())) if finite.size else "–",
                format_percent(float(finite.mean())) if finite.size else "–",
                format_percent(float(finite.max())) if finite.size else "–",
                f"{int((finite >= 0.5).sum())} of {finite.size}",
            )
        )
    return Table(
        ("objective", "target", "lowest", "mean", "highest", "points ≥ 50%"),
        tuple(rows),
        caption=(
            "Probability each objective is met (P(met)) at each design point, summarised over the design: its lowest, "
            "mean and highest value, and the design points where it is at least 50%."
        ),
        numeric=(2, 3, 4, 5),
        wrap=(0, 1),
    )


def _indices_table(indices: pd.DataFrame, kind: str) -> Table:
    columns = {
        "sobol": ["S1", "S1_conf", "ST", "ST_conf"],
        "morris": ["mu_star", "mu_star_conf", "sigma"],
        "regression": ["SRC", "spearman_rho", "r_squared"],
    }[kind]
    columns = [column for column in columns if column in indices.columns]
    rows = []
    for row in indices.to_dict("records"):
        rows.append(
            (
                metric_label(str(row.get("outcome", ""))),
                str(row["parameter"]),
                *(format_number(float(row[column])) for column in columns),
                str(int(row["rank"])) if "rank" in row and not pd.isna(row["rank"]) else "",
            )
        )
    return Table(
        ("outcome", "parameter", *columns, "rank"),
        tuple(rows),
        caption="Sensitivity indices from indices.csv (rank 1 = most influential on that outcome).",
        numeric=tuple(range(2, 3 + len(columns))),
        wrap=(1,),
    )


def _screening_section(run_dir: Path, screening: dict[str, Any]) -> Section:
    """How a screened Sobol' sweep chose its parameters: the rule, and each candidate's score and decision."""
    table = read_optional_csv(run_dir / "screening.csv")
    candidates = len(screening.get("candidates", []))
    kept = screening.get("kept") or []
    blocks: list[Block] = [
        Paragraph(
            f"The sweep had {candidates} contested parameters, too many for a Sobol analysis at this size, so it "
            f"first screened them with Morris elementary effects ({screening.get('trajectories')} trajectories, "
            f"in the folder's {screening.get('folder', 'screening')}/ subfolder) and ran Sobol on the {len(kept)} it "
            f"kept. Rule: {screening.get('rule', '')}. A parameter screened out moved no outcome by as much as the "
            "rule asks, even at the top of its 90% interval; run the sweep with --no-screen to analyse every "
            "parameter, or with --screen-keep / --screen-threshold to keep more."
        )
    ]
    if table is not None and not table.empty:
        strongest = table.sort_values("relative_influence", ascending=False, kind="mergesort")
        strongest = strongest.drop_duplicates("parameter").set_index("parameter")
        rows = []
        for name in table["parameter"].drop_duplicates():
            row = strongest.loc[name]
            rows.append(
                (
                    str(name),
                    "kept" if bool(row["kept"]) else "screened out",
                    format_number(float(row["score"])),
                    metric_label(str(row["outcome"])) if str(row["outcome"]) not in ("", "nan") else "–",
                    f"{format_number(float(row['mu_star']))} ± {format_number(float(row['mu_star_conf']))}",
                )
            )
        blocks.append(
            Table(
                ("parameter", "decision", "score", "outcome it moves most", "μ* ± 90%"),
                tuple(rows),
                caption="Screening: each parameter's score (its largest μ* upper bound as a share of the outcome's "
                "largest μ*), on the outcome where it is largest; every outcome is in screening.csv.",
                numeric=(2, 4),
                wrap=(0, 3),
            )
        )
    return Section("screening", "Screening: which parameters the Sobol analysis kept", tuple(blocks))


def sweep_document(run_dir: Path, manifest: dict[str, Any], saver: FigureSaver) -> Document:
    """The sweep report of ``run_dir`` (its manifest already read); figures are drawn into ``saver``.

    Raises:
        ReportError: If the resolved scenario, the replications or the design cannot be read.
    """
    candidates = [RESOLVED_SCENARIO_FILE, *sorted(path.name for path in run_dir.glob("scenario-*.yaml"))]
    resolved = next((name for name in candidates if (run_dir / name).is_file()), None)
    if resolved is None:
        raise ReportError(f"{run_dir}: the sweep folder has no resolved scenario ({RESOLVED_SCENARIO_FILE})")
    scenario = load_resolved(run_dir, resolved)
    metrics = load_metrics(run_dir)
    ok = successful(metrics)
    parameters = [
        Parameter(str(entry["name"]), float(entry["low"]), float(entry["high"]))
        for entry in manifest.get("parameters", [])
    ]
    outcomes = [str(outcome) for outcome in manifest.get("outcomes", [])]
    points = _sweep_points(run_dir, ok, parameters, outcomes)
    indices = read_optional_csv(run_dir / "indices.csv")
    method = str(manifest.get("method", ""))
    analysis = str(manifest.get("analysis") or index_kind(method, indices if indices is not None else pd.DataFrame()))
    provenance = {row.key_path: row for row in provenance_rows(scenario)}

    parameter_rows = []
    for entry in manifest.get("parameters", []):
        row = provenance.get(str(entry["name"]))
        parameter_rows.append(
            (
                str(entry["name"]),
                format_parameter(float(entry["low"])),
                format_parameter(float(entry["high"])),
                format_parameter(float(entry["value"])) if entry.get("value") is not None else "",
                str(entry.get("origin", "")),
                _source_of(scenario, row),
            )
        )
    summary_blocks: list[Block] = [
        Paragraph(" ".join(scenario.description.split())),
        Table(
            ("item", "value"),
            (
                ("base scenario", scenario.name),
                ("method", f"{method} (analysis: {analysis})"),
                ("samples", str(manifest.get("samples", ""))),
                ("design points", str(len(points))),
                ("replications per point", str(manifest.get("replications", ""))),
                ("outcomes analysed", ", ".join(outcomes)),
            ),
            compact=True,
        ),
        Table(
            ("parameter", "low", "high", "base value", "why varied", "source"),
            tuple(parameter_rows),
            caption="Parameters the sweep varied ('contested': the scenario gives a range where sources differ).",
            numeric=(1, 2, 3),
            wrap=(0, 5),
        ),
    ]

    sensitivity_blocks: list[Block] = [
        Paragraph(
            "Which parameters move the outcomes. The tornado chart shows how far each outcome moves when one "
            "parameter goes from the low to the high end of its range (the others at mid-range, from a linear fit "
            "over the design points); the indices rank the parameters by the sweep's method."
        ),
        saver.add(
            "tornado",
            "What moves each outcome",
            "Bars: the outcome with the parameter at the low end (orange) and at the high end (blue) of its range, the "
            "other parameters at mid-range; the black line is the outcome with every parameter at mid-range. "
            "Parameters are sorted by the size of the swing.",
            tornado_figure,
            points,
            parameters,
            outcomes,
        ),
    ]
    if indices is not None and not indices.empty:
        kind = index_kind(method, indices)
        sensitivity_blocks += [
            saver.add(
                "sensitivity_indices",
                "Sensitivity indices",
                {
                    "sobol": "Sobol' indices: S1 is the share of the outcome's variance due to the parameter alone, ST "
                    "including its interactions; error bars are 90% bootstrap intervals.",
                    "morris": "Morris screening: μ* is the mean absolute change of the outcome over the parameter's "
                    "range (influence), σ the spread of those changes (non-linearity or interactions); error bars "
                    "are 90% bootstrap intervals of μ*.",
                    "regression": "Standardised regression coefficients: the change of the outcome, in standard "
                    "deviations, per standard deviation of the parameter (sign shows the direction); trustworthy when "
                    "the fit's R² is high.",
                }[kind],
                indices_figure,
                indices,
                method,
            ),
            _indices_table(indices, kind),
        ]
    else:
        sensitivity_blocks.append(Paragraph("The folder holds no sensitivity indices (indices.csv)."))

    figure_blocks: list[Block] = [
        saver.add(
            "outcome_vs_parameter",
            "Outcome against each varied parameter",
            "Each dot is one design point (the mean over its replications); the black line joins the mean outcome in "
            "five equal bins of the parameter's range.",
            sweep_scatter_figure,
            points,
            parameters,
            outcomes,
        ),
        saver.add(
            "outcome_distributions",
            "Outcomes over every replication of the sweep",
            "Each dot is one replication at some design point; the tick is the mean and the bar spans 90% of them.",
            distributions_figure,
            ok.assign(point=0),
            [o for o in outcomes if o in ok.columns],
        ),
    ]
    swept = [parameter.name for parameter in parameters]
    screening = manifest.get("screening")
    screened = [_screening_section(run_dir, screening)] if screening and screening.get("status") == "done" else []
    return Document(
        title=f"Sweep report: {scenario.name} ({method})",
        subtitle=(
            f"{len(parameters)} parameters × {len(points)} design points × {manifest.get('replications', '?')} "
            f"replications · folder {run_dir.name}"
        ),
        sections=(
            key_findings_section(
                sweep_key_findings(
                    indices if indices is not None else pd.DataFrame(columns=["outcome", "parameter", "rank"]),
                    points,
                    outcomes,
                    ok.mean(numeric_only=True),
                )
            ),
            Section("summary", "Summary", tuple(summary_blocks)),
            *screened,
            Section("objectives", "Objectives across the design", (_sweep_objectives(scenario, ok),)),
            Section("sensitivity", "Sensitivity", tuple(sensitivity_blocks)),
            binding_section(ok.mean(numeric_only=True), saver),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance_section(scenario, swept=swept),
            reproduce_section(run_dir, manifest),
        ),
        footer=footer(manifest),
        meta={"sim-report-kind": "sweep"},
    )
