"""The page (Shiny for Python): Explore, Compare and Sweep tabs, a projector mode, and each session's own state.

Everything a session holds — its scenario, its jobs, its sliders — lives in the ``server`` function, which Shiny
calls once per browser session; the only things shared are the run queue with its process pool and cache
(:class:`~sim.app.jobs.RunQueue`) and the folder runs are written to. The page loads nothing from the internet:
Shiny serves its own scripts and styles, the styles below name only system fonts, and figures are PNGs drawn here.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from htmltools import Tag, TagList
from shiny import App, Inputs, Outputs, Session, reactive, render, ui

from sim import api
from sim.app.jobs import Job, job_key
from sim.app.levers import Lever, command_line, lever_overrides, scenario_levers, upload_setup
from sim.app.panel import AppSettings, results_panel_server, results_panel_ui
from sim.app.sweep_tab import sweep_server, sweep_tab
from sim.experiment.compare import unique_labels
from sim.report import style
from sim.scenario.errors import ScenarioError
from sim.scenario.files import MAX_FILE_BYTES, shipped_scenarios_folder
from sim.scenario.model import Scenario

__all__ = ["AppSettings", "build_app", "shipped_scenarios"]

DEFAULT_REPLICATIONS = 20
MAX_REPLICATIONS = 1000
"""The most replications a page may ask for per scenario (the command line allows more)."""

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
body.projector, body.projector .bslib-sidebar-layout, body.projector .card, body.projector .table {{
  --bs-body-color: #fff; --bs-body-bg: #000; --bs-emphasis-color: #fff; --bs-heading-color: #fff;
  --bs-secondary-color: #ddd; --bs-tertiary-color: #ccc; --bs-card-color: #fff; --bs-card-bg: #000;
  --bs-card-cap-color: #fff; --bs-card-cap-bg: #000; --bs-table-color: #fff; --bs-table-bg: #000;
  --bs-table-striped-color: #fff; --bs-table-hover-color: #fff; --bs-border-color: #fff;
  --bslib-sidebar-main-fg: #fff; --bslib-sidebar-main-bg: #000; --bslib-sidebar-fg: #fff; --bslib-sidebar-bg: #000;
}}
body.projector .main, body.projector pre, body.projector code {{ color: #fff; background-color: #000; }}
body.projector h1, body.projector h2, body.projector h3, body.projector h4, body.projector h5, body.projector h6,
body.projector label, body.projector .form-text, body.projector .shiny-input-container {{ color: #fff; }}
body.projector .btn-outline-secondary, body.projector .btn-default, body.projector .btn-file,
body.projector .btn-outline-danger {{ color: #fff; border-color: #fff; background-color: #000; }}
body.projector pre.command {{ border: 1px solid #fff; padding: 0.5em; }}
body.projector .problem {{ color: {style.ORANGE}; }}
body.projector a {{ color: {style.SKY_BLUE}; }}
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


def shipped_scenarios() -> dict[str, str]:
    """The shipped scenario files, ``{path: file name}`` (empty without the project's ``scenarios/`` folder)."""
    folder = shipped_scenarios_folder()
    if folder is None:
        return {}
    return {str(path): path.name for path in sorted(folder.glob("*.yaml"))}


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
                ui.output_ui("run_message"),
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
                ui.input_numeric(
                    "compare_replications", "Replications", DEFAULT_REPLICATIONS, min=2, max=MAX_REPLICATIONS
                ),
                ui.input_numeric("compare_seed", "Seed", 1, min=0),
                ui.output_ui("compare_message"),
                ui.input_action_button("compare_run", "Run the comparison", class_="btn-primary"),
                width="420px",
            ),
            results_panel_ui("compare_results"),
        ),
    )


