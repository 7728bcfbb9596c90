"""The after-action report of a tabletop game, in the form exercise planners know (HSEEP AAR/IP, as in the CISA
tabletop exercise packages), written from the game log alone.

Sections: **Exercise Overview** (name, dates, scope, mission areas, core capabilities, objectives, threat,
scenario, participants, how to reproduce); **Exercise Summary**; **Analysis of Objectives and Core Capabilities**
(each objective with its metric value, met / partially met / not met, and the HSEEP performance rating);
**Timeline of Key Events and Decisions**; **Strengths** and **Areas for Improvement**; the **Improvement Plan**
(capability, observation, recommendation, responsible actor, timeframe); appendices with the participants, the
final outcomes and — when ``sim replay`` has been run for the game — whether each objective was skill or luck.

Ratings, strengths and areas for improvement follow the rules of :mod:`sim.tabletop.aar_rules`; idle holdings those
of :mod:`sim.tabletop.aar_idle`; replays those of :mod:`sim.tabletop.aar_replay`. A game not finished is reported
over the turns played: its objectives that can still change are "not yet evaluable", never rated.

The report is a :class:`~sim.report.document.Document` of paragraphs, bullet lists and tables, rendered to Markdown
(:func:`to_markdown`) and HTML (:func:`to_html`) by :mod:`sim.report.after_action`.
"""

from __future__ import annotations

__all__ = ["AfterActionReport", "Finding", "build_aar", "derive_findings", "rate", "read_replay_objectives"]

import datetime as dt
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from sim.analysis.findings import binding_findings
from sim.model.metrics import METRICS
from sim.report.after_action import after_action_html, after_action_markdown
from sim.report.document import Block, Bullets, Document, Paragraph, Section, Table
from sim.scenario.model import Objective
from sim.tabletop.aar_advice import Finding
from sim.tabletop.aar_idle import idle_findings
from sim.tabletop.aar_replay import replay_sections, replay_summary, skill_table
from sim.tabletop.aar_rules import (
    COMFORTABLE_MARGIN,
    HSEEP_RATINGS,
    NOT_YET,
    PARTIAL_SHORTFALL,
    derive_findings,
    rate,
)
from sim.tabletop.log import GameRecord
from sim.tabletop.numbers import format_share, format_value
from sim.tabletop.replay import ReplayResult
from sim.tabletop.sitrep import is_decided, objective_status

TIMELINE_LINES_PER_TURN = 8
REPLAY_OBJECTIVES_FILE = "replay-objectives.csv"

# --- findings ---------------------------------------------------------------------------------------------------


@dataclass
class AfterActionReport:
    """The report as a :class:`~sim.report.document.Document` (its introduction is the subtitle), plus the
    findings and objective ratings it was written from (also as data, for tests and other formats)."""

    document: Document
    findings: list[Finding] = field(default_factory=list)
    ratings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        """The report's title."""
        return self.document.title


class _Page:
    """The sections of a report as the builder writes them: a heading, then the blocks under it."""

    def __init__(self) -> None:
        self._sections: list[tuple[str, list[Block]]] = []

    def section(self, title: str) -> None:
        """Start a section; the blocks added next go under it."""
        self._sections.append((title, []))

    def add(self, block: Block) -> None:
        """Add a block to the current section."""
        self._sections[-1][1].append(block)

    def document(self, title: str, introduction: str) -> Document:
        """The finished report."""
        sections = tuple(
            Section(re.sub(r"[^a-z0-9]+", "-", heading.lower()).strip("-"), heading, tuple(blocks))
            for heading, blocks in self._sections
        )
        return Document(title=title, subtitle=introduction, sections=sections)


def _table(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    return Table(tuple(columns), tuple(tuple(row) for row in rows))


# --- building the report ----------------------------------------------------------------------------------------


def _summary(
    ratings: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, float],
    decisions: int,
    refused: int,
    injects: int,
    turns_run: int,
) -> list[str]:
    """The summary's sentences; a clause whose number is missing is left out, never printed empty."""
    sentences = [
        f"{decisions:,} decision{'s were' if decisions != 1 else ' was'} taken ({refused:,} refused) and "
        f"{injects:,} inject{'s were' if injects != 1 else ' was'} made over "
        f"{turns_run:,} turn{'s' if turns_run != 1 else ''}."
    ]
    if ratings:
        met = sum(1 for rating in ratings if rating["result"] == "met")
        pending = sum(1 for rating in ratings if str(rating["result"]).startswith(NOT_YET))
        sentences.append(
            f"{met} of {len(ratings)} objectives were met" + (f"; {pending} are not yet evaluable." if pending else ".")
        )
    clauses = []
    rate_value = float(metrics.get("ukraine_drone_intercept_rate", math.nan))
    if not math.isnan(rate_value):
        clauses.append(f"Ukraine intercepted {format_share(rate_value)} of the drones launched at it")
    for name, text in (
        ("nato_leakers", "{} threats got through in NATO airspace"),
        ("airport_closure_hours", "airports were closed {} airport-hours"),
    ):
        value = float(metrics.get(name, math.nan))
        if not math.isnan(value):
            clauses.append(text.format(format_value(value)))
    if clauses:
        sentences.append("; ".join(clauses) + ".")
    return sentences


