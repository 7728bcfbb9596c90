"""Names and free text in a scenario: what can become a folder name, a table cell or a line on a terminal.

A *name* (the scenario's name, a state code, a threat, effector, supplier, site, region, source or objective
name) is printed in tables, used as a key in results and, for the scenario, becomes part of a run-folder name.
It must be 1–80 characters of printable text with at least one letter or digit, must not be ``.`` or ``..``,
and must not hold a path separator (``/``, ``\\``) or square brackets (terminal markup such as ``[bold]`` or
``x[/]``).

*Free text* (descriptions, titles, notes, units) may hold any printable text, newlines and tabs, up to
10,000 characters, but no other control character: an ESC starting an ANSI sequence, a NUL, a bell or a
right-to-left override never reaches a terminal or a report from a scenario.
"""

from __future__ import annotations

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, WithJsonSchema

MAX_NAME_LENGTH = 80
"""Longest name: fits a table column and, with a timestamp, a folder name on every file system."""
MAX_TEXT_LENGTH = 10_000
"""Longest free text: several pages, far beyond any description a scenario needs."""
FORBIDDEN_IN_NAMES = frozenset("/\\[]")
"""Path separators (a name may become a folder name) and the brackets of terminal markup."""
_TEXT_CONTROLS_ALLOWED = frozenset("\n\t")


def unprintable_characters(text: str, categories: str = "CZ", allowed: frozenset[str] = frozenset()) -> list[str]:
    """The characters of ``text`` in the given Unicode categories, written as escapes (``\\x1b``), once each.

    Category C holds control and format characters (ESC, NUL, the right-to-left override), surrogates,
    private-use and unassigned code points; Z holds separators other than the ordinary space (no-break and
    line separators). The ordinary space and the ``allowed`` characters never count.
    """
    found = []
    for character in text:
        if character in allowed or character == " ":
            continue
        if unicodedata.category(character)[0] in categories:
            escape = character.encode("unicode_escape").decode("ascii")
            if escape not in found:
                found.append(escape)
    return found


def check_name(name: str) -> str:
    """Accept a name that can be a folder name, a table cell and a terminal line; refuse others, saying why.

    Raises:
        ValueError: with a message that names the rule the name breaks.
    """
    if not name.strip():
        raise ValueError("a name must not be empty")
    if name in (".", ".."):
        raise ValueError(f"'{name}' cannot be a name: it means a folder")
    unprintable = unprintable_characters(name)
    if unprintable:
        raise ValueError(
            f"a name must not hold control or invisible characters; this one holds {', '.join(unprintable)}"
        )
    if len(name) > MAX_NAME_LENGTH:
        raise ValueError(f"a name must be at most {MAX_NAME_LENGTH} characters; this one has {len(name)}")
    forbidden = sorted(set(name) & FORBIDDEN_IN_NAMES)
    if forbidden:
        raise ValueError(
            f"a name must not hold {' or '.join(repr(c) for c in forbidden)} (path separators and markup brackets)"
        )
    if not any(character.isalnum() for character in name):
        raise ValueError("a name must hold at least one letter or digit")
    return name


def check_text(text: str) -> str:
    """Accept printable free text (newlines and tabs allowed); refuse control characters and very long text.

    Raises:
        ValueError: with a message that names the characters or the length.
    """
    unprintable = unprintable_characters(text, categories="C", allowed=_TEXT_CONTROLS_ALLOWED)
    if unprintable:
        raise ValueError(f"text must not hold control characters; this one holds {', '.join(unprintable)}")
    if len(text) > MAX_TEXT_LENGTH:
        raise ValueError(f"text must be at most {MAX_TEXT_LENGTH:,} characters; this one has {len(text):,}")
    return text


Name = Annotated[
    str,
    AfterValidator(check_name),
    WithJsonSchema(
        {
            "type": "string",
            "minLength": 1,
            "maxLength": MAX_NAME_LENGTH,
            "pattern": r"^[^/\\\[\]\u0000-\u001f\u007f]+$",
            "description": "1-80 printable characters with a letter or digit; no / \\ [ ]; not . or ..",
        }
    ),
]
"""A name: 1–80 printable characters with a letter or digit; no ``/``, ``\\``, ``[``, ``]``; not ``.``/``..``."""
Text = Annotated[
    str,
    AfterValidator(check_text),
    WithJsonSchema(
        {"type": "string", "maxLength": MAX_TEXT_LENGTH, "pattern": r"^[^\u0000-\u0008\u000b-\u001f\u007f]*$"}
    ),
]
"""Free text: printable, newlines and tabs allowed, up to 10,000 characters."""
