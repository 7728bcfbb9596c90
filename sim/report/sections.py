"""Sections every report shares: the objectives table, the provenance table, how to reproduce the folder, the footer.

A run, a comparison and a sweep report end alike: the parameters with their sources (so a reader can tell
sourced figures from assumptions), and the command, seeds and versions that remake the folder. Runs and
comparisons also read their objectives the same way (:func:`objective_verdict`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.objectives import likelihood
from sim.experiment.manifest import MANIFEST_FILE, RESOLVED_SCENARIO_FILE
from sim.report.document import Block, Bullets, Cell, Code, Details, Paragraph, Section, Table
from sim.report.formatting import format_objective_target, format_parameter, format_percent, format_range
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, provenance_rows

MAX_SEEDS_SHOWN = 24
"""Seeds listed in the report; the manifest keeps all of them."""


def objective_verdict(probability: float, low: float, high: float) -> Cell:
    """An objective's verdict as a table cell: :func:`~sim.analysis.objectives.likelihood`, coloured by its tone.

    Args:
        probability: Share of replications that met it.
        low: Lower end of its 90% interval.
        high: Upper end.

    Returns:
        A cell: ``likely met`` (good), ``likely missed`` (bad), ``uncertain`` or ``no data`` (neutral).
    """
    verdict = likelihood(probability, low, high)
    return Cell(verdict, {"likely met": "good", "likely missed": "bad"}.get(verdict, "neutral"))


_PATH_TOKEN = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def _item_name(item: Any) -> str | None:
    """What a list entry is called: its name, its item, its id, or its state and effector (a capability target)."""
    for attribute in ("name", "item", "id"):
        value = getattr(item, attribute, None)
        if isinstance(value, str) and value:
            return value
    state, effector = getattr(item, "state", None), getattr(item, "effector", None)
    return f"{state}-{effector}" if isinstance(state, str) and isinstance(effector, str) else None


def named_key_path(scenario: Scenario, key_path: str) -> str:
    """A parameter's key path with list positions replaced by what the entries are called, for reading:
    ``industry.suppliers[0].products[0].unit_cost_eur`` → ``industry.suppliers[rheinmetall].products[skyranger]
    .unit_cost_eur``. Entries without a name keep their position (``--set`` and ``--vary`` take positions).
    """
    current: Any = scenario
    parts: list[str] = []
    for match in _PATH_TOKEN.finditer(key_path):
        key, index = match.group(1), match.group(2)
        if key is not None:
            parts.append(("." if parts else "") + key)
            current = current.get(key) if isinstance(current, dict) else getattr(current, key, None)
            continue
        position = int(index)
        entry = current[position] if isinstance(current, list | tuple) and position < len(current) else None
        label = _item_name(entry) if entry is not None else None
        parts.append(f"[{label or position}]")
        current = entry
    return "".join(parts)


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
        return named_key_path(scenario, row.key_path) + ("  [swept]" if row.key_path in swept_set else "")

    intro = Paragraph(
        f"The scenario has {len(rows)} numeric parameters: {len(sourced)} cite a source and {len(unsourced)} do not "
        f"(assumptions); {len(contested)} carry a range (low – high) where sources differ, which a sweep varies by "
        "default. Sources are public articles and the public-figures table bundled with the simulator. Contested "
        "parameters come first."
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
    leading = sorted(sourced, key=lambda row: not row.is_contested)  # contested first, otherwise in file order
    sourced_table = Table(
        ("parameter", "value", "range", "unit", "source", "note"),
        tuple(
            (mark(row), format_parameter(row.value), format_range(row), row.unit or "", row.source_text, row.note)
            for row in leading
        ),
        numeric=(1, 2),
        wrap=(0, 4, 5),
    )
    unsourced_table = Table(
        ("parameter", "value", "range", "unit", "note"),
        tuple(
            (mark(row), format_parameter(row.value), format_range(row), row.unit or "", row.note) for row in unsourced
        ),
        numeric=(1, 2),
        wrap=(0, 4),
    )
    contested_unsourced = sum(1 for row in unsourced if row.is_contested)
    return Section(
        "provenance",
        "Parameters and their sources" + title_suffix,
        (intro,),
        (
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
                        f"{len(unsourced)} parameters cite no source: most are modelling assumptions (their note says "
                        f"so); {contested_unsourced} of them carry an assumed range. Treat results that hinge on them "
                        "with care; a sweep over a plausible range shows how much they matter.",
                        "bad" if unsourced else "",
                    ),
                    Details(f"Show all {len(unsourced)} unsourced parameters", (unsourced_table,))
                    if unsourced
                    else Paragraph("Every parameter cites a source."),
                ),
            ),
            sources,
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


def objectives_rows(objectives: pd.DataFrame) -> tuple[tuple[str | Cell, ...], ...]:
    """The rows of a run's objectives table: target, P(met) with its interval, how often met, verdict, description."""
    rows = []
    for row in objectives.to_dict("records"):
        probability, low, high = float(row["probability"]), float(row["low"]), float(row["high"])
        n = int(row["n"]) if math.isfinite(float(row.get("n", math.nan))) else 0
        met = round(probability * n) if math.isfinite(probability) else 0
        rows.append(
            (
                str(row["name"]),
                format_objective_target(row),
                format_percent(probability),
                f"{format_percent(low)} – {format_percent(high)}",
                f"{met} of {n}",
                objective_verdict(probability, low, high),
                str(row.get("description") or "") if not pd.isna(row.get("description")) else "",
            )
        )
    return tuple(rows)


OBJECTIVES_NOTE = (
    "P(met) is the share of replications in which the objective was met; its 90% confidence interval (CI, Wilson) "
    "says how precisely the replications pin that probability down. Verdict: likely met when the whole CI is above "
    "50%, likely missed when it is below, uncertain otherwise (more replications narrow it)."
)


def footer(manifest: dict[str, Any]) -> str:
    """The line under every report: the simulator's version, the date and what the results are (and are not)."""
    version = (manifest.get("versions") or {}).get("eu-airdefence-sim", "?")
    return (
        f"Made by the European air- and drone-defence scenario simulator {version} on {dt.date.today():%d %B %Y}. "
        "Figures are also saved as PNG and SVG in the folder's figures/. Model results are scenario explorations, "
        "not forecasts."
    )
