"""Write a run folder's report: ``report.html`` (self-contained), ``report.md`` and ``figures/*.png|svg``.

:func:`write_report` reads the folder's manifest and builds the report its kind calls for:

* ``run`` (``sim run``): scenario summary and key outcomes, objectives with the probability each is met, time
  series with 90% bands, distributions of outcomes, the map schematic, the provenance table and the manifest;
* ``compare`` (``sim compare``): the same for every scenario side by side, plus the paired differences from
  the baseline with their confidence intervals and what each variant changes in the parameters;
* ``sweep`` (``sim sweep``): the varied parameters, a tornado chart, the sensitivity indices with intervals,
  each outcome against each parameter, and how likely the objectives are met across the design.

Everything is read from the files the folder holds (``replications.csv``, ``timeseries.parquet``, the
resolved scenarios and the kind's tables), so a report can be rebuilt at any time with ``sim report``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.experiment.manifest import MANIFEST_FILE, RESOLVED_SCENARIO_FILE, ManifestError, read_manifest
from sim.experiment.store import REPLICATIONS_CSV, TIMESERIES_PARQUET, ResultStore, StoreError, atomic_write_text
from sim.model.metrics import METRICS
from sim.report import figures as fig
from sim.report import map as schematic
from sim.report.console import format_number
from sim.report.document import (
    Block,
    Bullets,
    Cell,
    Code,
    Document,
    FigureBlock,
    Paragraph,
    Section,
    Table,
    render_html,
    render_markdown,
)
from sim.report.style import better_direction, is_share, metric_label, unit_label
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, describe_source, provenance_rows

__all__ = ["FIGURES_DIR", "HTML_FILE", "MARKDOWN_FILE", "ReportError", "ReportPaths", "write_report"]

HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
FIGURES_DIR = "figures"
MAX_MAPS = 8
"""A comparison draws a map for at most this many scenarios."""
MAX_SEEDS_SHOWN = 24
"""Seeds listed in the report; the manifest keeps all of them."""


class ReportError(Exception):
    """The folder cannot be reported on (missing, not a run folder, an unknown kind, a damaged file)."""


@dataclass(frozen=True)
class ReportPaths:
    """What :func:`write_report` wrote."""

    html: Path
    markdown: Path
    figures: tuple[fig.FigureFiles, ...]


# ----------------------------------------------------------------------------------------------------------------
# Reading a run folder
# ----------------------------------------------------------------------------------------------------------------


def _load_metrics(run_dir: Path) -> pd.DataFrame:
    path = run_dir / REPLICATIONS_CSV
    frame = pd.read_csv(path) if path.is_file() else ResultStore(run_dir).load_metrics()
    if frame.empty or ("status" in frame.columns and not (frame["status"] == "ok").any()):
        raise ReportError(f"{run_dir}: no replication has finished successfully yet; nothing to report")
    if "point" not in frame.columns:
        frame["point"] = 0
    return frame


def _ok(metrics: pd.DataFrame) -> pd.DataFrame:
    return metrics[metrics["status"] == "ok"] if "status" in metrics.columns else metrics


def _load_timeseries(run_dir: Path) -> pd.DataFrame:
    path = run_dir / TIMESERIES_PARQUET
    frame = pd.read_parquet(path) if path.is_file() else ResultStore(run_dir).load_timeseries()
    if "point" not in frame.columns:
        frame["point"] = 0
    return frame


def _load_resolved(run_dir: Path, name: str) -> Scenario:
    try:
        return load_scenario(run_dir / name)
    except ScenarioError as error:
        raise ReportError(f"{run_dir / name}: the resolved scenario does not load ({error})") from error


def _read_optional_csv(path: Path) -> pd.DataFrame | None:
    return pd.read_csv(path) if path.is_file() else None


# ----------------------------------------------------------------------------------------------------------------
# Formatting
# ----------------------------------------------------------------------------------------------------------------


def _value(name: str, value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if is_share(name):
        return f"{value * 100:.1f}%"
    return format_number(value)


def _interval(name: str, low: float, high: float) -> str:
    if not (math.isfinite(low) and math.isfinite(high)):
        return "–"
    return f"{_value(name, low)} – {_value(name, high)}"


def _difference(name: str, value: float) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    if value == 0:
        return "0"
    if is_share(name):
        shown = f"{value * 100:+.1f}"
        return ("±0.0" if float(shown) == 0 else shown) + " pp"
    text = format_number(value)
    if text.lstrip("-").strip("0.,") == "":
        return "±" + text.lstrip("-")
    return ("+" if value > 0 else "") + text


def _parameter_value(value: float | None) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:.4g}"


def _count(value: float) -> str:
    if not math.isfinite(value):
        return "–"
    return "0" if value == 0 else (f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}")


def _percent(value: float) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{value:.0%}"


def _objective_target(row: Any) -> str:
    direction = {">=": "≥", "<=": "≤"}.get(str(row["direction"]), str(row["direction"]))
    return f"{row['metric']} {direction} {_value(str(row['metric']), float(row['threshold']))}"


def objective_verdict(probability: float, low: float, high: float) -> Cell:
    """Read an objective's probability and its 90% interval: likely met, likely missed or uncertain.

    Args:
        probability: Share of replications that met it.
        low: Lower end of its 90% interval.
        high: Upper end.

    Returns:
        A cell: ``likely met`` (interval above 50%), ``likely missed`` (below 50%) or ``uncertain``.
    """
    if not math.isfinite(probability):
        return Cell("no data", "neutral")
    if math.isfinite(low) and low > 0.5:
        return Cell("likely met", "good")
    if math.isfinite(high) and high < 0.5:
        return Cell("likely missed", "bad")
    return Cell("uncertain", "neutral")


def _region_titles(scenario: Scenario) -> dict[str, str]:
    titles = {code: f"{state.name} ({code})" for code, state in scenario.actors.member_states.items()}
    titles.update({region.name: region.name.capitalize() for region in scenario.actors.ukraine.regions})
    return titles


def _start(scenario: Scenario) -> dt.date:
    return scenario.start_date


# ----------------------------------------------------------------------------------------------------------------
# Figures shared by runs and comparisons
# ----------------------------------------------------------------------------------------------------------------


class _Figures:
    """Saves figures as they are made and keeps their blocks."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: list[fig.FigureFiles] = []

    def add(self, stem: str, title: str, caption: str, make: Callable[[], Any]) -> FigureBlock:
        figure = make()
        files = fig.save_figure(figure, self.directory, stem)
        self.files.append(files)
        return FigureBlock(files, title, caption)


