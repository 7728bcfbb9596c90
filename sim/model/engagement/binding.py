"""What bound each layer each night: the binding-constraint ledger's classification (compiled).

The kernel (:func:`sim.model.engagement.kernel.resolve_layers`) counts, for every region and layer, the
threats it could engage and those it left without fire, each with one reason: fire channels, magazine or
reserve. :func:`book_binding` turns those counts into the ledger's vocabulary
(:data:`sim.model.engagement.constraints.CONSTRAINTS`):

- ``fire_channels``: the layer's channels were full (targets a fire unit can engage a night);
- ``crews``: the same limit on an effector whose fire unit *is* a crew of people (``crewed: true`` in the
  catalog: interceptor-drone launch teams, MANPADS teams, mobile fire groups). What lifts it is more trained
  crews, which take training time, not more hardware; that is the whole difference in this model;
- ``magazine``: rounds on hand ran short (the region's stock, or the ready rounds its fire units hold);
- ``detection``: threats of the types the layer engages flew through unseen (NATO airspace: detection);
- ``reserve``: rounds held back for missiles (the missile-reserve doctrine) kept it from firing at drones;
- ``none``: the layer served every threat it could engage; only its kill probability limited it.

Per region and layer (fire units standing there, threats it could engage, seen or not), the constraint that
left the most threats without fire bound it that night (ties go to the earlier name in ``CONSTRAINTS``),
or ``none``. Per side (Ukraine, NATO) and catalog layer (``LAYERS``: the effectors of a layer, in every
region of the side, together), the same rule over the summed counts names one constraint per night on which
the layer faced threats; the ledger counts those nights. A layer with no fire unit in a region does not face
that region's threats (where units stand is the posture's question, not a constraint of the layer).
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.constraints import CREWS, DETECTION, FIRE_CHANNELS, MAGAZINE, NONE, RESERVE
from sim.model.engagement.kernel import LIMIT_CHANNELS, LIMIT_MAGAZINE, LIMIT_RESERVE

__all__ = ["book_binding"]

IntArray = NDArray[np.int64]


@numba.njit(cache=True)
def _strongest(reasons: IntArray) -> int:  # pragma: no cover - compiled
    """The constraint that left the most threats without fire (first on ties), or NONE if none did."""
    best = NONE
    most = 0
    for constraint in range(NONE):
        if reasons[constraint] > most:
            most = reasons[constraint]
            best = constraint
    return best


@numba.njit(cache=True)
def book_binding(
    rows: IntArray,
    fire_units: IntArray,
    classes: IntArray,
    candidates: IntArray,
    unserved: IntArray,
    unseen: IntArray,
    effector_layer: IntArray,
    crewed: NDArray[np.bool_],
    side: int,
    binding_nights: IntArray,
    binding_region_nights: IntArray,
) -> None:  # pragma: no cover - compiled
    """Book what bound each layer tonight for the regions ``rows`` of one side (see the module docstring).

    Args:
        rows: ``[r]`` the regions engaged tonight (all of one side).
        fire_units: ``[R, E]`` fire units standing in each region.
        classes: ``[E, T]`` the kernel's priority classes (-1 where the effector does not engage the type).
        candidates: ``[r, E]`` threats each effector could engage (the kernel's output).
        unserved: ``[r, E, 3]`` threats left without fire by channels, magazine, reserve (the kernel's output).
        unseen: ``[r, T]`` threats never detected (zeros where everything is seen).
        effector_layer: ``[E]`` each effector's catalog layer (index into ``LAYERS``).
        crewed: ``[E]`` whether an effector's fire unit is a crew (its channel limit books as ``crews``).
        side: Index into ``SIDES`` (0 Ukraine, 1 NATO).
        binding_nights: ``[sides, layers, constraints]`` nights, added to.
        binding_region_nights: ``[R, E, constraints]`` region-nights, added to.
    """
    n_rows = rows.shape[0]
    n_effectors = classes.shape[0]
    n_constraints = binding_nights.shape[2]
    weight = np.zeros((binding_nights.shape[1], n_constraints), dtype=np.int64)
    faced = np.zeros(binding_nights.shape[1], dtype=np.bool_)
    reasons = np.zeros(n_constraints, dtype=np.int64)
    for i in range(n_rows):
        region = rows[i]
        for effector in range(n_effectors):
            if fire_units[region, effector] == 0:
                continue
            hidden = 0
            for t in range(classes.shape[1]):
                if classes[effector, t] >= 0:
                    hidden += unseen[i, t]
            if candidates[i, effector] + hidden == 0:
                continue
            reasons[:] = 0
            reasons[DETECTION] = hidden
            reasons[CREWS if crewed[effector] else FIRE_CHANNELS] = unserved[i, effector, LIMIT_CHANNELS]
            reasons[MAGAZINE] = unserved[i, effector, LIMIT_MAGAZINE]
            reasons[RESERVE] = unserved[i, effector, LIMIT_RESERVE]
            binding_region_nights[region, effector, _strongest(reasons)] += 1
            layer = effector_layer[effector]
            faced[layer] = True
            weight[layer] += reasons
    for layer in range(weight.shape[0]):
        if faced[layer]:
            binding_nights[side, layer, _strongest(weight[layer])] += 1
