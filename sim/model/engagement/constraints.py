"""The binding-constraint ledger's vocabulary: sides, catalog layers and the constraints that can bind a layer.

Plain names, importable without the compiled code (the ledger and the metric registry read them in processes
that never resolve a night). What each constraint means and how a night's is chosen:
:mod:`sim.model.engagement.binding`.
"""

from __future__ import annotations

from sim.scenario.catalog import LAYER_ORDER

__all__ = ["CONSTRAINTS", "CREWS", "DETECTION", "FIRE_CHANNELS", "LAYERS", "MAGAZINE", "NONE", "RESERVE", "SIDES"]

SIDES = ("ukraine", "nato")
"""The sides the ledger books separately (index 0: Ukraine's regions, 1: member states' airspace)."""
CONSTRAINTS = ("fire_channels", "magazine", "crews", "detection", "reserve", "none")
"""What can bind a layer on a night, in tie-break order."""
LAYERS = tuple(layer.value for layer in LAYER_ORDER)
"""Catalog layer names, in the order threats meet them."""

FIRE_CHANNELS, MAGAZINE, CREWS, DETECTION, RESERVE, NONE = range(len(CONSTRAINTS))
