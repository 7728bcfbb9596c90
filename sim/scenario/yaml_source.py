"""Read scenario YAML safely, by YAML 1.2 rules, remembering where every key was written.

PyYAML parses YAML 1.1, where ``NO`` (Norway), ``yes``, ``on`` and ``off`` are booleans, ``1_000`` is an
integer and ``2025-10-01`` is a date. Scenario files are read by YAML 1.2 **core schema** rules instead.
We let PyYAML scan, parse and compose the text into a node tree (with a :class:`yaml.SafeLoader` subclass;
nothing is ever constructed by PyYAML, so no tag can run code) and build the Python values ourselves, walking
the nodes:

* plain scalars resolve by the core schema (:func:`parse_scalar`): null is ``~``/``null``/``Null``/``NULL``/
  empty; booleans are only ``true``/``True``/``TRUE``/``false``/``False``/``FALSE``; integers are decimal,
  ``0o`` octal or ``0x`` hexadecimal; floats include ``1e3``, ``.5``, ``.inf`` and ``.nan``; everything else
  -- ``NO``, ``yes``, ``1_000``, ``2025-10-01`` -- stays a string (dates are parsed later, by the schema);
* quoted and block scalars are always strings;
* the explicit tags ``!!str !!int !!float !!bool !!null !!map !!seq`` are honoured; any other tag (e.g.
  ``!!python/object/apply:os.system``, ``!include``) is reported as a problem;
* mapping keys are kept as the *text* of the scalar as written: ``NO:`` is ``"NO"``, ``1:`` is ``"1"``,
  ``true:`` is ``"true"``, ``~:`` is ``"~"``; a mapping or sequence used as a key is a problem;
* a key written twice in one mapping is a problem located at the second occurrence;
* anchors and aliases work (each alias gives an independent copy of the anchored value; an anchor may be
  defined again, as YAML 1.2 allows, and later aliases then refer to the newest definition); the YAML 1.1
  merge key ``<<`` is an ordinary key named ``"<<"`` (the schema then rejects it as unknown); an alias to a
  node that contains it, and alias expansion beyond :data:`MAX_VALUES` values, are problems;
* a file holds exactly one document.

Problems are collected (several duplicate keys are all reported) and raised together as one
:class:`~sim.scenario.errors.ScenarioError`. The result, a :class:`YamlDocument`, keeps the position of every
key and list item so that later validation errors can point at ``file:line:column``.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.events import AliasEvent, StreamEndEvent

from sim.scenario.errors import Problem, ScenarioError, closest_match, format_key_path
from sim.scenario.files import MAX_FILE_BYTES, display_path, read_file_bytes

__all__ = [
    "MAX_DEPTH",
    "MAX_VALUES",
    "Position",
    "YamlDocument",
    "parse_scalar",
    "parse_value",
    "read_yaml_file",
    "read_yaml_text",
]

MAX_DEPTH = 100
"""Deepest nesting of mappings and sequences accepted (scenarios need about ten levels)."""

MAX_VALUES = 250_000
"""Most values a document may expand to, counting every copy made by aliases (guards against alias bombs)."""

_YAML_TAG_PREFIX = "tag:yaml.org,2002:"
_STR_TAG = _YAML_TAG_PREFIX + "str"
_INT_TAG = _YAML_TAG_PREFIX + "int"
_FLOAT_TAG = _YAML_TAG_PREFIX + "float"
_BOOL_TAG = _YAML_TAG_PREFIX + "bool"
_NULL_TAG = _YAML_TAG_PREFIX + "null"
_MAP_TAG = _YAML_TAG_PREFIX + "map"
_SEQ_TAG = _YAML_TAG_PREFIX + "seq"
_SCALAR_TAGS = (_STR_TAG, _INT_TAG, _FLOAT_TAG, _BOOL_TAG, _NULL_TAG)
_ALLOWED_TAG_NAMES = ("!!str", "!!int", "!!float", "!!bool", "!!null", "!!map", "!!seq")
_ALLOWED_TAGS_TEXT = "no tag, or one of " + ", ".join(_ALLOWED_TAG_NAMES)

# YAML 1.2.2 core schema, section 10.3.2. Explicit [0-9] rather than \d, which would accept non-ASCII digits.
_NULL_WORDS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE_WORDS = frozenset({"true", "True", "TRUE"})
_FALSE_WORDS = frozenset({"false", "False", "FALSE"})
_DECIMAL_INT = re.compile(r"[-+]?[0-9]+")
_OCTAL_INT = re.compile(r"0o[0-7]+")
_HEX_INT = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_INFINITY = re.compile(r"([-+]?)\.(?:inf|Inf|INF)")
_NOT_A_NUMBER = re.compile(r"\.(?:nan|NaN|NAN)")

# Hints for PyYAML's most common syntax complaints, keyed by the start of its problem text.
_SYNTAX_HINTS = {
    "found character '\\t' that cannot start any token": "spaces for indentation, not tabs",
    "found a tab character": "spaces for indentation, not tabs",
    "mapping values are not allowed here": ("one 'key: value' per line; quote a value that itself contains ': '"),
    "could not find expected ':'": "'key: value' (a colon and a space after every key)",
    "expected <block end>": "consistent indentation: entries of one mapping or list start in the same column",
    "found undefined alias": "an alias (*name) that refers to an anchor (&name) defined earlier",
    "found unknown escape character": 'a valid escape such as \\n or \\" (or use single quotes)',
}


@dataclass(frozen=True)
class Position:
    """A place in a YAML file.

    Attributes:
        line: 1-based line number.
        column: 1-based column number, counted in characters.
    """

    line: int
    column: int


@dataclass(frozen=True)
class YamlDocument:
    """A YAML file read into plain Python values, with the position of every key and list item.

    Attributes:
        file: The file as the caller named it, used in messages.
        data: The document: nested dicts (with str keys), lists, str, int, float, bool and None; None for an
            empty file.
        positions: Key path → position. For a mapping entry, the position of its *key* (so an error about a
            value points at the line that names it); for a sequence item, the start of the item; for ``()``,
            the start of the document's content.
    """

    file: str
    data: Any
    positions: Mapping[tuple[str | int, ...], Position] = field(repr=False)

    def position_of(self, key_path: Sequence[str | int]) -> Position | None:
        """Find where a key path was written, or failing that, where its nearest written ancestor was.

        A key that is missing from the file reports the mapping that should have contained it.

        Args:
            key_path: Mapping keys (str) and sequence indices (int), outermost first.

        Returns:
            The position of the longest prefix of ``key_path`` that is in the file, or None if not even the
            document root has a position.
        """
        path = _as_key_path(key_path)
        for length in range(len(path), -1, -1):
            position = self.positions.get(path[:length])
            if position is not None:
                return position
        return None

    def problem(
        self,
        key_path: Sequence[str | int],
        message: str,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> Problem:
        """Describe a problem with the entry at ``key_path``, located by :meth:`position_of`.

        Args:
            key_path: Mapping keys (str) and sequence indices (int), outermost first; the full path is named
                in the message even when only a prefix of it has a position.
            message: What is wrong.
            expected: What would have been valid.
            suggestion: The closest valid name, if any.

        Returns:
            The problem.
        """
        path = _as_key_path(key_path)
        position = self.position_of(path)
        return Problem(
            file=self.file,
            line=position.line if position else None,
            column=position.column if position else None,
            key_path=format_key_path(path),
            message=message,
            expected=expected,
            suggestion=suggestion,
        )


def parse_scalar(text: str) -> Any:
    """Resolve a plain (unquoted) scalar by the YAML 1.2 core schema.

    Also used for single values given on the command line (``--set x=NO`` gives ``"NO"``, ``--set x=0.5``
    gives ``0.5``). The text is taken exactly as given: no surrounding whitespace is stripped and no quotes
    or brackets are interpreted (use :func:`parse_value` for those).

    Args:
        text: The scalar's text.

    Returns:
        None, a bool, an int, a float, or -- when nothing else matches, e.g. ``"NO"``, ``"yes"``,
        ``"1_000"``, ``"2025-10-01"`` -- the text itself.
    """
    if text in _NULL_WORDS:
        return None
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    integer = _parse_core_int(text)
    if integer is not None:
        return integer
    number = _parse_core_float(text)
    if number is not None:
        return number
    return text


def parse_value(text: str, source: str = "<value>") -> Any:
    """Parse a YAML flow value, such as a ``--set`` value, by the same rules as a scenario file.

    ``"NO"`` gives ``"NO"``, ``"[1, 2]"`` gives ``[1, 2]``, ``"{value: 3, low: 1}"`` gives
    ``{"value": 3, "low": 1}``, ``"'0.5'"`` gives ``"0.5"`` and ``""`` gives None.

    Args:
        text: The value's text.
        source: What to call the text in problems, e.g. ``"--set actors.EU.budget_meur"``.

    Returns:
        The value.

    Raises:
        ScenarioError: If the text is not valid YAML or breaks the rules of :func:`read_yaml_text`.
    """
    if _PLAIN_NUMBER.fullmatch(text):  # a sweep writes thousands of these: no need for the YAML parser
        return parse_scalar(text)
    return read_yaml_text(text, file=source).data


_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")
"""A number as ``repr`` writes it: YAML reads it as the plain scalar :func:`parse_scalar` resolves."""


def read_yaml_text(text: str, file: str = "<string>") -> YamlDocument:
    """Read one YAML document from text.

    Args:
        text: The YAML text. A leading byte-order mark is ignored.
        file: What to call the text in problems (usually its path).

    Returns:
        The document; its ``data`` is None if the text holds no document (empty or only comments).

    Raises:
        ScenarioError: With every problem found: syntax errors, duplicate keys, unsupported tags, non-scalar
            keys, more than one document, etc.
    """
    text = text.removeprefix("\ufeff")
    problems: list[Problem] = []
    root: yaml.Node | None = None
    try:
        loader = _ComposingLoader(text)
    except yaml.reader.ReaderError as error:  # the reader checks every character up front
        raise ScenarioError.from_problem(_reader_problem(error, text, file)) from None
    try:
        loader.get_event()  # STREAM-START
        if not loader.check_event(StreamEndEvent):
            root = loader.compose_document()
            if not loader.check_event(StreamEndEvent):
                second_start = loader.peek_event().start_mark
                problems.append(
                    Problem(
                        file=file,
                        line=second_start.line + 1,
                        column=second_start.column + 1,
                        key_path="",
                        message="a second YAML document starts here",
                        expected="one document per scenario file: remove the extra '---' or split the file",
                    )
                )
    except yaml.MarkedYAMLError as error:
        raise ScenarioError.from_problem(_syntax_problem(error, file)) from None
    except yaml.reader.ReaderError as error:
        raise ScenarioError.from_problem(_reader_problem(error, text, file)) from None
    except yaml.YAMLError as error:
        raise ScenarioError.from_problem(
            Problem(file=file, line=None, column=None, key_path="", message=f"cannot parse YAML: {error}")
        ) from None
    except RecursionError:
        mark = loader.get_mark()
        raise ScenarioError.from_problem(
            Problem(
                file=file,
                line=mark.line + 1,
                column=mark.column + 1,
                key_path="",
                message="mappings and lists are nested too deeply to read",
                expected=f"at most {MAX_DEPTH} levels of nesting",
            )
        ) from None
    finally:
        loader.dispose()

    builder = _ValueBuilder(file)
    if root is None:
        data = None
        builder.positions[()] = Position(1, 1)
    else:
        builder.positions[()] = _position(root.start_mark)
        data = builder.build_root(root)
    problems = builder.problems + problems
    if problems:
        raise ScenarioError(problems)
    return YamlDocument(file=file, data=data, positions=builder.positions)


def read_yaml_file(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read one YAML document from a UTF-8 file.

    Args:
        path: The file. It is named in problems exactly as given here.
        max_bytes: The largest file accepted (see :func:`~sim.scenario.files.read_file_bytes`).

    Returns:
        The document (see :func:`read_yaml_text`).

    Raises:
        ScenarioError: If the path holds a NUL byte, the file is missing, is not a regular file (a directory, a
            FIFO, a device), is larger than ``max_bytes``, cannot be read, is not UTF-8 text, or its content
            breaks the rules of :func:`read_yaml_text`.
    """
    file = display_path(path)
    return read_yaml_text(_decode_utf8(read_file_bytes(path, max_bytes), file), file=file)


