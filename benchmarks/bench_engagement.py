"""Benchmark the engagement kernel: the time of one night must not grow with the number of drones.

Two setups, six regions and four threat types (attack drones, decoys, cruise missiles, ballistic missiles):

* Scaling: seven layers (EW, machine-gun teams, AA guns, interceptor drones, SHORAD, medium-range SAM,
  Patriot-class); the total number of incoming drones and decoys goes from 10 to 10,000 (cruise and
  ballistic missiles fixed). Prints the median wall time of one :func:`resolve_night` call for each, and
  the ratio of the slowest to the fastest (target: below 2).
* Realistic: twelve layers as in the model (four without fire units tonight, some magazines empty), about
  200 drones and decoys and 10 missiles; with the default doctrine, and with missiles first
  (``LayerSpec.priority``) and a missile reserve on the SAM layers (``reserve_rounds``).

Run: ``.venv/bin/python benchmarks/bench_engagement.py [--nights N] [--rounds N]``

Figures on the development machine (2 shared cores, Python 3.12, numpy 2.x; µs per night, best median of
three rounds):

    numpy kernel (matrix products, one binomial call per layer):  scaling 10 / 10,000 drones 119 / 155;
                                                                   realistic 123; with reserve 141
    compiled loops (numba, sim/model/engagement/kernel.py):        see the printed figures

The compiled kernel makes the same draws as the numpy one (tests/test_engagement.py compares them draw for
draw with a numpy reference), so the outcome of a seed did not change.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time
from collections.abc import Sequence

import numpy as np

from sim.model.engagement import LayerSpec, resolve_night

N_REGIONS = 6
# Threat types: attack drone, decoy, cruise missile, ballistic missile.
LAYERS = (
    LayerSpec("electronic warfare", np.array([0.3, 0.3, 0.0, 0.0]), np.array([1, 1, 0, 0], bool), 1, False, 0, 0.0),
    LayerSpec("machine-gun teams", np.array([0.1, 0.1, 0.0, 0.0]), np.array([1, 1, 0, 0], bool), 3, False, 1, 200.0),
    LayerSpec("AA guns", np.array([0.4, 0.4, 0.1, 0.0]), np.array([1, 1, 1, 0], bool), 2, False, 1, 5_000.0),
    LayerSpec("interceptor drones", np.array([0.7, 0.7, 0.0, 0.0]), np.array([1, 1, 0, 0], bool), 2, True, 2, 5e3),
    LayerSpec("SHORAD", np.array([0.6, 0.6, 0.3, 0.0]), np.array([1, 1, 1, 0], bool), 2, True, 3, 150_000.0),
    LayerSpec("medium-range SAM", np.array([0.9, 0.9, 0.8, 0.0]), np.array([1, 1, 1, 0], bool), 1, False, 4, 4e5),
    LayerSpec("Patriot-class", np.array([0.9, 0.9, 0.9, 0.8]), np.array([0, 0, 1, 1], bool), 2, False, 5, 4e6),
)
CAPACITY_PER_REGION = np.array([300, 200, 60, 100, 20, 12, 8], dtype=np.int64)
MUNITIONS_PER_REGION = np.array([10**9, 20_000, 300, 100, 40, 16], dtype=np.int64)
REGION_SHARE = np.array([0.35, 0.25, 0.15, 0.1, 0.1, 0.05])

# The realistic night: the model's twelve effector layers in order (munition m = layer m, the last unused).
_DRONES_DECOYS = np.array([1, 1, 0, 0], bool)
_NOT_BALLISTIC = np.array([1, 1, 1, 0], bool)
_ALL = np.array([1, 1, 1, 1], bool)
_MISSILES = np.array([0, 0, 1, 1], bool)
REALISTIC_LAYERS = (
    LayerSpec("EW jammer", np.array([0.15, 0.15, 0, 0]), _DRONES_DECOYS, 1, False, 0, 0.0),
    LayerSpec("Gepard", np.array([0.45, 0.45, 0.15, 0]), _NOT_BALLISTIC, 2, True, 1, 1_000.0),
    LayerSpec("mobile fire group", np.array([0.12, 0.12, 0, 0]), _DRONES_DECOYS, 3, True, 2, 50.0),
    LayerSpec("Skyranger", np.array([0.55, 0.55, 0.2, 0]), _NOT_BALLISTIC, 2, True, 3, 2_000.0),
    LayerSpec("interceptor-drone team", np.array([0.45, 0.45, 0, 0]), _DRONES_DECOYS, 2, True, 4, 5_000.0),
    LayerSpec("fighter QRA", np.array([0.85, 0.85, 0.8, 0]), _NOT_BALLISTIC, 1, False, 5, 150_000.0),
    LayerSpec("Piorun team", np.array([0.6, 0.6, 0.3, 0]), _NOT_BALLISTIC, 1, False, 6, 80_000.0),
    LayerSpec("IRIS-T SLM", np.array([0.9, 0.9, 0.85, 0]), _NOT_BALLISTIC, 1, False, 7, 400_000.0),
    LayerSpec("NASAMS", np.array([0.85, 0.85, 0.85, 0]), _NOT_BALLISTIC, 1, False, 8, 500_000.0),
    LayerSpec("S-300/Buk", np.array([0.7, 0.7, 0.7, 0.1]), _ALL, 2, False, 9, 300_000.0),
    LayerSpec("Patriot", np.array([0, 0, 0.9, 0.75]), _MISSILES, 2, False, 10, 4e6),
    LayerSpec("SAMP/T", np.array([0, 0, 0.85, 0.6]), _MISSILES, 2, False, 11, 2e6),
)
# Fire channels per region (regions differ by a factor); Skyranger, mobile fire groups, Patriot and
# SAMP/T have no fire unit in these regions tonight: eight of the twelve layers have channels.
REALISTIC_CAPACITY = np.array([480, 108, 0, 0, 540, 4, 54, 24, 12, 36, 0, 0], dtype=np.int64)
# Ready rounds per region: Gepard's magazines are empty, the rest is on hand.
REALISTIC_MUNITIONS = np.array([10**12, 0, 0, 0, 72, 8, 40, 30, 24, 48, 0, 0, 0], dtype=np.int64)
# Missiles first, drones and decoys after them; S-300/Buk, Patriot and SAMP/T keep 8 rounds for missiles.
MISSILES_FIRST = np.array([1, 1, 0, 0])
REALISTIC_RESERVE = np.array([0, 0, 0, 0, 0, 0, 0, 0, 0, 8, 8, 8], dtype=np.int64)


def night_inputs(total_drones: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Incoming [R, T], capacity [R, L] and munitions [R, M] for a night with this many drones and decoys."""
    drones_per_region = np.floor(total_drones * REGION_SHARE).astype(np.int64)
    drones_per_region[0] += total_drones - drones_per_region.sum()
    incoming = np.zeros((N_REGIONS, 4), dtype=np.int64)
    incoming[:, 0] = drones_per_region - drones_per_region * 3 // 10
    incoming[:, 1] = drones_per_region * 3 // 10
    incoming[:3, 2] = 2  # six cruise missiles
    incoming[:3, 3] = 1  # three ballistic missiles
    capacity = np.tile(CAPACITY_PER_REGION, (N_REGIONS, 1))
    munitions = np.tile(MUNITIONS_PER_REGION, (N_REGIONS, 1))
    return incoming, capacity, munitions


