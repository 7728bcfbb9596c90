"""Saving a figure: a PNG for the HTML report (a 256-colour palette, about a third of the bytes) and an SVG for print.

Constrained layout settles in two passes (the first moves some labels by a fraction of a pixel), so a figure is laid
out once (:meth:`~matplotlib.figure.Figure.draw_without_rendering`, Agg's text metrics at the figure's dpi) before
its PNG is drawn. The PNG is made from the drawn pixels directly (no PNG is encoded only to be decoded again) and
saved with zlib's default level (``optimize`` would try every level: five times the time for 10% fewer bytes).

SVGs carry no date, so re-drawing a report changes a figure's files only when the figure changes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from matplotlib.figure import Figure

from sim.report import style


@dataclass(frozen=True)
class FigureFiles:
    """A figure saved as PNG (for the HTML report) and SVG (for print and slides)."""

    png: Path
    svg: Path


def figure_files(directory: Path, stem: str) -> FigureFiles:
    """Where :func:`save_figure` writes the figure ``stem`` in ``directory``."""
    return FigureFiles(directory / f"{stem}.png", directory / f"{stem}.svg")


def save_figure(figure: Figure, directory: Path, stem: str, *, laid_out: bool = False) -> FigureFiles:
    """Write a figure as ``<stem>.png`` and ``<stem>.svg`` in ``directory`` (created if missing).

    Args:
        figure: The figure to save.
        directory: The folder to write into.
        stem: The file name without suffix.
        laid_out: The figure has been drawn once already (e.g. to check its text): no layout pass is needed.

    Returns:
        The paths of both files.
    """
    directory.mkdir(parents=True, exist_ok=True)
    files = figure_files(directory, stem)
    pixels = io.BytesIO()
    with style.style_context():
        dpi = float(matplotlib.rcParams["savefig.dpi"])
        if not laid_out:
            figure.draw_without_rendering()
        figure.savefig(pixels, format="rgba", dpi=dpi)
        figure.savefig(files.svg, format="svg", metadata={"Date": None})
    rgba = pixels.getvalue()
    width_px = int(figure.get_figwidth() * dpi)  # as the Agg canvas sizes itself
    files.png.write_bytes(_small_png(rgba, (width_px, len(rgba) // (4 * width_px))))
    return files


def _small_png(rgba: bytes, size_px: tuple[int, int]) -> bytes:
    """The picture as a PNG in a 256-colour palette: about a third of the bytes, no visible change for charts."""
    from PIL import Image

    if size_px[0] * size_px[1] * 4 != len(rgba):
        raise ValueError(f"a drawn figure of {len(rgba)} bytes is not {size_px[0]} × {size_px[1]} RGBA pixels")
    image = Image.frombuffer("RGBA", size_px, rgba, "raw", "RGBA", 0, 1)
    palette = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    palette.save(out, format="PNG")
    return out.getvalue()
