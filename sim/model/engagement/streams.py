"""The random streams of one replication, and how compiled code draws from them.

Raids, incursions and decisions each have a generator of their own, spawned from the replication's seed.
Each night's draws (Ukraine's engagements, NATO's detection and engagements, leakers' hits) come from a stream
of their own: the purpose's PCG64 generator moved to the start of that night's block, ``day × NIGHT_STRIDE``
draws in. So common random numbers hold night by night: when two scenarios' defences differ one night (and
the kernel draws a different number of numbers), every later night still starts from the same state.

Moving to a night's block. A PCG64 state moves by an affine map, ``s → A·s + C (mod 2^128)`` for a jump of
``NIGHT_STRIDE`` draws, so the start of every night's block is computed once per replication with Python
integers, and moving there writes two machine words into the generator's state (NumPy publishes its address
through ``ctypes``). The result is the very state NumPy's ``bit_generator.advance(day × NIGHT_STRIDE)`` from
the saved start gives: that is checked once per process, and where the memory layout is not the one this code
knows, NumPy's ``advance`` is used instead. ``advance`` alone is not used everywhere because it costs several
times more per move (three moves a night); ``jumped()`` cannot serve, as its jump is a different distance
(``(φ − 1)·2^128``) and would give other draws.

Compiled draws. numba can take a ``numpy.random.Generator`` as an argument, but converts it on every call;
instead :func:`generator_address` reads once the C addresses behind a generator's bit generator (its state and
its ``next_*`` functions, published through ``BitGenerator.ctypes``) into a small ``uint64`` array, which
compiled code receives like any array, and :func:`binomial` rebuilds numba's bit-generator view from those
addresses and calls numba's ``Generator.binomial``. numba implements it with NumPy's own algorithm (inversion
below a mean of 30, BTPE above), so compiled draws are the very numbers NumPy would draw from the same state and
move the state exactly as NumPy would: code may mix compiled and NumPy draws on one generator
(``tests/test_compiled_draws.py`` checks this draw for draw). The addresses stay valid for the life of the bit
generator (setting its ``state`` or calling ``advance`` changes the state in place); callers keep the generator
alive while compiled code uses its address.
"""

from __future__ import annotations

import ctypes
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

import numba
import numpy as np
from numba.core import cgutils, types
from numba.extending import intrinsic
from numba.np.random.distributions import random_binomial
from numpy.typing import NDArray

__all__ = ["NIGHT_PURPOSES", "NIGHT_STRIDE", "NightStream", "Streams", "binomial", "generator_address"]

_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")

_ADDRESSES: dict[int, tuple[Any, NDArray[np.uint64]]] = {}  # id(bit generator) -> (it, its addresses)
_ADDRESS_CACHE_SIZE = 256


def generator_address(rng: np.random.Generator) -> NDArray[np.uint64]:
    """``[state, next_double, next_uint64, next_uint32]`` addresses of ``rng``'s bit generator (read-only).

    Cached per bit generator: a generator repositioned every night keeps its addresses.
    """
    bit_generator = rng.bit_generator
    cached = _ADDRESSES.get(id(bit_generator))
    if cached is not None and cached[0] is bit_generator:
        return cached[1]
    interface = bit_generator.ctypes
    addresses = np.array(
        [
            interface.state_address,
            ctypes.cast(interface.next_double, ctypes.c_void_p).value,
            ctypes.cast(interface.next_uint64, ctypes.c_void_p).value,
            ctypes.cast(interface.next_uint32, ctypes.c_void_p).value,
        ],
        dtype=np.uint64,
    )
    addresses.setflags(write=False)
    if len(_ADDRESSES) >= _ADDRESS_CACHE_SIZE:
        _ADDRESSES.clear()
    _ADDRESSES[id(bit_generator)] = (bit_generator, addresses)  # holding it keeps its id from being reused
    return addresses


