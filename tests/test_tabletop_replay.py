"""``sim replay``: the played decisions under other seeds (skill or luck?) and branches (what if?)."""

from __future__ import annotations

import io
import math
import textwrap
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console
from typer.testing import CliRunner, Result

from sim.api import load_scenario
from sim.cli import app
from sim.experiment.execution import Execution
from sim.tabletop.decisions import load_decision_file
from sim.tabletop.game import Game
from sim.tabletop.log import read_game_log
from sim.tabletop.replay import (
    Script,
    branch_script,
    replay_game,
    run_script,
    script_from_log,
    verdict,
)
from sim.tabletop.session import start_session

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
EXAMPLE = ROOT / "scenarios" / "decisions" / "example_decisions.yaml"
WIDE = {"COLUMNS": "200"}


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, list(args), env=WIDE)


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(BASELINE, overrides=["horizon_days=28"])


def play(scenario, folder: Path, decisions_path: Path = EXAMPLE, seed: int = 20250901) -> Path:
    """Play a game from a decision file, quietly, and return its log."""
    session = start_session(
        scenario,
        seed=seed,
        turn_days=7,
        results_root=folder,
        console=Console(file=io.StringIO()),
        read_line=None,
        decisions=load_decision_file(decisions_path, scenario),
        figures=False,
        source_file=str(BASELINE),
        overrides=["horizon_days=28"],
    )
    assert session.run().status == "finished"
    return session.log.path


@pytest.fixture(scope="module")
def record(scenario, tmp_path_factory):
    return read_game_log(play(scenario, tmp_path_factory.mktemp("game")))


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    return a.keys() == b.keys() and all(a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a)


def test_the_log_and_its_seed_reproduce_the_played_game_exactly(record, scenario):
    script = script_from_log(record)
    first = run_script(scenario, record.log.seed, script)
    second = run_script(scenario, record.log.seed, script)
    played = {name: float(value) for name, value in record.log.final["metrics"].items()}
    assert same(first["metrics"], played)
    assert same(second["metrics"], played)
    logged = [logged.done for entries in record.entries for _, logged in entries]
    assert first["entry_done"] == logged
    assert first["decisions"] == 15 and first["refused_decisions"] == 1


def test_replays_put_the_played_game_against_the_distribution(record, scenario):
    result = replay_game(
        record, scenario, replications=4, execution=Execution(workers=1), key_metrics=["ukraine_leakers"]
    )
    assert result.reproduced and not result.mismatches
    runs = result.runs
    assert list(runs["variant"].unique()) == ["as played"] and len(runs) == 4
    assert runs["seed"].tolist() == result.seeds and len(set(result.seeds)) == 4
    assert runs["ukraine_leakers"].nunique() > 1  # other seeds, other raids
    assert (runs["refused_decisions"] == 1).all()  # Germany never has ten Patriots at home
    objectives = result.objectives.set_index("objective")
    assert list(objectives.index) == [o["name"] for o in record.log.scenario.objectives]
    for name, row in objectives.iterrows():
        values = runs[row["metric"]].to_numpy(dtype=float)
        met = values >= row["threshold"] if row["direction"] == ">=" else values <= row["threshold"]
        assert row["p_met"] == pytest.approx(met.mean()), name
        assert 0.0 <= row["percentile"] <= 100.0
        assert row["verdict"] == verdict(bool(row["met"]), row["p_met"])
    leakers = result.metrics.set_index("metric").loc["ukraine_leakers"]
    below = (runs["ukraine_leakers"] < leakers["played"]).sum() + 0.5 * (
        runs["ukraine_leakers"] == leakers["played"]
    ).sum()
    assert leakers["percentile"] == pytest.approx(100 * below / 4)
    refused = result.entries[~result.entries["done_in_game"]]
    assert refused[["turn", "actor", "refused_in_replays", "replays"]].values.tolist() == [[1, "DE", 4, 4]]


