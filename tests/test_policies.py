"""Tests for the decision policies (sim/model/policies/*): exact expectations on small inputs, and statistical
checks of the random raid and incursion plans against their defining means (tolerance: five standard errors).

The index tables come from the shipped baseline, so effector, munition and threat names are the real ones.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.model.industry import Order, ProductionLine
from sim.model.policies.allocation import StaticAllocationPolicy, ThreatWeightedAllocationPolicy
from sim.model.policies.context import PolicyContext
from sim.model.policies.deployment import FlankContributionPolicy, HomeDefencePolicy
from sim.model.policies.donation import DonationDecision, NoDonationPolicy, SurplusDonationPolicy
from sim.model.policies.eu import JointProcurementPolicy, NoJointProcurementPolicy
from sim.model.policies.incursions import BorderIncursionsPolicy, NoIncursionsPolicy
from sim.model.policies.procurement import (
    Demand,
    NoProcurementPolicy,
    ProcurementView,
    Quote,
    StockCoverPolicy,
)
from sim.model.policies.raids import NightlyRaidsPolicy, NoRaidsPolicy
from sim.model.policies.registry import SLOTS, policy_docs, scenario_policy_names
from sim.model.policies.sentry import StaticSentryPolicy, ThreatWeightedSentryPolicy
from sim.model.policies.supplier import BacklogExpansionPolicy, FixedCapacityPolicy
from sim.model.splits import UnitSplit, split_units, split_units_each
from sim.model.tables import Tables, build_tables
from sim.scenario.loader import load_scenario
from sim.scenario.policies import (
    BacklogExpansionParams,
    BorderIncursionParams,
    FlankContributionParams,
    JointProcurementParams,
    NightlyRaidParams,
    StockCoverParams,
    SurplusDonationParams,
    ThreatWeightedAllocationParams,
    ThreatWeightedSentryParams,
)

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
RAID_SHARES = np.array([0.3, 0.2, 0.15, 0.15, 0.1, 0.1])  # kyiv, kharkiv, dnipro, odesa, zaporizhzhia, lviv


@pytest.fixture(scope="module")
def tables() -> Tables:
    return build_tables(load_scenario(BASELINE))


def within_five_se(observed: float, expected: float, standard_error: float) -> bool:
    return abs(observed - expected) <= 5 * standard_error


# --------------------------------------------------------------------------------------------------
# Member-state procurement: StockCover
# --------------------------------------------------------------------------------------------------


def stock_cover(tables: Tables, **params: object) -> StockCoverPolicy:
    return StockCoverPolicy(StockCoverParams.model_validate(params), PolicyContext(tables, RAID_SHARES))


def view(
    tables: Tables,
    fire_units: dict[str, int] | None = None,
    munitions: dict[str, int] | None = None,
    on_order: dict[str, int] | None = None,
    targets: dict[str, int] | None = None,
    incursions: int = 0,
) -> ProcurementView:
    units = np.zeros(len(tables.effector_names), dtype=np.int64)
    for name, count in (fire_units or {}).items():
        units[tables.effector_index(name)] = count
    stock = np.zeros(len(tables.munition_names), dtype=np.int64)
    for name, count in (munitions or {}).items():
        stock[tables.munition_index(name)] = count
    return ProcurementView(units, stock, on_order or {}, targets or {}, incursions)


def test_stock_cover_orders_reloads_of_ready_rounds(tables: Tables) -> None:
    policy = stock_cover(tables, magazine_reloads=2)
    # Two Patriot batteries hold 2 × 48 ready rounds: the target stock is 2 reloads = 192; 30 on hand.
    demands = policy.decide(view(tables, {"patriot": 2}, {"pac3_mse": 30}))
    assert demands == [Demand("pac3_mse", 162, "stock below 2 reloads (192)")]
    # Units on order count against the gap; a stock at or above the target orders nothing.
    on_order = view(tables, {"patriot": 2}, {"pac3_mse": 30}, on_order={"pac3_mse": 100})
    assert [(d.item, d.units) for d in policy.decide(on_order)] == [("pac3_mse", 62)]
    assert policy.decide(view(tables, {"patriot": 2}, {"pac3_mse": 192})) == []


def test_stock_cover_rounds_fractional_reloads_up_and_ignores_ew(tables: Tables) -> None:
    policy = stock_cover(tables, magazine_reloads=1.5)
    # Piorun teams hold 4 ready rounds each: 3 teams → 12 → 1.5 reloads = 18. EW fires nothing.
    demands = policy.decide(view(tables, {"piorun_team": 3, "ew_jammer": 5}))
    assert [(d.item, d.units) for d in demands] == [("piorun", 18)]


def test_stock_cover_meets_capability_targets_and_stocks_the_new_units(tables: Tables) -> None:
    policy = stock_cover(tables, magazine_reloads=2)
    demands = policy.decide(
        view(tables, {"patriot": 2}, {"pac3_mse": 30}, on_order={"patriot": 1}, targets={"patriot": 5})
    )
    # Gap 5 − 2 held − 1 on order = 2 batteries; magazines for the 4 it will then hold: 2 × 4 × 48 − 30.
    assert [(d.item, d.units) for d in demands] == [("patriot", 2), ("pac3_mse", 354)]
    assert demands[0].reason == "NATO capability target of 5"
    assert policy.decide(view(tables, {"patriot": 6}, {"pac3_mse": 600}, targets={"patriot": 5})) == []


def test_stock_cover_answers_incursions_with_counter_drone_units(tables: Tables) -> None:
    policy = stock_cover(
        tables, magazine_reloads=2, counter_drone_effector="skyranger", counter_drone_units_per_incursion=2
    )
    demands = policy.decide(view(tables, incursions=3))
    # 2 per incursion × 3 = 6 Skyrangers, and 2 reloads of their 40 ready bursts each.
    assert [(d.item, d.units) for d in demands] == [("skyranger", 6), ("skyranger_burst", 480)]
    assert demands[0].reason == "3 incursion(s) since last review"
    assert policy.decide(view(tables)) == []


@settings(max_examples=100, deadline=None)
@given(units=st.lists(st.integers(0, 50), min_size=12, max_size=12), reloads=st.sampled_from([0.5, 1.0, 1.5, 2.0]))
def test_stock_cover_counts_ready_rounds_as_the_ready_matrix_does(
    tables: Tables, units: list[int], reloads: float
) -> None:
    # decide() adds up ready rounds in plain ints; with nothing on hand or on order, each stocked munition's
    # demand is its reloads of (fire units @ ready_matrix), as computed by numpy.
    fire_units = np.array(units, dtype=np.int64)
    ready = fire_units @ tables.ready_matrix
    policy = stock_cover(tables, magazine_reloads=reloads)
    demanded = {
        demand.item: demand.units
        for demand in policy.decide(view(tables, dict(zip(tables.effector_names, units, strict=True))))
    }
    expected = {
        name: math.ceil(reloads * int(ready[index]))
        for index, name in enumerate(tables.munition_names)
        if name != "none" and ready[index] > 0
    }
    assert demanded == expected


def test_stock_cover_joint_share(tables: Tables) -> None:
    assert stock_cover(tables, joint_procurement_share=0.3).joint_share == 0.3
    assert stock_cover(tables).joint_share == 0.0


def quote(supplier: str, price: float, lead: float) -> Quote:
    return Quote(supplier, "iris_t", price, lead, True, 1.0)


QUOTES = [quote("slow_cheap", 100.0, 900.0), quote("fast_dear", 150.0, 200.0), quote("too_slow", 50.0, 1600.0)]


def test_rank_quotes_by_lead_time_or_price_within_the_longest_acceptable_lead(tables: Tables) -> None:
    by_lead = stock_cover(tables).rank_quotes(QUOTES)
    assert [q.supplier for q in by_lead] == ["fast_dear", "slow_cheap"]  # 1,600 days > the default 1,500
    by_price = stock_cover(tables, choose_supplier_by="price").rank_quotes(QUOTES)
    assert [q.supplier for q in by_price] == ["slow_cheap", "fast_dear"]
    impatient = stock_cover(tables, choose_supplier_by="price", max_lead_time_days=500).rank_quotes(QUOTES)
    assert [q.supplier for q in impatient] == ["fast_dear"]
    ties = [quote("b", 100.0, 300.0), quote("a", 100.0, 300.0), quote("c", 90.0, 300.0)]
    assert [q.supplier for q in stock_cover(tables).rank_quotes(ties)] == ["c", "a", "b"]


def test_no_procurement_orders_nothing_and_ranks_fastest_first(tables: Tables) -> None:
    policy = NoProcurementPolicy()
    assert policy.decide(view(tables, {"patriot": 9}, targets={"patriot": 20}, incursions=5)) == []
    assert [q.supplier for q in policy.rank_quotes(QUOTES)] == ["fast_dear", "slow_cheap", "too_slow"]
    assert policy.joint_share == 0.0


# --------------------------------------------------------------------------------------------------
# Adversary: raids and incursions
# --------------------------------------------------------------------------------------------------


def raids(tables: Tables, **params: object) -> NightlyRaidsPolicy:
    defaults: dict[str, object] = {"drones_per_night": 175, "drone_mix": {"shahed": 0.55, "gerbera": 0.45}}
    return NightlyRaidsPolicy(NightlyRaidParams.model_validate(defaults | params), PolicyContext(tables, RAID_SHARES))


def test_raid_plan_shape_types_and_mix_columns(tables: Tables) -> None:
    plan = raids(tables).plan(50, np.random.default_rng(1))
    assert plan.shape == (50, 6, len(tables.threat_names)) and plan.dtype == np.int64
    assert plan.min() >= 0
    missiles = [tables.threat_index("kh101"), tables.threat_index("iskander_m")]
    assert plan[:, :, missiles].sum() == 0  # no missile strikes unless asked for
    assert plan.sum() > 0


def test_raid_plan_is_reproducible_from_its_generator(tables: Tables) -> None:
    policy = raids(tables, surge_probability=0.1, surge_multiplier=3, missile_strike_probability=0.2,
                   missiles_per_strike=40, missile_mix={"kh101": 1})  # fmt: skip
    first = policy.plan(30, np.random.default_rng(7))
    assert np.array_equal(first, policy.plan(30, np.random.default_rng(7)))
    assert not np.array_equal(first, policy.plan(30, np.random.default_rng(8)))


def test_nightly_drone_count_is_negative_binomial_with_the_given_mean_and_dispersion(tables: Tables) -> None:
    days = 40_000
    plan = raids(tables, dispersion=3).plan(days, np.random.default_rng(11))
    nightly = plan.sum(axis=(1, 2)).astype(float)
    mean, shape = 175.0, 3.0
    variance = mean + mean**2 / shape  # gamma-Poisson mixture
    assert within_five_se(nightly.mean(), mean, math.sqrt(variance / days))
    # The sample variance's relative standard error is about sqrt((excess kurtosis + 2) / n) ≈ sqrt(4 / n) = 1%.
    assert nightly.var() == pytest.approx(variance, rel=0.05)


def test_region_shares_and_drone_mix_are_respected(tables: Tables) -> None:
    plan = raids(tables).plan(20_000, np.random.default_rng(12))
    total = plan.sum()
    by_region = plan.sum(axis=(0, 2))
    for region, share in enumerate(RAID_SHARES):  # conditionally binomial given the total
        assert within_five_se(by_region[region] / total, share, math.sqrt(share * (1 - share) / total))
    by_type = plan.sum(axis=(0, 1))
    shahed, gerbera = tables.threat_index("shahed"), tables.threat_index("gerbera")
    assert by_type[shahed] + by_type[gerbera] == total
    assert within_five_se(by_type[shahed] / total, 0.55, math.sqrt(0.55 * 0.45 / total))


def test_mean_drones_follows_the_monthly_trend(tables: Tables) -> None:
    policy = raids(tables, trend_per_month=0.01)
    assert policy.mean_drones(np.array([0.0, 30.0, 60.0, 15.0])) == pytest.approx(
        [175.0, 175.0 * 1.01, 175.0 * 1.01**2, 175.0 * 1.01**0.5]
    )
    # Over a long plan the drones launched match the trended mean (Poisson-gamma, independent nights).
    days = 3000
    plan = policy.plan(days, np.random.default_rng(13)).sum(axis=(1, 2))
    means = policy.mean_drones(np.arange(days, dtype=float))
    variance = (means + means**2 / 4.0).sum()  # dispersion defaults to 4
    assert within_five_se(plan.sum(), means.sum(), math.sqrt(variance))
    late, early = plan[-300:].mean(), plan[:300].mean()
    assert late / early == pytest.approx(1.01 ** ((days - 300) / 30), rel=0.15)


@pytest.mark.parametrize("surge_probability", [0.0, 0.25, 1.0])
def test_surge_nights_multiply_the_mean(tables: Tables, surge_probability: float) -> None:
    days = 20_000
    policy = raids(tables, surge_probability=surge_probability, surge_multiplier=4, dispersion=50)
    nightly = policy.plan(days, np.random.default_rng(14)).sum(axis=(1, 2)).astype(float)
    expected = 175.0 * (1 + surge_probability * 3)
    assert within_five_se(nightly.mean(), expected, nightly.std() / math.sqrt(days))


def test_missile_strikes(tables: Tables) -> None:
    days = 20_000
    policy = raids(tables, missile_strike_probability=0.15, missiles_per_strike=60,
                   missile_mix={"kh101": 0.6, "iskander_m": 0.4})  # fmt: skip
    plan = policy.plan(days, np.random.default_rng(15))
    kh101, iskander = tables.threat_index("kh101"), tables.threat_index("iskander_m")
    missiles = plan[:, :, [kh101, iskander]].sum(axis=(1, 2)).astype(float)
    # Per night: a strike with probability 0.15 of Poisson(60) missiles: mean 9, variance 0.15·60 + 0.15·0.85·60².
    assert within_five_se(missiles.mean(), 9.0, math.sqrt((9.0 + 0.15 * 0.85 * 3600) / days))
    assert within_five_se((missiles > 0).mean(), 0.15 * (1 - math.exp(-60)), math.sqrt(0.15 * 0.85 / days))
    share_kh101 = plan[:, :, kh101].sum() / missiles.sum()
    assert within_five_se(share_kh101, 0.6, math.sqrt(0.24 / missiles.sum()))


def test_no_raids(tables: Tables) -> None:
    plan = NoRaidsPolicy(None, PolicyContext(tables, RAID_SHARES)).plan(12, np.random.default_rng(0))
    assert plan.shape == (12, 6, len(tables.threat_names)) and not plan.any()


def incursions(tables: Tables, **params: object) -> BorderIncursionsPolicy:
    defaults: dict[str, object] = {
        "incursions_per_month": {"PL": 3.0, "EE": 0.6},
        "drones_per_incursion": 4,
        "drone_mix": {"shahed": 0.4, "gerbera": 0.6},
    }
    return BorderIncursionsPolicy(
        BorderIncursionParams.model_validate(defaults | params), PolicyContext(tables, RAID_SHARES)
    )


def test_incursions_are_poisson_per_state_and_bring_one_plus_poisson_drones(tables: Tables) -> None:
    days = 30_000
    counts, drones = incursions(tables).plan(days, np.random.default_rng(21))
    assert counts.shape == (days, len(tables.region_names))
    assert drones.shape == (days, len(tables.region_names), len(tables.threat_names))
    poland, estonia = tables.region_index("PL"), tables.region_index("EE")
    others = [r for r in range(len(tables.region_names)) if r not in (poland, estonia)]
    assert not counts[:, others].any() and not drones[:, others].any()
    for region, rate in ((poland, 0.1), (estonia, 0.02)):  # per day: 3 and 0.6 a month
        assert within_five_se(counts[:, region].mean(), rate, math.sqrt(rate / days))
    per_region = drones.sum(axis=2)
    # Each incursion brings at least one drone; nights without incursions bring none.
    assert (per_region >= counts).all()
    assert not per_region[counts == 0].any()
    # 1 + Poisson(3) drones each: mean 4, so Σ drones − Σ incursions ~ Poisson(3 · Σ incursions).
    events = counts.sum()
    assert within_five_se(per_region.sum() - events, 3.0 * events, math.sqrt(3.0 * events))
    shahed = drones[:, :, tables.threat_index("shahed")].sum()
    assert within_five_se(shahed / per_region.sum(), 0.4, math.sqrt(0.24 / per_region.sum()))


def test_no_incursions(tables: Tables) -> None:
    counts, drones = NoIncursionsPolicy(None, PolicyContext(tables, RAID_SHARES)).plan(9, np.random.default_rng(0))
    assert counts.shape == (9, len(tables.region_names)) and not counts.any() and not drones.any()


# --------------------------------------------------------------------------------------------------
# Posture: splitting, deployment, donation, sentry, allocation
# --------------------------------------------------------------------------------------------------


def test_split_units_hand_examples() -> None:
    # Cumulative shares [7, 10, 10, 15] / 15 of 6 → floors [2, 4, 4, 6] → [2, 2, 0, 2].
    assert split_units(6, np.array([7.0, 3.0, 0.0, 5.0])).tolist() == [2, 2, 0, 2]
    assert split_units(10, np.array([1.0, 1.0, 1.0])).tolist() == [3, 3, 4]
    assert split_units(0, np.array([1.0, 2.0])).tolist() == [0, 0]
    assert split_units(5, np.array([0.0, 0.0])).tolist() == [0, 0]


@settings(max_examples=300, deadline=None)
@given(
    total=st.integers(0, 10**7),
    weights=hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(0.0, 1e6, allow_subnormal=False)),
)
def test_split_units_is_exact_and_proportional(total: int, weights: np.ndarray) -> None:
    result = split_units(total, weights)
    assert result.dtype == np.int64 and result.shape == weights.shape
    if weights.sum() <= 0:
        assert not result.any()
        return
    assert result.sum() == total
    assert (result >= 0).all()
    assert not result[weights == 0].any()
    exact = total * weights / weights.sum()
    assert np.all(np.abs(result - exact) < 1 + 1e-6 * max(total, 1))


@settings(max_examples=200, deadline=None)
@given(
    totals=hnp.arrays(np.int64, st.integers(0, 6), elements=st.integers(-3, 10**7)),
    weights=hnp.arrays(np.float64, st.integers(1, 12), elements=st.floats(0.0, 1e6, allow_subnormal=False)),
)
def test_split_units_each_row_is_the_split_of_its_total(totals: np.ndarray, weights: np.ndarray) -> None:
    rows = split_units_each(totals, weights)
    assert rows.dtype == np.int64 and rows.shape == (len(totals), len(weights))
    for total, row in zip(totals.tolist(), rows, strict=True):
        assert row.tolist() == split_units(total, weights).tolist()
        assert row.sum() == (max(total, 0) if weights.sum() > 0 else 0)


def _dense_split(totals: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The cumulative-floor split as a vectorised numpy formula (how it was first written): the reference that
    :class:`UnitSplit`'s plain-Python arithmetic must match bit for bit."""
    if weights.sum() <= 0:
        return np.zeros((len(totals), len(weights)), dtype=np.int64)
    cumulative = np.zeros((len(totals), len(weights) + 1), dtype=np.int64)
    column_totals = np.maximum(totals, 0)[:, np.newaxis]
    cumulative[:, 1:] = np.floor(column_totals * np.cumsum(weights) / weights.sum())
    cumulative[:, np.flatnonzero(weights > 0)[-1] + 1 :] = column_totals
    split: np.ndarray = cumulative[:, 1:] - cumulative[:, :-1]
    return split


