"""What a report reads from a result folder: the replications, the daily series and the resolved scenarios.

A report is a pure function of its folder. These readers take ``replications.csv`` and ``timeseries.parquet``
when the run wrote them and otherwise gather the same tables from the result store's chunks (an interrupted
run), and turn a folder the report cannot use into a :class:`ReportError` that says which file and why.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from sim.experiment.store import REPLICATIONS_CSV, TIMESERIES_PARQUET, ResultStore
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario


class ReportError(Exception):
    """The folder cannot be reported on (missing, not a run folder, an unknown kind, a damaged file)."""


def load_metrics(run_dir: Path) -> pd.DataFrame:
    """One row per replication (every status), with a ``point`` column (0 for a single run).

    Raises:
        ReportError: If no replication has finished successfully.
    """
    path = run_dir / REPLICATIONS_CSV
    frame = pd.read_csv(path) if path.is_file() else ResultStore(run_dir).load_metrics()
    if frame.empty or ("status" in frame.columns and not (frame["status"] == "ok").any()):
        raise ReportError(f"{run_dir}: no replication has finished successfully yet; nothing to report")
    if "point" not in frame.columns:
        frame["point"] = 0
    return frame


def successful(metrics: pd.DataFrame) -> pd.DataFrame:
    """The replications that finished (status ``ok``): the only ones a report's numbers count."""
    return metrics[metrics["status"] == "ok"] if "status" in metrics.columns else metrics


def load_timeseries(run_dir: Path) -> pd.DataFrame:
    """The long daily series of every replication, with a ``point`` column (0 for a single run)."""
    path = run_dir / TIMESERIES_PARQUET
    frame = pd.read_parquet(path) if path.is_file() else ResultStore(run_dir).load_timeseries()
    if "point" not in frame.columns:
        frame["point"] = 0
    return frame


def load_resolved(run_dir: Path, name: str) -> Scenario:
    """A resolved scenario the run saved in its folder (extends and ``--set`` already applied).

    Raises:
        ReportError: If the file does not load; the message carries the scenario error.
    """
    try:
        return load_scenario(run_dir / name)
    except ScenarioError as error:
        raise ReportError(f"{run_dir / name}: the resolved scenario does not load ({error})") from error


def read_optional_csv(path: Path) -> pd.DataFrame | None:
    """A table the folder may hold (``objectives.csv``, ``comparison.csv``, ...), or None when it is absent."""
    return pd.read_csv(path) if path.is_file() else None
