"""Tests for reading scenario YAML (sim.scenario.yaml_source) and for problems and errors (errors.py).

Positions in these tests are counted by hand from the YAML texts (1-based line and column).
"""

from __future__ import annotations

import math
import pickle
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario import yaml_source
from sim.scenario.errors import Problem, ScenarioError, closest_match, format_key_path
from sim.scenario.yaml_source import (
    Position,
    YamlDocument,
    parse_scalar,
    parse_value,
    read_yaml_file,
    read_yaml_text,
)

ALLOWED_TAGS = "no tag, or one of !!str, !!int, !!float, !!bool, !!null, !!map, !!seq"


def value_of(text: str) -> Any:
    """The value of ``x`` in the one-line document ``x: <text>``."""
    return read_yaml_text(f"x: {text}\n").data["x"]


def problems_of(text: str, file: str = "s.yaml") -> list[str]:
    """The formatted problems that reading ``text`` raises."""
    with pytest.raises(ScenarioError) as caught:
        read_yaml_text(text, file)
    return [problem.format() for problem in caught.value.problems]


# --- Scalars: YAML 1.2 core schema, not PyYAML's 1.1 rules. ---


@pytest.mark.parametrize(
    "word", ["NO", "No", "no", "YES", "Yes", "yes", "ON", "On", "on", "OFF", "Off", "off", "y", "Y", "n", "N"]
)
def test_yaml_1_1_boolean_words_stay_strings(word: str) -> None:
    assert value_of(word) == word
    assert parse_scalar(word) == word
    assert parse_value(word) == word


def test_norway_as_key_and_in_a_list_of_country_codes() -> None:
    document = read_yaml_text("member_states: [PL, NO, DE]\nNO: {budget: 5}\n")
    assert document.data == {"member_states": ["PL", "NO", "DE"], "NO": {"budget": 5}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("True", True), ("TRUE", True), ("false", False), ("False", False), ("FALSE", False)],
)
def test_core_schema_booleans(text: str, expected: bool) -> None:
    assert value_of(text) is expected
    assert parse_scalar(text) is expected


@pytest.mark.parametrize("text", ["tRUE", "fAlse", "t", "f"])
def test_other_spellings_of_booleans_stay_strings(text: str) -> None:
    assert value_of(text) == text


@pytest.mark.parametrize("text", ["~", "null", "Null", "NULL", ""])
def test_core_schema_nulls(text: str) -> None:
    assert value_of(text) is None
    assert parse_scalar(text) is None


def test_nULL_is_a_string() -> None:
    assert value_of("nULL") == "nULL"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("-7", -7),
        ("+3", 3),
        ("0", 0),
        ("-0", 0),
        ("007", 7),  # decimal in 1.2 (octal in 1.1)
        ("017", 17),
        ("0o17", 15),
        ("0x1F", 31),
        ("0xff", 255),
        ("123456789012345678901234567890", 123456789012345678901234567890),
    ],
)
def test_core_schema_integers(text: str, expected: int) -> None:
    value = value_of(text)
    assert value == expected
    assert type(value) is int
    assert parse_scalar(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.5", 0.5),
        (".5", 0.5),
        ("-.5", -0.5),
        ("1.", 1.0),
        ("1e3", 1000.0),
        ("1E3", 1000.0),
        ("-2.5e-3", -0.0025),
        ("+1.5E+2", 150.0),
        (".inf", math.inf),
        (".Inf", math.inf),
        ("+.INF", math.inf),
        ("-.inf", -math.inf),
        ("-.Inf", -math.inf),
    ],
)
def test_core_schema_floats(text: str, expected: float) -> None:
    value = value_of(text)
    assert value == expected
    assert type(value) is float
    assert parse_scalar(text) == expected


@pytest.mark.parametrize("text", [".nan", ".NaN", ".NAN"])
def test_core_schema_not_a_number(text: str) -> None:
    value = value_of(text)
    assert isinstance(value, float)
    assert math.isnan(value)


@pytest.mark.parametrize(
    "text",
    [
        "1_000",  # no underscores in 1.2
        "1,000",
        "12:30",  # sexagesimal in 1.1
        "0b101",  # binary in 1.1
        "0X1F",  # the core schema's prefixes are lower case
        "0o8",
        "0x",
        "1e",
        "e3",
        "1e3.5",
        ".",
        "inf",
        "nan",
        ".iNF",
        "-.nan",
        "٣",  # a non-ASCII digit
        "1 000",
    ],
)
def test_things_that_only_look_like_numbers_stay_strings(text: str) -> None:
    assert value_of(text) == text
    assert parse_scalar(text) == text


