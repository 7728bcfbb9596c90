"""What the after-action report says about replays (``sim aar --replay N``, or ``sim replay`` run before): whether
each objective was skill or luck, and what the branch from the first played decision — every actor following its
policies from there, in the same world under the same seeds — would have given.

Sentences for the summary (:func:`replay_summary`) name each evaluable objective's verdict and the key outcomes on
which the branch differs from the game as played with a 90% confidence interval that excludes zero; sections
(:func:`replay_sections`) hold the tables.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from sim.report.document import Block, Paragraph, Table
from sim.report.formatting import format_difference_interval
from sim.tabletop.numbers import format_outcome
from sim.tabletop.replay import NOT_YET_EVALUABLE, ReplayResult


def _share(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0%}"


def _percentile(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.0f}"


def first_played_decision(entries: pd.DataFrame) -> int | None:
    """The decision point of the first player decision in a replay's entry table (None: no decision)."""
    decisions = entries[entries["kind"] == "decision"]
    return int(decisions["turn"].min()) if not decisions.empty else None


def skill_table(objectives: pd.DataFrame) -> Table:
    """Per objective: played value, met or not (or not yet evaluable), P(met) in replays, percentile, verdict."""
    rows = []
    for row in objectives.to_dict("records"):
        evaluable = bool(row.get("evaluable", True))
        met = ("yes" if bool(row["met"]) else "no") if evaluable else "not yet evaluable"
        rows.append(
            (
                str(row["objective"]),
                format_outcome(str(row.get("metric", "")), float(row["played"])),
                met,
                _share(float(row["p_met"])),
                _percentile(float(row["percentile"])),
                str(row["verdict"]),
            )
        )
    return Table(("Objective", "Played", "Met", "P(met) in replays", "Percentile of played", "Verdict"), tuple(rows))


def _difference(row: dict[str, Any]) -> tuple[str, str, str]:
    """A branch's paired difference and its 90% CI, at the precision the interval supports (a difference that
    is significant but small reads ``+0.012 pp (+0.004 to +0.020)``, not ``0.0% (0.0% to 0.0%)``)."""
    return format_difference_interval(str(row["metric"]), row["diff_mean"], row["diff_low"], row["diff_high"])


def replay_summary(replay: ReplayResult) -> list[str]:
    """Sentences on the replays' verdicts and the branch's differences (none with an empty slot)."""
    count = len(replay.seeds)
    sentences = []
    verdicts = [
        f"{row['objective']}: {row['verdict']}"
        for row in replay.objectives.to_dict("records")
        if row["verdict"] not in (NOT_YET_EVALUABLE, "–")
    ]
    if verdicts:
        sentences.append(f"Replayed under {count} seeds, skill or luck — " + "; ".join(verdicts) + ".")
    else:
        sentences.append(f"Replayed under {count} seeds; no objective can be judged yet.")
    if replay.branch_label is not None:
        differences = [
            "{} {} ({} to {})".format(row["metric"], *_difference(row))
            for row in replay.metrics.to_dict("records")
            if bool(row.get("significant", False))
        ]
        what = replay.branch_label
        if differences:
            sentences.append(
                f"In the {what}, under the same seeds, the outcomes that differ from the game as played "
                "(branch − played, mean and 90% CI): " + "; ".join(differences) + "."
            )
        else:
            sentences.append(
                f"In the {what}, under the same seeds, no key outcome differs from the game as played beyond "
                "the replays' spread: the players' decisions changed little that the policies would not have done."
            )
    return sentences


def replay_sections(replay: ReplayResult) -> list[tuple[str, list[Block]]]:
    """The report's replay sections: skill or luck, and the branch (when one was run)."""
    count = len(replay.seeds)
    sections: list[tuple[str, list[Block]]] = [
        (
            "Appendix C: Skill or Luck? (replays under other seeds)",
            [
                Paragraph(
                    f"The players' decisions were replayed under {count} other seeds over the turns played: the "
                    "share of replays meeting each objective says whether the played outcome was robust (skill) "
                    "or fortunate (luck). "
                    + (
                        "The log under its own seed reproduced the game exactly."
                        if replay.reproduced
                        else "Warning: the log under its own seed did not reproduce the game."
                    )
                ),
                skill_table(replay.objectives),
            ],
        )
    ]
    if replay.branch_label is not None:
        rows = tuple(
            (
                str(row["metric"]),
                format_outcome(row["metric"], row["mean"]),
                format_outcome(row["metric"], row["branch_mean"]),
                mean,
                f"{low} – {high}" + (" *" if bool(row["significant"]) else ""),
            )
            for row in replay.metrics.to_dict("records")
            for mean, low, high in [_difference(row)]
        )
        objectives = tuple(
            (str(row["objective"]), _share(float(row["p_met"])), _share(float(row["branch_p_met"])))
            for row in replay.objectives.to_dict("records")
        )
        sections.append(
            (
                f"Appendix D: What If? ({replay.branch_label})",
                [
                    Paragraph(
                        "The same world (the game's injects, the same seeds) with other decisions from the branch "
                        "point on; * marks a difference whose 90% confidence interval excludes zero."
                    ),
                    Table(("Metric", "As played: mean", "Branch: mean", "Branch − played", "90% CI"), rows),
                    Table(("Objective", "P(met) as played", "P(met) in the branch"), objectives),
                ],
            )
        )
    return sections
