"""The command line's last line of defence: no command ever ends in a traceback.

Every command is wrapped by :func:`guard_command`. Known bad input is reported by the commands themselves, each
with its own message; anything unexpected reaches the guard, which writes the traceback to a file in the
temporary folder and prints one line: what went wrong, where the details are, and that ``sim --debug`` shows the
traceback. Ctrl-C outside a run (runs print their own resume hint) ends with exit code 130.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
import typer

from sim.commands.common import EXIT_INTERRUPTED, err

EXIT_SOFTWARE = 70
"""Exit code of an unexpected error (``EX_SOFTWARE`` of sysexits.h)."""

DEBUG_ENVIRONMENT_VARIABLE = "SIM_DEBUG"
"""Set to 1 to see tracebacks without ``--debug`` (e.g. in CI logs)."""

MESSAGE_CHARACTERS = 300
"""An unexpected error's message is cut to this many characters on the console (the file holds all of it)."""

_state = {"debug": False}


def set_debug(enabled: bool) -> None:
    """Show tracebacks of unexpected errors instead of writing them to a file (``sim --debug``)."""
    _state["debug"] = enabled


def debugging() -> bool:
    """Whether ``--debug`` was given or ``SIM_DEBUG`` is set to a true value."""
    return _state["debug"] or os.environ.get(DEBUG_ENVIRONMENT_VARIABLE, "").strip().lower() in ("1", "true", "yes")


def write_traceback(error: BaseException) -> Path | None:
    """Write ``error``'s traceback to a new ``sim-error-<UTC time>-<pid>.log`` in the temporary folder.

    Returns:
        The file's path, or None if it could not be written (a full or read-only temporary folder).
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = Path(tempfile.gettempdir()) / f"sim-error-{stamp}-{os.getpid()}.log"
    text = "".join(traceback.format_exception(error))
    try:
        path.write_text(f"sim {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
    except (OSError, ValueError):
        return None
    return path


def one_line(error: BaseException) -> str:
    """``Type: message`` of an error on one line, cut to :data:`MESSAGE_CHARACTERS`."""
    message = " ".join(str(error).split())
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text if len(text) <= MESSAGE_CHARACTERS else text[: MESSAGE_CHARACTERS - 1] + "…"


def report_unexpected(error: BaseException) -> int:
    """Print the one-line message of an unexpected error (its traceback goes to a file) and return the exit code."""
    path = write_traceback(error)
    details = f"details: {path}; " if path is not None else "the traceback could not be saved; "
    err.print(f"error: {one_line(error)} ({details}run with --debug to see the traceback)", markup=False)
    return EXIT_SOFTWARE


def guard_command[Command: Callable[..., Any]](command: Command) -> Command:
    """Wrap a command so that an unexpected exception ends in one line and exit code 70, never a traceback.

    ``typer.Exit``, click's own exceptions (usage errors) and ``SystemExit`` pass through; so does everything
    under ``sim --debug``, which shows the traceback. Ctrl-C becomes ``interrupted`` and exit code 130.
    """

    @functools.wraps(command)
    def guarded_command(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, click.exceptions.Exit, click.ClickException, click.exceptions.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            if debugging():
                raise
            err.print("interrupted", markup=False)
            raise typer.Exit(EXIT_INTERRUPTED) from None
        except Exception as error:
            if debugging():
                raise
            raise typer.Exit(report_unexpected(error)) from None

    return guarded_command  # type: ignore[return-value]