def _time_figures(
    saver: _Figures, timeseries: pd.DataFrame, scenario: Scenario, labels: dict[int, str] | None
) -> list[FigureBlock]:
    start = _start(scenario)
    several = labels is not None and len(labels) > 1
    lines = "Each line is a scenario. " if several else ""
    blocks = [
        saver.add(
            "leakers_per_week",
            "Threats that got through, per week",
            f"{lines}Threats not stopped by any layer each whole week, on Ukraine and on NATO territory "
            f"(each panel has its own scale; an incomplete last week is left out). {fig.BAND_NOTE}",
            lambda: fig.leakers_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "interceptor_stocks",
            "Interceptors on hand by region",
            f"{lines}All interceptor types of a region together, in rounds (missiles, gun bursts and interceptor "
            f"drones alike), so a region's panel shows when its magazines run down or are refilled; each panel has "
            f"its own scale. {fig.BAND_NOTE}",
            lambda: fig.stocks_figure(
                timeseries,
                scenario.region_names(),
                region_titles=_region_titles(scenario),
                ukraine_regions=[region.name for region in scenario.actors.ukraine.regions],
                labels=labels,
                start_date=start,
            ),
        ),
        saver.add(
            "cumulative_spend",
            "Cumulative spend",
            f"{lines}Running totals of the value of interceptors fired, of money committed to new orders, and of what "
            "the adversary's launches cost it. Read interceptor spend together with value protected (key outcomes): "
            f"a high cost-exchange ratio can still be a good trade. {fig.BAND_NOTE}",
            lambda: fig.spend_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "orders_deliveries",
            "Orders and deliveries",
            f"{lines}Running totals of units (fire units and interceptors) ordered and delivered; the gap between "
            f"ordered and delivered is what waits in industry's queues. {fig.BAND_NOTE}",
            lambda: fig.orders_deliveries_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "capability_targets",
            "NATO capability-target fulfilment",
            f"{lines}Mean over NATO's capability targets of min(1, fire units held ÷ target), day by day; 100% means "
            f"every target is met. {fig.BAND_NOTE}",
            lambda: fig.capability_figure(timeseries, labels=labels, start_date=start),
        ),
    ]
    return blocks


def _outcome_names(scenarios: Sequence[Scenario], available: Sequence[str]) -> list[str]:
    names = list(fig.HEADLINE_METRICS)
    for scenario in scenarios:
        for objective in scenario.objectives:
            if objective.metric not in names:
                names.append(objective.metric)
    return [name for name in names if name in set(available)]


