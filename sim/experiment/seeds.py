"""Per-replication seeds derived from one base seed.

Every replication gets its own seed, spawned from the scenario's base seed with
:class:`numpy.random.SeedSequence`. Child *i* of a ``SeedSequence`` depends only on the base seed and *i*, not on
how many children are spawned, so replication *i* keeps its seed when a run grows from 100 to 1,000 replications.
Comparisons use **common random numbers** by handing the same list to every scenario: replication *i* of scenario A
and of scenario B share a seed.

Seeds are 63-bit non-negative Python ints: they fit a signed 64-bit column (pandas, parquet, CSV readers) and
``numpy.random.default_rng(seed)`` / ``mesa.Model(rng=seed)`` accept them as they are.
"""

from __future__ import annotations

import numpy as np

__all__ = ["replication_seeds"]


def replication_seeds(base_seed: int, count: int) -> list[int]:
    """Return the seeds of replications ``0 .. count-1`` for a base seed.

    Args:
        base_seed: The scenario's base seed (a non-negative int).
        count: How many replication seeds to return (``>= 0``).

    Returns:
        ``count`` distinct-with-overwhelming-probability ints in ``[0, 2**63)``; element *i* depends only on
        ``base_seed`` and *i*.

    Raises:
        ValueError: If ``base_seed`` is negative or ``count`` is negative.
    """
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count}")
    if base_seed < 0:
        raise ValueError(f"base_seed must be >= 0, got {base_seed}")
    children = np.random.SeedSequence(base_seed).spawn(count)
    # One 64-bit word of each child's state, shifted to 63 bits so it fits int64 columns everywhere.
    return [int(child.generate_state(1, np.uint64)[0]) >> 1 for child in children]
