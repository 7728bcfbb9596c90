"""Figure blocks that run and comparison reports share: the figures over time, the outcomes shown first, the map.

:class:`FigureSaver` draws each figure, saves it in the folder's ``figures/`` and keeps its block and files, so a
report's builder only says which figure goes where and what its caption tells the reader.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from sim.report import map as schematic
from sim.report.document import FigureBlock, Table
from sim.report.figures.layout import text_problems
from sim.report.figures.saving import FigureFiles, save_figure
from sim.report.figures.timeseries import (
    BAND_NOTE,
    capability_figure,
    leakers_figure,
    orders_deliveries_figure,
    spend_figure,
    stocks_figure,
)
from sim.report.formatting import format_count, format_parameter
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


class FigureSaver:
    """Saves figures as they are made and keeps their blocks."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.files: list[FigureFiles] = []
        self.layout_problems: dict[str, list[str]] = {}
        """Per figure stem, the text defects :func:`~sim.report.figures.layout.text_problems` found (tests read
        it; an empty list is a clean figure)."""

    def add(self, stem: str, title: str, caption: str, make: Callable[[], Any]) -> FigureBlock:
        """Draw a figure with ``make``, save it as ``<stem>.png`` and ``.svg`` and return its block."""
        figure = make()
        self.layout_problems[stem] = text_problems(figure)
        files = save_figure(figure, self.directory, stem)
        self.files.append(files)
        return FigureBlock(files, title, caption)


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
            lambda: leakers_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "interceptor_stocks",
            "Interceptors on hand by region",
            f"{lines}All interceptor types of a region together, in rounds (missiles, gun bursts and interceptor "
            f"drones alike), so a region's panel shows when its magazines run down or are refilled; each panel has "
            f"its own scale. {BAND_NOTE}",
            lambda: stocks_figure(
                timeseries,
                scenario.region_names(),
                region_titles=region_titles(scenario),
                ukraine_regions=[region.name for region in scenario.actors.ukraine.regions],
                labels=labels,
                start_date=start,
            ),
        ),
        saver.add(
            "cumulative_spend",
            "Cumulative spend",
            f"{lines}Running totals of the value of interceptors fired, of money committed to new orders, and of what "
            "the adversary's launches cost it. Read interceptor spend together with value protected (key outcomes): "
            f"a high cost-exchange ratio can still be a good trade. {BAND_NOTE}",
            lambda: spend_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "orders_deliveries",
            "Orders and deliveries",
            f"{lines}Running totals of units (fire units and interceptors) ordered and delivered; the gap between "
            f"ordered and delivered is what waits in industry's queues. {BAND_NOTE}",
            lambda: orders_deliveries_figure(timeseries, labels=labels, start_date=start),
        ),
        saver.add(
            "capability_targets",
            "NATO capability-target fulfilment",
            f"{lines}Mean over NATO's capability targets of min(1, fire units held ÷ target), day by day; 100% means "
            f"every target is met. {BAND_NOTE}",
            lambda: capability_figure(timeseries, labels=labels, start_date=start),
        ),
    ]
    return blocks


def outcome_names(scenarios: Sequence[Scenario], available: Sequence[str]) -> list[str]:
    """The outcomes a report shows first: the headline metrics, then every objective's metric, if recorded."""
    names = list(HEADLINE_METRICS)
    for scenario in scenarios:
        for objective in scenario.objectives:
            if objective.metric not in names:
                names.append(objective.metric)
    return [name for name in names if name in set(available)]


def map_figure_block(
    saver: FigureSaver,
    scenario: Scenario,
    metrics: pd.DataFrame,
    seed: int | None,
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
        seed: The seed of the replication replayed to find the layers deployed at the end; None: the start.
        stem: The figure's file name.
        title: The figure's title.
        caption: A caption in place of the full one (later maps of a comparison refer to the first).

    Returns:
        The figure block and the table of fire units by region and layer (None without a replayed seed).
    """
    deployed = schematic.deployed_fire_units(scenario, seed) if seed is not None else None
    data = schematic.map_data(scenario, metrics, deployed)
    when = (
        f"at the end of replication 1 (seed {seed}, replayed)"
        if seed is not None
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
    block = saver.add(stem, title, caption, lambda: schematic.map_figure(data, title=title))
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