# Weights that stress the floors: repeated decimal fractions (whose running sums fall just short of the total),
# zeros (also after the last positive weight), and magnitudes far apart; more than eight of them, where numpy's
# sum is pairwise and differs from a running sum.
_split_weights = st.one_of(
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.sampled_from([0.0, 0.1, 0.2, 0.3, 1 / 3, 0.7, 1.0])),
    hnp.arrays(np.float64, st.integers(1, 40), elements=st.floats(0.0, 1e9, allow_subnormal=False)),
)


@settings(max_examples=500, deadline=None)
@given(
    totals=hnp.arrays(np.int64, st.integers(0, 8), elements=st.integers(-3, 10**15)),
    weights=_split_weights,
)
def test_unit_split_matches_the_vectorised_formula_bit_for_bit(totals: np.ndarray, weights: np.ndarray) -> None:
    expected = _dense_split(totals, weights)
    assert split_units_each(totals, weights).tolist() == expected.tolist()
    split = UnitSplit(weights)
    assert [split.of(total) for total in totals.tolist()] == expected.tolist()


def test_unit_split_leaves_nothing_for_zero_weights_after_a_short_running_sum() -> None:
    # Running sums of 0.1 fall short (0.7999999999999999 at the eighth place, so it floors to 7 there and the
    # ninth catches up); the last weighted place brings the cumulative value up to the total exactly.
    assert UnitSplit(np.array([0.1] * 10 + [0.0, 0.0])).of(10) == [1, 1, 1, 1, 1, 1, 1, 0, 2, 1, 0, 0]
    assert UnitSplit(np.array([0.0, 2.0, 0.0])).of(7) == [0, 7, 0]
    assert UnitSplit(np.zeros(3)).of(7) == [0, 0, 0]
    assert UnitSplit(np.array([1.0, 1.0])).of(-2) == [0, 0]


