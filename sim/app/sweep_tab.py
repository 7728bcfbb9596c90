"""The Sweep tab: open a finished ``sim sweep`` folder; a slider per varied parameter jumps to the nearest design point
(nothing runs), beside the sweep report's tornado and indices figures."""

from __future__ import annotations

from typing import Any

from htmltools import Tag
from shiny import Inputs, reactive, render, ui

from sim.app.panel import AppSettings, figure_image, table
from sim.app.sweeps import SweepFolder, SweepFolderError, find_sweep_folders, open_sweep_folder, slider_step
from sim.report import style

__all__ = ["sweep_server", "sweep_tab"]


def sweep_tab() -> Any:
    """The tab's controls and outputs."""
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


def sweep_server(input: Inputs, settings: AppSettings) -> None:
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
            table(("parameter", "value"), rows),
            ui.h4("Outcomes at that point (mean of its replications)"),
            ui.div(table(("outcome", "mean"), outcome_rows), id="sweep_outcomes"),
        )

    @render.image(delete_file=True)
    def sweep_tornado() -> Any:
        folder = opened()
        if folder is None:
            return None
        from sim.report.figures.sweeps import tornado_figure

        return figure_image(
            tornado_figure(folder.points, folder.parameters, folder.outcomes),
            "Tornado: how far each outcome moves as each parameter crosses its range",
        )

    @render.image(delete_file=True)
    def sweep_indices() -> Any:
        folder = opened()
        if folder is None or folder.indices.empty:
            return None
        from sim.report.figures.sweeps import indices_figure

        return figure_image(indices_figure(folder.indices, folder.method), "Sensitivity indices per outcome")


def _sweep_input(index: int) -> str:
    return f"sweep_parameter_{index}"
