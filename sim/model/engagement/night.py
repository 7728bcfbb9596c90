"""The model's night around the engagement rules (compiled): launch, engage, book, hit.

A night of the model is the engagement kernel (:mod:`sim.model.engagement.kernel`) plus what surrounds it: the
adversary's launch against its stock (:func:`launch`); fire channels, ready rounds and reserves from the fire
units standing in each region, the stock update, the ledger's counters (:class:`sim.model.ledger.Ledger`) and
today's row of the time series (:func:`engage_regions`, once per side: Ukraine, NATO); and the sites that leakers
hit (:func:`hit_sites`). It is compiled together with the kernel so that a night is a few calls.

The world (:mod:`sim.model.world`) decides what happens; these functions only carry it out and book it. Counts
are exact integers; money is summed region by region and layer by layer, in a fixed order.
"""

from __future__ import annotations

import numba
import numpy as np
from numpy.typing import NDArray

from sim.model.engagement.binding import book_binding
from sim.model.engagement.kernel import resolve_layers
from sim.model.engagement.streams import binomial

__all__ = ["engage_regions", "hit_sites", "launch"]

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@numba.njit(cache=True)
def launch(
    planned: IntArray, extra: IntArray, stock: FloatArray, launched: FloatArray, incoming: IntArray
) -> bool:  # pragma: no cover - compiled
    """Tonight's raids: ``incoming = planned + extra`` [R, T]. If the adversary's ``stock`` [T] covers every threat
    type's total, take the totals from it, add them to ``launched`` [T] and return True; otherwise change
    nothing but ``incoming`` and return False (the caller cuts the raids down to the stock)."""
    n_regions, n_types = planned.shape
    wanted = np.zeros(n_types, dtype=np.int64)
    for r in range(n_regions):
        for t in range(n_types):
            count = planned[r, t] + extra[r, t]
            incoming[r, t] = count
            wanted[t] += count
    for t in range(n_types):
        if wanted[t] > stock[t]:  # whole counts: more than floor(stock) exactly when more than stock
            return False
    for t in range(n_types):
        stock[t] -= wanted[t]
        launched[t] += wanted[t]
    return True


