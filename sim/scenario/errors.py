"""Problems found in scenario files, and the error that carries them to the user.

Every mistake a planner or student can make in a scenario (a YAML syntax error, a duplicate key, an
unknown effector name, a negative budget) is described by a :class:`Problem`: where it is
(``file:line:column``), which key it concerns (a dotted key path such as
``actors.member_states.PL.budget_meur_per_year``), what is wrong, what was expected and, when a close valid
name exists, a suggestion. The scenario layer collects as many problems as it can and raises them together in
one :class:`ScenarioError`, whose text is one formatted problem per line -- never a traceback.

This module imports nothing else from ``sim``.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Self

__all__ = ["Problem", "ScenarioError", "closest_match", "format_key_path", "visible"]

# Characters that make a mapping key ambiguous inside a dotted key path; such keys are written as ["..."].
_CHARACTERS_NEEDING_QUOTES = frozenset(".[]\"'")


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario, located as precisely as we know.

    Attributes:
        file: The file as the user named it (or a pseudo-name such as ``<string>`` or ``--set``).
        line: 1-based line number, or None when the problem has no position (e.g. a missing file).
        column: 1-based column number (in characters), or None.
        key_path: Dotted key path of the offending entry, e.g. ``events[3].day``; empty for the document root
            or when no key is concerned (e.g. a syntax error).
        message: What is wrong, in plain words.
        expected: What would have been valid (rendered as ``expected ...``), if known.
        suggestion: The closest valid name (rendered as ``did you mean '...'?``), if one is close.
    """

    file: str
    line: int | None
    column: int | None
    key_path: str
    message: str
    expected: str | None = None
    suggestion: str | None = None

    def format(self) -> str:
        """Render the problem on one line.

        The full shape is ``file:line:column: key.path: message (expected X; did you mean 'Y'?)``. Parts that
        are missing are left out together with their separators: without a line the location is just
        ``file``; without a key path the message follows the location directly; the parenthesis appears only
        when there is something expected or suggested.

        Returns:
            The formatted problem, without a trailing newline.
        """
        location = self.file
        if self.line is not None:
            location += f":{self.line}"
            if self.column is not None:
                location += f":{self.column}"
        parts = [location]
        if self.key_path:
            parts.append(self.key_path)
        if self.message:
            parts.append(self.message)
        text = ": ".join(parts)
        hints = []
        if self.expected:
            hints.append(f"expected {self.expected}")
        if self.suggestion:
            hints.append(f"did you mean '{self.suggestion}'?")
        if hints:
            text += f" ({'; '.join(hints)})"
        return visible(text)

    def __str__(self) -> str:
        return self.format()


class ScenarioError(Exception):
    """A scenario could not be read or validated; carries every problem found, in the order found.

    ``str(error)`` is the formatted problems, one per line, ready to print to the user. The error pickles
    (it travels back from worker processes).

    Attributes:
        problems: The problems, never empty.
    """

    problems: list[Problem]

    def __init__(self, problems: Iterable[Problem]) -> None:
        """Create the error.

        Args:
            problems: The problems found; at least one.

        Raises:
            ValueError: If ``problems`` is empty.
        """
        problem_list = list(problems)
        if not problem_list:
            raise ValueError("a ScenarioError needs at least one problem")
        super().__init__(problem_list)
        self.problems = problem_list

    @classmethod
    def from_problem(cls, problem: Problem) -> Self:
        """Create an error carrying a single problem.

        Args:
            problem: The problem.

        Returns:
            The error, ready to raise.
        """
        return cls([problem])

    def __str__(self) -> str:
        return "\n".join(problem.format() for problem in self.problems)


def visible(text: str) -> str:
    """``text`` with every character a terminal would not print as itself written as its escape.

    A scenario's text reaches messages (``unknown threat 'x\\x1b[31m'``); an ESC, a NUL, a newline or a
    right-to-left override is shown as ``\\x1b``, ``\\x00``, ``\\n``, ``\\u202e`` instead of acting on the terminal.
    """
    if text.isprintable():
        return text
    return "".join(
        character if character.isprintable() else character.encode("unicode_escape").decode("ascii")
        for character in text
    )


def format_key_path(path: Sequence[str | int]) -> str:
    """Render a key path as the dotted text used in messages.

    String keys are joined by dots; integer list indices are written ``[i]`` after the previous segment; keys
    that contain dots, spaces, brackets or quotes (or are empty) are written ``["..."]`` so the path stays
    unambiguous.

    Examples:
        ``("events", 3, "day")`` → ``events[3].day``; ``("sites", "Rzeszów airport", "value")`` →
        ``sites["Rzeszów airport"].value``; ``()`` → ``""``.

    Args:
        path: Mapping keys (str) and sequence indices (int), outermost first.

    Returns:
        The rendered path; empty for the document root.
    """
    text = ""
    for segment in path:
        if isinstance(segment, int):
            text += f"[{segment}]"
        elif segment == "" or any(
            character in _CHARACTERS_NEEDING_QUOTES or character.isspace() for character in segment
        ):
            text += f"[{json.dumps(segment, ensure_ascii=False)}]"
        elif text:
            text += f".{segment}"
        else:
            text = segment
    return text


def closest_match(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """Find the valid name the user most likely meant.

    Comparison ignores case. A candidate equal to ``word`` apart from case wins outright. Otherwise a
    candidate qualifies if its :class:`difflib.SequenceMatcher` similarity to ``word`` is at least
    ``cutoff``, or if one of the two is a prefix of the other (the shorter being at least 3 characters long,
    e.g. ``patr`` → ``patriot``); the most similar qualifying candidate wins, the first one listed on ties.

    Args:
        word: The name the user wrote, e.g. ``"Polnad"``.
        candidates: The valid names, e.g. ``["Poland", "Lithuania"]``.
        cutoff: Minimum similarity (0..1) for a non-prefix match.

    Returns:
        The best candidate as spelled in ``candidates`` (``"Poland"``), or None if nothing is close.
    """
    folded_word = word.casefold()
    if not folded_word:
        return None
    best: str | None = None
    best_ratio = -1.0
    for candidate in candidates:
        folded_candidate = candidate.casefold()
        if not folded_candidate:
            continue
        if folded_candidate == folded_word:
            return candidate
        ratio = difflib.SequenceMatcher(None, folded_word, folded_candidate).ratio()
        shorter, longer = sorted((folded_word, folded_candidate), key=len)
        is_prefix = len(shorter) >= 3 and longer.startswith(shorter)
        if (ratio >= cutoff or is_prefix) and ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best