def read_yaml_bytes(raw: bytes, file: str, max_bytes: int = MAX_FILE_BYTES) -> YamlDocument:
    """Read one YAML document from bytes held in memory (e.g. an upload), under the same size limit as files.

    Args:
        raw: The UTF-8 bytes.
        file: What to call them in problems (e.g. ``"my.yaml (uploaded)"``).
        max_bytes: The largest size accepted.

    Raises:
        ScenarioError: If the bytes are more than ``max_bytes``, not UTF-8 text, or break the rules of
            :func:`read_yaml_text`.
    """
    if len(raw) > max_bytes:
        raise ScenarioError.from_problem(
            Problem(
                file,
                None,
                None,
                "",
                f"the file is {len(raw) / (1024 * 1024):.1f} MB, larger than the "
                f"{max_bytes / (1024 * 1024):.1f} MB limit on files read here",
                expected="a scenario of ordinary size (the shipped baseline scenario is 36 KB)",
            )
        )
    return read_yaml_text(_decode_utf8(raw, file), file=file)


# --- Composition: PyYAML builds the node tree; we keep plain scalars and alias sites recognisable. ---


class _PlainScalarNode(yaml.ScalarNode):
    """An untagged plain scalar, to be resolved by the YAML 1.2 core schema (PyYAML would apply 1.1 rules)."""


