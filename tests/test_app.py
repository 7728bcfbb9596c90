"""The web app's parts without a browser: levers, uploads, the command line, the run queue, the token gate, start-up
errors, what-binds sentences and the sweep view's nearest point. (The page itself: tests/test_app_browser.py.)"""

from __future__ import annotations

import asyncio
import ipaddress
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim import api
from sim.analysis.designs import Parameter
from sim.app.findings import Findings, findings_for_app
from sim.app.jobs import Job, RunQueue, job_key
from sim.app.levers import command_line, lever_overrides, scenario_levers
from sim.app.results import comparison_view, metrics_frame
from sim.app.server import (
    TOKEN_COOKIE,
    AppServerError,
    TokenGate,
    is_loopback,
    listen,
    machine_addresses,
    page_urls,
)
from sim.app.sweeps import SweepFolder
from sim.cli import app as cli_app
from sim.model.metrics import METRICS
from sim.report.style import metric_label
from sim.scenario.errors import ScenarioError
from sim.scenario.files import MAX_FILE_BYTES

pytest.importorskip("shiny")

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline_levers() -> dict[str, Any]:
    return {lever.key_path: lever for lever in scenario_levers(api.load_scenario(BASELINE))}


# --- levers ----------------------------------------------------------------------------------------------------


def test_a_contested_parameter_gets_its_sourced_range_and_source(baseline_levers: dict[str, Any]) -> None:
    lever = baseline_levers["actors.member_states.PL.detection_probability"]
    assert (lever.low, lever.value, lever.high) == (0.2, 0.4, 0.8)
    assert lever.contested
    assert lever.group == "Poland (PL)"
    assert lever.source.startswith("public figures #35")


def test_a_key_lever_goes_from_zero_to_twice_its_value(baseline_levers: dict[str, Any]) -> None:
    budget = baseline_levers["actors.member_states.PL.air_defence_budget_meur_per_year"]
    assert (budget.low, budget.value, budget.high, budget.step, budget.contested) == (0, 4000, 8000, 80, False)
    teams = baseline_levers["actors.ukraine.inventory.fire_units.interceptor_drone_team"]
    # Ukraine's launch teams are contested (an assumption with a range, 30–300): their slider spans that range
    assert (teams.low, teams.value, teams.high, teams.step, teams.contested) == (30, 80, 300, 3, True)
    share = baseline_levers["actors.member_states.PL.policies.procurement.params.joint_procurement_share"]
    assert (share.low, share.high) == (0.0, 1.0)


def test_defaults_and_the_catalog_are_not_levers(baseline_levers: dict[str, Any]) -> None:
    # Finland's procurement policy is the default (not written): --set on its parameter would make a policy
    # without a name, so it gets no control; the catalog's uncontested numbers are technical data, not decisions.
    assert "actors.member_states.FI.policies.procurement.params.joint_procurement_share" not in baseline_levers
    assert "catalog.effectors.piorun_team.range_km" not in baseline_levers
    assert "catalog.effectors.patriot.ready_rounds" in baseline_levers  # contested: 16–96


def test_every_lever_at_either_end_is_a_valid_override(baseline_levers: dict[str, Any]) -> None:
    for end in ("low", "high"):
        overrides = [lever.override(getattr(lever, end)) for lever in baseline_levers.values()]
        api.load_scenario(BASELINE, overrides)  # raises ScenarioError if any path or value is refused


def test_only_changed_controls_become_overrides(baseline_levers: dict[str, Any]) -> None:
    levers = list(baseline_levers.values())
    patriots = baseline_levers["actors.member_states.PL.inventory.fire_units.patriot"]
    detection = baseline_levers["actors.member_states.PL.detection_probability"]
    values = {lever.input_id: lever.value for lever in levers}
    values[patriots.input_id] = 3.0
    values[detection.input_id] = 0.65
    assert lever_overrides(levers, values) == [
        "actors.member_states.PL.detection_probability=0.65",
        "actors.member_states.PL.inventory.fire_units.patriot=3",
    ]


def test_the_command_line_repeats_the_run_and_quotes_what_needs_it() -> None:
    assert command_line("my scenario.yaml", ["a.b=1", "c.d=0.5"], 3, 7) == (
        "sim run 'my scenario.yaml' -n 3 --seed 7 --set a.b=1 --set c.d=0.5"
    )


# --- uploads ---------------------------------------------------------------------------------------------------