@pytest.mark.parametrize("text", ["2025-10-01", "2025-10-01T22:30:00Z", "2025-10-01 22:30:00"])
def test_dates_and_timestamps_stay_strings(text: str) -> None:
    assert value_of(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [("'12'", "12"), ('"0.5"', "0.5"), ('"true"', "true"), ("'~'", "~"), ("''", ""), ('"NO"', "NO")],
)
def test_quoted_scalars_are_always_strings(text: str, expected: str) -> None:
    assert value_of(text) == expected


def test_block_scalars_are_strings() -> None:
    assert read_yaml_text("a: |\n  12\nb: >-\n  true\n").data == {"a": "12\n", "b": "true"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("!!str 12", "12"),
        ("!!str", ""),
        ("!!int '12'", 12),
        ("!!int 0x10", 16),
        ("!!float 1", 1.0),
        ("!!float '2.5'", 2.5),
        ("!!bool 'false'", False),
        ("!!null ''", None),
        ("!!null ~", None),
        ("! 12", "12"),  # the non-specific tag makes a scalar a string
        ("!!map {a: 1}", {"a": 1}),
        ("!!seq [1, NO]", [1, "NO"]),
    ],
)
def test_standard_explicit_tags_are_honoured(text: str, expected: Any) -> None:
    value = value_of(text)
    assert value == expected
    assert type(value) is type(expected)


def test_explicit_tags_with_values_they_cannot_hold_are_problems() -> None:
    text = "a: !!int abc\nb: !!float x\nc: !!bool yes\nd: !!null 0\ne: !!map x\nf: !!seq {a: 1}\n"
    assert problems_of(text) == [
        "s.yaml:1:4: a: 'abc' is not an integer (tag !!int) (expected an integer such as 42 or 0x2A)",
        "s.yaml:2:4: b: 'x' is not a number (tag !!float) (expected a number such as 0.5 or 1e3)",
        "s.yaml:3:4: c: 'yes' is not a YAML 1.2 boolean (tag !!bool) (expected true or false)",
        "s.yaml:4:4: d: '0' is not null (tag !!null) (expected null, ~ or nothing)",
        "s.yaml:5:4: e: tag !!map cannot be applied to a single value",
        "s.yaml:6:4: f: tag !!seq cannot be applied to a mapping",
    ]


@given(st.integers())
def test_any_integer_written_in_decimal_reads_back(number: int) -> None:
    assert parse_scalar(str(number)) == number


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_any_finite_float_written_by_repr_reads_back(number: float) -> None:
    value = parse_scalar(repr(number))
    assert value == number
    assert type(value) is float


def test_parse_scalar_takes_the_text_exactly_as_given() -> None:
    assert parse_scalar(" 1") == " 1"
    assert parse_scalar("[1, 2]") == "[1, 2]"
    assert parse_scalar("'0.5'") == "'0.5'"


# --- parse_value: flow values such as --set values. ---


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NO", "NO"),
        ("0.5", 0.5),
        ("'0.5'", "0.5"),
        ("", None),
        ("[1, 2]", [1, 2]),
        ("[PL, NO, 1e3]", ["PL", "NO", 1000.0]),
        ("{value: 3, low: 1, high: .inf}", {"value": 3, "low": 1, "high": math.inf}),
    ],
)
def test_parse_value(text: str, expected: Any) -> None:
    assert parse_value(text) == expected


def test_parse_value_names_its_source_in_problems() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_value("{value: 3, value: 4}", source="--set x")
    assert str(caught.value) == (
        "--set x:1:12: value: duplicate key 'value' (first defined at line 1) "
        "(expected each key at most once in a mapping)"
    )


def test_parse_value_syntax_error() -> None:
    with pytest.raises(ScenarioError) as caught:
        parse_value("[1, 2", source="--set x")
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.column, problem.key_path) == ("--set x", 1, 6, "")
    assert problem.message.startswith("YAML syntax error: expected ',' or ']', but got '<stream end>'")


# --- Keys. ---


