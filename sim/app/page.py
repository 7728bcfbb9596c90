"""The page (Shiny for Python): Explore, Compare and Sweep tabs, a projector mode, and each session's own state.

Everything a session holds — its scenario, its jobs, its sliders — lives in the ``server`` function, which Shiny
calls once per browser session; the only things shared are the run queue with its process pool and cache
(:class:`~sim.app.jobs.RunQueue`) and the folder runs are written to. The page loads nothing from the internet:
Shiny serves its own scripts and styles, the styles below name only system fonts, and figures are PNGs drawn here.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from htmltools import Tag, TagList
from matplotlib.figure import Figure
from shiny import App, Inputs, Outputs, Session, module, reactive, render, ui

from sim import api
from sim.app import results as views
from sim.app.findings import findings_for_app
from sim.app.jobs import Job, RunQueue, job_key
from sim.app.levers import Lever, command_line, lever_overrides, scenario_levers
from sim.app.sweeps import SweepFolder, SweepFolderError, find_sweep_folders, open_sweep_folder, slider_step
from sim.experiment.compare import unique_labels
from sim.report import style
from sim.scenario.errors import ScenarioError
from sim.scenario.files import MAX_FILE_BYTES, shipped_scenarios_folder
from sim.scenario.model import Scenario

__all__ = ["AppSettings", "build_app", "shipped_scenarios"]

DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 1000
"""The most replications a page may ask for per scenario (the command line allows more)."""
POLL_INTERVAL_S = 0.5
"""How often a running job's progress is read (the bar is redrawn at least once a second)."""

_VERDICT_TONE = {"better": "good", "worse": "bad", "changed": "changed", "likely met": "good", "likely missed": "bad"}

_STYLE = f"""
body {{ font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }}
.verdict-good {{ color: {style.BETTER_COLOUR}; font-weight: 600; }}
.verdict-bad {{ color: {style.WORSE_COLOUR}; font-weight: 600; }}
.verdict-changed {{ color: {style.BLACK}; font-weight: 600; }}
.lever-source {{ display: block; font-size: 0.8em; color: #444; margin: -0.6em 0 0.8em 0; }}
.run-progress progress {{ width: 100%; height: 1.4em; accent-color: {style.BLUE}; }}
.problem {{ white-space: pre-wrap; color: {style.WORSE_COLOUR}; font-family: ui-monospace, monospace; }}
pre.command {{ white-space: pre-wrap; word-break: break-all; }}
:focus-visible {{ outline: 3px solid {style.ORANGE} !important; outline-offset: 2px; }}
body.projector {{ font-size: 150%; background: #000; color: #fff; }}
body.projector .card, body.projector .sidebar, body.projector .accordion-item, body.projector .accordion-button,
body.projector table, body.projector .form-control, body.projector .bslib-sidebar-layout > .sidebar,
body.projector .navbar {{ background: #000 !important; color: #fff !important; border-color: #fff !important; }}
body.projector .navbar-brand, body.projector .nav-link, body.projector .form-check-label {{ color: #fff !important; }}
body.projector .nav-link.active {{ border-bottom: 3px solid #fff; font-weight: 700; }}
body.projector .lever-source {{ color: #ddd; }}
body.projector .verdict-good {{ color: {style.SKY_BLUE}; }}
body.projector .verdict-bad {{ color: {style.ORANGE}; }}
body.projector .verdict-changed {{ color: #fff; }}
body.projector img {{ background: #fff; }}
"""

_PROJECTOR_SCRIPT = """
$(document).on('shiny:inputchanged', function(event) {
  if (event.name === 'projector') { document.body.classList.toggle('projector', event.value === true); }
});
"""


@dataclass(frozen=True)
class AppSettings:
    """How the app was started.

    Attributes:
        results_root: Where runs are written (one folder per run, as ``sim run`` writes them).
        queue: The shared run queue.
    """

    results_root: Path
    queue: RunQueue