def test_an_upload_may_extend_a_shipped_scenario_by_name() -> None:
    raw = b"extends: baseline.yaml\nname: mine\nhorizon_days: 30\n"
    scenario = api.load_uploaded_scenario(raw, "mine.yaml", ["actors.member_states.PL.detection_probability=0.7"])
    assert (scenario.name, scenario.horizon_days) == ("mine", 30)
    assert scenario.actors.member_states["PL"].detection_probability.value == 0.7
    assert scenario.actors.member_states["PL"].detection_probability.source == "public-figures#35"


@pytest.mark.parametrize("target", ["/etc/passwd", "../pyproject.toml", "../../../../../../etc/passwd"])
def test_an_upload_cannot_reach_outside_the_shipped_scenarios(target: str) -> None:
    with pytest.raises(ScenarioError) as caught:
        api.load_uploaded_scenario(f"name: evil\nextends: {target}\n".encode(), "evil.yaml")
    text = str(caught.value)
    assert text.startswith("evil.yaml (uploaded):2:1: extends: ")
    assert "outside the shipped scenarios folder" in text
    assert "root:" not in text  # the file named is never read, let alone quoted


def test_an_upload_is_size_capped_and_must_be_utf8_yaml() -> None:
    with pytest.raises(ScenarioError, match=r"big\.yaml \(uploaded\): the file is 5\.0 MB, larger than the 5\.0 MB"):
        api.load_uploaded_scenario(b"#" * (MAX_FILE_BYTES + 1), "big.yaml")
    with pytest.raises(ScenarioError, match=r"bad\.yaml \(uploaded\):2:"):
        api.load_uploaded_scenario(b"name: x\nname: y\n", "bad.yaml")
    with pytest.raises(ScenarioError, match=r"latin\.yaml \(uploaded\)"):
        api.load_uploaded_scenario("name: Zürich".encode("latin-1"), "latin.yaml")
    with pytest.raises(ScenarioError, match=r"empty\.yaml \(uploaded\):1:1: the file is empty"):
        api.load_uploaded_scenario(b"# nothing\n", "empty.yaml")


def test_a_copy_of_the_baseline_uploads_with_its_article_files() -> None:
    # article_file names (articles/…) start from the shipped folder, as they do for the file itself.
    assert api.load_uploaded_scenario(BASELINE.read_bytes(), "copy.yaml") == api.load_scenario(BASELINE)


def test_the_api_forwards_allowed_roots(tmp_path: Path) -> None:
    from sim.scenario.files import AllowedRoot

    child = tmp_path / "child.yaml"
    child.write_text(f"extends: {BASELINE}\nname: child\n")
    assert api.load_scenario(child).name == "child"
    with pytest.raises(ScenarioError, match="outside only here"):
        api.load_scenario(child, allowed_roots=[AllowedRoot(tmp_path, "only here")])


# --- runs ------------------------------------------------------------------------------------------------------


def test_a_job_gives_the_numbers_of_sim_run_and_is_cached(tmp_path: Path) -> None:
    base = api.load_scenario(BASELINE, ["horizon_days=6"])
    overrides = ["actors.member_states.PL.detection_probability=0.7"]
    changed = api.load_scenario(BASELINE, ["horizon_days=6", *overrides])
    queue = RunQueue(tmp_path / "app", workers=1)
    try:
        job = Job(job_key([base, changed], overrides, 2, 5), ["base", "changed"], [base, changed], 2, 5)
        assert queue.submit(job) is job
        deadline = time.monotonic() + 120
        while not job.settled and time.monotonic() < deadline:
            time.sleep(0.05)
        assert (job.state, job.report, len(job.records)) == ("done", "ready", 4)
        assert job.results is not None and (job.results.run_dir / "report.html").is_file()
        again = Job(job_key([base, changed], overrides, 2, 5), ["base", "changed"], [base, changed], 2, 5)
        assert queue.submit(again) is job  # the cache: same scenarios, overrides, replications and seed
    finally:
        queue.close()
    alone = api.run(changed, replications=2, seed=5, workers=1, results_root=tmp_path / "cli")
    page = metrics_frame(job.records)
    changed_rows = page[page["point"] == 1].reset_index(drop=True)
    for metric in ("ukraine_drone_intercept_rate", "nato_leakers", "interceptor_spend_meur"):
        assert list(changed_rows[metric]) == list(alone.metrics[metric])


