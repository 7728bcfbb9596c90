"""Merging scenario documents (``extends``) and applying command-line overrides (``--set``), keeping positions.

Every value of a merged document remembers which file, line and column it came from, so a validation error
on an inherited value points at the parent file and one on an override points at the ``--set`` that made it.

Merge rules: mappings merge key by key, recursively; in a list whose items are all mappings with a ``name``
(or ``id``, or for products ``item``), the child's items merge on that key — an item with the same name
deep-merges into the parent's, a new name or an item without one (or whose name is a list or a mapping, which
validation then reports) is appended, ``{name: x, remove: true}``
deletes the parent's item, and an empty list clears the list; any other value (and any other list) in the
child replaces the parent's. Two exceptions replace instead of merging: a policy (a mapping of just ``name``
and ``params``) whose ``name`` the child changes — the parent's ``params`` belong to another policy — and a
parameter the child restates as ``{value, …}`` — its number comes with its own range and source.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.scenario.errors import Problem, ScenarioError, closest_match, format_key_path
from sim.scenario.yaml_source import YamlDocument, parse_value

KeyPath = tuple[str | int, ...]
MERGE_KEYS = ("name", "id", "item")


@dataclass(frozen=True)
class Location:
    """Where a value was written: a file position, or a command-line override (line None)."""

    file: str
    line: int | None = None
    column: int | None = None


Locations = dict[KeyPath, Location]


@dataclass(frozen=True)
class LocatedDocument:
    """Plain YAML data with the location of every key path in it."""

    data: Any
    locations: Locations

    @classmethod
    def from_yaml(cls, document: YamlDocument) -> LocatedDocument:
        """Wrap a parsed YAML document."""
        locations = {
            path: Location(document.file, position.line, position.column)
            for path, position in document.positions.items()
        }
        return cls(document.data, locations)

    def location_of(self, path: KeyPath) -> Location | None:
        """Location of the longest known prefix of ``path``."""
        for end in range(len(path), -1, -1):
            found = self.locations.get(tuple(path[:end]))
            if found is not None:
                return found
        return None

    def problem(
        self, path: KeyPath, message: str, expected: str | None = None, suggestion: str | None = None
    ) -> Problem:
        """A :class:`Problem` located where ``path`` (or its nearest parent) was written."""
        where = self.location_of(path) or Location("<scenario>")
        return Problem(
            file=where.file,
            line=where.line,
            column=where.column,
            key_path=format_key_path(path),
            message=message,
            expected=expected,
            suggestion=suggestion,
        )


def _subtree(locations: Locations, key: str | int) -> Locations:
    return {path[1:]: where for path, where in locations.items() if path and path[0] == key}


def _prefixed(locations: Locations, key: str | int) -> Locations:
    return {(key, *path): where for path, where in locations.items()}


def _is_merge_name(value: Any) -> bool:
    """True for a value a list item can be matched by: text or a number (not a list or a mapping)."""
    return isinstance(value, str | int | float)


def _merge_key(items: list[Any]) -> str | None:
    for key in MERGE_KEYS:
        if items and all(isinstance(item, Mapping) and _is_merge_name(item.get(key)) for item in items):
            return key
    return None


_POLICY_KEYS = frozenset({"name", "params"})


def _is_policy_switch(base: Mapping[str, Any], override: Mapping[str, Any]) -> bool:
    """True when both are policies (only ``name``/``params``) and the override names a different policy."""
    return (
        "name" in base
        and "name" in override
        and base["name"] != override["name"]
        and set(base) <= _POLICY_KEYS
        and set(override) <= _POLICY_KEYS
    )


def _is_parameter_restated(base: Mapping[str, Any], override: Mapping[str, Any]) -> bool:
    """True when both are parameters written ``{value, …}``: the child's number comes with its own evidence,
    so it replaces the parent's whole instead of inheriting a range or a source that may not support it."""
    return "value" in base and "value" in override


