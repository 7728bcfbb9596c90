"""The engagement rules compiled (numba): one night of every layer, region and threat type.

:mod:`sim.model.engagement.rules` states the rules (module docstring, rules 1-8); this module carries them out
in plain loops over counts, compiled once by numba and cached on disk. The loops run over regions, layers and
threat types, never over drones, and each kill count is one binomial draw.

The draws are NumPy's own (:mod:`sim.model.engagement.streams`) and are made in the order NumPy's array calls
would make them: layer by layer, for each layer region by region and type by type (C order of ``[R, T]``),
then each later shoot-look-shoot round the same way. A count of zero draws nothing.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.streams import binomial

__all__ = ["LIMIT_CHANNELS", "LIMIT_COUNT", "LIMIT_MAGAZINE", "LIMIT_RESERVE", "resolve_layers", "split_row"]

IntArray = NDArray[np.int64]

LIMIT_CHANNELS, LIMIT_MAGAZINE, LIMIT_RESERVE = 0, 1, 2
"""Columns of the kernel's ``unserved`` output: what kept a layer from serving a candidate (see
:func:`resolve_layers`)."""
LIMIT_COUNT = 3


@numba.njit(cache=True)
def split_row(
    counts: IntArray, classes: IntArray, class_count: int, total: int, out: IntArray
) -> None:  # pragma: no cover - compiled
    """Serve ``total`` across ``counts`` [T] by priority class, then in proportion within a class (rule 5).

    ``classes[t]`` is the class of type ``t`` (0 most urgent; -1: not a candidate, receives 0). Each class in
    turn is served ``n = min(what is left, its count N)``; within it, type ``t`` receives the difference of
    cumulative floors ``floor(n·C_t / N) − floor(n·C_prev / N)`` over the class's types in index order
    (see :func:`sim.model.engagement.rules.split_in_proportion`). Requires ``0 ≤ total ≤ Σ candidates``.
    """
    left = total
    for served_class in range(class_count):
        class_total = 0
        for t in range(counts.shape[0]):
            if classes[t] == served_class:
                class_total += counts[t]
        served = min(left, class_total)
        left -= served
        cumulative = 0
        previous_floor = 0
        for t in range(counts.shape[0]):
            if classes[t] == served_class:
                cumulative += counts[t]
                floor = cumulative * served // max(class_total, 1)
                out[t] = floor - previous_floor
                previous_floor = floor
    for t in range(counts.shape[0]):
        if classes[t] < 0:
            out[t] = 0


@numba.njit(cache=True)
def _total_with_reserve(
    top_wanted: int, wanted: int, stock: int, per_target: int, reserve: int, capacity: int
) -> int:  # pragma: no cover - compiled
    """Targets engaged (or shots fired in a later shoot-look-shoot round) under a reserve (rule 8).

    Top-priority types first: ``top = min(their count, capacity, stock // per_target)``; then the others:
    ``min(their count, capacity − top, max(0, stock − per_target·top − reserve) // per_target)``. A negative
    ``capacity`` means no channel limit (a later shoot-look-shoot round).
    """
    top = min(top_wanted, stock // per_target)
    lower = wanted - top_wanted
    if capacity >= 0:
        top = min(top, capacity)
        lower = min(lower, capacity - top)
    spare = max(stock - per_target * top - reserve, 0) // per_target
    return min(lower, spare) + top


@numba.njit(cache=True)
def resolve_layers(
    survivors: IntArray,
    capacity: IntArray,
    munitions: IntArray,
    reserve: IntArray,
    classes: IntArray,
    class_count: IntArray,
    draw_probability: NDArray[np.float64],
    shots_per_target: IntArray,
    salvo: NDArray[np.bool_],
    munition_index: IntArray,
    rng: NDArray[np.uint64],
) -> tuple[IntArray, IntArray, IntArray, NDArray[np.bool_], IntArray, IntArray]:  # pragma: no cover - compiled
    """Resolve one night in place; return ``(killed, engaged, shots [R, L, T], magazine_empty [R, L],
    candidates [R, L], unserved [R, L, LIMIT_COUNT])``.

    What limited each layer is booked beside the rules and changes none of them (nor any draw). ``candidates``
    counts the threats a layer could engage (rule 2). ``unserved`` says why candidates went without fire:
    with ``n0 = min(candidates, channels, magazine limit)``, the targets engaged fall short of ``n0`` by the
    rounds the reserve held back (``LIMIT_RESERVE``, rule 8), and ``n0`` falls short of the candidates by the
    tighter of channels and magazine (``LIMIT_CHANNELS`` when channels ≤ magazine limit, else
    ``LIMIT_MAGAZINE``). Shoot-look-shoot rounds after the first add the engaged targets left without their
    next shot: held back by the reserve, else for want of rounds (magazine). Every unserved candidate (or
    missed follow-up shot) has exactly one reason.

    Args:
        survivors: ``[R, T]`` incoming threats; left holding the leakers.
        capacity: ``[R, L]`` targets each layer can engage tonight.
        munitions: ``[R, M]`` rounds on hand; left holding what is left.
        reserve: ``[R, L]`` rounds held back for top-priority types (0: none; only used where the layer's
            engaged types have several priority values).
        classes: ``[L, T]`` priority class of each engaged type (0 most urgent), -1 where not engaged.
        class_count: ``[L]`` number of priority classes of each layer.
        draw_probability: ``[L, T]`` kill probability per engaged target (salvo) or per shot (shoot-look-shoot).
        shots_per_target: ``[L]`` shots in a salvo, or shoot-look-shoot rounds.
        salvo: ``[L]`` whether the layer fires salvos (shoot-look-shoot with one round is a salvo of one).
        munition_index: ``[L]`` the layer's column of ``munitions``.
        rng: addresses of the generator (:func:`sim.model.engagement.streams.generator_address`).
    """
    n_regions, n_types = survivors.shape
    n_layers = classes.shape[0]
    killed = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    engaged = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    shots = np.zeros((n_regions, n_layers, n_types), dtype=np.int64)
    magazine_empty = np.zeros((n_regions, n_layers), dtype=np.bool_)
    candidates = np.zeros((n_regions, n_layers), dtype=np.int64)
    unserved = np.zeros((n_regions, n_layers, LIMIT_COUNT), dtype=np.int64)
    engaged_total = np.zeros(n_regions, dtype=np.int64)
    pending = np.zeros((n_regions, n_types), dtype=np.int64)
    round_shots = np.zeros((n_regions, n_types), dtype=np.int64)
    fire = np.zeros(n_regions, dtype=np.int64)

    for layer in range(n_layers):
        layer_classes = classes[layer]
        k = shots_per_target[layer]
        per_target = k if salvo[layer] else 1  # rounds one engaged target needs at once
        munition = munition_index[layer]
        several = class_count[layer] > 1
        probability = draw_probability[layer]

        # Targets engaged per region: channels, whole salvos in stock, and the reserve (rules 2, 3, 4, 8).
        anything = False
        for r in range(n_regions):
            wanted = 0
            top_wanted = 0
            for t in range(n_types):
                if layer_classes[t] >= 0:
                    wanted += survivors[r, t]
                    if layer_classes[t] == 0:
                        top_wanted += survivors[r, t]
            channels = capacity[r, layer]
            demand = min(wanted, channels)
            stock = munitions[r, munition]
            if several and reserve[r, layer] > 0:
                total = _total_with_reserve(top_wanted, wanted, stock, per_target, reserve[r, layer], channels)
                # Run out: candidates and channels left, and not one more salvo in stock after this fire.
                magazine_empty[r, layer] = total < demand and stock < per_target * (total + 1)
            else:
                limit = stock // per_target
                total = min(demand, limit)
                magazine_empty[r, layer] = limit < demand
            engaged_total[r] = total
            candidates[r, layer] = wanted
            if total < wanted:  # the ledger's reasons (no effect on the rules)
                magazine_limit = stock // per_target
                unreserved = min(demand, magazine_limit)
                unserved[r, layer, LIMIT_RESERVE] += unreserved - total
                tighter = LIMIT_CHANNELS if channels <= magazine_limit else LIMIT_MAGAZINE
                unserved[r, layer, tighter] += wanted - unreserved
            if total == 0:
                continue
            anything = True
            if total == wanted:
                for t in range(n_types):
                    if layer_classes[t] >= 0:
                        engaged[r, layer, t] = survivors[r, t]
            else:
                split_row(survivors[r], layer_classes, class_count[layer], total, engaged[r, layer])
        if not anything:
            continue

        # First (or only) shots, then the draws in [R, T] order.
        for r in range(n_regions):
            for t in range(n_types):
                targets = engaged[r, layer, t]
                if targets > 0:
                    kills = binomial(rng, targets, probability[t])
                    killed[r, layer, t] = kills
                    shots[r, layer, t] = targets * per_target
                    pending[r, t] = targets - kills
                else:
                    pending[r, t] = 0
            munitions[r, munition] -= engaged_total[r] * per_target

        if not salvo[layer]:
            # Shoot-look-shoot: up to k − 1 further rounds at the engaged targets still alive (rule 4).
            for _ in range(k - 1):
                anything = False
                for r in range(n_regions):
                    waiting = 0
                    top_waiting = 0
                    for t in range(n_types):
                        waiting += pending[r, t]
                        if layer_classes[t] == 0:
                            top_waiting += pending[r, t]
                    stock = munitions[r, munition]
                    if several and reserve[r, layer] > 0:
                        fire[r] = _total_with_reserve(top_waiting, waiting, stock, 1, reserve[r, layer], -1)
                    else:
                        fire[r] = min(waiting, stock)
                    if fire[r] < waiting:  # the ledger's reasons first (no effect on the rules)
                        unserved[r, layer, LIMIT_RESERVE] += min(waiting, stock) - fire[r]
                        unserved[r, layer, LIMIT_MAGAZINE] += waiting - min(waiting, stock)
                        split_row(pending[r], layer_classes, class_count[layer], fire[r], round_shots[r])
                        if stock == fire[r]:  # a surviving engaged target got no next shot: run out
                            magazine_empty[r, layer] = True
                    else:
                        round_shots[r, :] = pending[r, :]
                    anything = anything or waiting > 0
                if not anything:
                    break
                for r in range(n_regions):
                    for t in range(n_types):
                        fired = round_shots[r, t]
                        if fired > 0:
                            kills = binomial(rng, fired, probability[t])
                            killed[r, layer, t] += kills
                            shots[r, layer, t] += fired
                            pending[r, t] -= kills
                    munitions[r, munition] -= fire[r]

        for r in range(n_regions):
            for t in range(n_types):
                survivors[r, t] -= killed[r, layer, t]

    return killed, engaged, shots, magazine_empty, candidates, unserved
