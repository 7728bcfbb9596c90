"""One look for every figure: a colour-blind-safe palette, projector-sized fonts, labels with units.

Every figure of :mod:`sim.report.figures` and :mod:`sim.report.map` is drawn inside :func:`styled`, so the
figures of a run, a comparison and a sweep share one palette (Okabe–Ito, safe for the common forms of colour
blindness and still distinguishable in greyscale print through line styles and markers) and fonts big enough
to read on a projector from the back of an exercise room.

Importing this module selects matplotlib's non-interactive ``Agg`` backend: reports are written on servers,
in CI and in worker processes, never in a window.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, Literal

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # the backend is chosen before pyplot is imported
from cycler import cycler

from sim.model.metrics import metric_by_name

# Okabe & Ito (2008), "Color Universal Design": eight colours distinguishable with any common colour blindness.
BLACK = "#000000"
ORANGE = "#E69F00"
SKY_BLUE = "#56B4E9"
BLUISH_GREEN = "#009E73"
YELLOW = "#F0E442"
BLUE = "#0072B2"
VERMILLION = "#D55E00"
REDDISH_PURPLE = "#CC79A7"
GREY = "#7F7F7F"
LIGHT_GREY = "#D9D9D9"

LineStyle = Literal["-", "--", "-.", ":"]

PALETTE: tuple[str, ...] = (BLUE, ORANGE, BLUISH_GREEN, VERMILLION, REDDISH_PURPLE, SKY_BLUE, BLACK, YELLOW)
"""Series colours in the order they are used (yellow last: it is faint on white paper)."""

LINE_STYLES: tuple[LineStyle, ...] = ("-", "--", "-.", ":")
"""Line styles that tell series apart in greyscale print (cycled with the palette)."""

MARKERS: tuple[str, ...] = ("o", "s", "D", "^", "v", "P", "X", "*")
"""Markers, one per series, for the same reason."""

NATO_COLOUR = BLUE
"""Member states (NATO territory) in every figure."""
UKRAINE_COLOUR = ORANGE
"""Ukraine's regions in every figure."""
BETTER_COLOUR = BLUE
"""A difference that is clearly better than the baseline."""
WORSE_COLOUR = VERMILLION
"""A difference that is clearly worse than the baseline."""
UNCLEAR_COLOUR = GREY
"""A difference whose confidence interval includes zero, or a metric where neither direction is better."""

DENSE_POINTS = 1_000
"""A scatter of more points than this is drawn as pixels in the SVG as well (tens of thousands of vector dots make an
SVG of megabytes, slow to write and to open); the PNG is the same either way."""

BAND_ALPHA = 0.22
"""Opacity of the 90% bands around a line."""

BAND_LEVEL = 0.90
"""Coverage of the bands and intervals drawn (the 5th to 95th percentile across replications)."""

RC_PARAMS: dict[str, Any] = {
    "figure.facecolor": "white",
    "axes.facecolor": "white",
    "savefig.facecolor": "white",
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.family": "DejaVu Sans",
    "font.size": 13,
    "axes.titlesize": 14,
    "axes.titleweight": "bold",
    "axes.titlelocation": "left",
    "axes.labelsize": 13,
    "xtick.labelsize": 12,
    "ytick.labelsize": 12,
    "legend.fontsize": 12,
    "legend.frameon": False,
    "figure.titlesize": 17,
    "figure.titleweight": "bold",
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#E5E5E5",
    "grid.linewidth": 0.8,
    "axes.axisbelow": True,
    "axes.prop_cycle": cycler(color=list(PALETTE)),
    "lines.linewidth": 2.4,
    "lines.markersize": 7,
    "svg.fonttype": "none",
    "axes.formatter.use_mathtext": False,
    "axes.formatter.limits": (-4, 6),
}
"""Matplotlib settings of every report figure."""


@contextmanager
def style_context() -> Iterator[None]:
    """Apply :data:`RC_PARAMS` while a figure is built (settings are read when artists are created)."""
    with plt.rc_context(RC_PARAMS):  # type: ignore[arg-type]
        yield


def styled[**P, R](function: Callable[P, R]) -> Callable[P, R]:
    """Decorate a figure function so that it always draws in the report style."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with style_context():
            return function(*args, **kwargs)

    return wrapper


def dense(points: int) -> bool:
    """Whether a scatter of ``points`` dots is rasterised in vector output (:data:`DENSE_POINTS`)."""
    return points > DENSE_POINTS


def colour(index: int) -> str:
    """The colour of the ``index``-th series (the palette repeats after eight)."""
    return PALETTE[index % len(PALETTE)]


def line_style(index: int) -> LineStyle:
    """The line style of the ``index``-th series (changes each time the palette wraps around)."""
    return LINE_STYLES[(index // len(PALETTE)) % len(LINE_STYLES)]


def scenario_line_style(index: int) -> LineStyle:
    """The line style of the ``index``-th scenario of a comparison: a new style for each, so identical results
    (common random numbers often give them) still show every scenario's line."""
    return LINE_STYLES[index % len(LINE_STYLES)]


def scenario_line_width(index: int) -> float:
    """The line width of the ``index``-th scenario: the first (baseline) widest, so later lines drawn over it
    leave it visible where they coincide."""
    return max(1.4, 3.2 - 0.6 * index)


def marker(index: int) -> str:
    """The marker of the ``index``-th series."""
    return MARKERS[index % len(MARKERS)]


_WORDS = {
    "ukraine": "Ukraine",
    "nato": "NATO",
    "meur": "(€M)",
    "eu": "EU",
    "edip": "EDIP",
    "safe": "SAFE",
}
_UNIT_LABELS = {
    "share": "%",
    "EUR million": "€ million",
    "EUR": "€",
}


def metric_label(name: str) -> str:
    """A readable title for a metric name: ``ukraine_drone_intercept_rate`` → ``Ukraine drone intercept rate``.

    Family members keep their key: ``leakers.PL`` → ``Leakers: PL``.
    """
    base, _, key = name.partition(".")
    words = [_WORDS.get(word, word) for word in base.split("_")]
    words = [word for word in words if word != "(€M)"]
    text = " ".join(words)
    text = text[:1].upper() + text[1:]
    return f"{text}: {key}" if key else text


def metric_unit(name: str) -> str:
    """The unit of a registered metric or family member (empty when unknown)."""
    definition = metric_by_name(name)
    return definition.unit if definition is not None else ""


def unit_label(unit: str) -> str:
    """How a unit is shown on an axis: ``share`` → ``%``, ``EUR million`` → ``€ million``."""
    return _UNIT_LABELS.get(unit, unit)


def axis_label(what: str, unit: str) -> str:
    """An axis label with its unit in parentheses, e.g. ``Leakers per week (threats)``."""
    shown = unit_label(unit)
    return f"{what} ({shown})" if shown else what


def is_share(name: str) -> bool:
    """Whether a metric is a share (drawn in percent)."""
    return metric_unit(name) == "share"


def better_direction(name: str) -> str:
    """``higher``, ``lower`` or ``neither``: which way a metric is better (``neither`` when unknown)."""
    definition = metric_by_name(name)
    return definition.better if definition is not None else "neither"


def short_parameter(name: str, *, parts: int = 3) -> str:
    """A sweep parameter's key path shortened for an axis: its last ``parts`` components.

    ``actors.adversary.raids.params.drones_per_night`` → ``raids.params.drones_per_night`` with the default;
    ``params`` is dropped as it says nothing, giving ``adversary.raids.drones_per_night``.
    """
    components = [component for component in name.split(".") if component != "params"]
    return ".".join(components[-parts:])
