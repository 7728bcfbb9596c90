"""Sensors set NATO's detection; airport closures follow how many intruders got away (:mod:`sim.model.sensors`).

Closed forms with hand-computed values; money through the market counted to the euro; nights whose closure
hours follow from the ledger's own leakers; located errors for the new fields.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.api import compare, load_scenario
from sim.cli import app
from sim.model.metrics import compute_metrics
from sim.model.sensors import closure_hours, detection_probability
from sim.model.world import AirDefenceModel
from sim.scenario.errors import ScenarioError

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
PL_BORDER_KM = 1163.0  # the baseline's watched_border_km of Poland
FLANK_BORDERS_KM = {"PL": 1163.0, "RO": 601.0, "FI": 1309.0, "EE": 324.0, "LV": 493.0, "LT": 901.0}
ACOUSTIC_EUR, ACOUSTIC_KM = 5000.0, 0.5
RADAR_EUR = 0.9e6


def variant(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "variant.yaml"
    path.write_text(f"extends: {BASELINE}\nname: sensors_test\n{body}", encoding="utf-8")
    return path


# --- the closed forms ----------------------------------------------------------------------------------


def test_detection_probability_closed_form() -> None:
    assert detection_probability(0.4, 0.95, 0.0, 1163.0) == 0.4  # no new sensors: today's detection
    # Coverage B·ln 2 halves the gap to the ceiling: 0.95 − 0.55/2.
    assert detection_probability(0.4, 0.95, 1163.0 * math.log(2), 1163.0) == pytest.approx(0.675, abs=1e-15)
    assert detection_probability(0.4, 0.95, 1163.0, 1163.0) == pytest.approx(0.95 - 0.55 / math.e, abs=1e-15)
    assert detection_probability(0.4, 0.95, 1e9, 1163.0) == pytest.approx(0.95, abs=1e-15)
    assert detection_probability(0.97, 0.95, 500.0, 1163.0) == 0.97  # a ceiling below today's takes nothing away
    values = [detection_probability(0.2, 0.9, km, 500.0) for km in (0, 10, 100, 1000, 5000)]
    assert values == sorted(values) and values[0] == 0.2 and values[-1] < 0.9


def test_closure_hours_closed_form() -> None:
    assert closure_hours(21, 0, 3.0, 8.3) == 3.0  # every intruder shot down
    assert closure_hours(21, 21, 3.0, 8.3) == 8.3  # none shot down
    assert closure_hours(20, 16, 3.0, 8.3) == pytest.approx(3.0 + 5.3 * 0.8)  # Poland's night: 7.24 h
    assert closure_hours(0, 0, 3.0, 8.3) == 0.0  # nothing entered, nothing closes


# --- sensors bought through the market ------------------------------------------------------------------

NATIONAL = """horizon_days: 31
actors:
  member_states:
    PL:
      sensor_budget_meur_per_year: 10
      policies:
        procurement:
          name: stock_cover
          params: {sensor_shares: {acoustic_node: 0.5, drone_radar: 0.5}}
"""


def test_a_state_sensor_budget_buys_sensors_by_its_shares(tmp_path: Path) -> None:
    model = AirDefenceModel(load_scenario(variant(tmp_path, NATIONAL)), seed=5)
    model.step()  # day 0: €10M, half each: 5e6/5,000 = 1,000 nodes; floor(5e6/0.9e6) = 5 radars
    poland = model.member_state("PL")
    assert model.market.on_order["PL"]["acoustic_node"] == 1000
    assert model.market.on_order["PL"]["drone_radar"] == 5
    assert model.ledger.units_ordered["acoustic_node"] == 1000 and model.ledger.units_ordered["drone_radar"] == 5
    budget = poland.sensor_budget
    assert budget.spent_eur == pytest.approx(1000 * ACOUSTIC_EUR + 5 * RADAR_EUR)
    assert budget.available_eur == pytest.approx(10e6 - 9.5e6)  # €0.5M set aside towards the sixth radar
    assert budget.spent_eur + budget.available_eur == pytest.approx(10e6)  # money conserved
    for _ in range(30):
        model.step()  # day 30's review: no new money, the €0.5M still buys no radar
    assert budget.spent_eur == pytest.approx(9.5e6)
    assert model.market.on_order["PL"]["drone_radar"] == 5


def test_eu_drone_wall_money_is_shared_by_border_and_raises_detection(tmp_path: Path) -> None:
    body = "horizon_days: 200\nactors:\n  eu:\n    flank_sensor_funding_meur_per_year: 365\n"
    model = AirDefenceModel(load_scenario(variant(tmp_path, body)), seed=5)
    model.step()  # day 0: 30 days of €365M a year = €30M, by border; all on acoustic nodes (most km per euro)
    total_km = sum(FLANK_BORDERS_KM.values())
    expected = {code: math.floor(30e6 * km / total_km / ACOUSTIC_EUR) for code, km in FLANK_BORDERS_KM.items()}
    assert expected["PL"] == 1456
    assert {code: model.market.on_order[code]["acoustic_node"] for code in expected} == expected
    assert model.ledger.procurement_spend_eur["eu_drone_wall"] == pytest.approx(sum(expected.values()) * ACOUSTIC_EUR)
    assert model.member_state("PL").sensor_budget.spent_eur == 0.0  # the EU pays, not Poland's sensor line
    assert model.sensors.detection[model.tables.region_index("PL")] == 0.4  # nothing delivered yet
    model.run()
    poland = model.tables.region_index("PL")
    nodes = int(model.sensors.units[poland, model.sensors.sensor_names.index("acoustic_node")])
    assert nodes >= expected["PL"]  # the first order and later months' have arrived (90-day lead time)
    expected_p = detection_probability(0.4, 0.95, nodes * ACOUSTIC_KM, PL_BORDER_KM)
    assert compute_metrics(model.ledger)["detection_probability_end.PL"] == pytest.approx(expected_p, abs=1e-15)
    assert expected_p > 0.6


# --- closures follow detection and defeat ---------------------------------------------------------------

NIGHT = """horizon_days: 6
actors:
  adversary:
    incursions: {{name: no_incursions}}
  member_states:
    PL: {{detection_probability: {detection}}}
