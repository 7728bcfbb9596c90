"""A map-like schematic of a scenario's regions: where they are, what defends them, where threats got through.

No map data is needed: every member state, Ukrainian region and site carries a schematic ``position_km`` in
the scenario, and the schematic draws them there. Each region is a labelled shape (a circle for a member
state on NATO territory, a hexagon for one of Ukraine's regions) shaded by the mean number of leakers; beside
it a strip of squares shows which air-defence layers are deployed there (filled: at least one fire unit), and
its label says how many threats got through and, for member states, on how many nights drones entered its
airspace. Sites (airports, bases, cities, energy, ports, industry) are small markers.

:func:`map_data` gathers the numbers from a scenario and a run's per-replication metrics;
:func:`deployed_fire_units` replays one replication to read where the fire units stand at the end;
:func:`map_figure` draws.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from matplotlib import colors as mcolors
from matplotlib import ticker
from matplotlib.cm import ScalarMappable
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Rectangle, RegularPolygon

from sim.report import style
from sim.scenario.catalog import LAYER_ORDER
from sim.scenario.model import Scenario

LAYER_NAMES: tuple[str, ...] = tuple(str(layer) for layer in LAYER_ORDER)
"""Air-defence layers in the order threats meet them."""

LAYER_LABELS: dict[str, str] = {
    "ew": "EW",
    "gun": "guns",
    "interceptor_drone": "interceptor drones",
    "fighter": "fighters",
    "short_range": "short range",
    "medium_range": "medium range",
    "long_range": "long range",
}
LAYER_COLOURS: dict[str, str] = {
    "ew": style.SKY_BLUE,
    "gun": style.BLACK,
    "interceptor_drone": style.BLUISH_GREEN,
    "fighter": style.REDDISH_PURPLE,
    "short_range": style.YELLOW,
    "medium_range": style.VERMILLION,
    "long_range": style.BLUE,
}
SITE_MARKERS: dict[str, str] = {
    "airport": "^",
    "air_base": "P",
    "city": "s",
    "energy": "*",
    "port": "v",
    "industry": "D",
}
REGION_RADIUS_KM = 36.0
"""Radius of a region's shape on the schematic."""


@dataclass(frozen=True)
class MapSite:
    """A site on the schematic."""

    name: str
    kind: str
    x_km: float
    y_km: float
    region: str


@dataclass(frozen=True)
class MapRegion:
    """A region on the schematic with what is deployed there and what happened to it."""

    name: str
    title: str
    x_km: float
    y_km: float
    is_ukraine: bool
    layers: dict[str, int] = field(default_factory=dict)  # fire units by layer
    leakers: float = math.nan  # mean over replications
    incursion_nights: float = math.nan  # mean over replications (member states only)


@dataclass(frozen=True)
class MapData:
    """Everything the schematic draws."""

    regions: tuple[MapRegion, ...]
    sites: tuple[MapSite, ...]
    layers_known: bool  # whether the layer strips come from a replay (False: nothing to draw)


def deployed_fire_units(scenario: Scenario, seed: int) -> dict[str, dict[str, int]]:
    """Fire units by region and effector at the end of one replication (replayed: a run is deterministic).

    Args:
        scenario: The resolved scenario of the run.
        seed: The replication's seed (from the manifest).

    Returns:
        ``{region: {effector: fire units}}`` with zero counts left out.
    """
    from sim.model.run import run_model

    model = run_model(scenario, seed)
    tables = model.tables
    deployed: dict[str, dict[str, int]] = {}
    for region_index, region in enumerate(tables.region_names):
        counts = model.fire_units[region_index]
        deployed[region] = {
            effector: int(count) for effector, count in zip(tables.effector_names, counts, strict=True) if count > 0
        }
    return deployed


def fire_units_by_layer(scenario: Scenario, fire_units: Mapping[str, int]) -> dict[str, int]:
    """Sum fire units by effector into fire units by layer (``ew``, ``gun`` … ``long_range``)."""
    layers: dict[str, int] = {}
    for effector, count in fire_units.items():
        definition = scenario.catalog.effectors.get(effector)
        if definition is None:
            continue
        layer = str(definition.layer)
        layers[layer] = layers.get(layer, 0) + int(count)
    return layers


