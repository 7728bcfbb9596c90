"""One replication as a pure function: ``(scenario, seed) → plain data``.

This is what executors ship to worker processes or Dask workers: the scenario (a frozen pydantic model)
and an int seed in, a dict of metrics and numpy time series out.
"""

from __future__ import annotations

from typing import Any

from sim.model.metrics import compute_metrics
from sim.model.world import AirDefenceModel
from sim.scenario.model import Scenario


def run_replication(scenario: Scenario, seed: int) -> dict[str, Any]:
    """Run one replication to the horizon.

    Returns:
        ``{"metrics": {name: float}, "timeseries": {series: float64 array [horizon_days]},
        "refused": [reason, …]}``.
    """
    model = AirDefenceModel(scenario, seed)
    model.run()
    ledger = model.ledger
    series = {name: ledger.series[:, index].copy() for index, name in enumerate(ledger.series_names)}
    return {"metrics": compute_metrics(ledger), "timeseries": series, "refused": list(ledger.refused)}
