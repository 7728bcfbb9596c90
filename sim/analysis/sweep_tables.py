"""The tables of a sweep: per design point the values run and each outcome's mean, and the parameters ranked by
their influence on each outcome with the analysis that fits the design (see :mod:`sim.analysis.sensitivity`).

``grid`` and ``lhs`` designs are analysed by regression on the values actually run, ``sobol`` and ``morris``
designs by SALib on the design as drawn.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd

from sim.analysis.designs import Design
from sim.analysis.sensitivity import morris_indices, rank_parameters, regression_indices, sobol_indices

__all__ = ["analysis_of", "points_table", "sensitivity_table"]

_ANALYSIS_OF = {"grid": "regression", "lhs": "regression", "sobol": "sobol", "morris": "morris"}


def analysis_of(method: str) -> str:
    """The analysis of a design method: ``"regression"`` (grid, lhs), ``"sobol"`` or ``"morris"``."""
    return _ANALYSIS_OF[method]


def points_table(
    parameter_names: Sequence[str], applied: np.ndarray, outcomes: Sequence[str], metrics: pd.DataFrame
) -> pd.DataFrame:
    """Per design point: the parameter values run, replications ok/failed and each outcome's mean.

    Means are over the point's ok replications with a finite value (NaN if there is none).

    Args:
        parameter_names: The varied parameters, in design column order.
        applied: The values each point ran with, shape ``(points, parameters)``.
        outcomes: The metrics analysed.
        metrics: One row per replication: ``point``, ``status`` and the metrics.

    Returns:
        One row per point: ``point``, each parameter's value, ``replications_ok``, ``replications_failed`` and
        the mean of each outcome.
    """
    table = pd.DataFrame(applied, columns=list(parameter_names))
    table.insert(0, "point", np.arange(len(applied), dtype=np.int64))
    is_ok = (metrics["status"] == "ok").groupby(metrics["point"])
    table["replications_ok"] = is_ok.sum().reindex(table["point"], fill_value=0).to_numpy(dtype=np.int64)
    table["replications_failed"] = (
        (is_ok.size() - is_ok.sum()).reindex(table["point"], fill_value=0).to_numpy(dtype=np.int64)
    )
    ok = metrics[metrics["status"] == "ok"]
    for outcome in outcomes:
        if outcome in ok.columns:
            means = ok.groupby("point")[outcome].mean()  # skips NaN
            table[outcome] = means.reindex(table["point"]).to_numpy(dtype=float)
        else:
            table[outcome] = math.nan
    return table


def sensitivity_table(
    design: Design, applied: np.ndarray, outcomes: Sequence[str], points: pd.DataFrame
) -> tuple[pd.DataFrame, list[str]]:
    """Rank the parameters by influence on each outcome with the design's method.

    Sobol' and Morris analyses read the design as drawn; regression reads the values actually run (``applied``).

    Args:
        design: The design as drawn.
        applied: The values each point ran with, shape ``(points, parameters)`` (whole numbers rounded).
        outcomes: The metrics to analyse.
        points: :func:`points_table` of the sweep.

    Returns:
        ``(indices, notes)``: one row per outcome and parameter (``outcome``, ``parameter``, ``method``, the
        method's index columns, ``influence``, ``rank``), and notes on outcomes that could not be analysed.
    """
    notes: list[str] = []
    tables = []
    analysis = analysis_of(design.method)
    if analysis == "regression":
        design = replace(design, points=applied)
    for outcome in outcomes:
        values = points[outcome].to_numpy(dtype=float)
        missing = int(np.count_nonzero(~np.isfinite(values)))
        if missing:
            notes.append(
                f"{outcome}: not analysed, {missing} of {len(values)} points have no value (the metric is undefined "
                "there, or every replication failed)"
            )
            continue
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                if analysis == "sobol":
                    table = sobol_indices(design, values, seed=design.seed or 0)
                elif analysis == "morris":
                    table = morris_indices(design, values, seed=design.seed or 0)
                else:
                    table = regression_indices(design, values)
            except ValueError as error:
                notes.append(f"{outcome}: not analysed ({error})")
                continue
        notes.extend(f"{outcome}: {warning.message}" for warning in caught if "constant" not in str(warning.message))
        if "note" in table.attrs:
            notes.append(f"{outcome}: {table.attrs['note']}")
        ranked = rank_parameters(table, analysis)
        ranked.insert(0, "outcome", outcome)
        ranked.insert(2, "method", analysis)
        tables.append(ranked)
    if not tables:
        return pd.DataFrame(columns=["outcome", "parameter", "method", "influence", "rank"]), notes
    return pd.concat(tables, ignore_index=True), notes
