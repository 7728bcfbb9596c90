"""Loading a scenario: YAML → ``extends`` chain → ``--set`` overrides → typed, validated :class:`Scenario`.

Every problem found on the way — YAML syntax, duplicate keys, a missing parent file, an ``extends`` cycle,
a wrong type, an unknown key, a probability above one, an unknown name — is collected into one
:class:`ScenarioError` whose problems each name ``file:line:column``, the key path, what was expected and
the closest valid name. Nothing here raises anything else for bad input.

Files are read only if they are regular files of modest size, and ``extends`` and ``article_file`` may only
name files inside the naming file's folder or the shipped ``scenarios/`` folder (:mod:`sim.scenario.files`).
"""

from __future__ import annotations

import hashlib
import json
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.scenario.errors import Problem, ScenarioError, closest_match
from sim.scenario.files import AllowedRoot, resolve_named_path
from sim.scenario.merge import KeyPath, LocatedDocument, apply_override, merge
from sim.scenario.model import Scenario
from sim.scenario.parameters import NUMBER_ERROR, Param, quoted_number
from sim.scenario.references import Finding, check_references
from sim.scenario.yaml_source import YamlDocument, read_yaml_bytes, read_yaml_file

ExtraCheck = Callable[[Scenario], Iterable[Finding]]
"""A check added by a higher layer (e.g. objective metric names), run after the scenario's own."""

_SCENARIO_KEYS = frozenset(field.alias or name for name, field in Scenario.model_fields.items())


def read_scenario_document(
    path: str | Path, overrides: Sequence[str] = (), allowed_roots: Sequence[AllowedRoot] | None = None
) -> LocatedDocument:
    """The merged, overridden raw document of a scenario file (before type validation).

    Args:
        path: The scenario file (any regular file of modest size the user names).
        overrides: ``key.path=value`` strings, applied in order after ``extends`` is resolved.
        allowed_roots: The folders that ``extends`` and ``article_file`` may name files in; default: the folder
            of the file that names them and the shipped ``scenarios/`` folder (see
            :func:`~sim.scenario.files.resolve_named_path`).

    Raises:
        ScenarioError: on an unreadable file or YAML, a missing, cyclic or out-of-bounds ``extends``, an
            ``article_file`` outside the allowed folders or a malformed override.
    """
    document = _read_with_parents(Path(path), (), allowed_roots)
    for text in overrides:
        document = apply_override(document, text)
    problems = _article_file_problems(document, Path(path), allowed_roots)
    if problems:
        raise ScenarioError(problems)
    return document


def read_scenario_bytes(
    raw: bytes,
    label: str,
    folder: Path,
    allowed_roots: Sequence[AllowedRoot],
    overrides: Sequence[str] = (),
) -> LocatedDocument:
    """The merged, overridden raw document of a scenario held in memory (an upload), never written to disk.

    Args:
        raw: The file's bytes (at most :data:`~sim.scenario.files.MAX_FILE_BYTES`).
        label: What problems call it, e.g. ``"mine.yaml (uploaded)"``.
        folder: The folder its relative ``extends`` and ``article_file`` start from (e.g. the shipped scenarios).
        allowed_roots: The only folders those may reach (an upload has no folder of its own to allow).
        overrides: ``key.path=value`` strings, applied in order after ``extends`` is resolved.

    Raises:
        ScenarioError: as :func:`read_scenario_document`, and for bytes over the size limit or not UTF-8.
    """
    place = folder / "<uploaded>"  # where relative names start; never opened
    parsed = read_yaml_bytes(raw, label)
    document = _read_with_parents(place, (), allowed_roots, parsed)
    for text in overrides:
        document = apply_override(document, text)
    problems = _article_file_problems(document, place, allowed_roots, top_label=label)
    if problems:
        raise ScenarioError(problems)
    return document


