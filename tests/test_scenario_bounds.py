"""Every number of the scenario format has a physical bound; names and free text are safe to print and to file.

Each kind of number is checked at a real field of the baseline scenario through ``--set`` (the exact message a
user sees), and each name rule on a small child file (control characters cannot be written on a command line).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.experiment.store import create_run_dir
from sim.scenario.errors import Problem, ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.schema import scenario_json_schema
from sim.scenario.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"

COUNT = "(expected a whole number from 0 to 1e+09; 1e+09 is more than any arsenal or order book holds)"
FIRE_UNITS = "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)"
PER_UNIT = "(expected a whole number from 1 to 10000; 10000 is more than any fire unit fires or engages in a night)"
RATE = "(expected a number from 0 to 1e+06; 1e+06 is a thousand times the largest raid or production line on record)"
MEUR = "(expected a number from 0 to 1e+07; 1e+07 is EUR 10 trillion, over half the EU's yearly GDP)"
PRICE = "(expected a number from 0.01 to 1e+10; 1e+10 is EUR 10 billion, more than any air-defence item costs)"
DAYS = "(expected a whole number from 0 to 36500; 36500 is a century)"
GROWTH = "(expected a number from -1 to 1; 1 is +100 % a period (doubling))"
MULTIPLIER = "(expected a number from 1e-12 to 100; 100 is a hundred times the ordinary)"
DISPERSION = "(expected a number from 0.01 to 1e+06; 1e+06 is Poisson in all but name)"
HOURS = "(expected a number from 0 to 8760; 8760 is a year)"
DISTANCE = "(expected a number from 1e-12 to 20000; 20000 is half the Earth's circumference)"
COORDINATE = "(expected a number from -20000 to 20000; 20000 is half the Earth's circumference)"
PROBABILITY = "(expected a number from 0 to 1; 1 is certain)"

PL_PATRIOT = "actors.member_states.PL.inventory.fire_units.patriot"
RAIDS = "actors.adversary.raids.params"


def problems_of(*overrides: str, path: Path = BASELINE) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return [problem.format() for problem in caught.value.problems]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        # counts
        (
            "actors.adversary.stock.shahed=1e308",
            f"actors.adversary.stock.shahed: value 1e+308 is above 1e+09: a count must be ≤ 1e+09 {COUNT}",
        ),
        (
            f"{PL_PATRIOT}=9223372036854775808",
            f"{PL_PATRIOT}: value 9.22337e+18 is above 100000: a number of fire units must be ≤ 100000 {FIRE_UNITS}",
        ),
        (
            f"{PL_PATRIOT}=1{'0' * 400}",
            f"{PL_PATRIOT}: a 401-digit number is too large (expected a number below 1e+308)",
        ),
        (
            "catalog.effectors.patriot.engagements_per_night=.inf",
            "catalog.effectors.patriot.engagements_per_night: value inf is not a finite number "
            "(expected a finite number)",
        ),
        (
            "catalog.effectors.patriot.shots_per_target=0",
            "catalog.effectors.patriot.shots_per_target: value 0 is below 1: "
            f"a number per fire unit must be ≥ 1 {PER_UNIT}",
        ),
        (
            "events[0].drones=-1",
            f"events[0].drones: value -1 is below 0: a count must be ≥ 0 {COUNT}",
        ),
        # rates, money, durations, ratios
        (
            f"{RAIDS}.drones_per_night=.nan",
            f"{RAIDS}.drones_per_night: value nan is not a finite number (expected a finite number)",
        ),
        (
            f"{RAIDS}.missiles_per_strike=2000000",
            f"{RAIDS}.missiles_per_strike: value 2e+06 is above 1e+06: a rate must be ≤ 1e+06 {RATE}",
        ),
        (
            "actors.eu.safe_loans_meur=1e308",
            f"actors.eu.safe_loans_meur: value 1e+308 is above 1e+07: a sum in EUR million must be ≤ 1e+07 {MEUR}",
        ),
        (
            "catalog.threats.shahed.unit_cost_eur.value=-.inf",
            "catalog.threats.shahed.unit_cost_eur: value -inf is not a finite number (expected a finite number)",
        ),
        (
            "catalog.interceptors.pac3_mse.unit_cost_eur=1e11",
            f"catalog.interceptors.pac3_mse.unit_cost_eur: value 1e+11 is above 1e+10: a price in EUR must be ≤ 1e+10 "
            f"{PRICE}",
        ),
        (
            "catalog.interceptors.pac3_mse.unit_cost_eur=0",
            "catalog.interceptors.pac3_mse.unit_cost_eur: value 0 is below 0.01: a price in EUR must be ≥ 0.01 "
            f"{PRICE}",
        ),
        (
            "industry.suppliers[0].products[0].lead_time_days=40000",
            "industry.suppliers[0].products[0].lead_time_days: value 40000 is above 36500: "
            f"a number of days must be ≤ 36500 {DAYS}",
        ),
        (
            f"{RAIDS}.trend_per_month=2",
            f"{RAIDS}.trend_per_month: value 2 is above 1: a growth rate must be ≤ 1 {GROWTH}",
        ),
        (
            f"{RAIDS}.surge_multiplier=101",
            f"{RAIDS}.surge_multiplier: value 101 is above 100: a multiplier must be ≤ 100 {MULTIPLIER}",
        ),
        (
            f"{RAIDS}.dispersion=0.001",
            f"{RAIDS}.dispersion: value 0.001 is below 0.01: a dispersion must be ≥ 0.01 {DISPERSION}",
        ),
        (
            "events[1].airport_closure_hours=9000",
            f"events[1].airport_closure_hours: value 9000 is above 8760: a number of hours must be ≤ 8760 {HOURS}",
        ),
        (
            "catalog.effectors.patriot.range_km=0",
            f"catalog.effectors.patriot.range_km: value 0 is below 1e-12: a distance in km must be ≥ 1e-12 {DISTANCE}",
        ),
        (
            "actors.member_states.PL.position_km=[1e6, 0]",
            f"actors.member_states.PL.position_km[0]: value 1e+06 is above 20000: a coordinate in km must be ≤ 20000 "
            f"{COORDINATE}",
        ),
        (
            "actors.member_states.PL.detection_probability={value: 0.5, high: 1.5}",
            f"actors.member_states.PL.detection_probability: high 1.5 is above 1: a probability must be ≤ 1 "
            f"{PROBABILITY}",
        ),
        # plain numbers of the scenario itself
        (
            "replications=1000000000",
            "replications: value 1e+09 is above 10000: a number of replications must be ≤ 10000 (expected a whole "
            "number up to 10000; 10000 replications already pin a 90 % interval to about 1 % of a standard deviation)",
        ),
        (
            "horizon_days=5000",
            "horizon_days: value 5000 is above 3650: a horizon must be ≤ 3650 "
            "(expected a whole number up to 3650; 3650 days is ten years)",
        ),
        (
            "seed=18446744073709551616",
            "seed: value 1.84467e+19 is above 9.22337e+18: a seed must be ≤ 9.22337e+18 "
            "(expected a whole number up to 9.22337e+18; 9.22337e+18 is the largest 64-bit integer)",
        ),
        (
            "events[0].day=99999",
            "events[0].day: value 99999 is above 3650: an event day must be ≤ 3650 (expected a whole number up to "
            "3650; 3650 is the last day of the longest horizon: a later event can never happen)",
        ),
        (
            "objectives[0].threshold=.inf",
            "objectives[0].threshold: value inf is not a finite number "
            "(expected a number from -1e+15 to 1e+15; 1e+15 is beyond any metric's reach)",
        ),
        (
            "start_date=9999-12-31",
            "start_date: start date 9999-12-31 is outside 1900–2100 (expected a date from 1900-01-01 to 2100-12-31)",
        ),
        (
            "cadence.procurement_days=10000",
            "cadence.procurement_days: value 10000 is above 3650: a cadence must be ≤ 3650 "
            "(expected a whole number up to 3650; 3650 days is the longest horizon)",
        ),
    ],
)
def test_a_number_outside_its_bounds_is_refused_with_the_bound_and_its_reason(override: str, message: str) -> None:
    assert problems_of(override) == [f"--set {override}: {message}"]


@pytest.mark.parametrize(
    ("override", "message"),
    [
        (
            "actors.eu.safe_loans_meur='32000'",
            "expected a number, got the text '32000' (expected 32000 without the quotes)",
        ),
        (
            "actors.eu.safe_loans_meur.value='32000'",
            "expected a number, got the text '32000' (expected 32000 without the quotes)",
        ),
        (
            "horizon_days='365'",
            "Input should be a valid integer (got the text '365') (expected 365 without the quotes)",
        ),
        (
            "actors.eu.safe_loans_meur.value='inf'",
            "expected a number, got the text 'inf' (expected inf without the quotes)",
        ),
        (
            "actors.eu.safe_loans_meur.value=true",
            "expected a number, got the boolean true (expected a number such as 12 or 0.5)",
        ),
    ],
)
def test_a_quoted_number_is_refused_wherever_a_number_belongs(override: str, message: str) -> None:
    key = override.partition("=")[0]
    assert problems_of(override) == [f"--set {override}: {key}: {message}"]


def test_a_quoted_coordinate_is_refused_too() -> None:
    assert problems_of("actors.member_states.PL.position_km=['1', 2]") == [
        "--set actors.member_states.PL.position_km=['1', 2]: actors.member_states.PL.position_km[0]: "
        "expected a number, got the text '1' (expected 1 without the quotes)"
    ]


def test_the_upper_bounds_themselves_are_valid() -> None:
    scenario = load_scenario(
        BASELINE,
        [
            "replications=10000",
            "horizon_days=3650",
            f"{RAIDS}.surge_multiplier=100",
            "actors.adversary.stock.shahed=1000000000",
            "start_date=2100-12-31",
        ],
    )
    assert (scenario.replications, scenario.horizon_days) == (10_000, 3650)
    assert scenario.actors.adversary.stock["shahed"].value == 1e9


# --- names and free text ---------------------------------------------------------------------------------


def child(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {BASELINE}\n{body}", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name_yaml", "message"),
    [
        ('""', "a name must not be empty"),
        ('"   "', "a name must not be empty"),
        ('".."', "'..' cannot be a name: it means a folder"),
        ('"."', "'.' cannot be a name: it means a folder"),
        ('"x[/]"', "a name must not hold '/' or '[' or ']' (path separators and markup brackets)"),
        ('"runs/../../etc"', "a name must not hold '/' (path separators and markup brackets)"),
        ('"a\\\\b"', "a name must not hold '\\\\' (path separators and markup brackets)"),
        ('"🚀🚀🚀"', "a name must hold at least one letter or digit"),
        ('"--"', "a name must hold at least one letter or digit"),
        ('"a\\e[31mred"', "a name must not hold control or invisible characters; this one holds \\x1b"),
        ('"nul\\0here"', "a name must not hold control or invisible characters; this one holds \\x00"),
        ('"two\\nlines"', "a name must not hold control or invisible characters; this one holds \\n"),
        ('"evil\\u202etxt"', "a name must not hold control or invisible characters; this one holds \\u202e"),
        (f'"{"x" * 300}"', "a name must be at most 80 characters; this one has 300"),
    ],
)
def test_a_name_that_cannot_be_a_folder_or_a_terminal_line_is_refused(
    tmp_path: Path, name_yaml: str, message: str
) -> None:
    path = child(tmp_path, f"name: {name_yaml}\n")
    assert problems_of(path=path) == [f"{path}:2:1: name: {message}"]


def test_names_in_any_script_are_accepted(tmp_path: Path) -> None:
    path = child(tmp_path, "name: Київ — Rzeszów (ΑΒΓ) 2025\n")
    assert load_scenario(path).name == "Київ — Rzeszów (ΑΒΓ) 2025"


def test_a_mapping_key_that_names_a_thing_follows_the_name_rules(tmp_path: Path) -> None:
    path = child(tmp_path, 'actors:\n  member_states:\n    "P\\e[2JL": {name: x}\n')
    found = problems_of(path=path)
    assert (
        f'{path}:4:5: actors.member_states["P\\u001b[2JL"]: a name must not hold control or invisible characters; '
        "this one holds \\x1b" in found
    )


def test_free_text_may_hold_newlines_and_tabs_but_no_other_control_character(tmp_path: Path) -> None:
    good = child(tmp_path, 'description: "two\\n\\tlines, a no-break\\u00a0space, [bold] brackets"\n')
    assert load_scenario(good).description == "two\n\tlines, a no-break\u00a0space, [bold] brackets"
    bad = child(tmp_path, 'description: "ring \\a the bell, \\e[31m red"\n')
    assert problems_of(path=bad) == [
        f"{bad}:2:1: description: text must not hold control characters; this one holds \\x07, \\x1b"
    ]


def test_a_source_note_with_an_escape_sequence_is_refused(tmp_path: Path) -> None:
    path = child(
        tmp_path, 'catalog:\n  threats:\n    shahed:\n      unit_cost_eur: {value: 1, note: "\\e]0;title\\a"}\n'
    )
    assert problems_of(path=path) == [
        f"{path}:5:33: catalog.threats.shahed.unit_cost_eur.note: text must not hold control characters; "
        "this one holds \\x1b, \\x07"
    ]


def test_a_problem_never_prints_a_raw_control_character() -> None:
    problem = Problem("f\x1b.yaml", 1, 2, "events[0].target", "unknown state 'P\x1b[2J\x00'")
    assert problem.format() == "f\\x1b.yaml:1:2: events[0].target: unknown state 'P\\x1b[2J\\x00'"


def test_an_unknown_reference_with_a_control_character_is_shown_escaped(tmp_path: Path) -> None:
    path = child(tmp_path, 'events:\n  - {kind: incursion, day: 1, target: "P\\eL", drones: 3}\n')
    found = problems_of(path=path)
    assert any("unknown" in line and "P\\x1bL" in line for line in found), found
    assert not any("\x1b" in line for line in found)


# --- merging a list whose item's name is not a name ------------------------------------------------------


def test_a_list_where_a_merge_expects_a_name_is_a_located_problem(tmp_path: Path) -> None:
    path = child(
        tmp_path,
        "industry:\n  suppliers:\n    - name: [mbda, thales]\n      country: FR\n      european: true\n"
        "      products: []\n",
    )
    appended = len(read_yaml_file(BASELINE).data["industry"]["suppliers"])  # the new item follows the baseline's
    assert problems_of(path=path) == [
        f"{path}:4:7: industry.suppliers[{appended}].name: Input should be a valid string"
    ]


def test_a_mapping_as_a_region_name_in_a_child_is_a_located_problem(tmp_path: Path) -> None:
    path = child(
        tmp_path, "actors:\n  ukraine:\n    regions:\n      - {name: {a: 1}, raid_share: 0, position_km: [0, 0]}\n"
    )
    # The item cannot merge with a parent region, so it is added after the six regions of the baseline.
    assert f"{path}:5:10: actors.ukraine.regions[6].name: Input should be a valid string" in problems_of(path=path)


# --- the JSON Schema carries the bounds ------------------------------------------------------------------


def test_the_schema_carries_every_bound() -> None:
    schema = scenario_json_schema()
    properties = schema["properties"]
    assert (properties["replications"]["minimum"], properties["replications"]["maximum"]) == (1, 10_000)
    assert properties["horizon_days"]["maximum"] == 3650
    ready_rounds = schema["definitions"]["EffectorType"]["properties"]["ready_rounds"]["anyOf"][0]
    number, mapping = ready_rounds["anyOf"]
    assert (number["minimum"], number["maximum"], number["multipleOf"]) == (0, 10_000, 1)
    assert mapping["allOf"][1]["properties"]["value"] == {"minimum": 0, "maximum": 10_000, "multipleOf": 1}
    assert schema["properties"]["name"]["maxLength"] == 80


def test_no_number_in_the_schema_is_unbounded() -> None:
    unbounded: list[str] = []

    def walk(node: object, where: str) -> None:
        if isinstance(node, dict):
            if where == "#/definitions/Param":
                return  # the bare {value, low, high} shape: every use of it adds its bounds (see ready_rounds above)
            if node.get("type") in ("number", "integer") and "maximum" not in node:
                unbounded.append(where)
            for key, value in node.items():
                walk(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, f"{where}/{index}")

    walk(scenario_json_schema(), "#")
    assert unbounded == []


# --- as a user sees it -----------------------------------------------------------------------------------


def test_sim_validate_refuses_a_billion_replications_before_any_work(tmp_path: Path) -> None:
    path = child(tmp_path, "replications: 1000000000\n")
    result = CliRunner().invoke(app, ["validate", str(path)], env={"COLUMNS": "1000"})
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:2:1: replications: value 1e+09 is above 10000: a number of replications must be ≤ 10000 (expected "
        "a whole number up to 10000; 10000 replications already pin a 90 % interval to about 1 % of a standard "
        "deviation)",
        "1 problem",
    ]


def test_the_committed_schema_file_holds_the_bounds() -> None:
    committed = json.loads((ROOT / "schema" / "scenario.schema.json").read_text(encoding="utf-8"))
    assert committed["properties"]["replications"]["maximum"] == 10_000


# --- a scenario's name as a run folder -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("baseline", "baseline"),
        ("Rzeszów airport: drone wall", "Rzeszow-airport-drone-wall"),
        ("Київ", "run-" + hashlib.sha256("Київ".encode()).hexdigest()[:8]),
        ("x" * 80, "x" * 80),
    ],
)
def test_every_valid_scenario_name_makes_a_run_folder(tmp_path: Path, name: str, label: str) -> None:
    scenario = load_scenario(child(tmp_path, f"name: '{name}'\n"))
    run_dir = create_run_dir(tmp_path / "results", scenario.name)
    assert run_dir.parent == tmp_path / "results"
    assert run_dir.name.split("-", 1)[1] == label


def test_a_trend_that_compounds_past_any_count_over_the_horizon_is_refused() -> None:
    assert problems_of(f"{RAIDS}.trend_per_month=1", "horizon_days=3650") == [
        f"--set {RAIDS}.trend_per_month=1: {RAIDS}.trend_per_month: "
        "the raid grows to 3.98e+39 drones on a surge night by day "
        "3650 (drones_per_night × surge_multiplier × (1 + trend_per_month)^(horizon_days / 30)) (expected a trend, "
        "horizon or raid size that keeps a night's mean ≤ 1e+09 drones)"
    ]
    # The same trend over a year stays a count (205 × 4.6 × 2^12.2 ≈ 4.4 million).
    assert load_scenario(BASELINE, [f"{RAIDS}.trend_per_month=1", "horizon_days=365"]).horizon_days == 365