@numba.njit(cache=True)
def engage_regions(
    rows: IntArray,
    incoming: IntArray,
    fire_units: IntArray,
    munitions: IntArray,
    unlimited_stock: int,
    engagements_per_unit: IntArray,
    ready_per_unit: IntArray,
    reserve_per_unit: IntArray,
    classes: IntArray,
    class_count: IntArray,
    draw_probability: FloatArray,
    shots_per_target: IntArray,
    salvo: NDArray[np.bool_],
    munition_index: IntArray,
    cost_per_shot_eur: FloatArray,
    threat_cost_eur: FloatArray,
    damage_fraction: FloatArray,
    is_drone_or_decoy: NDArray[np.bool_],
    region_is_ukraine: NDArray[np.bool_],
    expected_hit_value_meur: FloatArray,
    effector_layer: IntArray,
    crewed: NDArray[np.bool_],
    rng: NDArray[np.uint64],
    books: tuple[IntArray, IntArray, IntArray, IntArray, IntArray, IntArray, IntArray],
    money: tuple[FloatArray, FloatArray],
    binding: tuple[IntArray, IntArray],
    today: FloatArray,
    columns: NDArray[np.void],
    leakers: IntArray,
    unseen: IntArray,
) -> None:  # pragma: no cover - compiled
    """One night for the regions ``rows`` (their ``incoming`` [r, T]): engage, update stocks, book the outcome
    and what bound each layer, and write the leakers into their rows of ``leakers`` [R, T].

    ``rows`` are regions of one side (Ukraine's, or member states' under attack). ``unseen`` [r, T] are the
    threats that flew through undetected (not in ``incoming``; booked elsewhere as launched and leaked), read
    here only to say where detection bound a layer; ``binding`` are the ledger's ``(binding_nights,
    binding_region_nights)`` (:func:`sim.model.engagement.binding.book_binding`, with ``effector_layer`` and
    ``crewed`` [E] from the tables).

    Holdings are the world's full ``[R, E]`` fire units and ``[R, M]`` munitions (``munitions`` is updated
    in place; its last column, "no munition", is reset to ``unlimited_stock``). Per region: channels =
    fire units × engagements per unit; ready rounds = min(stock, Σ fire units × ready rounds per unit);
    reserve = fire units × reserve rounds per unit. ``books`` are the ledger's counters ``(launched, killed,
    leakers [R, T], killed_by_layer [R, L, T], shots [R, M], empty_magazine_days [R, L],
    empty_magazine_region_days [R])`` and ``money`` its ``(interceptor_spend_eur, value_protected_meur)``
    [R], all updated in place; ``today`` is the ledger's row of today's flows and ``columns`` the ledger's
    one-record array naming where each of them lies in ``today`` (:attr:`sim.model.ledger.Ledger.night_columns`:
    a field per name of :data:`sim.model.ledger.NIGHT_SERIES`).
    """
    n_rows, n_types = incoming.shape
    n_layers = fire_units.shape[1]
    n_munitions = munitions.shape[1]
    capacity = np.zeros((n_rows, n_layers), dtype=np.int64)
    reserve = np.zeros((n_rows, n_layers), dtype=np.int64)
    ready = np.zeros((n_rows, n_munitions), dtype=np.int64)
    for i in range(n_rows):
        region = rows[i]
        for layer in range(n_layers):
            units = fire_units[region, layer]
            if units == 0:
                continue
            capacity[i, layer] = units * engagements_per_unit[layer]
            reserve[i, layer] = units * reserve_per_unit[layer]
            for munition in range(n_munitions):
                ready[i, munition] += units * ready_per_unit[layer, munition]
        for munition in range(n_munitions):
            ready[i, munition] = min(ready[i, munition], munitions[region, munition])

    survivors = incoming.copy()
    left = ready.copy()
    killed, _, shots, empty, candidates, unserved = resolve_layers(
        survivors, capacity, left, reserve, classes, class_count, draw_probability, shots_per_target, salvo,
        munition_index, rng,
    )  # fmt: skip
    if n_rows > 0:
        side = 0 if region_is_ukraine[rows[0]] else 1
        book_binding(
            rows, fire_units, classes, candidates, unserved, unseen, effector_layer, crewed, side, binding[0],
            binding[1],
        )  # fmt: skip

    launched_book, killed_book, leakers_book, by_layer_book, shots_book, empty_days, empty_region_days = books
    spend_book, protected_book = money
    column = columns[0]
    spend_total = 0.0
    attacker_cost = 0.0
    protected_total = 0.0
    for i in range(n_rows):
        region = rows[i]
        for munition in range(n_munitions):
            munitions[region, munition] -= ready[i, munition] - left[i, munition]
        munitions[region, n_munitions - 1] = unlimited_stock
        ukraine = region_is_ukraine[region]
        launched_column = column.ukraine_launched if ukraine else column.nato_launched
        killed_column = column.ukraine_killed if ukraine else column.nato_killed
        leakers_column = column.ukraine_leakers if ukraine else column.nato_leakers
        spend = 0.0
        any_empty = False
        for layer in range(n_layers):
            fired = 0
            for t in range(n_types):
                fired += shots[i, layer, t]
                by_layer_book[region, layer, t] += killed[i, layer, t]
            shots_book[region, munition_index[layer]] += fired
            spend += fired * cost_per_shot_eur[layer]
            if empty[i, layer]:
                empty_days[region, layer] += 1
                any_empty = True
        protected = 0.0
        for t in range(n_types):
            leakers[region, t] = survivors[i, t]
            down = incoming[i, t] - survivors[i, t]
            launched_book[region, t] += incoming[i, t]
            killed_book[region, t] += down
            leakers_book[region, t] += survivors[i, t]
            protected += down * damage_fraction[t]
            today[launched_column] += incoming[i, t]
            today[killed_column] += down
            today[leakers_column] += survivors[i, t]
            if ukraine and is_drone_or_decoy[t]:
                today[column.ukraine_drone_launched] += incoming[i, t]
                today[column.ukraine_drone_killed] += down
            attacker_cost += incoming[i, t] * threat_cost_eur[t]
        protected *= expected_hit_value_meur[region]
        spend_book[region] += spend
        protected_book[region] += protected
        spend_total += spend
        protected_total += protected
        if any_empty:
            empty_region_days[region] += 1
            today[column.empty_magazine_regions] += 1
    today[column.interceptor_spend_meur] += spend_total / 1e6
    today[column.attacker_cost_meur] += attacker_cost / 1e6
    today[column.value_protected_meur] += protected_total


@numba.njit(cache=True)
def hit_sites(
    leakers: IntArray,
    site_region: IntArray,
    site_share_in_region: FloatArray,
    site_value_meur: FloatArray,
    damaging: IntArray,
    damage_fraction: FloatArray,
    rng: NDArray[np.uint64],
    site_hits: IntArray,
    damage_by_region_meur: FloatArray,
) -> float:  # pragma: no cover - compiled
    """Leakers hit the sites of their region in proportion to the sites' value; book hits and damage.

    Each site ``s`` of region ``g`` takes ``binomial(leakers[g, t], share[s])`` hits of each damaging type
    ``t`` (exact in each site's margin), drawn site by site and type by type; a hit destroys
    ``damage_fraction[t]`` of the site's value. Adds to ``site_hits`` [S] and ``damage_by_region_meur`` [R]
    and returns the night's damage in MEUR.
    """
    total = 0.0
    by_region = np.zeros(damage_by_region_meur.shape[0])  # tonight's damage per region, then added to the book
    for site in range(site_region.shape[0]):
        region = site_region[site]
        hits = 0
        destroyed = 0.0
        for t in damaging:
            arrived = leakers[region, t]
            if arrived > 0:
                struck = binomial(rng, arrived, site_share_in_region[site])
                hits += struck
                destroyed += struck * damage_fraction[t]
        destroyed *= site_value_meur[site]
        site_hits[site] += hits
        by_region[region] += destroyed
        total += destroyed
    damage_by_region_meur += by_region
    return total