def _read_with_parents(
    path: Path,
    chain: tuple[Path, ...],
    allowed_roots: Sequence[AllowedRoot] | None,
    parsed: YamlDocument | None = None,
) -> LocatedDocument:
    document = LocatedDocument.from_yaml(parsed if parsed is not None else read_yaml_file(path))
    if document.data is None:
        file = parsed.file if parsed is not None else str(path)
        raise ScenarioError([Problem(file, 1, 1, "", "the file is empty", expected="a scenario mapping")])
    if not isinstance(document.data, dict):
        raise ScenarioError(
            [
                document.problem(
                    (),
                    f"the file holds a {type(document.data).__name__}",
                    expected="a mapping of scenario keys",
                )
            ]
        )
    if not _SCENARIO_KEYS.intersection(document.data):
        # Say so without listing its keys: the file may be anything (a password file, a config).
        raise ScenarioError(
            [
                document.problem(
                    (),
                    "this is not a scenario file: none of its top-level keys is a scenario key",
                    expected="a mapping with name, description, start_date, catalog, actors … (or extends)",
                )
            ]
        )
    parent_ref = document.data.get("extends")
    if parent_ref is None:
        return document
    if not isinstance(parent_ref, str):
        raise ScenarioError(
            [document.problem(("extends",), "extends must be a file path", expected="e.g. baseline.yaml")]
        )
    parent = resolve_named_path(parent_ref, path, document, ("extends",), allowed_roots=allowed_roots)
    if isinstance(parent, Problem):
        raise ScenarioError([parent])
    here = path.resolve()
    if parent in (*chain, here):
        cycle = " → ".join(p.name for p in (*chain, here, parent))
        raise ScenarioError(
            [document.problem(("extends",), f"extends makes a cycle: {cycle}", expected="a chain that ends")]
        )
    try:
        exists = parent.exists()  # a directory, FIFO or device is refused, by name, when it is read
    except OSError as error:  # e.g. a name longer than the file system allows
        raise ScenarioError(
            [
                document.problem(
                    ("extends",),
                    f"the scenario it extends cannot be looked up: {error.strerror or error}",
                    expected="a path relative to this file, of a length the file system allows",
                )
            ]
        ) from None
    if not exists:
        siblings = [p.name for p in path.parent.glob("*.y*ml")]
        raise ScenarioError(
            [
                document.problem(
                    ("extends",),
                    f"the scenario it extends, '{parent_ref}', does not exist (looked for {parent})",
                    expected="a path relative to this file",
                    suggestion=closest_match(Path(parent_ref).name, siblings),
                )
            ]
        )
    return merge(_read_with_parents(parent, (*chain, here), allowed_roots), document)


def _article_file_problems(
    document: LocatedDocument,
    top_file: Path,
    allowed_roots: Sequence[AllowedRoot] | None,
    top_label: str | None = None,
) -> list[Problem]:
    """Check every source's ``article_file`` against the folders of the file that wrote it.

    A value set by ``--set`` (no line in a file) is held to the folders of the scenario given, and so is one
    written in a scenario held in memory (its problems name ``top_label``, its names start from ``top_file``).
    """
    sources = document.data.get("sources")
    if not isinstance(sources, list):
        return []
    problems = []
    for index, source in enumerate(sources):
        named = source.get("article_file") if isinstance(source, dict) else None
        if not isinstance(named, str):
            continue  # a wrong type is reported by validation
        key_path = ("sources", index, "article_file")
        where = document.location_of(key_path)
        written_in_file = where is not None and where.line is not None and where.file != top_label
        naming_file = Path(where.file) if where is not None and written_in_file else top_file
        checked = resolve_named_path(named, naming_file, document, key_path, allowed_roots=allowed_roots)
        if isinstance(checked, Problem):
            problems.append(checked)
    return problems


def load_scenario(
    path: str | Path,
    overrides: Sequence[str] = (),
    extra_checks: Sequence[ExtraCheck] = (),
    allowed_roots: Sequence[AllowedRoot] | None = None,
) -> Scenario:
    """Load, merge, override and validate a scenario file.

    Args:
        path: The scenario YAML file.
        overrides: ``key.path=value`` strings, applied in order after ``extends`` is resolved.
        extra_checks: Further checks from higher layers, reported like the built-in ones.
        allowed_roots: The folders ``extends`` and ``article_file`` may reach (see :func:`read_scenario_document`).

    Returns:
        The typed, immutable scenario.

    Raises:
        ScenarioError: listing every problem found, each with its location.
    """
    document = read_scenario_document(path, overrides, allowed_roots)
    return validate_document(document, extra_checks)


def validate_document(document: LocatedDocument, extra_checks: Sequence[ExtraCheck] = ()) -> Scenario:
    """Validate a located raw document into a :class:`Scenario` (see :func:`load_scenario`)."""
    try:
        scenario = Scenario.model_validate(document.data)
    except ValidationError as error:
        raise ScenarioError(_problems_from_validation(document, error)) from None
    findings = list(check_references(scenario))
    for check in extra_checks:
        findings.extend(check(scenario))
    if findings:
        raise ScenarioError(
            [document.problem(f.key_path, f.message, expected=f.expected, suggestion=f.suggestion) for f in findings]
        )
    return scenario


