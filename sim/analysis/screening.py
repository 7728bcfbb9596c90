"""Screening: which of many parameters are worth a Sobol' analysis, decided from Morris elementary effects.

A Sobol' design costs ``N (k + 2)`` points, so with dozens of contested parameters most of the runs would go to
parameters that move nothing. A sweep with more than :data:`SCREEN_ABOVE_PARAMETERS` parameters therefore first
runs a cheap Morris design (``r (k + 1)`` points, :func:`sim.analysis.designs.morris_design`) and keeps for the
Sobol' stage only the parameters this rule calls influential.

The rule, in one place (:func:`screen`):

1. For each outcome, a parameter's *relative influence* is the upper end of its ``mu_star`` confidence interval,
   ``mu_star + mu_star_conf``, divided by the largest ``mu_star`` of any parameter on that outcome. ``mu_star`` is
   the mean absolute change of the outcome as the parameter crosses its whole range (SALib's unscaled elementary
   effects), so the ratio is free of the outcome's unit and of the parameter's.
2. A parameter's *score* is its largest relative influence over the outcomes: a parameter that matters to any
   outcome is kept. Outcomes no parameter moves (every ``mu_star`` is 0) say nothing and are left out.
3. With a threshold (default :data:`DEFAULT_SCREEN_THRESHOLD` = 0.1), a parameter is kept when its score is at
   least the threshold: it is screened out only when even the top of its 90 % interval stays below a tenth of
   the strongest effect on every outcome. With ``keep=K`` the K parameters with the highest scores are kept
   instead (ties: parameter order).
4. If no outcome moves at all, screening cannot tell the parameters apart and every parameter is kept.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = [
    "DEFAULT_SCREEN_THRESHOLD",
    "DEFAULT_SCREEN_TRAJECTORIES",
    "SCREENING_COLUMNS",
    "SCREEN_ABOVE_PARAMETERS",
    "Screening",
    "ScreeningRule",
    "screen",
]

SCREEN_ABOVE_PARAMETERS = 12
"""A Sobol' sweep of more parameters than this screens them first (unless told not to)."""

DEFAULT_SCREEN_THRESHOLD = 0.1
"""Relative influence below which a parameter is screened out (see the module's rule)."""

DEFAULT_SCREEN_TRAJECTORIES = 10
"""Morris trajectories of the screening design: ``10 (k + 1)`` points."""

SCREENING_COLUMNS: tuple[str, ...] = (
    "parameter",
    "outcome",
    "mu_star",
    "mu_star_conf",
    "relative_influence",
    "score",
    "kept",
)


@dataclass(frozen=True)
class ScreeningRule:
    """How the influential parameters are chosen: a relative threshold, or the ``keep`` most influential.

    Attributes:
        threshold: Keep parameters whose score is at least this (0 < threshold <= 1).
        keep: If given, keep this many parameters (the highest scores) instead of applying the threshold.
    """

    threshold: float = DEFAULT_SCREEN_THRESHOLD
    keep: int | None = None

    def __post_init__(self) -> None:
        if not (isinstance(self.threshold, int | float) and 0 < self.threshold <= 1):
            raise ValueError(f"the screening threshold must be a number in (0, 1], got {self.threshold!r}")
        if self.keep is not None and (isinstance(self.keep, bool) or not isinstance(self.keep, int) or self.keep < 1):
            raise ValueError(f"the number of parameters to keep must be a whole number >= 1, got {self.keep!r}")

    def describe(self) -> str:
        """The rule in one sentence, as the terminal, the manifest and the report print it."""
        measure = "score = largest over the outcomes of (mu_star + its 90% half-width) / the outcome's largest mu_star"
        if self.keep is not None:
            return f"keep the {self.keep} parameters with the highest score ({measure})"
        return f"keep parameters with score >= {self.threshold:g} ({measure})"


@dataclass(frozen=True)
class Screening:
    """What screening decided.

    Attributes:
        rule: The rule applied.
        table: One row per parameter and analysed outcome (:data:`SCREENING_COLUMNS`), parameters by score,
            highest first.
        kept: The parameters kept, in their original order.
        screened_out: The parameters left out, in their original order.
        note: Why the rule could not decide (every outcome constant), else None.
    """

    rule: ScreeningRule
    table: pd.DataFrame
    kept: list[str]
    screened_out: list[str]
    note: str | None = None

    def scores(self) -> dict[str, float]:
        """Each parameter's score (NaN when no outcome moved)."""
        first = self.table.drop_duplicates("parameter")
        return dict(zip(first["parameter"], first["score"].astype(float), strict=True))


def screen(indices: pd.DataFrame, parameters: Sequence[str], rule: ScreeningRule) -> Screening:
    """Apply the screening rule (see the module docstring) to Morris indices.

    Args:
        indices: One row per outcome and parameter with ``outcome``, ``parameter``, ``mu_star`` and
            ``mu_star_conf`` (a sweep's ``indices.csv`` of a Morris design).
        parameters: Every screened parameter, in design order (a parameter without rows scores 0).
        rule: The threshold or the number to keep.

    Returns:
        The decision and the table behind it.
    """
    names = list(parameters)
    order = {name: position for position, name in enumerate(names)}
    rows = []
    for outcome, group in indices.groupby("outcome", sort=False):
        largest = float(group["mu_star"].max())
        if not math.isfinite(largest) or largest <= 0.0:
            continue
        for row in group.itertuples(index=False):
            upper = float(row.mu_star) + float(row.mu_star_conf)
            rows.append(
                (str(row.parameter), str(outcome), float(row.mu_star), float(row.mu_star_conf), upper / largest)
            )
    table = pd.DataFrame(rows, columns=list(SCREENING_COLUMNS[:5]))
    if table.empty:
        frame = pd.DataFrame({"parameter": names, "outcome": "", "mu_star": 0.0, "mu_star_conf": 0.0})
        frame["relative_influence"] = math.nan
        frame["score"] = math.nan
        frame["kept"] = True
        note = "no outcome changed over the screening design, so screening cannot tell the parameters apart: all kept"
        return Screening(rule, frame[list(SCREENING_COLUMNS)], names, [], note)
    scores = table.groupby("parameter")["relative_influence"].max().reindex(names, fill_value=0.0)
    ranked = sorted(names, key=lambda name: (-float(scores[name]), order[name]))
    if rule.keep is not None:
        chosen = set(ranked[: rule.keep])
    else:
        chosen = {name for name in names if float(scores[name]) >= rule.threshold}
    table["score"] = table["parameter"].map(scores).astype(float)
    table["kept"] = table["parameter"].isin(chosen)
    position = table["parameter"].map({name: rank for rank, name in enumerate(ranked)})
    table = (
        table.assign(_position=position.to_numpy(dtype=np.int64))
        .sort_values("_position", kind="mergesort")
        .drop(columns="_position")
        .reset_index(drop=True)
    )
    kept = [name for name in names if name in chosen]
    screened_out = [name for name in names if name not in chosen]
    return Screening(rule, table[list(SCREENING_COLUMNS)], kept, screened_out)