def _map_block(
    saver: _Figures,
    scenario: Scenario,
    metrics: pd.DataFrame,
    seed: int | None,
    stem: str,
    title: str,
    *,
    caption: str | None = None,
) -> tuple[FigureBlock, Table | None]:
    deployed = schematic.deployed_fire_units(scenario, seed) if seed is not None else None
    data = schematic.map_data(scenario, metrics, deployed)
    when = (
        f"at the end of replication 1 (seed {seed}, replayed)"
        if seed is not None
        else "at the start (member states' holdings)"
    )
    caption = caption or (
        "Positions are schematic, taken from the scenario (not a geographic map). Circles are member states "
        "(NATO territory), hexagons Ukraine's regions; each is shaded by its mean number of leakers (darker: more) "
        "and labelled with it and, for member states, the mean number of nights drones entered its airspace. "
        f"The strip of squares beside each region shows the air-defence layers deployed there {when}, in the order "
        "threats meet them: EW, guns, interceptor drones, fighters, short, medium and long range (filled: at least "
        "one fire unit). Small black markers are sites (airports, bases, cities, energy, ports, industry)."
    )
    block = saver.add(stem, title, caption, lambda: schematic.map_figure(data, title=title))
    if deployed is None:
        return block, None
    layers = schematic.LAYER_NAMES
    rows = []
    for region in data.regions:
        rows.append(
            (
                region.title,
                "Ukraine" if region.is_ukraine else "NATO",
                *(_parameter_value(region.layers.get(layer, 0)) for layer in layers),
                _count(region.leakers),
            )
        )
    table = Table(
        ("region", "side", *(schematic.LAYER_LABELS[layer] for layer in layers), "mean leakers"),
        tuple(rows),
        caption=f"Fire units deployed by region and layer {when}.",
        numeric=tuple(range(2, 3 + len(layers))),
    )
    return block, table


# ----------------------------------------------------------------------------------------------------------------
# Sections shared by every kind
# ----------------------------------------------------------------------------------------------------------------


def _range(row: ProvenanceRow) -> str:
    if row.low is None and row.high is None:
        return ""
    return f"{_parameter_value(row.low)} – {_parameter_value(row.high)}"


def provenance_section(scenario: Scenario, *, swept: Sequence[str] = (), title_suffix: str = "") -> Section:
    """The provenance table: every numeric parameter with its value, range and source; unsourced ones apart.

    Args:
        scenario: The scenario whose parameters are listed.
        swept: Key paths of parameters a sweep varied (marked in the tables).
        title_suffix: Added to the section title (e.g. the scenario's label).

    Returns:
        The section (id ``provenance``) with subsections ``sources``, ``sourced-parameters`` and ``unsourced``.
    """
    rows = provenance_rows(scenario)
    sourced = [row for row in rows if row.has_source]
    unsourced = [row for row in rows if not row.has_source]
    contested = [row for row in rows if row.is_contested]
    swept_set = set(swept)

    def mark(row: ProvenanceRow) -> str:
        return row.key_path + ("  [swept]" if row.key_path in swept_set else "")

    intro = Paragraph(
        f"The scenario has {len(rows)} numeric parameters: {len(sourced)} cite a source and {len(unsourced)} do not; "
        f"{len(contested)} carry a range (low – high) where sources differ, which a sweep varies by default. "
        "Sources are public articles and the public-figures table bundled with the simulator."
    )
    source_rows = tuple(
        (
            source.id,
            source.title,
            source.outlet,
            str(source.date),
            source.article_file or source.url or "",
        )
        for source in scenario.sources
    )
    sources = Section(
        "sources",
        "Sources cited",
        (
            Table(("id", "title", "outlet", "date", "file or address"), source_rows, wrap=(4,))
            if source_rows
            else Paragraph("The scenario lists no articles; parameters may still cite public-figures rows."),
        ),
    )
    sourced_table = Table(
        ("parameter", "value", "range", "unit", "source", "note"),
        tuple(
            (mark(row), _parameter_value(row.value), _range(row), row.unit or "", row.source_text, row.note)
            for row in sourced
        ),
        numeric=(1, 2),
        wrap=(0, 4, 5),
    )
    unsourced_table = Table(
        ("parameter", "value", "range", "unit", "note"),
        tuple((mark(row), _parameter_value(row.value), _range(row), row.unit or "", row.note) for row in unsourced),
        numeric=(1, 2),
        wrap=(0, 4),
    )
    return Section(
        "provenance",
        "Parameters and their sources" + title_suffix,
        (intro,),
        (
            sources,
            Section(
                "sourced-parameters",
                f"Parameters with a source ({len(sourced)})",
                (sourced_table,) if sourced else (Paragraph("No parameter cites a source."),),
            ),
            Section(
                "unsourced",
                f"Unsourced parameters ({len(unsourced)})",
                (
                    Paragraph(
                        "These parameters cite no source: most are modelling assumptions (their note says so). "
                        "Treat results that hinge on them with care; a sweep over a plausible range shows how much "
                        "they matter.",
                        "bad" if unsourced else "",
                    ),
                    unsourced_table if unsourced else Paragraph("Every parameter cites a source."),
                ),
            ),
        ),
    )