def realistic_inputs() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Incoming, capacity, munitions and reserve of the realistic night: 200 drones and decoys, 10 missiles."""
    region_scale = np.array([3, 2, 1.5, 1.5, 1, 1])  # channels and stocks scale with the region's weight
    incoming = np.zeros((N_REGIONS, 4), dtype=np.int64)
    drones = np.floor(200 * region_scale / region_scale.sum()).astype(np.int64)
    drones[0] += 200 - drones.sum()
    incoming[:, 0] = drones - drones * 4 // 10
    incoming[:, 1] = drones * 4 // 10
    incoming[:, 2] = [2, 2, 1, 1, 0, 0]  # six cruise missiles
    incoming[:, 3] = [2, 1, 1, 0, 0, 0]  # four ballistic missiles
    capacity = np.floor(REALISTIC_CAPACITY * region_scale[:, None] / 3).astype(np.int64)
    munitions = np.floor(REALISTIC_MUNITIONS * region_scale[:, None] / 3).astype(np.int64)
    munitions[:, 0] = 10**12  # EW never runs out
    reserve = np.tile(REALISTIC_RESERVE, (N_REGIONS, 1))
    return incoming, capacity, munitions, reserve


def median_night_us(
    layers: Sequence[LayerSpec],
    incoming: np.ndarray,
    capacity: np.ndarray,
    munitions: np.ndarray,
    nights: int,
    validate: bool = False,
    reserve: np.ndarray | None = None,
) -> float:
    """Median wall time of one night, in microseconds, over ``nights`` calls (after a short warm-up)."""
    rng = np.random.default_rng(20240611)
    for _ in range(100):
        resolve_night(layers, incoming, capacity, munitions, rng, reserve_rounds=reserve, validate=validate)
    times_ns = []
    clock = time.perf_counter_ns
    for _ in range(nights):
        start = clock()
        resolve_night(layers, incoming, capacity, munitions, rng, reserve_rounds=reserve, validate=validate)
        times_ns.append(clock() - start)
    return statistics.median(times_ns) / 1000.0


@dataclasses.dataclass(frozen=True)
class Case:
    """One benchmarked night."""

    layers: Sequence[LayerSpec]
    incoming: np.ndarray
    capacity: np.ndarray
    munitions: np.ndarray
    reserve: np.ndarray | None = None

    def median_us(self, nights: int) -> float:
        return median_night_us(self.layers, self.incoming, self.capacity, self.munitions, nights, reserve=self.reserve)


def main() -> None:
    """Print the median time per night for each raid size, the ratio, and the realistic night."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=2000, help="timed nights per case and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best median is kept")
    args = parser.parse_args()
    sizes = (10, 100, 1_000, 10_000)
    incoming, capacity, munitions, reserve = realistic_inputs()
    doctrine = tuple(dataclasses.replace(layer, priority=MISSILES_FIRST) for layer in REALISTIC_LAYERS)
    cases: dict[int | str, Case] = {total: Case(LAYERS, *night_inputs(total)) for total in sizes}
    cases["realistic"] = Case(REALISTIC_LAYERS, incoming, capacity, munitions)
    cases["doctrine"] = Case(doctrine, incoming, capacity, munitions, reserve)
    best = dict.fromkeys(cases, float("inf"))
    for _ in range(args.rounds):  # interleaved, so a noisy spell on the machine hits every case alike
        for name, case in cases.items():
            best[name] = min(best[name], case.median_us(args.nights))

    print(f"resolve_night: {N_REGIONS} regions, {len(LAYERS)} layers, 4 threat types, validate=False")
    print(f"{'drones+decoys':>14} {'median µs/night':>16} {'leakers (1 night)':>18}")
    for total in sizes:
        outcome = resolve_night(LAYERS, *night_inputs(total), np.random.default_rng(1))
        print(f"{total:>14,} {best[total]:>16.1f} {int(outcome.leakers.sum()):>18,}")
    scaling_incoming, scaling_capacity, scaling_munitions = night_inputs(1_000)
    quiet = median_night_us(LAYERS, scaling_incoming * 0, scaling_capacity, scaling_munitions, args.nights)
    validated = median_night_us(
        LAYERS, scaling_incoming, scaling_capacity, scaling_munitions, args.nights, validate=True
    )
    print(f"quiet night (nothing incoming): {quiet:.1f} µs; 1,000 drones with validate=True: {validated:.1f} µs")
    medians = [best[total] for total in sizes]
    print(f"ratio slowest/fastest: {max(medians) / min(medians):.2f} (target < 2)")
    print(f"ratio 10,000/10 drones: {best[10_000] / best[10]:.2f}")

    print()
    active = int(np.count_nonzero(capacity.any(axis=0)))
    print(
        f"realistic night: {N_REGIONS} regions, {len(REALISTIC_LAYERS)} layers ({active} with fire units), "
        f"{int(incoming[:, :2].sum())} drones and decoys, {int(incoming[:, 2:].sum())} missiles"
    )
    print(f"{'doctrine':>38} {'median µs/night':>16}")
    for name, label in (("realistic", "default"), ("doctrine", "missiles first, reserve 8 on SAMs")):
        print(f"{label:>38} {best[name]:>16.1f}")


if __name__ == "__main__":
    main()
