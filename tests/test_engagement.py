"""Tests for the engagement kernel (sim/model/engagement/rules.py).

Four kinds: closed forms checked statistically over many regions drawn in one call (tolerance: five
standard errors from the exact binomial variance), exact hand calculations where every kill probability
is 0 or 1 (so the draws are deterministic), hypothesis property tests for the conservation identities
and for the engagement rules themselves (priorities and reserves included), re-derived from the outcome
layer by layer, and draw-for-draw comparisons with two independent implementations: the kernel as it was
before priorities and reserves (the defaults must reproduce it bit for bit) and a plain region-by-region
reference of the rules in the module docstring.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.engagement import LayerSpec, NightOutcome, resolve_night, split_in_proportion

BIG = 10**12  # "unlimited" channels or munitions


def make_layer(
    kill_probability: list[float],
    engages: list[bool] | None = None,
    *,
    shots_per_target: int = 1,
    shoot_look_shoot: bool = False,
    munition_index: int = 0,
    cost_per_shot_eur: float = 1.0,
    name: str = "layer",
    priority: list[int] | None = None,
) -> LayerSpec:
    """A layer that engages every type unless told otherwise."""
    return LayerSpec(
        name=name,
        kill_probability=np.array(kill_probability, dtype=float),
        engages=np.ones(len(kill_probability), bool) if engages is None else np.array(engages, bool),
        shots_per_target=shots_per_target,
        shoot_look_shoot=shoot_look_shoot,
        munition_index=munition_index,
        cost_per_shot_eur=cost_per_shot_eur,
        priority=None if priority is None else np.array(priority),
    )


def night(
    layers: list[LayerSpec],
    incoming: list[list[int]],
    capacity: list[list[int]],
    munitions: list[list[int]],
    seed: int = 0,
    reserve: list[list[int]] | None = None,
) -> NightOutcome:
    return resolve_night(
        layers,
        np.array(incoming, dtype=np.int64),
        np.array(capacity, dtype=np.int64),
        np.array(munitions, dtype=np.int64),
        np.random.default_rng(seed),
        reserve_rounds=None if reserve is None else np.array(reserve, dtype=np.int64),
    )


def assert_binomial_sample(sample: np.ndarray, trials: int, probability: float) -> None:
    """Mean and variance of an iid sample agree with Binomial(trials, probability) within 5 standard errors."""
    size = sample.size
    variance = trials * probability * (1 - probability)
    # Central fourth moment of a binomial, for the standard error of the sample variance.
    fourth_moment = variance * (1 + 3 * (trials - 2) * probability * (1 - probability))
    mean_se = math.sqrt(variance / size)
    variance_se = math.sqrt((fourth_moment - variance**2 * (size - 3) / (size - 1)) / size)
    assert abs(sample.mean() - trials * probability) <= 5 * mean_se
    assert abs(sample.var(ddof=1) - variance) <= 5 * variance_se


# --------------------------------------------------------------------------------------------------
# The split rule
# --------------------------------------------------------------------------------------------------


def test_split_hand_example() -> None:
    # cumulative [7, 10, 10, 15]; floor(6 · C / 15) = [2, 4, 4, 6]; differences [2, 2, 0, 2].
    assert split_in_proportion([[7, 3, 0, 5]], [6]).tolist() == [[2, 2, 0, 2]]


def test_split_rows_are_independent_and_edge_totals_are_exact() -> None:
    counts = [[7, 3, 0, 5], [7, 3, 0, 5], [0, 0, 0, 0], [1, 1, 1, 1]]
    # Last row: cumulative [1, 2, 3, 4]; floor(3 · C / 4) = [0, 1, 2, 3].
    assert split_in_proportion(counts, [15, 0, 0, 3]).tolist() == [
        [7, 3, 0, 5],
        [0, 0, 0, 0],
        [0, 0, 0, 0],
        [0, 1, 1, 1],
    ]


@pytest.mark.parametrize(
    ("counts", "totals"),
    [([[1, 2]], [4]), ([[1, 2]], [-1]), ([[-1, 2]], [0]), ([1, 2], [1]), ([[1, 2]], [1, 1])],
)
def test_split_rejects_bad_input(counts: list, totals: list) -> None:
    with pytest.raises(ValueError):
        split_in_proportion(counts, totals)


@given(
    st.lists(st.lists(st.integers(0, 10**6), min_size=1, max_size=6), min_size=1, max_size=5).filter(
        lambda rows: len({len(row) for row in rows}) == 1
    ),
    st.data(),
)
def test_split_preserves_total_and_bounds(rows: list[list[int]], data: st.DataObject) -> None:
    counts = np.array(rows, dtype=np.int64)
    totals = np.array([data.draw(st.integers(0, int(row.sum()))) for row in counts], dtype=np.int64)
    allocation = split_in_proportion(counts, totals)
    assert (allocation.sum(axis=1) == totals).all()
    assert (allocation >= 0).all()
    assert (allocation <= counts).all()
    # Within one of the exact proportional share.
    share = counts * (totals / np.maximum(counts.sum(axis=1), 1))[:, None]
    assert (np.abs(allocation - share) < 1 + 1e-9).all()


# --------------------------------------------------------------------------------------------------
# Closed forms (unlimited channels and magazines), over many regions at once
# --------------------------------------------------------------------------------------------------

REGIONS = 20_000


@pytest.mark.parametrize(("probability", "shots"), [(0.3, 2), (0.5, 1), (0.15, 3)])
def test_salvo_leakers_are_binomial(probability: float, shots: int) -> None:
    incoming = 40
    outcome = resolve_night(
        [make_layer([probability], shots_per_target=shots)],
        np.full((REGIONS, 1), incoming),
        np.full((REGIONS, 1), BIG),
        np.full((REGIONS, 1), BIG),
        np.random.default_rng(11),
    )
    assert_binomial_sample(outcome.leakers[:, 0], incoming, (1 - probability) ** shots)
    assert (outcome.engaged[:, 0, 0] == incoming).all()
    assert (outcome.shots[:, 0, 0] == shots * incoming).all()


def test_salvo_draws_each_threat_type_with_its_own_probability() -> None:
    probabilities = [0.2, 0.5, 0.9]
    outcome = resolve_night(
        [make_layer(probabilities, shots_per_target=2)],
        np.full((REGIONS, 3), 30),
        np.full((REGIONS, 1), BIG),
        np.full((REGIONS, 1), BIG),
        np.random.default_rng(12),
    )
    for threat_type, probability in enumerate(probabilities):
        assert_binomial_sample(outcome.leakers[:, threat_type], 30, (1 - probability) ** 2)


@pytest.mark.parametrize(("probability", "rounds"), [(0.3, 2), (0.4, 3), (0.7, 4)])
def test_shoot_look_shoot_leakers_and_shots(probability: float, rounds: int) -> None:
    incoming = 40
    outcome = resolve_night(
        [make_layer([probability], shots_per_target=rounds, shoot_look_shoot=True)],
        np.full((REGIONS, 1), incoming),
        np.full((REGIONS, 1), BIG),
        np.full((REGIONS, 1), BIG),
        np.random.default_rng(13),
    )
    miss = 1 - probability
    assert_binomial_sample(outcome.leakers[:, 0], incoming, miss**rounds)
    # Shots at one target: i shots (i < k) if the i-th kills it, k shots if the first k−1 miss.
    shot_distribution = {i: miss ** (i - 1) * probability for i in range(1, rounds)}
    shot_distribution[rounds] = miss ** (rounds - 1)
    mean_shots = sum(i * p for i, p in shot_distribution.items())
    assert mean_shots == pytest.approx(sum(miss**i for i in range(rounds)))
    variance_shots = sum((i - mean_shots) ** 2 * p for i, p in shot_distribution.items())
    shots = outcome.shots[:, 0, 0]
    assert abs(shots.mean() - incoming * mean_shots) <= 5 * math.sqrt(incoming * variance_shots / REGIONS)
    assert (shots >= incoming).all()
    assert (shots <= rounds * incoming).all()


def test_two_layers_in_series() -> None:
    incoming = 50
    p1, k1, p2, k2 = 0.3, 2, 0.5, 2
    outcome = resolve_night(
        [
            make_layer([p1], shots_per_target=k1),
            make_layer([p2], shots_per_target=k2, shoot_look_shoot=True, munition_index=1),
        ],
        np.full((REGIONS, 1), incoming),
        np.full((REGIONS, 2), BIG),
        np.full((REGIONS, 2), BIG),
        np.random.default_rng(14),
    )
    assert_binomial_sample(outcome.leakers[:, 0], incoming, (1 - p1) ** k1 * (1 - p2) ** k2)
    # The second layer engages exactly the survivors of the first.
    assert (outcome.engaged[:, 1, 0] == incoming - outcome.killed[:, 0, 0]).all()


# --------------------------------------------------------------------------------------------------
# Exact cases (kill probabilities 0 or 1 make the draws deterministic)
# --------------------------------------------------------------------------------------------------


def test_salvo_magazine_exhaustion() -> None:
    # 100 drones, 30 rounds, 2 per target: 15 engaged, 30 fired, 85 leak.
    outcome = night([make_layer([1.0], shots_per_target=2)], [[100]], [[BIG]], [[30]])
    assert outcome.engaged[0, 0, 0] == 15
    assert outcome.shots[0, 0, 0] == 30
    assert outcome.killed[0, 0, 0] == 15
    assert outcome.leakers[0, 0] == 85
    assert outcome.munitions_left[0, 0] == 0
    assert outcome.magazine_empty[0, 0]


def test_salvo_fires_whole_salvos_only() -> None:
    outcome = night([make_layer([1.0], shots_per_target=3)], [[100]], [[BIG]], [[31]])
    assert outcome.engaged[0, 0, 0] == 10
    assert outcome.shots[0, 0, 0] == 30
    assert outcome.munitions_left[0, 0] == 1
    assert outcome.magazine_empty[0, 0]


def test_channel_limit_binds() -> None:
    outcome = night([make_layer([1.0])], [[100]], [[40]], [[1000]])
    assert outcome.engaged[0, 0, 0] == 40
    assert outcome.killed[0, 0, 0] == 40
    assert outcome.leakers[0, 0] == 60
    assert outcome.munitions_left[0, 0] == 960
    assert not outcome.magazine_empty[0, 0]


def test_shared_munition_is_depleted_by_earlier_layers() -> None:
    layers = [
        make_layer([1.0], munition_index=0, name="A"),
        make_layer([1.0], shots_per_target=2, munition_index=0, name="B"),
        make_layer([1.0], munition_index=1, name="C"),
    ]
    # A: 20 channels, 20 shots (30 left). B: 80 candidates, 15 salvos of 2 (0 left).
    # C: its own munition, 10 channels.
    outcome = night(layers, [[100]], [[20, 50, 10]], [[50, 7]])
    assert outcome.engaged[0, :, 0].tolist() == [20, 15, 7]
    assert outcome.shots[0, :, 0].tolist() == [20, 30, 7]
    assert outcome.leakers[0, 0] == 100 - 20 - 15 - 7
    assert outcome.munitions_left[0].tolist() == [0, 0]
    assert outcome.magazine_empty[0].tolist() == [False, True, True]


def test_regions_are_independent() -> None:
    layers = [make_layer([1.0], shots_per_target=2)]
    outcome = night(layers, [[100], [10], [0]], [[BIG], [4], [BIG]], [[30], [100], [5]])
    assert outcome.engaged[:, 0, 0].tolist() == [15, 4, 0]
    assert outcome.leakers[:, 0].tolist() == [85, 6, 0]
    assert outcome.munitions_left[:, 0].tolist() == [0, 92, 5]
    assert outcome.magazine_empty[:, 0].tolist() == [True, False, False]


def test_decoys_draw_fire() -> None:
    # Types: drone, decoy. The layer cannot tell them apart; 50 shots are split over [60, 40]:
    # floor(50 · [60, 100] / 100) = [30, 50] → 30 drones and 20 decoys engaged.
    layer = make_layer([1.0, 1.0])
    with_decoys = night([layer], [[60, 40]], [[BIG]], [[50]])
    assert with_decoys.engaged[0, 0].tolist() == [30, 20]
    assert with_decoys.leakers[0].tolist() == [30, 20]
    without_decoys = night([layer], [[60, 0]], [[BIG]], [[50]])
    assert without_decoys.leakers[0].tolist() == [10, 0]


def test_engaged_type_with_zero_kill_probability_wastes_shots() -> None:
    # Types: drone, ballistic. The layer engages ballistic missiles but cannot kill them.
    outcome = night([make_layer([1.0, 0.0], shots_per_target=2)], [[10, 5]], [[BIG]], [[100]])
    assert outcome.shots[0, 0].tolist() == [20, 10]
    assert outcome.killed[0, 0].tolist() == [10, 0]
    assert outcome.leakers[0].tolist() == [0, 5]
    assert outcome.munitions_left[0, 0] == 70


def test_type_not_engaged_passes_to_the_next_layer() -> None:
    # Types: drone, decoy, ballistic. Guns fire at drones and decoys only; Patriot at ballistic only.
    guns = make_layer([1.0, 1.0, 1.0], [True, True, False], munition_index=0, name="guns")
    patriot = make_layer([1.0, 1.0, 1.0], [False, False, True], shots_per_target=2, munition_index=1)
    outcome = night([guns, patriot], [[10, 4, 3]], [[BIG, BIG]], [[100, 4]])
    assert outcome.engaged[0].tolist() == [[10, 4, 0], [0, 0, 2]]
    assert outcome.leakers[0].tolist() == [0, 0, 1]
    assert outcome.munitions_left[0].tolist() == [86, 0]
    assert outcome.magazine_empty[0].tolist() == [False, True]


def test_shoot_look_shoot_runs_out_mid_sequence() -> None:
    # Pk 0: nobody dies, so every engaged target wants all 3 shots. Stock 25: rounds fire 10, 10, then 5
    # split over the pending [6, 4]: floor(5 · [6, 10] / 10) = [3, 5] → [3, 2].
    layer = make_layer([0.0, 0.0], shots_per_target=3, shoot_look_shoot=True)
    outcome = night([layer], [[6, 4]], [[BIG]], [[25]])
    assert outcome.engaged[0, 0].tolist() == [6, 4]
    assert outcome.shots[0, 0].tolist() == [15, 10]
    assert outcome.munitions_left[0, 0] == 0
    assert outcome.leakers[0].tolist() == [6, 4]
    assert outcome.magazine_empty[0, 0]


def test_shoot_look_shoot_engages_one_target_per_round_in_stock() -> None:
    # The magazine limit on targets engaged is the stock itself (salvo of 3 would engage only 1).
    sls = night([make_layer([0.0], shots_per_target=3, shoot_look_shoot=True)], [[10]], [[BIG]], [[4]])
    assert sls.engaged[0, 0, 0] == 4
    assert sls.shots[0, 0, 0] == 4
    assert sls.magazine_empty[0, 0]
    salvo = night([make_layer([0.0], shots_per_target=3)], [[10]], [[BIG]], [[4]])
    assert salvo.engaged[0, 0, 0] == 1
    assert salvo.shots[0, 0, 0] == 3


def test_shoot_look_shoot_with_certain_kill_fires_once_per_target() -> None:
    outcome = night([make_layer([1.0], shots_per_target=3, shoot_look_shoot=True)], [[10]], [[8]], [[100]])
    assert outcome.shots[0, 0, 0] == 8
    assert outcome.killed[0, 0, 0] == 8
    assert outcome.munitions_left[0, 0] == 92
    assert not outcome.magazine_empty[0, 0]


@pytest.mark.parametrize(
    ("incoming", "capacity", "stock", "shoot_look_shoot", "expected"),
    [
        (10, 5, 0, False, True),  # candidates and channels, no munitions
        (10, 5, 0, True, True),
        (10, 0, 0, False, False),  # no channels: the magazine is not what stops it
        (0, 5, 0, False, False),  # nothing to shoot at
        (10, 5, 9, False, True),  # 4 salvos of 2 for 5 channels
        (10, 5, 10, False, False),  # exactly enough
        (3, 5, 6, False, False),  # all candidates served
        (10, 5, 5, True, True),  # shoot-look-shoot: no second shots for the survivors (Pk 0)
        (10, 5, 10, True, False),
    ],
)
def test_magazine_empty_flag(incoming: int, capacity: int, stock: int, shoot_look_shoot: bool, expected: bool) -> None:
    layer = make_layer([0.0], shots_per_target=2, shoot_look_shoot=shoot_look_shoot)
    outcome = night([layer], [[incoming]], [[capacity]], [[stock]])
    assert bool(outcome.magazine_empty[0, 0]) is expected


def test_zero_incoming_fires_nothing() -> None:
    layers = [make_layer([0.5, 0.5], shots_per_target=2), make_layer([0.9, 0.9], munition_index=1)]
    outcome = night(layers, [[0, 0], [0, 0]], [[5, 5], [5, 5]], [[10, 10], [10, 10]])
    for counts in (outcome.killed, outcome.engaged, outcome.shots, outcome.leakers):
        assert not counts.any()
    assert (outcome.munitions_left == 10).all()
    assert not outcome.magazine_empty.any()


def test_shots_cost_eur() -> None:
    layers = [
        make_layer([0.0], cost_per_shot_eur=5_000.0),
        make_layer([1.0], shots_per_target=2, munition_index=1, cost_per_shot_eur=1e6),
    ]
    outcome = night(layers, [[10]], [[4, BIG]], [[BIG, BIG]])
    assert outcome.shots[0, :, 0].tolist() == [4, 20]
    assert outcome.shots_cost_eur.tolist() == [[20_000.0, 20_000_000.0]]
    assert outcome.killed_total.tolist() == [[10]]


def test_same_seed_same_outcome_and_inputs_untouched() -> None:
    layers = [
        make_layer([0.3, 0.2], shots_per_target=2),
        make_layer([0.6, 0.6], shots_per_target=3, shoot_look_shoot=True, munition_index=1),
    ]
    incoming = np.array([[500, 200], [30, 10], [0, 4]])
    capacity = np.array([[100, 50], [10, 10], [5, 5]])
    munitions = np.array([[150, 60], [100, 100], [0, 2]])
    copies = (incoming.copy(), capacity.copy(), munitions.copy())
    first = resolve_night(layers, incoming, capacity, munitions, np.random.default_rng(99))
    second = resolve_night(layers, incoming, capacity, munitions, np.random.default_rng(99))
    for name in ("killed", "engaged", "shots", "leakers", "munitions_left", "magazine_empty"):
        assert np.array_equal(getattr(first, name), getattr(second, name)), name
    for original, copy in zip((incoming, capacity, munitions), copies, strict=True):
        assert np.array_equal(original, copy)


# --------------------------------------------------------------------------------------------------
# Doctrine: priorities (missiles first) and the missile reserve, exact cases
# --------------------------------------------------------------------------------------------------

# Types in these tests: 0 = drone (priority 1), 1 = missile (priority 0).
DRONE_LAST = [1, 0]


def test_priority_serves_missiles_first() -> None:
    # 100 drones + 10 missiles, 20 channels: all 10 missiles, then 10 drones.
    layer = make_layer([1.0, 1.0], priority=DRONE_LAST)
    outcome = night([layer], [[100, 10]], [[20]], [[1000]])
    assert outcome.engaged[0, 0].tolist() == [10, 10]
    assert outcome.killed[0, 0].tolist() == [10, 10]
    assert outcome.leakers[0].tolist() == [90, 0]
    assert outcome.munitions_left[0, 0] == 980
    # Without priorities the 20 engagements follow the candidates: cumulative [100, 110],
    # floor(20 · [100, 110] / 110) = [18, 20] → 18 drones, 2 missiles.
    proportional = night([make_layer([1.0, 1.0])], [[100, 10]], [[20]], [[1000]])
    assert proportional.engaged[0, 0].tolist() == [18, 2]


def test_priority_when_the_magazine_binds() -> None:
    # Stock 30, salvos of 2: 15 targets. Missiles first (10 targets, 20 rounds), then 5 drones (10 rounds).
    layer = make_layer([1.0, 1.0], shots_per_target=2, priority=DRONE_LAST)
    outcome = night([layer], [[100, 10]], [[20]], [[30]])
    assert outcome.engaged[0, 0].tolist() == [5, 10]
    assert outcome.shots[0, 0].tolist() == [10, 20]
    assert outcome.munitions_left[0, 0] == 0
    assert outcome.magazine_empty[0, 0]


def test_priority_classes_in_order_and_proportional_within_a_class() -> None:
    # Types a, b, c, d with priorities 2, 0, 1, 0 and candidates 5, 4, 6, 2.
    layer = make_layer([1.0] * 4, priority=[2, 0, 1, 0])
    # 7 channels: class 0 (b, d: 6 candidates) in full, then 1 of c, nothing for a.
    assert night([layer], [[5, 4, 6, 2]], [[7]], [[100]]).engaged[0, 0].tolist() == [0, 4, 1, 2]
    # 5 channels: class 0 only, split over [4, 2]: floor(5 · [4, 6] / 6) = [3, 5] → b 3, d 2.
    assert night([layer], [[5, 4, 6, 2]], [[5]], [[100]]).engaged[0, 0].tolist() == [0, 3, 0, 2]


def test_reserve_holds_rounds_for_missiles() -> None:
    # 100 drones + 10 missiles, 20 channels, stock 30, salvos of 2, reserve 20. Missiles first: 10 targets,
    # 20 rounds, 10 left. Drones: a salvo may not take the stock below 20, so max(0, 10 − 20) // 2 = 0.
    layer = make_layer([1.0, 1.0], shots_per_target=2, priority=DRONE_LAST)
    outcome = night([layer], [[100, 10]], [[20]], [[30]], reserve=[[20]])
    assert outcome.engaged[0, 0].tolist() == [0, 10]
    assert outcome.shots[0, 0].tolist() == [0, 20]
    assert outcome.leakers[0].tolist() == [100, 0]
    assert outcome.munitions_left[0, 0] == 10
    # Held back, not run out: 10 rounds (5 salvos) are still in stock.
    assert not outcome.magazine_empty[0, 0]


def test_reserve_on_a_night_without_missiles() -> None:
    # Only drones: (30 − 20) // 2 = 5 salvos at drones, 20 rounds kept.
    layer = make_layer([1.0, 1.0], shots_per_target=2, priority=DRONE_LAST)
    outcome = night([layer], [[100, 0]], [[20]], [[30]], reserve=[[20]])
    assert outcome.engaged[0, 0].tolist() == [5, 0]
    assert outcome.shots[0, 0].tolist() == [10, 0]
    assert outcome.munitions_left[0, 0] == 20
    assert not outcome.magazine_empty[0, 0]


@pytest.mark.parametrize(
    ("stock", "expected_engaged", "expected_left", "expected_empty"),
    [
        (30, [0, 10], 20, False),  # missiles take 10 of 30; 20 < reserve 50: no drone is engaged
        (8, [0, 8], 0, True),  # 8 missiles, then the stock is empty: run out
        (0, [0, 0], 0, True),
    ],
)
def test_reserve_larger_than_stock_stops_drone_fire_but_not_missile_fire(
    stock: int, expected_engaged: list[int], expected_left: int, expected_empty: bool
) -> None:
    layer = make_layer([1.0, 1.0], priority=DRONE_LAST)
    outcome = night([layer], [[100, 10]], [[20]], [[stock]], reserve=[[50]])
    assert outcome.engaged[0, 0].tolist() == expected_engaged
    assert outcome.munitions_left[0, 0] == expected_left
    assert bool(outcome.magazine_empty[0, 0]) is expected_empty


def test_missiles_may_use_the_reserve_in_whole_salvos() -> None:
    # 20 missiles, stock 31, salvos of 2, reserve 5: 15 salvos at missiles, 1 round left; no drone engaged.
    layer = make_layer([1.0, 1.0], shots_per_target=2, priority=DRONE_LAST)
    outcome = night([layer], [[10, 20]], [[100]], [[31]], reserve=[[5]])
    assert outcome.engaged[0, 0].tolist() == [0, 15]
    assert outcome.shots[0, 0].tolist() == [0, 30]
    assert outcome.munitions_left[0, 0] == 1
    assert outcome.magazine_empty[0, 0]  # not one more salvo in stock


def test_reserve_applies_to_the_stock_left_by_a_layer_sharing_the_munition() -> None:
    # Layer A (drones only) fires 25 of 40 rounds; layer B shares the munition, holds 10 for missiles:
    # 15 left, 10 held → 5 drones. No missile came, so 10 rounds stay.
    a = make_layer([1.0, 0.0], [True, False], name="A")
    b = make_layer([1.0, 1.0], priority=DRONE_LAST, name="B")
    outcome = night([a, b], [[100, 0]], [[25, 50]], [[40]], reserve=[[0, 10]])
    assert outcome.engaged[0, :, 0].tolist() == [25, 5]
    assert outcome.munitions_left[0, 0] == 10
    assert outcome.magazine_empty[0].tolist() == [False, False]


def test_reserve_in_every_shoot_look_shoot_round() -> None:
    # Pk 0: everything survives and wants a second shot. 10 drones + 5 missiles, stock 25, reserve 10.
    # Round 1: 5 missiles (20 left), then drones down to the reserve: 10 drones (10 left).
    # Round 2: 5 missiles (5 left); drones would take the stock below 10: none.
    layer = make_layer([0.0, 0.0], shots_per_target=2, shoot_look_shoot=True, priority=DRONE_LAST)
    outcome = night([layer], [[10, 5]], [[BIG]], [[25]], reserve=[[10]])
    assert outcome.engaged[0, 0].tolist() == [10, 5]
    assert outcome.shots[0, 0].tolist() == [10, 10]
    assert outcome.munitions_left[0, 0] == 5
    assert not outcome.magazine_empty[0, 0]  # held back, with rounds in stock


def test_shoot_look_shoot_round_serves_missiles_first() -> None:
    # Pk 0, stock 20 for 10 drones + 5 missiles: round 1 all 15, round 2 5 rounds left: all to missiles.
    layer = make_layer([0.0, 0.0], shots_per_target=2, shoot_look_shoot=True, priority=DRONE_LAST)
    outcome = night([layer], [[10, 5]], [[BIG]], [[20]])
    assert outcome.shots[0, 0].tolist() == [10, 10]
    assert outcome.munitions_left[0, 0] == 0
    assert outcome.magazine_empty[0, 0]


def test_reserve_is_ignored_by_a_layer_with_one_priority() -> None:
    # The layer engages drones only: every engaged type is top priority, so nothing is held back.
    layer = make_layer([1.0, 1.0], [True, False], priority=DRONE_LAST)
    outcome = night([layer], [[100, 10]], [[20]], [[30]], reserve=[[25]])
    assert outcome.engaged[0, 0].tolist() == [20, 0]
    assert outcome.munitions_left[0, 0] == 10


def test_reserve_per_region() -> None:
    layer = make_layer([1.0, 1.0], priority=DRONE_LAST)
    outcome = night([layer] * 1, [[100, 0], [100, 0], [100, 2]], [[20]] * 3, [[30]] * 3, reserve=[[0], [25], [25]])
    assert outcome.engaged[:, 0].tolist() == [[20, 0], [5, 0], [3, 2]]
    assert outcome.munitions_left[:, 0].tolist() == [10, 25, 25]


# --------------------------------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"kill_probability": np.array([1.5])}, ValueError),
        ({"kill_probability": np.array([np.nan])}, ValueError),
        ({"engages": np.array([True, False])}, ValueError),
        ({"engages": np.array([1])}, TypeError),
        ({"shots_per_target": 0}, ValueError),
        ({"shots_per_target": 1.5}, TypeError),
        ({"munition_index": -1}, ValueError),
        ({"cost_per_shot_eur": -1.0}, ValueError),
        ({"name": ""}, ValueError),
        ({"priority": np.array([0.5])}, TypeError),
        ({"priority": np.array([True])}, TypeError),
        ({"priority": np.array([0, 1])}, ValueError),
    ],
)
def test_layer_spec_rejects_bad_fields(kwargs: dict, error: type[Exception]) -> None:
    fields = {
        "name": "guns",
        "kill_probability": np.array([0.5]),
        "engages": np.array([True]),
        "shots_per_target": 1,
        "shoot_look_shoot": False,
        "munition_index": 0,
        "cost_per_shot_eur": 1.0,
    } | kwargs
    with pytest.raises(error):
        LayerSpec(**fields)


def test_layer_spec_is_read_only_and_precomputes_salvo_probability() -> None:
    layer = make_layer([0.5, 0.0, 1.0], shots_per_target=2)
    assert layer.salvo_kill_probability.tolist() == [0.75, 0.0, 1.0]
    with pytest.raises(ValueError):
        layer.kill_probability[0] = 0.1


def test_layer_spec_priority_defaults_to_zeros_and_is_copied_read_only() -> None:
    assert make_layer([0.5, 0.5]).priority.tolist() == [0, 0]
    given_priority = np.array([1, 0], dtype=np.int32)
    layer = make_layer([0.5, 0.5], priority=given_priority)
    given_priority[0] = 7
    assert layer.priority.dtype == np.int64
    assert layer.priority.tolist() == [1, 0]
    with pytest.raises(ValueError):
        layer.priority[0] = 2
    assert dataclasses.replace(layer, priority=np.array([0, 0])).priority.tolist() == [0, 0]


@pytest.mark.parametrize(
    ("reserve", "error"),
    [([[1]], ValueError), ([[1, 1], [1, 1]], ValueError), ([[1, -1]], ValueError), ([[0.5, 1.0]], TypeError)],
)
def test_resolve_night_rejects_bad_reserve(reserve: list, error: type[Exception]) -> None:
    layers = [make_layer([0.5]), make_layer([0.5], munition_index=1)]
    with pytest.raises(error):
        resolve_night(layers, [[1]], [[1, 1]], [[1, 1]], np.random.default_rng(0), reserve_rounds=reserve)


@pytest.mark.parametrize(
    ("incoming", "capacity", "munitions"),
    [
        ([[1, 1]], [[1]], [[1]]),  # two threat types, layer has one
        ([[1]], [[1, 1]], [[1]]),  # capacity for two layers
        ([[1]], [[1]], [[1], [1]]),  # munitions for two regions
        ([[1]], [[1]], [[-1]]),
        ([[-1]], [[1]], [[1]]),
        ([[1]], [[-1]], [[1]]),
        ([1], [[1]], [[1]]),
    ],
)
def test_resolve_night_rejects_inconsistent_input(incoming: list, capacity: list, munitions: list) -> None:
    with pytest.raises(ValueError):
        resolve_night([make_layer([0.5])], incoming, capacity, munitions, np.random.default_rng(0))


def test_resolve_night_rejects_missing_munition_type() -> None:
    with pytest.raises(ValueError, match="munition 1"):
        night([make_layer([0.5], munition_index=1)], [[1]], [[1]], [[1]])


@pytest.mark.parametrize(
    ("incoming", "capacity", "munitions", "munition_index"),
    [
        ([[1, 1]], [[1]], [[1]], 0),  # two threat types, the layer has one
        ([[1]], [[1, 1]], [[1]], 0),  # capacity for two layers
        ([[1]], [[1]], [[1], [1]], 0),  # munitions for two regions
        ([[1]], [[1]], [[1]], 3),  # the layer's munition is not there
    ],
)
def test_shapes_are_checked_even_without_validation(
    incoming: list, capacity: list, munitions: list, munition_index: int
) -> None:
    """The compiled loops do not check bounds: a mismatch must be an error, never a read past an array."""
    layer = make_layer([0.5], munition_index=munition_index)
    with pytest.raises(ValueError):
        resolve_night([layer], incoming, capacity, munitions, np.random.default_rng(0), validate=False)


# --------------------------------------------------------------------------------------------------
# Two independent implementations to compare the kernel with, draw for draw
# --------------------------------------------------------------------------------------------------


def resolve_night_before_doctrine(
    layers: list[LayerSpec],
    incoming: np.ndarray,
    capacity: np.ndarray,
    munitions: np.ndarray,
    rng: np.random.Generator,
) -> NightOutcome:
    """The kernel as it was before priorities and reserves (and before it was made faster), kept verbatim
    in substance: the default priorities and reserve must reproduce it bit for bit, with the same draws."""
    survivors = np.array(incoming, dtype=np.int64)
    munitions_left = np.array(munitions, dtype=np.int64)
    capacity = np.asarray(capacity, dtype=np.int64)
    n_regions, n_types = survivors.shape
    n_layers = len(layers)
    killed = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    engaged_out = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    shots_out = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    magazine_empty = np.zeros((n_regions, n_layers), dtype=np.bool_)
    layer_has_capacity = capacity.any(axis=0).tolist()
    for layer_index, layer in enumerate(layers):
        if not np.count_nonzero(survivors):
            break
        if not layer_has_capacity[layer_index]:
            continue
        candidates = survivors * layer.engages.astype(np.int64)
        wanted = candidates.sum(axis=1)
        if not np.count_nonzero(wanted):
            continue
        k = layer.shots_per_target
        salvo = not layer.shoot_look_shoot or k == 1
        stock = munitions_left[:, layer.munition_index]
        demand = np.minimum(wanted, capacity[:, layer_index])
        magazine_limit = stock // k if salvo and k > 1 else stock
        engaged_total = np.minimum(demand, magazine_limit)
        np.less(magazine_limit, demand, out=magazine_empty[:, layer_index])
        if not np.count_nonzero(engaged_total):
            continue
        binding = np.count_nonzero(engaged_total != wanted)
        engaged = split_in_proportion(candidates, engaged_total) if binding else candidates
        engaged_out[:, layer_index] = engaged
        if salvo:
            kills = rng.binomial(engaged, layer.salvo_kill_probability)
            shots_out[:, layer_index] = engaged * k if k > 1 else engaged
            stock -= engaged_total * k if k > 1 else engaged_total
        else:
            single_shot = layer.kill_probability
            kills = rng.binomial(engaged, single_shot)
            shots = engaged.copy()
            stock -= engaged_total
            pending = engaged - kills
            for _ in range(k - 1):
                pending_total = pending.sum(axis=1)
                if not np.count_nonzero(pending_total):
                    break
                fire = np.minimum(pending_total, stock)
                short_of_munitions = fire < pending_total
                if np.count_nonzero(short_of_munitions):
                    round_shots = split_in_proportion(pending, fire)
                    magazine_empty[:, layer_index] |= short_of_munitions
                else:
                    round_shots = pending
                round_kills = rng.binomial(round_shots, single_shot)
                shots += round_shots
                kills += round_kills
                pending = pending - round_kills
                stock -= fire
            shots_out[:, layer_index] = shots
        killed[:, layer_index] = kills
        survivors -= kills
    return NightOutcome(
        killed=killed,
        engaged=engaged_out,
        shots=shots_out,
        leakers=survivors,
        munitions_left=munitions_left,
        magazine_empty=magazine_empty,
        cost_per_shot_eur=np.array([layer.cost_per_shot_eur for layer in layers], dtype=np.float64),
    )


def serve_by_priority(
    counts: list[int], layer: LayerSpec, budget: int, stock: int, reserve: int, rounds_per_target: int
) -> tuple[list[int], int]:
    """One region, plain integers: serve ``counts`` by priority class, at most ``budget`` targets, each
    taking ``rounds_per_target`` rounds; below the top class no round may take ``stock`` below ``reserve``.
    Within a class the cumulative-floor rule. Returns the allocation and the stock left."""
    engaged_types = [t for t in range(len(counts)) if layer.engages[t]]
    classes = sorted({int(layer.priority[t]) for t in engaged_types})
    allocation = [0] * len(counts)
    for class_index, value in enumerate(classes):
        members = [t for t in engaged_types if layer.priority[t] == value]
        wanted = sum(counts[t] for t in members)
        usable = stock if class_index == 0 else max(0, stock - reserve)
        served = min(wanted, budget, usable // rounds_per_target)
        cumulative, previous_floor = 0, 0
        for t in members:
            cumulative += counts[t]
            floor = served * cumulative // wanted if wanted else 0
            allocation[t] = floor - previous_floor
            previous_floor = floor
        budget -= served
        stock -= served * rounds_per_target
    return allocation, stock


def reference_night(
    layers: list[LayerSpec],
    incoming: np.ndarray,
    capacity: np.ndarray,
    munitions: np.ndarray,
    rng: np.random.Generator,
    reserve: np.ndarray | None = None,
) -> NightOutcome:
    """The rules of the module docstring, region by region in plain integers, without any shortcut.

    It draws one binomial per layer and per shoot-look-shoot round over all regions, like the kernel, but
    also when nothing is engaged (a binomial of zero trials consumes no random numbers), so its outcome
    must equal the kernel's exactly.
    """
    n_regions, n_types = incoming.shape
    n_layers = len(layers)
    survivors = incoming.astype(np.int64).tolist()
    stock = munitions.astype(np.int64).tolist()
    killed = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    engaged = np.zeros_like(killed)
    shots = np.zeros_like(killed)
    empty = np.zeros((n_regions, n_layers), dtype=np.bool_)
    for index, layer in enumerate(layers):
        k = layer.shots_per_target
        look = layer.shoot_look_shoot and k > 1
        per_target = 1 if look else k
        munition = layer.munition_index
        several = len({int(p) for p in layer.priority[layer.engages]}) > 1
        held = [int(reserve[r, index]) if reserve is not None and several else 0 for r in range(n_regions)]
        for r in range(n_regions):
            candidates = [survivors[r][t] if layer.engages[t] else 0 for t in range(n_types)]
            channels = int(capacity[r, index])
            allocation, left = serve_by_priority(candidates, layer, channels, stock[r][munition], held[r], per_target)
            demand = min(sum(candidates), channels)
            # Run out: candidates and channels left, and not one more salvo (one round) in stock.
            empty[r, index] = sum(allocation) < demand and left < per_target
            engaged[r, index] = allocation
            stock[r][munition] = left
        kills = rng.binomial(engaged[:, index], layer.kill_probability if look else layer.salvo_kill_probability)
        shots[:, index] = engaged[:, index] * per_target
        pending = engaged[:, index] - kills
        for _ in range(k - 1 if look else 0):
            round_shots = np.zeros_like(pending)
            for r in range(n_regions):
                wanted = int(pending[r].sum())
                fire, left = serve_by_priority(pending[r].tolist(), layer, wanted, stock[r][munition], held[r], 1)
                round_shots[r] = fire
                empty[r, index] |= sum(fire) < wanted and left == 0
                stock[r][munition] = left
            round_kills = rng.binomial(round_shots, layer.kill_probability)
            shots[:, index] += round_shots
            kills += round_kills
            pending -= round_kills
        killed[:, index] = kills
        survivors = (np.array(survivors) - kills).tolist()
    return NightOutcome(
        killed=killed,
        engaged=engaged,
        shots=shots,
        leakers=np.array(survivors, dtype=np.int64).reshape(n_regions, n_types),
        munitions_left=np.array(stock, dtype=np.int64).reshape(munitions.shape),
        magazine_empty=empty,
        cost_per_shot_eur=np.array([layer.cost_per_shot_eur for layer in layers], dtype=np.float64),
    )


OUTCOME_FIELDS = ("killed", "engaged", "shots", "leakers", "munitions_left", "magazine_empty", "cost_per_shot_eur")


def assert_same_outcome(actual: NightOutcome, expected: NightOutcome) -> None:
    for name in OUTCOME_FIELDS:
        got, want = getattr(actual, name), getattr(expected, name)
        assert got.dtype == want.dtype, name
        assert got.shape == want.shape, name
        assert np.array_equal(got, want), name


# --------------------------------------------------------------------------------------------------
# Properties: conservation and the engagement rule, on random small nights
# --------------------------------------------------------------------------------------------------

Night = tuple[list[LayerSpec], np.ndarray, np.ndarray, np.ndarray, np.ndarray | None, int]


@st.composite
def nights(draw: st.DrawFn, doctrine: bool = True) -> Night:
    """Random small nights; with ``doctrine``, random priorities (often all equal) and reserves (or none)."""
    n_regions = draw(st.integers(1, 4))
    n_types = draw(st.integers(1, 4))
    n_layers = draw(st.integers(1, 4))
    n_munitions = draw(st.integers(1, 3))
    probability = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))
    types = st.lists(st.integers(0, 2), min_size=n_types, max_size=n_types)
    layers = [
        LayerSpec(
            name=f"layer {index}",
            kill_probability=np.array(draw(st.lists(probability, min_size=n_types, max_size=n_types))),
            engages=np.array(draw(st.lists(st.booleans(), min_size=n_types, max_size=n_types))),
            shots_per_target=draw(st.integers(1, 3)),
            shoot_look_shoot=draw(st.booleans()),
            munition_index=draw(st.integers(0, n_munitions - 1)),
            cost_per_shot_eur=draw(st.floats(0.0, 1e6)),
            priority=np.array(draw(types)) if doctrine and draw(st.booleans()) else None,
        )
        for index in range(n_layers)
    ]

    def counts(shape: tuple[int, int], high: int) -> np.ndarray:
        values = draw(st.lists(st.integers(0, high), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
        return np.array(values, dtype=np.int64).reshape(shape)

    incoming = counts((n_regions, n_types), 60)
    capacity = counts((n_regions, n_layers), 40)
    munitions = counts((n_regions, n_munitions), 80)
    reserve = counts((n_regions, n_layers), 60) if doctrine and draw(st.booleans()) else None
    seed = draw(st.integers(0, 2**32 - 1))
    return layers, incoming, capacity, munitions, reserve, seed


@settings(max_examples=300, deadline=None)
@given(nights())
def test_conservation_and_engagement_rule(case: Night) -> None:
    layers, incoming, capacity, munitions, reserve, seed = case
    outcome = resolve_night(layers, incoming, capacity, munitions, np.random.default_rng(seed), reserve_rounds=reserve)
    killed, engaged, shots = outcome.killed, outcome.engaged, outcome.shots

    for counts in (killed, engaged, shots, outcome.leakers, outcome.munitions_left):
        assert counts.dtype == np.int64
        assert (counts >= 0).all()
    # Every threat is killed by exactly one layer or leaks.
    assert np.array_equal(killed.sum(axis=1) + outcome.leakers, incoming)
    assert (killed <= engaged).all()
    assert (engaged.sum(axis=2) <= capacity).all()
    # Munitions: stock minus everything fired from it.
    fired = np.zeros_like(munitions)
    for index, layer in enumerate(layers):
        fired[:, layer.munition_index] += shots[:, index].sum(axis=1)
    assert np.array_equal(outcome.munitions_left, munitions - fired)

    # Replay the night layer by layer from the outcome and check each layer followed the rules.
    survivors = incoming.copy()
    stock = munitions.copy()
    for index, layer in enumerate(layers):
        k = layer.shots_per_target
        salvo = not layer.shoot_look_shoot or k == 1
        per_target = k if salvo else 1
        layer_engaged, layer_shots, layer_killed = engaged[:, index], shots[:, index], killed[:, index]
        assert not layer_engaged[:, ~layer.engages].any()
        if salvo:
            assert np.array_equal(layer_shots, k * layer_engaged)
        else:
            assert (layer_engaged <= layer_shots).all()
            assert (layer_shots <= k * layer_engaged).all()
            assert (layer_killed <= layer_shots).all()
        candidates = survivors * layer.engages
        layer_stock = stock[:, layer.munition_index]
        demand = np.minimum(candidates.sum(axis=1), capacity[:, index])
        # Priority classes, most urgent first; below the top class a reserve may hold rounds back.
        values = sorted(set(layer.priority[layer.engages].tolist()))
        held = reserve[:, index] if reserve is not None and len(values) > 1 else np.zeros_like(layer_stock)
        expected = np.zeros_like(candidates)
        budget, usable = capacity[:, index].copy(), layer_stock.copy()
        for class_index, value in enumerate(values):
            members = layer.engages & (layer.priority == value)
            class_candidates = candidates * members
            limit = usable if class_index == 0 else np.maximum(usable - held, 0)
            served = np.minimum(np.minimum(class_candidates.sum(axis=1), budget), limit // per_target)
            expected += split_in_proportion(class_candidates, served)
            budget -= served
            usable -= served * per_target
        assert np.array_equal(layer_engaged, expected)
        if len(values) == 1:  # one class: the plain rule of a single proportional split
            magazine_limit = layer_stock // per_target
            assert np.array_equal(layer_engaged.sum(axis=1), np.minimum(demand, magazine_limit))
            assert np.array_equal(layer_engaged, split_in_proportion(candidates, np.minimum(demand, magazine_limit)))
        stock_after = layer_stock - layer_shots.sum(axis=1)
        assert (stock_after >= 0).all()
        # Below the top class, fire never went below the reserve: at most max(0, S − V) rounds.
        top = layer.engages & (layer.priority == values[0]) if values else layer.engages
        lower_shots = layer_shots[:, ~top].sum(axis=1)
        assert (lower_shots <= np.maximum(layer_stock - held, 0)).all()
        flag = outcome.magazine_empty[:, index]
        if salvo:
            unserved = layer_engaged.sum(axis=1) < demand
            assert np.array_equal(flag, unserved & (stock_after < k))
            if reserve is None:
                assert np.array_equal(flag, layer_stock // k < demand)
        else:
            assert (stock_after[flag] == 0).all()
            if reserve is None:
                assert flag[layer_stock < demand].all()
        survivors = survivors - layer_killed
        stock[:, layer.munition_index] = stock_after
    assert np.array_equal(survivors, outcome.leakers)


@settings(max_examples=300, deadline=None)
@given(nights())
def test_kernel_equals_the_plain_reference(case: Night) -> None:
    layers, incoming, capacity, munitions, reserve, seed = case
    rng = np.random.default_rng(seed)
    outcome = resolve_night(layers, incoming, capacity, munitions, rng, reserve_rounds=reserve)
    reference_rng = np.random.default_rng(seed)
    assert_same_outcome(outcome, reference_night(layers, incoming, capacity, munitions, reference_rng, reserve))
    assert rng.bit_generator.state == reference_rng.bit_generator.state  # the same random numbers consumed


@settings(max_examples=300, deadline=None)
@given(nights(doctrine=False), st.sampled_from(["none", "zeros", "equal priorities"]))
def test_defaults_reproduce_the_kernel_before_doctrine_bit_for_bit(case: Night, variant: str) -> None:
    layers, incoming, capacity, munitions, _, seed = case
    reserve = np.zeros_like(capacity) if variant != "none" else None
    if variant == "equal priorities":
        layers = [dataclasses.replace(layer, priority=np.full(incoming.shape[1], 3)) for layer in layers]
    rng = np.random.default_rng(seed)
    outcome = resolve_night(layers, incoming, capacity, munitions, rng, reserve_rounds=reserve)
    before_rng = np.random.default_rng(seed)
    assert_same_outcome(outcome, resolve_night_before_doctrine(layers, incoming, capacity, munitions, before_rng))
    assert rng.bit_generator.state == before_rng.bit_generator.state


def realistic_night(drones: int, seed: int) -> tuple[list[LayerSpec], np.ndarray, np.ndarray, np.ndarray]:
    """Six regions, twelve layers as in the model (four without channels), drones, decoys and missiles."""
    rng = np.random.default_rng(seed)
    layers = [
        make_layer([0.15, 0.15, 0.0, 0.0], [1, 1, 0, 0], munition_index=0),
        make_layer([0.45, 0.45, 0.15, 0.0], [1, 1, 1, 0], shots_per_target=2, shoot_look_shoot=True, munition_index=1),
        make_layer([0.12, 0.12, 0.0, 0.0], [1, 1, 0, 0], shots_per_target=3, shoot_look_shoot=True, munition_index=2),
        make_layer([0.55, 0.55, 0.2, 0.0], [1, 1, 1, 0], shots_per_target=2, shoot_look_shoot=True, munition_index=3),
        make_layer([0.45, 0.45, 0.0, 0.0], [1, 1, 0, 0], shots_per_target=2, shoot_look_shoot=True, munition_index=4),
        make_layer([0.85, 0.85, 0.8, 0.0], [1, 1, 1, 0], munition_index=5),
        make_layer([0.6, 0.6, 0.3, 0.0], [1, 1, 1, 0], munition_index=6),
        make_layer([0.9, 0.9, 0.85, 0.0], [1, 1, 1, 0], munition_index=7),
        make_layer([0.85, 0.85, 0.85, 0.0], [1, 1, 1, 0], munition_index=8),
        make_layer([0.7, 0.7, 0.7, 0.1], [1, 1, 1, 1], shots_per_target=2, munition_index=9),
        make_layer([0.0, 0.0, 0.9, 0.75], [0, 0, 1, 1], shots_per_target=2, munition_index=10),
        make_layer([0.0, 0.0, 0.85, 0.6], [0, 0, 1, 1], shots_per_target=2, munition_index=11),
    ]
    incoming = np.zeros((6, 4), dtype=np.int64)
    incoming[:, :2] = rng.multinomial(drones, [0.6 / 6] * 6 + [0.4 / 6] * 6).reshape(2, 6).T
    incoming[:, 2:] = rng.integers(0, 3, (6, 2))
    capacity = rng.integers(0, 60, (6, 12)) * (rng.random((6, 12)) < 0.8)
    capacity[:, [3, 11]] = 0
    munitions = rng.integers(0, 40, (6, 12)) * (rng.random((6, 12)) < 0.7)
    munitions[:, 0] = 10**12
    return layers, incoming, capacity, munitions


@pytest.mark.parametrize("drones", [0, 30, 200, 3000])
def test_realistic_nights_bit_for_bit(drones: int) -> None:
    for seed in range(20):
        layers, incoming, capacity, munitions = realistic_night(drones, seed)
        outcome = resolve_night(layers, incoming, capacity, munitions, np.random.default_rng(seed))
        before = resolve_night_before_doctrine(layers, incoming, capacity, munitions, np.random.default_rng(seed))
        assert_same_outcome(outcome, before)
        # With doctrine: missiles first and a reserve held by the missile-capable layers.
        doctrine_layers = [dataclasses.replace(layer, priority=np.array([1, 1, 0, 0])) for layer in layers]
        reserve = np.zeros_like(capacity)
        reserve[:, 5:] = 6
        outcome = resolve_night(
            doctrine_layers, incoming, capacity, munitions, np.random.default_rng(seed), reserve_rounds=reserve
        )
        expected = reference_night(doctrine_layers, incoming, capacity, munitions, np.random.default_rng(seed), reserve)
        assert_same_outcome(outcome, expected)
