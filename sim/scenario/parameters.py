"""Numeric scenario parameters that carry their evidence, and the physical bounds of every kind of number.

Every numeric parameter in a scenario may be written as a plain number (``12``) or as a mapping
``{value: 12, low: 8, high: 16, unit: launchers, source: public-figures#1, note: "..."}``. Both forms load
into a :class:`Param`, so the model always reads ``param.value`` and reports can always print the range
and the source. A parameter with ``low``/``high`` is *contested*: a sweep varies it within that range by
default.

Every number in the format is finite and has a documented physical range, a :class:`Bounds`: a count is a
whole number up to 10^9, a price at most EUR 10 billion, a rate at most 10^6 a night or a month … (the
constants below say why each limit is where it is). The bound checks the value and both ends of the range,
so ``low: -1`` on a count is an error just as ``value: -1`` is, and it appears in the JSON Schema as
``minimum``/``maximum``. A number written in quotes (``value: '32000'``) is text, never a number, wherever
it is written: the message says to remove the quotes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    field_validator,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from sim.scenario.text import Text

PUBLIC_FIGURES_PREFIX = "public-figures#"

NUMBER_ERROR = "number_out_of_range"
"""The pydantic error type of a refused number; its context carries ``expected`` for the located message."""


def refuse_number(message: str, expected: str | None = None) -> PydanticCustomError:
    """A validation error for a number, carrying what was expected (the loader prints both)."""
    return PydanticCustomError(NUMBER_ERROR, "{message}", {"message": message, "expected": expected or ""})


def shown(number: float) -> str:
    """A number as messages print it (``1e+308``, ``2``, ``a 400-digit number``)."""
    try:
        return f"{float(number):g}"
    except OverflowError:
        return f"a {len(str(abs(int(number))))}-digit number"


def quoted_number(raw: Any) -> str | None:
    """The text of a quoted number (``'32000'``), or None when ``raw`` is not text that reads as a number."""
    if not isinstance(raw, str):
        return None
    try:
        float(raw.strip())
    except ValueError:
        return None
    return raw


def _a_real_number(raw: Any) -> Any:
    """Refuse what pydantic's lax mode would turn into a number: booleans and text (``'32000'``, ``'inf'``)."""
    if isinstance(raw, bool):  # pydantic would read true as 1.0
        raise refuse_number(f"expected a number, got the boolean {str(raw).lower()}", "a number such as 12 or 0.5")
    if isinstance(raw, str):
        hint = f"{raw.strip()} without the quotes" if quoted_number(raw) else "a number such as 12 or 0.5"
        raise refuse_number(f"expected a number, got the text '{raw}'", hint)
    if isinstance(raw, int):
        try:
            float(raw)
        except OverflowError:
            raise refuse_number(f"{shown(raw)} is too large", "a number below 1e+308") from None
    return raw


_REAL_NUMBER = BeforeValidator(_a_real_number)


