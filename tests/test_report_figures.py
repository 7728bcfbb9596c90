"""Each report figure, built from a small real run (or synthetic frames with known numbers), checked for content.

Not just "a file exists": the number of panels, lines and bands, axis labels with units, titles, no NaN in what is
drawn, and the plotted numbers themselves against values computed independently from the run's tables.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.container import BarContainer
from matplotlib.figure import Figure
from matplotlib.patches import Circle, Rectangle, RegularPolygon
from test_report_support import SWEEP_PARAMETERS, real_run, sweep_outcome

from sim.analysis.designs import Parameter
from sim.analysis.sensitivity import swings
from sim.experiment.replications import RunResults
from sim.report import map as schematic
from sim.report import style
from sim.report.figure_blocks import HEADLINE_METRICS
from sim.report.figures.axes import CompactFormatter, compact_number, date_ticks, figure_has_nan
from sim.report.figures.comparisons import comparison_figure
from sim.report.figures.distributions import distributions_figure, objectives_figure
from sim.report.figures.saving import save_figure
from sim.report.figures.sweeps import indices_figure, sweep_scatter_figure, tornado_figure
from sim.report.figures.timeseries import (
    capability_figure,
    leakers_figure,
    orders_deliveries_figure,
    spend_figure,
    stocks_figure,
)


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    return real_run(tmp_path_factory)


@pytest.fixture(scope="module")
def timeseries(results: RunResults) -> pd.DataFrame:
    return results.timeseries()


@pytest.fixture(scope="module")
def ok_metrics(results: RunResults) -> pd.DataFrame:
    return results.metrics[results.metrics["status"] == "ok"]


def bands(ax) -> list[PolyCollection]:  # type: ignore[no-untyped-def]
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def assert_clean(figure: Figure) -> None:
    assert not figure_has_nan(figure)
    assert figure.get_suptitle()


# ----------------------------------------------------------------------------------------------------------------
# Time series with bands
# ----------------------------------------------------------------------------------------------------------------


def test_leakers_per_week_has_two_panels_with_band_and_weekly_sums(
    timeseries: pd.DataFrame, results: RunResults
) -> None:
    figure = leakers_figure(timeseries, start_date=results.scenario.start_date)
    axes = figure.axes
    assert [ax.get_title(loc="left") for ax in axes] == ["Ukraine", "NATO territory"]
    for ax, column in zip(axes, ("ukraine_leakers", "nato_leakers"), strict=True):
        assert len(ax.get_lines()) == 1 and len(bands(ax)) == 1
        assert ax.get_ylabel() == "leakers per week (threats)"
        assert ax.get_xlabel() == "date"
        # 30 days: four whole weeks; the two days of the fifth are left out.
        expected = (
            timeseries[timeseries["day"] < 28]
            .assign(week=lambda frame: frame["day"] // 7)
            .groupby(["replication", "week"])[column]
            .sum()
            .groupby("week")
            .mean()
        )
        np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), expected.to_numpy())
    assert_clean(figure)


def test_stocks_have_one_panel_per_region_with_line_and_band(timeseries: pd.DataFrame, results: RunResults) -> None:
    scenario = results.scenario
    regions = scenario.region_names()
    figure = stocks_figure(
        timeseries,
        regions,
        region_titles={"PL": "Poland (PL)"},
        ukraine_regions=[region.name for region in scenario.actors.ukraine.regions],
        start_date=scenario.start_date,
    )
    axes = figure.axes
    assert len(axes) == len(regions) == 16
    assert axes[0].get_title(loc="left") == "Poland (PL)"
    assert [ax.get_title(loc="left") for ax in axes[1:]] == regions[1:]
    for index, (ax, region) in enumerate(zip(axes, regions, strict=True)):
        assert len(ax.get_lines()) == 1 and len(bands(ax)) == 1
        day0 = timeseries.loc[timeseries["day"] == 0, f"stock.{region}"].mean()
        assert ax.get_lines()[0].get_ydata()[0] == pytest.approx(day0)
        colour = ax.get_lines()[0].get_color()
        assert colour == (style.UKRAINE_COLOUR if region in ("kyiv", "lviv") or index >= 10 else style.NATO_COLOUR)
        if index % 4 == 0:
            assert ax.get_ylabel() == "interceptors\n(rounds)"
    assert [ax.get_xlabel() for ax in axes[-4:]] == ["date"] * 4
    assert_clean(figure)


def test_cumulative_spend_ends_at_the_run_metrics(timeseries: pd.DataFrame, ok_metrics: pd.DataFrame) -> None:
    figure = spend_figure(timeseries)
    (ax,) = figure.axes
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == [
        "interceptors fired",
        "orders placed (procurement)",
        "adversary's launches",
    ]
    assert len(bands(ax)) == 3
    assert ax.get_ylabel() == "cumulative spend (€ million)"
    assert ax.get_xlabel() == "day of the scenario (days)"
    # The last day of the cumulative mean is the mean of the per-replication metric.
    assert lines[0].get_ydata()[-1] == pytest.approx(ok_metrics["interceptor_spend_meur"].mean())
    assert lines[1].get_ydata()[-1] == pytest.approx(ok_metrics["procurement_spend_meur"].mean())
    assert np.all(np.diff(lines[0].get_ydata()) >= 0)
    assert ax.get_ylim()[0] == 0.0
    assert_clean(figure)


def test_orders_and_deliveries(timeseries: pd.DataFrame, ok_metrics: pd.DataFrame) -> None:
    figure = orders_deliveries_figure(timeseries)
    (ax,) = figure.axes
    ordered, delivered = ax.get_lines()
    assert (ordered.get_label(), delivered.get_label()) == ("ordered", "delivered")
    assert len(bands(ax)) == 2
    assert ax.get_ylabel() == "cumulative units (units)"
    assert ordered.get_ydata()[-1] == pytest.approx(ok_metrics["units_ordered"].mean())
    assert delivered.get_ydata()[-1] == pytest.approx(ok_metrics["units_delivered"].mean())
    assert_clean(figure)


def test_capability_fulfilment_is_drawn_in_percent(timeseries: pd.DataFrame, ok_metrics: pd.DataFrame) -> None:
    figure = capability_figure(timeseries)
    (ax,) = figure.axes
    (line,) = ax.get_lines()
    assert len(bands(ax)) == 1
    assert ax.get_ylabel() == "targets fulfilled (%)"
    assert line.get_ydata()[-1] == pytest.approx(100 * ok_metrics["capability_target_fulfilment"].mean())
    assert ax.get_ylim() == (0.0, 100.0)
    assert_clean(figure)


def test_a_series_without_values_draws_nothing_and_says_so(timeseries: pd.DataFrame) -> None:
    empty = timeseries.assign(capability_target_fulfilment=np.nan)
    figure = capability_figure(empty)
    (ax,) = figure.axes
    assert ax.get_lines() == [] and bands(ax) == []
    assert [text.get_text() for text in ax.texts] == ["no data"]


def test_several_points_give_one_line_per_scenario_and_a_panel_per_series(timeseries: pd.DataFrame) -> None:
    second = timeseries.assign(point=1, ukraine_leakers=timeseries["ukraine_leakers"] * 2)
    both = pd.concat([timeseries, second], ignore_index=True)
    figure = spend_figure(both, labels={0: "baseline", 1: "variant"})
    assert len(figure.axes) == 3
    for ax in figure.axes:
        assert [line.get_label() for line in ax.get_lines()] == ["baseline", "variant"]
        assert [line.get_linestyle() for line in ax.get_lines()] == ["-", "--"]
        assert len(bands(ax)) == 2
    leakers = leakers_figure(both, labels={0: "baseline", 1: "variant"})
    ukraine = leakers.axes[0].get_lines()
    np.testing.assert_allclose(ukraine[1].get_ydata(), 2 * ukraine[0].get_ydata())


def full_horizon(days: int = 1218, replications: int = 2) -> pd.DataFrame:
    """A baseline-length daily series of zeros (two replications) to put spikes and troughs into."""
    frame = pd.DataFrame(
        {
            "point": 0,
            "replication": np.repeat(np.arange(replications), days),
            "day": np.tile(np.arange(days), replications),
        }
    )
    return frame.assign(ukraine_leakers=0.0, nato_leakers=0.0, **{"stock.PL": 500.0})


def test_every_week_is_drawn_with_its_spike() -> None:
    # 174 whole weeks; drawing every other week (the old thinning) lost week 1, the Poland incursion's.
    frame = full_horizon()
    frame.loc[frame["day"] == 9, "nato_leakers"] = [14.0, 16.0]
    figure = leakers_figure(frame, start_date=dt.date(2025, 9, 1))
    nato = figure.axes[1].get_lines()[0]
    expected = np.zeros(174)
    expected[1] = 15.0
    np.testing.assert_array_equal(nato.get_ydata(), expected)
    assert list(nato.get_xdata()[:2]) == [np.datetime64("2025-09-01"), np.datetime64("2025-09-08")]
    (band,) = bands(figure.axes[1])
    assert band.get_paths()[0].vertices[:, 1].max() == pytest.approx(15.9)  # 95th percentile of 14 and 16


def test_a_one_day_stock_trough_and_peak_survive_drawing() -> None:
    # 1,218 days are drawn through about 300 points, but the lowest and highest days stay: the old thinning kept
    # every 9th day (0, 9, …, 99, 108, …) and lost day 100's trough.
    frame = full_horizon()
    frame.loc[frame["day"] == 100, "stock.PL"] = [20.0, 40.0]
    frame.loc[frame["day"] == 701, "stock.PL"] = 900.0
    figure = stocks_figure(frame, ["PL"], start_date=dt.date(2025, 9, 1))
    line = figure.axes[0].get_lines()[0]
    values = np.asarray(line.get_ydata())
    assert len(values) <= 302
    assert values.min() == 30.0 and values.max() == 900.0
    assert line.get_xdata()[np.argmin(values)] == np.datetime64("2025-09-01") + np.timedelta64(100, "D")
    assert values[0] == 500.0 and values[-1] == 500.0
    (band,) = bands(figure.axes[0])
    assert band.get_paths()[0].vertices[:, 1].min() == pytest.approx(21.0)  # 5th percentile of 20 and 40


# ----------------------------------------------------------------------------------------------------------------
# Distributions and objectives
# ----------------------------------------------------------------------------------------------------------------


def test_distributions_have_a_panel_per_metric_and_a_dot_per_replication(ok_metrics: pd.DataFrame) -> None:
    names = [*HEADLINE_METRICS, "not_a_metric"]
    figure = distributions_figure(ok_metrics, names)
    axes = figure.axes
    assert len(axes) == len(HEADLINE_METRICS)
    for ax, name in zip(axes, HEADLINE_METRICS, strict=True):
        assert ax.get_title(loc="left") == style.metric_label(name)
        unit = style.unit_label(style.metric_unit(name))
        assert ax.get_xlabel() == f"value ({unit})"
        (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(dots.get_offsets()) == 3
        scale = 100.0 if style.is_share(name) else 1.0
        mean_tick = [line for line in ax.get_lines() if line.get_marker() == "|"]
        assert mean_tick[0].get_xdata()[0] == pytest.approx(ok_metrics[name].mean() * scale)
    assert axes[0].get_xlabel() == "value (%)"
    assert_clean(figure)


def test_objectives_figure_marks_each_probability(results: RunResults) -> None:
    objectives = results.objectives
    figure = objectives_figure(objectives)
    (ax,) = figure.axes
    labels = [tick.get_text() for tick in ax.get_yticklabels()]
    assert labels == list(reversed(objectives["name"].tolist()))
    markers = [line for line in ax.get_lines() if line.get_marker() not in ("None", "", None) and len(line.get_xdata())]
    probabilities = sorted(100 * objectives["probability"].to_numpy())
    assert sorted(float(line.get_xdata()[0]) for line in markers if line.get_linestyle() == "None") == pytest.approx(
        probabilities
    )
    assert "probability the objective is met (%)" in ax.get_xlabel()
    assert_clean(figure)


# ----------------------------------------------------------------------------------------------------------------
# The map schematic
# ----------------------------------------------------------------------------------------------------------------


def test_map_has_one_label_shape_and_layer_strip_per_region(results: RunResults, ok_metrics: pd.DataFrame) -> None:
    scenario = results.scenario
    deployed = schematic.deployed_fire_units(scenario, results.seeds[0])
    data = schematic.map_data(scenario, ok_metrics, deployed)
    figure = schematic.map_figure(data)
    ax = figure.axes[0]
    regions = scenario.region_names()
    labels = [text.get_text() for text in ax.texts if (text.get_gid() or "").startswith("label-")]
    expected_titles = [*scenario.actors.member_states, *(r.name.capitalize() for r in scenario.actors.ukraine.regions)]
    assert sorted(labels) == sorted(expected_titles)
    assert len(labels) == len(regions)
    circles = [p for p in ax.patches if isinstance(p, Circle)]
    hexagons = [p for p in ax.patches if isinstance(p, RegularPolygon)]
    assert len(circles) == len(scenario.actors.member_states) and len(hexagons) == len(scenario.actors.ukraine.regions)
    squares = [p for p in ax.patches if isinstance(p, Rectangle) and (p.get_gid() or "").startswith("layer-")]
    assert len(squares) == len(regions) * len(schematic.LAYER_NAMES)
    # A square is filled exactly where the replayed replication holds a fire unit of that layer.
    kyiv = {region.name: region for region in data.regions}["kyiv"]
    for square in squares:
        _, region, layer = (square.get_gid() or "").split("-", 2)
        if region == "kyiv":
            filled = square.get_facecolor()[:3] != (1.0, 1.0, 1.0)
            assert filled == (kyiv.layers.get(layer, 0) > 0)
    sites = sum(len(state.sites) for state in scenario.actors.member_states.values()) + sum(
        len(region.sites) for region in scenario.actors.ukraine.regions
    )
    assert len(ax.get_lines()) == sites
    assert "km" in ax.get_xlabel() and "km" in ax.get_ylabel()
    assert len(figure.axes) == 2  # the map and its colour bar of leakers
    assert "leakers" in figure.axes[1].get_ylabel()
    by_name = {region.name: region for region in data.regions}
    assert by_name["PL"].leakers == pytest.approx(ok_metrics["leakers.PL"].mean())
    assert by_name["RO"].incursion_nights == pytest.approx(ok_metrics["incursion_nights.RO"].mean())
    assert not figure_has_nan(figure)


def test_map_without_a_replay_uses_initial_holdings(results: RunResults) -> None:
    data = schematic.map_data(results.scenario)
    by_name = {region.name: region for region in data.regions}
    assert by_name["PL"].layers.get("long_range") == 2  # two Patriot batteries in the baseline
    assert by_name["kyiv"].layers == {}
    figure = schematic.map_figure(data)
    assert len([text for text in figure.axes[0].texts if (text.get_gid() or "").startswith("label-")]) == 16


# ----------------------------------------------------------------------------------------------------------------
# Comparison (synthetic, known numbers)
# ----------------------------------------------------------------------------------------------------------------


COMPARISON = pd.DataFrame(
    {
        "scenario": ["base", "base", "wall", "wall", "transfer", "transfer"],
        "metric": ["nato_leakers", "ukraine_drone_intercept_rate"] * 3,
        "diff_mean": [0.0, 0.0, -3.0, -0.02, 1.0, 0.01],
        "diff_low": [0.0, 0.0, -4.0, -0.03, -1.0, 0.005],
        "diff_high": [0.0, 0.0, -2.0, -0.01, 3.0, 0.015],
    }
)


def test_comparison_figure_draws_each_difference_with_its_interval() -> None:
    names = ["nato_leakers", "ukraine_drone_intercept_rate"]
    figure = comparison_figure(COMPARISON, names, baseline="base", scenarios=["base", "wall", "transfer"])
    leakers_ax, rate_ax = figure.axes[:2]
    assert leakers_ax.get_title(loc="left").startswith("NATO leakers\n(lower is better)")
    assert leakers_ax.get_xlabel() == "difference from base (threats)"
    assert rate_ax.get_xlabel() == "difference from base (percentage points)"
    assert [tick.get_text() for tick in leakers_ax.get_yticklabels()] == ["transfer", "wall"]

    def drawn(ax):  # type: ignore[no-untyped-def]
        intervals = [line for line in ax.get_lines() if (line.get_gid() or "").startswith("interval-")]
        means = [line for line in ax.get_lines() if (line.get_gid() or "").startswith("difference-")]
        return intervals, means

    intervals, means = drawn(leakers_ax)
    assert sorted(tuple(line.get_xdata()) for line in intervals) == [(-4.0, -2.0), (-1.0, 3.0)]
    wall = next(line for line in means if line.get_gid() == "difference-wall")
    transfer = next(line for line in means if line.get_gid() == "difference-transfer")
    assert (wall.get_ydata()[0], transfer.get_ydata()[0]) == (1, 0)  # in the given order, top to bottom
    assert wall.get_xdata()[0] == -3.0 and wall.get_color() == style.BETTER_COLOUR
    assert transfer.get_xdata()[0] == 1.0 and transfer.get_color() == style.UNCLEAR_COLOUR
    intervals, means = drawn(rate_ax)
    assert sorted(float(line.get_xdata()[0]) for line in means) == pytest.approx([-2.0, 1.0])  # percentage points
    colours = {round(float(line.get_xdata()[0]), 6): line.get_color() for line in means}
    assert colours[-2.0] == style.WORSE_COLOUR and colours[1.0] == style.BETTER_COLOUR
    assert len(figure.legends) == 1
    assert_clean(figure)


# ----------------------------------------------------------------------------------------------------------------
# Sweeps (synthetic, known numbers)
# ----------------------------------------------------------------------------------------------------------------

PARAMETERS = [Parameter(name, low, high) for name, low, high in SWEEP_PARAMETERS]


@pytest.fixture(scope="module")
def points() -> pd.DataFrame:
    rng = np.random.default_rng(1)
    drones = rng.uniform(150, 210, 30)
    cost = rng.uniform(18000, 92000, 30)
    return pd.DataFrame(
        {PARAMETERS[0].name: drones, PARAMETERS[1].name: cost, "nato_leakers": sweep_outcome(drones, cost)}
    )


def test_swings_of_a_linear_outcome_are_exact(points: pd.DataFrame) -> None:
    table = swings(points, PARAMETERS, "nato_leakers")
    centre = float(sweep_outcome(np.array([180.0]), np.array([55000.0]))[0])
    assert table["centre"].tolist() == pytest.approx([centre, centre])
    # Shahed cost: −0.0001 × 74,000 = −7.4 over its range; drones per night: +0.1 × 60 = +6.
    assert table["parameter"].tolist() == [PARAMETERS[1].name, PARAMETERS[0].name]
    assert table["at_high"].iloc[0] - table["at_low"].iloc[0] == pytest.approx(-7.4)
    assert table["at_high"].iloc[1] - table["at_low"].iloc[1] == pytest.approx(6.0)


def test_swings_with_too_few_points_use_the_ends_of_each_range() -> None:
    few = pd.DataFrame({"a": [0.0, 1.0, 0.0], "b": [0.0, 0.0, 1.0], "y": [1.0, 3.0, 0.0]})
    table = swings(few, [Parameter("a", 0, 1), Parameter("b", 0, 1)], "y").set_index("parameter")
    assert table.loc["a", "at_low"] == pytest.approx(0.5) and table.loc["a", "at_high"] == pytest.approx(3.0)
    assert table.loc["b", "at_low"] == pytest.approx(2.0) and table.loc["b", "at_high"] == pytest.approx(0.0)


def test_tornado_has_a_panel_per_outcome_and_two_bars_per_parameter(points: pd.DataFrame) -> None:
    frame = points.assign(ukraine_drone_intercept_rate=0.9)
    figure = tornado_figure(frame, PARAMETERS, ["nato_leakers", "ukraine_drone_intercept_rate"])
    leakers_ax, constant_ax = figure.axes
    bars = leakers_ax.patches
    assert len(bars) == 4
    widths = sorted(round(bar.get_width(), 6) for bar in bars)
    assert widths == pytest.approx([-3.7, -3.0, 3.0, 3.7])
    ticks = [tick.get_text() for tick in leakers_ax.get_yticklabels()]
    assert ticks[-1].startswith("threats.shahed.unit_cost_eur\n18k – 92k")  # the largest swing on top
    assert leakers_ax.get_xlabel() == "NATO leakers (threats)"
    assert "constant over the design" in constant_ax.texts[0].get_text()
    assert_clean(figure)


def test_sobol_indices_have_bars_with_intervals_per_outcome() -> None:
    indices = pd.DataFrame(
        {
            "outcome": ["nato_leakers"] * 2 + ["damage_meur"] * 2,
            "parameter": [PARAMETERS[0].name, PARAMETERS[1].name] * 2,
            "S1": [0.2, 0.7, 0.5, 0.4],
            "S1_conf": [0.05, 0.05, 0.1, 0.1],
            "ST": [0.25, 0.75, 0.55, 0.45],
            "ST_conf": [0.06, 0.06, 0.1, 0.1],
        }
    )
    figure = indices_figure(indices, "sobol")
    assert len(figure.axes) == 2
    ax = figure.axes[0]
    assert ax.get_title(loc="left") == "NATO leakers"
    bars = [container for container in ax.containers if isinstance(container, BarContainer)]
    assert len(bars) == 2  # S1 and ST
    s1, st = bars
    assert [bar.get_width() for bar in s1.patches] == pytest.approx([0.7, 0.2])  # most influential first
    assert [bar.get_width() for bar in st.patches] == pytest.approx([0.75, 0.25])
    assert s1.errorbar is not None and st.errorbar is not None
    assert [t.get_text() for t in figure.legends[0].get_texts()] == ["first-order index S1", "total index ST"]
    assert "variance" in ax.get_xlabel()
    assert_clean(figure)


def test_morris_and_regression_indices() -> None:
    morris = pd.DataFrame(
        {"outcome": ["nato_leakers"] * 2, "parameter": ["a", "b"], "mu_star": [1.0, 3.0], "mu_star_conf": [0.1, 0.2],
         "sigma": [0.5, 0.4]}
    )  # fmt: skip
    figure = indices_figure(morris, "morris")
    mu_star, sigma = [c for c in figure.axes[0].containers if isinstance(c, BarContainer)]
    assert [bar.get_width() for bar in mu_star.patches] == pytest.approx([3.0, 1.0])
    assert [bar.get_width() for bar in sigma.patches] == pytest.approx([0.4, 0.5])
    regression = pd.DataFrame({"outcome": ["x"] * 2, "parameter": ["a", "b"], "SRC": [-0.9, 0.2]})
    figure = indices_figure(regression, "lhs")
    (src,) = [c for c in figure.axes[0].containers if isinstance(c, BarContainer)]
    assert [bar.get_width() for bar in src.patches] == pytest.approx([-0.9, 0.2])
    assert figure.axes[0].get_xlabel() == "standardised coefficient (−1 to 1)"


def test_outcome_against_each_parameter(points: pd.DataFrame) -> None:
    frame = points.assign(ukraine_drone_intercept_rate=0.95 - 0.0002 * points[PARAMETERS[0].name])
    outcomes = ["nato_leakers", "ukraine_drone_intercept_rate"]
    figure = sweep_scatter_figure(frame, PARAMETERS, outcomes)
    assert len(figure.axes) == 4
    for ax in figure.axes:
        (dots,) = [c for c in ax.collections if isinstance(c, PathCollection)]
        assert len(dots.get_offsets()) == 30
        assert len(ax.get_lines()) == 1  # the binned mean
    assert figure.axes[0].get_ylabel() == "NATO leakers (threats)"
    assert figure.axes[2].get_ylabel() == "Ukraine drone intercept rate (%)"
    assert figure.axes[3].get_xlabel() == "threats.shahed.unit_cost_eur"
    assert_clean(figure)


def test_a_dense_scatter_is_pixels_in_the_svg_and_the_same_png(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    count = style.DENSE_POINTS + 1
    drones, cost = rng.uniform(150, 210, count), rng.uniform(18000, 92000, count)
    dense = pd.DataFrame({PARAMETERS[0].name: drones, PARAMETERS[1].name: cost, "nato_leakers": drones / 10})
    sparse = dense.iloc[: style.DENSE_POINTS]

    dense_files = save_figure(sweep_scatter_figure(dense, PARAMETERS, ["nato_leakers"]), tmp_path, "dense")
    sparse_files = save_figure(sweep_scatter_figure(sparse, PARAMETERS, ["nato_leakers"]), tmp_path, "sparse")

    dense_svg = dense_files.svg.read_text(encoding="utf-8")
    sparse_svg = sparse_files.svg.read_text(encoding="utf-8")
    assert dense_svg.count("<image") == 2  # one picture of the dots per panel
    assert sparse_svg.count("<image") == 0 and sparse_svg.count("<use ") >= 2 * style.DENSE_POINTS  # a dot each
    assert dense_svg.count("<use ") < 50  # tick marks only
    assert len(dense_svg) < len(sparse_svg) / 2
    # The PNG is drawn the same way whether or not the SVG rasterises (Agg draws pixels either way).
    figure = sweep_scatter_figure(dense, PARAMETERS, ["nato_leakers"])
    for collection in (c for ax in figure.axes for c in ax.collections):
        collection.set_rasterized(False)
    assert save_figure(figure, tmp_path, "vector").png.read_bytes() == dense_files.png.read_bytes()


# ----------------------------------------------------------------------------------------------------------------
# Saving and small helpers
# ----------------------------------------------------------------------------------------------------------------


def test_save_figure_writes_png_and_svg(tmp_path: Path, timeseries: pd.DataFrame) -> None:
    files = save_figure(capability_figure(timeseries), tmp_path / "figures", "capability")
    assert files.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    svg = files.svg.read_text(encoding="utf-8")
    assert "<svg" in svg and "targets fulfilled (%)" in svg


def test_compact_tick_labels_stay_distinct() -> None:
    formatter = CompactFormatter()
    assert formatter.format_ticks([2150.0, 2175.0, 2200.0]) == ["2,150", "2,175", "2,200"]
    assert formatter.format_ticks([21500.0, 21750.0, 22000.0]) == ["21.50k", "21.75k", "22.00k"]
    assert formatter.format_ticks([0.0, 2.5, 5.0, 7.5]) == ["0", "2.5", "5.0", "7.5"]  # never "2" for 2.5
    assert formatter.format_ticks([0.0, 200000.0, 400000.0]) == ["0", "200k", "400k"]
    assert formatter.format_ticks([0.0, 5e6, 1e7, 1.5e7]) == ["0", "5M", "10M", "15M"]
    assert formatter.format_ticks([-0.5, 0.0, 0.5]) == ["−0.5", "0", "0.5"]
    assert compact_number(2_400_000) == "2.4M"


def test_date_ticks_follow_the_length_of_the_scenario() -> None:
    import datetime as dt

    ticks, labels = date_ticks(dt.date(2025, 9, 1), 29)
    assert labels == ["1 Sep", "8 Sep", "15 Sep", "22 Sep", "29 Sep"]
    ticks, labels = date_ticks(dt.date(2025, 9, 1), 364)
    assert labels[0] == "Sep 2025" and "Jan 2026" in labels and len(ticks) <= 7
    assert date_ticks(dt.date(2025, 9, 1), 29, max_ticks=3)[1] == ["1 Sep", "15 Sep", "29 Sep"]
    # The baseline's 1,218 days: the year wherever it changes, though no tick falls in January (it was "Sep 2025,
    # Mar, Sep, Mar, …" with no year after the first).
    assert date_ticks(dt.date(2025, 9, 1), 1218)[1] == [
        "Sep 2025",
        "Mar 2026",
        "Sep",
        "Mar 2027",
        "Sep",
        "Mar 2028",
        "Sep",
    ]
    assert date_ticks(dt.date(2025, 9, 1), 1218, max_ticks=4)[1] == ["Sep 2025", "Aug 2026", "Jul 2027", "Jun 2028"]
    assert date_ticks(dt.date(2025, 12, 15), 30)[1] == ["15 Dec", "22 Dec", "29 Dec", "5 Jan 2026", "12 Jan"]


def test_metric_labels_and_units() -> None:
    assert style.metric_label("ukraine_drone_intercept_rate") == "Ukraine drone intercept rate"
    assert style.metric_label("damage_meur") == "Damage"
    assert style.metric_label("leakers.PL") == "Leakers: PL"
    assert style.axis_label("spend", style.metric_unit("damage_meur")) == "spend (€ million)"
    assert style.short_parameter("actors.adversary.raids.params.drones_per_night") == "adversary.raids.drones_per_night"