def _page() -> Tag:
    return ui.page_navbar(
        _explore_tab(),
        _compare_tab(),
        sweep_tab(),
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
    setup: str = ""
    """A shell line to type before the command line (an upload's ``extends``: :func:`upload_setup`), or ""."""


def build_app(settings: AppSettings) -> App:
    """The Shiny app: the page and the per-session server."""

    def server(input: Inputs, output: Outputs, session: Session) -> None:
        loaded: reactive.Value[_Loaded | None] = reactive.value(None)
        problem = reactive.value("")
        explore_job: reactive.Value[Job | None] = reactive.value(None)
        compare_job: reactive.Value[Job | None] = reactive.value(None)
        compare_problem = reactive.value("")
        run_problem = reactive.value("")
        results_panel_server("explore_results", explore_job, settings)
        results_panel_server("compare_results", compare_job, settings)

        def set_loaded(reference: str, load: Callable[[list[str]], Scenario], setup: str = "") -> None:
            try:
                scenario = load([])
            except ScenarioError as error:
                problem.set(str(error))
                return
            problem.set("")
            loaded.set(_Loaded(scenario, reference, load, setup))
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
            set_loaded(
                name, lambda overrides: api.load_uploaded_scenario(raw, name, overrides), upload_setup(raw, name)
            )

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
            try:
                replications, seed = replications_and_seed(input.replications(), input.seed())
            except ValueError as error:
                run_problem.set(str(error))
                return
            run_problem.set("")
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
                command="\n".join(
                    filter(None, [current.setup, command_line(current.reference, overrides, replications, seed)])
                ),
            )
            explore_job.set(settings.queue.submit(job))

        @reactive.effect
        @reactive.event(input.compare_scenarios)
        def _compare_base_seed() -> None:
            """The seed starts at the base scenario's, as in Explore and on the command line (``sim compare``)."""
            paths = list(input.compare_scenarios() or [])
            if not paths:
                return
            try:
                base = api.load_scenario(paths[0])
            except ScenarioError:
                return  # said when the comparison is run
            ui.update_numeric("compare_seed", value=base.seed)

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
            try:
                replications, seed = replications_and_seed(input.compare_replications(), input.compare_seed())
            except ValueError as error:
                compare_problem.set(str(error))
                return
            compare_problem.set("")
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
        def run_message() -> Tag | None:
            text = run_problem()
            return ui.div(text, class_="problem", role="alert") if text else None

        @render.ui
        def compare_message() -> Tag | None:
            text = compare_problem()
            return ui.div(text, class_="problem", role="alert") if text else None

        sweep_server(input, settings)

    return App(_page(), server)


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


def whole_number(value: Any, field: str, minimum: int, maximum: int | None = None) -> int:
    """The whole number a numeric input holds, or a refusal that says what the field allows (never a changed value).

    Args:
        value: The input's value (None when the field is empty).
        field: The field's label, for the message.
        minimum: The smallest allowed.
        maximum: The largest allowed (None: no limit).

    Raises:
        ValueError: The field is empty, not a whole number or out of range; the message names the field, what it
            holds and what is allowed.
    """
    allowed = f"a whole number, {minimum} or more" if maximum is None else f"a whole number from {minimum} to {maximum}"
    try:
        number = float(value)
    except (TypeError, ValueError):
        held = "is empty" if value is None or str(value).strip() == "" else f"holds {value!r}"
        raise ValueError(f"{field} {held}: give {allowed}.") from None
    if (
        not (math.isfinite(number) and number.is_integer())
        or number < minimum
        or (maximum is not None and number > maximum)
    ):
        raise ValueError(f"{field}: {number:g} is not allowed; give {allowed}.")
    return int(number)


def replications_and_seed(replications: Any, seed: Any) -> tuple[int, int]:
    """A run's replications (2 to :data:`MAX_REPLICATIONS`) and seed (0 or more) from their fields (see
    :func:`whole_number`, whose refusal this raises)."""
    return whole_number(replications, "Replications", 2, MAX_REPLICATIONS), whole_number(seed, "Seed", 0)


def _relative(path: Path) -> str:
    """A path as a student types it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