def merge(base: LocatedDocument, override: LocatedDocument) -> LocatedDocument:
    """Deep-merge ``override`` onto ``base`` by the module's rules; neither input is modified."""
    if (
        isinstance(base.data, Mapping)
        and isinstance(override.data, Mapping)
        and not _is_policy_switch(base.data, override.data)
        and not _is_parameter_restated(base.data, override.data)
    ):
        data: dict[str, Any] = {}
        locations: Locations = {(): override.locations.get((), base.locations.get((), Location("<scenario>")))}
        for key in list(base.data) + [k for k in override.data if k not in base.data]:
            if key in override.data and key in base.data:
                child = merge(
                    LocatedDocument(base.data[key], _subtree(base.locations, key)),
                    LocatedDocument(override.data[key], _subtree(override.locations, key)),
                )
            elif key in override.data:
                child = LocatedDocument(override.data[key], _subtree(override.locations, key))
            else:
                child = LocatedDocument(base.data[key], _subtree(base.locations, key))
            data[key] = child.data
            locations.update(_prefixed(child.locations, key))
        return LocatedDocument(data, locations)
    if isinstance(base.data, list) and isinstance(override.data, list):
        key_name = _merge_key(base.data) if base.data else None
        if key_name is not None and override.data and all(isinstance(item, Mapping) for item in override.data):
            return _merge_named_lists(base, override, key_name)
    return LocatedDocument(copy.deepcopy(override.data), dict(override.locations))


def _merge_named_lists(base: LocatedDocument, override: LocatedDocument, key_name: str) -> LocatedDocument:
    merged: list[LocatedDocument] = [
        LocatedDocument(item, _subtree(base.locations, i)) for i, item in enumerate(base.data)
    ]
    index_of = {item[key_name]: i for i, item in enumerate(base.data)}
    removed: set[int] = set()
    for j, item in enumerate(override.data):
        located = LocatedDocument(item, _subtree(override.locations, j))
        if not _is_merge_name(item.get(key_name)):  # an unnamed item is added, never matched; validation
            merged.append(located)  # then says what is wrong with a name that is a list or a mapping
            continue
        i = index_of.get(item[key_name])
        if item.get("remove") is True and set(item) <= {key_name, "remove"}:
            if i is not None:
                removed.add(i)
            continue
        if i is None:
            index_of[item[key_name]] = len(merged)
            merged.append(located)
        else:
            merged[i] = merge(merged[i], located)
    data: list[Any] = []
    locations: Locations = {(): override.locations.get((), Location("<scenario>"))}
    for i, located in enumerate(merged):
        if i in removed:
            continue
        locations.update(_prefixed(located.locations, len(data)))
        data.append(located.data)
    return LocatedDocument(data, locations)


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_override(text: str) -> tuple[KeyPath, Any]:
    """Split ``a.b[2].c=value`` into its key path and its value (parsed by YAML 1.2 rules).

    Raises:
        ScenarioError: when the text has no ``=`` or an empty key path.
    """
    origin = f"--set {text}"
    key, sep, raw_value = text.partition("=")
    key = key.strip()
    if not sep or not key:
        raise ScenarioError(
            [
                Problem(
                    origin,
                    None,
                    None,
                    "",
                    "an override must look like key.path=value",
                    expected="e.g. horizon_days=90",
                )
            ]
        )
    path: list[str | int] = []
    position = 0
    for match in _SEGMENT.finditer(key):
        if match.start() != position and key[position : match.start()] != ".":
            break
        path.append(match.group(1) if match.group(1) is not None else int(match.group(2)))
        position = match.end()
    if position != len(key) or not path:
        raise ScenarioError(
            [
                Problem(
                    origin,
                    None,
                    None,
                    key,
                    "cannot read this key path",
                    expected="dotted keys like actors.eu.edip_grants_meur",
                )
            ]
        )
    try:
        value = parse_value(raw_value.strip())
    except ScenarioError as error:
        raise ScenarioError(
            [
                Problem(
                    origin,
                    None,
                    None,
                    key,
                    f"cannot read the value '{raw_value}': {error.problems[0].message}",
                )
            ]
        ) from None
    return tuple(path), value


def _override_error(origin: Location, key_path: str, message: str, **details: Any) -> ScenarioError:
    """A ``--set`` that cannot be applied, located at the override (``details``: ``expected``, ``suggestion``)."""
    return ScenarioError([Problem(origin.file, None, None, key_path, message, **details)])


