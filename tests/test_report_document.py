"""The written reports: report.html parsed with html.parser, report.md, and the Markdown/HTML renderers.

The run report comes from a small real run (``sim report`` on it, shared with the CLI tests); the compare and
sweep reports from synthetic folders in the formats ``sim compare`` and ``sim sweep`` write.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from matplotlib.figure import Figure
from test_report_support import (
    BASELINE,
    ROOT,
    SHAHED_COST_VARIANT,
    ReportParser,
    invoke,
    parse_report,
    real_report,
    real_run,
    synthetic_compare_dir,
    synthetic_sweep_dir,
)

from sim.experiment.replications import RunResults
from sim.report import comparison_report
from sim.report.build import ReportError, ReportPaths, write_report
from sim.report.comparison_report import comparison_document
from sim.report.document import (
    Cell,
    Code,
    Document,
    FigureBlock,
    Paragraph,
    Section,
    Table,
    render_html,
    render_markdown,
)
from sim.report.figure_blocks import HEADLINE_METRICS, FigureSaver
from sim.report.figures.saving import figure_files
from sim.report.sections import named_key_path, objective_verdict
from sim.report.style import metric_label
from sim.scenario.provenance import provenance_rows

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
RUN_SECTIONS = ["key-findings", "summary", "objectives", "binding", "figures", "provenance", "sourced-parameters",
                "unsourced", "sources", "reproduce"]  # fmt: skip


def decoded_images(parser: ReportParser) -> list[bytes]:
    images = []
    for image in parser.images:
        source = image["src"]
        assert source.startswith("data:image/png;base64,"), source[:60]
        images.append(base64.b64decode(source.removeprefix("data:image/png;base64,"), validate=True))
    return images


def assert_self_contained(parser: ReportParser) -> None:
    for tag, name, value in parser.attributes:
        assert not re.match(r"\s*(https?:|//|file:)", value), (tag, name, value[:80])
        if name in ("href",):
            assert value.startswith("#"), (tag, name, value)
    assert not {"script", "link", "iframe", "object"} & parser.tags


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> RunResults:
    return real_run(tmp_path_factory)


@pytest.fixture(scope="module")
def run_report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, run_dir = real_report(tmp_path_factory)
    assert result.exit_code == 0, result.output
    return run_dir


# ----------------------------------------------------------------------------------------------------------------
# The run report
# ----------------------------------------------------------------------------------------------------------------


def test_run_report_has_every_section(run_report: Path) -> None:
    parser = parse_report(run_report / "report.html")
    assert parser.section_ids == RUN_SECTIONS
    assert parser.headings[:6] == [
        "Run report: baseline",
        "Key findings",
        "Summary",
        "Objectives",
        "What binds",
        "Figures",
    ]
    assert "Reproduce this run (manifest)" in parser.headings
    assert any(heading.startswith("Unsourced parameters (") for heading in parser.headings)


def test_run_report_embeds_every_figure_as_a_png(run_report: Path) -> None:
    parser = parse_report(run_report / "report.html")
    images = decoded_images(parser)
    pngs = sorted((run_report / "figures").glob("*.png"))
    svgs = sorted((run_report / "figures").glob("*.svg"))
    assert len(images) == len(pngs) == len(svgs) == 9
    assert all(image.startswith(PNG_MAGIC) for image in images)
    assert sorted(images) == sorted(path.read_bytes() for path in pngs)
    assert all(image.get("alt") for image in parser.images)
    assert_self_contained(parser)


def test_run_report_numbers_come_from_the_run(run_report: Path, results: RunResults) -> None:
    text = (run_report / "report.html").read_text(encoding="utf-8")
    manifest = json.loads((run_report / "manifest.json").read_text(encoding="utf-8"))
    # Objectives: each with its probability and a verdict.
    for row in results.objectives.itertuples():
        assert row.name in text
    assert "likely met" in text or "likely missed" in text or "uncertain" in text
    # The mean of a key outcome as the summary prints it.
    leakers = results.metrics["nato_leakers"].mean()
    assert f"{leakers:,.1f}" in text
    # Reproduce: the seeds, the versions and the command (the API records none: it is rebuilt from the manifest).
    assert all(str(seed) in text for seed in manifest["seeds"])
    assert manifest["versions"]["numpy"] in text
    assert manifest["command"] == ""
    assert f"sim run scenario.yaml -n 3 --seed {manifest['base_seed']}   # reconstructed from the manifest" in text
    assert f"{run_report.name}/scenario.yaml -n 3 --seed {manifest['base_seed']}" in text


def test_run_report_lists_every_parameter_and_the_unsourced_ones_apart(run_report: Path, results: RunResults) -> None:
    parser = parse_report(run_report / "report.html")
    rows = provenance_rows(results.scenario)
    unsourced = [row for row in rows if not row.has_source]
    sourced = [row for row in rows if row.has_source]
    # Table rows include one header row each.
    assert parser.rows_by_section["unsourced"] == len(unsourced) + 1
    assert parser.rows_by_section["sourced-parameters"] == len(sourced) + 1
    text = "".join(parser.text)
    assert f"{len(unsourced)} do not" in text
    scenario = results.scenario
    assert named_key_path(scenario, unsourced[0].key_path) in text and sourced[0].source_text in text
    # The assumptions are one click away, folded in the same self-contained file.
    html = (run_report / "report.html").read_text(encoding="utf-8")
    assert f"<details><summary>Show all {len(unsourced)} unsourced parameters</summary>" in html
    # Parameters are named by what they are, not by list positions.
    assert "industry.suppliers[lockheed_martin_us].products[pac3_mse].capacity_per_month" in text
    assert "industry.suppliers[0]" not in text
    # Contested sourced parameters lead.
    contested = [row for row in sourced if row.is_contested]
    first = named_key_path(scenario, contested[0].key_path)
    assert text.index(first) < text.index(
        named_key_path(scenario, next(r for r in sourced if not r.is_contested).key_path)
    )


def test_named_key_path_names_list_entries_and_keeps_positions_without_names(results: RunResults) -> None:
    scenario = results.scenario
    assert named_key_path(scenario, "actors.nato.capability_targets[0].fire_units") == (
        "actors.nato.capability_targets[PL-patriot].fire_units"
    )
    assert named_key_path(scenario, "horizon_days") == "horizon_days"
    assert named_key_path(scenario, "events[999].drones") == "events[999].drones"  # no such entry: kept


def test_run_markdown_has_the_same_sections_and_links_to_existing_figures(run_report: Path) -> None:
    markdown = (run_report / "report.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#{2,3} (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:5] == ["Key findings", "Summary", "Objectives", "What binds", "Figures"]
    assert any(heading.startswith("Unsourced parameters") for heading in headings)
    assert "Reproduce this run (manifest)" in headings
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", markdown)
    assert len(links) == 9
    assert all((run_report / link).is_file() for link in links)
    assert re.search(r"^\| outcome \| mean \|", markdown, flags=re.MULTILINE)


# ----------------------------------------------------------------------------------------------------------------
# Compare and sweep reports (synthetic folders)
# ----------------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compare_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportPaths]:
    run_dir = synthetic_compare_dir(tmp_path_factory.mktemp("compare"))
    return run_dir, write_report(run_dir)


def test_compare_report_sections_and_images(compare_report: tuple[Path, ReportPaths]) -> None:
    _, paths = compare_report
    parser = parse_report(paths.html)
    assert parser.section_ids[:6] == ["key-findings", "summary", "objectives", "comparison", "hypotheses", "binding"]
    assert {"provenance", "unsourced", "changes-1", "reproduce"} <= set(parser.section_ids)
    images = decoded_images(parser)
    # objectives, comparison, 5 time series, distributions, one map per scenario
    assert len(images) == len(paths.figures) == 10
    assert all(image.startswith(PNG_MAGIC) for image in images)
    assert_self_contained(parser)
    assert parser.headings[0] == "Comparison report: base vs variant"


def test_compare_report_reads_the_differences(compare_report: tuple[Path, ReportPaths]) -> None:
    _, paths = compare_report
    parser = parse_report(paths.html)
    text = " ".join(parser.text)
    # nato_leakers −2 (lower is better): better; intercept rate −5 pp: worse; spend +30: changed.
    # (the column before the verdict: the smallest difference that matters, 5% of the baseline's 11.5 leakers)
    assert re.search(r"NATO leakers\s*variant\s*11\.5\s*9\.50\s*-2\.00\s*-2\.00 … -2\.00\s*0\.575\s*better", text)
    assert re.search(r"Ukraine drone intercept rate\s*variant\s*91\.5%\s*86\.5%\s*-5\.0 pp\s*.*?\s*worse", text)
    assert re.search(r"Interceptor spend\s*variant\s*115\.0\s*145\.0\s*\+30\.0\s*.*?\s*changed", text)
    # What the variant changes: exactly the Shahed's cost.
    assert "What variant changes" in parser.headings
    assert parser.rows_by_section["changes-1"] == 2
    joined = "".join(parser.text)  # key paths may break after dots (<wbr>), which splits their text
    assert "catalog.threats.shahed.unit_cost_eur" in joined and f"{SHAHED_COST_VARIANT:,.0f}" in joined
    # Objectives per scenario with verdicts.
    assert "0% (0%–40%) likely missed" in text and "25% (5%–65%) uncertain" in text


@pytest.fixture(scope="module")
def sweep_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ReportPaths]:
    run_dir = synthetic_sweep_dir(tmp_path_factory.mktemp("sweep"))
    return run_dir, write_report(run_dir)


def test_sweep_report_sections_and_images(sweep_report: tuple[Path, ReportPaths]) -> None:
    _, paths = sweep_report
    parser = parse_report(paths.html)
    assert parser.section_ids[:5] == ["key-findings", "summary", "objectives", "sensitivity", "binding"]
    assert {"provenance", "unsourced", "reproduce"} <= set(parser.section_ids)
    images = decoded_images(parser)
    assert len(images) == len(paths.figures) == 4  # tornado, indices, scatter grid, distributions
    assert {path.png.stem for path in paths.figures} == {
        "tornado",
        "sensitivity_indices",
        "outcome_vs_parameter",
        "outcome_distributions",
    }
    assert_self_contained(parser)
    text = " ".join(parser.text)
    assert "actors.adversary.raids.params.drones_per_night" in text and "sobol" in text
    assert "[swept]" in text  # swept parameters are marked in the provenance tables
    # No command was recorded: it is rebuilt from the manifest.
    assert "--vary catalog.threats.shahed.unit_cost_eur=18000.0:92000.0" in text
    assert "airport_closure_hours: constant" in text  # the manifest's notes


# ----------------------------------------------------------------------------------------------------------------
# Errors
# ----------------------------------------------------------------------------------------------------------------


def test_report_errors_name_the_problem(tmp_path: Path) -> None:
    with pytest.raises(ReportError, match="does not exist"):
        write_report(tmp_path / "missing")
    with pytest.raises(ReportError, match="not a run folder"):
        write_report(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "dance"}', encoding="utf-8")
    with pytest.raises(ReportError, match="kind: expected one of run, compare, sweep, found 'dance'"):
        write_report(tmp_path)
    (tmp_path / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ReportError, match="not valid JSON"):
        write_report(tmp_path)
    (tmp_path / "manifest.json").write_text('{"kind": "run", "seeds": []}', encoding="utf-8")
    with pytest.raises(ReportError, match="base_seed: missing; replications: missing; scenario: missing"):
        write_report(tmp_path)
    manifest = {"kind": "run", "base_seed": 1, "replications": 1, "seeds": [5], "scenario": {"hash": "h"}}
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with pytest.raises(ReportError, match=r"scenario\.yaml"):
        write_report(tmp_path)


def test_a_run_without_a_finished_replication_has_nothing_to_report(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    run_dir = real_run(tmp_path_factory).run_dir
    for name in ("manifest.json", "scenario.yaml"):
        (tmp_path / name).write_bytes((run_dir / name).read_bytes())
    (tmp_path / "chunks").mkdir()
    with pytest.raises(ReportError, match="no replication has finished successfully yet"):
        write_report(tmp_path)


# ----------------------------------------------------------------------------------------------------------------
# Renderers
# ----------------------------------------------------------------------------------------------------------------

HOSTILE = '<script>alert("x")</script> & a|b *c* _d_'


def hostile_document() -> Document:
    return Document(
        title=HOSTILE,
        subtitle="sub",
        sections=(
            Section(
                "one",
                "Section <one>",
                (
                    Paragraph(HOSTILE, "bad"),
                    Table(("key", "value"), (("a.b_c", Cell(HOSTILE, "good")),), numeric=(1,), wrap=(0,)),
                    Code("sim run x.yaml --set a=<b>"),
                ),
            ),
        ),
    )


def test_html_escapes_all_text() -> None:
    page = render_html(hostile_document())
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; a|b" in page
    assert "Section &lt;one&gt;" in page and "--set a=&lt;b&gt;" in page
    assert 'class="num good"' in page and "a.<wbr>b_<wbr>c" in page
    parser = ReportParser()
    parser.feed(page)
    assert parser.section_ids == ["one"]
    assert_self_contained(parser)


def test_markdown_escapes_table_pipes_and_emphasis(tmp_path: Path) -> None:
    markdown = render_markdown(hostile_document(), tmp_path)
    table_lines = [line for line in markdown.splitlines() if line.startswith("| a")]
    assert len(table_lines) == 1 and table_lines[0].count(" | ") == 1  # the pipe in the cell is escaped
    assert r"a\|b \*c\* \_d\_" in markdown
    assert "```\nsim run x.yaml --set a=<b>\n```" in markdown


@pytest.mark.parametrize(
    ("probability", "low", "high", "verdict"),
    [(1.0, 0.53, 1.0, "likely met"), (0.0, 0.0, 0.47, "likely missed"), (0.5, 0.3, 0.7, "uncertain")],
)
def test_objective_verdict(probability: float, low: float, high: float, verdict: str) -> None:
    assert objective_verdict(probability, low, high).text == verdict


# ----------------------------------------------------------------------------------------------------------------
# The differences figure of a real comparison
# ----------------------------------------------------------------------------------------------------------------


class RecordingSaver(FigureSaver):
    """Keeps what each figure would be drawn from instead of drawing it (the document is built in full)."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory)
        self.calls: dict[str, tuple[str, Callable[..., Figure], tuple[Any, ...], dict[str, Any]]] = {}

    def add(
        self, stem: str, title: str, caption: str, draw: Callable[..., Figure], /, *args: Any, **kwargs: Any
    ) -> FigureBlock:
        self.calls[stem] = (caption, draw, args, kwargs)
        return FigureBlock(figure_files(self.directory, stem), title, caption)