def shipped_scenarios() -> dict[str, str]:
    """The shipped scenario files, ``{path: file name}`` (empty without the project's ``scenarios/`` folder)."""
    folder = shipped_scenarios_folder()
    if folder is None:
        return {}
    return {str(path): path.name for path in sorted(folder.glob("*.yaml"))}


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], *, tone_column: int | None = None) -> Tag:
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
        found = findings_for_app(shown.difference_rows, shown.metrics, shown.labels)
        blocks: list[Tag] = [ui.h4("Key findings"), ui.tags.ul(*[ui.tags.li(text) for text in found.key_findings])]
        if found.what_binds:
            blocks += [ui.h4("What binds"), ui.tags.ul(*[ui.tags.li(text) for text in found.what_binds])]
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
            _table(
                ("outcome", "scenario", shown.labels[0], "scenario", "difference", "90% CI", "verdict"),
                shown.difference_rows,
                tone_column=6,
            )
            if shown.difference_rows
            else ui.p("Only one scenario: nothing to compare."),
            ui.h4("Outcomes"),
            ui.div(
                _table(("outcome", "scenario", "mean", "90% of replications"), shown.summary_rows),
                id=session.ns("summary_table"),
            ),
        ]
        if shown.objective_rows:
            parts += [
                ui.h4("Objectives"),
                _table(("scenario", "objective", "target", "P(met)", "90% interval"), shown.objective_rows),
            ]
        parts += [ui.p(note, class_="text-muted") for note in shown.notes]
        return ui.div(*parts)

    @render.image(delete_file=True)
    def distributions() -> Any:
        shown = view()
        current = job()
        if shown is None or current is None or not current.finished:
            return None  # drawn once the run ends: the tables above show the results as they arrive
        return _figure_image(
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


def _figure_image(figure: Figure | None, alt: str) -> dict[str, str] | None:
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
    import time

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


# ----------------------------------------------------------------------------------------------------------------
# The page
# ----------------------------------------------------------------------------------------------------------------


def _explore_tab() -> Any:
    choices = shipped_scenarios()
    return ui.nav_panel(
        "Explore",
        ui.layout_sidebar(
            ui.sidebar(
                ui.input_select("scenario", "Scenario", choices=choices, selected=next(iter(choices), None)),
                ui.input_file(
                    "upload",
                    f"… or upload one (YAML, at most {MAX_FILE_BYTES // (1024 * 1024)} MB)",
                    accept=[".yaml", ".yml"],
                ),
                ui.output_ui("scenario_message"),
                ui.input_numeric("replications", "Replications", DEFAULT_REPLICATIONS, min=2, max=MAX_REPLICATIONS),
                ui.input_numeric("seed", "Seed", 1, min=0),
                ui.input_action_button("run", "Run", class_="btn-primary"),
                ui.input_action_button("reset", "Reset the sliders", class_="btn-outline-secondary"),
                ui.output_ui("levers"),
                width="420px",
                title="Change the scenario",
            ),
            ui.output_ui("changes"),
            results_panel_ui("explore_results"),
        ),
    )


def _compare_tab() -> Any:
    choices = shipped_scenarios()
    first = list(choices)[:2]
    return ui.nav_panel(
        "Compare",
        ui.layout_sidebar(
            ui.sidebar(
                ui.input_selectize(
                    "compare_scenarios",
                    "Two to four scenarios (the first is the base)",
                    choices=choices,
                    selected=first,
                    multiple=True,
                    options={"maxItems": 4},
                ),
                ui.input_numeric("compare_replications", "Replications", DEFAULT_REPLICATIONS, min=2, max=1000),
                ui.input_numeric("compare_seed", "Seed", 1, min=0),
                ui.input_action_button("compare_run", "Run the comparison", class_="btn-primary"),
                ui.output_ui("compare_message"),
                width="420px",
            ),
            results_panel_ui("compare_results"),
        ),
    )


def _sweep_tab() -> Any:
    return ui.nav_panel(
        "Sweep",
        ui.layout_sidebar(
            ui.sidebar(
                ui.input_select("sweep_found", "A sweep folder under the results folder", choices={}),
                ui.input_text("sweep_path", "… or its path", placeholder="results/…-sweep-…"),
                ui.input_action_button("sweep_open", "Open", class_="btn-primary"),
                ui.output_ui("sweep_message"),
                ui.output_ui("sweep_sliders"),
                width="420px",
            ),
            ui.output_ui("sweep_point"),
            ui.output_image("sweep_tornado", height="auto"),
            ui.output_image("sweep_indices", height="auto"),
        ),
    )


def _page() -> Tag:
    return ui.page_navbar(
        _explore_tab(),
        _compare_tab(),
        _sweep_tab(),
        ui.nav_spacer(),
        ui.nav_control(ui.input_switch("projector", "Projector mode")),
        title="Air- and drone-defence simulator",
        id="tabs",
        header=TagList(ui.tags.style(_STYLE), ui.tags.script(_PROJECTOR_SCRIPT)),
        window_title="sim app",
        lang="en",
    )


@dataclass(frozen=True)
class _Loaded:
    """The session's scenario: what it is and how to load it again with overrides."""

    scenario: Scenario
    reference: str
    load: Callable[[list[str]], Scenario]


def build_app(settings: AppSettings) -> App:
    """The Shiny app: the page and the per-session server."""

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        loaded: reactive.Value[_Loaded | None] = reactive.value(None)
        problem = reactive.value("")
        explore_job: reactive.Value[Job | None] = reactive.value(None)
        compare_job: reactive.Value[Job | None] = reactive.value(None)
        compare_problem = reactive.value("")
        results_panel_server("explore_results", explore_job, settings)
        results_panel_server("compare_results", compare_job, settings)

        def set_loaded(reference: str, load: Callable[[list[str]], Scenario]) -> None:
            try:
                scenario = load([])
            except ScenarioError as error:
                problem.set(str(error))
                return
            problem.set("")
            loaded.set(_Loaded(scenario, reference, load))
            ui.update_numeric("seed", value=scenario.seed)

        @reactive.effect
        @reactive.event(input.scenario)
        def _pick() -> None:
            path = input.scenario()
            if path:
                reference = _relative(Path(path))
                set_loaded(reference, lambda overrides: api.load_scenario(path, overrides))

        @reactive.effect
        @reactive.event(input.upload)
        def _upload() -> None:
            files = input.upload()
            if not files:
                return
            upload = files[0]
            name = Path(str(upload["name"])).name
            if int(upload.get("size") or 0) > MAX_FILE_BYTES:
                problem.set(f"{name}: the file is larger than the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")
                return
            raw = Path(upload["datapath"]).read_bytes()[: MAX_FILE_BYTES + 1]
            set_loaded(name, lambda overrides: api.load_uploaded_scenario(raw, name, overrides))

        @render.ui
        def scenario_message() -> Tag | None:
            text = problem()
            current = loaded()
            if text:
                kept = f" (the page still uses {current.scenario.name})" if current is not None else ""
                return ui.div(
                    ui.strong(f"This scenario cannot be used{kept}:"), ui.div(text, class_="problem"), role="alert"
                )
            if current is None:
                return None
            return ui.p(ui.strong(current.scenario.name), ": ", " ".join(current.scenario.description.split()))

        @reactive.calc
        def controls() -> list[Lever]:
            current = loaded()
            return [] if current is None else scenario_levers(current.scenario)

        @render.ui
        @reactive.event(loaded, input.reset)
        def levers() -> Tag | None:
            return _levers_ui(controls())

        def lever_values() -> dict[str, float]:
            values = {}
            for lever in controls():
                value = getattr(input, lever.input_id, None)
                if value is not None and value() is not None:
                    values[lever.input_id] = float(value())
            return values

        @render.ui
        def changes() -> Tag | None:
            changed = lever_overrides(controls(), lever_values())
            if not changed:
                return ui.p("Move a slider, then Run: the changed scenario is compared with the one you picked.")
            return ui.div(ui.h4("Your changes"), ui.tags.ul(*[ui.tags.li(ui.code(text)) for text in changed]))

        @reactive.effect
        @reactive.event(input.run)
        def _run() -> None:
            current = loaded()
            if current is None:
                return
            replications, seed = _count(input.replications()), _count(input.seed(), minimum=0, default=1)
            overrides = lever_overrides(controls(), lever_values())
            try:
                changed = current.load(overrides)
            except ScenarioError as error:
                problem.set(str(error))
                return
            base = current.scenario
            labels = unique_labels([base.name, f"{base.name} (changed)"])
            previous = explore_job()
            if previous is not None and not previous.finished:
                settings.queue.drop(previous)
            job = Job(
                key=job_key([base, changed], overrides, replications, seed),
                labels=labels,
                scenarios=[base, changed],
                replications=replications,
                seed=seed,
                command=command_line(current.reference, overrides, replications, seed),
            )
            explore_job.set(settings.queue.submit(job))

        @reactive.effect
        @reactive.event(input.compare_run)
        def _compare() -> None:
            paths = list(input.compare_scenarios() or [])
            if not 2 <= len(paths) <= 4:
                compare_problem.set("Pick two to four scenarios.")
                return
            try:
                scenarios = [api.load_scenario(path) for path in paths]
            except ScenarioError as error:
                compare_problem.set(str(error))
                return
            compare_problem.set("")
            replications = _count(input.compare_replications())
            seed = _count(input.compare_seed(), minimum=0, default=1)
            previous = compare_job()
            if previous is not None and not previous.finished:
                settings.queue.drop(previous)
            files = [_relative(Path(path)) for path in paths]
            job = Job(
                key=job_key(scenarios, (), replications, seed),
                labels=unique_labels([scenario.name for scenario in scenarios]),
                scenarios=scenarios,
                replications=replications,
                seed=seed,
                command=" ".join(["sim", "compare", *files, "-n", str(replications), "--seed", str(seed)]),
            )
            compare_job.set(settings.queue.submit(job))

        @render.ui
        def compare_message() -> Tag | None:
            text = compare_problem()
            return ui.div(text, class_="problem", role="alert") if text else None

        _sweep_server(input, settings)

    return App(_page(), server)


def _sweep_server(input: Inputs, settings: AppSettings) -> None:
    """The Sweep tab of one session: open a folder, move sliders over its design points."""
    opened: reactive.Value[SweepFolder | None] = reactive.value(None)
    message = reactive.value("")

    @reactive.effect
    def _list() -> None:
        found = {str(path): path.name for path in find_sweep_folders(settings.results_root)}
        ui.update_select("sweep_found", choices=found)

    @reactive.effect
    @reactive.event(input.sweep_open)
    def _open() -> None:
        path = (input.sweep_path() or "").strip() or input.sweep_found()
        if not path:
            message.set("Pick a sweep folder or type its path.")
            return
        try:
            opened.set(open_sweep_folder(path))
            message.set("")
        except SweepFolderError as error:
            message.set(str(error))

    @render.ui
    def sweep_message() -> Tag | None:
        text = message()
        return ui.div(text, class_="problem", role="alert") if text else None

    @render.ui
    def sweep_sliders() -> Tag | None:
        folder = opened()
        if folder is None:
            return None
        return ui.div(
            *[
                ui.input_slider(
                    _sweep_input(index),
                    parameter.name,
                    min=parameter.low,
                    max=parameter.high,
                    value=(parameter.low + parameter.high) / 2,
                    step=slider_step(parameter),
                )
                for index, parameter in enumerate(folder.parameters)
            ]
        )

    @render.ui
    def sweep_point() -> Tag | None:
        folder = opened()
        if folder is None:
            return ui.p("Open a finished `sim sweep` folder: the sliders move over its design points.")
        values = {}
        for index, parameter in enumerate(folder.parameters):
            control = getattr(input, _sweep_input(index), None)
            if control is not None and control() is not None:
                values[parameter.name] = float(control())
        point = folder.nearest_point(values)
        from sim.report.formatting import format_metric, format_parameter

        rows = [(parameter.name, format_parameter(float(point[parameter.name]))) for parameter in folder.parameters]
        outcome_rows = [
            (style.metric_label(outcome), format_metric(outcome, float(point[outcome]))) for outcome in folder.outcomes
        ]
        return ui.div(
            ui.h4(f"Nearest design point ({folder.method} sweep, {len(folder.points)} points)"),
            _table(("parameter", "value"), rows),
            ui.h4("Outcomes at that point (mean of its replications)"),
            ui.div(_table(("outcome", "mean"), outcome_rows), id="sweep_outcomes"),
        )

    @render.image(delete_file=True)
    def sweep_tornado() -> Any:
        folder = opened()
        if folder is None:
            return None
        from sim.report.figures.sweeps import tornado_figure

        return _figure_image(
            tornado_figure(folder.points, folder.parameters, folder.outcomes),
            "Tornado: how far each outcome moves as each parameter crosses its range",
        )

    @render.image(delete_file=True)
    def sweep_indices() -> Any:
        folder = opened()
        if folder is None or folder.indices.empty:
            return None
        from sim.report.figures.sweeps import indices_figure

        return _figure_image(indices_figure(folder.indices, folder.method), "Sensitivity indices per outcome")


def _sweep_input(index: int) -> str:
    return f"sweep_parameter_{index}"


def _levers_ui(levers: list[Lever]) -> Tag | None:
    if not levers:
        return None
    groups: dict[str, list[Lever]] = {}
    for lever in levers:
        groups.setdefault(lever.group, []).append(lever)
    technical = ("Industry", "Adversary", "Catalog (threats, interceptors, effectors)", "Other")
    order = sorted(groups, key=lambda group: technical.index(group) + 1 if group in technical else 0)  # stable
    panels = []
    for group in order:
        members = groups[group]
        controls = []
        for lever in members:
            origin = "contested: its sourced range" if lever.contested else "a lever: 0 to twice its value"
            source = lever.source or ("assumption" if "assumption" in lever.note else "no source given")
            controls += [
                ui.input_slider(
                    lever.input_id, lever.label, min=lever.low, max=lever.high, value=lever.value, step=lever.step
                ),
                ui.tags.small(f"{origin}; source: {source}", class_="lever-source", title=lever.note or None),
            ]
        panels.append(ui.accordion_panel(f"{group} ({len(members)})", *controls, value=group))
    return ui.accordion(*panels, id="lever_groups", open=False, multiple=True)


def _count(value: Any, *, minimum: int = 2, default: int = DEFAULT_REPLICATIONS) -> int:
    """A whole number from a numeric input (empty or not a number: ``default``), at least ``minimum``; a count of
    replications at most :data:`MAX_REPLICATIONS`."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return default
    if not math.isfinite(number):
        return default
    whole = max(minimum, int(number))
    return min(whole, MAX_REPLICATIONS) if minimum else whole


def _relative(path: Path) -> str:
    """A path as a student types it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
