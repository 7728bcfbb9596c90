"""The provenance table: one row per numeric parameter, with the evidence the scenario file gives for it.

The rows are checked against an independent walk of the raw YAML (``read_yaml_file``, no pydantic): every
``{value: …}`` mapping and every plain number the file writes must appear with the same value, range, unit,
source and note, and every row the file does not write must be an unsourced default.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sim.scenario.errors import format_key_path
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.provenance import ProvenanceRow, describe_source, provenance_rows
from sim.scenario.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
PUBLIC_FIGURES_CSV = ROOT / "sim" / "data" / "public_figures.csv"
# Numbers in a scenario that are plain settings, not evidence-carrying parameters (last key of their path).
PLAIN_NUMBER_KEYS = {"horizon_days", "seed", "replications", "allocation_days", "procurement_days", "day", "threshold"}


@pytest.fixture(scope="module")
def baseline() -> Scenario:
    return load_scenario(BASELINE)


@pytest.fixture(scope="module")
def rows(baseline: Scenario) -> dict[str, ProvenanceRow]:
    table = provenance_rows(baseline)
    by_path = {row.key_path: row for row in table}
    assert len(by_path) == len(table), "two rows share a key path"
    return by_path


def raw_numbers(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every ``{value: …}`` mapping and plain number in raw YAML data, with its key path."""
    if isinstance(node, dict):
        if "value" in node:
            yield path, node
            return
        for key, child in node.items():
            yield from raw_numbers(child, (*path, key))
    elif isinstance(node, list):
        for index, child in enumerate(node):
            yield from raw_numbers(child, (*path, index))
    elif isinstance(node, int | float) and not isinstance(node, bool):
        yield path, node


@pytest.fixture(scope="module")
def written() -> dict[tuple[str | int, ...], Any]:
    return dict(raw_numbers(read_yaml_file(BASELINE).data))


def _is_plain_setting(path: tuple[str | int, ...]) -> bool:
    last = path[-1]
    return last in PLAIN_NUMBER_KEYS or (isinstance(last, int) and path[-2] == "position_km")


def test_every_parameter_the_file_writes_has_its_row(
    rows: dict[str, ProvenanceRow], written: dict[tuple[str | int, ...], Any]
) -> None:
    parameters = {path: raw for path, raw in written.items() if not _is_plain_setting(path)}
    assert len(parameters) > 400  # the walk found the baseline's parameters, not nothing
    for path, raw in parameters.items():
        row = rows.get(format_key_path(path))
        assert row is not None, f"no provenance row for {format_key_path(path)}"
        mapping = raw if isinstance(raw, dict) else {"value": raw}
        assert (row.value, row.low, row.high, row.unit, row.source_id, row.note) == (
            mapping["value"],
            mapping.get("low"),
            mapping.get("high"),
            mapping.get("unit"),
            mapping.get("source"),
            mapping.get("note", ""),
        ), format_key_path(path)


def test_plain_settings_have_no_rows(rows: dict[str, ProvenanceRow], written: dict[tuple[str | int, ...], Any]) -> None:
    settings = [format_key_path(path) for path in written if _is_plain_setting(path)]
    assert (
        "horizon_days" in settings
        and "events[0].day" in settings
        and "actors.member_states.PL.position_km[0]" in settings
    )
    assert not set(settings) & set(rows)


def test_rows_the_file_does_not_write_are_unsourced_defaults(
    rows: dict[str, ProvenanceRow], written: dict[tuple[str | int, ...], Any]
) -> None:
    written_paths = {format_key_path(path) for path in written}
    defaults = {path: row for path, row in rows.items() if path not in written_paths}
    assert defaults  # e.g. effectors' shots_per_target, member states' safe_loan_meur
    assert "catalog.effectors.ew_jammer.shots_per_target" in defaults
    assert "actors.member_states.NL.safe_loan_meur" in defaults
    for path, row in defaults.items():
        assert (row.source_id, row.low, row.high, row.note) == (None, None, None, ""), path


def test_sourced_rows_match_the_citations_in_the_file(
    rows: dict[str, ProvenanceRow], written: dict[tuple[str | int, ...], Any]
) -> None:
    citations = {
        format_key_path(path): raw["source"]
        for path, raw in written.items()
        if isinstance(raw, dict) and "source" in raw
    }
    assert {path: row.source_id for path, row in rows.items() if row.has_source} == citations


def test_known_rows_carry_the_right_source_text(rows: dict[str, ProvenanceRow]) -> None:
    shahed = rows["catalog.threats.shahed.unit_cost_eur"]
    assert shahed.source_id == "public-figures#28"
    assert shahed.source_text.startswith("public figures #28: Shahed/Geran unit cost — ")
    assert shahed.is_contested and shahed.has_source
    ramp_up = rows["actors.ukraine.industry.ramp_up_days"]
    assert ramp_up.source_text == (
        "Broader support among EU states to expand military mission in Ukraine, says EU foreign policy chief — "
        "Anadolu Agency, 2025-08-29 [articles/003_990bacac988589a9.txt]"
    )
    assert not rows["catalog.threats.gerbera.damage_fraction"].has_source
    assert rows["catalog.threats.gerbera.damage_fraction"].source_text == ""


def test_describe_an_article_source(baseline: Scenario) -> None:
    assert describe_source(baseline, "rutte-drone-wall") == (
        "Rutte: We Are Working with the EU on a European Shield Against Drones — RKS News, 2025-10 "
        "[articles/001_8d99737dc84c8189.txt]"
    )
    assert describe_source(baseline, "no-such-source") == "no-such-source (not listed)"


def test_describe_a_public_figures_row(baseline: Scenario) -> None:
    with PUBLIC_FIGURES_CSV.open(encoding="utf-8", newline="") as handle:
        table = {int(row["row"]): row for row in csv.DictReader(handle)}
    row = table[35]
    assert describe_source(baseline, "public-figures#35") == (
        f"public figures #35: {row['parameter']} — {row['value']} {row['unit']} ({row['source']}, {row['date']})"
    )
    assert 36 not in table
    # A value that names its money unit is not followed by it again; a bare one is.
    assert describe_source(baseline, "public-figures#28") == (
        "public figures #28: Shahed/Geran unit cost — $20–50k (CSIS May 2025); $35k; ~$70k; >$100k (ziare; ndtv, 2025)"
    )
    assert describe_source(baseline, "public-figures#4").startswith(
        f"public figures #4: {table[4]['parameter']} — ~4 $M ("
    )
    assert describe_source(baseline, "public-figures#36") == "public-figures row 36 (not in the table)"


def test_rows_follow_extends_and_overrides() -> None:
    drone_wall = {row.key_path: row for row in provenance_rows(load_scenario(ROOT / "scenarios" / "drone_wall.yaml"))}
    share = drone_wall["actors.member_states.PL.policies.procurement.params.joint_procurement_share"]
    assert (share.value, share.source_id, share.note) == (
        0.4,
        "public-figures#46",
        "40% joint procurement goal by end-2027",
    )
    overridden = provenance_rows(load_scenario(BASELINE, ["catalog.threats.shahed.unit_cost_eur=50000"]))
    shahed = next(row for row in overridden if row.key_path == "catalog.threats.shahed.unit_cost_eur")
    assert (shahed.value, shahed.low, shahed.high, shahed.source_id) == (50000, 18000, 92000, "public-figures#28")
    assert shahed.note == "set by --set catalog.threats.shahed.unit_cost_eur=50000"
