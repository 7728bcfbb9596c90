"""The engagement rules: where threats meet defences, laid out as a night runs.

- :mod:`~sim.model.engagement.rules`: the rules of one night (numbered 1-8, with their conservation laws), the
  layers they act on (:class:`LayerSpec`, stacked in a :class:`LayerTable`) and :func:`resolve_night`, which
  applies them to arrays of counts and returns a :class:`NightOutcome`. Pure NumPy to import: a scenario's
  tables can be built in a process that never resolves a night.
- :mod:`~sim.model.engagement.kernel`: the rules carried out in compiled loops (numba) over regions, layers
  and threat types, one binomial draw per layer (or shoot-look-shoot round) and threat type.
- :mod:`~sim.model.engagement.night`: the model's night around the kernel: the adversary's launch against its
  stock, channels, ready rounds and reserves from the fire units standing in each region, the stock update,
  the ledger's books, and the sites that leakers hit.
- :mod:`~sim.model.engagement.streams`: the random streams of a replication (one per purpose, one per night
  for the night's draws, so common random numbers hold night by night) and NumPy-identical draws from
  compiled code.

Everything that decides who shoots at what lives here; :mod:`sim.model.world` says when a night happens and
what stands where. This package namespace offers the rules; the compiled modules are imported where they run.
"""

from sim.model.engagement.rules import (
    LayerSpec,
    LayerTable,
    NightOutcome,
    layer_table,
    resolve_night,
    split_in_proportion,
)

__all__ = ["LayerSpec", "LayerTable", "NightOutcome", "layer_table", "resolve_night", "split_in_proportion"]