def test_flank_contribution_gives_the_floor_of_its_share(tables: Tables) -> None:
    params = FlankContributionParams.model_validate({"share": 0.34, "effectors": ["patriot", "fighter_qra"]})
    units = np.zeros(len(tables.effector_names), dtype=np.int64)
    units[tables.effector_index("patriot")] = 3
    units[tables.effector_index("fighter_qra")] = 2
    units[tables.effector_index("piorun_team")] = 10
    given = FlankContributionPolicy(params).contribution(units, tables)
    expected = np.zeros_like(units)
    expected[tables.effector_index("patriot")] = 1  # floor(0.34 · 3 = 1.02)
    # fighters: floor(0.34 · 2 = 0.68) = 0; Piorun teams are not listed
    assert given.tolist() == expected.tolist()
    assert not HomeDefencePolicy().contribution(units, tables).any()


def donation(**params: object) -> SurplusDonationPolicy:
    defaults: dict[str, object] = {"effector": "patriot", "keep_at_least": 4, "max_per_year": 2}
    return SurplusDonationPolicy(SurplusDonationParams.model_validate(defaults | params))


def test_surplus_donation_gives_one_unit_above_the_floor_when_ukraine_is_short() -> None:
    policy = donation(interceptors_per_unit=30)
    assert policy.decide({"patriot": 5}, 0, True) == DonationDecision("patriot", 1, 30, True)
    assert policy.decide({"patriot": 4}, 0, True) is None  # at the floor
    assert policy.decide({"patriot": 9}, 0, False) is None  # Ukraine is not short
    assert policy.decide({"patriot": 9}, 1, True) == DonationDecision("patriot", 1, 30, True)
    assert policy.decide({"patriot": 9}, 2, True) is None  # yearly cap reached
    assert policy.decide({"iris_t_slm": 9}, 0, True) is None  # has none of the effector
    assert donation(with_backfill=False).decide({"patriot": 5}, 0, True) == DonationDecision("patriot", 1, 0, False)
    assert NoDonationPolicy().decide({"patriot": 50}, 0, True) is None


