"""Per-night random streams (sim/model/engagement/streams.py): writing a generator's state equals NumPy's advance."""

from __future__ import annotations

import platform

import numpy as np
import pytest

from sim.model.engagement.streams import (
    _LOW_128,
    NIGHT_PURPOSES,
    NIGHT_STRIDE,
    NightStream,
    Streams,
    _fast_moves_work,
    _jump,
)


def numpy_moved(start_state: dict, day: int) -> np.random.PCG64:
    reference = np.random.PCG64()
    reference.state = start_state
    reference.advance(day * NIGHT_STRIDE)
    return reference


@pytest.mark.skipif(
    platform.machine() not in ("x86_64", "AMD64", "aarch64", "arm64"), reason="layout checked on 64-bit"
)
def test_the_fast_way_is_in_use_here() -> None:
    assert _fast_moves_work()


def test_the_jump_is_numpys_advance() -> None:
    """advance(NIGHT_STRIDE) is the affine map s → A·s + C for any state s of a given increment."""
    generator = np.random.PCG64(7)
    increment = generator.state["state"]["inc"]
    multiplier, offset = _jump(increment)
    for state in (0, 1, 12345, 2**127 + 99, 2**128 - 1):
        generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": state, "inc": increment},
            "has_uint32": 0,
            "uinteger": 0,
        }
        generator.advance(NIGHT_STRIDE)
        assert generator.state["state"]["state"] == (multiplier * state + offset) & _LOW_128


@pytest.mark.parametrize("fast", [True, False])
def test_moving_to_a_night_equals_numpy_advance_whatever_was_drawn_before(fast: bool) -> None:
    generator = np.random.Generator(np.random.PCG64(np.random.SeedSequence(42)))
    stream = NightStream(generator, horizon_days=400)
    start = dict(stream.start_state)
    for day in (0, 1, 2, 57, 364, 399, 3, 0):
        generator.integers(0, 10, size=3, dtype=np.uint32)  # leaves a buffered 32-bit half behind
        generator.binomial(1000, 0.3)
        stream.move_to(day, fast=fast)
        reference = numpy_moved(start, day)
        assert generator.bit_generator.state == reference.state, day
        assert np.array_equal(
            generator.binomial([50, 5000], 0.4), np.random.Generator(reference).binomial([50, 5000], 0.4)
        )


def test_nights_after_the_horizon_take_numpys_way() -> None:
    generator = np.random.Generator(np.random.PCG64(3))
    stream = NightStream(generator, horizon_days=10)
    start = dict(stream.start_state)
    stream.move_to(25)
    assert generator.bit_generator.state == numpy_moved(start, 25).state


def test_streams_give_each_purpose_its_own_night_block() -> None:
    streams = Streams.from_seed(11, horizon_days=30)
    draws = {}
    for index, purpose in enumerate(NIGHT_PURPOSES):
        generator = streams.night(12, purpose)
        first = generator.random(4)
        streams.night_address(12, index)  # moves the same generator back to night 12
        assert np.array_equal(generator.random(4), first)
        draws[purpose] = first
    assert len({tuple(values) for values in draws.values()}) == len(NIGHT_PURPOSES)
    again = Streams.from_seed(11, horizon_days=30)
    assert np.array_equal(again.night(12, "damage").random(4), draws["damage"])