def test_a_queued_job_can_be_dropped_and_the_pool_never_exceeds_the_cores(tmp_path: Path) -> None:
    queue = RunQueue(tmp_path, workers=10_000)
    try:
        from sim.experiment.executors import usable_cpu_count

        assert queue.workers == usable_cpu_count()
        scenario = api.load_scenario(BASELINE, ["horizon_days=2"])
        first = queue.submit(Job(job_key([scenario], ["a=1"], 2, 1), ["a"], [scenario], 2, 1))
        second = queue.submit(Job(job_key([scenario], ["a=2"], 2, 1), ["a"], [scenario], 2, 1))
        if second.state == "queued":
            assert queue.position(second) in (1, 2)
        queue.drop(second)
        assert second.state in ("cancelled", "done", "running")
        queue.drop(first)
    finally:
        queue.close()


def test_the_view_pairs_only_replications_every_scenario_has() -> None:
    base = api.load_scenario(BASELINE)

    def record(point: int, replication: int, value: float) -> dict[str, Any]:
        return {
            "point": point,
            "replication": replication,
            "seed": 10 + replication,
            "status": "ok",
            "error": None,
            "metrics": {"ukraine_drone_intercept_rate": value, "nato_leakers": 2.0 * value},
        }

    only_base = comparison_view([record(0, 0, 0.5), record(0, 1, 0.7)], ["a", "b"], [base, base])
    assert only_base.done == [2, 0] and only_base.difference_rows == []
    view = comparison_view(
        [record(0, 0, 0.5), record(0, 1, 0.7), record(1, 0, 0.6), record(0, 2, 0.9)], ["a", "b"], [base, base]
    )
    assert view.done == [3, 1]
    rate = next(row for row in view.summary_rows if row[0] == "Ukraine drone intercept rate" and row[1] == "a")
    assert rate[2] == "50.0%"  # the mean over the one paired replication (0), not over the three base ones


# --- findings and sweeps ---------------------------------------------------------------------------------------


def _drone_wall_records() -> list[dict[str, Any]]:
    """Three paired replications: NATO leakers fall by 4, 5 and 6 in drone_wall, the drone intercept rate is the
    same, and what binds Ukraine's interceptor drones moves from magazine (50% of nights) to crews (80%)."""
    leakers = {0: [10.0, 12.0, 14.0], 1: [6.0, 7.0, 8.0]}
    magazine = {0: [0.6, 0.4, 0.5], 1: [0.1, 0.1, 0.1]}
    crews = {0: [0.3, 0.3, 0.3], 1: [0.8, 0.8, 0.8]}
    family = "binding_nights_share.ukraine.interceptor_drone"
    return [
        {
            "point": point,
            "replication": replication,
            "seed": 10 + replication,
            "status": "ok",
            "error": None,
            "metrics": {
                "ukraine_drone_intercept_rate": 0.8,
                "nato_leakers": leakers[point][replication],
                f"{family}.magazine": magazine[point][replication],
                f"{family}.crews": crews[point][replication],
                f"{family}.none": 1.0 - magazine[point][replication] - crews[point][replication],
            },
        }
        for point in (0, 1)
        for replication in range(3)
    ]


@pytest.fixture(scope="module")
def drone_wall_view() -> Any:
    scenarios = [api.load_scenario(BASELINE), api.load_scenario(BASELINE.parent / "drone_wall.yaml")]
    return comparison_view(_drone_wall_records(), ["baseline", "drone_wall"], scenarios)


def test_the_page_shows_the_comparison_tables_verdicts_at_the_reports_precision(drone_wall_view: Any) -> None:
    # Differences −4, −5, −6: mean −5, sd 1, 90% CI −5 ± t(0.95, 2)·1/√3 = −5 ± 1.686 → one decimal (half-width
    # 1.7); NATO leakers matter from 5% of the baseline's 12 = 0.6; lower is better, so the verdict is "better".
    # The drone intercept rate is the same in every pair: a zero difference is negligible (matters from 1 pp).
    rows = {row[0]: row for row in drone_wall_view.difference_rows}
    assert rows["NATO leakers"] == (
        "NATO leakers",
        "drone_wall",
        "12.0",
        "7.00",
        "-5.0",
        "-6.7 … -3.3",
        "0.600",
        "better",
    )
    assert rows["Ukraine drone intercept rate"][4:] == ("0", "0 … 0", "1.0 pp", "negligible")
    table = drone_wall_view.comparison.set_index(["scenario", "metric"])["verdict"]
    for row in drone_wall_view.difference_rows:  # every verdict shown is the comparison table's, none the app's own
        metric = next(m.name for m in METRICS if metric_label(m.name) == row[0])
        assert row[-1] == table[(row[1], metric)]