def _command(manifest: dict[str, Any]) -> str:
    recorded = str(manifest.get("command") or "").strip()
    if recorded:
        return recorded
    kind = manifest.get("kind", "run")
    parts = ["sim", kind]
    if kind == "compare":
        parts += [str(entry.get("file") or entry.get("resolved") or entry["name"]) for entry in manifest["scenarios"]]
        overrides = manifest.get("overrides", [])
    else:
        scenario = manifest.get("scenario", {})
        parts.append(str(scenario.get("file") or RESOLVED_SCENARIO_FILE))
        overrides = scenario.get("overrides", [])
    parts += ["-n", str(manifest.get("replications", len(manifest.get("seeds", []))))]
    if manifest.get("base_seed") is not None:
        parts += ["--seed", str(manifest["base_seed"])]
    for override in overrides:
        parts += ["--set", str(override)]
    if kind == "sweep":
        parts += ["--method", str(manifest.get("method", "")), "--samples", str(manifest.get("samples", ""))]
        for parameter in manifest.get("parameters", []):
            parts += ["--vary", f"{parameter['name']}={parameter['low']}:{parameter['high']}"]
    return " ".join(parts) + "   # reconstructed from the manifest"


def reproduce_section(run_dir: Path, manifest: dict[str, Any]) -> Section:
    """How to reproduce the folder: the command, the seeds, the versions and the rest of the manifest.

    Args:
        run_dir: The run folder.
        manifest: Its manifest.

    Returns:
        The section (id ``reproduce``).
    """
    kind = manifest.get("kind", "run")
    blocks: list[Block] = [
        Paragraph(
            "The same scenario, seeds and simulator version give the same numbers on any machine. The command that "
            "made this folder:"
        ),
        Code(_command(manifest)),
    ]
    replications = manifest.get("replications", len(manifest.get("seeds", [])))
    seed = manifest.get("base_seed")
    if kind == "run":
        blocks += [
            Paragraph(
                f"or, from the resolved scenario saved in the folder ({RESOLVED_SCENARIO_FILE}: extends and --set "
                "already applied):"
            ),
            Code(f"sim run {run_dir.name}/{RESOLVED_SCENARIO_FILE} -n {replications} --seed {seed}"),
        ]
    elif kind == "compare":
        files = " ".join(f"{run_dir.name}/{entry.get('resolved', '')}" for entry in manifest.get("scenarios", []))
        blocks += [
            Paragraph("or, from the resolved scenarios saved in the folder:"),
            Code(f"sim compare {files} -n {replications} --seed {seed}"),
        ]
    facts = [
        ("kind", str(kind)),
        ("status", str(manifest.get("status", ""))),
        ("started", str(manifest.get("started", ""))),
        ("finished", str(manifest.get("finished", ""))),
        ("base seed", str(seed)),
        ("replications", str(replications)),
    ]
    if "tally" in manifest:
        tally = manifest["tally"]
        facts.append(("replications ok / failed", f"{tally.get('ok', '?')} / {tally.get('failed', '?')}"))
    executor = manifest.get("executor") or {}
    facts.append(
        (
            "executor",
            f"Dask at {executor['scheduler']}"
            if executor.get("scheduler")
            else f"local, {executor.get('workers') or 'one per core'} worker(s)",
        )
    )
    if kind in ("run", "sweep"):
        scenario = manifest.get("scenario", {})
        facts += [
            ("scenario", str(scenario.get("name", ""))),
            ("scenario file", str(scenario.get("file") or "")),
            ("overrides (--set)", ", ".join(scenario.get("overrides", [])) or "none"),
            ("scenario hash (SHA-256)", str(scenario.get("hash", ""))),
        ]
    else:
        for entry in manifest.get("scenarios", []):
            facts.append((f"scenario {entry.get('label')}", f"{entry.get('file') or ''}  hash {entry.get('hash', '')}"))
    blocks.append(Table(("item", "value"), tuple(facts), caption=f"From {MANIFEST_FILE}.", wrap=(1,), compact=True))
    seeds = [str(value) for value in manifest.get("seeds", [])]
    shown = ", ".join(seeds[:MAX_SEEDS_SHOWN])
    more = f", … ({len(seeds)} in all; every one is in {MANIFEST_FILE})" if len(seeds) > MAX_SEEDS_SHOWN else ""
    blocks += [
        Paragraph(
            "Replication seeds (derived from the base seed with numpy's SeedSequence; replication i of every "
            "scenario or point uses seed i):"
        ),
        Code(shown + more),
    ]
    versions = manifest.get("versions", {})
    if versions:
        blocks.append(
            Table(
                ("software", "version"),
                tuple((name, str(version)) for name, version in versions.items()),
                compact=True,
            )
        )
    notes = [str(note) for note in manifest.get("notes", []) or []]
    if notes:
        blocks += [Paragraph("Notes recorded with the results:"), Bullets(tuple(notes))]
    return Section("reproduce", "Reproduce this run (manifest)", tuple(blocks))


