"""One replication as a pure function: ``(scenario, seed) → plain data``.

This is what executors ship to worker processes or Dask workers: the scenario (a frozen pydantic model)
and an int seed in, a dict of metrics and numpy time series out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sim.model.metrics import compute_metrics
from sim.scenario.model import Scenario

if TYPE_CHECKING:
    from sim.model.world import AirDefenceModel


def run_model(scenario: Scenario, seed: int) -> AirDefenceModel:
    """Run one replication to the horizon and return the model (for inspection and tests)."""
    # Imported here, not at the top: the parent process of a run imports this module only to name the function
    # it ships to workers, and should not load numba and LLVM (~130 MiB) for a model it never runs.
    from sim.model.world import AirDefenceModel

    model = AirDefenceModel(scenario, seed)
    model.run()
    return model


def run_replication(scenario: Scenario, seed: int) -> dict[str, Any]:
    """Run one replication to the horizon.

    Returns:
        ``{"metrics": {name: float}, "timeseries": {series: float64 array [horizon_days]}}``.
    """
    ledger = run_model(scenario, seed).ledger
    series = {name: ledger.series[:, index].copy() for index, name in enumerate(ledger.series_names)}
    return {"metrics": compute_metrics(ledger), "timeseries": series}
