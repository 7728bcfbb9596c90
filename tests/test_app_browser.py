"""The web app in a real headless Chromium (Debian's ``chromium``, driven by Playwright), with every request to an
address other than this machine blocked: the page must work with no internet.

One app process (``sim app``) serves the module's tests, as a student's machine would. Each test saves a screenshot
of its page under ``test-artifacts/app/`` (gitignored) for a person to look at.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pandas as pd
import pytest

from sim.api import load_scenario

pytest.importorskip("shiny")
playwright_api = pytest.importorskip("playwright.sync_api")

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "app"
CHROMIUM = os.environ.get("SIM_TEST_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
RUN_TIMEOUT_MS = 240_000

if CHROMIUM is None:  # CI installs it (.ci/run) and must run these; a developer without it sees why they skip
    if os.environ.get("CI"):
        raise RuntimeError("CI must run the web app's browser tests, but no chromium binary is installed")
    pytest.skip("no chromium binary (apt-get install -y chromium)", allow_module_level=True)


@pytest.fixture(scope="module")
def short_scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A ten-day variant of the baseline, written where a student keeps their own files (outside the project)."""
    path = tmp_path_factory.mktemp("mine") / "short.yaml"
    path.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: short\nhorizon_days: 10\n")
    return path


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from sim import api

    results = api.sweep(
        ROOT / "scenarios" / "baseline.yaml",
        vary=["actors.member_states.PL.detection_probability=0.2:0.8"],
        method="lhs",
        samples=4,
        replications=1,
        overrides=["horizon_days=5"],
        workers=1,
        results_root=tmp_path_factory.mktemp("sweeps"),
    )
    return Path(results.run_dir)


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """``sim app`` on a free loopback port, as a student starts it; its URL and results folder."""
    results = tmp_path_factory.mktemp("app-results")
    process = subprocess.Popen(
        [sys.executable, "-m", "sim", "app", "--out", str(results)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        cwd=ROOT,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    match = re.search(r"open (http://127\.0\.0\.1:\d+/)", line)
    try:
        assert match, f"sim app printed {line!r}"
        yield match.group(1), results
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def page(app_url: tuple[str, Path]) -> Iterator[Any]:
    """A fresh browser session (its own app session) that may reach only this machine."""
    blocked: list[str] = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)

        def only_loopback(route: Any) -> None:
            url = route.request.url
            if url.startswith(("data:", "blob:")) or urlparse(url).hostname in LOOPBACK:
                route.continue_()
            else:
                blocked.append(url)
                route.abort()

        context.route("**/*", only_loopback)
        tab = context.new_page()
        tab.goto(app_url[0])
        tab.wait_for_selector("#lever_groups", timeout=60_000)
        yield tab
        context.close()
        browser.close()
    assert blocked == [], f"the page asked for the internet: {blocked}"


def _screenshot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def _move_slider(page: Any, input_id: str, steps: int, group: str) -> None:
    """Move a slider with the keyboard, as a student without a mouse would (open its group, focus its track,
    press →), and if three rounds of keys were lost, with the mouse (press on the track).

    The track is waited for until visible (a group of sliders opens with an animation, and the slider's script
    binds its keys when drawn; a redraw may close the group again); if the presses were lost to a redraw under
    load, open, focus and press again."""
    start = page.input_value(f"#{input_id}")
    track = page.locator(f"#{input_id}").locator("xpath=..").locator(".irs-line")
    button = page.get_by_role("button", name=re.compile(group))
    for attempt in range(6):
        if not track.is_visible():
            button.click()
        try:
            track.wait_for(state="visible", timeout=15_000)
        except Exception:  # Playwright's timeout (its module is imported only when present): open the group again
            continue
        if attempt < 3:
            track.focus()
            for _ in range(steps):
                page.keyboard.press("ArrowRight")
        else:  # the keys kept landing on a track a redraw replaced: press on the track, right of the handle
            box = track.bounding_box()
            if box is None:
                continue
            page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)
        for _ in range(10):
            page.wait_for_timeout(300)
            if page.input_value(f"#{input_id}") != start:
                return
    raise AssertionError(f"the slider {input_id} did not move from {start} after six tries")


