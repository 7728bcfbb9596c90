"""Saving a figure: a PNG for the HTML report (a 256-colour palette, about a third of the bytes) and an SVG for print.

SVGs carry no date, so re-drawing a report changes a figure's files only when the figure changes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from matplotlib.figure import Figure

from sim.report import style


@dataclass(frozen=True)
class FigureFiles:
    """A figure saved as PNG (for the HTML report) and SVG (for print and slides)."""

    png: Path
    svg: Path


def save_figure(figure: Figure, directory: Path, stem: str) -> FigureFiles:
    """Write a figure as ``<stem>.png`` and ``<stem>.svg`` in ``directory`` (created if missing).

    Args:
        figure: The figure to save.
        directory: The folder to write into.
        stem: The file name without suffix.

    Returns:
        The paths of both files.
    """
    directory.mkdir(parents=True, exist_ok=True)
    png, svg = directory / f"{stem}.png", directory / f"{stem}.svg"
    buffer = io.BytesIO()
    with style.style_context():
        figure.savefig(buffer, format="png")
        figure.savefig(svg, format="svg", metadata={"Date": None})
    png.write_bytes(_small_png(buffer.getvalue()))
    return FigureFiles(png, svg)


def _small_png(data: bytes) -> bytes:
    """The same picture in a 256-colour palette: about a third of the bytes, no visible change for charts."""
    from PIL import Image

    with Image.open(io.BytesIO(data)) as image:
        palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        out = io.BytesIO()
        palette.save(out, format="PNG", optimize=True)
    return out.getvalue()
