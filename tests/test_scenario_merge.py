"""``extends`` merging and ``--set`` overrides (sim.scenario.merge), with the positions they keep.

Small documents are read from YAML text so every expected value and position can be checked by eye.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.scenario.actors import EU
from sim.scenario.errors import ScenarioError
from sim.scenario.loader import load_scenario, read_scenario_document
from sim.scenario.merge import (
    AmbiguousItem,
    LocatedDocument,
    Location,
    apply_override,
    list_index,
    merge,
    parse_override,
)
from sim.scenario.parameters import Param
from sim.scenario.yaml_source import read_yaml_file, read_yaml_text

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
SUPPLIERS = [supplier["name"] for supplier in read_yaml_file(BASELINE).data["industry"]["suppliers"]]
SUPPLIER_CHOICES = f"an index 0–{len(SUPPLIERS) - 1} or a name: {', '.join(SUPPLIERS)}"
THREATS = list(read_yaml_file(BASELINE).data["catalog"]["threats"])
POLAND_INCURSION = [event["name"] for event in read_yaml_file(BASELINE).data["events"]].index("poland_incursion")


def doc(text: str, file: str) -> LocatedDocument:
    return LocatedDocument.from_yaml(read_yaml_text(text, file=file))


def merged(base_text: str, child_text: str) -> LocatedDocument:
    return merge(doc(base_text, "base.yaml"), doc(child_text, "child.yaml"))


def override_problems(text: str, path: Path = BASELINE) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, [text])
    return [problem.format() for problem in caught.value.problems]


# --- extends: merge rules ---------------------------------------------------------------------------------


def test_nested_mappings_merge_key_by_key_and_scalars_replace() -> None:
    result = merged(
        "a:\n  b: 1\n  c:\n    d: 2\n    e: 3\nf: keep\n",
        "a:\n  c:\n    e: 30\n    g: 40\nh: new\n",
    )
    assert result.data == {"a": {"b": 1, "c": {"d": 2, "e": 30, "g": 40}}, "f": "keep", "h": "new"}
    assert list(result.data) == ["a", "f", "h"]  # the parent's order, then the child's new keys


def test_a_child_scalar_replaces_a_mapping_and_a_mapping_replaces_a_scalar() -> None:
    result = merged("x: {value: 5, low: 1, high: 9}\ny: 3\n", "x: 7\ny: {value: 4, source: s}\n")
    assert result.data == {"x": 7, "y": {"value": 4, "source": "s"}}


def test_a_child_param_mapping_replaces_the_parents_range_and_source() -> None:
    # The child's number comes with its own evidence: the parent's range and citation may not support it.
    result = merged("x: {value: 5, low: 1, high: 9, source: s}\n", "x: {value: 70, note: changed}\n")
    assert result.data == {"x": {"value": 70, "note": "changed"}}


def test_a_child_mapping_without_value_still_merges_into_a_parameter() -> None:
    result = merged("x: {value: 5, low: 1, high: 9}\n", "x: {source: s}\n")
    assert result.data == {"x": {"value": 5, "low": 1, "high": 9, "source": "s"}}


def test_unnamed_items_are_appended_to_a_named_list() -> None:
    result = merged("xs:\n  - {name: a, v: 1}\n", "xs:\n  - {name: a, v: 2}\n  - {n: 1}\n")
    assert result.data == {"xs": [{"name": "a", "v": 2}, {"n": 1}]}


def test_products_merge_by_item() -> None:
    result = merged(
        "products:\n  - {item: x, capacity: 1}\n  - {item: y, capacity: 2}\n",
        "products:\n  - {item: y, capacity: 20}\n",
    )
    assert result.data == {"products": [{"item": "x", "capacity": 1}, {"item": "y", "capacity": 20}]}


def test_named_lists_merge_by_name() -> None:
    result = merged(
        "items:\n  - {name: a, x: 1, y: 2}\n  - {name: b, x: 3}\n  - {name: c, x: 5}\n",
        "items:\n  - {name: b, x: 30, z: 9}\n  - {name: d, x: 7}\n  - {name: a, remove: true}\n",
    )
    assert result.data == {"items": [{"name": "b", "x": 30, "z": 9}, {"name": "c", "x": 5}, {"name": "d", "x": 7}]}


def test_lists_merge_by_id_too() -> None:
    result = merged(
        "sources:\n  - {id: s1, title: one}\n", "sources:\n  - {id: s2, title: two}\n  - {id: s1, outlet: o}\n"
    )
    assert result.data == {"sources": [{"id": "s1", "title": "one", "outlet": "o"}, {"id": "s2", "title": "two"}]}


def test_removing_a_name_the_parent_does_not_have_is_harmless() -> None:
    result = merged("items:\n  - {name: a}\n", "items:\n  - {name: zz, remove: true}\n")
    assert result.data == {"items": [{"name": "a"}]}


def test_remove_with_other_keys_is_an_ordinary_merge() -> None:
    result = merged("items:\n  - {name: a, x: 1}\n", "items:\n  - {name: a, remove: true, x: 2}\n")
    assert result.data == {"items": [{"name": "a", "x": 2, "remove": True}]}


@pytest.mark.parametrize(
    ("base", "child", "expected"),
    [
        ("xs: [1, 2, 3]\n", "xs: [4]\n", [4]),
        (
            "xs:\n  - {state: PL, n: 1}\n  - {state: DE, n: 2}\n",
            "xs:\n  - {state: PL, n: 5}\n",
            [{"state": "PL", "n": 5}],
        ),
        # An explicit empty list clears even a named parent list.
        ("xs:\n  - {name: a}\n", "xs: []\n", []),
    ],
)
def test_unnamed_lists_replace(base: str, child: str, expected: list[Any]) -> None:
    assert merged(base, child).data == {"xs": expected}


def test_switching_a_policy_replaces_it_instead_of_merging_the_old_params() -> None:
    base = "deployment:\n  name: flank_contribution\n  params: {share: 0.2, effectors: [patriot]}\n"
    assert merged(base, "deployment: {name: home_defence}\n").data == {"deployment": {"name": "home_defence"}}
    # The same policy merges its params key by key.
    assert merged(base, "deployment: {name: flank_contribution, params: {share: 0.5}}\n").data == {
        "deployment": {"name": "flank_contribution", "params": {"share": 0.5, "effectors": ["patriot"]}}
    }


def test_a_variant_can_switch_to_a_policy_without_params(tmp_path: Path) -> None:
    path = tmp_path / "calm.yaml"
    path.write_text(
        f"extends: {BASELINE}\n"
        "actors:\n"
        "  member_states:\n"
        "    DE:\n"
        "      policies:\n"
        "        deployment: {name: home_defence}\n"
        "  adversary:\n"
        "    incursions: {name: no_incursions}\n",
        encoding="utf-8",
    )
    scenario = load_scenario(path)
    assert scenario.actors.member_states["DE"].policies.deployment.name == "home_defence"
    assert scenario.actors.adversary.incursions.name == "no_incursions"


def test_positions_point_at_the_file_that_wrote_each_value() -> None:
    result = merged(
        "a:\n  b: 1\n  c: 2\nitems:\n  - {name: x, v: 1}\n  - {name: y, v: 2}\n",
        "a:\n  c: 20\nitems:\n  - name: y\n    v: 3\n",
    )
    assert result.locations[("a", "b")] == Location("base.yaml", 2, 3)
    assert result.locations[("a", "c")] == Location("child.yaml", 2, 3)
    assert result.locations[("items", 0, "v")] == Location("base.yaml", 5, 15)
    assert result.locations[("items", 1, "name")] == Location("child.yaml", 4, 5)  # the child wrote it again
    assert result.locations[("items", 1, "v")] == Location("child.yaml", 5, 5)


# --- extends: files ---------------------------------------------------------------------------------------


def test_three_level_chain_with_relative_paths_and_positions(tmp_path: Path) -> None:
    # Each file may only extend one inside its own folder (or the shipped scenarios): the chain goes down.
    (tmp_path / "mid" / "base").mkdir(parents=True)
    base = tmp_path / "mid" / "base" / "c.yaml"
    base.write_text(BASELINE.read_text(encoding="utf-8"), encoding="utf-8")
    middle = tmp_path / "mid" / "b.yaml"
    middle.write_text(
        "extends: ../mid/base/c.yaml\nname: b\nseed: 7\nactors:\n  eu:\n    edip_grants_meur: 2000\n",
        encoding="utf-8",
    )
    top = tmp_path / "a.yaml"
    top.write_text("extends: mid/b.yaml\nname: a\nactors:\n  eu:\n    safe_loans_meur: 1000\n", encoding="utf-8")

    scenario = load_scenario(top)
    assert (scenario.name, scenario.seed, scenario.horizon_days) == ("a", 7, 1218)
    assert scenario.actors.eu.safe_loans_meur == Param(value=1000)
    assert scenario.actors.eu.edip_grants_meur == Param(value=2000)
    assert scenario.actors.eu.non_eu_component_cap.source == "public-figures#43"

    document = read_scenario_document(top)
    assert document.locations[("name",)] == Location(str(top), 2, 1)
    assert document.locations[("seed",)] == Location(str(middle.resolve()), 3, 1)
    assert document.locations[("actors", "eu", "edip_grants_meur")] == Location(str(middle.resolve()), 6, 5)
    assert document.locations[("actors", "eu", "safe_loans_meur")] == Location(str(top), 5, 5)
    baseline_lines = BASELINE.read_text(encoding="utf-8").splitlines()
    horizon_line = next(i for i, line in enumerate(baseline_lines, 1) if line.startswith("horizon_days:"))
    assert document.locations[("horizon_days",)] == Location(str(base.resolve()), horizon_line, 1)


def test_extends_of_the_shipped_variants_resolves_from_their_folder(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)  # `extends: baseline.yaml` must not depend on the working directory
    assert load_scenario(BASELINE.parent / "escalation.yaml").name == "escalation"


# --- overrides --------------------------------------------------------------------------------------------


def test_parse_override_splits_key_path_and_yaml_value() -> None:
    assert parse_override("a.b[2].c=0.5") == (("a", "b", 2, "c"), 0.5)
    assert parse_override("country=NO") == (("country",), "NO")
    assert parse_override("flag=true") == (("flag",), True)
    assert parse_override("x='12'") == (("x",), "12")
    assert parse_override("m={value: 3, low: 1}") == (("m",), {"value": 3, "low": 1})
    assert parse_override("x = 5 ") == (("x",), 5)
    assert parse_override("x=") == (("x",), None)
    assert parse_override("x=a=b") == (("x",), "a=b")


def test_override_a_nested_key() -> None:
    scenario = load_scenario(BASELINE, ["actors.member_states.DE.inventory.fire_units.patriot=7", "horizon_days=330"])
    assert scenario.actors.member_states["DE"].inventory.fire_units["patriot"] == Param(
        value=7, low=6, high=9, note="set by --set actors.member_states.DE.inventory.fire_units.patriot=7"
    )
    assert scenario.horizon_days == 330


def test_override_list_items_by_name_and_by_index() -> None:
    scenario = load_scenario(
        BASELINE,
        [
            "industry.suppliers.mbda.products[0].capacity_per_month=20",
            "industry.suppliers[0].country=CA",
            "events.poland_incursion.target=LT",
        ],
    )
    mbda = scenario.industry.suppliers[SUPPLIERS.index("mbda")]
    assert mbda.name == "mbda"
    assert mbda.products[0].capacity_per_month.value == 20
    assert (
        mbda.products[0].capacity_per_month.note
        == "set by --set industry.suppliers.mbda.products[0].capacity_per_month=20"
    )
    assert scenario.industry.suppliers[0].country == "CA"
    assert scenario.events[POLAND_INCURSION].target == "LT"  # type: ignore[union-attr]


def test_override_inside_a_sourced_range_keeps_source_and_range() -> None:
    scenario = load_scenario(BASELINE, ["catalog.threats.shahed.unit_cost_eur=50000"])
    assert scenario.catalog.threats["shahed"].unit_cost_eur == Param(
        value=50000,
        low=18000,
        high=92000,
        unit="EUR",
        source="public-figures#28",
        note="set by --set catalog.threats.shahed.unit_cost_eur=50000",
    )


def test_override_outside_the_sourced_range_drops_the_range_and_says_so() -> None:
    scenario = load_scenario(BASELINE, ["catalog.threats.shahed.unit_cost_eur=500"])
    assert scenario.catalog.threats["shahed"].unit_cost_eur == Param(
        value=500,
        unit="EUR",
        source="public-figures#28",
        note="set by --set catalog.threats.shahed.unit_cost_eur=500, outside the sourced range 18000–92000",
    )


def test_override_with_a_mapping_replaces_the_whole_param() -> None:
    scenario = load_scenario(BASELINE, ["catalog.threats.shahed.unit_cost_eur={value: 40000, low: 30000, high: 50000}"])
    assert scenario.catalog.threats["shahed"].unit_cost_eur == Param(value=40000, low=30000, high=50000)


def test_override_values_are_read_by_yaml_1_2() -> None:
    scenario = load_scenario(BASELINE, ["industry.suppliers.mesko.country=NO", "description=yes"])
    assert scenario.industry.suppliers[SUPPLIERS.index("mesko")].country == "NO"
    assert scenario.description == "yes"


def test_override_applies_after_extends(tmp_path: Path) -> None:
    scenario = load_scenario(BASELINE.parent / "drone_wall.yaml", ["actors.eu.edip_cofinance_share=0.3"])
    assert scenario.actors.eu.edip_cofinance_share.value == 0.3
    assert scenario.name == "drone_wall"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("noequals", "--set noequals: an override must look like key.path=value (expected e.g. horizon_days=90)"),
        ("=3", "--set =3: an override must look like key.path=value (expected e.g. horizon_days=90)"),
        (
            "a..b=1",
            "--set a..b=1: a..b: cannot read this key path (expected dotted keys like actors.eu.edip_grants_meur)",
        ),
        (
            "name.first=3",
            "--set name.first=3: name: cannot set 'first' inside a str (expected a path through mappings and lists)",
        ),
        (
            "seed=[1, 2",
            "--set seed=[1, 2: seed: cannot read the value '[1, 2': YAML syntax error: expected ',' or ']', "
            "but got '<stream end>', while parsing a flow sequence started at line 1, column 1",
        ),
        (
            "industry.suppliers.mbdx.country=FR",
            "--set industry.suppliers.mbdx.country=FR: industry.suppliers.mbdx: no item 'mbdx' in this list "
            f"(expected {SUPPLIER_CHOICES}; did you mean 'mbda'?)",
        ),
        (
            f"industry.suppliers[{len(SUPPLIERS)}].country=FR",
            f"--set industry.suppliers[{len(SUPPLIERS)}].country=FR: industry.suppliers[{len(SUPPLIERS)}]: "
            f"no item '{len(SUPPLIERS)}' in this list (expected {SUPPLIER_CHOICES})",
        ),
    ],
)
def test_malformed_overrides(text: str, expected: str) -> None:
    assert override_problems(text) == [expected]


def test_override_with_an_unknown_key_is_located_at_the_override() -> None:
    assert override_problems("actors.eu.safe_loanz=3") == [
        "--set actors.eu.safe_loanz=3: actors.eu.safe_loanz: unknown key 'safe_loanz' (expected one of: "
        f"{', '.join(EU.model_fields)}; did you mean 'safe_loans_meur'?)"
    ]


def test_override_through_a_misspelt_intermediate_key_is_located_at_the_override() -> None:
    assert override_problems("actors.eux.safe_loans_meur=3") == [
        "--set actors.eux.safe_loans_meur=3: actors.eux: unknown key 'eux' "
        "(expected one of: eu, nato, member_states, ukraine, adversary; did you mean 'eu'?)"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "actors.member_states.DE.inventory.fire_units.patriot=-1",
            "actors.member_states.DE.inventory.fire_units.patriot: value -1 is below 0: "
            "a number of fire units must be ≥ 0 "
            "(expected a whole number from 0 to 100000; 100000 is more than any state fields of one type)",
        ),
        (
            "actors.eu.safe_loans_meur.value=-1",
            "actors.eu.safe_loans_meur: value -1 is below 0: "
            "a sum in EUR million must be ≥ 0 "
            "(expected a number from 0 to 1e+07; 1e+07 is EUR 10 trillion, over half the EU's yearly GDP)",
        ),
        ("horizon_days=NO", "horizon_days: Input should be a valid integer (got the text 'NO')"),
        (
            "actors.eu.european_preference=yes",
            "actors.eu.european_preference: the text 'yes' is not a boolean "
            "(expected true or false (YAML 1.2: yes/no/on/off/NO are text, not booleans))",
        ),
        (
            "events.poland_incursion.threat=shahid",
            f"events[{POLAND_INCURSION}].threat: unknown threat 'shahid' "
            f"(expected one of: {', '.join(sorted(THREATS))}; did you mean 'shahed'?)",
        ),
    ],
)
def test_bad_override_values_are_validated_like_the_file(text: str, expected: str) -> None:
    assert override_problems(text) == [f"--set {text}: {expected}"]


def test_apply_override_does_not_modify_its_input() -> None:
    document = doc("a:\n  b: {value: 1, low: 0, high: 2}\n", "f.yaml")
    updated = apply_override(document, "a.b=5")
    assert document.data == {"a": {"b": {"value": 1, "low": 0, "high": 2}}}
    assert updated.data == {"a": {"b": {"value": 5, "note": "set by --set a.b=5, outside the sourced range 0–2"}}}
    assert document.locations[("a", "b", "low")] == Location("f.yaml", 2, 17)
    assert ("a", "b", "low") not in updated.locations
    assert updated.locations[("a", "b")] == Location("--set a.b=5")


# --- properties -------------------------------------------------------------------------------------------

_scalars = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text("abNO", max_size=3)
_keys = st.sampled_from(["a", "b", "c", "value", "low", "params"])


def _named_lists(children: st.SearchStrategy[Any]) -> st.SearchStrategy[list[dict[str, Any]]]:
    item = st.tuples(st.sampled_from(["x", "y", "z"]), st.dictionaries(_keys, children, max_size=3))
    return st.lists(item, max_size=3, unique_by=lambda pair: pair[0]).map(
        lambda pairs: [{"name": name, **fields} for name, fields in pairs]
    )


_documents = st.dictionaries(
    _keys,
    st.recursive(
        _scalars,
        lambda children: (
            st.lists(children, max_size=3) | st.dictionaries(_keys, children, max_size=3) | _named_lists(children)
        ),
        max_leaves=8,
    ),
    max_size=4,
)


def _located(data: Any, file: str) -> LocatedDocument:
    """Give every key path of ``data`` its own location, so merges can be checked for where values came from."""
    locations: dict[tuple[str | int, ...], Location] = {}

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        locations[path] = Location(file, len(locations) + 1, 1)
        children = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in children:
            walk(child, (*path, key))

    walk(data, ())
    return LocatedDocument(data, locations)


@given(_documents)
def test_merging_a_document_with_itself_gives_the_same_document(data: dict[str, Any]) -> None:
    document = _located(data, "f.yaml")
    result = merge(document, document)
    assert result.data == data
    assert result.locations == document.locations


@given(_documents)
def test_merging_with_an_empty_mapping_gives_the_original(data: dict[str, Any]) -> None:
    document = _located(data, "f.yaml")
    empty = LocatedDocument({}, {(): Location("empty.yaml", 1, 1)})
    assert merge(document, empty).data == data
    assert merge(empty, document).data == data
    assert {p: w for p, w in merge(document, empty).locations.items() if p} == {
        p: w for p, w in document.locations.items() if p
    }


EVENTS = read_yaml_file(BASELINE).data["events"]


def test_a_selector_that_matches_several_list_items_is_refused_with_the_candidates() -> None:
    """QA: `events.pac3_mse.day=3` silently moved the first of two events of item pac3_mse."""
    first, second = (index for index, event in enumerate(EVENTS) if event.get("item") == "pac3_mse")
    assert override_problems("events.pac3_mse.day=3") == [
        f"--set events.pac3_mse.day=3: events.pac3_mse: 'pac3_mse' matches 2 items of this list: "
        f"[{first}] (name: {EVENTS[first]['name']}, item: pac3_mse); "
        f"[{second}] (name: {EVENTS[second]['name']}, item: pac3_mse) "
        f"(expected an index, e.g. events[{first}], or a name only one item has)"
    ]
    # One item's name is another's item: refused as well.
    with pytest.raises(AmbiguousItem, match=r"'a' matches 2 items of this list: \[0\] \(name: a\); \[1\] \(item: a\)"):
        list_index([{"name": "a"}, {"item": "a"}], "a")


def test_a_unique_item_selector_still_works_and_the_no_item_error_names_each_once() -> None:
    """The README's 'products by item': industry.suppliers.mbda.products.<item> picks the one product."""
    scenario = load_scenario(BASELINE, ["industry.suppliers.mbda.products.aster30.capacity_per_month=21"])
    mbda = scenario.industry.suppliers[SUPPLIERS.index("mbda")]
    assert [p.capacity_per_month.value for p in mbda.products if p.item == "aster30"] == [21]
    (problem,) = override_problems("events.nothing.day=3")
    names = problem.split("or a name: ")[1].removesuffix(")").split(", ")
    assert names == list(dict.fromkeys(names)) and names.count("pac3_mse") == 1
    assert names == list(dict.fromkeys(str(e[k]) for e in EVENTS for k in ("name", "id", "item") if k in e))