def test_hypotheses_against_the_base_are_shown_judged(drone_wall_view: Any) -> None:
    shown = {row[1]: row for row in drone_wall_view.hypothesis_rows}
    assert shown["fewer_nato_leakers"][:6] == (
        "drone_wall",
        "fewer_nato_leakers",
        "nato_leakers lower than baseline",
        "-5.0",
        "-6.7 … -3.3",
        "supported",
    )
    assert shown["fewer_airport_closures"][5] == "inconclusive"  # the records hold no airport closures
    # Explore compares drone_wall with a changed drone_wall: its hypotheses name "baseline", not on the page.
    drone_wall = api.load_scenario(BASELINE.parent / "drone_wall.yaml")
    explore = comparison_view(_drone_wall_records(), ["drone_wall", "drone_wall (changed)"], [drone_wall, drone_wall])
    assert explore.hypothesis_rows == [] and explore.hypotheses.empty


def test_the_findings_shown_are_the_generators_sentences(drone_wall_view: Any) -> None:
    from sim.experiment.compare import summarize_comparison
    from sim.report.findings_sections import comparison_key_findings

    found = findings_for_app(drone_wall_view)
    comparison, objectives, _, hypotheses = summarize_comparison(
        metrics_frame(_drone_wall_records()), drone_wall_view.labels, drone_wall_view.scenarios
    )
    expected = comparison_key_findings(
        comparison, drone_wall_view.labels, drone_wall_view.scenarios, objectives, hypotheses
    )
    assert found.key_findings == [finding.text for finding in expected]
    assert (
        found.key_findings[0]
        == "drone_wall: NATO leakers -5.0 (90% CI -6.7 to -3.3) against 12.0 in baseline — better."
    )
    assert found.what_binds == [
        "baseline: What binds in Ukraine: the interceptor drone layer by magazine on 50% of its nights with threats; "
        "the interceptor drone layer by crews on 30% of its nights with threats.",
        "drone_wall: What binds in Ukraine: the interceptor drone layer by crews on 80% of its nights with threats; "
        "the interceptor drone layer by magazine on 10% of its nights with threats.",
    ]
    base = api.load_scenario(BASELINE)
    assert findings_for_app(comparison_view([], ["a", "b"], [base, base])) == Findings()


def test_the_sweep_view_picks_the_nearest_design_point_in_range_units() -> None:
    points = pd.DataFrame({"p": [0.2, 0.5, 0.8], "q": [1000.0, 9000.0, 5000.0], "rate": [0.1, 0.2, 0.3]})
    folder = SweepFolder(Path("."), "lhs", [Parameter("p", 0.0, 1.0), Parameter("q", 0.0, 10000.0)], ["rate"], points,
                         pd.DataFrame())  # fmt: skip
    assert folder.nearest_point({"p": 0.75, "q": 6000.0})["rate"] == 0.3  # 0.05² + 0.1² < 0.25² + 0.3²
    assert folder.nearest_point({"p": 0.75, "q": 9000.0})["rate"] == 0.2  # 0.25² + 0 < 0.05² + 0.4²
    assert folder.nearest_point({"p": 0.5, "q": 8000.0})["rate"] == 0.2


# --- serving ---------------------------------------------------------------------------------------------------


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.4")


def test_a_free_port_on_loopback_needs_no_token_and_a_busy_port_is_a_clear_error() -> None:
    listener = listen("127.0.0.1", 0)
    try:
        assert listener.port > 0 and listener.token is None
        assert listener.url == f"http://127.0.0.1:{listener.port}/"
        with pytest.raises(AppServerError, match=rf"port {listener.port} on 127.0.0.1 is already in use.*--port"):
            listen("127.0.0.1", listener.port)
        result = CliRunner().invoke(cli_app, ["app", "--port", str(listener.port)])
        assert result.exit_code == 2
        assert "is already in use" in result.output and "Traceback" not in result.output
    finally:
        listener.sock.close()


def test_beyond_loopback_the_url_carries_a_token() -> None:
    listener = listen("0.0.0.0", 0)
    try:
        assert listener.token and len(listener.token) >= 20
        assert listener.url == f"http://127.0.0.1:{listener.port}/?token={listener.token}"
    finally:
        listener.sock.close()