def test_keys_are_the_text_of_the_scalar_as_written() -> None:
    text = "NO: 1\n1: 2\ntrue: 3\n~: 4\n0x10: 5\n'quoted': 6\n2025-10-01: 7\n"
    document = read_yaml_text(text)
    assert list(document.data) == ["NO", "1", "true", "~", "0x10", "quoted", "2025-10-01"]
    assert document.data["1"] == 2


def test_merge_key_is_an_ordinary_key() -> None:
    document = read_yaml_text("base: &b {pk: 0.7}\nlayer:\n  <<: *b\n  shots: 2\n")
    assert document.data["layer"] == {"<<": {"pk": 0.7}, "shots": 2}


def test_collections_as_keys_are_problems_and_all_are_reported() -> None:
    text = "ok: 1\n? [a, b]\n: 1\n{x: 1}: 2\n"
    expected = "a plain name as key, such as 'PL', not a '?', '[' or '{' construct"
    assert problems_of(text) == [
        f"s.yaml:2:3: a list cannot be used as a key (expected {expected})",
        f"s.yaml:4:1: a mapping cannot be used as a key (expected {expected})",
    ]


def test_nested_collection_key_names_its_mapping() -> None:
    assert problems_of("outer:\n  [a]: 1\n") == [
        "s.yaml:2:3: outer: a list cannot be used as a key "
        "(expected a plain name as key, such as 'PL', not a '?', '[' or '{' construct)"
    ]


# --- Duplicate keys. ---

DUPLICATES = """\
actors:
  member_states:
    PL:
      budget: 1
    DE:
      budget: 2
    PL:
      budget: 3
      budget: 4
scenario: x
scenario: y
"""


def test_duplicate_keys_are_all_reported_at_their_second_occurrence() -> None:
    expected = "(expected each key at most once in a mapping)"
    states = "actors.member_states"
    assert problems_of(DUPLICATES, "plan.yaml") == [
        f"plan.yaml:7:5: {states}.PL: duplicate key 'PL' (first defined at line 3) {expected}",
        f"plan.yaml:9:7: {states}.PL.budget: duplicate key 'budget' (first defined at line 8) {expected}",
        f"plan.yaml:11:1: scenario: duplicate key 'scenario' (first defined at line 10) {expected}",
    ]


def test_duplicate_key_problem_fields() -> None:
    with pytest.raises(ScenarioError) as caught:
        read_yaml_text("a: 1\nb: 2\na: 3\n", "f.yaml")
    assert caught.value.problems == [
        Problem(
            file="f.yaml",
            line=3,
            column=1,
            key_path="a",
            message="duplicate key 'a' (first defined at line 1)",
            expected="each key at most once in a mapping",
        )
    ]


def test_keys_that_differ_only_in_case_are_not_duplicates() -> None:
    assert read_yaml_text("NO: 1\nno: 2\n").data == {"NO": 1, "no": 2}


def test_duplicate_keys_in_flow_mappings_inside_lists() -> None:
    assert problems_of("events:\n  - {day: 1, day: 2}\n") == [
        "s.yaml:2:14: events[0].day: duplicate key 'day' (first defined at line 2) "
        "(expected each key at most once in a mapping)"
    ]


# --- Tags that are not plain YAML are refused, never executed. ---