def _mean(metrics: pd.DataFrame | None, column: str) -> float:
    if metrics is None or column not in metrics.columns:
        return math.nan
    values = metrics[column].to_numpy(dtype=float)
    values = values[np.isfinite(values)]
    return float(values.mean()) if values.size else math.nan


def map_data(
    scenario: Scenario,
    metrics: pd.DataFrame | None = None,
    fire_units: Mapping[str, Mapping[str, int]] | None = None,
) -> MapData:
    """Collect the schematic's regions, sites, deployed layers and outcomes.

    Args:
        scenario: The scenario (positions, names, sites).
        metrics: Per-replication metrics of the run (``leakers.<region>``, ``incursion_nights.<region>``).
        fire_units: Fire units by region and effector (see :func:`deployed_fire_units`); without it the
            member states' initial holdings are used and Ukraine's regions show no strip.

    Returns:
        The map data.
    """
    regions: list[MapRegion] = []
    sites: list[MapSite] = []
    for code, state in scenario.actors.member_states.items():
        if fire_units is not None:
            units = dict(fire_units.get(code, {}))
        else:
            units = {name: count.as_int() for name, count in state.inventory.fire_units.items()}
        regions.append(
            MapRegion(
                name=code,
                title=code,
                x_km=float(state.position_km[0]),
                y_km=float(state.position_km[1]),
                is_ukraine=False,
                layers=fire_units_by_layer(scenario, units),
                leakers=_mean(metrics, f"leakers.{code}"),
                incursion_nights=_mean(metrics, f"incursion_nights.{code}"),
            )
        )
        sites.extend(MapSite(s.name, str(s.kind), s.position_km[0], s.position_km[1], code) for s in state.sites)
    for region in scenario.actors.ukraine.regions:
        units = dict(fire_units.get(region.name, {})) if fire_units is not None else {}
        regions.append(
            MapRegion(
                name=region.name,
                title=region.name.capitalize(),
                x_km=float(region.position_km[0]),
                y_km=float(region.position_km[1]),
                is_ukraine=True,
                layers=fire_units_by_layer(scenario, units),
                leakers=_mean(metrics, f"leakers.{region.name}"),
            )
        )
        sites.extend(
            MapSite(s.name, str(s.kind), s.position_km[0], s.position_km[1], region.name) for s in region.sites
        )
    return MapData(tuple(regions), tuple(sites), layers_known=True)


def _leaker_norm(values: np.ndarray) -> mcolors.Normalize:
    finite = values[np.isfinite(values)]
    top = float(finite.max()) if finite.size else 1.0
    return mcolors.FuncNorm(
        (lambda x: np.log10(1.0 + np.maximum(x, 0.0)), lambda y: 10.0**y - 1.0), vmin=0.0, vmax=max(top, 1.0)
    )


def _count(value: float) -> str:
    if value == 0:
        return "0"
    return f"{value:,.0f}" if abs(value) >= 10 else f"{value:.1f}"


def _region_caption(region: MapRegion) -> str:
    lines = []
    if math.isfinite(region.leakers):
        lines.append(f"{_count(region.leakers)} leakers")
    if not region.is_ukraine and math.isfinite(region.incursion_nights) and region.incursion_nights > 0:
        lines.append(f"{_count(region.incursion_nights)} incursion nights")
    return "\n".join(lines)


@dataclass
class _Box:
    left: float
    bottom: float
    right: float
    top: float

    def overlap(self, other: _Box) -> float:
        width = min(self.right, other.right) - max(self.left, other.left)
        height = min(self.top, other.top) - max(self.bottom, other.bottom)
        return width * height if width > 0 and height > 0 else 0.0


