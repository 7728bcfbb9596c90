"""The baseline starts in motion and its adversary keeps pace (issue 13, points 3, 4 and 6).

- Start in motion: without events, Ukraine's drone and missile intercept rates in the first two months lie
  within the spread of the later months of the first year. Before the fix the first months were a warm-up
  (drones ~0.97 and ~0.94 against ~0.86 later; missiles ~0.8 against ~0.6): stocks far above what the
  steady flows sustain were burnt in weeks, and S-300/Buk missiles were fired at drones until gone.
- An adversary that keeps pace: its stock and production cover the cited launch rates over the whole horizon,
  in closed form (expected launches of the raid plan against stock plus compounded production) and in a run
  (every planned threat is launched: the stock never cuts a raid).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from sim.model.run import run_model, run_replication
from sim.scenario.calendar import DAYS_PER_MONTH, DAYS_PER_YEAR
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.policies import NightlyRaidParams

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
MONTH_DAYS = int(DAYS_PER_MONTH)
MONTHS = 12
REPLICATIONS = 6


def monthly_intercept_rates(scenario: Scenario, replications: int) -> tuple[np.ndarray, np.ndarray]:
    """Ukraine's drone and missile intercept rates per 30-day month, pooled over replications (seeds 0, 1, …)."""
    names = ("ukraine_drone_launched", "ukraine_drone_killed", "ukraine_launched", "ukraine_killed")
    months = scenario.horizon_days // MONTH_DAYS
    totals = np.zeros((len(names), months))
    for seed in range(replications):
        series = run_replication(scenario, seed)["timeseries"]
        for row, name in enumerate(names):
            totals[row] += series[name][: months * MONTH_DAYS].reshape(months, MONTH_DAYS).sum(axis=1)
    drones_launched, drones_killed, launched, killed = totals
    return drones_killed / drones_launched, (killed - drones_killed) / (launched - drones_launched)


def within_spread_of_later_months(rates: np.ndarray, first_months: int = 2) -> list[str]:
    """Problems: early months further from the later months' mean than three of their standard deviations."""
    later = rates[first_months:]
    low, high = later.mean() - 3 * later.std(ddof=1), later.mean() + 3 * later.std(ddof=1)
    return [
        f"month {month}: {rate:.3f} outside [{low:.3f}, {high:.3f}]"
        for month, rate in enumerate(rates[:first_months])
        if not low <= rate <= high
    ]


def test_the_first_two_months_are_like_the_later_ones() -> None:
    scenario = load_scenario(BASELINE, overrides=[f"horizon_days={MONTHS * MONTH_DAYS}", "events=[]"])
    drone_rates, missile_rates = monthly_intercept_rates(scenario, REPLICATIONS)
    assert within_spread_of_later_months(drone_rates) == [], drone_rates.round(3)
    assert within_spread_of_later_months(missile_rates) == [], missile_rates.round(3)
    # The criterion bites: the old warm-up (0.969 and 0.943 against ~0.86 later) is far outside it.
    assert within_spread_of_later_months(np.array([0.969, 0.943, *drone_rates[2:]])) != []


def test_the_baseline_runs_from_autumn_2025_through_2028() -> None:
    scenario = load_scenario(BASELINE)
    assert scenario.start_date == dt.date(2025, 9, 1)
    assert scenario.start_date + dt.timedelta(days=scenario.horizon_days - 1) == dt.date(2028, 12, 31)


def expected_launches(scenario: Scenario) -> np.ndarray:
    """``[days, threats]`` expected launches of the nightly raid plan (catalog threat order), in closed form.

    Drones: ``drones_per_night × (1 + surge_probability × (surge_multiplier − 1)) × (1 + trend)^(day / 30)``
    split by the drone mix; missiles: ``missile_strike_probability × missiles_per_strike`` split by the mix.
    """
    params = scenario.actors.adversary.raids.params  # type: ignore[union-attr]
    assert isinstance(params, NightlyRaidParams)
    days = np.arange(scenario.horizon_days, dtype=np.float64)
    surge = 1 + params.surge_probability.value * (params.surge_multiplier.value - 1)
    drones = params.drones_per_night.value * surge * (1 + params.trend_per_month.value) ** (days / DAYS_PER_MONTH)
    missiles = params.missile_strike_probability.value * params.missiles_per_strike.value
    names = list(scenario.catalog.threats)
    launches = np.zeros((len(days), len(names)))
    for name, share in params.drone_mix.items():
        launches[:, names.index(name)] += drones * share.value
    for name, share in params.missile_mix.items():
        launches[:, names.index(name)] += missiles * share.value
    return launches


def test_stock_and_production_cover_the_expected_launches_every_month_of_the_horizon() -> None:
    scenario = load_scenario(BASELINE)
    adversary = scenario.actors.adversary
    launches = expected_launches(scenario)
    days = np.arange(scenario.horizon_days, dtype=np.float64)
    for index, (name, threat) in enumerate(scenario.catalog.threats.items()):
        rate = adversary.production_per_month[name].value / DAYS_PER_MONTH
        growth = adversary.production_growth_per_year.get(name)
        daily_growth = (1 + growth.value) ** (1 / DAYS_PER_YEAR) if growth else 1.0
        produced = np.cumsum(rate * daily_growth**days)
        on_hand = adversary.stock[name].value + produced
        month_ends = np.arange(MONTH_DAYS - 1, scenario.horizon_days, MONTH_DAYS)
        wanted = np.cumsum(launches[:, index])
        short = month_ends[on_hand[month_ends] < wanted[month_ends]]
        assert len(short) == 0, f"{name} ({threat.kind}) runs short by day {short[:1]}"
        # Production alone, not a stockpile, keeps up with the launches (within 10 %) at the end of the horizon.
        assert rate * daily_growth ** days[-1] >= 0.9 * launches[-1, index], name


@pytest.mark.parametrize("seed", [3])
def test_every_planned_threat_is_launched_through_2028(seed: int) -> None:
    model = run_model(load_scenario(BASELINE, overrides=["events=[]"]), seed)
    adversary = model.adversary
    planned = adversary.planned.sum(axis=(0, 1))
    np.testing.assert_array_equal(adversary.launched, planned)
    assert planned[list(load_scenario(BASELINE).catalog.threats).index("kh101")] > 0