class _AliasNode(yaml.Node):
    """An alias (``*name``) where it was written; ``target`` is the anchored node it refers to."""

    id = "alias"

    def __init__(self, target: yaml.Node, anchor: str | None, start_mark: Any, end_mark: Any) -> None:
        super().__init__(target.tag, target.value, start_mark, end_mark)
        self.target = target
        self.anchor = anchor


class _ComposingLoader(yaml.SafeLoader):
    """A SafeLoader used only to compose nodes, never to construct Python objects.

    Untagged plain scalars become :class:`_PlainScalarNode` (the 1.1 implicit resolvers are never consulted);
    quoted and block scalars, and scalars with the non-specific tag ``!``, are tagged ``!!str``; aliases
    become :class:`_AliasNode` so their own position is kept.
    """

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            target = super().compose_node(parent, index)
            assert target is not None  # PyYAML raises on an undefined alias
            return _AliasNode(target, event.anchor, event.start_mark, event.end_mark)
        # YAML 1.2 lets an anchor be defined again; later aliases refer to the newest definition.
        # (PyYAML refuses a repeated anchor, so forget the old definition first.)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self.anchors.pop(anchor, None)
        return super().compose_node(parent, index)

    def compose_scalar_node(self, anchor: Any) -> yaml.ScalarNode:  # anchor: str | None (the stubs say dict)
        event = self.get_event()
        node: yaml.ScalarNode
        if event.tag is None and event.implicit[0]:
            node = _PlainScalarNode(_STR_TAG, event.value, event.start_mark, event.end_mark, event.style)
        else:
            tag = _STR_TAG if event.tag is None or event.tag == "!" else event.tag
            node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if anchor is not None:
            self.anchors[anchor] = node
        return node


