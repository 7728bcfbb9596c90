"""Reading the binding-constraint record: which constraint held each layer, and what was left unused.

The model records, per side and layer, the share of nights with threats on which each constraint was the one that
bound (``binding_nights_share.<side>.<layer>.<constraint>``, constraint one of ``fire_channels``, ``magazine``,
``crews``, ``detection``, ``reserve``, ``none``; the shares of a side and layer sum to 1; NaN when the layer
never faced threats), the stock left unused at the end (``idle_stock_end.<item>``) and the money left unspent
(``unspent_budget_meur.<actor>``). This module turns those metric columns into tidy tables for the findings, the
report section and its figure. Runs made before the model recorded them have none of these columns: every
function then returns an empty table, and the callers say so in one line.
"""

from __future__ import annotations

import math

import pandas as pd

BINDING_FAMILY = "binding_nights_share"
IDLE_FAMILY = "idle_stock_end"
UNSPENT_FAMILY = "unspent_budget_meur"
SIDES: tuple[str, ...] = ("ukraine", "nato")
CONSTRAINTS: tuple[str, ...] = ("fire_channels", "magazine", "crews", "detection", "reserve", "none")
"""The constraints in the order a legend lists them; ``none``: nothing bound (every threat was engaged)."""


def binding_table(means: pd.Series) -> pd.DataFrame:
    """Every recorded (side, layer, constraint) share, from metric means indexed by name.

    Args:
        means: Metric means (or one replication's values) indexed by metric name.

    Returns:
        Columns ``side``, ``layer``, ``constraint``, ``share``; rows with an undefined share (layer never faced
        threats) are dropped; empty when nothing is recorded.
    """
    rows = []
    for name, value in means.items():
        parts = str(name).split(".")
        if len(parts) != 4 or parts[0] != BINDING_FAMILY:
            continue
        share = float(value)
        if not math.isfinite(share):
            continue
        rows.append({"side": parts[1], "layer": parts[2], "constraint": parts[3], "share": share})
    return pd.DataFrame(rows, columns=["side", "layer", "constraint", "share"])


def binding_summary(means: pd.Series) -> pd.DataFrame:
    """The constraints that bound (``none`` and zero shares left out), largest share first."""
    table = binding_table(means)
    table = table[(table["constraint"] != "none") & (table["share"] > 0)]
    return table.sort_values("share", ascending=False, kind="stable").reset_index(drop=True)


def describe_idle(name: str, kind: str, value: float) -> str:
    """``1,200 pac3_mse`` for stock, ``EUR 350 million of DE's budget`` for money."""
    return f"{value:,.0f} {name}" if kind == "stock" else f"EUR {value:,.0f} million of {name}'s budget"


def idle_summary(means: pd.Series) -> pd.DataFrame:
    """Idle stock and unspent budget at the end: ``name`` (an item or an actor), ``kind`` (``stock`` in units or
    ``budget`` in EUR million) and ``value``, largest first; zero and undefined values left out."""
    rows = []
    for name, value in means.items():
        family, _, key = str(name).partition(".")
        if not key or family not in (IDLE_FAMILY, UNSPENT_FAMILY) or not math.isfinite(float(value)):
            continue
        if float(value) <= 0:
            continue
        rows.append({"name": key, "kind": "stock" if family == IDLE_FAMILY else "budget", "value": float(value)})
    frame = pd.DataFrame(rows, columns=["name", "kind", "value"])
    return frame.sort_values("value", ascending=False, kind="stable").reset_index(drop=True)