def _slider_value_when_still(page: Any, input_id: str, start: float) -> float:
    """The slider's value once it has moved from ``start`` and stopped (the slider redraws on animation frames)."""
    previous = start
    for _ in range(100):
        page.wait_for_timeout(300)
        value = float(page.input_value(f"#{input_id}"))
        if value != start and value == previous:
            return value
        previous = value
    raise AssertionError(f"the slider {input_id} did not move from {start}")


def _settled(page: Any, prefix: str) -> None:
    """Wait until none of the tab's outputs (ids starting with ``prefix``) is being recalculated (the hidden
    tabs' outputs stay marked as recalculating until shown)."""
    page.wait_for_function(
        f"document.querySelectorAll('[id^=\"{prefix}\"].recalculating').length === 0", timeout=RUN_TIMEOUT_MS
    )


def test_the_page_loads_offline_with_a_slider_per_lever(page: Any) -> None:
    assert page.title() == "sim app"
    page.get_by_role("button", name=re.compile(r"Poland \(PL\)")).click()
    detection = page.locator("#lever_actors_member_states_PL_detection_probability")
    detection.wait_for(state="attached")
    assert detection.get_attribute("data-min") == "0.2" and detection.get_attribute("data-max") == "0.8"
    assert "public figures #35" in page.inner_text("#lever_groups")
    _screenshot(page, "explore")