def scenario_hash(scenario: Scenario) -> str:
    """A stable SHA-256 of the resolved scenario's content (what makes two runs comparable).

    The ``extends`` path is left out: it says where the content came from, not what it is, so a scenario and
    its resolved copy (written beside every run and game) hash alike.
    """
    content = scenario.model_dump(mode="json", exclude={"extends"})
    canonical = json.dumps(content, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- pydantic errors → problems -------------------------------------------------------------------------


def problems_from_validation(document: LocatedDocument, error: ValidationError, root: Any = Scenario) -> list[Problem]:
    """Turn a pydantic validation error into located problems, the way scenario errors are reported.

    Other YAML formats validated with pydantic (e.g. the tabletop decision files and game logs) use this so
    that their errors, too, name ``file:line:column``, the key path, what was expected and the closest name.

    Args:
        document: The located raw document that was validated.
        error: The error pydantic raised for ``document.data``.
        root: The annotation the document was validated against: a model class or a type such as a
            discriminated union (default: :class:`Scenario`).

    Returns:
        The problems, one per distinct (key path, message), in pydantic's order.
    """
    return _problems_from_validation(document, error, root)


def _problems_from_validation(document: LocatedDocument, error: ValidationError, root: Any = Scenario) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple[str, str]] = set()
    for detail in error.errors(include_url=False):
        path, annotation = _data_path(document.data, detail["loc"], root)
        problem = _problem_for(document, path, annotation, detail, root)
        identity = (problem.key_path, problem.message)
        if identity not in seen:
            seen.add(identity)
            problems.append(problem)
    return problems


def _data_path(data: Any, loc: tuple[int | str, ...], root: Any = Scenario) -> tuple[KeyPath, Any]:
    """Map a pydantic error location onto the document's key path, dropping union tags.

    Also returns the annotation (model class, dict/list type …) that owns the last segment, so the message
    can list valid keys.
    """
    path: list[str | int] = []
    node: Any = data
    annotation: Any = root
    for segment in loc:
        annotation = _unwrap(annotation, node)
        child, found = _child(node, segment)
        if found:
            path.append(segment)
            annotation = _child_annotation(annotation, segment)
            node = child
        elif isinstance(node, dict) and segment in (node.get("name"), node.get("kind")):
            continue  # a discriminated union's tag: not a key of the document
        elif (isinstance(segment, str) and segment.startswith(("function-", "constrained-"))) or segment == "[key]":
            continue  # a validator's step, or a mapping key that is itself invalid (the path already names it)
        else:
            path.append(segment)
            annotation = _child_annotation(annotation, segment)
            node = None
    return tuple(path), _unwrap(annotation, node)


