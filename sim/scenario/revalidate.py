"""Validate a scenario that differs from a validated one only at a few key paths, re-using what did not change.

A sweep turns every design point into a scenario: the base document with a handful of ``key=value`` overrides.
Validating the whole document again for each point (:func:`sim.scenario.loader.validate_document`) re-checks
hundreds of unchanged parameters, names and texts — tens of milliseconds a point, minutes for a Sobol' design of
thousands. :func:`validate_changed` hands pydantic the base scenario's already validated sub-models for every
branch off the changed paths and the raw data only along them, so only the changed leaves and the models that
contain them (whose validators see the whole of their subtree, the scenario's own included) are validated again.
The cross-section checks of :mod:`sim.scenario.references` run again too, except the list of cited sources, which a
numeric override (it keeps the parameter's ``source``) cannot change.

The result is the scenario :func:`~sim.scenario.loader.validate_document` would give (``tests/test_sweep.py``
checks their hashes agree for every contested parameter of the baseline); a point that fails is validated again
the full way by the caller, for messages located at the override.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import ScenarioError
from sim.scenario.loader import validate_document
from sim.scenario.merge import KeyPath, LocatedDocument
from sim.scenario.model import Scenario
from sim.scenario.references import check_references

__all__ = ["validate_changed"]

_MISSING = object()


def _child(node: Any, key: Any) -> Any:
    """The validated child of ``node`` written under ``key`` in the document (``_MISSING`` if there is none)."""
    if isinstance(node, BaseModel):
        fields = type(node).model_fields
        if key in fields and fields[key].alias in (None, key):
            return getattr(node, key)
        for name, field in fields.items():
            if field.alias == key:
                return getattr(node, name)
        return _MISSING
    if isinstance(node, dict):
        return node.get(key, _MISSING)
    if isinstance(node, list | tuple) and isinstance(key, int) and 0 <= key < len(node):
        return node[key]
    return _MISSING


def _mixed(validated: Any, raw: Any, paths: Sequence[KeyPath]) -> Any:
    """``raw`` with every branch that no path enters replaced by the corresponding validated object."""
    if any(not path for path in paths):
        return raw
    heads = {path[0] for path in paths}
    if isinstance(raw, dict):
        items = raw.items()
    elif isinstance(raw, list):
        items = enumerate(raw)  # type: ignore[assignment]
    else:
        return raw
    mixed: dict[Any, Any] = {}
    for key, value in items:
        child = _child(validated, key)
        if child is _MISSING:
            mixed[key] = value
        elif key in heads:
            mixed[key] = _mixed(child, value, [path[1:] for path in paths if path[0] == key])
        else:
            mixed[key] = child
    return list(mixed.values()) if isinstance(raw, list) else mixed


def validate_changed(base: Scenario, document: LocatedDocument, changed: Sequence[KeyPath]) -> Scenario:
    """Validate ``document``, which equals the document of ``base`` except at the ``changed`` key paths.

    Args:
        base: The validated base scenario.
        document: The base document with overrides applied at ``changed`` (numeric values keeping their source).
        changed: The key paths of the overrides, as :func:`sim.scenario.merge.parse_override` gives them.

    Returns:
        The validated scenario, the same as ``validate_document(document)``.

    Raises:
        ScenarioError: If the point is not a valid scenario (validate it with ``validate_document`` on the
            document of :func:`sim.scenario.overrides.apply_overrides` for located messages).
    """
    try:
        scenario = Scenario.model_validate(_mixed(base, document.data, changed))
    except ValueError:  # pydantic's ValidationError: the full way says where
        return validate_document(document)
    findings = check_references(scenario, sources=False)
    if findings:
        raise ScenarioError(
            [document.problem(f.key_path, f.message, expected=f.expected, suggestion=f.suggestion) for f in findings]
        )
    return scenario
