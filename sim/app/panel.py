"""The results panel that Explore and Compare share: a job's progress with a cancel button, then its key findings,
tables, figure and download — redrawn as replications arrive (the page polls the job twice a second).

Also the settings every session shares (:class:`AppSettings`) and the two ways the page shows tables and report
figures (:func:`table`, :func:`figure_image`).
"""

from __future__ import annotations

import io
import os
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from htmltools import Tag, TagList
from matplotlib.figure import Figure
from shiny import Inputs, Outputs, Session, module, reactive, render, ui

from sim.app import results as views
from sim.app.findings import findings_for_app
from sim.app.jobs import Job, RunQueue
from sim.report.comparison_rows import HYPOTHESIS_HEADER, difference_header, differences_caption

__all__ = ["AppSettings", "figure_image", "results_panel_server", "results_panel_ui", "table"]

POLL_INTERVAL_S = 0.5
"""How often a running job's progress is read (the bar is redrawn at least once a second)."""

_VERDICT_TONE = {
    "better": "good",
    "worse": "bad",
    "changed": "changed",
    "supported": "good",
    "refuted": "bad",
    "likely met": "good",
    "likely missed": "bad",
}


@dataclass(frozen=True)
class AppSettings:
    """How the app was started.

    Attributes:
        results_root: Where runs are written (one folder per run, as ``sim run`` writes them).
        queue: The shared run queue.
    """

    results_root: Path
    queue: RunQueue


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, tone_column: int | None = None) -> Tag:
    """Rows of text as a table; the ``tone_column`` cells that hold a verdict are coloured by its tone."""
    body = []
    for row in rows:
        cells = []
        for index, value in enumerate(row):
            attrs: dict[str, str] = {}
            if index == tone_column and value in _VERDICT_TONE:
                attrs["class"] = f"verdict-{_VERDICT_TONE[value]}"
            cells.append(ui.tags.td(value, **attrs))
        body.append(ui.tags.tr(*cells))
    return ui.tags.table(
        ui.tags.thead(ui.tags.tr(*[ui.tags.th(name, scope="col") for name in header])),
        ui.tags.tbody(*body),
        class_="table table-sm",
    )


# ----------------------------------------------------------------------------------------------------------------
# The results panel: progress, cancel, findings, tables, figure, download (Explore and Compare share it)
# ----------------------------------------------------------------------------------------------------------------


@module.ui
def results_panel_ui() -> TagList:
    """Progress with a cancel button, then the findings, tables and figure of the job, and its download."""
    return TagList(
        ui.div(ui.output_ui("progress"), class_="run-progress", role="status", aria_live="polite"),
        ui.output_ui("command"),
        ui.output_ui("findings"),
        ui.output_ui("tables"),
        ui.output_image("distributions", height="auto"),
        ui.output_ui("download_area"),
    )