def _key_findings(
    summary: Sequence[str],
    ratings: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, float],
    idle: Sequence[Finding],
    replay: ReplayResult | None,
) -> list[str]:
    """The report's opening sentences (at most seven): outcomes and objectives, the objectives not met, what bound
    the defences (:func:`sim.analysis.findings.binding_findings`), what was left idle and, with replays, skill or
    luck. Only sentences whose numbers are there."""
    items = [*summary[1:], *summary[:1]]  # objectives and outcomes first, then the decisions taken
    not_met = [str(rating["name"]) for rating in ratings if rating["result"] == "not met"]
    if not_met:
        items.append(f"Objectives not met: {', '.join(not_met)}.")
    items += [finding.text for finding in binding_findings(pd.Series(dict(metrics), dtype=float))]
    if idle:
        items.append(f"Left idle: {idle[0].observation}.")
    if replay is not None:
        items += replay_summary(replay)[:1]
    return items[:7]


def _date(text: str) -> str:
    try:
        return dt.datetime.fromisoformat(text).strftime("%d %B %Y, %H:%M UTC")
    except ValueError:
        return text


def _entry_text(raw: Mapping[str, Any]) -> str:
    from sim.tabletop.decisions import flow_text

    return flow_text({key: value for key, value in raw.items() if key != "note"})


def _not_yet_evaluable(record: GameRecord, metrics: Mapping[str, float], turns_run: int) -> dict[str, str]:
    """Objectives of an unfinished game that are not decided yet, with their status so far."""
    log = record.log
    horizon = log.scenario.horizon_days
    days = min(turns_run * log.turn_days, horizon)
    if record.finished or days >= horizon:
        return {}
    pending = {}
    for objective in log.scenario.objectives:
        value = float(metrics.get(objective["metric"], math.nan))
        status = objective_status(Objective.model_validate(objective), value, days, horizon).status
        if not is_decided(status):
            pending[objective["name"]] = status
    return pending