@pytest.mark.parametrize(
    ("met", "probability", "expected"),
    [
        (True, 0.9, "skill"),
        (True, 0.75, "skill"),
        (True, 0.5, "partly luck"),
        (True, 0.2, "luck"),
        (False, 0.8, "bad luck"),
        (False, 0.3, "partly bad luck"),
        (False, 0.1, "decisions fell short"),
        (False, float("nan"), "–"),
    ],
)
def test_verdicts(met, probability, expected):
    assert verdict(met, probability) == expected


def series_of(scenario, seed: int, script: Script) -> np.ndarray:
    game = Game(scenario, seed, script.turn_days)
    while not game.finished:
        plan = script.plans.get(game.turn)
        if plan is not None:
            game.apply_plan(plan)
        game.run_turn()
    return game.model.ledger.series


def test_a_branch_is_the_game_up_to_the_branch_point_then_other_decisions(record, scenario):
    played = script_from_log(record)
    branch = branch_script(record, 2)
    assert branch.plans[0] == played.plans[0] and branch.plans[1] == played.plans[1]
    assert branch.plans[2].played == frozenset()  # every actor back on its policies
    assert [entry.is_decision for entry in branch.plans[2].entries] == [False, False, False]  # the injects stay
    assert [entry.item.kind for entry in branch.plans[3].entries] == ["incursion", "redeployment", "funding"]
    seed = 99
    as_played, branched = series_of(scenario, seed, played), series_of(scenario, seed, branch)
    assert np.array_equal(as_played[:14], branched[:14])  # identical up to the branch point (day 14)
    assert not np.array_equal(as_played[14:], branched[14:])
    result = run_script(scenario, seed, branch)
    assert result["decisions"] == 10 and result["refused_decisions"] == 1  # decision points 0 and 1 only
    assert len(result["entry_done"]) == 20  # 14 entries before the branch, then 6 injects
    early = run_script(scenario, seed, branch_script(record, 1))
    assert early["decisions"] == 4 and early["refused_decisions"] == 0  # Germany's refused offer was at point 1


def test_a_branch_with_another_decision_file(record, scenario, tmp_path):
    other_path = tmp_path / "other.yaml"
    other_path.write_text(
        textwrap.dedent(
            """\
            played: [DE]
            turns:
              - turn: 0
                decisions:
                  - {actor: DE, kind: order, item: iris_t, units: 10}
              - turn: 2
                played: [PL]
                injects:
                  - {kind: raid, drones: 2000}
                decisions:
                  - {actor: PL, kind: order, item: piorun, units: 50}
                  - {actor: DE, kind: transfer, recipient: UA, interceptors: {iris_t: 20}}
            """
        ),
        encoding="utf-8",
    )
    other = load_decision_file(other_path, scenario)
    branch = branch_script(record, 2, other)
    assert branch.plans[2].played == frozenset({"DE", "PL"})
    kinds = [(entry.is_decision, entry.item.kind) for entry in branch.plans[2].entries]
    # The game's injects (the same world), then the other file's decisions; its own inject is not used.
    assert kinds == [
        (False, "raid"),
        (False, "capacity_change"),
        (False, "transfer"),
        (True, "order"),
        (True, "transfer"),
    ]
    assert branch.plans[2].entries[0].item.drones.value == 650
    assert branch.plans[3].played == frozenset({"DE", "PL"})
    assert all(not entry.is_decision for entry in branch.plans[3].entries)
    result = run_script(scenario, 5, branch)
    assert result["decisions"] == 12  # 10 before the branch point, 2 from the other file


def test_branch_distributions_side_by_side_with_paired_differences(record, scenario):
    result = replay_game(record, scenario, replications=3, execution=Execution(workers=1), branch_at=1)
    assert result.branch_label == "branch at 1: policies"
    assert list(result.runs["variant"].unique()) == ["as played", "branch"]
    played = result.runs[result.runs["variant"] == "as played"].reset_index()
    branch = result.runs[result.runs["variant"] == "branch"].reset_index()
    assert played["seed"].tolist() == branch["seed"].tolist()  # common random numbers
    row = result.metrics.set_index("metric").loc["nato_leakers"]
    assert row["diff_mean"] == pytest.approx((branch["nato_leakers"] - played["nato_leakers"]).mean())
    assert "branch_p_met" in result.objectives


