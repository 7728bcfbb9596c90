"""``sim aar``: the after-action report (HSEEP AAR/IP) written from a game log."""

from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from sim.api import load_scenario
from sim.cli import app
from sim.report.document import Bullets, Table
from sim.tabletop.aar import (
    build_aar,
    derive_findings,
    rate,
    to_html,
    to_markdown,
)
from sim.tabletop.decisions import load_decision_file
from sim.tabletop.log import read_game_log
from sim.tabletop.session import start_session

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLE = ROOT / "scenarios" / "decisions" / "example_decisions.yaml"
SECTIONS = [
    "Key Findings",
    "Exercise Overview",
    "Exercise Summary",
    "Analysis of Objectives and Core Capabilities",
    "Timeline of Key Events and Decisions",
    "Strengths",
    "Areas for Improvement",
    "Improvement Plan",
    "Appendix A: Exercise Participants",
    "Appendix B: Outcomes",
]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE, overrides=["horizon_days=28"])


@pytest.fixture(scope="module")
def record(scenario, tmp_path_factory):
    session = start_session(
        scenario,
        seed=20250901,
        turn_days=7,
        results_root=tmp_path_factory.mktemp("game"),
        console=Console(file=io.StringIO()),
        read_line=None,
        decisions=load_decision_file(EXAMPLE, scenario),
        figures=False,
        source_file=str(BASELINE),
        overrides=["horizon_days=28"],
    )
    session.run()
    return read_game_log(session.log.path)


def section(report, title: str) -> list:
    return list(next(s for s in report.document.sections if s.title == title).blocks)


def test_the_report_opens_with_key_findings_that_repeat_its_numbers(record):
    report = build_aar(record)
    (bullets,) = section(report, "Key Findings")
    summary = " ".join(section(report, "Exercise Summary")[0].text.split())
    assert 3 <= len(bullets.items) <= 7
    # The outcomes and objectives sentences are the summary's own, word for word; no sentence has an empty slot.
    assert bullets.items[0] in summary and bullets.items[1] in summary
    assert all(item.strip().endswith(".") and " ." not in item and ": ." not in item for item in bullets.items)
    # The finished game's metrics carry the binding-constraint record: the findings say what bound Ukraine.
    assert any(name.startswith("binding_nights_share.") for name in record.log.final["metrics"])
    assert any(item.startswith("What binds in Ukraine: ") for item in bullets.items)


def test_the_report_has_the_hseep_sections_in_order(record):
    report = build_aar(record)
    assert report.title == "After-Action Report / Improvement Plan — baseline tabletop exercise"
    assert [s.title for s in report.document.sections] == SECTIONS
    overview = dict(map(tuple, section(report, "Exercise Overview")[0].rows))
    for key in (
        "Exercise name",
        "Exercise dates",
        "Simulated period",
        "Scope",
        "Mission areas",
        "Core capabilities",
        "Objectives",
        "Threat or hazard",
        "Scenario",
        "Participating organisations (played)",
        "Reproduce",
    ):
        assert overview[key]
    assert overview["Simulated period"] == "01 September 2025 – 28 September 2025 (28 days, 4 turns of 7 days)"
    assert overview["Participating organisations (played)"] == (
        "DE (from decision point 0); DK (from decision point 0); EU (from decision point 0); "
        "NATO (from decision point 0); PL (from decision point 0); UA (from decision point 1)"
    )
    assert "seed 20250901" in overview["Reproduce"] and "--set horizon_days=28" in overview["Reproduce"]


def test_objectives_are_rated_with_their_values(record):
    report = build_aar(record)
    table = next(b for b in section(report, "Analysis of Objectives and Core Capabilities") if isinstance(b, Table))
    assert list(table.columns) == ["Objective", "Core capability", "Metric", "Target", "Result", "Rating", "HSEEP"]
    final = record.log.final
    by_name = {row[0]: row for row in table.rows}
    for objective in final["objectives"]:
        row = by_name[objective["name"]]
        result, letter, _ = rate(objective["value"], objective["threshold"], objective["direction"])
        assert row[5] == result and row[6] == letter
        assert (row[5] == "met") == objective["met"]