def build_aar(
    record: GameRecord, replay_objectives: pd.DataFrame | None = None, replay: ReplayResult | None = None
) -> AfterActionReport:
    """Build the after-action report of a game from its log (and replay results, if given).

    Args:
        record: The game log, finished or not (an unfinished game is reported over the turns played).
        replay_objectives: The objectives table ``sim replay`` wrote beside the log, if any.
        replay: Replays run for this report (``sim aar --replay N``): their skill-or-luck verdicts and the branch
            from the first played decision go into the report (and take the place of ``replay_objectives``).
    """
    log = record.log
    scenario = log.scenario
    finished = record.finished and log.final is not None
    last_outcome = next((t.outcome for t in reversed(log.turns) if t.outcome), None) or {}
    metrics: dict[str, float] = (
        {k: float(v) for k, v in log.final["metrics"].items()}
        if finished and log.final
        else {k: float(v) for k, v in last_outcome.get("metrics", {}).items()}
    )
    start = dt.date.fromisoformat(scenario.start_date)
    end = start + dt.timedelta(days=scenario.horizon_days - 1)
    turns_run = log.turn_count if finished else max(len(log.turns) - 1, 0)
    idle_record = (log.final if finished and log.final else last_outcome).get("idle") or {}
    played_from: dict[str, int] = {}
    for turn in log.turns:
        for actor in turn.played:
            played_from.setdefault(actor, turn.turn)
    decisions = [
        (turn, entry, logged)
        for turn, entries in zip(log.turns, record.entries, strict=True)
        for entry, logged in entries
        if entry.is_decision
    ]
    injects = [
        (turn, entry, logged)
        for turn, entries in zip(log.turns, record.entries, strict=True)
        for entry, logged in entries
        if not entry.is_decision
    ]
    refused = [
        {"turn": turn.turn, "actor": entry.actor, "message": logged.message}
        for turn, entry, logged in decisions
        if not logged.done
    ]
    funded = any(
        getattr(entry.item, "kind", "") == "fund_ukraine_industry" and logged.done for _, entry, logged in decisions
    )
    idle, depot_idle = idle_findings(record, idle_record, turns_run)
    pending = _not_yet_evaluable(record, metrics, turns_run)
    findings, ratings = derive_findings(
        scenario.objectives,
        metrics,
        refused,
        funded,
        not_yet_evaluable=pending,
        idle=idle,
        depot_idle=depot_idle,
    )
    title = f"After-Action Report / Improvement Plan — {scenario.name} tabletop exercise"
    page = _Page()
    status = (
        "The game was played to the end."
        if finished
        else f"The game is not finished ({turns_run} of {log.turn_count} turns played): outcomes are those after turn "
        f"{turns_run}, and objectives that can still change are marked not yet evaluable, not rated."
    )
    introduction = (
        "This report was generated from the game log by `sim aar`. It follows the HSEEP After-Action Report / "
        "Improvement Plan format; facilitators should review it and add the observations of the room. " + status
    )
    # Key findings first (the same reading of the binding-constraint record as every other report)
    summary = _summary(ratings, metrics, len(decisions), len(refused), len(injects), turns_run)
    page.section("Key Findings")
    page.add(Bullets(tuple(_key_findings(summary, ratings, metrics, idle, replay))))
    # Exercise overview
    page.section("Exercise Overview")
    capabilities = sorted({rating["capability"] for rating in ratings}) or ["Air and drone defence"]
    participants = [
        f"{actor} (from decision point {turn})"
        for actor, turn in sorted(played_from.items(), key=lambda item: (item[1], item[0]))
    ]
    overview = [
        ("Exercise name", f"{scenario.name} tabletop exercise"),
        ("Exercise dates", f"{_date(log.created)} – {_date(log.updated)}"),
        (
            "Simulated period",
            f"{start:%d %B %Y} – {end:%d %B %Y} ({scenario.horizon_days} days, "
            f"{log.turn_count} turns of {log.turn_days} days)",
        ),
        (
            "Scope",
            "Facilitated, discussion-based tabletop exercise (TTX): the simulator ran the scenario between "
            "turns; at each decision point the players decided for the actors they played and the facilitator "
            "injected events; actors nobody played followed the scenario's policies.",
        ),
        (
            "Mission areas",
            "Protection (air and drone defence of airspace and critical sites); Response (support to "
            "Ukraine's air defence)",
        ),
        ("Core capabilities", "; ".join(capabilities)),
        (
            "Objectives",
            "; ".join(f"{o['name']}: {o.get('description') or o['metric']}" for o in scenario.objectives)
            or "none set in the scenario",
        ),
        (
            "Threat or hazard",
            "Drone and missile raids on Ukraine; drone incursions into NATO airspace and airport "
            "closures; strains on interceptor stocks, budgets and industry",
        ),
        ("Scenario", scenario.description or scenario.name),
        ("Participating organisations (played)", "; ".join(participants) or "none (every actor followed its policies)"),
        (
            "Reproduce",
            f"scenario {scenario.file or scenario.name}"
            + (f" with --set {' '.join(scenario.overrides)}" if scenario.overrides else "")
            + f"; seed {log.seed}; content hash {scenario.hash[:12]}…; log {record.path.name}"
            + (f"; decisions from {log.decisions_file}" if log.decisions_file else ""),
        ),
    ]
    page.add(_table(["", ""], [[key, value] for key, value in overview]))
    # Summary
    page.section("Exercise Summary")
    page.add(Paragraph(" ".join(summary)))
    if idle:
        page.add(Paragraph("Left idle: " + " ".join(f"{finding.observation}." for finding in idle)))
    if replay is not None:
        page.add(Paragraph(" ".join(replay_summary(replay))))
    # Objectives
    page.section("Analysis of Objectives and Core Capabilities")
    page.add(
        Paragraph(
            "Ratings: met / partially met (short by at most "
            f"{PARTIAL_SHORTFALL:.0%} of the target) / not met; HSEEP performance rating "
            + ", ".join(f"{letter} = {text}" for letter, text in HSEEP_RATINGS.items())
            + f" (P: met with a margin of at least {COMFORTABLE_MARGIN:.0%})."
        )
    )
    page.add(
        _table(
            ["Objective", "Core capability", "Metric", "Target", "Result", "Rating", "HSEEP"],
            [
                [
                    r["name"],
                    r["capability"],
                    r["metric"],
                    f"{r['direction']} {format_value(float(r['threshold']))}",
                    format_value(r["value"]),
                    r["result"],
                    r["rating"],
                ]
                for r in ratings
            ],
        )
    )
    for rating in ratings:
        if rating.get("description"):
            page.add(Paragraph(f"**{rating['name']}** — {rating['description']}."))
    # Timeline
    page.section("Timeline of Key Events and Decisions")
    rows: list[list[str]] = []
    for turn, entries in zip(log.turns, record.entries, strict=True):
        if turn.outcome:
            dates = turn.outcome.get("dates", ["", ""])
            lines = list(turn.outcome.get("highlights", []))
            if len(lines) > TIMELINE_LINES_PER_TURN:
                lines = [
                    *lines[: TIMELINE_LINES_PER_TURN - 1],
                    f"… and {len(lines) - TIMELINE_LINES_PER_TURN + 1} more",
                ]
            for line in lines:
                rows.append([f"Turn {turn.turn}", f"{dates[0]} – {dates[1]}", "event", line])
        if turn.turn < log.turn_count:
            if turn.played:
                rows.append([f"Decision point {turn.turn}", turn.date, "played", ", ".join(turn.played)])
            for warning in turn.warnings:
                rows.append([f"Decision point {turn.turn}", turn.date, "idle warning", warning])
            for entry, logged in entries:
                what = f"{entry.actor}: {_entry_text(entry.raw)}" if entry.is_decision else _entry_text(entry.raw)
                result = "done" if logged.done else "REFUSED"
                note = f" (note: {entry.raw['note']})" if entry.raw.get("note") else ""
                rows.append(
                    [
                        f"Decision point {turn.turn}",
                        turn.date,
                        "decision" if entry.is_decision else "inject",
                        f"{what}{note} — {result}: {logged.message}",
                    ]
                )
            if turn.released:
                rows.append([f"Decision point {turn.turn}", turn.date, "released", ", ".join(turn.released)])
    page.add(_table(["When", "Date(s)", "Type", "What happened"], rows))
    # Strengths and areas for improvement
    page.section("Strengths")
    strengths = [f"**{f.capability}**: {f.observation}" for f in findings if f.strength]
    page.add(Bullets(tuple(strengths)) if strengths else Paragraph("No strengths were identified by the rules."))
    page.section("Areas for Improvement")
    areas = [f for f in findings if not f.strength]
    if areas:
        page.add(
            Bullets(tuple(f"**{f.capability}**: {f.observation}. *Recommendation*: {f.recommendation}." for f in areas))
        )
    else:
        page.add(Paragraph("No areas for improvement were identified by the rules."))
    page.add(
        Paragraph(
            "Strengths and areas for improvement are derived by explicit rules from the outcomes, "
            "the objectives and the refused decisions (see `sim.tabletop.aar`)."
        )
    )
    # Improvement plan
    page.section("Improvement Plan")
    page.add(
        _table(
            ["Core capability", "Observation", "Recommendation (corrective action)", "Responsible actor", "Timeframe"],
            [[f.capability, f.observation, f.recommendation, f.responsible, f.timeframe] for f in areas],
        )
    )
    # Appendices
    page.section("Appendix A: Exercise Participants")
    page.add(
        _table(
            ["Actor", "Role"],
            [[actor, f"played from decision point {turn}"] for actor, turn in sorted(played_from.items())]
            + [["Everyone else", "followed the scenario's policies"], ["Facilitator", f"{len(injects)} injects"]],
        )
    )
    page.section("Appendix B: Outcomes")
    units = {metric.name: metric.unit for metric in METRICS}
    page.add(
        _table(
            ["Metric", "Value", "Unit"],
            [
                [metric.name, format_value(metrics.get(metric.name, math.nan)), units[metric.name]]
                for metric in METRICS
                if metric.name in metrics
            ],
        )
    )
    if replay is not None:
        for heading, blocks in replay_sections(replay):
            page.section(heading)
            for block in blocks:
                page.add(block)
    elif replay_objectives is not None and not replay_objectives.empty:
        page.section("Appendix C: Skill or Luck? (replays under other seeds)")
        page.add(
            Paragraph(
                "The players' decisions were replayed under other seeds with `sim replay`: the share of replays "
                "meeting each objective says whether the played outcome was robust (skill) or fortunate (luck)."
            )
        )
        page.add(skill_table(replay_objectives))
    return AfterActionReport(page.document(title, introduction), findings, ratings)


def read_replay_objectives(folder: Path) -> pd.DataFrame | None:
    """The objectives table ``sim replay`` wrote beside a game log, if any."""
    path = folder / REPLAY_OBJECTIVES_FILE
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


# --- rendering ------------------------------------------------------------------------------------------------


def to_markdown(report: AfterActionReport) -> str:
    """The report as Markdown (see :func:`sim.report.after_action.after_action_markdown`)."""
    return after_action_markdown(report.document)


def to_html(report: AfterActionReport) -> str:
    """The report as a self-contained HTML page (see :func:`sim.report.after_action.after_action_html`)."""
    return after_action_html(report.document)