def test_python_object_tag_is_refused_without_running_anything(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = f"run: !!python/object/apply:os.system ['touch {marker}']\n"
    assert problems_of(text) == [
        f"s.yaml:1:6: run: unsupported tag '!!python/object/apply:os.system' (expected {ALLOWED_TAGS})"
    ]
    assert not marker.exists()


def test_python_tag_on_the_document_root_is_refused(tmp_path: Path) -> None:
    marker = tmp_path / "executed"
    text = f"!!python/object/apply:os.system\nargs: ['touch {marker}']\n"
    assert problems_of(text) == [
        f"s.yaml:1:1: unsupported tag '!!python/object/apply:os.system' (expected {ALLOWED_TAGS})"
    ]
    assert not marker.exists()


def test_custom_and_misspelt_tags_are_refused_with_a_suggestion() -> None:
    text = "a: !include other.yaml\nb: !!flaot 1\nc: !float 2\nd: !!binary aGk=\n!!python/name:os.system key: 1\n"
    assert problems_of(text) == [
        f"s.yaml:1:4: a: unsupported tag '!include' (expected {ALLOWED_TAGS})",
        f"s.yaml:2:4: b: unsupported tag '!!flaot' (expected {ALLOWED_TAGS}; did you mean '!!float'?)",
        f"s.yaml:3:4: c: unsupported tag '!float' (expected {ALLOWED_TAGS}; did you mean '!!float'?)",
        f"s.yaml:4:4: d: unsupported tag '!!binary' (expected {ALLOWED_TAGS})",
        f"s.yaml:5:1: unsupported tag '!!python/name:os.system' (expected {ALLOWED_TAGS})",
    ]


# --- Syntax errors. ---


def test_syntax_error_points_at_line_and_column() -> None:
    assert problems_of("a: 1\n b: 2\n", "bad.yaml") == [
        "bad.yaml:2:3: YAML syntax error: mapping values are not allowed here "
        "(expected one 'key: value' per line; quote a value that itself contains ': ')"
    ]


def test_tab_indentation() -> None:
    assert problems_of("a:\n\tb: 1\n") == [
        "s.yaml:2:1: YAML syntax error: found character '\\t' that cannot start any token, "
        "while scanning for the next token (expected spaces for indentation, not tabs)"
    ]


def test_syntax_error_mentions_where_the_construct_started() -> None:
    assert problems_of("a: [1, 2\nb: 3\n") == [
        "s.yaml:2:2: YAML syntax error: expected ',' or ']', but got ':', "
        "while parsing a flow sequence started at line 1, column 4"
    ]


def test_control_character_is_a_problem_with_a_position() -> None:
    assert problems_of("a: 1\nb: x\x07\n") == [
        "s.yaml:2:5: unacceptable character U+0007 (special characters are not allowed) "
        "(expected printable text; remove the control character)"
    ]


def test_two_documents_in_one_file() -> None:
    assert problems_of("a: 1\n---\nb: 2\n") == [
        "s.yaml:2:1: a second YAML document starts here "
        "(expected one document per scenario file: remove the extra '---' or split the file)"
    ]


def test_one_explicit_document_is_fine() -> None:
    assert read_yaml_text("%YAML 1.2\n---\na: 1\n...\n").data == {"a": 1}


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_document_gives_none(text: str) -> None:
    document = read_yaml_text(text)
    assert document.data is None
    assert document.positions == {(): Position(1, 1)}


def test_very_deep_nesting_is_a_problem_not_a_crash() -> None:
    (problem,) = problems_of("a: " + "[" * 5000 + "]" * 5000)
    assert "nested too deeply" in problem


def test_nesting_beyond_max_depth_is_a_problem() -> None:
    depth = yaml_source.MAX_DEPTH + 1
    (problem,) = problems_of("a: " + "[" * depth + "]" * depth)
    assert problem == (
        f"s.yaml:1:{3 + depth}: a{'[0]' * (depth - 1)}: mappings and lists are nested too deeply "
        f"(expected at most {yaml_source.MAX_DEPTH} levels)"
    )


def test_nesting_at_max_depth_is_fine() -> None:
    depth = yaml_source.MAX_DEPTH
    expected: list[Any] = []
    for _ in range(depth - 1):
        expected = [expected]
    assert read_yaml_text("a: " + "[" * depth + "]" * depth).data == {"a": expected}


# --- Files. ---


def test_read_file_names_the_path_as_given(tmp_path: Path) -> None:
    path = tmp_path / "baseline.yaml"
    path.write_text("country: NO\n", encoding="utf-8")
    document = read_yaml_file(path)
    assert document.file == str(path)
    assert document.data == {"country": "NO"}
    assert read_yaml_file(str(path)).file == str(path)


def test_utf8_byte_order_mark_is_ignored(tmp_path: Path) -> None:
    path = tmp_path / "bom.yaml"
    path.write_bytes("\ufeffname: Rzeszów\n".encode())
    document = read_yaml_file(path)
    assert document.data == {"name": "Rzeszów"}
    assert document.positions[("name",)] == Position(1, 1)


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nothing.yaml"
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(path)
    assert str(caught.value) == f"{path}: file not found (expected an existing file)"


def test_missing_file_suggests_a_similar_name(tmp_path: Path) -> None:
    (tmp_path / "baseline.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "surge.yaml").write_text("a: 1\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(tmp_path / "baselin.yaml")
    assert str(caught.value) == (
        f"{tmp_path / 'baselin.yaml'}: file not found "
        f"(expected an existing file; did you mean '{tmp_path / 'baseline.yaml'}'?)"
    )


def test_missing_directory(tmp_path: Path) -> None:
    path = tmp_path / "no_such_dir" / "a.yaml"
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(path)
    assert str(caught.value) == f"{path}: file not found (expected an existing file)"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(tmp_path)
    assert str(caught.value) == f"{tmp_path}: is a directory, not a file (expected the path of a .yaml file)"


def test_non_utf8_file_points_at_the_bad_byte(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: test\ncity: Poznań\n".encode("cp1250"))
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(path)
    assert str(caught.value) == (
        f"{path}:2:12: file is not valid UTF-8 text (byte 0xf1 cannot be decoded) "
        "(expected UTF-8 text: re-save the file as UTF-8)"
    )


def test_utf16_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "utf16.yaml"
    path.write_bytes("a: 1\n".encode("utf-16"))
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(path)
    expected = "(expected UTF-8 text: re-save the file as UTF-8)"
    assert str(caught.value) == f"{path}: file is UTF-16 encoded {expected}"


def test_problems_in_a_file_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as caught:
        read_yaml_file(path)
    assert str(caught.value).startswith(f"{path}:2:1: a: duplicate key 'a'")


# --- Positions. ---

NESTED = """\
scenario:
  name: test
  actors:
    PL:
      budget: 10
      sites:
        - name: Rzeszow
          value: 3
        - Warsaw
events:
  - day: 3
    kind: raid
  -   day: 4
  -
  - [1, 2]
"""


def test_positions_of_keys_and_list_items() -> None:
    document = read_yaml_text(NESTED, "n.yaml")
    assert document.positions == {
        (): Position(1, 1),
        ("scenario",): Position(1, 1),
        ("scenario", "name"): Position(2, 3),
        ("scenario", "actors"): Position(3, 3),
        ("scenario", "actors", "PL"): Position(4, 5),
        ("scenario", "actors", "PL", "budget"): Position(5, 7),
        ("scenario", "actors", "PL", "sites"): Position(6, 7),
        ("scenario", "actors", "PL", "sites", 0): Position(7, 11),
        ("scenario", "actors", "PL", "sites", 0, "name"): Position(7, 11),
        ("scenario", "actors", "PL", "sites", 0, "value"): Position(8, 11),
        ("scenario", "actors", "PL", "sites", 1): Position(9, 11),
        ("events",): Position(10, 1),
        ("events", 0): Position(11, 5),
        ("events", 0, "day"): Position(11, 5),
        ("events", 0, "kind"): Position(12, 5),
        ("events", 1): Position(13, 7),
        ("events", 1, "day"): Position(13, 7),
        ("events", 2): Position(14, 4),
        ("events", 3): Position(15, 5),
        ("events", 3, 0): Position(15, 6),
        ("events", 3, 1): Position(15, 9),
    }
    assert document.data["events"] == [{"day": 3, "kind": "raid"}, {"day": 4}, None, [1, 2]]


def test_document_root_position_is_where_the_content_starts() -> None:
    document = read_yaml_text("# a comment\n---\n  a: 1\n")
    assert document.positions[()] == Position(3, 3)


def test_position_of_falls_back_to_the_nearest_known_parent() -> None:
    document = read_yaml_text(NESTED, "n.yaml")
    assert document.position_of(("scenario", "actors", "PL", "budget")) == Position(5, 7)
    assert document.position_of(("scenario", "actors", "PL", "budgt")) == Position(4, 5)
    assert document.position_of(["scenario", "actors", "PL", "sites", 5, "name"]) == Position(6, 7)
    assert document.position_of(("events", 7, "day")) == Position(10, 1)
    assert document.position_of(("nowhere", "at", "all")) == Position(1, 1)
    assert document.position_of(()) == Position(1, 1)


def test_position_of_with_no_positions_at_all() -> None:
    assert YamlDocument(file="x", data=None, positions={}).position_of(("a",)) is None


def test_key_path_must_not_be_a_string() -> None:
    document = read_yaml_text(NESTED)
    with pytest.raises(TypeError):
        document.position_of("scenario")


def test_document_problem_is_located_at_the_key() -> None:
    document = read_yaml_text(NESTED, "n.yaml")
    problem = document.problem(("scenario", "actors", "PL", "budget"), "must not be negative", expected="≥ 0")
    assert problem.format() == "n.yaml:5:7: scenario.actors.PL.budget: must not be negative (expected ≥ 0)"


def test_document_problem_for_a_missing_key_names_the_full_path_at_the_parent() -> None:
    document = read_yaml_text(NESTED, "n.yaml")
    problem = document.problem(("events", 1, "kind"), "missing required key 'kind'")
    assert problem == Problem("n.yaml", 13, 7, "events[1].kind", "missing required key 'kind'")
    unknown = document.problem(("scenario", "actors", "PL", "budgt"), "unknown key", suggestion="budget")
    assert unknown.format() == "n.yaml:4:5: scenario.actors.PL.budgt: unknown key (did you mean 'budget'?)"


def test_document_problem_without_positions() -> None:
    problem = YamlDocument(file="x.yaml", data=None, positions={}).problem((), "empty scenario")
    assert problem.format() == "x.yaml: empty scenario"


# --- Anchors and aliases. ---

ANCHORS = """\
defaults: &patriot
  pk: 0.7
  shots: 2
layers:
  - *patriot
  - {name: nasams, pk: 0.6}
copy: *patriot
"""


def test_aliases_give_equal_but_independent_values() -> None:
    data = read_yaml_text(ANCHORS).data
    assert data["layers"][0] == {"pk": 0.7, "shots": 2}
    assert data["copy"] == {"pk": 0.7, "shots": 2}
    data["copy"]["pk"] = 0.1
    assert data["defaults"]["pk"] == 0.7
    assert data["layers"][0]["pk"] == 0.7


def test_positions_through_an_alias() -> None:
    positions = read_yaml_text(ANCHORS).positions
    assert positions[("layers", 0)] == Position(5, 5)  # the alias where it is used
    assert positions[("copy",)] == Position(7, 1)
    assert positions[("copy", "pk")] == Position(2, 3)  # inside: where the anchored value was written
    assert positions[("layers", 1, "pk")] == Position(6, 20)


def test_alias_to_a_scalar_key() -> None:
    assert read_yaml_text("code: &c PL\nbudgets:\n  *c : 5\n").data == {"code": "PL", "budgets": {"PL": 5}}


def test_anchor_may_be_defined_again() -> None:
    assert read_yaml_text("a: &x 1\nb: *x\nc: &x 2\nd: *x\n").data == {"a": 1, "b": 1, "c": 2, "d": 2}


def test_undefined_alias() -> None:
    assert problems_of("a: *nope\n") == [
        "s.yaml:1:4: YAML syntax error: found undefined alias 'nope' "
        "(expected an alias (*name) that refers to an anchor (&name) defined earlier)"
    ]


def test_recursive_alias_is_a_problem() -> None:
    assert problems_of("a: &loop\n  - 1\n  - *loop\n") == [
        "s.yaml:3:5: a[1]: alias '*loop' refers to a node that contains it "
        "(expected an alias to a complete value defined before it)"
    ]


def test_alias_bomb_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yaml_source, "MAX_VALUES", 1_000)
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 10)]
    assert problems_of("\n".join(lines)) == [
        "s.yaml:1:1: the document holds more than 1,000 values once its aliases are expanded "
        "(expected a scenario of reasonable size, without aliases of aliases of aliases)"
    ]


