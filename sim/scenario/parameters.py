"""Numeric scenario parameters that carry their evidence.

Every numeric parameter in a scenario may be written as a plain number (``12``) or as a mapping
``{value: 12, low: 8, high: 16, unit: launchers, source: public-figures#1, note: "..."}``. Both forms load
into a :class:`Param`, so the model always reads ``param.value`` and reports can always print the range
and the source. A parameter with ``low``/``high`` is *contested*: a sweep varies it within that range by
default.

The constrained aliases (:data:`Probability`, :data:`Count`, :data:`NonNegative`, :data:`Fraction`, …)
check the value and both bounds, so ``low: -1`` on a count is an error just as ``value: -1`` is.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

PUBLIC_FIGURES_PREFIX = "public-figures#"


class Param(BaseModel):
    """A number with optional uncertainty range, unit and source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(description="The value the model uses.")
    low: float | None = Field(default=None, description="Lower end of the sourced range (sweeps vary it).")
    high: float | None = Field(default=None, description="Upper end of the sourced range (sweeps vary it).")
    unit: str | None = Field(default=None, description="Unit of the value, for reports.")
    source: str | None = Field(
        default=None,
        description="Id of an entry in the scenario's `sources`, or a row of the public-figures table "
        "written `public-figures#N`.",
    )
    note: str | None = Field(default=None, description="How the value was derived (conversion, averaging…).")

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _not_a_boolean(cls, raw: Any) -> Any:
        if isinstance(raw, bool):  # pydantic would read true as 1.0
            raise ValueError("expected a number, got a boolean")
        return raw

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Param:
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if number is not None and math.isnan(number):
                raise ValueError(f"{name} is not a number (NaN)")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low ({self.low:g}) is greater than high ({self.high:g}); swap them")
        if self.low is not None and self.value < self.low:
            raise ValueError(f"value ({self.value:g}) is below low ({self.low:g})")
        if self.high is not None and self.value > self.high:
            raise ValueError(f"value ({self.value:g}) is above high ({self.high:g})")
        return self

    @property
    def is_contested(self) -> bool:
        """True when the parameter carries a range (``low`` and ``high``) that a sweep can vary."""
        return self.low is not None and self.high is not None and self.low < self.high

    def as_int(self) -> int:
        """The value as an int (counts are validated to be whole numbers)."""
        return round(self.value)


def _coerce_number(raw: Any) -> Any:
    """Let a plain number stand for ``{value: number}``; refuse booleans, which are not numbers."""
    if isinstance(raw, bool):
        raise ValueError("expected a number, got a boolean")
    if isinstance(raw, int | float):
        return {"value": raw}
    return raw


def _bounded(
    minimum: float | None, maximum: float | None, *, whole: bool = False, what: str = "value"
) -> Callable[[Param], Param]:
    def check(param: Param) -> Param:
        for name in ("value", "low", "high"):
            number = getattr(param, name)
            if number is None:
                continue
            if minimum is not None and number < minimum:
                raise ValueError(f"{name} {number:g} is below {minimum:g}: a {what} must be ≥ {minimum:g}")
            if maximum is not None and number > maximum:
                raise ValueError(f"{name} {number:g} is above {maximum:g}: a {what} must be ≤ {maximum:g}")
            if whole and not float(number).is_integer():
                raise ValueError(f"{name} {number:g} is not a whole number: a {what} counts whole items")
        return param

    return check


_ACCEPTS_NUMBER = BeforeValidator(_coerce_number, json_schema_input_type=float | Param)
"""A plain number stands for ``{value: number}``; the JSON Schema offers both forms."""

Number = Annotated[Param, _ACCEPTS_NUMBER]
"""Any real number."""
NonNegative = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(0, None))]
"""A number ≥ 0 (costs, rates, values)."""
Positive = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(1e-12, None))]
"""A number > 0 (divisors, durations)."""
Probability = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(0, 1, what="probability"))]
"""A probability in [0, 1]."""
Fraction = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(0, 1, what="fraction"))]
"""A share in [0, 1]."""
Count = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(0, None, whole=True, what="count"))]
"""A whole number ≥ 0."""
PositiveCount = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(1, None, whole=True, what="count"))]
"""A whole number ≥ 1."""
GrowthRate = Annotated[Param, _ACCEPTS_NUMBER, AfterValidator(_bounded(-1, None, what="growth rate"))]
"""A relative change per period, ≥ −1 (−0.1 = 10 % less)."""


def param(value: float, **extra: Any) -> Param:
    """Build a :class:`Param` in code (defaults, tests)."""
    return Param(value=value, **extra)
