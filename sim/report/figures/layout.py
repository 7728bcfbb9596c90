"""Checks that a drawn figure's text is readable: nothing clipped at the edge, no two labels on top of each other,
no tick label repeated along an axis.

:func:`text_problems` draws the figure (with the style the reports save it in) and inspects the bounding boxes of
its visible texts — the suptitle, panel titles, axis labels, tick labels and legend entries. The report writer
records what it finds (:class:`sim.report.figure_blocks.FigureSaver`) and the tests assert every figure the
reports draw is clean.
"""

from __future__ import annotations

from itertools import combinations, pairwise

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.transforms import Bbox

from sim.report import style

TOLERANCE_PX = 1.0
"""Overlaps and overhangs smaller than this many pixels are rounding, not defects."""


def _visible(text: Text) -> bool:
    return bool(text.get_visible() and text.get_text().strip())


def _labelled_texts(figure: Figure) -> list[tuple[str, Text]]:
    texts: list[tuple[str, Text]] = []
    suptitle = getattr(figure, "_suptitle", None)  # matplotlib keeps the figure title there
    if isinstance(suptitle, Text):
        texts.append(("suptitle", suptitle))
    for index, ax in enumerate(figure.axes):
        for attribute in ("_left_title", "title", "_right_title"):  # the three places a panel title may stand
            title = getattr(ax, attribute, None)
            if isinstance(title, Text):
                texts.append((f"axes {index} title", title))
        texts.append((f"axes {index} xlabel", ax.xaxis.label))
        texts.append((f"axes {index} ylabel", ax.yaxis.label))
        texts += [(f"axes {index} x tick", label) for label in _drawn_ticks(ax, "x")]
        texts += [(f"axes {index} y tick", label) for label in _drawn_ticks(ax, "y")]
    for legend in figure.legends:
        texts += [("legend", text) for text in legend.get_texts()]
    return [(name, text) for name, text in texts if _visible(text)]


def _drawn_ticks(ax: Axes, axis_name: str) -> list[Text]:
    """The tick labels matplotlib draws: those inside the axis's view limits (it lays out a few beyond them)."""
    axis = ax.xaxis if axis_name == "x" else ax.yaxis
    low, high = sorted(axis.get_view_interval())
    coordinate = 0 if axis_name == "x" else 1
    span = (high - low) * 1e-9
    return (
        [
            label
            for tick, label in zip(axis.get_majorticklocs(), axis.get_majorticklabels(), strict=False)
            if low - span <= tick <= high + span and _visible(label)
        ]
        if coordinate in (0, 1)
        else []
    )


def _shrunk(box: Bbox) -> Bbox:
    return Bbox.from_extents(box.x0 + TOLERANCE_PX, box.y0 + TOLERANCE_PX, box.x1 - TOLERANCE_PX, box.y1 - TOLERANCE_PX)


def _repeated_ticks(index: int, ax: Axes) -> list[str]:
    problems = []
    for axis_name in ("x", "y"):
        shown = [label.get_text() for label in _drawn_ticks(ax, axis_name)]
        repeated = sorted({text for a, text in pairwise(shown) if a == text})
        problems += [f"axes {index} {axis_name} axis repeats the tick label {text!r}" for text in repeated]
    return problems


def text_problems(figure: Figure) -> list[str]:
    """Every readability defect of a figure's text, as sentences (empty when it is clean).

    Args:
        figure: A figure as the reports draw it.

    Returns:
        Texts cut off by the figure's edge, texts that overlap other texts (tick labels only against labels of
        other axes or titles), and tick labels repeated next to each other along an axis.
    """
    with style.style_context():
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        page = figure.bbox
        texts = _labelled_texts(figure)
        boxes = [(name, text, text.get_window_extent(renderer)) for name, text in texts]
    problems: list[str] = []
    for name, text, box in boxes:
        if (
            box.x0 < page.x0 - TOLERANCE_PX
            or box.x1 > page.x1 + TOLERANCE_PX
            or box.y0 < page.y0 - TOLERANCE_PX
            or (box.y1 > page.y1 + TOLERANCE_PX)
        ):
            problems.append(f"{name} {text.get_text()!r} is clipped by the figure's edge")
    for (name_a, text_a, box_a), (name_b, text_b, box_b) in combinations(boxes, 2):
        if _shrunk(box_a).overlaps(_shrunk(box_b)):
            problems.append(f"{name_a} {text_a.get_text()!r} overlaps {name_b} {text_b.get_text()!r}")
    for index, ax in enumerate(figure.axes):
        problems += _repeated_ticks(index, ax)
    return problems