def _objectives_rows(objectives: pd.DataFrame) -> tuple[tuple[str | Cell, ...], ...]:
    rows = []
    for row in objectives.to_dict("records"):
        probability, low, high = float(row["probability"]), float(row["low"]), float(row["high"])
        n = int(row["n"]) if math.isfinite(float(row.get("n", math.nan))) else 0
        met = round(probability * n) if math.isfinite(probability) else 0
        rows.append(
            (
                str(row["name"]),
                _objective_target(row),
                _percent(probability),
                f"{_percent(low)} – {_percent(high)}",
                f"{met} of {n}",
                objective_verdict(probability, low, high),
                str(row.get("description") or "") if not pd.isna(row.get("description")) else "",
            )
        )
    return tuple(rows)


OBJECTIVES_NOTE = (
    "P(met) is the share of replications in which the objective was met; the 90% interval (Wilson) says how "
    "precisely the replications pin that probability down. Verdict: likely met when the whole interval is above "
    "50%, likely missed when it is below, uncertain otherwise (more replications narrow it)."
)


# ----------------------------------------------------------------------------------------------------------------
# Run
# ----------------------------------------------------------------------------------------------------------------


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
                _value(metric.name, mean),
                _interval(metric.name, low, high),
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


def _run_document(run_dir: Path, manifest: dict[str, Any], saver: _Figures) -> Document:
    scenario = _load_resolved(run_dir, RESOLVED_SCENARIO_FILE)
    metrics = _load_metrics(run_dir)
    ok = _ok(metrics)
    timeseries = _load_timeseries(run_dir)
    from sim.experiment.replications import evaluate_objectives

    objectives = _read_optional_csv(run_dir / "objectives.csv")
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
                ("objective", "target", "P(met)", "90% interval", "met in", "verdict", "description"),
                _objectives_rows(objectives),
                numeric=(2, 3, 4),
            ),
            saver.add(
                "objectives",
                "Objectives: how likely each is met",
                "Dot: share of replications meeting the objective; bar: its 90% interval. The dotted line marks 50%.",
                lambda: fig.objectives_figure(objectives),
            ),
        ]

    figure_blocks: list[Block] = list(_time_figures(saver, timeseries, scenario, None))
    names = _outcome_names([scenario], list(ok.columns))
    figure_blocks.append(
        saver.add(
            "outcome_distributions",
            "Outcomes over the replications",
            "Each dot is one replication; the vertical tick is the mean and the black bar spans 90% of replications "
            "(5th–95th percentile). Shares are in percent.",
            lambda: fig.distributions_figure(ok, names),
        )
    )
    seeds = manifest.get("seeds") or []
    map_block, deployed_table = _map_block(
        saver, scenario, ok, int(seeds[0]) if seeds else None, "map", "Regions, deployed layers and leakers"
    )
    figure_blocks.append(map_block)
    if deployed_table is not None:
        figure_blocks.append(deployed_table)

    ok_count = len(ok)
    return Document(
        title=f"Run report: {scenario.name}",
        subtitle=(
            f"{ok_count} replications of {scenario.horizon_days} days from {scenario.start_date:%d %B %Y} · "
            f"folder {run_dir.name}"
        ),
        sections=(
            Section("summary", "Summary", tuple(summary_blocks)),
            Section("objectives", "Objectives", tuple(objective_blocks)),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance_section(scenario),
            reproduce_section(run_dir, manifest),
        ),
        footer=_footer(manifest),
        meta={"sim-report-kind": "run"},
    )


def _footer(manifest: dict[str, Any]) -> str:
    version = (manifest.get("versions") or {}).get("eu-airdefence-sim", "?")
    return (
        f"Made by the European air- and drone-defence scenario simulator {version} on {dt.date.today():%d %B %Y}. "
        "Figures are also saved as PNG and SVG in the folder's figures/. Model results are scenario explorations, "
        "not forecasts."
    )