class Param(BaseModel):
    """A number with optional uncertainty range, unit and source."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: float = Field(description="The value the model uses.")
    low: float | None = Field(default=None, description="Lower end of the sourced range (sweeps vary it).")
    high: float | None = Field(default=None, description="Upper end of the sourced range (sweeps vary it).")
    unit: Text | None = Field(default=None, description="Unit of the value, for reports.")
    source: Text | None = Field(
        default=None,
        description="Id of an entry in the scenario's `sources`, or a row of the public-figures table "
        "written `public-figures#N`.",
    )
    note: Text | None = Field(default=None, description="How the value was derived (conversion, averaging…).")

    @field_validator("value", "low", "high", mode="before")
    @classmethod
    def _a_number(cls, raw: Any) -> Any:
        return _a_real_number(raw)

    @model_validator(mode="after")
    def _range_is_ordered(self) -> Param:
        for name in ("value", "low", "high"):
            number = getattr(self, name)
            if number is not None and not math.isfinite(number):
                raise refuse_number(f"{name} {shown(number)} is not a finite number", "a finite number")
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


@dataclass(frozen=True)
class Bounds:
    """The physical range of one kind of number, and why its upper limit is where it is.

    Used as ``Annotated`` metadata on a :class:`Param` alias or on a plain ``int``/``float`` field: it
    refuses values outside ``[minimum, maximum]`` (and, with ``whole``, fractions) with a located message
    and writes ``minimum``/``maximum`` into the JSON Schema. A plain field whose lower limit pydantic's
    ``ge`` already checks leaves ``minimum`` None.

    Attributes:
        what: The kind of number, as messages name it ("count", "price in EUR").
        minimum: Smallest valid value, or None.
        maximum: Largest valid value.
        reason: Why the maximum is generous enough, said of it ("is a century"); printed with every refusal.
        whole: Whether only whole numbers are valid.
    """

    what: str
    minimum: float | None
    maximum: float
    reason: str
    whole: bool = False

    def expected(self) -> str:
        """What a valid value looks like, e.g. ``a whole number from 0 to 1e+09 (…)``."""
        kind = "a whole number" if self.whole else "a number"
        low = f"from {self.minimum:g} to" if self.minimum is not None else "up to"
        return f"{kind} {low} {self.maximum:g}; {self.maximum:g} {self.reason}"

    def check_number(self, name: str, number: float) -> None:
        """Raise the located-message error if ``number`` (called ``name``) is outside the bounds."""
        article = "an" if self.what[0] in "aeiou" else "a"
        if isinstance(number, float) and not math.isfinite(number):
            raise refuse_number(f"{name} {shown(number)} is not a finite number", self.expected())
        if self.minimum is not None and number < self.minimum:
            raise refuse_number(
                f"{name} {shown(number)} is below {self.minimum:g}: {article} {self.what} must be ≥ {self.minimum:g}",
                self.expected(),
            )
        if number > self.maximum:
            raise refuse_number(
                f"{name} {shown(number)} is above {self.maximum:g}: {article} {self.what} must be ≤ {self.maximum:g}",
                self.expected(),
            )
        if self.whole and not float(number).is_integer():
            raise refuse_number(
                f"{name} {shown(number)} is not a whole number: {article} {self.what} counts whole items",
                self.expected(),
            )

    def _check(self, checked: Any) -> Any:
        if isinstance(checked, Param):
            for name in ("value", "low", "high"):
                number = getattr(checked, name)
                if number is not None:
                    self.check_number(name, number)
        elif checked is not None:
            self.check_number("value", checked)
        return checked

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        constrained = self._constrain(handler(schema))
        constrained["x-bounds"] = f"{self.what}: {self.expected()}"
        return constrained

    def _constrain(self, schema: JsonSchemaValue) -> JsonSchemaValue:
        limits: dict[str, Any] = {"maximum": self.maximum}
        if self.minimum is not None:
            limits["minimum"] = self.minimum
        if self.whole:
            limits["multipleOf"] = 1
        if "anyOf" in schema:  # a Param: a plain number, or a {value, low, high, …} mapping
            return {**schema, "anyOf": [self._constrain(branch) for branch in schema["anyOf"]]}
        if "$ref" in schema:
            return {"allOf": [schema, {"properties": {"value": limits, "low": limits, "high": limits}}]}
        if schema.get("type") in ("number", "integer"):
            return {**schema, **limits}
        return dict(schema)


def _coerce_number(raw: Any) -> Any:
    """Let a plain number stand for ``{value: number}``; refuse booleans, which are not numbers.

    Text is left for the mapping check, whose message offers both forms (and drops a quoted number's quotes).
    """
    if isinstance(raw, int | float):
        raw = _a_real_number(raw)
        return {"value": raw}
    return raw


_ACCEPTS_NUMBER = BeforeValidator(_coerce_number, json_schema_input_type=float | Param)
"""A plain number stands for ``{value: number}``; the JSON Schema offers both forms."""

# --- the physical limits, each with its reason ----------------------------------------------------------

MAX_COUNT = 1e9
"""Threats, interceptors, units on order: 10^9 is more than any arsenal or order book holds."""
MAX_FIRE_UNITS = 1e5
"""Fire units of one type: no state fields 100,000 batteries, guns or teams of one kind."""
MAX_PER_FIRE_UNIT = 1e4
"""Targets engaged, rounds ready or shots per target of one fire unit in one night."""
MAX_DAYS = 36_500
"""A duration in days (lead times, delays, intervals): a century is past any plan."""
MAX_MONTHS = 1_200
"""A duration in months: a century."""
MAX_RATE = 1e6
"""Drones a night, threats or units made a month, incursions a month: a thousand times the records."""
MAX_MULTIPLIER = 100
"""A ratio of one mean to another (surge nights, magazine reloads)."""
MAX_DISPERSION = 1e6
"""A negative-binomial shape: beyond 10^6 the count is Poisson in all but name."""
MIN_DISPERSION = 0.01
"""Below this shape a nightly count's variance is tens of thousands of times its mean — and astronomically large
counts are drawn."""
MAX_MEUR = 1e7
"""Money in EUR million: EUR 10 trillion, more than half the EU's yearly GDP."""
MAX_PRICE_EUR = 1e10
"""The price of one item in EUR: EUR 10 billion, more than any air-defence item costs."""
MAX_HOURS = 8_760
"""Hours of closure: a year."""
MAX_DISTANCE_KM = 20_000
"""A distance or coordinate in km: half the Earth's circumference."""
MAX_GROWTH = 1.0
"""A relative change per period: +100 % (doubling); the compound growth over the horizon is checked too."""
DAYS_PER_MONTH = 30.0
"""A month of the format: every ``…_per_month`` number counts per 30 days."""
MAX_HORIZON_DAYS = 3_650
"""The longest horizon: ten years of days (the model's tables and a report's time axis are sized by it)."""
SMALLEST_POSITIVE = 1e-12
"""The smallest value of a number that must be above zero (a divisor, a duration)."""


def _kind(bounds: Bounds) -> Any:
    return Annotated[Param, _ACCEPTS_NUMBER, bounds]


Probability = _kind(Bounds("probability", 0, 1, "is certain"))
"""A probability in [0, 1]."""
Fraction = _kind(Bounds("fraction", 0, 1, "is the whole"))
"""A share in [0, 1]."""
Count = _kind(Bounds("count", 0, MAX_COUNT, "is more than any arsenal or order book holds", whole=True))
"""A whole number of threats, interceptors or units, 0 … 10^9."""
PositiveCount = _kind(Bounds("count", 1, MAX_COUNT, "is more than any arsenal or order book holds", whole=True))
"""A whole number ≥ 1, up to 10^9."""
FireUnits = _kind(
    Bounds("number of fire units", 0, MAX_FIRE_UNITS, "is more than any state fields of one type", whole=True)
)
"""A whole number of fire units, 0 … 10^5."""
PerFireUnit = _kind(
    Bounds(
        "number per fire unit",
        0,
        MAX_PER_FIRE_UNIT,
        "is more than any fire unit fires or engages in a night",
        whole=True,
    )
)
"""Rounds or targets of one fire unit in one night, 0 … 10^4."""
PositivePerFireUnit = _kind(
    Bounds(
        "number per fire unit",
        1,
        MAX_PER_FIRE_UNIT,
        "is more than any fire unit fires or engages in a night",
        whole=True,
    )
)
"""Rounds or targets of one fire unit in one night, 1 … 10^4."""
Days = _kind(Bounds("number of days", 0, MAX_DAYS, "is a century", whole=True))
"""Whole days, 0 … 36,500."""
PositiveDays = _kind(Bounds("number of days", 1, MAX_DAYS, "is a century", whole=True))
"""Whole days, 1 … 36,500."""
Duration = _kind(Bounds("duration in days", SMALLEST_POSITIVE, MAX_DAYS, "is a century"))
"""A positive duration in days (not necessarily whole), up to 36,500."""
Months = _kind(Bounds("number of months", SMALLEST_POSITIVE, MAX_MONTHS, "is a century"))
"""A positive duration in months, up to 1,200."""
Rate = _kind(Bounds("rate", 0, MAX_RATE, "is a thousand times the largest raid or production line on record"))
"""Things per night or per 30 days, 0 … 10^6."""
Multiplier = _kind(Bounds("multiplier", 0, MAX_MULTIPLIER, "is a hundred times the ordinary"))
"""A ratio to an ordinary amount, 0 … 100."""
PositiveMultiplier = _kind(Bounds("multiplier", SMALLEST_POSITIVE, MAX_MULTIPLIER, "is a hundred times the ordinary"))
"""A ratio to an ordinary amount, above 0, up to 100."""
Dispersion = _kind(Bounds("dispersion", MIN_DISPERSION, MAX_DISPERSION, "is Poisson in all but name"))
"""A negative-binomial shape, 0.01 … 10^6."""
MoneyMeur = _kind(Bounds("sum in EUR million", 0, MAX_MEUR, "is EUR 10 trillion, over half the EU's yearly GDP"))
"""Money in EUR million, 0 … 10^7."""
PriceEur = _kind(Bounds("price in EUR", 0, MAX_PRICE_EUR, "is EUR 10 billion, more than any air-defence item costs"))
"""The price of one item in EUR, 0 … 10^10."""
PositivePriceEur = _kind(
    Bounds("price in EUR", 0.01, MAX_PRICE_EUR, "is EUR 10 billion, more than any air-defence item costs")
)
"""The price of something bought (an interceptor), a cent … EUR 10^10: budgets are divided by it."""
Hours = _kind(Bounds("number of hours", 0, MAX_HOURS, "is a year"))
"""Hours, 0 … 8,760."""
PositiveHours = _kind(Bounds("number of hours", SMALLEST_POSITIVE, MAX_HOURS, "is a year"))
"""Hours above 0, up to 8,760."""
DistanceKm = _kind(Bounds("distance in km", SMALLEST_POSITIVE, MAX_DISTANCE_KM, "is half the Earth's circumference"))
"""A positive distance in km, up to 20,000."""
GrowthRate = _kind(Bounds("growth rate", -1, MAX_GROWTH, "is +100 % a period (doubling)"))
"""A relative change per period, −1 … 1 (−0.1 = 10 % less, 1 = double)."""

Coordinate = Annotated[
    float,
    _REAL_NUMBER,
    Bounds("coordinate in km", -MAX_DISTANCE_KM, MAX_DISTANCE_KM, "is half the Earth's circumference"),
]
"""A schematic map coordinate in km, −20,000 … 20,000."""


def is_whole_number(annotation: Any) -> bool:
    """True when an ``Annotated`` parameter type only admits whole numbers (a count, a number of days)."""
    return any(isinstance(item, Bounds) and item.whole for item in getattr(annotation, "__metadata__", ()))


def param(value: float, **extra: Any) -> Param:
    """Build a :class:`Param` in code (defaults, tests)."""
    return Param(value=value, **extra)
