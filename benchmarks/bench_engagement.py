"""Benchmark the engagement kernel: the time of one night must not grow with the number of drones.

Six regions, seven layers (EW, machine-gun teams, AA guns, interceptor drones, SHORAD, medium-range SAM,
Patriot-class), four threat types (attack drones, decoys, cruise missiles, ballistic missiles). The total
number of incoming drones and decoys goes from 10 to 10,000 (cruise and ballistic missiles fixed); the
script prints the median wall time of one :func:`resolve_night` call for each, and the ratio of the
slowest to the fastest (target: below 2).

Run: ``.venv/bin/python benchmarks/bench_engagement.py [--nights N]``
"""

from __future__ import annotations

import argparse
import statistics
import time

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


def median_night_us(
    incoming: np.ndarray, capacity: np.ndarray, munitions: np.ndarray, nights: int, validate: bool = False
) -> float:
    """Median wall time of one night, in microseconds, over ``nights`` calls (after a short warm-up)."""
    rng = np.random.default_rng(20240611)
    for _ in range(100):
        resolve_night(LAYERS, incoming, capacity, munitions, rng, validate=validate)
    times_ns = []
    clock = time.perf_counter_ns
    for _ in range(nights):
        start = clock()
        resolve_night(LAYERS, incoming, capacity, munitions, rng, validate=validate)
        times_ns.append(clock() - start)
    return statistics.median(times_ns) / 1000.0


class _CountingGenerator:
    """Wraps a Generator to count the binomial calls of one night (each costs ~5-7 µs of numpy overhead)."""

    def __init__(self) -> None:
        self.rng = np.random.default_rng(1)
        self.calls = 0

    def binomial(self, n: np.ndarray, p: np.ndarray) -> np.ndarray:
        self.calls += 1
        return self.rng.binomial(n, p)


def main() -> None:
    """Print the median time per night for each raid size and the slowest/fastest ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nights", type=int, default=2000, help="timed nights per raid size and round")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; the best median is kept")
    args = parser.parse_args()
    sizes = (10, 100, 1_000, 10_000)
    best = dict.fromkeys(sizes, float("inf"))
    for _ in range(args.rounds):  # interleaved, so a noisy spell on the machine hits every size alike
        for total in sizes:
            best[total] = min(best[total], median_night_us(*night_inputs(total), args.nights))

    print(f"resolve_night: {N_REGIONS} regions, {len(LAYERS)} layers, 4 threat types, validate=False")
    print(f"{'drones+decoys':>14} {'median µs/night':>16} {'binomial calls':>15} {'leakers (1 night)':>18}")
    for total in sizes:
        counter = _CountingGenerator()
        outcome = resolve_night(LAYERS, *night_inputs(total), counter)  # type: ignore[arg-type]
        print(f"{total:>14,} {best[total]:>16.1f} {counter.calls:>15} {int(outcome.leakers.sum()):>18,}")
    incoming, capacity, munitions = night_inputs(1_000)
    quiet = median_night_us(incoming * 0, capacity, munitions, args.nights)
    validated = median_night_us(incoming, capacity, munitions, args.nights, validate=True)
    print(f"quiet night (nothing incoming): {quiet:.1f} µs; 1,000 drones with validate=True: {validated:.1f} µs")
    medians = list(best.values())
    print(f"ratio slowest/fastest: {max(medians) / min(medians):.2f} (target < 2)")
    print(f"ratio 10,000/10 drones: {best[10_000] / best[10]:.2f}")


if __name__ == "__main__":
    main()