# --- Problem.format, ScenarioError. ---


@pytest.mark.parametrize(
    ("problem", "text"),
    [
        (
            Problem("s.yaml", 3, 5, "actors.PL.effector", "unknown effector 'patriott'", "an effector", "patriot"),
            "s.yaml:3:5: actors.PL.effector: unknown effector 'patriott' "
            "(expected an effector; did you mean 'patriot'?)",
        ),
        (
            Problem("s.yaml", 3, 5, "events[3].day", "must be ≥ 0", expected="a whole day number ≥ 0"),
            "s.yaml:3:5: events[3].day: must be ≥ 0 (expected a whole day number ≥ 0)",
        ),
        (
            Problem("s.yaml", 3, 5, "actors.Polnad", "unknown member state", suggestion="Poland"),
            "s.yaml:3:5: actors.Polnad: unknown member state (did you mean 'Poland'?)",
        ),
        (Problem("s.yaml", 3, 5, "a", "bad"), "s.yaml:3:5: a: bad"),
        (Problem("s.yaml", 3, 5, "", "bad", "x"), "s.yaml:3:5: bad (expected x)"),
        (Problem("s.yaml", None, None, "a.b", "bad"), "s.yaml: a.b: bad"),
        (Problem("s.yaml", None, None, "", "file not found"), "s.yaml: file not found"),
        (Problem("s.yaml", 7, None, "a", "bad"), "s.yaml:7: a: bad"),
        (Problem("s.yaml", 1, 1, "a", "bad", expected="", suggestion=""), "s.yaml:1:1: a: bad"),
    ],
)
def test_problem_format(problem: Problem, text: str) -> None:
    assert problem.format() == text
    assert str(problem) == text