def _unwrap(annotation: Any, node: Any) -> Any:
    """Strip Annotated/Optional and pick a discriminated union's member by the node's tag."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            members = [a for a in typing.get_args(annotation) if a is not type(None)]
            chosen = members[0] if len(members) == 1 else None
            if chosen is None and isinstance(node, dict):
                # Events are tagged by `kind` (their `name` is free text), policies by `name`.
                for tag_field in ("kind", "name"):
                    tag = node.get(tag_field)
                    if not isinstance(tag, str):
                        continue
                    for member in members:
                        member = _unwrap(member, None)
                        if isinstance(member, type) and issubclass(member, BaseModel):
                            field = member.model_fields.get(tag_field)
                            if field is not None and field.default == tag:
                                chosen = member
                                break
                    if chosen is not None:
                        break
            if chosen is None:
                return annotation
            annotation = chosen
        else:
            return annotation


def _child_annotation(annotation: Any, segment: str | int) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        field = annotation.model_fields.get(str(segment))
        if field is None:  # a key written under its alias (e.g. `from`)
            field = next((f for f in annotation.model_fields.values() if f.alias == segment), None)
        return field.annotation if field is not None else None
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is dict and len(args) == 2:
        return args[1]
    if origin in (list, tuple) and args:
        return args[0]
    return None


def _valid_keys(annotation: Any) -> list[str]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [field.alias or name for name, field in annotation.model_fields.items()]
    return []


def _problem_for(document: LocatedDocument, path: KeyPath, owner: Any, detail: Any, root: Any = Scenario) -> Problem:
    kind = detail["type"]
    message = str(detail["msg"]).removeprefix("Value error, ")
    given = detail.get("input")
    context = detail.get("ctx") or {}
    if kind == NUMBER_ERROR:  # a number outside its physical bounds: the bound says what was expected
        return document.problem(path, message, expected=context.get("expected") or None)
    if kind == "extra_forbidden":
        key = str(path[-1])
        parent_owner, _ = _owner_of(document.data, path[:-1], root)
        keys = _valid_keys(parent_owner)
        return document.problem(
            path,
            f"unknown key '{key}'",
            expected=f"one of: {', '.join(keys)}" if keys else None,
            suggestion=closest_match(key, keys),
        )
    if kind == "missing":
        if isinstance(path[-1], int):  # a fixed-length list (e.g. position_km: [x, y]) is too short
            return document.problem(path[:-1], f"the list is too short: item [{path[-1]}] is missing")
        return document.problem(path, f"required key '{path[-1]}' is missing")
    if kind == "union_tag_invalid":
        tags = [tag.strip(" '") for tag in str(context.get("expected_tags", "")).split(",") if tag.strip()]
        tag = str(context.get("tag", given))
        tag_key = str(context.get("discriminator", "name")).strip("'")
        return document.problem(
            (*path, tag_key),
            f"unknown choice '{tag}'",
            expected=f"one of: {', '.join(tags)}",
            suggestion=closest_match(tag, tags),
        )
    if kind == "union_tag_not_found":
        tag_key = str(context.get("discriminator", "name")).strip("'")
        tags = _union_tags(owner, tag_key)
        return document.problem(
            path,
            f"'{tag_key}' is missing: it says which kind of entry this is",
            expected=f"{tag_key}: one of {', '.join(tags)}" if tags else f"a '{tag_key}' entry",
        )
    if kind in ("literal_error", "enum"):
        options = [option.strip(" '") for option in str(context.get("expected", "")).replace(" or ", ",").split(",")]
        options = [option for option in options if option]
        return document.problem(
            path,
            f"'{given}' is not a valid choice",
            expected=f"one of: {', '.join(options)}",
            suggestion=closest_match(str(given), options),
        )
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        if owner is Param:  # a parameter is a number or a {value, low, high, …} mapping
            return document.problem(
                path,
                f"expected a number, got {_describe(given)}",
                expected=f"{given.strip()} without the quotes"
                if quoted_number(given)
                else "a number, or a mapping such as {value: 3, low: 2, high: 4, source: …}",
            )
        return document.problem(path, f"expected a mapping, got {_describe(given)}", expected="key: value entries")
    if kind in ("bool_type", "bool_parsing"):
        return document.problem(
            path,
            f"{_describe(given)} is not a boolean",
            expected="true or false (YAML 1.2: yes/no/on/off/NO are text, not booleans)",
        )
    if kind in ("list_type", "tuple_type"):
        return document.problem(path, f"expected a list, got {_describe(given)}", expected="a YAML list")
    if kind != "value_error" and not isinstance(given, dict | list):
        message = f"{message} (got {_describe(given)})"
    if kind in ("int_type", "float_type") and quoted_number(given):
        return document.problem(path, message, expected=f"{given.strip()} without the quotes")
    return document.problem(path, message)


def _union_tags(annotation: Any, tag_key: str) -> list[str]:
    """The tag values (policy names, event kinds) of a discriminated union's members."""
    tags = []
    for member in typing.get_args(annotation):
        member = _unwrap(member, None)
        if isinstance(member, type) and issubclass(member, BaseModel) and tag_key in member.model_fields:
            tags.append(str(member.model_fields[tag_key].default))
    return tags


def _child(node: Any, segment: str | int) -> tuple[Any, bool]:
    """The raw child of ``node`` at one key or index, and whether it exists."""
    if isinstance(node, dict) and segment in node:
        return node[segment], True
    if isinstance(node, list) and isinstance(segment, int) and 0 <= segment < len(node):
        return node[segment], True
    return None, False


def _node_at(data: Any, path: KeyPath) -> tuple[Any, bool]:
    """The raw node at ``path`` and whether it exists."""
    node = data
    for segment in path:
        node, found = _child(node, segment)
        if not found:
            return None, False
    return node, True


def _owner_of(data: Any, path: KeyPath, root: Any = Scenario) -> tuple[Any, Any]:
    """The annotation describing the node at ``path`` (used to list valid keys)."""
    annotation: Any = root
    node: Any = data
    for segment in path:
        annotation = _child_annotation(_unwrap(annotation, node), segment)
        node, _ = _node_at(node, (segment,))
    return _unwrap(annotation, node), node


def _describe(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, str):
        return f"the text '{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)
