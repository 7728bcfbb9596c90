"""The JSON Schema of the scenario format: valid draft-07, accepts the shipped files, rejects bad ones, never stale."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from sim.scenario.schema import scenario_json_schema, scenario_json_schema_text
from sim.scenario.yaml_source import read_yaml_file

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = sorted((ROOT / "scenarios").glob("*.yaml"))
BASELINE = ROOT / "scenarios" / "baseline.yaml"
COMMITTED_SCHEMA = ROOT / "schema" / "scenario.schema.json"
SCHEMA_COMMENT = "# yaml-language-server: $schema=../schema/scenario.schema.json"


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return scenario_json_schema()


@pytest.fixture(scope="module")
def validator(schema: dict[str, Any]) -> jsonschema.Draft7Validator:
    return jsonschema.Draft7Validator(schema)


@pytest.fixture(scope="module")
def baseline_data() -> dict[str, Any]:
    data = read_yaml_file(BASELINE).data
    assert isinstance(data, dict)
    return data


def test_the_schema_is_valid_draft_07(schema: dict[str, Any]) -> None:
    jsonschema.Draft7Validator.check_schema(schema)
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    text = json.dumps(schema)
    assert "$defs" not in text and "prefixItems" not in text  # 2020-12 forms editors may not know
    assert "#/definitions/Param" in text


def test_every_reference_resolves_to_a_definition(schema: dict[str, Any]) -> None:
    references: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("$ref"), str):
                references.append(node["$ref"])
            if isinstance(node.get("discriminator"), dict):  # OpenAPI-style hint pydantic adds to unions
                references.extend(node["discriminator"].get("mapping", {}).values())
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert references
    for reference in references:
        assert reference.startswith("#/definitions/")
        assert reference.removeprefix("#/definitions/") in schema["definitions"]


def test_the_baseline_validates_against_the_schema(validator: jsonschema.Draft7Validator, baseline_data: Any) -> None:
    errors = [f"{list(error.path)}: {error.message}" for error in validator.iter_errors(baseline_data)]
    assert errors == []


@pytest.mark.parametrize("path", [p for p in SCENARIOS if p != BASELINE], ids=lambda path: path.stem)
def test_variants_use_only_keys_the_schema_knows(schema: dict[str, Any], path: Path) -> None:
    # Variants are partial documents (they `extends` the baseline): check their top-level keys only.
    data = read_yaml_file(path).data
    assert isinstance(data, dict)
    assert data["extends"] == "baseline.yaml"
    assert set(data) <= set(schema["properties"])
    assert schema["additionalProperties"] is False


def _errors(validator: jsonschema.Draft7Validator, data: Any) -> list[str]:
    return [error.message for error in validator.iter_errors(data)]


def test_an_unknown_key_fails_schema_validation(validator: jsonschema.Draft7Validator, baseline_data: Any) -> None:
    data = copy.deepcopy(baseline_data)
    data["horizn_days"] = 30
    assert _errors(validator, data) == ["Additional properties are not allowed ('horizn_days' was unexpected)"]
    nested = copy.deepcopy(baseline_data)
    nested["actors"]["eu"]["safe_loans_mur"] = 3
    assert _errors(validator, nested) == ["Additional properties are not allowed ('safe_loans_mur' was unexpected)"]


def test_text_where_a_number_belongs_fails_schema_validation(
    validator: jsonschema.Draft7Validator, baseline_data: Any
) -> None:
    data = copy.deepcopy(baseline_data)
    data["horizon_days"] = "lots"
    assert _errors(validator, data) == ["'lots' is not of type 'integer'"]
    param = copy.deepcopy(baseline_data)
    param["actors"]["eu"]["safe_loans_meur"] = "lots"
    assert len(_errors(validator, param)) == 1


def test_schema_checks_policy_names_and_probability_bounds(
    validator: jsonschema.Draft7Validator, baseline_data: Any
) -> None:
    data = copy.deepcopy(baseline_data)
    data["actors"]["eu"]["policy"]["name"] = "joint_procurment"
    assert _errors(validator, data)
    plain = copy.deepcopy(baseline_data)
    plain["actors"]["eu"]["european_preference"] = "NO"
    assert _errors(validator, plain) == ["'NO' is not of type 'boolean'"]


def test_the_committed_schema_is_what_sim_schema_writes() -> None:
    assert COMMITTED_SCHEMA.read_text(encoding="utf-8") == scenario_json_schema_text(), (
        "schema/scenario.schema.json is stale: run `sim schema --out schema/scenario.schema.json`"
    )


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_every_shipped_scenario_names_the_schema_on_its_first_line(path: Path) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert first_line == SCHEMA_COMMENT
    assert (path.parent / "../schema/scenario.schema.json").resolve() == COMMITTED_SCHEMA.resolve()