def test_problem_is_frozen() -> None:
    problem = Problem("s.yaml", 1, 1, "a", "bad")
    with pytest.raises(AttributeError):
        problem.line = 2  # type: ignore[misc]


def test_scenario_error_joins_problems_with_newlines() -> None:
    first = Problem("s.yaml", 1, 1, "a", "bad")
    second = Problem("s.yaml", 2, 1, "b", "worse", suggestion="c")
    error = ScenarioError([first, second])
    assert error.problems == [first, second]
    assert str(error) == "s.yaml:1:1: a: bad\ns.yaml:2:1: b: worse (did you mean 'c'?)"


def test_scenario_error_from_one_problem() -> None:
    problem = Problem("s.yaml", None, None, "", "file not found")
    error = ScenarioError.from_problem(problem)
    assert isinstance(error, Exception)
    assert error.problems == [problem]
    assert str(error) == "s.yaml: file not found"


def test_scenario_error_needs_a_problem() -> None:
    with pytest.raises(ValueError):
        ScenarioError([])


def test_scenario_error_survives_pickling() -> None:
    error = ScenarioError([Problem("s.yaml", 1, 2, "a", "bad", "x", "y")])
    copy = pickle.loads(pickle.dumps(error))
    assert copy.problems == error.problems
    assert str(copy) == str(error)