def test_without_the_extra_the_command_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "shiny" else real(name, *a))
    result = CliRunner().invoke(cli_app, ["app"])
    assert result.exit_code == 2
    assert "pip install -e '.[app]'" in result.output and "shiny not installed" in result.output


def _call(gate: TokenGate, scope: dict[str, Any]) -> list[dict[str, Any]]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request"}

    async def send(message: Any) -> None:
        sent.append(dict(message))

    asyncio.run(gate(scope, receive, send))
    return sent


async def _ok_app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"page"})


def test_the_token_gate_lets_in_only_the_token_and_then_its_cookie() -> None:
    gate = TokenGate(_ok_app, "s3cret")
    refused = _call(gate, {"type": "http", "query_string": b"", "headers": []})
    assert refused[0]["status"] == 403 and b"?token=" in refused[1]["body"]
    wrong = _call(gate, {"type": "http", "query_string": b"token=guess", "headers": []})
    assert wrong[0]["status"] == 403
    admitted = _call(gate, {"type": "http", "query_string": b"token=s3cret", "headers": []})
    assert admitted[0]["status"] == 200
    assert (b"set-cookie", f"{TOKEN_COOKIE}=s3cret; Path=/; HttpOnly; SameSite=Strict".encode()) in admitted[0][
        "headers"
    ]
    by_cookie = _call(gate, {"type": "http", "query_string": b"", "headers": [(b"cookie", b"sim_app_token=s3cret")]})
    assert by_cookie[0]["status"] == 200
    socket_refused = _call(gate, {"type": "websocket", "query_string": b"", "headers": []})
    assert socket_refused == [{"type": "websocket.close", "code": 1008}]


def test_listen_refuses_an_address_of_another_machine() -> None:
    with pytest.raises(AppServerError, match="not an address of this machine"):
        listen("203.0.113.7", 0)
    assert socket.gethostname()  # the machine has a name (the message's advice is about addresses)


def test_nothing_below_the_app_imports_it() -> None:
    root = Path(__file__).resolve().parents[1] / "sim"
    importers = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "sim.app" in path.read_text(encoding="utf-8")
        and path.parent.name != "app"
        and path.name != "app.py"  # sim/commands/app.py starts it
    ]
    assert importers == []


def test_beyond_loopback_the_command_warns_and_prints_the_token_url(monkeypatch: pytest.MonkeyPatch) -> None:
    import sim.app.server as server

    served: list[Any] = []
    monkeypatch.setattr(server, "serve", lambda listener, results_root, workers: served.append(listener))
    result = CliRunner().invoke(cli_app, ["app", "--host", "0.0.0.0"], env={"COLUMNS": "200"})
    served[0].sock.close()
    assert result.exit_code == 0, result.output
    assert "warning: listening on 0.0.0.0: anyone on that network who has the URL" in result.output
    assert f"open http://127.0.0.1:{served[0].port}/?token={served[0].token}" in result.output
    # The room cannot use 127.0.0.1: the machine's own addresses are printed, each with the token.
    room = served[0].room_urls()
    assert room == page_urls("0.0.0.0", served[0].port, served[0].token, machine_addresses())
    assert "from the room's other machines, open" in result.output
    for url in room:
        assert f"\n  {url}\n" in result.output


def test_the_room_urls_are_the_machines_own_addresses_with_the_token() -> None:
    addresses = ["127.0.0.1", "10.1.2.3", "192.168.0.7", "::1", "fe80::1", "2001:db8::5", "10.1.2.3", "bogus"]
    assert page_urls("0.0.0.0", 8766, "T0k", addresses) == [
        "http://10.1.2.3:8766/?token=T0k",
        "http://192.168.0.7:8766/?token=T0k",
    ]
    assert page_urls("::", 8766, "T0k", addresses) == ["http://[2001:db8::5]:8766/?token=T0k"]
    assert page_urls("192.168.0.7", 80, "T0k", addresses) == ["http://192.168.0.7:80/?token=T0k"]
    assert page_urls("127.0.0.1", 80, None, addresses) == []
    assert page_urls("0.0.0.0", 80, "T0k", ["127.0.0.1"]) == []


def test_the_machines_addresses_include_every_interfaces_ipv4_address() -> None:
    found = machine_addresses()
    for text in found:
        ipaddress.ip_address(text)  # each is an address
    if sys.platform == "linux":  # the kernel's own list of IPv4 addresses, read another way
        listed = subprocess.run(["ip", "-4", "-o", "addr"], capture_output=True, text=True, check=False)
        if listed.returncode == 0:
            expected = set(re.findall(r"inet (\d+\.\d+\.\d+\.\d+)/", listed.stdout))
            assert expected <= set(found)


