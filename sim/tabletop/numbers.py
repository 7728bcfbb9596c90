"""Numbers as the room reads them: plain notation, thousands separators, whole numbers without decimals.

One formatter for everything tabletop play prints or writes (prompt, situation report, warnings, after-action
report): ``12,345``, ``33`` (a count is never ``33.0``), ``123.4``, ``1.23``, ``0.123``; a share in percent; never
scientific notation.
"""

from __future__ import annotations

import math

from sim.report.formatting import format_number
from sim.report.style import is_share

MISSING = "–"


def format_value(value: float | None) -> str:
    """A number: whole numbers with thousands separators, others as :func:`sim.report.formatting.format_number`
    (digits to suit their size); ``–`` if missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if float(value).is_integer():
        return f"{int(value):,}"
    return format_number(value)


def format_share(value: float) -> str:
    """A share in percent with one decimal (``–`` when missing)."""
    return MISSING if math.isnan(value) else f"{value:.1%}"


def format_outcome(metric: str, value: float) -> str:
    """A metric's value: a share in percent, anything else by :func:`format_value`."""
    return format_share(value) if is_share(metric) else format_value(value)


def format_meur(value: float) -> str:
    """EUR million: ``€1,234M``, ``€12.5M``, ``€0M``."""
    return f"€{format_value(value)}M"
