"""Compiled draws (sim/model/engagement/streams.py) are NumPy's own draws, number for number.

The engagement kernel's outcome for a seed, its common random numbers and its tests against a plain numpy
reference all rest on this: a compiled ``binomial`` on a generator gives exactly what
``Generator.binomial`` would give from the same state, and leaves the generator in the same state.
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from sim.model.engagement.streams import binomial, generator_address


@numba.njit
def _draw_all(addresses: np.ndarray, trials: np.ndarray, probability: np.ndarray) -> np.ndarray:
    out = np.zeros(trials.shape[0], dtype=np.int64)
    for index in range(trials.shape[0]):
        out[index] = binomial(addresses, trials[index], probability[index])
    return out


def _cases() -> tuple[np.ndarray, np.ndarray]:
    """Counts and probabilities over both of NumPy's algorithms (inversion below a mean of 30, BTPE above),
    p on both sides of 0.5, and the edges: n = 0, p = 0, p = 1."""
    rng = np.random.default_rng(2024)
    trials = np.concatenate([rng.integers(0, 40, 3000), rng.integers(40, 100_000, 3000), [0, 0, 5, 5, 10**6]])
    probability = np.concatenate([rng.random(6000), [0.0, 1.0, 0.0, 1.0, 0.999]])
    probability[::50] = 0.5
    return trials.astype(np.int64), probability


@pytest.mark.parametrize("bit_generator", [np.random.PCG64, np.random.Philox, np.random.MT19937, np.random.SFC64])
def test_compiled_draws_equal_numpy_draws_and_leave_the_same_state(bit_generator: type) -> None:
    trials, probability = _cases()
    compiled_rng = np.random.Generator(bit_generator(77))
    numpy_rng = np.random.Generator(bit_generator(77))
    compiled = _draw_all(generator_address(compiled_rng), trials, probability)
    expected = np.array([numpy_rng.binomial(n, p) for n, p in zip(trials.tolist(), probability.tolist(), strict=True)])
    assert np.array_equal(compiled, expected)
    assert np.array_equal(compiled_rng.random(8), numpy_rng.random(8))  # the same state after the draws
    # and NumPy's array call draws the same numbers in the same C order
    assert np.array_equal(np.random.Generator(bit_generator(77)).binomial(trials, probability), expected)


def test_compiled_and_numpy_draws_can_share_a_generator() -> None:
    trials, probability = _cases()
    mixed_rng = np.random.default_rng(5)
    numpy_rng = np.random.default_rng(5)
    addresses = generator_address(mixed_rng)
    for start in range(0, 600, 100):
        chunk = slice(start, start + 100)
        if start % 200:
            drawn = mixed_rng.binomial(trials[chunk], probability[chunk])
        else:
            drawn = _draw_all(addresses, trials[chunk], probability[chunk])
        assert np.array_equal(drawn, numpy_rng.binomial(trials[chunk], probability[chunk]))


def test_addresses_follow_a_repositioned_generator() -> None:
    """Setting a bit generator's state changes it in place: the cached addresses draw from the new state."""
    rng = np.random.default_rng(9)
    start = rng.bit_generator.state
    addresses = generator_address(rng)
    first = _draw_all(addresses, np.array([1000, 20]), np.array([0.3, 0.6]))
    rng.bit_generator.state = start
    assert generator_address(rng) is addresses
    assert np.array_equal(_draw_all(addresses, np.array([1000, 20]), np.array([0.3, 0.6])), first)
    other = np.random.default_rng(9)
    assert generator_address(other) is not addresses
    assert np.array_equal(other.binomial([1000, 20], [0.3, 0.6]), first)
