"""What a scenario expects against another (``hypotheses:``) and the sizes of difference that matter to it.

A hypothesis states, before anything is run, how one outcome should differ from another scenario's:

```yaml
hypotheses:
  - name: fewer_nato_leakers
    metric: nato_leakers
    direction: lower            # this scenario's value lower than the other's
    min_difference: 1           # by at least this much (the metric's unit); default: the metric's own size
    against: baseline           # a scenario name: the file baseline.yaml beside this one or in scenarios/
    by_day: 180                 # optional: the run must reach this day for the hypothesis to be judged
```

``sim compare`` and the comparison report judge each one from the paired difference (supported, refuted or
inconclusive; :mod:`sim.analysis.hypotheses`). ``min_differences:`` overrides the registry's smallest difference
that matters for any metric (``{relative: 0.05}`` = 5 % of the baseline, ``{absolute: 2}`` in the metric's
unit). Metric names and ``against`` are checked where the registry and the file are known
(:func:`sim.api.check_objective_metrics`, :func:`sim.api.load_scenario`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StrictFloat, StrictInt, model_validator

from sim.scenario.catalog import Frozen
from sim.scenario.parameters import MAX_HORIZON_DAYS, Bounds
from sim.scenario.text import Name, Text

MAX_DIFFERENCE = 1e15
"""Largest difference in magnitude: no metric (EUR million, counts, ratios) comes near it."""
ABSOLUTE_DIFFERENCE = Bounds("difference", 0.0, MAX_DIFFERENCE, "is beyond any metric's reach")
RELATIVE_DIFFERENCE = Bounds("relative difference", 0.0, 100.0, "is a hundred times the baseline")
BY_DAY = Bounds("by_day", None, MAX_HORIZON_DAYS, "days is ten years", whole=True)


class MinDifferenceSetting(Frozen):
    """The smallest difference of a metric that matters: exactly one of ``absolute`` or ``relative``."""

    absolute: Annotated[StrictFloat, ABSOLUTE_DIFFERENCE] | None = Field(
        default=None, description="In the metric's unit (0.01 of a share is one percentage point)."
    )
    relative: Annotated[StrictFloat, RELATIVE_DIFFERENCE] | None = Field(
        default=None, description="A fraction of the baseline's mean (0.05 = 5 %)."
    )
    note: Text = Field(default="", description="Why this size matters (or 'assumption: …').")

    @model_validator(mode="after")
    def _exactly_one(self) -> MinDifferenceSetting:
        if (self.absolute is None) == (self.relative is None):
            raise ValueError("give exactly one of absolute or relative, e.g. {absolute: 0.02} or {relative: 0.05}")
        return self


class Hypothesis(Frozen):
    """An expectation about one outcome against another scenario, judged by ``sim compare``."""

    name: Name
    metric: str = Field(description="Name of an outcome metric (see `sim metrics`).")
    direction: Literal["higher", "lower"] = Field(description="This scenario's value is expected higher or lower.")
    against: Name = Field(description="The scenario compared with: its name, the file <name>.yaml beside this one.")
    min_difference: Annotated[StrictFloat, ABSOLUTE_DIFFERENCE] | None = Field(
        default=None,
        description="Smallest difference (metric's unit) that supports it; default: the metric's own size.",
    )
    by_day: Annotated[StrictInt, BY_DAY] | None = Field(
        default=None, ge=1, description="Day by which the difference is expected; the run must reach it."
    )
    description: Text = ""
