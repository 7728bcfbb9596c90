"""Readable figures: the text checker catches clipped, overlapping and repeated labels, and every figure the run,
comparison and sweep reports draw passes it (including the comparison of seven scenarios with long names)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from test_report_support import real_run, synthetic_compare_dir, synthetic_sweep_dir

from sim.report.comparison_report import comparison_document
from sim.report.figure_blocks import HEADLINE_METRICS, FigureSaver
from sim.report.figures.axes import CompactFormatter
from sim.report.figures.binding import binding_figure
from sim.report.figures.comparisons import comparison_figure
from sim.report.figures.layout import text_problems
from sim.report.run_report import run_document
from sim.report.sweep_report import sweep_document


def test_the_checker_finds_overlapping_clipped_and_repeated_text() -> None:
    figure = Figure(figsize=(4, 3))
    left, right = figure.subplots(1, 2)
    left.set_title("A very long panel title that runs into the next panel")
    right.set_title("Another long title")
    figure.suptitle("A figure title far too long to fit within the width of this small figure at all")
    right.set_xlim(1.0400, 1.0404)
    right.set_xticks([1.0401, 1.0403], ["1.04", "1.04"])
    problems = text_problems(figure)
    assert any("axes 0 title" in p and "overlaps axes 1 title" in p for p in problems), problems
    assert any(p.startswith("suptitle") and "clipped" in p for p in problems), problems
    assert "axes 1 x axis repeats the tick label '1.04'" in problems


def test_a_clean_figure_has_no_problems() -> None:
    figure = Figure(figsize=(6, 4), layout="constrained")
    ax = figure.subplots()
    ax.plot([0, 1], [0, 1])
    ax.set_title("Short")
    figure.suptitle("Fine")
    assert text_problems(figure) == []


def test_ticks_closer_than_three_decimals_are_told_apart() -> None:
    labels = CompactFormatter().format_ticks([2.02405, 2.0241, 2.02415])
    assert len(set(labels)) == 3


def test_the_comparison_of_seven_scenarios_is_readable() -> None:
    names = [*HEADLINE_METRICS, "empty_magazine_days_by_interceptor.pac3_mse", "capability_target_fulfilment_common"]
    labels = ["baseline", "drone_wall", "escalation", "european_preference", "patriot_transfer",
              "reduced_us_support", "ukraine_drone_industry"]  # fmt: skip
    rng = np.random.default_rng(3)
    rows = []
    for label in labels:
        for name in names:
            mean = 0.0 if label == "baseline" else float(rng.normal(0, 1000))
            rows.append((label, name, 1000.0, mean, mean - 300.0, mean + 300.0))
    frame = pd.DataFrame(rows, columns=["scenario", "metric", "mean", "diff_mean", "diff_low", "diff_high"])
    figure = comparison_figure(frame, names, baseline="baseline", scenarios=labels)
    assert text_problems(figure) == []


def test_the_binding_figure_is_readable() -> None:
    means = pd.Series(
        {
            f"binding_nights_share.{side}.{layer}.{constraint}": share
            for side in ("ukraine", "nato")
            for layer in ("ew", "gun", "interceptor_drone", "short_range", "medium_range", "long_range", "fighter")
            for constraint, share in (("magazine", 0.5), ("fire_channels", 0.2), ("crews", 0.1), ("none", 0.2))
        }
    )
    assert text_problems(binding_figure(means)) == []


def _problems(document_of, run_dir: Path, tmp_path: Path) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    manifest = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))
    saver = FigureSaver(tmp_path / "figures", check_layout=True)
    document_of(run_dir, manifest, saver)
    saver.finish()
    assert saver.layout_problems, "the report drew no figure"
    return {stem: problems for stem, problems in saver.layout_problems.items() if problems}


@pytest.mark.parametrize("kind", ["compare", "sweep"])
def test_every_figure_of_the_synthetic_reports_is_readable(kind: str, tmp_path: Path) -> None:
    if kind == "compare":
        assert _problems(comparison_document, synthetic_compare_dir(tmp_path), tmp_path) == {}
    else:
        assert _problems(sweep_document, synthetic_sweep_dir(tmp_path), tmp_path) == {}


def test_every_figure_of_a_real_run_report_is_readable(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    run_dir = real_run(tmp_path_factory).run_dir
    assert _problems(run_document, run_dir, tmp_path) == {}