def test_threat_weighted_sentry_places_the_pool_by_incursions_plus_one() -> None:
    policy = ThreatWeightedSentryPolicy(ThreatWeightedSentryParams.model_validate({"review_days": 7}))
    assert (policy.review_days, policy.lookback_days) == (7, 14)
    pool = np.array([4, 2, 0])
    placed = policy.assign(pool, np.array([3, 0, 1]))
    # Weights 4 : 1 : 2. Four units: floors of 4·[4, 5, 7]/7 = [2, 2, 4] → [2, 0, 2]; two: [1, 1, 2] → [1, 0, 1].
    assert placed.tolist() == [[2, 1, 0], [0, 0, 0], [2, 1, 0]]
    assert (placed.sum(axis=0) == pool).all()
    assert StaticSentryPolicy().assign(pool, np.array([9, 0, 0])).tolist() == [[1, 0, 0], [1, 1, 0], [2, 1, 0]]


def test_threat_weighted_allocation_weights_with_a_floor() -> None:
    policy = ThreatWeightedAllocationPolicy(ThreatWeightedAllocationParams.model_validate({"floor_share": 0.05}))
    weights = policy.weights(np.array([30.0, 10.0, 0.0, 0.0, 0.0, 0.0]), RAID_SHARES)
    # Pressure [0.75, 0.25, 0, 0, 0, 0] raised to the 0.05 floor, then renormalised by 1.2.
    assert weights == pytest.approx(np.array([0.75, 0.25, 0.05, 0.05, 0.05, 0.05]) / 1.2)
    # Nothing seen recently: the fixed raid shares (all above the floor).
    assert policy.weights(np.zeros(6), RAID_SHARES) == pytest.approx(RAID_SHARES)
    static = StaticAllocationPolicy().weights(np.array([100.0, 0, 0, 0, 0, 0]), RAID_SHARES * 2)
    assert static == pytest.approx(RAID_SHARES)