def test_timeline_holds_the_events_and_decisions_in_order(record):
    report = build_aar(record)
    rows = section(report, "Timeline of Key Events and Decisions")[0].rows
    whens = [row[0] for row in rows]
    assert whens[0] == "Decision point 0" and "Turn 1" in whens and whens[-1] == "Turn 4"
    assert whens.index("Turn 1") < whens.index("Decision point 1") < whens.index("Turn 2")
    refused = [row for row in rows if "REFUSED" in row[3]]
    assert len(refused) == 1
    assert refused[0][:3] == ("Decision point 1", "2025-09-08", "decision")
    assert "DE gives UA 10 patriot: refused — DE has only 4 patriot at home" in refused[0][3]
    assert any(row[2] == "inject" and "kind: incursion, target: EE" in row[3] for row in rows)
    assert any("Scheduled event day 6" in row[3] for row in rows)


def test_strengths_areas_and_improvement_plan_follow_the_rules(record):
    report = build_aar(record)
    plan = section(report, "Improvement Plan")[0]
    assert list(plan.columns) == [
        "Core capability",
        "Observation",
        "Recommendation (corrective action)",
        "Responsible actor",
        "Timeframe",
    ]
    refused_row = next(row for row in plan.rows if row[1].startswith("Decision point"))
    assert refused_row[1] == "Decision point 1: DE — DE gives UA 10 patriot: refused — DE has only 4 patriot at home"
    assert refused_row[2].startswith("Check holdings in the situation report")
    assert refused_row[3:] == ("DE", "before the next exercise")
    areas = [f for f in report.findings if not f.strength]
    assert [row[1] for row in plan.rows] == [f.observation for f in areas]
    for rating in report.ratings:  # every objective not met is in the plan; every comfortable one a strength
        mentioned = [f for f in report.findings if f.observation.startswith(f"Objective {rating['name']}:")]
        if rating["rating"] in ("M", "U"):
            assert len(mentioned) == 1 and not mentioned[0].strength
        elif rating["rating"] == "P":
            assert len(mentioned) == 1 and mentioned[0].strength
    strengths = section(report, "Strengths")[0]
    assert isinstance(strengths, Bullets) and any("fire units given to Ukraine" in s for s in strengths.items)


@pytest.mark.parametrize(
    ("value", "threshold", "direction", "expected"),
    [
        (0.95, 0.85, ">=", ("met", "P")),
        (0.86, 0.85, ">=", ("met", "S")),
        (0.70, 0.85, ">=", ("partially met", "M")),
        (0.50, 0.85, ">=", ("not met", "U")),
        (4, 5, "<=", ("met", "P")),
        (5, 5, "<=", ("met", "S")),
        (6, 5, "<=", ("partially met", "M")),
        (21, 5, "<=", ("not met", "U")),
        (0, 0, "<=", ("met", "P")),
        (1, 0, "<=", ("not met", "U")),
        (float("nan"), 1, ">=", ("not evaluated (no data)", "–")),
    ],
)
def test_rating_rules(value, threshold, direction, expected):
    assert rate(value, threshold, direction)[:2] == expected


def test_outcome_rules_without_objectives():
    metrics = {
        "ukraine_empty_magazine_days": 12.0,
        "empty_magazine_days.kyiv": 10.0,
        "empty_magazine_days.odesa": 2.0,
        "empty_magazine_days_by_interceptor.pac3_mse": 9.0,
        "nato_leakers": 3.0,
        "nato_intercept_rate": 0.5,
        "incursion_nights.PL": 2.0,
        "airport_closure_hours": 7.0,
        "capability_target_fulfilment": 0.95,
        "joint_procurement_share": 0.3,
        "fire_units_donated": 2.0,
        "ukraine_industry_output": 500.0,
        "cost_exchange_ratio": 0.5,
        "mean_delivery_lead_time_days": math.nan,
    }
    findings, ratings = derive_findings([], metrics, [], funded_industry=True)
    assert ratings == []
    areas = [f.observation for f in findings if not f.strength]
    strengths = [f.observation for f in findings if f.strength]
    assert areas == [
        "Ukraine's regions ran a layer dry on 12 region-days; most in kyiv (10), odesa (2); interceptors that ran "
        "out most: pac3_mse (9)",
        "3 threats got through in NATO airspace (intercept rate 50.0%); incursion nights by state: PL (2)",
        "Airports were closed 7 airport-hours in all",
    ]
    assert strengths == [
        "NATO capability targets 95% fulfilled at the end",
        "30% of member-state procurement went through EU joint rounds",
        "2 fire units given to Ukraine",
        "Players funded Ukraine's industry; it made 500 interceptor drones",
    ]