@module.server
def results_panel_server(
    input: Inputs, output: Outputs, session: Session, job: reactive.Value[Job | None], settings: AppSettings
) -> None:
    """Follow ``job``: poll its progress while it runs, show its results as they arrive."""
    arrived = reactive.value(-1)
    report_state = reactive.value("")

    @reactive.effect
    def _poll() -> None:
        current = job()
        if current is None:
            return
        if not current.settled:
            reactive.invalidate_later(POLL_INTERVAL_S)
        count = len(current.records) + (1_000_000 if current.finished else 0)
        if count != arrived.get():
            arrived.set(count)
        if current.report != report_state.get():
            report_state.set(current.report)

    @reactive.calc
    def view() -> views.ComparisonView | None:
        arrived()
        current = job()
        if current is None:
            return None
        return views.comparison_view(current.snapshot(), current.labels, current.scenarios)

    @render.ui
    def progress() -> Tag | None:
        current = job()
        if current is None:
            return None
        if not current.finished:
            reactive.invalidate_later(POLL_INTERVAL_S)
        done = len(current.records)
        if current.state == "queued":
            place = settings.queue.position(current)
            status = f"queued: position {place} of {settings.queue.waiting()} — runs share the machine's cores"
        elif current.state == "running":
            elapsed = _elapsed(current)
            status = f"running: {done} of {current.total} replications · {elapsed:.0f} s"
        elif current.state == "done":
            status = f"done: {done} of {current.total} replications in {_elapsed(current):.1f} s"
        elif current.state == "cancelled":
            status = f"cancelled after {done} of {current.total} replications"
        else:
            status = f"failed: {current.error}"
        return ui.div(
            ui.tags.progress(value=str(done), max=str(current.total), aria_label="replications finished"),
            ui.p(status, id=session.ns("status_text")),
            ui.input_action_button("cancel", "Cancel run", class_="btn-outline-danger")
            if not current.finished
            else None,
        )

    @reactive.effect
    @reactive.event(input.cancel)
    def _cancel() -> None:
        current = job()
        if current is not None:
            settings.queue.drop(current)

    @render.ui
    def command() -> Tag | None:
        current = job()
        if current is None or not current.command:
            return None
        return ui.div(
            ui.h4("The same run on the command line"),
            ui.pre(current.command, class_="command", id=session.ns("command_line")),
        )

    @render.ui
    def findings() -> Tag | None:
        shown = view()
        if shown is None or not shown.difference_rows:
            return None
        found = findings_for_app(shown)
        blocks: list[Tag] = [
            ui.h4("Key findings"),
            ui.tags.ul(*[ui.tags.li(text) for text in found.key_findings], id=session.ns("key_findings")),
        ]
        if found.what_binds:
            blocks += [
                ui.h4("What binds"),
                ui.tags.ul(*[ui.tags.li(text) for text in found.what_binds], id=session.ns("what_binds")),
            ]
        return ui.div(*blocks)

    @render.ui
    def tables() -> Tag | None:
        shown = view()
        if shown is None:
            return None
        if not shown.summary_rows:
            return ui.p("Waiting for the first replications …")
        paired = min(shown.done) if shown.done else 0
        parts: list[Any] = [
            ui.h4(f"Differences from {shown.labels[0]} (paired over {paired} common seeds, 90% interval)"),
            ui.div(
                table(difference_header(shown.labels[0]), shown.difference_rows, tone_column=7),
                ui.p(differences_caption(shown.labels[0]), class_="text-muted"),
                id=session.ns("differences_table"),
            )
            if shown.difference_rows
            else ui.p("Only one scenario: nothing to compare."),
            ui.h4("Outcomes"),
            ui.div(
                table(("outcome", "scenario", "mean", "90% of replications"), shown.summary_rows),
                id=session.ns("summary_table"),
            ),
        ]
        if shown.objective_rows:
            parts += [
                ui.h4("Objectives"),
                table(("scenario", "objective", "target", "P(met)", "90% interval"), shown.objective_rows),
            ]
        if shown.hypothesis_rows:
            parts += [
                ui.h4("Hypotheses"),
                ui.div(
                    table(HYPOTHESIS_HEADER, shown.hypothesis_rows, tone_column=5),
                    id=session.ns("hypotheses_table"),
                ),
            ]
        parts += [ui.p(note, class_="text-muted") for note in shown.notes]
        return ui.div(*parts)

    @render.image(delete_file=True)
    def distributions() -> Any:
        shown = view()
        current = job()
        if shown is None or current is None or not current.finished:
            return None  # drawn once the run ends: the tables above show the results as they arrive
        return figure_image(
            views.distributions(shown),
            "Each outcome's value in every replication, per scenario: dots, the mean and the 90% range",
        )

    @render.ui
    def download_area() -> Tag | None:
        state = report_state()
        current = job()
        if current is None or current.state != "done":
            return None
        if state != "ready":
            waiting = "writing the run folder's report for the download …" if state in ("", "writing") else state
            return ui.p(waiting, class_="text-muted")
        return ui.div(
            ui.download_button(session.ns("download"), "Download the run folder with its report (zip)"),
            ui.p(f"Saved in {current.results.run_dir}" if current.results else "", class_="text-muted"),
        )

    @render.download_button(filename=lambda: f"{_run_dir_name(job())}.zip", media_type="application/zip")
    def download() -> Any:
        current = job()
        if current is None or current.results is None:
            return
        yield _zip_folder(current.results.run_dir)


FIGURE_DPI = 72
"""Resolution of the page's figures: the report's figures are drawn for 15-inch pages and shown at the page's
width, so this only decides how sharp they are."""


def figure_image(figure: Figure | None, alt: str) -> dict[str, str] | None:
    """A report figure as an image the page shows at its full width (drawn at its own size, then scaled)."""
    if figure is None:
        return None
    import matplotlib.pyplot as plt

    handle, name = tempfile.mkstemp(prefix="sim-app-", suffix=".png")
    os.close(handle)
    try:
        figure.savefig(name, dpi=FIGURE_DPI)
    finally:
        plt.close(figure)
    return {"src": name, "width": "100%", "alt": alt}


def _elapsed(job: Job) -> float:
    if not job.started_s:
        return 0.0
    return (job.finished_s or time.monotonic()) - job.started_s


def _run_dir_name(job: Job | None) -> str:
    return job.results.run_dir.name if job is not None and job.results is not None else "run"


def _zip_folder(folder: Path) -> bytes:
    """The folder as a zip (its chunks left out: the consolidated tables hold the same replications)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            relative = path.relative_to(folder)
            if path.is_file() and relative.parts[0] != "chunks":
                archive.write(path, Path(folder.name) / relative)
    return buffer.getvalue()