def test_a_run_shows_the_numbers_of_sim_run_and_downloads_its_folder(
    page: Any, short_scenario: Path, tmp_path: Path
) -> None:
    page.set_input_files("#upload", str(short_scenario))
    page.wait_for_selector("text=short:", timeout=60_000)
    _settled(page, "levers")  # the upload redraws the controls: wait for them before opening a group
    page.fill("#replications", "3")
    page.fill("#seed", "11")
    _move_slider(page, "lever_actors_member_states_PL_detection_probability", 5, r"Poland \(PL\)")
    moved = _slider_value_when_still(page, "lever_actors_member_states_PL_detection_probability", 0.4)
    assert moved > 0.4
    # The page reads a slider a moment after it stops: wait for the last value, not an intermediate one.
    page.wait_for_selector(f"text=actors.member_states.PL.detection_probability={moved:g}", timeout=30_000)
    _settled(page, "changes")
    changed = page.inner_text("#changes")
    override = re.search(r"actors\.member_states\.PL\.detection_probability=([0-9.]+)", changed)
    assert override and float(override.group(1)) == moved
    _screenshot(page, "explore-slider-moved")

    page.click("#run")
    page.wait_for_selector("#explore_results-status_text:has-text('done:')", timeout=RUN_TIMEOUT_MS)
    _settled(page, "explore_results-")
    command = page.inner_text("#explore_results-command_line").strip()
    assert command == f"sim run short.yaml -n 3 --seed 11 --set {override.group(0)}"

    # The same run on the command line, as the page says: its means are the page's numbers.
    cli = subprocess.run(
        [sys.executable, "-m", "sim", *command.split()[1:], "--out", str(tmp_path), "--no-report"],
        cwd=short_scenario.parent,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert cli.returncode == 0, cli.stderr
    run_dir = next(tmp_path.iterdir())
    summary = pd.read_csv(run_dir / "summary.csv", index_col=0)
    from sim.report.formatting import format_metric

    table = page.inner_text("#explore_results-summary_table")
    for metric, label in (
        ("ukraine_drone_intercept_rate", "Ukraine drone intercept rate"),
        ("nato_leakers", "NATO leakers"),
    ):
        expected = format_metric(metric, float(summary.loc[metric, "mean"]))
        assert re.search(rf"{label}\s+short \(changed\)\s+{re.escape(expected)}\s", table), (metric, expected, table)

    page.wait_for_selector("text=Download the run folder", timeout=RUN_TIMEOUT_MS)
    _settled(page, "explore_results-")
    _screenshot(page, "explore-results")
    with page.expect_download(timeout=120_000) as download_info:
        page.get_by_text("Download the run folder").click()
    data = Path(download_info.value.path()).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = archive.namelist()
        assert any(name.endswith("/report.html") for name in names)
        replications_name = next(name for name in names if name.endswith("/replications.csv"))
        replications = pd.read_csv(archive.open(replications_name))
    cli_replications = pd.read_csv(run_dir / "replications.csv")
    changed_rows = replications[replications["point"] == 1].reset_index(drop=True)
    for metric in ("ukraine_drone_intercept_rate", "nato_leakers", "interceptor_spend_meur"):
        assert list(changed_rows[metric]) == list(cli_replications[metric])  # bit for bit, replication by replication
    saved = re.search(r"Saved in (\S+)", page.inner_text("body"))
    assert saved and Path(saved.group(1)).name == Path(replications_name).parts[0]
    _check_verdicts_and_findings(page, Path(saved.group(1)))  # the app's own folder (the zip leaves chunks out)


def _check_verdicts_and_findings(page: Any, run_dir: Path) -> None:
    """The differences, verdicts and key findings on the page are those the downloaded run folder's comparison
    gives: the rows the report prints (verdicts from the comparison table) and the findings generator's sentences."""
    from sim.analysis.verdicts import VERDICTS
    from sim.app.results import hypotheses_on_page
    from sim.experiment.compare import load_comparison
    from sim.report.comparison_rows import difference_rows
    from sim.report.figure_blocks import outcome_names
    from sim.report.findings_sections import comparison_key_findings

    results = load_comparison(run_dir)
    rows = page.locator("#explore_results-differences_table tbody tr").all_inner_texts()
    shown = [tuple(cell.strip() for cell in row.split("\t")) for row in rows]
    outcomes = outcome_names(results.scenarios, sorted(set(results.comparison["metric"])))
    assert shown == difference_rows(results.comparison, outcomes, results.baseline, results.labels)
    assert shown and {row[-1] for row in shown} <= set(VERDICTS)
    findings = page.locator("#explore_results-key_findings li").all_inner_texts()
    hypotheses = hypotheses_on_page(results.hypotheses, results.labels, results.scenarios)
    expected = comparison_key_findings(
        results.comparison, results.labels, results.scenarios, results.objectives, hypotheses
    )
    assert findings == [finding.text for finding in expected] and findings


def test_an_upload_that_extends_a_file_outside_the_shipped_scenarios_is_refused(page: Any, tmp_path: Path) -> None:
    evil = tmp_path / "evil.yaml"
    evil.write_text("name: evil\nextends: /etc/passwd\n")
    page.set_input_files("#upload", str(evil))
    alert = page.locator("#scenario_message [role=alert]")
    alert.wait_for(timeout=60_000)
    text = alert.inner_text()
    assert "evil.yaml (uploaded):2:1: extends: '/etc/passwd' resolves to /etc/passwd, outside the shipped" in text
    assert "root:" not in page.content()
    _screenshot(page, "upload-refused")


def test_compare_and_projector_mode(page: Any) -> None:
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector("#compare_run", state="visible")
    base = sorted(Path("scenarios").glob("*.yaml"))[0]  # the first scenario selected is the base
    seed = load_scenario(base).seed
    page.wait_for_function(f"document.querySelector('#compare_seed').value === '{seed}'", timeout=30_000)
    page.get_by_text("Projector mode").click()
    page.wait_for_function("document.body.classList.contains('projector')")
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") == "rgb(0, 0, 0)"
    _screenshot(page, "compare-projector")


def test_the_sweep_view_moves_over_the_design_points(page: Any, sweep_folder: Path) -> None:
    page.get_by_role("tab", name="Sweep").click()
    page.fill("#sweep_path", str(sweep_folder))
    page.click("#sweep_open")
    page.wait_for_selector("#sweep_outcomes", timeout=60_000)
    points = pd.read_csv(sweep_folder / "points.csv")
    name = "actors.member_states.PL.detection_probability"
    lowest = points.loc[points[name].idxmin()]
    _settled(page, "sweep_")
    track = page.locator("#sweep_parameter_0").locator("xpath=..").locator(".irs-line")
    track.focus()
    for _ in range(60):  # each press moves 1% of the range: from the middle to the low end
        page.keyboard.press("ArrowLeft")
    from sim.report.formatting import format_parameter

    page.wait_for_function(
        "v => document.querySelector('#sweep_point').innerText.includes(v)",
        arg=f"{name}\t{format_parameter(float(lowest[name]))}",
        timeout=60_000,
    )
    _settled(page, "sweep_")
    _screenshot(page, "sweep")


_CONTRAST_SCRIPT = """
(root) => {
  const channel = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
  const rgba = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {  // the first opaque background up the tree (the page's, at the top)
    for (let node = element; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || (colour.length === 4 && colour[3] > 0)) { return colour; }
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const element of root.querySelectorAll('*')) {
    const own = Array.from(element.childNodes).filter((n) => n.nodeType === 3 && n.textContent.trim()).length;
    if (!own || !element.getClientRects().length || getComputedStyle(element).visibility === 'hidden') { continue; }
    const style = getComputedStyle(element);
    const fore = luminance(rgba(style.color)), back = luminance(background(element));
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    found.push({text: element.textContent.trim().slice(0, 60), tag: element.tagName, id: element.id,
                colour: style.color, background: background(element).join(','), ratio: ratio});
  }
  return found;
}
"""


def test_projector_mode_makes_every_text_of_the_results_light_on_black(page: Any, short_scenario: Path) -> None:
    """Projector mode, after a run: every text of the main pane (findings, status, tables, the command box) and of
    the sidebar has a WCAG contrast of at least 4.5 against its background, which is black."""
    page.set_input_files("#upload", str(short_scenario))
    page.wait_for_selector("text=short:", timeout=60_000)
    _settled(page, "levers")
    page.fill("#replications", "2")
    page.click("#run")
    page.wait_for_selector("#explore_results-status_text:has-text('done:')", timeout=RUN_TIMEOUT_MS)
    page.wait_for_selector("#explore_results-key_findings li", timeout=RUN_TIMEOUT_MS)
    _settled(page, "explore_results-")
    page.get_by_text("Projector mode").click()
    page.wait_for_function("document.body.classList.contains('projector')")
    page.wait_for_timeout(500)  # the colours change at once; leave a moment for the accordion's transition
    _screenshot(page, "explore-projector")
    pane = page.locator(".tab-pane.active .bslib-sidebar-layout").first
    texts = pane.evaluate(_CONTRAST_SCRIPT)
    ids = {text["id"] for text in texts}
    assert {"explore_results-status_text", "explore_results-command_line"} <= ids, ids
    assert any(text["tag"] == "LI" and text["text"] for text in texts)  # the key findings were read
    unreadable = [text for text in texts if text["ratio"] < 4.5]
    assert unreadable == [], unreadable
    command = next(text for text in texts if text["id"] == "explore_results-command_line")
    assert command["background"] == "0,0,0" and command["ratio"] >= 15  # white (or near) on black
    main = page.locator(".tab-pane.active .bslib-sidebar-layout > .main").first
    assert main.evaluate("e => getComputedStyle(e).color") == "rgb(255, 255, 255)"


def test_a_replication_count_out_of_range_is_refused_beside_the_field_and_nothing_runs(page: Any) -> None:
    for typed, shown in (
        ("-3", "Replications: -3 is not allowed; give a whole number from 2 to 1000."),
        ("20000", "Replications: 20000 is not allowed; give a whole number from 2 to 1000."),
        ("", "Replications is empty: give a whole number from 2 to 1000."),
    ):
        page.fill("#replications", typed)
        page.click("#run")
        page.wait_for_function(
            "t => document.querySelector('#run_message')?.innerText.includes(t)", arg=shown, timeout=30_000
        )
    assert page.locator("#run_message [role=alert]").count() == 1
    assert page.locator("#explore_results-status_text").count() == 0  # no run was started
    # The message sits in the sidebar, right below the fields it is about.
    order = page.evaluate(
        "['#replications', '#seed', '#run_message [role=alert]', '#run'].map(s => document.querySelector(s)"
        ".getBoundingClientRect().top)"
    )
    assert order == sorted(order)
    _screenshot(page, "replications-refused")
    page.fill("#replications", "2")
    page.click("#run")
    page.wait_for_selector("#explore_results-status_text", timeout=RUN_TIMEOUT_MS)
    assert page.inner_text("#run_message").strip() == ""
