"""Capability-target fulfilment against another scenario's targets: one yardstick for a comparison.

A variant that swaps in a larger set of NATO capability targets (the drone wall) cannot be rated better or worse
on fulfilment of *its own* targets against a baseline measured on *its*: the yardstick moved. A comparison whose
scenarios differ in their targets measures every scenario against the first scenario's targets instead, from the
fire units each member state owns at the end (the ``fire_units_owned_end.<state>.<effector>`` metrics), with the
one fulfilment formula (:func:`sim.model.metrics.target_fulfilment`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from sim.model.metrics import target_fulfilment
from sim.scenario.model import Scenario

OWNED_PREFIX = "fire_units_owned_end."
COMMON_METRIC = "capability_target_fulfilment_common"
OWN_METRIC = "capability_target_fulfilment"


def _targets(scenario: Scenario) -> tuple[tuple[str, str, int], ...]:
    targets = scenario.actors.nato.capability_targets
    return tuple((target.state, target.effector, int(target.fire_units.value)) for target in targets)


def targets_differ(scenarios: Sequence[Scenario]) -> bool:
    """Whether the scenarios set different NATO capability targets (then own fulfilments are not comparable)."""
    return len({_targets(scenario) for scenario in scenarios}) > 1


def fulfilment_against(metrics: pd.DataFrame, scenario: Scenario) -> pd.Series:
    """Each replication's fulfilment of ``scenario``'s capability targets, from its owned fire units.

    Args:
        metrics: One row per replication with ``fire_units_owned_end.<state>.<effector>`` columns (a missing
            column means none owned).
        scenario: The scenario whose targets are the yardstick.

    Returns:
        One value per row (NaN when the scenario sets no targets).
    """
    targets = _targets(scenario)
    if not targets:
        return pd.Series(np.nan, index=metrics.index)
    owned = np.column_stack(
        [
            metrics[f"{OWNED_PREFIX}{state}.{effector}"].fillna(0.0).to_numpy(dtype=float)
            if f"{OWNED_PREFIX}{state}.{effector}" in metrics.columns
            else np.zeros(len(metrics))
            for state, effector, _ in targets
        ]
    )
    units = np.array([units for _, _, units in targets], dtype=float)
    return pd.Series([target_fulfilment(row, units) for row in owned], index=metrics.index, dtype=float)


def with_common_targets(metrics: pd.DataFrame, scenarios: Sequence[Scenario]) -> tuple[pd.DataFrame, bool]:
    """A comparison's replications with ``capability_target_fulfilment_common`` measured against the first
    scenario's targets when the scenarios' targets differ (then also returns True: own fulfilments are not
    comparable).

    Args:
        metrics: One row per replication of every scenario, ``point`` = scenario index.
        scenarios: The scenarios, in point order.

    Returns:
        ``(metrics, differ)``: the frame (a copy when changed) and whether the targets differ.
    """
    if not targets_differ(scenarios) or COMMON_METRIC not in metrics.columns:
        return metrics, targets_differ(scenarios)
    frame = metrics.copy()
    frame[COMMON_METRIC] = fulfilment_against(frame, scenarios[0])
    return frame, True