# --- Construction: our own walk over the nodes. ---


class _TooManyValuesError(Exception):
    """Raised inside the walk when alias expansion passes MAX_VALUES."""


class _ValueBuilder:
    """Walks a composed node tree, building values, recording positions and collecting problems."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.problems: list[Problem] = []
        self.positions: dict[tuple[str | int, ...], Position] = {}
        self._values_built = 0
        self._nodes_being_built: set[int] = set()

    def build_root(self, root: yaml.Node) -> Any:
        try:
            return self._build(root, ())
        except _TooManyValuesError:
            self._report(
                root,
                (),
                f"the document holds more than {MAX_VALUES:,} values once its aliases are expanded",
                expected="a scenario of reasonable size, without aliases of aliases of aliases",
            )
            return None

    def _report(
        self,
        node: yaml.Node,
        path: tuple[str | int, ...],
        message: str,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.problems.append(
            Problem(
                file=self.file,
                line=node.start_mark.line + 1,
                column=node.start_mark.column + 1,
                key_path=format_key_path(path),
                message=message,
                expected=expected,
                suggestion=suggestion,
            )
        )

    def _build(self, node: yaml.Node, path: tuple[str | int, ...]) -> Any:
        self._values_built += 1
        if self._values_built > MAX_VALUES:
            raise _TooManyValuesError
        if isinstance(node, _AliasNode):
            if id(node.target) in self._nodes_being_built:
                self._report(
                    node,
                    path,
                    f"alias '*{node.anchor}' refers to a node that contains it",
                    expected="an alias to a complete value defined before it",
                )
                return None
            return self._build(node.target, path)
        if len(path) > MAX_DEPTH:
            self._report(node, path, "mappings and lists are nested too deeply", expected=f"at most {MAX_DEPTH} levels")
            return None
        if isinstance(node, yaml.ScalarNode):
            return self._build_scalar(node, path)
        self._nodes_being_built.add(id(node))
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._build_sequence(node, path)
            if isinstance(node, yaml.MappingNode):
                return self._build_mapping(node, path)
            raise TypeError(f"unexpected YAML node {node!r}")  # pragma: no cover - PyYAML has three kinds
        finally:
            self._nodes_being_built.discard(id(node))

    def _build_scalar(self, node: yaml.ScalarNode, path: tuple[str | int, ...]) -> Any:
        text: str = node.value
        if isinstance(node, _PlainScalarNode):
            return parse_scalar(text)
        tag = node.tag
        if tag == _STR_TAG:
            return text
        if tag == _NULL_TAG:
            if text in _NULL_WORDS:
                return None
            self._report(node, path, f"'{text}' is not null (tag !!null)", expected="null, ~ or nothing")
            return None
        if tag == _BOOL_TAG:
            if text in _TRUE_WORDS:
                return True
            if text in _FALSE_WORDS:
                return False
            self._report(node, path, f"'{text}' is not a YAML 1.2 boolean (tag !!bool)", "true or false")
            return None
        if tag == _INT_TAG:
            integer = _parse_core_int(text)
            if integer is None:
                self._report(node, path, f"'{text}' is not an integer (tag !!int)", "an integer such as 42 or 0x2A")
            return integer
        if tag == _FLOAT_TAG:
            integer = _parse_core_int(text)
            number = float(integer) if integer is not None else _parse_core_float(text)
            if number is None:
                self._report(node, path, f"'{text}' is not a number (tag !!float)", "a number such as 0.5 or 1e3")
            return number
        if tag in (_MAP_TAG, _SEQ_TAG):
            self._report(node, path, f"tag {_display_tag(tag)} cannot be applied to a single value")
            return None
        self._report_unsupported_tag(node, path)
        return None

    def _build_sequence(self, node: yaml.SequenceNode, path: tuple[str | int, ...]) -> list[Any] | None:
        if node.tag != _SEQ_TAG:
            self._report_wrong_collection_tag(node, path, "a list")
            return None
        items: list[Any] = []
        for index, item_node in enumerate(node.value):
            item_path = (*path, index)
            self.positions.setdefault(item_path, _position(item_node.start_mark))
            items.append(self._build(item_node, item_path))
        return items

    def _build_mapping(self, node: yaml.MappingNode, path: tuple[str | int, ...]) -> dict[str, Any] | None:
        if node.tag != _MAP_TAG:
            self._report_wrong_collection_tag(node, path, "a mapping")
            return None
        mapping: dict[str, Any] = {}
        key_positions: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key = self._build_key(key_node, path)
            if key is None:
                continue
            entry_path = (*path, key)
            key_position = _position(key_node.start_mark)
            first_position = key_positions.get(key)
            if first_position is not None:
                self._report(
                    key_node,
                    entry_path,
                    f"duplicate key '{key}' (first defined at line {first_position.line})",
                    expected="each key at most once in a mapping",
                )
                self._build(value_node, entry_path)  # still look inside for further problems
                continue
            key_positions[key] = key_position
            self.positions.setdefault(entry_path, key_position)
            mapping[key] = self._build(value_node, entry_path)
        return mapping

    def _build_key(self, key_node: yaml.Node, path: tuple[str | int, ...]) -> str | None:
        """The key's text as written, or None (after reporting) if it cannot be a key."""
        target = key_node.target if isinstance(key_node, _AliasNode) else key_node
        if not isinstance(target, yaml.ScalarNode):
            kind = "a mapping" if isinstance(target, yaml.MappingNode) else "a list"
            self._report(
                key_node,
                path,
                f"{kind} cannot be used as a key",
                expected="a plain name as key, such as 'PL', not a '?', '[' or '{' construct",
            )
            return None
        if not isinstance(target, _PlainScalarNode) and target.tag not in _SCALAR_TAGS:
            self._report_unsupported_tag(key_node, path)
            return None
        key: str = target.value
        return key

    def _report_wrong_collection_tag(self, node: yaml.Node, path: tuple[str | int, ...], kind: str) -> None:
        if node.tag in (*_SCALAR_TAGS, _MAP_TAG, _SEQ_TAG):
            self._report(node, path, f"tag {_display_tag(node.tag)} cannot be applied to {kind}")
        else:
            self._report_unsupported_tag(node, path)

    def _report_unsupported_tag(self, node: yaml.Node, path: tuple[str | int, ...]) -> None:
        shown = _display_tag(node.tag)
        # Compare bare names ('flaot' with 'float'): the shared '!!' would make every tag look close.
        bare_name = closest_match(shown.lstrip("!"), [name.lstrip("!") for name in _ALLOWED_TAG_NAMES])
        self._report(
            node,
            path,
            f"unsupported tag '{shown}'",
            expected=_ALLOWED_TAGS_TEXT,
            suggestion=None if bare_name is None else f"!!{bare_name}",
        )