# --- format_key_path, closest_match. ---


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), ""),
        (("actors",), "actors"),
        (("actors", "member_states", "PL", "budget_meur"), "actors.member_states.PL.budget_meur"),
        (("events", 3, "day"), "events[3].day"),
        ((3, "day"), "[3].day"),
        (("matrix", 0, 1), "matrix[0][1]"),
        (("a", "b.c", "d"), 'a["b.c"].d'),
        (("sites", "Rzeszów airport", "value_meur"), 'sites["Rzeszów airport"].value_meur'),
        (("x.y",), '["x.y"]'),
        (("",), '[""]'),
        (('say "hi"',), '["say \\"hi\\""]'),
        (["NO", 0], "NO[0]"),
    ],
)
def test_format_key_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_key_path(path) == text


COUNTRIES = ["Poland", "Lithuania", "Germany", "Norway"]
EFFECTORS = ["patriot", "iris_t", "skynex", "interceptor_drone"]


@pytest.mark.parametrize(
    ("word", "candidates", "expected"),
    [
        ("Polnad", COUNTRIES, "Poland"),
        ("patriott", EFFECTORS, "patriot"),
        ("Patriot", EFFECTORS, "patriot"),  # case-insensitive exact match
        ("POLAND", COUNTRIES, "Poland"),
        ("iris-t", EFFECTORS, "iris_t"),
        ("inter", EFFECTORS, "interceptor_drone"),  # a prefix, though not similar enough by ratio
        ("interceptor_drones", EFFECTORS, "interceptor_drone"),
        ("pa", EFFECTORS, None),  # too short to count as a prefix
        ("gripen", EFFECTORS, None),
        ("xyz", COUNTRIES, None),
        ("", COUNTRIES, None),
        ("Poland", [], None),
        ("ab1", ["ab2", "ab3"], "ab2"),  # ties go to the first listed
    ],
)
def test_closest_match(word: str, candidates: list[str], expected: str | None) -> None:
    assert closest_match(word, candidates) == expected


def test_closest_match_accepts_any_iterable() -> None:
    assert closest_match("Norwya", (name for name in COUNTRIES)) == "Norway"
    assert closest_match("pl", {"PL": 1, "DE": 2}) == "PL"
