"""The tabletop decision format: decision files and prompt entries, and their located error messages."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.api import load_scenario
from sim.cli import app
from sim.scenario.errors import ScenarioError
from sim.scenario.events import Incursion
from sim.scenario.yaml_source import read_yaml_file
from sim.tabletop.decisions import (
    FundingDecision,
    MoveDecision,
    OrderDecision,
    TransferDecision,
    load_decision_file,
    parse_entry,
    turn_count,
)

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
BASELINE_SUPPLIERS = ", ".join(sorted(item["name"] for item in read_yaml_file(BASELINE).data["industry"]["suppliers"]))
EXAMPLE = ROOT / "scenarios" / "decisions" / "example_decisions.yaml"
WIDE = {"COLUMNS": "200"}


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE, overrides=["horizon_days=28"])


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "decisions.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, scenario, text: str, turn_days: int | None = None) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_decision_file(write(tmp_path, text), scenario, turn_days)
    return [problem.format().replace(str(tmp_path) + "/", "") for problem in caught.value.problems]


def test_turn_count_rounds_up():
    assert turn_count(28, 7) == 4
    assert turn_count(30, 7) == 5
    assert turn_count(365, 7) == 53


def test_example_file_loads_with_every_kind(scenario):
    loaded = load_decision_file(EXAMPLE, scenario)
    assert loaded.turn_days == 7
    assert sorted(loaded.plans) == [0, 1, 2, 3]
    assert loaded.plans[0].played == frozenset({"DE", "PL", "DK", "NATO", "EU"})
    assert loaded.plans[1].played == frozenset({"DE", "PL", "DK", "NATO", "EU", "UA"})
    assert loaded.plans[3].played == loaded.plans[1].played  # played carries forward
    entries = [entry for plan in loaded.plans.values() for entry in plan.entries]
    decision_kinds = {entry.item.kind for entry in entries if entry.is_decision}
    inject_kinds = {entry.item.kind for entry in entries if not entry.is_decision}
    assert decision_kinds == {"transfer", "order", "move", "fund_ukraine_industry", "joint_round", "allocate"}
    assert inject_kinds == {
        "incursion",
        "raid",
        "transfer",
        "budget_change",
        "supplier_delay",
        "capacity_change",
        "airport_closure",
        "redeployment",
        "funding",
    }
    # A turn's injects come before its decisions, each in the order written.
    turn1 = loaded.plans[1].entries
    assert [entry.is_decision for entry in turn1] == [False, False, False, True, True, True, True, True, True]
    assert turn1[3].item.kind == "joint_round"
    # The raw mapping is kept for the log, `from` under its own name.
    move = next(e for e in turn1 if e.is_decision and e.item.kind == "move" and e.actor == "UA")
    assert move.raw["from"] == "lviv" and move.item.origin == "lviv"


def test_prompt_entries_parse_into_typed_items(scenario):
    transfer = parse_entry("{actor: DE, kind: transfer, recipient: UA, fire_units: {patriot: 1}}", scenario)
    assert isinstance(transfer.item, TransferDecision) and transfer.item.fire_units == {"patriot": 1}
    order = parse_entry("{actor: PL, kind: order, item: pac3_mse, units: 200, joint: true}", scenario)
    assert isinstance(order.item, OrderDecision) and order.item.joint and order.item.units == 200
    move = parse_entry("{actor: NATO, kind: move, effector: patriot, units: 1, to: EE}", scenario)
    assert isinstance(move.item, MoveDecision) and move.item.origin is None
    funding = parse_entry("{actor: EU, kind: fund_ukraine_industry, meur: 500}", scenario)
    assert isinstance(funding.item, FundingDecision) and funding.item.meur == 500.0
    inject = parse_entry("{kind: incursion, target: EE, drones: 12}", scenario)
    assert not inject.is_decision and isinstance(inject.item, Incursion) and inject.item.day == 0
    assert inject.describe() == "{kind: incursion, target: EE, drones: 12}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{actor: Germny, kind: transfer, fire_units: {patriot: 1}}",
            "<prompt>:1:2: actor: unknown actor 'Germny' (expected a member-state code (PL, DE, NL, FR, DK, RO, FI, "
            "EE, LV, LT), NATO, EU or UA; did you mean 'DE'?)",
        ),
        (
            "{actor: Poland, kind: order, item: pac3_mse, units: 3}",
            "<prompt>:1:2: actor: unknown actor 'Poland' (expected a member-state code (PL, DE, NL, FR, DK, RO, FI, "
            "EE, LV, LT), NATO, EU or UA; did you mean 'PL'?)",
        ),
        (
            "{actor: DE, kind: tranfer, fire_units: {patriot: 1}}",
            "<prompt>:1:13: kind: unknown choice 'tranfer' (expected one of: transfer, order, move, "
            "fund_ukraine_industry, joint_round, allocate; did you mean 'transfer'?)",
        ),
        (
            "{actor: DE, kind: transfer, fire_unit: {patriot: 1}}",
            "<prompt>:1:29: fire_unit: unknown key 'fire_unit' (expected one of: actor, note, fire_units, "
            "interceptors, kind, recipient, backfill; did you mean 'fire_units'?)",
        ),
        (
            "{actor: DE, kind: transfer, fire_units: {patriott: 1}}",
            "<prompt>:1:42: fire_units.patriott: unknown effector 'patriott' (expected one of: ew_jammer, "
            "mobile_fire_group, s300_buk, gepard, skyranger, interceptor_drone_team, piorun_team, fighter_qra, "
            "iris_t_slm, nasams, samp_t, patriot; did you mean 'patriot'?)",
        ),
        (
            "{actor: DE, kind: order, item: pac3_mse, units: many}",
            "<prompt>:1:42: units: Input should be a valid integer (got the text 'many')",
        ),
        (
            "{actor: DE, kind: order, item: pac3_mse, units: 0}",
            "<prompt>:1:42: units: Input should be greater than or equal to 1 (got 0)",
        ),
        (
            "{actor: NATO, kind: order, item: pac3_mse, units: 3}",
            "<prompt>:1:2: actor: NATO cannot take 'order' decisions (expected a member state as the actor)",
        ),
        (
            "{actor: NATO, kind: move, effector: patriot, frm: PL, to: EE}",
            "<prompt>:1:46: frm: unknown key 'frm' (expected one of: actor, note, kind, effector, units, to, from; "
            "did you mean 'from'?)",
        ),
        (
            "{actor: UA, kind: move, effector: patriot, to: kyiv}",
            "<prompt>:1:1: a move by UA needs 'from': the region the units leave (expected from: one of kyiv, "
            "kharkiv, dnipro, odesa, zaporizhzhia, lviv)",
        ),
        (
            "{actor: DE, kind: transfer, recipient: DE, interceptors: {iris_t: 5}}",
            "<prompt>:1:29: recipient: DE cannot give to itself (expected UA or another member state)",
        ),
        (
            "{kind: incursion, target: EE, drones: 12, day: 3}",
            "<prompt>:1:1: an inject takes effect at the start of the next turn, so it has no 'day': leave 'day' out",
        ),
        (
            "{kind: incursion, target: XX, drones: 12}",
            "<prompt>:1:19: target: unknown member state 'XX' (expected a state code: PL (Poland), DE (Germany), "
            "NL (Netherlands), FR (France), DK (Denmark), RO (Romania), FI (Finland), EE (Estonia), LV (Latvia), "
            "LT (Lithuania))",
        ),
        (
            "{kind: incurson, target: EE, drones: 12}",
            "<prompt>:1:2: kind: unknown choice 'incurson' (expected one of: incursion, raid, transfer, budget_change, "
            "supplier_delay, capacity_change, airport_closure, redeployment, funding; did you mean 'incursion'?)",
        ),
        (
            "{actor: DE}",
            "<prompt>:1:1: 'kind' is missing: it says which kind of entry this is (expected kind: one of transfer, "
            "order, move, fund_ukraine_industry, joint_round, allocate)",
        ),
        (
            "[1, 2]",
            "<prompt>:1:1: expected one decision or inject as a mapping (expected e.g. {actor: PL, kind: order, "
            "item: pac3_mse, units: 20})",
        ),
    ],
)
def test_prompt_errors_are_located(scenario, text, expected):
    with pytest.raises(ScenarioError) as caught:
        parse_entry(text, scenario)
    assert caught.value.problems[0].format() == expected


def test_file_errors_are_located_with_suggestions(tmp_path, scenario):
    found = problems(
        tmp_path,
        scenario,
        """\
        played: [DE, Natoo]
        turns:
          - turn: 0
            decisions:
              - {actor: DE, kind: transfer, fire_units: {patriot: 1}}
              - {actor: FR, kind: order, item: aster30, units: 10}
              - {actor: DE, kind: order, item: pac3_mse, units: 10, supplyer: mbda}
          - turn: 9
          - turn: 1
            injects:
              - {kind: supplier_delay, supplier: lockheed, days: 10}
          - turn: 1
        """,
    )
    assert found == [
        "decisions.yaml:7:61: turns[0].decisions[2].supplyer: unknown key 'supplyer' (expected one of: actor, note, "
        "kind, item, units, joint, supplier; did you mean 'supplier'?)",
    ]
    # Type errors come first; with them fixed, the names are checked against the scenario.
    found = problems(
        tmp_path,
        scenario,
        """\
        played: [DE, Natoo]
        turns:
          - turn: 0
            decisions:
              - {actor: DE, kind: transfer, fire_units: {patriot: 1}}
              - {actor: FR, kind: order, item: aster30, units: 10}
          - turn: 9
          - turn: 1
            injects:
              - {kind: supplier_delay, supplier: lockheed, days: 10}
          - turn: 1
        """,
    )
    assert found == [
        "decisions.yaml:1:14: played[1]: unknown actor 'Natoo' (expected a member-state code (PL, DE, NL, FR, DK, "
        "RO, FI, EE, LV, LT), NATO, EU or UA; did you mean 'NATO'?)",
        "decisions.yaml:6:10: turns[0].decisions[1].actor: FR is not played at decision point 0 (expected FR in "
        "the top-level 'played' or in 'played' of turn 0 or earlier (its policies then stand down))",
        "decisions.yaml:10:32: turns[2].injects[0].supplier: unknown supplier 'lockheed' (expected one of: "
        f"{BASELINE_SUPPLIERS}; did you mean 'lockheed_martin_us'?)",
        "decisions.yaml:11:5: turns[3].turn: turn 1 is listed twice (also turns[2]) (expected one entry per "
        "decision point)",
        "decisions.yaml:7:5: turns[1].turn: there is no decision point 9: the game has 4 turns of 7 days and the "
        "last decision point is 3 (expected a turn from 0 to 3)",
    ]


def test_turn_days_must_agree(tmp_path, scenario):
    found = problems(tmp_path, scenario, "turn_days: 7\nturns: []\n", turn_days=14)
    assert found == [
        "decisions.yaml:1:1: turn_days: the file was written for 7-day turns, the game has 14-day turns "
        "(expected --turn-days 7, or leave it out)"
    ]
    assert load_decision_file(write(tmp_path, "turn_days: 14\nturns: []\n"), scenario).turn_days == 14
    assert load_decision_file(write(tmp_path, "turns: []\n"), scenario, 3).turn_days == 3


def test_empty_and_wrong_files(tmp_path, scenario):
    assert problems(tmp_path, scenario, "# nothing\n") == [
        "decisions.yaml:1:1: the file is empty (expected a mapping with 'turns')"
    ]
    assert problems(tmp_path, scenario, "- 1\n- 2\n") == [
        "decisions.yaml:1:1: the file holds a list (expected a mapping with 'turns')"
    ]
    assert problems(tmp_path, scenario, "turns:\n  - turn: -1\n") == [
        "decisions.yaml:2:5: turns[0].turn: Input should be greater than or equal to 0 (got -1)"
    ]
    with pytest.raises(ScenarioError) as caught:
        load_decision_file(tmp_path / "missing.yaml", scenario)
    assert "file not found" in caught.value.problems[0].message


def test_play_reports_a_bad_decision_file_without_a_traceback(tmp_path):
    bad = write(tmp_path, "played: [DE]\nturns:\n  - turn: 0\n    decisions:\n      - {actor: DE, kind: donate}\n")
    result = CliRunner().invoke(
        app,
        ["play", str(BASELINE), "--set", "horizon_days=28", "--decisions", str(bad), "--out", str(tmp_path)],
        env=WIDE,
    )
    assert result.exit_code == 1
    assert "decisions.yaml:5:21: turns[0].decisions[0].kind: unknown choice 'donate'" in result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*/game.yaml"))  # nothing was started
