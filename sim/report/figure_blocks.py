"""Figure blocks that run and comparison reports share: the figures over time, the outcomes shown first, the map.

:class:`FigureSaver` has each figure drawn and saved in the folder's ``figures/`` (in this process, or side by side
on a pool's workers: :func:`render_figure` is the unit of work) and keeps its block and files, so a report's builder
only says which figure goes where, from which data, and what its caption tells the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from sim.experiment.executors import SerialExecutor
from sim.report import map as schematic
from sim.report.document import FigureBlock, Table
from sim.report.figures.layout import text_problems
from sim.report.figures.saving import FigureFiles, figure_files, save_figure
from sim.report.figures.timeseries import (
    BAND_NOTE,
    capability_figure,
    leakers_figure,
    orders_deliveries_figure,
    spend_figure,
    stocks_figure,
)
from sim.report.formatting import format_count, format_parameter
from sim.report.map_replay import MapReplay
from sim.scenario.model import Scenario

HEADLINE_METRICS: tuple[str, ...] = (
    "ukraine_drone_intercept_rate",
    "ukraine_leakers",
    "nato_leakers",
    "damage_meur",
    "value_protected_share",
    "interceptor_spend_meur",
    "cost_exchange_ratio",
    "ukraine_empty_magazine_days",
    "airport_closure_hours",
)
"""Metrics whose distributions and differences a report shows first (objectives' metrics are added), and of which
the key findings say whether they changed."""


def region_titles(scenario: Scenario) -> dict[str, str]:
    """Panel titles of the regions: ``Poland (PL)`` for a member state, ``Kyiv`` for a region of Ukraine."""
    titles = {code: f"{state.name} ({code})" for code, state in scenario.actors.member_states.items()}
    titles.update({region.name: region.name.capitalize() for region in scenario.actors.ukraine.regions})
    return titles


def render_figure(
    directory: Path, stem: str, draw: Callable[..., Figure], args: tuple[Any, ...], kwargs: dict[str, Any], check: bool
) -> list[str]:
    """Draw one figure and save it as ``<stem>.png`` and ``.svg``: the unit of work a report hands to a worker.

    Args:
        directory: Where the files go.
        stem: The file name without suffix.
        draw: A figure function of :mod:`sim.report.figures` or :mod:`sim.report.map` (module level, so that it
            reaches a worker process by name).
        args: Its positional arguments (plain data: DataFrames, scenarios, map data).
        kwargs: Its keyword arguments.
        check: Whether to look for text defects (:func:`~sim.report.figures.layout.text_problems`; one more
            drawing of the figure, so only tests ask for it).

    Returns:
        The text defects found (empty when not checked).
    """
    figure = draw(*args, **kwargs)
    problems = text_problems(figure) if check else []
    save_figure(figure, directory, stem, laid_out=check)
    return problems


class FigureSaver:
    """Draws and saves a report's figures, on the report's executor, and keeps their blocks.

    :meth:`add` returns a figure's block at once (its files' paths are known) and hands the drawing to the
    executor: in this process at once with the default :class:`~sim.experiment.executors.SerialExecutor`, or on a
    pool's workers, each figure a pure function of its data. :meth:`finish` waits for every figure; the report's
    text is rendered after it, from the files.
    """

    def __init__(self, directory: Path, executor: Executor | None = None, *, check_layout: bool = False) -> None:
        """Args:
        directory: Where the PNG and SVG files go.
        executor: Where figures are drawn (default: in this process, as they are added).
        check_layout: Record each figure's text defects in :attr:`layout_problems` (tests ask for it).
        """
        self.directory = directory
        self.executor: Executor = executor if executor is not None else SerialExecutor()
        self.check_layout = check_layout
        self.files: list[FigureFiles] = []
        self.layout_problems: dict[str, list[str]] = {}
        """Per figure stem, the text defects :func:`~sim.report.figures.layout.text_problems` found when
        ``check_layout`` is set (tests read it; an empty list is a clean figure); filled by :meth:`finish`."""
        self._pending: dict[str, Future[list[str]]] = {}

    def add(
        self, stem: str, title: str, caption: str, draw: Callable[..., Figure], /, *args: Any, **kwargs: Any
    ) -> FigureBlock:
        """Have ``draw(*args, **kwargs)`` drawn and saved as ``<stem>.png`` and ``.svg``; return its block."""
        files = figure_files(self.directory, stem)
        self.directory.mkdir(parents=True, exist_ok=True)
        self._pending[stem] = self.executor.submit(
            render_figure, self.directory, stem, draw, args, kwargs, self.check_layout
        )
        self.files.append(files)
        return FigureBlock(files, title, caption)

    def submit[**P, R](self, function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> Future[R]:
        """Other work a figure needs (the map's replay), on the same executor, started now."""
        return self.executor.submit(function, *args, **kwargs)

    def finish(self) -> None:
        """Wait until every figure is saved.

        Raises:
            Exception: The first error a figure raised, as it was raised.
        """
        for stem, pending in self._pending.items():
            self.layout_problems[stem] = pending.result()
        self._pending.clear()


def time_figures(
    saver: FigureSaver, timeseries: pd.DataFrame, scenario: Scenario, labels: dict[int, str] | None
) -> list[FigureBlock]:
    """The five figures over time: leakers per week, interceptor stocks, spend, orders and deliveries, targets.

    Args:
        saver: Where the figures go.
        timeseries: The long daily series of every replication (of every scenario, for a comparison).
        scenario: The (first) scenario: its regions and start date.
        labels: Scenario labels by point for a comparison; None for a single run.
    """
    start = scenario.start_date
    several = labels is not None and len(labels) > 1
    lines = "Each line is a scenario. " if several else ""
    blocks = [
        saver.add(
            "leakers_per_week",
            "Threats that got through, per week",
            f"{lines}Threats not stopped by any layer each whole week, on Ukraine and on NATO territory "
            f"(each panel has its own scale; an incomplete last week is left out). {BAND_NOTE}",
            leakers_figure,
            timeseries,
            labels=labels,
            start_date=start,
        ),
        saver.add(
            "interceptor_stocks",
            "Interceptors on hand by region",
            f"{lines}All interceptor types of a region together, in rounds (missiles, gun bursts and interceptor "
            f"drones alike), so a region's panel shows when its magazines run down or are refilled; each panel has "
            f"its own scale. {BAND_NOTE}",
            stocks_figure,
            timeseries,
            scenario.region_names(),
            region_titles=region_titles(scenario),
            ukraine_regions=[region.name for region in scenario.actors.ukraine.regions],
            labels=labels,
            start_date=start,
        ),
        saver.add(
            "cumulative_spend",
            "Cumulative spend",
            f"{lines}Running totals of the value of interceptors fired, of money committed to new orders, and of what "
            "the adversary's launches cost it. Read interceptor spend together with value protected (key outcomes): "
            f"a high cost-exchange ratio can still be a good trade. {BAND_NOTE}",
            spend_figure,
            timeseries,
            labels=labels,
            start_date=start,
        ),
        saver.add(
            "orders_deliveries",
            "Orders and deliveries",
            f"{lines}Running totals of units (fire units and interceptors) ordered and delivered; the gap between "
            f"ordered and delivered is what waits in industry's queues. {BAND_NOTE}",
            orders_deliveries_figure,
            timeseries,
            labels=labels,
            start_date=start,
        ),
        saver.add(
            "capability_targets",
            "NATO capability-target fulfilment",
            f"{lines}Mean over NATO's capability targets of min(1, fire units held ÷ target), day by day; 100% means "
            f"every target is met. {BAND_NOTE}",
            capability_figure,
            timeseries,
            labels=labels,
            start_date=start,
        ),
    ]
    return blocks


def outcome_names(scenarios: Sequence[Scenario], available: Sequence[str], *, hypotheses: bool = False) -> list[str]:
    """The outcomes a report shows first: the headline metrics, then every objective's metric, if recorded.

    With ``hypotheses`` (a comparison, which judges them), every hypothesis's metric comes after the headline
    metrics: the key findings speak of those and of the headline metrics only.
    """
    names = list(HEADLINE_METRICS)
    stated = [hypothesis.metric for scenario in scenarios for hypothesis in scenario.hypotheses] if hypotheses else []
    objectives = [objective.metric for scenario in scenarios for objective in scenario.objectives]
    for metric in [*stated, *objectives]:
        if metric not in names:
            names.append(metric)
    return [name for name in names if name in set(available)]


def map_figure_block(
    saver: FigureSaver,
    scenario: Scenario,
    metrics: pd.DataFrame,
    replay: MapReplay | None,
    stem: str,
    title: str,
    *,
    caption: str | None = None,
) -> tuple[FigureBlock, Table | None]:
    """The map schematic of a scenario and, when a replication is replayed for it, the table of deployed layers.

    Args:
        saver: Where the figure goes.
        scenario: The scenario drawn.
        metrics: Its successful replications (the mean leakers and incursion nights shade the regions).
        replay: The replay of the first replication (:func:`~sim.report.map_replay.start_map_replay`), whose
            layers at the end are drawn; None: the member states' holdings at the start.
        stem: The figure's file name.
        title: The figure's title.
        caption: A caption in place of the full one (later maps of a comparison refer to the first).

    Returns:
        The figure block and the table of fire units by region and layer (None without a replayed seed).
    """
    deployed = replay.deployed() if replay is not None else None
    data = schematic.map_data(scenario, metrics, deployed)
    when = (
        f"at the end of replication 1 (seed {replay.seed}, replayed)"
        if replay is not None
        else "at the start (member states' holdings)"
    )
    caption = caption or (
        "Positions are schematic, taken from the scenario (not a geographic map). Circles are member states "
        "(NATO territory), hexagons Ukraine's regions; each is shaded by its mean number of leakers (darker: more) "
        "and labelled with it and, for member states, the mean number of nights drones entered its airspace. "
        f"The strip of squares beside each region shows the air-defence layers deployed there {when}, in the order "
        "threats meet them: EW, guns, interceptor drones, fighters, short, medium and long range (filled: at least "
        "one fire unit). Small black markers are sites (airports, bases, cities, energy, ports, industry)."
    )
    block = saver.add(stem, title, caption, schematic.map_figure, data, title=title)
    if deployed is None:
        return block, None
    layers = schematic.LAYER_NAMES
    rows = []
    for region in data.regions:
        rows.append(
            (
                region.title,
                "Ukraine" if region.is_ukraine else "NATO",
                *(format_parameter(region.layers.get(layer, 0)) for layer in layers),
                format_count(region.leakers),
            )
        )
    table = Table(
        ("region", "side", *(schematic.LAYER_LABELS[layer] for layer in layers), "mean leakers"),
        tuple(rows),
        caption=f"Fire units deployed by region and layer {when}.",
        numeric=tuple(range(2, 3 + len(layers))),
    )
    return block, table