# --------------------------------------------------------------------------------------------------
# Market: joint procurement and supplier investment
# --------------------------------------------------------------------------------------------------


def test_joint_procurement_discount_per_doubling_capped() -> None:
    policy = JointProcurementPolicy(JointProcurementParams.model_validate({}))  # 5% per doubling, at most 20%
    assert policy.round_interval_days == 90
    assert policy.discount(100, 100) == 0.0  # at the reference volume
    assert policy.discount(50, 100) == 0.0
    assert policy.discount(200, 100) == pytest.approx(0.05)
    assert policy.discount(400, 100) == pytest.approx(0.10)
    assert policy.discount(300, 100) == pytest.approx(0.05 * math.log2(3))
    assert policy.discount(100 * 2**10, 100) == pytest.approx(0.2)  # 50% uncapped
    assert policy.discount(500, 0) == 0.0
    none = NoJointProcurementPolicy()
    assert (none.discount(10**6, 1), none.round_interval_days) == (0.0, 0)


def line_with_queue(capacity_per_month: float, queued: int) -> ProductionLine:
    line = ProductionLine("maker", "iris_t", capacity_per_month, 240, 1.0, 1.0, True, 100)
    if queued:
        line.enqueue(Order(1, "PL", "iris_t", "maker", queued, 1.0, "national", 0))
    return line


