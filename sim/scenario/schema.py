"""The JSON Schema of the scenario format, for editors (VS Code's YAML extension) and for checks.

Pydantic writes JSON Schema 2020-12; editors understand draft-07 best, so the schema is rewritten to
draft-07 forms: ``$defs`` → ``definitions``, ``prefixItems`` → an ``items`` array. Shipped scenarios carry
``# yaml-language-server: $schema=../schema/scenario.schema.json`` so an editor completes and checks them.
"""

from __future__ import annotations

import json
from typing import Any

from sim.scenario.model import Scenario

DRAFT_07 = "http://json-schema.org/draft-07/schema#"
SCHEMA_FILE_NAME = "scenario.schema.json"


def _to_draft_07(node: Any) -> Any:
    if isinstance(node, dict):
        converted = {key: _to_draft_07(value) for key, value in node.items()}
        if "prefixItems" in converted:
            converted["items"] = converted.pop("prefixItems")
            converted.setdefault("additionalItems", False)
        return converted
    if isinstance(node, list):
        return [_to_draft_07(item) for item in node]
    if isinstance(node, str) and node.startswith("#/$defs/"):  # a `$ref`, or a `discriminator.mapping` target
        return node.replace("#/$defs/", "#/definitions/", 1)
    return node


def scenario_json_schema() -> dict[str, Any]:
    """The scenario format as a draft-07 JSON Schema (a dict)."""
    schema = Scenario.model_json_schema(mode="validation")
    schema = _to_draft_07(schema)
    schema["definitions"] = schema.pop("$defs", {})
    ordered = {
        "$schema": DRAFT_07,
        "$id": "https://example.invalid/eu-airdefence-sim/scenario.schema.json",
        "title": "Air- and drone-defence scenario",
        "description": "A scenario for the European air- and drone-defence simulator (sim validate checks more).",
    }
    ordered.update({key: value for key, value in schema.items() if key not in ("title", "description")})
    return ordered


def scenario_json_schema_text() -> str:
    """The schema as indented JSON text with a trailing newline."""
    return json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