# ----------------------------------------------------------------------------------------------------------------
# Compare
# ----------------------------------------------------------------------------------------------------------------


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
        scenarios.append(_load_resolved(run_dir, str(resolved)))
    if not scenarios:
        raise ReportError(f"{run_dir}: the manifest lists no scenarios")
    return labels, scenarios


def _comparison_table(run_dir: Path, ok: pd.DataFrame, labels: list[str]) -> pd.DataFrame:
    stored = _read_optional_csv(run_dir / "comparison.csv")
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


def _differences_table(comparison: pd.DataFrame, names: Sequence[str], baseline: str, order: list[str]) -> Table:
    shown = list(names)
    for metric in METRICS:
        if metric.name in shown:
            continue
        rows = comparison[(comparison["metric"] == metric.name) & (comparison["scenario"] != baseline)]
        if any(
            fig.difference_verdict(float(row["diff_low"]), float(row["diff_high"]), metric.better)
            not in ("no clear difference",)
            for row in rows.to_dict("records")
        ):
            shown.append(metric.name)
    baseline_means = comparison[comparison["scenario"] == baseline].set_index("metric")["mean"]
    table_rows = []
    for name in shown:
        metric_rows = comparison[comparison["metric"] == name].set_index("scenario")
        for scenario in order[1:]:
            if scenario not in metric_rows.index:
                continue
            row = metric_rows.loc[scenario]
            verdict = fig.difference_verdict(float(row["diff_low"]), float(row["diff_high"]), better_direction(name))
            tone = {"better": "good", "worse": "bad"}.get(verdict, "neutral")
            table_rows.append(
                (
                    metric_label(name),
                    scenario,
                    _value(name, float(baseline_means.get(name, math.nan))),
                    _value(name, float(row["mean"])),
                    _difference(name, float(row["diff_mean"])),
                    f"{_difference(name, float(row['diff_low']))} … {_difference(name, float(row['diff_high']))}",
                    Cell(verdict, tone),
                )
            )
    return Table(
        ("outcome", "scenario", f"{baseline} mean", "scenario mean", "difference", "90% CI of difference", "verdict"),
        tuple(table_rows),
        caption=(
            f"Paired differences (scenario − {baseline}) over replications with the same seeds; shares in percentage "
            "points (pp). Shown: the headline outcomes, the objectives' metrics and every other outcome with a clear "
            "difference."
        ),
        numeric=(2, 3, 4, 5),
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
                key,
                "new" if old is None else _parameter_value(old.value),
                _parameter_value(row.value),
                _range(row),
                row.source_text or "none",
                row.note,
            )
        )
    for key, old in before.items():
        if key not in after:
            rows.append((key, _parameter_value(old.value), "removed", "", "", ""))
    if not rows:
        return Paragraph("No numeric parameter differs from the baseline (the variant may change policies or events).")
    return Table(
        ("parameter", "baseline", "this scenario", "range", "source", "note"),
        tuple(rows),
        numeric=(1, 2, 3),
        wrap=(0, 4, 5),
    )