@intrinsic
def _bit_generator_at(typing_context: Any, addresses: Any) -> Any:
    """numba's bit-generator struct for the addresses from :func:`generator_address`."""
    if not (isinstance(addresses, types.Array) and addresses.dtype == types.uint64 and addresses.ndim == 1):
        return None
    signature = _BIT_GENERATOR(addresses)

    def codegen(context: Any, builder: Any, signature: Any, arguments: Any) -> Any:
        array = context.make_array(signature.args[0])(context, builder, arguments[0])

        def word(index: int) -> Any:
            pointer = cgutils.gep_inbounds(builder, array.data, index)
            return builder.load(pointer)

        bit_generator = cgutils.create_struct_proxy(_BIT_GENERATOR)(context, builder)
        bit_generator.state_address = word(0)
        bit_generator.state = word(0)
        bit_generator.fnptr_next_double = word(1)
        bit_generator.fnptr_next_uint64 = word(2)
        bit_generator.fnptr_next_uint32 = word(3)
        return bit_generator._getvalue()

    return signature, codegen


@numba.njit(cache=True)
def binomial(addresses: NDArray[np.uint64], trials: int, probability: float) -> int:
    """One ``Generator.binomial(trials, probability)`` draw, from compiled code (see the module docstring)."""
    bit_generator = _bit_generator_at(addresses)  # type: ignore[call-arg, var-annotated]
    return int(random_binomial(bit_generator, trials, probability))


NIGHT_PURPOSES = ("ukraine", "nato", "damage")
"""The per-night random streams: Ukraine's engagements, NATO's detection and engagements, leakers' hits."""

NIGHT_STRIDE = 2**64
"""Draws between the starts of two nights' streams: far more than a night ever uses, so nights never overlap."""

_LOW_WORD = 2**64 - 1
_LOW_128 = 2**128 - 1


def _state_words(bit_generator: np.random.PCG64) -> tuple[NDArray[np.uint64], NDArray[np.uint32]]:
    """Views of a PCG64's state in memory: ``[state low, state high]`` words and ``[has_uint32, uinteger]``.

    NumPy's ``pcg64_state`` holds a pointer to ``{state, inc}`` (two unsigned 128-bit integers, little-endian
    words where the compiler has 128-bit integers), then an ``int`` and a ``uint32`` of buffered output.
    """
    address = bit_generator.ctypes.state_address
    pcg_state = ctypes.c_void_p.from_address(address).value
    if not pcg_state:
        raise ValueError("PCG64 state pointer is null")
    words = np.ctypeslib.as_array((ctypes.c_uint64 * 2).from_address(pcg_state))
    buffered = np.ctypeslib.as_array((ctypes.c_uint32 * 2).from_address(address + ctypes.sizeof(ctypes.c_void_p)))
    return words, buffered


def _jump(increment: int) -> tuple[int, int]:
    """``(A, C)`` with ``advance(NIGHT_STRIDE)`` taking a PCG64 state ``s`` with this increment to ``A·s + C``.

    Read off NumPy itself: from state 0 it lands on ``C``, from state 1 on ``A + C``.
    """
    scratch = np.random.PCG64()
    landed = []
    for start in (0, 1):
        scratch.state = {
            "bit_generator": "PCG64",
            "state": {"state": start, "inc": increment},
            "has_uint32": 0,
            "uinteger": 0,
        }
        scratch.advance(NIGHT_STRIDE)
        landed.append(scratch.state["state"]["state"])
    return (landed[1] - landed[0]) & _LOW_128, landed[0]