def apply_override(document: LocatedDocument, text: str) -> LocatedDocument:
    """Apply one ``--set key.path=value`` to a document, returning a new document.

    A path segment may select an item of a list of named things by its name (``industry.suppliers.mbda``).
    Setting a plain number on a parameter written as ``{value, low, high, source}`` replaces only its value
    and keeps its source; a value outside the sourced range drops the range and says so in the note.
    """
    origin = Location(f"--set {text}")
    path, value = parse_override(text)
    data = copy.deepcopy(document.data)
    if not isinstance(data, dict):
        raise _override_error(origin, "", "the scenario is not a mapping")
    node: Any = data
    resolved: list[str | int] = []
    for depth, segment in enumerate(path):
        last = depth == len(path) - 1
        if isinstance(node, list):
            try:
                index = list_index(node, segment)
            except AmbiguousItem as ambiguous:
                raise _override_error(
                    origin,
                    format_key_path((*resolved, segment)),
                    str(ambiguous),
                    expected=f"an index, e.g. {format_key_path((*resolved, ambiguous.indexes[0]))}, "
                    "or a name only one item has",
                ) from None
            if index is None:
                names = list_item_names(node)
                raise _override_error(
                    origin,
                    format_key_path((*resolved, segment)),
                    f"no item '{segment}' in this list",
                    expected=f"an index 0–{len(node) - 1}" + (f" or a name: {', '.join(names)}" if names else ""),
                    suggestion=closest_match(str(segment), names),
                )
            resolved.append(index)
            if last:
                node[index] = _merge_param_value(node[index], value, text)
            else:
                node = node[index]
            continue
        if not isinstance(node, dict):
            raise _override_error(
                origin,
                format_key_path(resolved),
                f"cannot set '{segment}' inside a {type(node).__name__}",
                expected="a path through mappings and lists",
            )
        key = str(segment)
        resolved.append(key)
        if last:
            node[key] = _merge_param_value(node.get(key), value, text)
        else:
            node = node.setdefault(key, {})
    locations = {p: where for p, where in document.locations.items() if p[: len(resolved)] != tuple(resolved)}
    # Keys the override created (a misspelt key on the way) and the value itself are located at the override.
    for end in range(1, len(resolved) + 1):
        if tuple(resolved[:end]) not in locations:
            locations[tuple(resolved[:end])] = origin
    locations[tuple(resolved)] = origin
    # Setting one field of a parameter ({value, low, high, …}): a range error on it is the override's doing.
    parent_node = _node_at_path(data, resolved[:-1])
    if resolved and resolved[-1] in ("value", "low", "high") and isinstance(parent_node, Mapping):
        locations[tuple(resolved[:-1])] = origin
    return LocatedDocument(data, locations)


def _node_at_path(data: Any, path: list[str | int]) -> Any:
    node = data
    for segment in path:
        node = node[segment]
    return node


class AmbiguousItem(ValueError):
    """A list item selector that matches several items (by ``name``, ``id`` or ``item``)."""

    def __init__(self, segment: str, items: list[Any], indexes: list[int]) -> None:
        candidates = "; ".join(_describe_item(index, items[index]) for index in indexes)
        super().__init__(f"'{segment}' matches {len(indexes)} items of this list: {candidates}")
        self.indexes = indexes


def _describe_item(index: int, item: Mapping[str, Any]) -> str:
    keys = ", ".join(f"{key}: {item[key]}" for key in MERGE_KEYS if key in item)
    return f"[{index}] ({keys})" if keys else f"[{index}]"


def list_index(items: list[Any], segment: str | int) -> int | None:
    """Index of a list item chosen by position or by its ``name``/``id``/``item``; None if there is none.

    Raises:
        AmbiguousItem: If several items answer to the selector (two events of one ``item``, or one item's
            ``name`` is another's ``item``): taking the first would silently change the wrong one.
    """
    if isinstance(segment, int) or (isinstance(segment, str) and segment.isdigit()):
        index = int(segment)
        return index if 0 <= index < len(items) else None
    matches = [
        index
        for index, item in enumerate(items)
        if isinstance(item, Mapping) and any(item.get(key) == segment for key in MERGE_KEYS)
    ]
    if len(matches) > 1:
        raise AmbiguousItem(str(segment), items, matches)
    return matches[0] if matches else None


def list_item_names(items: list[Any]) -> list[str]:
    """The names (``name``/``id``/``item``) list items can be selected by, each once, in list order."""
    names = [str(item[key]) for item in items if isinstance(item, Mapping) for key in MERGE_KEYS if key in item]
    return list(dict.fromkeys(names))


def _merge_param_value(current: Any, value: Any, text: str) -> Any:
    is_number = isinstance(value, int | float) and not isinstance(value, bool)
    if not (is_number and isinstance(current, Mapping) and "value" in current):
        return value
    updated = dict(current)
    updated["value"] = value
    low, high = current.get("low"), current.get("high")
    outside = (isinstance(low, int | float) and value < low) or (isinstance(high, int | float) and value > high)
    if outside:
        updated.pop("low", None)
        updated.pop("high", None)
        updated["note"] = f"set by --set {text}, outside the sourced range {low}–{high}"
    else:
        updated["note"] = f"set by --set {text}"
    return updated