def _compare_document(run_dir: Path, manifest: dict[str, Any], saver: _Figures) -> Document:
    labels, scenarios = _compare_scenarios(run_dir, manifest)
    baseline = labels[0]
    metrics = _load_metrics(run_dir)
    ok = _ok(metrics)
    timeseries = _load_timeseries(run_dir)
    comparison = _comparison_table(run_dir, ok, labels)
    objectives = _read_optional_csv(run_dir / "objectives.csv")
    point_labels = dict(enumerate(labels))

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
                *(_value(metric.name, float(means[metric.name].get(point, math.nan))) for point in range(len(labels))),
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
            cells: list[str | Cell] = [str(name), _objective_target(first)]
            for label in labels:
                match = objectives[(objectives["name"] == name) & (objectives["scenario"] == label)]
                if match.empty:
                    cells.append("–")
                    continue
                row = match.iloc[0]
                verdict = objective_verdict(float(row["probability"]), float(row["low"]), float(row["high"]))
                cells.append(
                    Cell(
                        f"{_percent(float(row['probability']))} ({_percent(float(row['low']))}–"
                        f"{_percent(float(row['high']))}) {verdict.text}",
                        verdict.tone,
                    )
                )
            rows.append(tuple(cells))
        objective_blocks = [
            Paragraph(OBJECTIVES_NOTE),
            Table(("objective", "target", *labels), tuple(rows), caption="P(met) (90% interval) and verdict."),
            saver.add(
                "objectives",
                "Objectives: how likely each is met, by scenario",
                "Marker: share of replications meeting the objective; bar: its 90% interval; one colour per scenario.",
                lambda: fig.objectives_figure(objectives, labels=labels),
            ),
        ]

    names = _outcome_names(scenarios, list(ok.columns))
    comparison_blocks: list[Block] = [
        Paragraph(
            "How each scenario differs from the baseline, replication by replication (same seeds). A difference is "
            "clear when its 90% confidence interval excludes zero; whether that is better or worse depends on the "
            "outcome (fewer leakers is better, a higher intercept rate is better)."
        ),
        saver.add(
            "comparison",
            f"Differences from {baseline}",
            "Marker: mean paired difference (scenario − baseline); bar: its 90% confidence interval. Blue: clearly "
            "better; vermillion: clearly worse; black: clearly changed where neither direction is better; grey "
            "(hollow): no clear difference. Shares in percentage points.",
            lambda: fig.comparison_figure(comparison, names, baseline=baseline, scenarios=labels),
        ),
        _differences_table(comparison, names, baseline, labels),
    ]

    figure_blocks: list[Block] = list(_time_figures(saver, timeseries, scenarios[0], point_labels))
    figure_blocks.append(
        saver.add(
            "outcome_distributions",
            "Outcomes over the replications, by scenario",
            "Each dot is one replication; the vertical tick is the mean and the black bar spans 90% of replications. "
            "Shares are in percent.",
            lambda: fig.distributions_figure(ok, names, labels=point_labels),
        )
    )
    seeds = manifest.get("seeds") or []
    for index, (label, scenario) in enumerate(list(zip(labels, scenarios, strict=True))[:MAX_MAPS]):
        map_block, _table = _map_block(
            saver,
            scenario,
            ok[ok["point"] == index],
            int(seeds[0]) if seeds else None,
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
            Section("summary", "Summary", tuple(summary_blocks)),
            Section("objectives", "Objectives", tuple(objective_blocks)),
            Section("comparison", "Comparison with the baseline", tuple(comparison_blocks)),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance,
            reproduce_section(run_dir, manifest),
        ),
        footer=_footer(manifest),
        meta={"sim-report-kind": "compare"},
    )


# ----------------------------------------------------------------------------------------------------------------
# Sweep
# ----------------------------------------------------------------------------------------------------------------