# --- Helpers. ---


def _as_key_path(key_path: Sequence[str | int]) -> tuple[str | int, ...]:
    if isinstance(key_path, str):
        raise TypeError(f"a key path is a sequence of keys, not a string: use ({key_path!r},)")
    return tuple(key_path)


def _position(mark: yaml.Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _parse_core_int(text: str) -> int | None:
    try:
        if _DECIMAL_INT.fullmatch(text):
            return int(text, 10)
        if _OCTAL_INT.fullmatch(text):
            return int(text[2:], 8)
        if _HEX_INT.fullmatch(text):
            return int(text[2:], 16)
    except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
        return None
    return None


def _parse_core_float(text: str) -> float | None:
    if _FLOAT.fullmatch(text):
        return float(text)
    infinity = _INFINITY.fullmatch(text)
    if infinity:
        return -math.inf if infinity.group(1) == "-" else math.inf
    if _NOT_A_NUMBER.fullmatch(text):
        return math.nan
    return None


def _display_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_YAML_TAG_PREFIX) if tag.startswith(_YAML_TAG_PREFIX) else tag


def _syntax_problem(error: yaml.MarkedYAMLError, file: str) -> Problem:
    mark = error.problem_mark or error.context_mark
    message = error.problem or error.context or "invalid YAML"
    if error.problem and error.context:
        context = error.context
        context_mark = error.context_mark
        if context_mark is not None and context_mark is not mark:
            context += f" started at line {context_mark.line + 1}, column {context_mark.column + 1}"
        message += f", {context}"
    problem_text = error.problem or ""
    expected = next((hint for start, hint in _SYNTAX_HINTS.items() if problem_text.startswith(start)), None)
    return Problem(
        file=file,
        line=mark.line + 1 if mark else None,
        column=mark.column + 1 if mark else None,
        key_path="",
        message=f"YAML syntax error: {message}",
        expected=expected,
    )


def _reader_problem(error: yaml.reader.ReaderError, text: str, file: str) -> Problem:
    before = text[: error.position]
    line = before.count("\n") + 1
    column = error.position - (before.rfind("\n") + 1) + 1
    character = error.character if isinstance(error.character, int) else ord(error.character)
    return Problem(
        file=file,
        line=line,
        column=column,
        key_path="",
        message=f"unacceptable character U+{character:04X} ({error.reason})",
        expected="printable text; remove the control character",
    )


def _decode_utf8(raw: bytes, file: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ScenarioError.from_problem(
            Problem(file, None, None, "", "file is UTF-16 encoded", expected="UTF-8 text: re-save the file as UTF-8")
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line_start = raw.rfind(b"\n", 0, error.start) + 1
        column = len(raw[line_start : error.start].decode("utf-8", errors="replace")) + 1
        raise ScenarioError.from_problem(
            Problem(
                file=file,
                line=raw.count(b"\n", 0, error.start) + 1,
                column=column,
                key_path="",
                message=f"file is not valid UTF-8 text (byte 0x{raw[error.start]:02x} cannot be decoded)",
                expected="UTF-8 text: re-save the file as UTF-8",
            )
        ) from None