def test_replay_command(record, tmp_path):
    result = invoke("replay", str(record.path), "-n", "3", "-w", "1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "✓ the log under its own seed (20250901) reproduces the played game exactly" in result.output
    assert "Objectives: skill or luck? (the same decisions under 3 seeds)" in result.output
    assert "Key outcomes: the played game against the replays" in result.output
    assert "Decisions refused in replays" in result.output and "3/3" in result.output
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == [
        "replay-entries.csv",
        "replay-metrics.csv",
        "replay-objectives.csv",
        "replay-runs.csv",
    ]
    branch = invoke("replay", str(record.path), "-n", "2", "-w", "2", "--branch-at", "2", "--out", str(tmp_path))
    assert branch.exit_code == 0, branch.output  # two worker processes
    assert "What if: as played vs branch at 2: policies (same seeds)" in branch.output
    assert (tmp_path / "branch-at-2-runs.csv").is_file()


def test_replay_refuses_what_it_cannot_do(record, scenario, tmp_path):
    outside = invoke("replay", str(record.path), "--branch-at", "4", "-w", "1", "--out", str(tmp_path))
    assert outside.exit_code == 2 and "--branch-at must be a decision point from 0 to 3" in outside.output
    session = start_session(
        scenario,
        seed=1,
        turn_days=7,
        results_root=tmp_path,
        console=Console(file=io.StringIO()),
        read_line=lambda prompt: None,  # the facilitator walks away at decision point 0
    )
    assert session.run().status == "stopped"
    unfinished = invoke("replay", str(session.log.path), "-w", "1")
    assert unfinished.exit_code == 2
    assert "no turn of this game has been played yet; play at least one with sim play --resume" in unfinished.output
    other = tmp_path / "other.yaml"
    other.write_text("turns:\n  - turn: 3\n    injects:\n      - {kind: raid, drones: 10}\n", encoding="utf-8")
    noted = invoke("replay", str(record.path), "-n", "1", "-w", "1", "--decisions", str(other), "--out", str(tmp_path))
    assert noted.exit_code == 0, noted.output
    assert "the branch keeps the game's injects" in noted.output and "branch at 0" in noted.output


def test_a_small_significant_branch_difference_prints_at_its_interval_precision() -> None:
    """A branch that moves a share by a hundredth of a point, significantly, said as such — not as
    '0.0% (0.0% to 0.0%)' marked significant."""
    import pandas as pd

    from sim.tabletop.aar_replay import replay_sections, replay_summary
    from sim.tabletop.replay import ReplayResult

    metric = "ukraine_drone_intercept_rate"
    metrics = pd.DataFrame(
        [
            {
                "metric": metric, "played": 0.81, "mean": 0.8, "low": 0.79, "high": 0.81, "percentile": 50.0,
                "branch_mean": 0.8001, "branch_low": 0.7901, "branch_high": 0.8101,
                "diff_mean": 0.00012, "diff_low": 0.00004, "diff_high": 0.0002, "significant": True,
            }
        ]
    )  # fmt: skip
    objectives = pd.DataFrame(columns=["objective", "verdict", "p_met", "branch_p_met"])
    replay = ReplayResult({}, True, [1, 2], pd.DataFrame(), objectives, metrics, pd.DataFrame(), "branch at 0")
    assert f"{metric} +0.0120 pp (+0.0040 to +0.0200)." in " ".join(replay_summary(replay))
    table = replay_sections(replay)[1][1][1]
    assert table.rows[0][3:] == ("+0.0120 pp", "+0.0040 – +0.0200 *")