@cache
def _fast_moves_work() -> bool:
    """Whether writing the state words moves a generator exactly as NumPy's ``advance`` does (checked once)."""
    try:
        reference = np.random.PCG64(20251121)
        moved = np.random.PCG64(20251121)
        moved.random_raw(3)
        np.random.Generator(moved).integers(0, 10, dtype=np.uint32)  # leaves a buffered 32-bit half
        stream = NightStream(np.random.Generator(moved), horizon_days=8, start_state=reference.state)
        stream.move_to(5, fast=True)
        reference.advance(5 * NIGHT_STRIDE)
        return moved.state == reference.state and moved.random_raw() == reference.random_raw()
    except (ValueError, TypeError, AttributeError, KeyError):  # not PCG64's layout: use NumPy's way
        return False


class NightStream:
    """One purpose's generator, moved to the start of any night's block of draws (see the module docstring)."""

    def __init__(
        self, generator: np.random.Generator, horizon_days: int, start_state: Mapping[str, Any] | None = None
    ) -> None:
        self.generator = generator
        self.bit_generator = generator.bit_generator
        self.address = generator_address(generator)
        """Addresses for compiled draws (:func:`generator_address`)."""
        self.start_state = dict(start_state if start_state is not None else self.bit_generator.state)
        self.horizon_days = horizon_days
        self._starts: NDArray[np.uint64] | None = None  # [horizon, 2] state words at each night's start, on first use
        self._fast_moves: bool | None = None  # whether moves may write the state words: on first use

    def move_to(self, day: int, fast: bool | None = None) -> None:
        """Put the generator at the start of night ``day``'s block (``fast``: None to choose, for tests)."""
        if fast is None:
            if self._fast_moves is None:
                self._fast_moves = isinstance(self.bit_generator, np.random.PCG64) and _fast_moves_work()
            fast = day < self.horizon_days and self._fast_moves
        if fast:
            if self._starts is None:
                self._starts = self._night_starts()
                self._words, self._buffered = _state_words(self.bit_generator)  # type: ignore[arg-type]
            self._words[:] = self._starts[day]
            self._buffered[:] = 0  # no buffered 32-bit half, as after NumPy's advance
        else:
            self.bit_generator.state = self.start_state
            self.bit_generator.advance(day * NIGHT_STRIDE)  # type: ignore[attr-defined]

    def _night_starts(self) -> NDArray[np.uint64]:
        """``[horizon, 2]``: the low and high words of the state at the start of every night's block."""
        state = self.start_state["state"]
        multiplier, offset = _jump(state["inc"])
        words = []
        position = state["state"]
        for _ in range(self.horizon_days):
            words.append(position & _LOW_WORD)
            words.append(position >> 64)
            position = (multiplier * position + offset) & _LOW_128
        return np.array(words, dtype=np.uint64).reshape(self.horizon_days, 2)


@dataclass(frozen=True)
class Streams:
    """Independent random generators of one replication, one per purpose, and the per-night streams."""

    raids: np.random.Generator
    incursions: np.random.Generator
    decisions: np.random.Generator
    nights: tuple[NightStream, ...]  # one per NIGHT_PURPOSES entry, moved to each night's block

    @classmethod
    def from_seed(cls, seed: int, horizon_days: int) -> Streams:
        """Spawn the streams of one replication from its seed."""
        children = np.random.SeedSequence(seed).spawn(4 + len(NIGHT_PURPOSES))
        raids, incursions, decisions = (np.random.default_rng(child) for child in children[1:4])
        nights = tuple(NightStream(np.random.Generator(np.random.PCG64(child)), horizon_days) for child in children[4:])
        return cls(raids, incursions, decisions, nights)

    def night(self, day: int, purpose: str) -> np.random.Generator:
        """The generator of one purpose, at the start of one night (``purpose`` one of :data:`NIGHT_PURPOSES`)."""
        stream = self.nights[NIGHT_PURPOSES.index(purpose)]
        stream.move_to(day)
        return stream.generator

    def night_address(self, day: int, purpose: int) -> NDArray[np.uint64]:
        """Like :meth:`night`, for compiled draws: the addresses of the stream ``NIGHT_PURPOSES[purpose]``."""
        stream = self.nights[purpose]
        stream.move_to(day)
        return stream.address