def _sweep_points(
    run_dir: Path, ok: pd.DataFrame, parameters: list[fig.SweepParameter], outcomes: list[str]
) -> pd.DataFrame:
    stored = _read_optional_csv(run_dir / "points.csv")
    if stored is not None:
        for outcome in outcomes:
            if outcome not in stored.columns:
                for candidate in (f"{outcome}_mean", f"mean_{outcome}", f"{outcome}.mean"):
                    if candidate in stored.columns:
                        stored[outcome] = stored[candidate]
                        break
        return stored
    design = _read_optional_csv(run_dir / "design.csv")
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
    from sim.experiment.replications import evaluate_objectives

    tables = [evaluate_objectives(scenario.objectives, rows) for _point, rows in ok.groupby("point")]
    if not tables:
        return Paragraph("No design point has a successful replication.")
    frame = pd.concat(tables, ignore_index=True)
    rows = []
    for name, group in frame.groupby("name", sort=False):
        probabilities = group["probability"].to_numpy(dtype=float)
        finite = probabilities[np.isfinite(probabilities)]
        first = group.iloc[0]
        rows.append(
            (
                str(name),
                _objective_target(first),
                _percent(float(finite.min())) if finite.size else "–",
                _percent(float(finite.mean())) if finite.size else "–",
                _percent(float(finite.max())) if finite.size else "–",
                f"{int((finite >= 0.5).sum())} of {finite.size}",
            )
        )
    return Table(
        ("objective", "target", "lowest P(met)", "mean P(met)", "highest P(met)", "points where P(met) ≥ 50%"),
        tuple(rows),
        caption="Probability each objective is met at each design point, summarised over the design.",
        numeric=(2, 3, 4, 5),
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


def _sweep_document(run_dir: Path, manifest: dict[str, Any], saver: _Figures) -> Document:
    candidates = [RESOLVED_SCENARIO_FILE, *sorted(path.name for path in run_dir.glob("scenario-*.yaml"))]
    resolved = next((name for name in candidates if (run_dir / name).is_file()), None)
    if resolved is None:
        raise ReportError(f"{run_dir}: the sweep folder has no resolved scenario ({RESOLVED_SCENARIO_FILE})")
    scenario = _load_resolved(run_dir, resolved)
    metrics = _load_metrics(run_dir)
    ok = _ok(metrics)
    parameters = [
        fig.SweepParameter(str(entry["name"]), float(entry["low"]), float(entry["high"]))
        for entry in manifest.get("parameters", [])
    ]
    outcomes = [str(outcome) for outcome in manifest.get("outcomes", [])]
    points = _sweep_points(run_dir, ok, parameters, outcomes)
    indices = _read_optional_csv(run_dir / "indices.csv")
    method = str(manifest.get("method", ""))
    analysis = str(
        manifest.get("analysis") or fig.index_kind(method, indices if indices is not None else pd.DataFrame())
    )
    provenance = {row.key_path: row for row in provenance_rows(scenario)}

    parameter_rows = []
    for entry in manifest.get("parameters", []):
        row = provenance.get(str(entry["name"]))
        parameter_rows.append(
            (
                str(entry["name"]),
                _parameter_value(float(entry["low"])),
                _parameter_value(float(entry["high"])),
                _parameter_value(float(entry["value"])) if entry.get("value") is not None else "",
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
            lambda: fig.tornado_figure(points, parameters, outcomes),
        ),
    ]
    if indices is not None and not indices.empty:
        kind = fig.index_kind(method, indices)
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
                lambda: fig.indices_figure(indices, method),
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
            lambda: fig.sweep_scatter_figure(points, parameters, outcomes),
        ),
        saver.add(
            "outcome_distributions",
            "Outcomes over every replication of the sweep",
            "Each dot is one replication at some design point; the tick is the mean and the bar spans 90% of them.",
            lambda: fig.distributions_figure(ok.assign(point=0), [o for o in outcomes if o in ok.columns]),
        ),
    ]
    swept = [parameter.name for parameter in parameters]
    return Document(
        title=f"Sweep report: {scenario.name} ({method})",
        subtitle=(
            f"{len(parameters)} parameters × {len(points)} design points × {manifest.get('replications', '?')} "
            f"replications · folder {run_dir.name}"
        ),
        sections=(
            Section("summary", "Summary", tuple(summary_blocks)),
            Section("objectives", "Objectives across the design", (_sweep_objectives(scenario, ok),)),
            Section("sensitivity", "Sensitivity", tuple(sensitivity_blocks)),
            Section("figures", "Figures", tuple(figure_blocks)),
            provenance_section(scenario, swept=swept),
            reproduce_section(run_dir, manifest),
        ),
        footer=_footer(manifest),
        meta={"sim-report-kind": "sweep"},
    )


# ----------------------------------------------------------------------------------------------------------------
# Entry point
# ----------------------------------------------------------------------------------------------------------------

_BUILDERS: dict[str, Callable[[Path, dict[str, Any], _Figures], Document]] = {
    "run": _run_document,
    "compare": _compare_document,
    "sweep": _sweep_document,
}


def write_report(run_dir: Path | str, *, figures_dir: Path | None = None) -> ReportPaths:
    """Write ``report.html``, ``report.md`` and the figures of a run, comparison or sweep folder.

    Args:
        run_dir: The folder ``sim run``, ``sim compare`` or ``sim sweep`` made.
        figures_dir: Where the PNG and SVG files go (default ``RUN_DIR/figures``).

    Returns:
        The paths written.

    Raises:
        ReportError: If the folder does not exist, is not a run folder, is of an unknown kind or holds files the
            report cannot read. The message says which.
    """
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ReportError(f"{run_dir} does not exist")
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir} is not a folder")
    try:
        manifest = read_manifest(run_dir)
    except FileNotFoundError as error:
        raise ReportError(str(error)) from error
    except ManifestError as error:
        raise ReportError(str(error)) from error
    kind = str(manifest.get("kind", "run"))
    builder = _BUILDERS.get(kind)
    if builder is None:
        raise ReportError(f"{run_dir}: unknown kind of run folder '{kind}' (expected one of {', '.join(_BUILDERS)})")
    saver = _Figures(Path(figures_dir) if figures_dir is not None else run_dir / FIGURES_DIR)
    try:
        document = builder(run_dir, manifest, saver)
    except (FileNotFoundError, KeyError, OSError, ValueError, StoreError) as error:
        raise ReportError(f"{run_dir}: cannot build the report ({type(error).__name__}: {error})") from error
    html_path, markdown_path = run_dir / HTML_FILE, run_dir / MARKDOWN_FILE
    atomic_write_text(html_path, render_html(document))
    atomic_write_text(markdown_path, render_markdown(document, run_dir))
    return ReportPaths(html_path, markdown_path, tuple(saver.files))
