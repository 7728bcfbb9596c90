"""One replication as a pure function: ``(scenario, seed) → plain data``.

This is what executors ship to worker processes or Dask workers: the scenario (a frozen pydantic model)
and an int seed in, a dict of metrics and numpy time series out.
"""

from __future__ import annotations

from typing import Any

from sim.model.metrics import compute_metrics
from sim.model.world import AirDefenceModel
from sim.scenario.model import Scenario


def run_model(scenario: Scenario, seed: int) -> AirDefenceModel:
    """Run one replication to the horizon and return the model (for inspection and tests)."""
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