def test_an_open_executor_excludes_workers_and_scheduler() -> None:
    from sim.experiment.execution import Execution
    from sim.experiment.executors import SerialExecutor

    with pytest.raises(ValueError, match="an open executor or how to open one"):
        Execution(executor=SerialExecutor(), workers=2)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-3, "Replications: -3 is not allowed; give a whole number from 2 to 1000."),
        (20000, "Replications: 20000 is not allowed; give a whole number from 2 to 1000."),
        (1, "Replications: 1 is not allowed; give a whole number from 2 to 1000."),
        (2.5, "Replications: 2.5 is not allowed; give a whole number from 2 to 1000."),
        (None, "Replications is empty: give a whole number from 2 to 1000."),
        ("", "Replications is empty: give a whole number from 2 to 1000."),
        ("lots", "Replications holds 'lots': give a whole number from 2 to 1000."),
    ],
)
def test_a_replication_count_out_of_range_or_empty_is_refused_not_changed(value: Any, message: str) -> None:
    from sim.app.page import MAX_REPLICATIONS, whole_number

    with pytest.raises(ValueError) as refused:
        whole_number(value, "Replications", 2, MAX_REPLICATIONS)
    assert str(refused.value) == message


def test_an_allowed_count_and_seed_are_taken_as_they_are() -> None:
    from sim.app.page import whole_number

    assert whole_number(2, "Replications", 2, 1000) == 2 and whole_number(1000.0, "Replications", 2, 1000) == 1000
    assert whole_number(0, "Seed", 0) == 0 and whole_number(20250901, "Seed", 0) == 20250901
    with pytest.raises(ValueError, match=r"^Seed: -1 is not allowed; give a whole number, 0 or more\.$"):
        whole_number(-1, "Seed", 0)


def test_the_command_line_of_an_upload_that_extends_a_shipped_scenario_runs_beside_the_file(tmp_path: Path) -> None:
    """A student's file with ``extends: baseline.yaml`` (the README's form), uploaded: the page's command, typed in
    a fresh folder that holds only that file, runs and gives the page's numbers replication by replication."""
    from sim.app.levers import upload_setup

    raw = b"extends: baseline.yaml\nname: student\nhorizon_days: 8\n"
    setup = upload_setup(raw, "student.yaml")
    shipped = BASELINE.parent.resolve()
    assert setup == (
        f"ln -s {shipped / 'baseline.yaml'} baseline.yaml  # student.yaml extends the shipped baseline.yaml: link "
        "it beside student.yaml (once), then:"
    )
    overrides = ["actors.member_states.PL.detection_probability=0.7"]
    command = "\n".join([setup, command_line("student.yaml", overrides, 2, 5)])
    folder = tmp_path / "fresh"
    folder.mkdir()
    (folder / "student.yaml").write_bytes(raw)
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"}
    typed = subprocess.run(  # the page's two lines as printed, the second told where to write (as a student may)
        ["bash", "-e", "-c", f"{command} --out cli --no-report"],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert typed.returncode == 0, typed.stderr
    cli = pd.read_csv(next((folder / "cli").iterdir()) / "replications.csv")
    page = api.run(
        api.load_uploaded_scenario(raw, "student.yaml", overrides), 2, 5, workers=1, results_root=tmp_path / "page"
    ).metrics
    for metric in ("ukraine_drone_intercept_rate", "nato_leakers", "interceptor_spend_meur"):
        assert list(cli[metric]) == list(page[metric])
    # Without the link, the bare command fails as the QA pass saw (the file's folder has no baseline.yaml).
    bare = tmp_path / "bare"
    bare.mkdir()
    (bare / "student.yaml").write_bytes(raw)
    alone = subprocess.run(
        ["bash", "-c", command_line("student.yaml", overrides, 2, 5) + " --out cli --no-report"],
        cwd=bare,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert alone.returncode != 0 and "does not exist" in alone.stdout + alone.stderr


def test_an_upload_with_an_absolute_extends_or_none_needs_no_setup() -> None:
    from sim.app.levers import upload_setup

    assert upload_setup(f"extends: {BASELINE}\nname: x\n".encode(), "x.yaml") == ""
    assert upload_setup(BASELINE.read_bytes(), "mine.yaml") == ""