def test_backlog_expansion_invests_when_the_queue_runs_long() -> None:
    policy = BacklogExpansionPolicy(BacklogExpansionParams.model_validate({}))  # 12 months, +25%, 365 days
    assert policy.decide(line_with_queue(10, 130), day=29) == (29 + 365, 12.5)
    assert policy.decide(line_with_queue(10, 120), day=29) is None  # exactly 12 months: not above
    pending = line_with_queue(10, 500)
    pending.schedule_capacity(100, 11)
    assert policy.decide(pending, day=29) is None  # one expansion at a time
    assert policy.decide(line_with_queue(0, 500), day=29) is None
    assert FixedCapacityPolicy().decide(line_with_queue(10, 10**6), day=29) is None


# --------------------------------------------------------------------------------------------------
# The registry and its documentation
# --------------------------------------------------------------------------------------------------


def test_registry_and_scenario_format_list_the_same_policies() -> None:
    names = scenario_policy_names()
    assert set(names) == {slot.key for slot in SLOTS}
    for slot in SLOTS:
        assert sorted(names[slot.key]) == sorted(slot.implementations), slot.key
        for name, cls in slot.implementations.items():
            assert cls.name == name


def test_every_policy_and_parameter_is_documented() -> None:
    docs = list(policy_docs())
    assert {(doc.slot, doc.name) for doc in docs} == {
        (slot.key, name) for slot in SLOTS for name in slot.implementations
    }
    for doc in docs:
        assert doc.summary.endswith(".") and len(doc.summary.split()) >= 3, (doc.slot, doc.name)
        for parameter in doc.parameters:
            assert parameter.description, (doc.name, parameter.name)
            assert parameter.default, (doc.name, parameter.name)
    stock = next(doc for doc in docs if doc.name == "stock_cover")
    assert {p.name: p.default for p in stock.parameters}["magazine_reloads"] == "2"
