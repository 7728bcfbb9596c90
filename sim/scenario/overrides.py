"""Scenario overrides a program writes (not a user): many ``key=value`` overrides applied at once, key paths as
``sim sources`` prints them, and which parameters are counts.

:mod:`sim.scenario.merge` applies one ``--set`` override to a located document; a sweep applies one override per
varied parameter to every design point. :func:`apply_overrides` does that the exact way (locations kept, so a
point that fails validation gets located messages); :func:`apply_overrides_fast` gives the same data without
copying the whole document for each override. :func:`canonical_key_path` turns a key path whose list items are
chosen by name into the indexed form :func:`sim.scenario.provenance.provenance_rows` uses, and
:func:`whole_number_parameters` walks the scenario's pydantic types to find the parameters declared as counts.
"""

from __future__ import annotations

import typing
from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from sim.scenario.errors import Problem, ScenarioError, format_key_path
from sim.scenario.merge import AmbiguousItem, KeyPath, LocatedDocument, apply_override, list_index, parse_override
from sim.scenario.model import Scenario
from sim.scenario.parameters import Param, is_whole_number

__all__ = ["apply_overrides", "apply_overrides_fast", "canonical_key_path", "whole_number_parameters"]


def canonical_key_path(document: LocatedDocument, key: str) -> str:
    """The key path of a parameter as ``sim sources`` prints it, list items selected by name turned into indexes.

    ``industry.suppliers.mbda.products[0].capacity_per_month`` becomes ``industry.suppliers[2].products[0]…``
    when ``mbda`` is the third supplier.

    Raises:
        ScenarioError: If the key path cannot be read (from :func:`~sim.scenario.merge.parse_override`) or selects
            several items of a list.
    """
    path, _ = parse_override(f"{key}=0")
    resolved: list[str | int] = []
    node: Any = document.data
    for segment in path:
        if isinstance(node, list):
            try:
                index = list_index(node, segment)
            except AmbiguousItem as ambiguous:
                where = format_key_path((*resolved, segment))
                raise ScenarioError([Problem(key, None, None, where, str(ambiguous))]) from None
            if index is None:
                resolved.append(segment)
                node = None
                continue
            resolved.append(index)
            node = node[index]
        else:
            resolved.append(segment)
            node = node.get(segment) if isinstance(node, Mapping) and isinstance(segment, str) else None
    return format_key_path(resolved)


def whole_number_parameters(scenario: Scenario) -> set[str]:
    """Key paths of the parameters that must be whole numbers (declared as counts in the scenario model).

    Args:
        scenario: A validated scenario.

    Returns:
        Key paths, formatted like :func:`sim.scenario.provenance.provenance_rows`.
    """
    found: set[str] = set()
    _collect_whole_numbers(scenario, None, (), found)
    return found


def _collect_whole_numbers(node: Any, annotation: Any, path: KeyPath, found: set[str]) -> None:
    if isinstance(node, Param):
        if _is_whole_number(annotation):
            found.add(format_key_path(path))
    elif isinstance(node, BaseModel):
        for name, info in type(node).model_fields.items():
            annotated = typing.Annotated[(info.annotation, *info.metadata)] if info.metadata else info.annotation
            _collect_whole_numbers(getattr(node, name), annotated, (*path, name), found)
    elif isinstance(node, Mapping):
        item_annotation = _item_annotation(annotation, dict)
        for key, value in node.items():
            _collect_whole_numbers(value, item_annotation, (*path, key), found)
    elif isinstance(node, list | tuple):
        item_annotation = _item_annotation(annotation, list)
        for index, value in enumerate(node):
            _collect_whole_numbers(value, item_annotation, (*path, index), found)


def _unwrap_optional(annotation: Any) -> Any:
    while typing.get_origin(annotation) in (typing.Union, type(int | None)):
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        if len(members) != 1:
            return annotation
        annotation = members[0]
    return annotation


def _item_annotation(annotation: Any, container: type) -> Any:
    annotation = _unwrap_optional(annotation)
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = _unwrap_optional(typing.get_args(annotation)[0])
    origin = typing.get_origin(annotation)
    arguments = typing.get_args(annotation)
    if container is dict and origin in (dict, Mapping) and len(arguments) == 2:
        return arguments[1]
    if container is list and origin in (list, tuple, Sequence) and arguments:
        return arguments[0]
    return None


def _is_whole_number(annotation: Any) -> bool:
    return is_whole_number(_unwrap_optional(annotation))


def apply_overrides(document: LocatedDocument, overrides: Sequence[str]) -> LocatedDocument:
    """Apply overrides one after the other (each copies the whole document; see :func:`apply_overrides_fast`)."""
    for text in overrides:
        document = apply_override(document, text)
    return document


def apply_overrides_fast(document: LocatedDocument, overrides: Sequence[tuple[KeyPath, str]]) -> LocatedDocument:
    """The data of :func:`apply_overrides` for ``(key path, override)`` pairs, without copying the whole document
    each time.

    :func:`~sim.scenario.merge.apply_override` deep-copies the whole document for every override, which dominates
    the set-up of a large design (tens of parameters times hundreds of points). Here each override is applied, with
    ``apply_override`` itself, to a *skeleton* holding only the containers on its key path and the current node at
    its end; the resulting node goes into a copy of the document in which only the containers on the override
    paths are copied (the rest is shared with ``document``, which is never modified). The values — and the source
    and range notes kept on ``{value, low, high, source}`` parameters — are those :func:`apply_overrides` gives;
    locations are not updated, so a document that fails validation is rebuilt with :func:`apply_overrides` for
    located messages.
    """
    texts = [text for _, text in overrides]
    root = dict(document.data)
    copied = {id(root)}
    for path, text in overrides:
        skeleton = _skeleton(document.data, path)
        if skeleton is None:  # the path crosses a list by name or a missing list item: take the exact way
            return LocatedDocument(apply_overrides(document, texts).data, document.locations)
        updated: Any = apply_override(LocatedDocument(skeleton, {}), text).data
        target: Any = root
        for segment in path[:-1]:
            updated = updated[segment]
            child = target[int(segment)] if isinstance(target, list) else target.get(segment)
            if child is None:
                child = {}
            elif id(child) not in copied:
                child = list(child) if isinstance(child, list) else dict(child)
            copied.add(id(child))
            target[segment] = child
            target = child
        target[path[-1]] = updated[path[-1]]
    return LocatedDocument(root, document.locations)


def _skeleton(data: Any, path: KeyPath) -> Any:
    """Containers of ``data`` along ``path`` holding only the path's children, the current node at its end.

    Returns None when the path is not a plain walk through existing mappings and list indexes (a list item chosen
    by name, an index out of range, a path through a number): the caller then takes the exact, slow way.
    """
    if not path:
        return data
    segment, rest = path[0], path[1:]
    if isinstance(data, list) and isinstance(segment, int) and 0 <= segment < len(data):
        child = _skeleton(data[segment], rest)
        if child is None:
            return None
        items: list[Any] = [None] * len(data)
        items[segment] = child
        return items
    if isinstance(data, Mapping) and isinstance(segment, str):
        if segment not in data:
            return {}  # apply_override creates the missing mappings, here as in the document
        child = _skeleton(data[segment], rest)
        return None if child is None else {segment: child}
    return None
