"""Which files the simulator reads, and how: only regular files of modest size, and only where they may be named.

Two rules, each one function:

* :func:`read_file_bytes` reads a file the user (or a file the user gave) names: the path must hold no NUL byte,
  the file must be a *regular* file -- not a directory, a named pipe (FIFO, which would block the reader), a
  device such as ``/dev/zero`` (which never ends) or a socket -- and at most :data:`MAX_FILE_BYTES` long
  (:data:`MAX_GAME_LOG_BYTES` for game logs). The file is checked with :func:`os.stat` before it is opened,
  opened without blocking and checked again on the open descriptor, so a file swapped in between cannot slip
  through; reading stops one byte past the limit.
* :func:`resolve_named_path` decides whether a path that a *file* names -- a scenario's ``extends`` and
  ``article_file``, a game log's scenario and decision files -- may be followed: after following symlinks it
  must lie inside one of the allowed folders, by default the folder of the naming file and the project's
  shipped ``scenarios/`` folder (:func:`default_allowed_roots`). A web app that parses scenarios strangers
  upload passes its own roots (e.g. only the shipped folder). Files given on the command line are the user's
  own choice and are not held to this rule, only to the first.

Every refusal is a :class:`~sim.scenario.errors.Problem` that names the path and the rule; none quotes the
content of the file concerned. This module imports nothing from ``sim`` beyond :mod:`sim.scenario.errors`.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sim.scenario.errors import Problem, ScenarioError, closest_match

__all__ = [
    "MAX_FILE_BYTES",
    "MAX_GAME_LOG_BYTES",
    "AllowedRoot",
    "default_allowed_roots",
    "display_path",
    "read_file_bytes",
    "resolve_named_path",
    "shipped_scenarios_folder",
]

MAX_FILE_BYTES = 5 * 1024 * 1024
"""Largest scenario or decision file read: 5 MiB (the shipped baseline, the largest scenario, is about 36 KB)."""

MAX_GAME_LOG_BYTES = 64 * 1024 * 1024
"""Largest game log read: 64 MiB (a year of weekly turns logs about 190 KB; ten years of daily turns ~13 MB)."""

_PROJECT_ROOT = Path(__file__).resolve().parents[2]
"""The folder holding the ``sim`` package: the project's root in a source checkout or an editable install."""

_KINDS_OF_FILE = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class Locates(Protocol):
    """A document that can locate a problem at a key path (a YAML or a merged scenario document)."""

    def problem(
        self,
        key_path: tuple[str | int, ...],
        message: str,
        expected: str | None = None,
        suggestion: str | None = None,
    ) -> Problem:
        """A problem located where ``key_path`` was written."""
        ...


@dataclass(frozen=True)
class AllowedRoot:
    """A folder inside which named files may lie, and what messages call it.

    Attributes:
        folder: The folder (symlinks are resolved when paths are compared with it).
        label: How a message names it, e.g. ``"this scenario's folder"``.
    """

    folder: Path
    label: str


def shipped_scenarios_folder(project_root: Path | None = None) -> Path | None:
    """The project's shipped ``scenarios/`` folder, or None when the simulator runs without it.

    The folder sits beside the ``sim`` package in the project's root (it is not package data), so it exists in
    a source checkout and an editable install; a non-editable install has no project root (no
    ``pyproject.toml`` beside the package) and so no shipped folder.

    Args:
        project_root: The folder that holds the ``sim`` package (default: found from this module's place).

    Returns:
        The folder, symlinks resolved, or None.
    """
    root = project_root if project_root is not None else _PROJECT_ROOT
    folder = root / "scenarios"
    if (root / "pyproject.toml").is_file() and folder.is_dir():
        return folder.resolve()
    return None


def default_allowed_roots(naming_file: str | os.PathLike[str], kind: str = "scenario") -> tuple[AllowedRoot, ...]:
    """The folders a file's named paths may reach by default: its own folder and the shipped scenarios.

    Args:
        naming_file: The file that names paths.
        kind: What the naming file is, for the label (``"scenario"`` → "this scenario's folder").

    Returns:
        The naming file's folder, then the shipped ``scenarios/`` folder when there is one.
    """
    roots = [AllowedRoot(Path(os.path.abspath(naming_file)).parent, f"this {kind}'s folder")]
    shipped = shipped_scenarios_folder()
    if shipped is not None:
        roots.append(AllowedRoot(shipped, "the shipped scenarios folder"))
    return tuple(roots)


def display_path(path: str | os.PathLike[str]) -> str:
    """A path as text fit for a message: a NUL byte is shown as ``\\0`` (a terminal would hide it)."""
    return os.fspath(path).replace("\0", "\\0")