def test_markdown_and_html(record):
    report = build_aar(record)
    markdown = to_markdown(report)
    assert markdown.startswith("# After-Action Report / Improvement Plan — baseline tabletop exercise\n")
    for title in SECTIONS:
        assert f"\n## {title}\n" in markdown
    assert "| Core capability | Observation | Recommendation (corrective action) | Responsible actor | Timeframe |" in (
        markdown
    )
    page = to_html(report)
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    for title in SECTIONS:
        assert f"<h2>{title}</h2>" in page
    assert "<strong>Planning and coordination</strong>" in page
    assert "&lt;=" in page and "<= " not in page.split("<body>")[1].replace("<=", "", 0)  # targets are escaped


def test_aar_command_writes_the_report_with_replays_when_present(record, tmp_path):
    pd.DataFrame(
        [
            {
                "objective": "ukraine_drone_defence",
                "played": 0.99,
                "met": True,
                "p_met": 0.9,
                "percentile": 60.0,
                "verdict": "skill",
            }
        ]
    ).to_csv(record.path.parent / "replay-objectives.csv", index=False)
    result = CliRunner().invoke(app, ["aar", str(record.path), "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"after-action report: {tmp_path / 'aar.md'}" in result.output
    markdown = (tmp_path / "aar.md").read_text(encoding="utf-8")
    assert "## Appendix C: Skill or Luck? (replays under other seeds)" in markdown
    assert "| ukraine_drone_defence | 0.990 | yes | 90% | 60 | skill |" in markdown
    assert (tmp_path / "aar.html").is_file()
    (record.path.parent / "replay-objectives.csv").unlink()


def test_aar_of_an_unfinished_game(scenario, tmp_path):
    answers = iter(["play EE", "{actor: EE, kind: order, item: patriot, units: 1}", "done", "done"])
    session = start_session(
        scenario,
        seed=1,
        turn_days=7,
        results_root=tmp_path,
        console=Console(file=io.StringIO()),
        read_line=lambda prompt: next(answers, None),
    )
    assert session.run().status == "stopped"
    report = build_aar(read_game_log(session.log.path))
    assert "The game is not finished (2 of 4 turns played)" in report.document.subtitle
    plan = section(report, "Improvement Plan")[0]
    assert any(row[3] == "EE" and "cannot afford one patriot" in row[1] for row in plan.rows)  # the refused order
    missing = CliRunner().invoke(app, ["aar", str(tmp_path / "none.yaml")])
    assert missing.exit_code == 1 and "file not found" in missing.output and "Traceback" not in missing.output


def test_summary_and_session_length_speak_plainly() -> None:
    """QA nits: "1 injects were made", "a 0.667-hour session"."""
    from sim.commands.play import session_length
    from sim.tabletop.aar import _summary

    assert _summary([], {}, 1, 0, 1, 1)[0] == "1 decision was taken (0 refused) and 1 inject was made over 1 turn."
    assert _summary([], {}, 2, 1, 3, 4)[0] == "2 decisions were taken (1 refused) and 3 injects were made over 4 turns."
    assert [session_length(m) for m in (40, 80, 90, 130, 300)] == [
        "40 minutes", "80 minutes", "1.5 hours", "2 hours", "5 hours"
    ]  # fmt: skip