events:
  - {{day: 2, kind: incursion, target: PL, drones: 7, threat: gerbera}}
"""


def test_undetected_intruders_close_airports_longest(tmp_path: Path) -> None:
    model = AirDefenceModel(load_scenario(variant(tmp_path, NIGHT.format(detection=0))), seed=11)
    model.run()
    ledger = model.ledger
    assert ledger.series[2, ledger.column("airport_closure_hours")] == pytest.approx(4 * 8.3)  # 4 airports
    assert ledger.airport_closure_hours.sum() == pytest.approx(4 * 8.3)
    metrics = compute_metrics(ledger)
    assert metrics["nato_detection_rate"] == 0.0 and metrics["nato_leakers"] == 7


def test_closure_hours_follow_the_nights_leakers(tmp_path: Path) -> None:
    for seed in (1, 2, 3):
        model = AirDefenceModel(load_scenario(variant(tmp_path, NIGHT.format(detection=1))), seed=seed)
        model.run()
        ledger = model.ledger
        leaked = int(ledger.leakers[model.tables.region_index("PL")].sum())
        assert ledger.unseen.sum() == 0 and compute_metrics(ledger)["nato_detection_rate"] == 1.0
        assert ledger.airport_closure_hours.sum() == pytest.approx(4 * (3 + 5.3 * leaked / 7))


def test_a_scripted_closure_replaces_the_nights(tmp_path: Path) -> None:
    body = NIGHT.format(detection=0).replace("threat: gerbera}", "threat: gerbera, airport_closure_hours: 2}")
    model = AirDefenceModel(load_scenario(variant(tmp_path, body)), seed=11)
    model.run()
    assert model.ledger.airport_closure_hours.sum() == pytest.approx(4 * 2)


# --- bad input -------------------------------------------------------------------------------------------


def test_sensor_shares_name_known_sensors_and_sum_to_one(tmp_path: Path) -> None:
    body = (
        "actors:\n  member_states:\n    PL:\n      policies:\n        procurement:\n          name: stock_cover\n"
        "          params: {sensor_shares: {acoustic_nod: 0.5, drone_radar: 0.3}}\n"
    )
    with pytest.raises(ScenarioError) as caught:
        load_scenario(variant(tmp_path, body))
    text = "\n".join(problem.format() for problem in caught.value.problems)
    key = "actors.member_states.PL.policies.procurement.params.sensor_shares"
    assert f"variant.yaml:9:36: {key}.acoustic_nod: unknown sensor 'acoustic_nod'" in text
    assert "did you mean 'acoustic_node'?" in text
    assert f"{key}: shares sum to 0.8, not 1 (expected shares that add up to 1)" in text


def test_cli_refuses_a_sensor_without_coverage(tmp_path: Path) -> None:
    path = variant(tmp_path, "catalog:\n  sensors:\n    acoustic_node: {unit_cost_eur: 5000, coverage_km: 0}\n")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "200"})
    assert result.exit_code == 1, result.output
    assert "variant.yaml:5:42: catalog.sensors.acoustic_node.coverage_km" in result.output
    assert "Traceback" not in result.output


# --- the drone_wall variant answers its question ----------------------------------------------------------


def test_drone_wall_raises_detection_and_shortens_closures(tmp_path: Path) -> None:
    """Paired under common random numbers, the drone wall's sensors detect more of the intruders, more are shot
    down and airports close for fewer hours: each 90% CI of the paired difference excludes zero."""
    scenarios = [load_scenario(BASELINE.parent / name) for name in ("baseline.yaml", "drone_wall.yaml")]
    result = compare(scenarios, replications=6, seed=1, workers=1, results_root=tmp_path)
    rows = result.comparison.set_index(["scenario", "metric"]).loc["drone_wall"]
    for metric, sign in (
        ("nato_detection_rate", 1),
        ("nato_intercept_rate", 1),
        ("detection_probability_end.PL", 1),
        ("airport_closure_hours", -1),
        ("nato_leakers", -1),
    ):
        low, high = rows.loc[metric, "diff_low"] * sign, rows.loc[metric, "diff_high"] * sign
        assert min(low, high) > 0, (metric, rows.loc[metric].to_dict())


def test_detection_changes_move_no_other_draw(tmp_path: Path) -> None:
    """Common random numbers: better detection in Poland changes NATO's outcomes there, never what the adversary
    launches nor anything in Ukraine."""
    runs = []
    for detection in (0.4, 0.9):
        body = f"horizon_days: 120\nactors:\n  member_states:\n    PL: {{detection_probability: {detection}}}\n"
        model = AirDefenceModel(load_scenario(variant(tmp_path, body)), seed=8)
        model.run()
        runs.append(model)
    low, high = (model.ledger for model in runs)
    assert (low.launched == high.launched).all()
    ukraine = runs[0].tables.region_is_ukraine
    assert (low.killed[ukraine] == high.killed[ukraine]).all() and (low.shots[ukraine] == high.shots[ukraine]).all()
    poland = runs[0].tables.region_index("PL")
    assert low.launched[poland].sum() > 0 and low.unseen[poland].sum() > high.unseen[poland].sum()
