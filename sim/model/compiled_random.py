"""Draws from a numpy ``Generator`` inside numba-compiled code, at no per-call cost.

numba can take a ``numpy.random.Generator`` as an argument, but converting it costs ~10 µs per call
(a type lookup and three ``ctypes`` casts) — more than a whole compiled night of the engagement kernel.
Instead, :func:`generator_address` reads once the C addresses behind a generator's bit generator (its
state and its ``next_*`` functions, which numpy publishes through ``BitGenerator.ctypes``) into a small
``uint64`` array, which compiled code receives like any array (well under a microsecond), and
:func:`binomial` rebuilds numba's bit-generator view from those addresses and calls numba's
``Generator.binomial`` algorithm.

numba implements ``Generator.binomial`` with NumPy's own algorithm (inversion below a mean of 30, BTPE
above) and keeps it in step with NumPy's releases, so compiled draws are the very numbers NumPy would draw
from the same state, and they move the generator's state exactly as NumPy would: code may mix compiled
and NumPy draws on one generator. ``tests/test_compiled_random.py`` checks this draw for draw.

The addresses stay valid for the life of the bit generator (setting its ``state`` or calling ``advance``
changes the state in place); callers keep the generator alive while compiled code uses its address.
"""

from __future__ import annotations

import ctypes
from typing import Any

import numba
import numpy as np
from numba.core import cgutils, types
from numba.extending import intrinsic
from numba.np.random.distributions import random_binomial
from numpy.typing import NDArray

__all__ = ["binomial", "generator_address"]

_BIT_GENERATOR = types.NumPyRandomBitGeneratorType("bit_generator")

_ADDRESSES: dict[int, tuple[Any, NDArray[np.uint64]]] = {}  # id(bit generator) -> (it, its addresses)
_CACHE_SIZE = 256


def generator_address(rng: np.random.Generator) -> NDArray[np.uint64]:
    """``[state, next_double, next_uint64, next_uint32]`` addresses of ``rng``'s bit generator (read-only).

    Cached per bit generator (a generator repositioned every night costs nothing after the first call).
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
    if len(_ADDRESSES) >= _CACHE_SIZE:
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
