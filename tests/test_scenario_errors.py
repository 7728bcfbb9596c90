"""Every kind of bad scenario input gets one located line: ``file:line:column: key.path: message (expected …)``.

Each test writes a small scenario into ``tmp_path`` that ``extends`` the real baseline (by absolute path) and
changes one thing, so the mistakes sit in a realistic, complete scenario. Lines and columns are counted by
hand from the texts below (1-based); positions in the baseline are found by searching its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from sim.scenario.actors import EU
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario
from sim.scenario.model import Scenario
from sim.scenario.references import events_after_horizon
from sim.scenario.yaml_source import read_yaml_file

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
# Name lists in messages are taken from the baseline's raw YAML and the models, so that adding an effector
# or a field elsewhere does not break these tests; the message format around them is checked exactly.
RAW = read_yaml_file(BASELINE).data
TOP_LEVEL_KEYS = ", ".join(Scenario.model_fields)
EU_KEYS = ", ".join(EU.model_fields)
STATE_CODES = ", ".join(f"{code} ({state['name']})" for code, state in RAW["actors"]["member_states"].items())
N_EVENTS = len(RAW["events"])
EVENT_INDEX = {event["name"]: index for index, event in enumerate(RAW["events"])}
EVENT_KINDS = (
    "incursion, raid, transfer, budget_change, supplier_delay, capacity_change, airport_closure, redeployment, funding"
)
BOOLEAN = "expected true or false (YAML 1.2: yes/no/on/off/NO are text, not booleans)"


def listing(names: Sequence[str]) -> str:
    """How an 'unknown name' message lists the valid names: sorted, at most 12, then an ellipsis."""
    ordered = sorted(names)
    return ", ".join(ordered[:12]) + (" …" if len(ordered) > 12 else "")


SOURCE_IDS = listing([source["id"] for source in RAW["sources"]] + ["public-figures#N"])


def child(tmp_path: Path, body: str, name: str = "child.yaml") -> Path:
    """A scenario file that extends the baseline (line 1) and then says ``body`` (from line 2)."""
    path = tmp_path / name
    path.write_text(f"extends: {BASELINE}\n{body}", encoding="utf-8")
    return path


def problems(path: Path, overrides: Sequence[str] = ()) -> list[str]:
    """The formatted problems loading ``path`` raises (and nothing but a ScenarioError)."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, overrides)
    return [problem.format() for problem in caught.value.problems]


def baseline_position(fragment: str, key: str) -> str:
    """``file:line:column`` of ``key`` on the first baseline line containing ``fragment``."""
    for number, line in enumerate(BASELINE.read_text(encoding="utf-8").splitlines(), start=1):
        if fragment in line:
            return f"{BASELINE}:{number}:{line.index(key) + 1}"
    raise AssertionError(f"{fragment!r} is not in the baseline")


# --- unknown keys -----------------------------------------------------------------------------------------


def test_unknown_top_level_key_lists_the_keys_and_suggests_the_closest(tmp_path: Path) -> None:
    path = child(tmp_path, "horizn_days: 30\n")
    assert problems(path) == [
        f"{path}:2:1: horizn_days: unknown key 'horizn_days' "
        f"(expected one of: {TOP_LEVEL_KEYS}; did you mean 'horizon_days'?)"
    ]


