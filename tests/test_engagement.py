"""Tests for the engagement kernel (sim/model/engagement.py).

Three kinds: closed forms checked statistically over many regions drawn in one call (tolerance: five
standard errors from the exact binomial variance), exact hand calculations where every kill probability
is 0 or 1 (so the draws are deterministic), and hypothesis property tests for the conservation
identities and for the engagement rule itself, re-derived from the outcome layer by layer.
"""

from __future__ import annotations

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
    )


def night(
    layers: list[LayerSpec],
    incoming: list[list[int]],
    capacity: list[list[int]],
    munitions: list[list[int]],
    seed: int = 0,
) -> NightOutcome:
    return resolve_night(
        layers,
        np.array(incoming, dtype=np.int64),
        np.array(capacity, dtype=np.int64),
        np.array(munitions, dtype=np.int64),
        np.random.default_rng(seed),
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


# --------------------------------------------------------------------------------------------------
# Properties: conservation and the engagement rule, on random small nights
# --------------------------------------------------------------------------------------------------


@st.composite
def nights(draw: st.DrawFn) -> tuple[list[LayerSpec], np.ndarray, np.ndarray, np.ndarray, int]:
    n_regions = draw(st.integers(1, 4))
    n_types = draw(st.integers(1, 4))
    n_layers = draw(st.integers(1, 4))
    n_munitions = draw(st.integers(1, 3))
    probability = st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0))
    layers = [
        LayerSpec(
            name=f"layer {index}",
            kill_probability=np.array(draw(st.lists(probability, min_size=n_types, max_size=n_types))),
            engages=np.array(draw(st.lists(st.booleans(), min_size=n_types, max_size=n_types))),
            shots_per_target=draw(st.integers(1, 3)),
            shoot_look_shoot=draw(st.booleans()),
            munition_index=draw(st.integers(0, n_munitions - 1)),
            cost_per_shot_eur=draw(st.floats(0.0, 1e6)),
        )
        for index in range(n_layers)
    ]

    def counts(shape: tuple[int, int], high: int) -> np.ndarray:
        values = draw(st.lists(st.integers(0, high), min_size=shape[0] * shape[1], max_size=shape[0] * shape[1]))
        return np.array(values, dtype=np.int64).reshape(shape)

    incoming = counts((n_regions, n_types), 60)
    capacity = counts((n_regions, n_layers), 40)
    munitions = counts((n_regions, n_munitions), 80)
    seed = draw(st.integers(0, 2**32 - 1))
    return layers, incoming, capacity, munitions, seed


@settings(max_examples=300, deadline=None)
@given(nights())
def test_conservation_and_engagement_rule(
    case: tuple[list[LayerSpec], np.ndarray, np.ndarray, np.ndarray, int],
) -> None:
    layers, incoming, capacity, munitions, seed = case
    outcome = resolve_night(layers, incoming, capacity, munitions, np.random.default_rng(seed))
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

    # Replay the night layer by layer from the outcome and check each layer followed the rule.
    survivors = incoming.copy()
    stock = munitions.copy()
    for index, layer in enumerate(layers):
        k = layer.shots_per_target
        salvo = not layer.shoot_look_shoot or k == 1
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
        magazine_limit = layer_stock // k if salvo else layer_stock
        demand = np.minimum(candidates.sum(axis=1), capacity[:, index])
        expected_total = np.minimum(demand, magazine_limit)
        assert np.array_equal(layer_engaged.sum(axis=1), expected_total)
        assert np.array_equal(layer_engaged, split_in_proportion(candidates, expected_total))
        stock_after = layer_stock - layer_shots.sum(axis=1)
        assert (stock_after >= 0).all()
        flag = outcome.magazine_empty[:, index]
        if salvo:
            assert np.array_equal(flag, magazine_limit < demand)
            assert (stock_after[flag] < k).all()
        else:
            assert flag[magazine_limit < demand].all()
            assert (stock_after[flag] == 0).all()
        survivors = survivors - layer_killed
        stock[:, layer.munition_index] = stock_after
    assert np.array_equal(survivors, outcome.leakers)