def panel_metrics(figure: Figure) -> list[str]:
    """The metric labels of a differences figure's panels (titles are wrapped, then give the direction)."""
    titles = [ax.get_title(loc="left") for ax in figure.axes]
    return [title.split("\n(")[0].replace("\n", " ") for title in titles if title]


@pytest.fixture(scope="module")
def patriot_comparison(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``sim compare baseline.yaml patriot_transfer.yaml -n 2 --set horizon_days=20`` (its hypothesis: the missile
    intercept rate, not a headline outcome)."""
    out = tmp_path_factory.mktemp("patriot")
    result = invoke("compare", str(BASELINE), str(ROOT / "scenarios" / "patriot_transfer.yaml"), "-n", "2",
                    "--set", "horizon_days=20", "--no-report", "--out", str(out))  # fmt: skip
    assert result.exit_code == 0, result.output
    (run_dir,) = out.iterdir()
    return run_dir


def test_the_differences_figure_shows_the_hypotheses_metrics(patriot_comparison: Path) -> None:
    saver = RecordingSaver(patriot_comparison / "figures")
    comparison_document(patriot_comparison, json.loads((patriot_comparison / "manifest.json").read_text()), saver)
    caption, draw, args, kwargs = saver.calls["comparison"]
    objectives = ["empty_magazine_days_by_interceptor.pac3_mse"]  # the baseline's other objectives are headline
    expected = [*HEADLINE_METRICS, "ukraine_missile_intercept_rate", *objectives]
    assert panel_metrics(draw(*args, **kwargs)) == [metric_label(name) for name in expected]
    assert caption.startswith("Shown: the headline outcomes, then the metrics of the scenarios' hypotheses and "
                              "objectives (the key findings speak of these); other outcomes that changed are in the "
                              "table below. Marker:")  # fmt: skip


def test_the_differences_figure_is_bounded_and_says_what_it_leaves_out(
    patriot_comparison: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(comparison_report, "MAX_DIFFERENCE_PANELS", 10)
    saver = RecordingSaver(patriot_comparison / "figures")
    comparison_document(patriot_comparison, json.loads((patriot_comparison / "manifest.json").read_text()), saver)
    caption, draw, args, kwargs = saver.calls["comparison"]
    assert panel_metrics(draw(*args, **kwargs)) == [
        *(metric_label(name) for name in HEADLINE_METRICS),
        metric_label("ukraine_missile_intercept_rate"),
    ]
    left_out = metric_label("empty_magazine_days_by_interceptor.pac3_mse")
    assert f"Left out for room (they are in the table below): {left_out}." in caption
