"""Key findings and the binding-constraint record, from hand-made numbers (the contract's metric names)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from sim.analysis.binding import binding_summary, binding_table, idle_summary
from sim.analysis.findings import comparison_findings, objective_findings, run_findings, sweep_findings
from sim.report.document import Document, Section, render_html, render_markdown
from sim.report.figure_blocks import FigureSaver
from sim.report.findings_sections import NOT_RECORDED, binding_section, key_findings_section
from sim.report.formatting import format_difference_interval, format_metric

BINDING = pd.Series(
    {
        "binding_nights_share.ukraine.medium_range.magazine": 0.6,
        "binding_nights_share.ukraine.medium_range.fire_channels": 0.3,
        "binding_nights_share.ukraine.medium_range.none": 0.1,
        "binding_nights_share.nato.fighter.detection": 0.75,
        "binding_nights_share.nato.fighter.none": 0.25,
        "binding_nights_share.nato.gun.none": math.nan,  # never faced threats
        "idle_stock_end.pac3_mse": 40.0,
        "idle_stock_end.iris_t": 0.0,
        "unspent_budget_meur.DE": 350.0,
        "nato_leakers": 12.0,
    }
)


def test_binding_table_reads_the_contract_names_and_drops_undefined_shares() -> None:
    table = binding_table(BINDING)
    assert len(table) == 5
    assert table.groupby(["side", "layer"])["share"].sum().tolist() == pytest.approx([1.0, 1.0])
    summary = binding_summary(BINDING)
    assert summary[["side", "layer", "constraint"]].values.tolist() == [
        ["nato", "fighter", "detection"],
        ["ukraine", "medium_range", "magazine"],
        ["ukraine", "medium_range", "fire_channels"],
    ]
    idle = idle_summary(BINDING)
    assert idle[["name", "kind", "value"]].values.tolist() == [["DE", "budget", 350.0], ["pac3_mse", "stock", 40.0]]


def test_absent_binding_metrics_give_empty_tables() -> None:
    means = pd.Series({"nato_leakers": 3.0})
    assert binding_table(means).empty and binding_summary(means).empty and idle_summary(means).empty


def _comparison() -> pd.DataFrame:
    rows = [
        # scenario, metric, mean, diff_mean, diff_low, diff_high, min_difference, verdict
        ("base", "nato_leakers", 20.0, 0.0, 0.0, 0.0, 1.0, "negligible"),
        ("base", "airport_closure_hours", 100.0, 0.0, 0.0, 0.0, 5.0, "negligible"),
        ("wall", "nato_leakers", 12.0, -8.0, -10.0, -6.0, 1.0, "better"),  # 8 sizes
        ("wall", "airport_closure_hours", 80.0, -20.0, -30.0, -10.0, 5.0, "better"),  # 4 sizes
        ("same", "nato_leakers", 20.0, 0.0, 0.0, 0.0, 1.0, "negligible"),
        ("same", "airport_closure_hours", 100.0, 0.1, -0.2, 0.4, 5.0, "negligible"),
    ]
    columns = ["scenario", "metric", "mean", "diff_mean", "diff_low", "diff_high", "min_difference", "verdict"]
    return pd.DataFrame(rows, columns=columns)


def test_comparison_findings_rank_differences_by_their_size_and_say_what_did_not_change() -> None:
    hypotheses = pd.DataFrame(
        {"scenario": ["wall", "wall"], "name": ["fewer", "cheaper"], "judgement": ["supported", "refuted"]}
    )
    objectives = pd.DataFrame(
        {
            "scenario": ["base", "wall"],
            "name": ["airspace", "airspace"],
            "probability": [0.1, 0.6],
            "low": [0.02, 0.3],
            "high": [0.3, 0.8],
        }
    )
    findings = comparison_findings(
        _comparison(),
        ["base", "wall", "same"],
        describe=format_metric,
        describe_difference=format_difference_interval,
        objectives=objectives,
        hypotheses=hypotheses,
        after_horizon={"same": ["drone_buy (day 400)"]},
    )
    texts = [finding.text for finding in findings]
    assert texts[0] == "wall: nato leakers -8.0 (90% CI -10.0 to -6.0) against 20.0 in base — better."
    assert texts[1] == "wall: airport closure hours -20 (90% CI -30 to -10) against 100.0 in base — better."
    assert texts[2] == (
        "same changes no headline outcome by an amount that matters (1 of 2 identical in every replication; "
        "its own events after the horizon, so not simulated: drone_buy (day 400))."
    )
    assert texts[3] == "Hypotheses: 1 supported, 1 refuted, 0 inconclusive (refuted: wall: cheaper)."
    assert texts[4] == "Objectives at risk: airspace (likely missed in base; uncertain in wall)."
    assert [finding.anchor for finding in findings] == ["comparison"] * 3 + ["hypotheses", "objectives"]
    assert 3 <= len(findings) <= 7


def test_the_largest_differences_come_one_scenario_at_a_time_from_headline_and_hypothesis_metrics() -> None:
    rows = [
        # scenario, metric, mean, diff_mean, diff_low, diff_high, min_difference, verdict
        ("base", "nato_leakers", 20.0, 0.0, 0.0, 0.0, 1.0, "negligible"),
        ("wall", "nato_leakers", 12.0, -8.0, -10.0, -6.0, 1.0, "better"),  # 8 sizes
        ("wall", "airport_closure_hours", 80.0, -20.0, -30.0, -10.0, 5.0, "better"),  # 4 sizes
        ("gift", "fire_units_donated", 2.0, 2.0, 2.0, 2.0, 0.1, "changed"),  # 20 sizes, but not a headline
        ("gift", "nato_leakers", 19.0, -2.0, -3.0, -1.0, 1.0, "better"),  # 2 sizes
        ("gift", "units_delivered", 90.0, -10.0, -12.0, -8.0, 1.0, "changed"),  # 10 sizes: a hypothesis names it
    ]
    columns = ["scenario", "metric", "mean", "diff_mean", "diff_low", "diff_high", "min_difference", "verdict"]
    hypotheses = pd.DataFrame(
        {"scenario": ["gift"], "name": ["fewer"], "metric": ["units_delivered"], "judgement": ["supported"]}
    )
    findings = comparison_findings(
        pd.DataFrame(rows, columns=columns),
        ["base", "wall", "gift"],
        describe=format_metric,
        describe_difference=format_difference_interval,
        hypotheses=hypotheses,
        headline=["nato_leakers", "airport_closure_hours"],
    )
    texts = [finding.text for finding in findings[:3]]
    # Each scenario's largest first, by size (gift: 10 sizes of units delivered; wall: 8), then wall's next (4).
    assert [text.split(":")[0] + ":" + text.split(":")[1].split("(")[0] for text in texts] == [
        "gift: units delivered -10.0 ",
        "wall: nato leakers -8.0 ",
        "wall: airport closure hours -20 ",
    ]
    assert not any("fire units donated" in finding.text for finding in findings)


def test_run_findings_include_what_binds() -> None:
    summary = pd.DataFrame(
        {"mean": [0.9, 12.0], "low": [0.85, 10.0], "high": [0.95, 14.0]},
        index=["ukraine_drone_intercept_rate", "nato_leakers"],
    )
    summary = pd.concat([summary, pd.DataFrame({"mean": BINDING.drop("nato_leakers")})])
    texts = [f.text for f in run_findings(summary, describe=format_metric)]
    assert texts[0] == "Ukraine intercepts drones 90.0% (90% of replications: 85.0% to 95.0%)."
    assert "What binds in Ukraine: the medium range layer by magazine on 60% of its nights with threats" in " ".join(
        texts
    )
    assert "What binds in NATO airspace: the fighter layer by detection on 75% of its nights with threats." in texts
    assert "Left unused at the end: EUR 350 million of DE's budget, 40 pac3_mse." in texts


def test_a_constant_sweep_outcome_says_which_constraint_held_it() -> None:
    points = pd.DataFrame({"point": [0, 1, 2], "nato_leakers": [4.0, 4.0, 4.0], "ukraine_leakers": [10.0, 20.0, 30.0]})
    indices = pd.DataFrame({"outcome": ["ukraine_leakers"], "parameter": ["raids.drones"], "rank": [1]})
    texts = [
        f.text
        for f in sweep_findings(indices, points, ["nato_leakers", "ukraine_leakers"], BINDING, describe=format_metric)
    ]
    assert texts[0] == (
        "nato leakers does not move over the design (always 4.00): the fighter layer (nato) is held by detection "
        "on 75% of its nights, whatever the parameters."
    )
    assert texts[1] == "ukraine leakers ranges 10.0 to 30.0 over the design points; raids.drones moves it most."
    without = sweep_findings(indices, points, ["nato_leakers"], pd.Series(dtype=float), describe=format_metric)
    assert "the binding-constraint record is not in these results" in without[0].text


def test_every_objective_likely_met_is_one_sentence() -> None:
    objectives = pd.DataFrame({"name": ["a"], "probability": [0.95], "low": [0.8], "high": [0.99]})
    assert objective_findings(objectives)[0].text.startswith("Every objective is likely met")


def test_binding_section_and_key_findings_render_with_links(tmp_path) -> None:  # type: ignore[no-untyped-def]
    saver = FigureSaver(tmp_path)
    section = binding_section(BINDING, saver)
    summary = pd.DataFrame({"mean": BINDING, "low": BINDING, "high": BINDING})
    findings = key_findings_section(run_findings(summary, describe=format_metric))
    document = Document("t", "s", (findings, section))
    html = render_html(document)
    assert '<ol class="findings">' in html and 'href="#binding"' in html
    assert "60%" in html and "detection" in html
    markdown = render_markdown(document, tmp_path)
    assert '<a id="binding"></a>' in markdown and "([evidence](#binding))" in markdown
    absent = binding_section(pd.Series({"nato_leakers": 1.0}), saver)
    assert absent.blocks[0].text == NOT_RECORDED  # type: ignore[union-attr]
    assert Section  # the section type the reports assemble