def _label_candidates(
    region: MapRegion, strip_right: float, width: float, height: float
) -> list[tuple[_Box, str, float]]:
    """Boxes a region's label may take (left, above, below, right of its strip): box, alignment, anchor x."""
    gap = REGION_RADIUS_KM * 0.3
    x, y, radius = region.x_km, region.y_km, REGION_RADIUS_KM * 1.1
    left_edge = x - radius - gap
    return [
        (_Box(left_edge - width, y - height / 2, left_edge, y + height / 2), "right", left_edge),
        (_Box(x - width / 2, y + radius + gap, x + width / 2, y + radius + gap + height), "center", x),
        (_Box(x - width / 2, y - radius - gap - height, x + width / 2, y - radius - gap), "center", x),
        (_Box(strip_right + gap, y - height / 2, strip_right + gap + width, y + height / 2), "left", strip_right + gap),
    ]


@style.styled
def map_figure(data: MapData, *, title: str = "Regions, deployed layers and leakers") -> Figure:
    """Draw the schematic (see the module docstring).

    Labels are placed beside each region where they cover the fewest other shapes, strips, sites and labels.

    Args:
        data: What to draw (:func:`map_data`).
        title: The figure's title.

    Returns:
        The figure: one axes with the schematic (one bold name label per region, one shape per region, one
        strip of layer squares per region, one marker per site) and a colour bar of mean leakers.
    """
    width_in, height_in = 15.0, 9.5
    figure = Figure(figsize=(width_in, height_in), layout="constrained")
    ax = figure.subplots()
    leakers = np.array([region.leakers for region in data.regions], dtype=float)
    norm = _leaker_norm(leakers)
    cmap = leaker_colormap()
    square = REGION_RADIUS_KM * 0.55
    strip_width = len(LAYER_NAMES) * square * 1.08 if data.layers_known else 0.0

    xs = [region.x_km for region in data.regions] + [site.x_km for site in data.sites]
    ys = [region.y_km for region in data.regions] + [site.y_km for site in data.sites]
    x_limits = (min(xs) - 260, max(xs) + 260) if xs else (0.0, 1000.0)
    y_limits = (min(ys) - 130, max(ys) + 110) if ys else (0.0, 1000.0)
    # Kilometres per typographic point at the drawn scale (equal aspect; the axes take about 80% x 70%).
    km_per_point = max(
        (x_limits[1] - x_limits[0]) / (width_in * 0.8 * 72), (y_limits[1] - y_limits[0]) / (height_in * 0.7 * 72)
    )
    name_size, caption_size = 14.0, 10.5

    obstacles: list[_Box] = []
    for region in data.regions:
        radius = REGION_RADIUS_KM * 1.1
        obstacles.append(_Box(region.x_km - radius, region.y_km - radius, region.x_km + radius, region.y_km + radius))
        if data.layers_known:
            left = region.x_km + REGION_RADIUS_KM * 1.25
            obstacles.append(_Box(left, region.y_km - square / 2, left + strip_width, region.y_km + square / 2))
    for site in data.sites:
        obstacles.append(_Box(site.x_km - 8, site.y_km - 8, site.x_km + 8, site.y_km + 8))

    for region in data.regions:
        shade = cmap(norm(region.leakers)) if math.isfinite(region.leakers) else "white"
        edge = style.UKRAINE_COLOUR if region.is_ukraine else style.NATO_COLOUR
        shape: Circle | RegularPolygon
        if region.is_ukraine:
            shape = RegularPolygon(
                (region.x_km, region.y_km),
                numVertices=6,
                radius=REGION_RADIUS_KM * 1.1,
                facecolor=shade,
                edgecolor=edge,
                linewidth=3.5,
                zorder=2,
            )
        else:
            shape = Circle(
                (region.x_km, region.y_km), REGION_RADIUS_KM, facecolor=shade, edgecolor=edge, linewidth=3.5, zorder=2
            )
        shape.set_gid(f"region-{region.name}")
        ax.add_patch(shape)
        left = region.x_km + REGION_RADIUS_KM * 1.25
        if data.layers_known:
            for index, layer in enumerate(LAYER_NAMES):
                present = region.layers.get(layer, 0) > 0
                ax.add_patch(
                    Rectangle(
                        (left + index * square * 1.08, region.y_km - square / 2),
                        square,
                        square,
                        facecolor=LAYER_COLOURS[layer] if present else "white",
                        edgecolor=style.GREY if not present else style.BLACK,
                        linewidth=0.8,
                        zorder=3,
                        gid=f"layer-{region.name}-{layer}",
                    )
                )

        caption = _region_caption(region)
        caption_lines = caption.split("\n") if caption else []
        name_height = name_size * 1.25 * km_per_point
        caption_height = caption_size * 1.25 * km_per_point * len(caption_lines)
        width = km_per_point * max(
            [len(region.title) * name_size * 0.68] + [len(line) * caption_size * 0.58 for line in caption_lines]
        )
        height = name_height + caption_height
        candidates = _label_candidates(region, left + strip_width, width, height)
        scored = []
        for order, (box, align, anchor) in enumerate(candidates):
            cost = sum(box.overlap(other) for other in obstacles)
            scored.append((cost, order, box, align, anchor))
        _cost, _order, box, align, anchor = min(scored, key=lambda item: (item[0], item[1]))
        obstacles.append(box)
        ax.text(
            anchor,
            box.top,
            region.title,
            ha=align,
            va="top",
            fontsize=name_size,
            fontweight="bold",
            zorder=5,
            gid=f"label-{region.name}",
        )
        if caption:
            ax.text(
                anchor,
                box.top - name_height,
                caption,
                ha=align,
                va="top",
                fontsize=caption_size,
                zorder=5,
                linespacing=1.1,
            )
    for site in data.sites:
        ax.plot(
            site.x_km,
            site.y_km,
            marker=SITE_MARKERS.get(site.kind, "o"),
            markersize=7,
            color=style.BLACK,
            markeredgecolor="white",
            markeredgewidth=0.8,
            linestyle="",
            zorder=4,
        )
    ax.set_xlim(*x_limits)
    ax.set_ylim(*y_limits)
    ax.set_aspect("equal")
    ax.set_xlabel("schematic west → east (km)")
    ax.set_ylabel("schematic south → north (km)")
    ax.grid(False)
    colourbar = figure.colorbar(ScalarMappable(norm=norm, cmap=cmap), ax=ax, shrink=0.6, pad=0.01)
    colourbar.set_label("leakers, mean over replications (threats)")
    top = float(norm.vmax) if norm.vmax is not None else 1.0
    colourbar.set_ticks([0.0, *(tick for tick in (1, 3, 10, 30, 100, 300, 1000, 3000, 10000, 30000) if tick <= top)])
    colourbar.ax.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    handles = [
        Line2D([], [], marker="o", markersize=14, linestyle="", markerfacecolor="white", markeredgewidth=3,
               markeredgecolor=style.NATO_COLOUR, label="member state (NATO territory)"),
        Line2D([], [], marker="h", markersize=15, linestyle="", markerfacecolor="white", markeredgewidth=3,
               markeredgecolor=style.UKRAINE_COLOUR, label="Ukraine's region"),
    ]  # fmt: skip
    kinds = list(dict.fromkeys(site.kind for site in data.sites))
    handles += [
        Line2D(
            [], [], marker=SITE_MARKERS.get(kind, "o"), linestyle="", color=style.BLACK, label=kind.replace("_", " ")
        )
        for kind in kinds
    ]
    layer_handles = [
        Line2D([], [], marker="s", markersize=12, linestyle="", markerfacecolor=LAYER_COLOURS[layer],
               markeredgecolor=style.BLACK, label=LAYER_LABELS[layer])
        for layer in LAYER_NAMES
    ]  # fmt: skip
    figure.legend(handles=handles, loc="outside lower left", ncols=4, title="regions and sites")
    if data.layers_known:
        figure.legend(
            handles=layer_handles,
            loc="outside lower right",
            ncols=4,
            title="layers deployed (filled square: at least one fire unit)",
        )
    figure.suptitle(title)
    return figure


def leaker_colormap() -> mcolors.Colormap:
    """The leaker shading: light to mid grey, so the coloured layer squares and the side outlines stand out."""
    from matplotlib import colormaps

    greys = colormaps["Greys"]
    return mcolors.LinearSegmentedColormap.from_list("leakers", greys(np.linspace(0.03, 0.62, 64)))
