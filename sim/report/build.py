"""Write a run folder's report: ``report.html`` (self-contained), ``report.md`` and ``figures/*.png|svg``.

:func:`write_report` reads the folder's manifest and builds the report its kind calls for, each in its module:

* ``run`` (``sim run``, :mod:`~sim.report.run_report`): scenario summary and key outcomes, objectives with the
  probability each is met, time series with 90% bands, distributions of outcomes, the map schematic, the
  provenance table and the manifest;
* ``compare`` (``sim compare``, :mod:`~sim.report.comparison_report`): the same for every scenario side by side,
  plus the paired differences from the baseline with their confidence intervals and what each variant changes
  in the parameters;
* ``sweep`` (``sim sweep``, :mod:`~sim.report.sweep_report`): the varied parameters, a tornado chart, the
  sensitivity indices with intervals, each outcome against each parameter, and how likely the objectives are
  met across the design.

Everything is read from the files the folder holds (``replications.csv``, ``timeseries.parquet``, the
resolved scenarios and the kind's tables), so a report can be rebuilt at any time with ``sim report``.
What all three share lives beside them: :mod:`~sim.report.folder` (reading the folder),
:mod:`~sim.report.sections` (objectives, provenance, how to reproduce), :mod:`~sim.report.figure_blocks` (the
figures over time and the map) and :mod:`~sim.report.formatting` (how numbers read).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from concurrent.futures import BrokenExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.experiment.executors import open_executor
from sim.experiment.manifest import ManifestError, read_manifest
from sim.experiment.store import StoreError, atomic_write_text
from sim.report.document import Document, render_html, render_markdown
from sim.report.figure_blocks import FigureSaver
from sim.report.figures.saving import FigureFiles
from sim.report.folder import ReportError

__all__ = ["FIGURES_DIR", "HTML_FILE", "MARKDOWN_FILE", "ReportError", "ReportPaths", "write_report"]

HTML_FILE = "report.html"
MARKDOWN_FILE = "report.md"
FIGURES_DIR = "figures"


@dataclass(frozen=True)
class ReportPaths:
    """What :func:`write_report` wrote."""

    html: Path
    markdown: Path
    figures: tuple[FigureFiles, ...]


FIGURE_MODULES = ("numpy", "pandas", "matplotlib.pyplot", "sim.report.figure_blocks")
"""What a pool's fork server loads once (when the report starts it), so that each worker starts ready to draw a figure.
The model is left out: the fork server loads these before any worker starts, and only the worker that replays the
map's replication needs it."""

_BUILDERS: dict[str, str] = {
    "run": "sim.report.run_report:run_document",
    "compare": "sim.report.comparison_report:comparison_document",
    "sweep": "sim.report.sweep_report:sweep_document",
}
"""The builder of each kind of folder, imported when a report of that kind is written (a run's report does not load
the sweep's statistics)."""


def _builder(kind: str) -> Callable[[Path, dict[str, Any], FigureSaver], Document]:
    module_name, _, function = _BUILDERS[kind].partition(":")
    built: Callable[[Path, dict[str, Any], FigureSaver], Document] = getattr(
        importlib.import_module(module_name), function
    )
    return built


def write_report(run_dir: Path | str, *, figures_dir: Path | None = None, workers: int | None = 1) -> ReportPaths:
    """Write ``report.html``, ``report.md`` and the figures of a run, comparison or sweep folder.

    Args:
        run_dir: The folder ``sim run``, ``sim compare`` or ``sim sweep`` made.
        figures_dir: Where the PNG and SVG files go (default ``RUN_DIR/figures``).
        workers: How many processes draw the figures (and the map's replay) side by side: 1 in this process,
            ``n > 1`` a local pool (:func:`~sim.experiment.executors.open_executor`), None one per usable core.
            The files are the same whichever is chosen.

    Returns:
        The paths written.

    Raises:
        ReportError: If the folder does not exist, is not a run folder, is of an unknown kind or holds files the
            report cannot read. The message says which.
    """
    run_dir = Path(run_dir)
    if not run_dir.exists():
        raise ReportError(f"{run_dir} does not exist")
    if not run_dir.is_dir():
        raise ReportError(f"{run_dir} is not a folder")
    try:
        manifest = read_manifest(run_dir)
    except FileNotFoundError as error:
        raise ReportError(str(error)) from error
    except ManifestError as error:
        raise ReportError(str(error)) from error
    kind = str(manifest.get("kind", "run"))
    if kind not in _BUILDERS:
        raise ReportError(f"{run_dir}: unknown kind of run folder '{kind}' (expected one of {', '.join(_BUILDERS)})")
    with open_executor(workers, preload_modules=FIGURE_MODULES) as executor:
        saver = FigureSaver(Path(figures_dir) if figures_dir is not None else run_dir / FIGURES_DIR, executor)
        try:
            document = _builder(kind)(run_dir, manifest, saver)
            saver.finish()
        except (FileNotFoundError, KeyError, OSError, ValueError, StoreError) as error:
            raise ReportError(f"{run_dir}: cannot build the report ({type(error).__name__}: {error})") from error
        except BrokenExecutor as error:  # a worker died (out of memory, killed): say so, not a traceback
            raise ReportError(
                f"{run_dir}: a process drawing the figures stopped ({error}); write the report in one process with "
                f"sim report {run_dir} --workers 1"
            ) from error
    html_path, markdown_path = run_dir / HTML_FILE, run_dir / MARKDOWN_FILE
    atomic_write_text(html_path, render_html(document))
    atomic_write_text(markdown_path, render_markdown(document, run_dir))
    return ReportPaths(html_path, markdown_path, tuple(saver.files))
