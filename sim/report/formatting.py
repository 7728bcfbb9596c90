"""Numbers as a report prints them: outcomes, intervals, differences, parameters, counts and objectives' targets.

One place decides how a number reads, so the terminal tables, the reports and the situation reports agree:
shares print as percentages (``91.3%``) and their differences in percentage points (``+2.1 pp``), other outcomes
with just enough digits for their size (:func:`format_number`), and a value that is missing or undefined as
``–``.
"""

from __future__ import annotations

import math
from typing import Any

from sim.report.style import is_share
from sim.scenario.provenance import ProvenanceRow

MISSING = "–"
"""What a report prints for a value that is missing or undefined (NaN, infinite)."""


def format_number(value: float) -> str:
    """A number with digits to suit its size: ``12,345``, ``123.4``, ``1.23``, ``0.123``; NaN is ``–``.

    Shares are not turned into percentages here; :func:`format_metric` does that for a named outcome.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return MISSING
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:,.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def format_metric(name: str, value: float) -> str:
    """An outcome's value: a share in percent (``91.3%``), anything else by :func:`format_number`.

    Args:
        name: The outcome metric (decides whether the value is a share).
        value: Its value.

    Returns:
        The text; ``0`` for zero and ``–`` for a missing or infinite value.
    """
    if value is None or not math.isfinite(value):
        return MISSING
    if value == 0:
        return "0"
    if is_share(name):
        return f"{value * 100:.1f}%"
    return format_number(value)


def format_interval(name: str, low: float, high: float) -> str:
    """An outcome's interval as ``low – high`` (``–`` when either end is missing)."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return MISSING
    return f"{format_metric(name, low)} – {format_metric(name, high)}"


def format_difference(name: str, value: float) -> str:
    """A difference of an outcome with its sign: ``+12.5``, ``-3.0``; shares in percentage points (``+2.1 pp``).

    A difference too small to show in the printed digits reads ``±0.0`` (or ``±0.000``) rather than a signed zero.
    """
    if value is None or not math.isfinite(value):
        return MISSING
    if value == 0:
        return "0"
    if is_share(name):
        shown = f"{value * 100:+.1f}"
        return ("±0.0" if float(shown) == 0 else shown) + " pp"
    text = format_number(value)
    if text.lstrip("-").strip("0.,") == "":
        return "±" + text.lstrip("-")
    return ("+" if value > 0 else "") + text


MAX_DECIMALS = 6
"""The most decimals a difference is printed with, however narrow its interval."""
EXACT_RELATIVE_WIDTH = 1e-9
"""An interval narrower than this, relative to its mean (or to 1 for a mean under 1), is floating-point rounding of
the same difference in every replication: the difference is printed as exact, not to :data:`MAX_DECIMALS` decimals
(``+0.2``, not ``+0.200000 … +0.200000``)."""


def decimals_for_interval(half_width: float) -> int:
    """Decimals that show an interval's half-width to two significant digits (0 for a half-width ≥ 10).

    Args:
        half_width: Half the interval's width, in the unit printed (percentage points for a share).

    Returns:
        0 … :data:`MAX_DECIMALS`; 2 when the half-width is zero or undefined.
    """
    if not math.isfinite(half_width) or half_width <= 0:
        return 2
    return max(0, min(MAX_DECIMALS, 1 - math.floor(math.log10(half_width))))


def _signed_fixed(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return f"{0:.{decimals}f}"
    return text if text.startswith("-") else "+" + text


def format_difference_interval(name: str, mean: float, low: float, high: float) -> tuple[str, str, str]:
    """A paired difference and its confidence interval at the precision the interval supports.

    All three numbers get the same decimals: enough to show the half-width to two significant digits, no more
    (a difference of ``+0.0312 pp`` in ``[+0.0101, +0.0523]`` rather than ``±0.0 [±0.0, ±0.0]``). A value that
    rounds to zero at that precision prints unsigned (``0.00``). Shares are in percentage points (``pp`` on the
    mean only); an exact difference (zero-width interval) uses :func:`format_difference`.

    Args:
        name: The metric (decides whether it is a share).
        mean: Mean paired difference.
        low: Lower end of its interval.
        high: Upper end.

    Returns:
        ``(mean, low, high)`` texts; ``–`` for what is undefined.
    """
    if mean is None or not math.isfinite(mean):
        return MISSING, MISSING, MISSING
    if not (math.isfinite(low) and math.isfinite(high)):
        return format_difference(name, mean), MISSING, MISSING
    scale = 100.0 if is_share(name) else 1.0
    half_width = (high - low) * scale / 2.0
    if half_width <= EXACT_RELATIVE_WIDTH * max(abs(mean * scale), 1.0):  # the same difference in every replication
        text = format_difference(name, mean)
        bare = text.removesuffix(" pp")
        return text, bare, bare
    decimals = decimals_for_interval(half_width)
    suffix = " pp" if scale == 100.0 else ""
    return (
        _signed_fixed(mean * scale, decimals) + suffix,
        _signed_fixed(low * scale, decimals),
        _signed_fixed(high * scale, decimals),
    )


def format_parameter(value: float | None) -> str:
    """A scenario parameter's value: whole numbers with thousands separators, others to four significant digits
    (from 1,000 up: to the unit, with separators — ``73,405``, never ``7.341e+04``).

    Missing or undefined values print as an empty cell (a parameter table leaves the cell blank).
    """
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return ""
    if float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    if 1000 <= abs(value) < 1e15:
        return f"{value:,.0f}"
    return f"{value:.4g}"


def format_range(row: ProvenanceRow) -> str:
    """A parameter's range where sources differ, ``low – high`` (empty when it has none)."""
    if row.low is None and row.high is None:
        return ""
    return f"{format_parameter(row.low)} – {format_parameter(row.high)}"


def format_count(value: float) -> str:
    """A mean count (leakers, units): whole from 10 up, one decimal below (``0`` for zero, ``–`` if missing)."""
    if not math.isfinite(value):
        return MISSING
    return "0" if value == 0 else (f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}")


def format_percent(value: float) -> str:
    """A probability as a whole percentage (``73%``; ``–`` if missing)."""
    return MISSING if value is None or not math.isfinite(value) else f"{value:.0%}"


def format_objective_target(row: Any) -> str:
    """An objective's target as ``metric ≥ threshold`` (``row`` has ``metric``, ``direction`` and ``threshold``)."""
    direction = {">=": "≥", "<=": "≤"}.get(str(row["direction"]), str(row["direction"]))
    return f"{row['metric']} {direction} {format_metric(str(row['metric']), float(row['threshold']))}"
