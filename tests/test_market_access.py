"""Tests for who may buy what (sim/model/market.py's MarketAccess), pipelines at day 0 and Ukraine's aid funds.

Expected values are hand calculations on small scenarios derived from the shipped baseline; the variants'
answers are checked end to end through the CLI with common random numbers.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.api import load_scenario
from sim.cli import app
from sim.model.industry import ProductionLine, even_schedule
from sim.model.market import MarketAccess
from sim.model.world import AirDefenceModel

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"


def line(**changes: object) -> ProductionLine:
    base = ProductionLine("s", "x", 30.0, 10, 1.0, 1.0, True, 100, country="DE")
    return dataclasses.replace(base, **changes)


def test_which_money_reaches_which_line() -> None:
    free, preference = MarketAccess(False, 0.35), MarketAccess(True, 0.35)
    european, us = line(), line(european=False, eu_content_share=0.1, country="US")
    mixed = line(eu_content_share=0.5)  # European supplier, half non-EU content: over the 35% cap
    purl_stocks = line(european=False, eu_content_share=0.1, country="US", reserved_for="us")
    assert [free.national(x) for x in (european, us, mixed, purl_stocks)] == [True, True, True, False]
    assert [free.eu(x) for x in (european, us, mixed, purl_stocks)] == [True, True, True, False]
    assert [preference.eu(x) for x in (european, us, mixed, purl_stocks)] == [True, False, False, False]
    assert [free.safe(x) for x in (european, us, mixed, purl_stocks)] == [True, False, False, False]
    assert [preference.safe(x) for x in (european, us, mixed, purl_stocks)] == [True, False, False, False]
    assert [free.us(x) for x in (european, us, mixed, purl_stocks)] == [False, True, False, True]


def test_even_schedule_spreads_units_over_the_days() -> None:
    assert even_schedule(4, 10, 13) == [(10, 1), (11, 1), (12, 1), (13, 1)]
    assert even_schedule(3, 0, 8) == [(0, 1), (3, 1), (6, 1)]
    assert even_schedule(5, 2, 3) == [(2, 3), (3, 2)]  # unit k due on 2 + k*2//5: 2,2,2,3,3


def test_pipeline_arrives_on_its_due_days_and_the_backlog_waits() -> None:
    scenario = load_scenario(BASELINE, overrides=["horizon_days=130"])
    model = AirDefenceModel(scenario, seed=1)
    lockheed = model.market.line("lockheed_martin_us", "pac3_mse")
    # 620 units of the pipeline in production; the backlog of 1,400 waits (nothing of it started on day 0).
    assert lockheed.units_in_production == 620
    assert lockheed.queued_units == 1400
    stocks = model.market.line("us_stocks_purl", "pac3_mse")
    assert stocks.units_in_production == 60  # Ukraine's PURL missiles due from day 7 to day 120
    assert model.market.on_order["UA"]["pac3_mse"] == 60
    model.run()
    # Ukraine's PURL orders of day 0 reach the stock line (30 days lead, 10 a month): by day 129 the 60 of the
    # pipeline plus the units started on days 0..99 (10 a month: 33) have arrived.
    assert model.ledger.units_delivered_to_ukraine["pac3_mse"] == 60 + 33
    assert model.ledger.units_delivered_to_member_states["pac3_mse"] == 0  # they wait behind the backlog


def test_member_states_cannot_buy_from_stocks_reserved_for_purl() -> None:
    model = AirDefenceModel(load_scenario(BASELINE, overrides=["horizon_days=10"]), seed=1)
    poland = model.member_state("PL")
    poland.budget.available_eur = 1e10
    ordered, note = poland.buy("pac3_mse", 10, day=0)
    assert (ordered, note.split(" ~")[0]) == (10, "ordered 10 pac3_mse from lockheed_martin_us,")


def test_an_aid_fund_shifts_a_share_no_eligible_supplier_offers() -> None:
    overrides = [
        "horizon_days=2",
        "actors.eu.european_preference=true",
        "actors.ukraine.military_aid_meur_per_year=0",
        "actors.ukraine.aid_funds[0].meur_per_year=0",
        "actors.ukraine.aid_funds[1].meur_per_year=365",
    ]
    model = AirDefenceModel(load_scenario(BASELINE, overrides=overrides), seed=1)
    model.step()  # day 0: 30 days of €365M a year = €30M from the EU fund; PAC-3 is out of its reach
    orders = {
        (order.item, order.supplier): order.quantity
        for line_ in model.market.lines.values()
        for order in [*line_._queue, *line_._priority_queue]
        if order.buyer == "UA"
    }
    # Shares iris_t 0.4, gepard_burst 0.2, piorun 0.1 of the 0.7 reachable:
    # €30M × 4/7 ÷ €450k = 38.1, × 2/7 ÷ €11,200 = 765.3, × 1/7 ÷ €200k = 21.4.
    assert orders == {("iris_t", "diehl"): 38, ("gepard_burst", "rheinmetall"): 765, ("piorun", "mesko"): 21}


def test_a_pipeline_buyer_that_is_not_a_state_is_a_located_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        f"extends: {BASELINE}\nname: bad\nindustry:\n  suppliers:\n    - name: mbda\n      products:\n"
        "        - item: aster30\n          pipeline:\n"
        "            - {buyer: Polnad, units: 5, first_day: 9, last_day: 3}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code != 0
    assert (
        "industry.suppliers[" in result.output and "pipeline[0].buyer: unknown member state 'Polnad'" in result.output
    )
    assert "pipeline[0].last_day: last_day 3 comes before first_day 9" in result.output


@pytest.fixture(scope="module")
def comparison(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    out = tmp_path_factory.mktemp("compare")
    variants = [str(SCENARIOS / f"{name}.yaml") for name in ("reduced_us_support", "european_preference")]
    arguments = ["compare", str(BASELINE), *variants, "-n", "3", "-w", "1", "--no-report", "--out", str(out)]
    result = CliRunner().invoke(app, [*arguments, "--set", "horizon_days=900"])
    assert result.exit_code == 0, result.output
    return pd.read_csv(next(out.glob("*/comparison.csv")))


@pytest.mark.parametrize(
    ("variant", "metric", "sign"),
    [
        ("reduced_us_support", "ukraine_interceptors_delivered.pac3_mse", -1),
        ("reduced_us_support", "ukraine_missile_intercept_rate", -1),
        ("european_preference", "ukraine_interceptors_delivered.iris_t", +1),
        ("european_preference", "mean_delivery_lead_time_days", +1),
    ],
)
def test_market_variants_answer_their_questions(comparison: pd.DataFrame, variant: str, metric: str, sign: int) -> None:
    """Common random numbers, 3 replications over 900 days: the paired 90% CI lies on the mechanism's side of 0."""
    row = comparison[(comparison.scenario == variant) & (comparison.metric == metric)].iloc[0]
    assert sign * row.diff_low > 0 and sign * row.diff_high > 0, row.to_dict()