def resolve_named_path(
    named: str,
    naming_file: str | os.PathLike[str],
    where: Locates,
    key_path: tuple[str | int, ...],
    *,
    allowed_roots: Sequence[AllowedRoot] | None = None,
    relative_to: str | os.PathLike[str] | None = None,
    kind: str = "scenario",
) -> Path | Problem:
    """Resolve a path a file names and check that it stays inside the allowed folders.

    The path is taken relative to ``relative_to`` (default: the naming file's folder) unless it is absolute,
    then resolved with :meth:`pathlib.Path.resolve`, which follows every symlink: a link inside the folder that
    points outside is refused, while ``sub/../baseline.yaml`` that ends inside is fine. The file need not
    exist (the caller says so if it must).

    Args:
        named: The path as written in the file, e.g. ``"baseline.yaml"`` or ``"/etc/shadow"``.
        naming_file: The file that names it.
        where: The naming file's document, to locate the problem.
        key_path: Where in the document the path is written, e.g. ``("extends",)``.
        allowed_roots: The folders the path may resolve into; default :func:`default_allowed_roots`. A caller
            whose document is not a file on disk (an upload parsed in memory) must pass its own: the default
            would take the current folder as the naming file's.
        relative_to: The folder a relative path starts from; default the naming file's folder.
        kind: What the naming file is (``"scenario"``, ``"game log"``), for the message.

    Returns:
        The resolved path, or a problem located at ``key_path`` that names the path and the rule.
    """
    roots = tuple(allowed_roots) if allowed_roots is not None else default_allowed_roots(naming_file, kind)
    if "\0" in named:
        return where.problem(
            key_path,
            f"'{display_path(named)}' contains a NUL byte, which no file path can hold",
            expected="a file path without control characters",
        )
    start = Path(relative_to) if relative_to is not None else Path(os.fspath(naming_file)).parent
    try:
        resolved = (start / named).resolve()
        inside = any(resolved.is_relative_to(root.folder.resolve()) for root in roots)
    except (OSError, RuntimeError, ValueError) as error:  # e.g. a symlink loop
        return where.problem(key_path, f"'{named}' cannot be resolved to a file ({error})")
    if inside:
        return resolved
    folders = " and ".join(f"{root.label} ({root.folder})" for root in roots) or "no folder at all"
    those = "that folder" if len(roots) == 1 else "those folders"
    return where.problem(
        key_path,
        f"'{named}' resolves to {resolved}, outside {folders}; {kind} files may only name files inside {those}",
    )


def read_file_bytes(path: str | os.PathLike[str], max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """Read a whole file, if it is a regular file of at most ``max_bytes`` bytes.

    Args:
        path: The file, named in problems exactly as given (a NUL byte shown as ``\\0``).
        max_bytes: The largest size accepted.

    Returns:
        The file's bytes.

    Raises:
        ScenarioError: with one problem, if the path holds a NUL byte, the file is missing, unreadable, a
            directory, a FIFO, a device or a socket, or larger than ``max_bytes``. The content is never quoted.
    """
    file = display_path(path)
    if "\0" in os.fspath(path):
        raise _refusal(file, "the path contains a NUL byte, which no file path can hold", "a path without it")
    try:
        _check_kind_and_size(file, os.stat(path), max_bytes)  # before opening: opening a FIFO would block
        descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise _refusal(file, "file not found", "an existing file", _similar_file_name(Path(path))) from None
    except PermissionError:
        raise _refusal(file, "permission denied, cannot read the file") from None
    except OSError as error:
        raise _refusal(file, f"cannot read the file: {error.strerror or error}") from None
    try:
        _check_kind_and_size(file, os.fstat(descriptor), max_bytes)  # the file opened is the file checked
        chunks: list[bytes] = []
        size = 0
        while size <= max_bytes:
            chunk = os.read(descriptor, min(1 << 20, max_bytes + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise _refusal(file, f"cannot read the file: {error.strerror or error}") from None
    finally:
        os.close(descriptor)
    if size > max_bytes:  # it grew while being read, or its size was not known (e.g. under /proc)
        raise _too_large(file, f"more than {_megabytes(max_bytes)}", max_bytes)
    return b"".join(chunks)


def _check_kind_and_size(file: str, status: os.stat_result, max_bytes: int) -> None:
    if stat.S_ISDIR(status.st_mode):
        raise _refusal(file, "is a directory, not a file", "the path of a .yaml file")
    if not stat.S_ISREG(status.st_mode):
        kind = next((name for is_kind, name in _KINDS_OF_FILE if is_kind(status.st_mode)), "not a file")
        raise _refusal(file, f"is {kind}, not a regular file", "the path of a .yaml file")
    if status.st_size > max_bytes:
        raise _too_large(file, _megabytes(status.st_size), max_bytes)


def _too_large(file: str, size_text: str, max_bytes: int) -> ScenarioError:
    return _refusal(
        file,
        f"the file is {size_text}, larger than the {_megabytes(max_bytes)} limit on files read here",
        "a scenario, decision file or game log of ordinary size (the shipped baseline scenario is 36 KB)",
    )


def _megabytes(size_bytes: int) -> str:
    return f"{size_bytes / (1024 * 1024):.1f} MB"


def _refusal(file: str, message: str, expected: str | None = None, suggestion: str | None = None) -> ScenarioError:
    return ScenarioError.from_problem(Problem(file, None, None, "", message, expected=expected, suggestion=suggestion))


def _similar_file_name(missing: Path) -> str | None:
    """A file next to ``missing`` with a similar name, as a path spelled like ``missing``; None if none."""
    directory = missing.parent
    try:
        siblings = [entry.name for entry in directory.iterdir() if entry.is_file()]
    except OSError:
        return None
    match = closest_match(missing.name, siblings)
    return None if match is None else str(missing.with_name(match))