def test_unknown_nested_key(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    safe_loans_mur: 3\n")
    assert problems(path) == [
        f"{path}:4:5: actors.eu.safe_loans_mur: unknown key 'safe_loans_mur' "
        f"(expected one of: {EU_KEYS}; did you mean 'safe_loans_meur'?)"
    ]


def test_unknown_key_inside_a_param_mapping(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    safe_loans_meur: {vlaue: 3}\n")
    assert problems(path) == [
        f"{path}:4:23: actors.eu.safe_loans_meur.vlaue: unknown key 'vlaue' "
        "(expected one of: value, low, high, unit, source, note; did you mean 'value'?)"
    ]


def test_unknown_policy_parameter(tmp_path: Path) -> None:
    path = child(
        tmp_path, "actors:\n  eu:\n    policy:\n      name: joint_procurement\n      params: {round_interval_dayz: 3}\n"
    )
    assert problems(path) == [
        f"{path}:6:16: actors.eu.policy.params.round_interval_dayz: unknown key 'round_interval_dayz' "
        "(expected one of: round_interval_days, discount_per_doubling, max_discount; "
        "did you mean 'round_interval_days'?)"
    ]


def test_unknown_key_in_an_event_without_a_name_lists_that_event_kinds_keys(tmp_path: Path) -> None:
    # The event has no `name`, so only its `kind` tells which event model lists the valid keys.
    # An unnamed event is appended after the baseline's events, so it is events[<number of baseline events>].
    index = len(read_yaml_file(BASELINE).data["events"])
    path = child(tmp_path, "events:\n  - {day: 3, kind: incursion, tagret: PL, drones: 3}\n")
    assert problems(path) == [
        f"{path}:3:5: events[{index}].target: required key 'target' is missing",
        f"{path}:3:31: events[{index}].tagret: unknown key 'tagret' (expected one of: day, name, description, source, "
        "kind, target, drones, threat, airport_closure_hours; did you mean 'target'?)",
    ]


# --- wrong types and values -------------------------------------------------------------------------------


def test_text_where_a_whole_number_belongs(tmp_path: Path) -> None:
    path = child(tmp_path, "horizon_days: lots\n")
    assert problems(path) == [f"{path}:2:1: horizon_days: Input should be a valid integer (got the text 'lots')"]


def test_text_where_a_parameter_belongs_says_a_number_is_expected(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    safe_loans_meur: lots\n")
    assert problems(path) == [
        f"{path}:4:5: actors.eu.safe_loans_meur: expected a number, got the text 'lots' "
        "(expected a number, or a mapping such as {value: 3, low: 2, high: 4, source: …})"
    ]


def test_empty_value_where_a_number_belongs(tmp_path: Path) -> None:
    path = child(tmp_path, "horizon_days:\n")
    assert problems(path) == [f"{path}:2:1: horizon_days: Input should be a valid integer (got null)"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("horizon_days: true\n", "2:1: horizon_days: Input should be a valid integer (got the boolean true)"),
        ("seed: false\n", "2:1: seed: Input should be a valid integer (got the boolean false)"),
        (
            "actors:\n  eu:\n    safe_loans_meur: true\n",
            "4:5: actors.eu.safe_loans_meur: expected a number, got the boolean true "
            "(expected a number such as 12 or 0.5)",
        ),
        (
            "actors:\n  eu:\n    safe_loans_meur: {value: true}\n",
            "4:23: actors.eu.safe_loans_meur.value: expected a number, got the boolean true "
            "(expected a number such as 12 or 0.5)",
        ),
    ],
)
def test_a_boolean_is_not_a_number(tmp_path: Path, body: str, expected: str) -> None:
    path = child(tmp_path, body)
    assert problems(path) == [f"{path}:{expected}"]


def test_negative_count(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  member_states:\n    PL:\n      inventory:\n        fire_units: {patriot: -2}\n")
    assert problems(path) == [
        f"{path}:6:22: actors.member_states.PL.inventory.fire_units.patriot: value -2 is below 0: "
        "a number of fire units must be ≥ 0 "
        "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)"
    ]


def test_fractional_count(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  member_states:\n    PL:\n      inventory:\n        fire_units: {patriot: 2.5}\n")
    assert problems(path) == [
        f"{path}:6:22: actors.member_states.PL.inventory.fire_units.patriot: "
        "value 2.5 is not a whole number: a number of fire units counts whole items "
        "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)"
    ]


def test_probability_above_one(tmp_path: Path) -> None:
    path = child(
        tmp_path,
        "actors:\n  adversary:\n    raids:\n      name: nightly_raids\n      params:\n        surge_probability: 1.5\n",
    )
    assert problems(path) == [
        f"{path}:7:9: actors.adversary.raids.params.surge_probability: value 1.5 is above 1: a probability must be ≤ 1 "
        "(expected a number from 0 to 1; 1 is certain)"
    ]


def test_probability_bound_checks_low_and_high_too(tmp_path: Path) -> None:
    path = child(
        tmp_path, "catalog:\n  effectors:\n    gepard:\n      kill_probability: {shahed: {value: 0.5, low: -0.1}}\n"
    )
    assert problems(path) == [
        f"{path}:5:26: catalog.effectors.gepard.kill_probability.shahed: low -0.1 is below 0: a probability "
        "must be ≥ 0 "
        "(expected a number from 0 to 1; 1 is certain)"
    ]


def test_low_greater_than_high(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    safe_loans_meur: {value: 5, low: 10, high: 2}\n")
    assert problems(path) == [f"{path}:4:5: actors.eu.safe_loans_meur: low (10) is greater than high (2); swap them"]


@pytest.mark.parametrize(
    ("written", "message"),
    [
        ("{value: 50, low: 1, high: 10}", "value (50) is above high (10)"),
        ("{value: 0.5, low: 1}", "value (0.5) is below low (1)"),
    ],
)
def test_value_outside_its_range(tmp_path: Path, written: str, message: str) -> None:
    path = child(tmp_path, f"actors:\n  eu:\n    safe_loans_meur: {written}\n")
    assert problems(path) == [f"{path}:4:5: actors.eu.safe_loans_meur: {message}"]


def test_unknown_enum_value_suggests_the_closest(tmp_path: Path) -> None:
    path = child(
        tmp_path, "actors:\n  member_states:\n    PL:\n      sites:\n        - {name: modlin, kind: airprot}\n"
    )
    assert problems(path) == [
        f"{path}:6:26: actors.member_states.PL.sites[1].kind: 'airprot' is not a valid choice "
        "(expected one of: airport, air_base, city, energy, port, industry; did you mean 'airport'?)"
    ]


def test_fixed_length_list_too_short(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  member_states:\n    PL:\n      position_km: [600]\n")
    assert problems(path) == [
        f"{path}:5:7: actors.member_states.PL.position_km: the list is too short: item [1] is missing"
    ]


@pytest.mark.parametrize("word", ["yes", "NO", "on"])
def test_yaml_1_1_boolean_words_are_not_booleans(tmp_path: Path, word: str) -> None:
    path = child(tmp_path, f"actors:\n  eu:\n    european_preference: {word}\n")
    assert problems(path) == [
        f"{path}:4:5: actors.eu.european_preference: the text '{word}' is not a boolean ({BOOLEAN})"
    ]


# --- sources ----------------------------------------------------------------------------------------------


def test_unknown_source_id(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    safe_loans_meur: {value: 5, source: kallas-drone-pln}\n")
    assert problems(path) == [
        f"{path}:4:33: actors.eu.safe_loans_meur.source: unknown source 'kallas-drone-pln' "
        f"(expected one of: {SOURCE_IDS}; did you mean 'kallas-drone-plan'?)"
    ]


@pytest.mark.parametrize("row", ["36", "99", "x"])
def test_public_figures_row_that_does_not_exist(tmp_path: Path, row: str) -> None:
    # Row 36 is a gap in the table (rows run 1-48); 99 is past its end; "x" is no number at all.
    path = child(tmp_path, f"actors:\n  eu:\n    safe_loans_meur: {{value: 5, source: public-figures#{row}}}\n")
    assert problems(path) == [
        f"{path}:4:33: actors.eu.safe_loans_meur.source: 'public-figures#{row}' is not a row of the "
        "public-figures table (expected public-figures#N with N one of 1–48 (not all numbers are used))"
    ]


def test_unknown_source_on_an_event(tmp_path: Path) -> None:
    path = child(tmp_path, "events:\n  - name: romania_incursion\n    source: rutte-drone-walls\n")
    assert problems(path) == [
        f"{path}:4:5: events[{EVENT_INDEX['romania_incursion']}].source: unknown source 'rutte-drone-walls' "
        f"(expected one of: {SOURCE_IDS}; did you mean 'rutte-drone-wall'?)"
    ]


# --- names that refer to the catalog, states, policies and event kinds -------------------------------------


def test_unknown_effector_in_an_inventory(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  member_states:\n    PL:\n      inventory:\n        fire_units: {patriott: 2}\n")
    assert problems(path) == [
        f"{path}:6:22: actors.member_states.PL.inventory.fire_units.patriott: unknown effector 'patriott' "
        f"(expected one of: {listing(RAW['catalog']['effectors'])}; did you mean 'patriot'?)"
    ]


def test_unknown_threat_in_kill_probability(tmp_path: Path) -> None:
    path = child(tmp_path, "catalog:\n  effectors:\n    gepard:\n      kill_probability: {shahid: 0.4}\n")
    assert problems(path) == [
        f"{path}:5:26: catalog.effectors.gepard.kill_probability.shahid: unknown threat 'shahid' "
        f"(expected one of: {listing(RAW['catalog']['threats'])}; did you mean 'shahed'?)"
    ]


def test_unknown_policy_name_points_at_the_name_line(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu:\n    policy:\n      name: joint_procurment\n")
    assert problems(path) == [
        f"{path}:5:7: actors.eu.policy.name: unknown choice 'joint_procurment' "
        "(expected one of: joint_procurement, no_joint_procurement; did you mean 'joint_procurement'?)"
    ]


def test_unknown_event_kind_points_at_the_kind_line(tmp_path: Path) -> None:
    path = child(
        tmp_path, "events:\n  - name: lithuania\n    day: 3\n    kind: incursoin\n    target: LT\n    drones: 3\n"
    )
    # The new named event is appended after the baseline's, so its index is that of the merged scenario.
    assert problems(path) == [
        f"{path}:5:5: events[{N_EVENTS}].kind: unknown choice 'incursoin' (expected one of: {EVENT_KINDS}; "
        "did you mean 'incursion'?)"
    ]


def test_event_without_a_kind(tmp_path: Path) -> None:
    path = child(tmp_path, "events:\n  - {name: lithuania, day: 3, target: LT, drones: 3}\n")
    assert problems(path) == [
        f"{path}:3:5: events[{N_EVENTS}]: 'kind' is missing: it says which kind of entry this is "
        f"(expected kind: one of {EVENT_KINDS})"
    ]


def test_misspelt_member_state_in_an_event_suggests_its_code(tmp_path: Path) -> None:
    path = child(tmp_path, "events:\n  - name: poland_incursion\n    target: Polnad\n")
    assert problems(path) == [
        f"{path}:4:5: events[{EVENT_INDEX['poland_incursion']}].target: unknown member state 'Polnad' "
        f"(expected a state code: {STATE_CODES}; did you mean 'PL'?)"
    ]


def test_a_full_state_name_suggests_its_code(tmp_path: Path) -> None:
    path = child(tmp_path, "events:\n  - name: poland_incursion\n    target: Romania\n")
    assert problems(path)[0].endswith(
        f"unknown member state 'Romania' (expected a state code: {STATE_CODES}; did you mean 'RO'?)"
    )


def test_drone_mix_that_does_not_sum_to_one(tmp_path: Path) -> None:
    path = child(
        tmp_path,
        "actors:\n  adversary:\n    raids:\n      name: nightly_raids\n      params:\n"
        "        drone_mix: {shahed: 0.5, gerbera: 0.4}\n",
    )
    assert problems(path) == [
        f"{path}:7:9: actors.adversary.raids.params.drone_mix: shares sum to 0.9, not 1 "
        "(expected shares that add up to 1)"
    ]


def test_a_raid_whose_in_addition_is_not_a_boolean(tmp_path: Path) -> None:
    path = child(tmp_path, "events:\n  - {day: 3, kind: raid, drones: 100, in_addition: yes please}\n")
    index = len(RAW["events"])  # an unnamed event is added after the baseline's
    assert problems(path) == [
        f"{path}:3:39: events[{index}].in_addition: the text 'yes please' is not a boolean "
        "(expected true or false (YAML 1.2: yes/no/on/off/NO are text, not booleans))"
    ]


def test_an_event_after_the_horizon_is_not_an_error_but_is_listed(tmp_path: Path) -> None:
    # Decided in b6c06ed: a shorter horizon (--set horizon_days=90) simply ends before later events;
    # `sim validate` prints them as a note (see test_cli_scenario.py).
    path = child(tmp_path, "events:\n  - {name: late_raid, day: 1300, kind: raid, drones: 100}\n")
    scenario = load_scenario(path)
    assert events_after_horizon(scenario) == ["late_raid (day 1300)"]
    shorter = load_scenario(BASELINE, ["horizon_days=100"])
    assert events_after_horizon(shorter) == [
        f"{event['name']} (day {event['day']})" for event in RAW["events"] if event["day"] >= 100
    ]
    assert "danish_model_q1 (day 120)" in events_after_horizon(shorter)
    assert events_after_horizon(load_scenario(BASELINE)) == []


def test_a_reference_the_child_breaks_is_reported_in_the_parent_file(tmp_path: Path) -> None:
    # Removing Munich airport leaves the baseline's munich_closure event pointing at nothing.
    path = child(tmp_path, "actors:\n  member_states:\n    DE:\n      sites:\n        - {name: munich, remove: true}\n")
    airports = [
        site["name"]
        for state in RAW["actors"]["member_states"].values()
        for site in state.get("sites", [])
        if site["kind"] == "airport" and site["name"] != "munich"
    ]
    assert problems(path) == [
        f"{baseline_position('site: munich', 'site')}: events[{EVENT_INDEX['munich_closure']}].site: "
        f"unknown airport 'munich' (expected one of: {listing(airports)})"
    ]


def test_error_inside_the_parent_file_points_at_the_parent(tmp_path: Path) -> None:
    parent = child(tmp_path, "actors:\n  eu:\n    safe_loans_meur: -5\n", name="parent.yaml")
    grandchild = tmp_path / "grandchild.yaml"
    grandchild.write_text("extends: parent.yaml\nname: grandchild\n", encoding="utf-8")
    assert problems(grandchild) == [
        f"{parent.resolve()}:4:5: actors.eu.safe_loans_meur: value -5 is below 0: "
        "a sum in EUR million must be ≥ 0 "
        "(expected a number from 0 to 1e+07; 1e+07 is EUR 10 trillion, over half the EU's yearly GDP)"
    ]


# --- YAML-level problems ----------------------------------------------------------------------------------


def test_duplicate_key(tmp_path: Path) -> None:
    path = child(tmp_path, "seed: 1\nseed: 2\n")
    assert problems(path) == [
        f"{path}:3:1: seed: duplicate key 'seed' (first defined at line 2) "
        "(expected each key at most once in a mapping)"
    ]


def test_yaml_syntax_error(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n  eu: [1, 2\n")
    assert problems(path) == [
        f"{path}:4:1: YAML syntax error: expected ',' or ']', but got '<stream end>', "
        "while parsing a flow sequence started at line 3, column 7"
    ]


def test_tab_indentation(tmp_path: Path) -> None:
    path = child(tmp_path, "actors:\n\teu: {}\n")
    (line,) = problems(path)
    assert line.startswith(f"{path}:3:1: YAML syntax error: found character '\\t' that cannot start any token")
    assert line.endswith("(expected spaces for indentation, not tabs)")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yaml"
    path.write_text("# nothing here yet\n", encoding="utf-8")
    assert problems(path) == [f"{path}:1:1: the file is empty (expected a scenario mapping)"]


def test_file_whose_root_is_a_list(tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text("- name: baseline\n- horizon_days: 30\n", encoding="utf-8")
    assert problems(path) == [f"{path}:1:1: the file holds a list (expected a mapping of scenario keys)"]


def test_missing_scenario_file(tmp_path: Path) -> None:
    child(tmp_path, "name: x\n", name="drone_wall.yaml")
    assert problems(tmp_path / "drone_wal.yaml") == [
        f"{tmp_path / 'drone_wal.yaml'}: file not found (expected an existing file; "
        f"did you mean '{tmp_path / 'drone_wall.yaml'}'?)"
    ]


# --- extends ----------------------------------------------------------------------------------------------


def test_extends_a_missing_file_suggests_a_sibling(tmp_path: Path) -> None:
    (tmp_path / "baseline.yaml").write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    path = tmp_path / "variant.yaml"
    path.write_text("name: variant\nextends: baselin.yaml\n", encoding="utf-8")
    assert problems(path) == [
        f"{path}:2:1: extends: the scenario it extends, 'baselin.yaml', does not exist "
        f"(looked for {tmp_path.resolve() / 'baselin.yaml'}) "
        "(expected a path relative to this file; did you mean 'baseline.yaml'?)"
    ]


def test_extends_that_is_not_a_path(tmp_path: Path) -> None:
    path = tmp_path / "variant.yaml"
    path.write_text("extends: [baseline.yaml]\n", encoding="utf-8")
    assert problems(path) == [f"{path}:1:1: extends: extends must be a file path (expected e.g. baseline.yaml)"]


def test_extends_cycle_between_two_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("name: b\nextends: a.yaml\n", encoding="utf-8")
    assert problems(tmp_path / "a.yaml") == [
        f"{(tmp_path / 'b.yaml').resolve()}:2:1: extends: extends makes a cycle: a.yaml → b.yaml → a.yaml "
        "(expected a chain that ends)"
    ]


def test_a_file_that_extends_itself(tmp_path: Path) -> None:
    path = tmp_path / "self.yaml"
    path.write_text("name: self\nextends: ./self.yaml\n", encoding="utf-8")
    assert problems(path) == [
        f"{path}:2:1: extends: extends makes a cycle: self.yaml → self.yaml (expected a chain that ends)"
    ]


# --- several problems at once -----------------------------------------------------------------------------


def test_several_type_problems_are_reported_together(tmp_path: Path) -> None:
    path = child(tmp_path, "horizn_days: 3\nseed: -1\nactors:\n  eu:\n    edip_cofinance_share: 2\n")
    assert sorted(problems(path)) == sorted(
        [
            f"{path}:2:1: horizn_days: unknown key 'horizn_days' (expected one of: {TOP_LEVEL_KEYS}; "
            "did you mean 'horizon_days'?)",
            f"{path}:3:1: seed: Input should be greater than or equal to 0 (got -1)",
            f"{path}:6:5: actors.eu.edip_cofinance_share: value 2 is above 1: a fraction must be ≤ 1 "
            "(expected a number from 0 to 1; 1 is the whole)",
        ]
    )


def test_several_reference_problems_are_reported_together(tmp_path: Path) -> None:
    path = child(
        tmp_path,
        "catalog:\n  effectors:\n    gepard:\n      kill_probability: {shahid: 0.4}\n"
        "actors:\n  member_states:\n    PL:\n      inventory:\n        fire_units: {patriott: 2}\n"
        "events:\n  - name: poland_incursion\n    target: Polnad\n",
    )
    found = problems(path)
    assert [line.split(": ")[0:2] for line in found] == [
        [f"{path}:5:26", "catalog.effectors.gepard.kill_probability.shahid"],
        [f"{path}:10:22", "actors.member_states.PL.inventory.fire_units.patriott"],
        [f"{path}:13:5", f"events[{EVENT_INDEX['poland_incursion']}].target"],
    ]


def test_several_yaml_problems_are_reported_together(tmp_path: Path) -> None:
    path = child(tmp_path, "seed: 1\nseed: 2\nactors:\n  eu: {}\n  eu: {}\n")
    assert problems(path) == [
        f"{path}:3:1: seed: duplicate key 'seed' (first defined at line 2) "
        "(expected each key at most once in a mapping)",
        f"{path}:6:3: actors.eu: duplicate key 'eu' (first defined at line 5) "
        "(expected each key at most once in a mapping)",
    ]


def test_problems_pickle_and_print_one_per_line(tmp_path: Path) -> None:
    import pickle

    path = child(tmp_path, "horizn_days: 3\nseed: -1\n")
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path)
    copy = pickle.loads(pickle.dumps(caught.value))
    assert str(copy) == str(caught.value)
    assert len(str(caught.value).splitlines()) == 2
