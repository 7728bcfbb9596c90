"""Shared pieces of the command line: consoles, error reporting and common options."""

from __future__ import annotations

import errno
import os
import shlex
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape

from sim.scenario.errors import ScenarioError

if TYPE_CHECKING:
    from sim.experiment.execution import Execution
    from sim.experiment.runner import RunInterrupted

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Override a scenario value, e.g. --set actors.member_states.DE.inventory.fire_units.patriot=7 "
        "(repeatable; YAML 1.2 values).",
    ),
]


EXIT_CLUSTER_LOST = 3
"""Exit code of a run, comparison or sweep stopped because its Dask cluster went away (resumable)."""

EXIT_INTERRUPTED = 130
"""Exit code after Ctrl-C (128 + SIGINT, as shells report it)."""


def _checked_scheduler(address: str | None) -> str | None:
    """Reject a malformed ``--scheduler`` address before anything starts."""
    if address is None:
        return None
    from sim.experiment.cluster import ExecutorError, check_scheduler_address

    try:
        check_scheduler_address(address)
    except ExecutorError as error:
        raise typer.BadParameter(str(error)) from None
    return address


SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        help="Dask scheduler address, e.g. tcp://10.0.0.5:8786, or tls://… with Dask's TLS settings "
        "(docs/scaling.md). A lost cluster stops the run with exit code 3; resume it with --resume.",
        callback=_checked_scheduler,
    ),
]


EXIT_REPLICATIONS_FAILED = 1
"""Exit code of a run, comparison, sweep or replay that finished with failed replications."""

OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EACCES: "permission denied",
    errno.EPERM: "operation not permitted",
    errno.EROFS: "the file system is read-only",
    errno.ENAMETOOLONG: "the path is longer than the file system allows",
    errno.ENOTDIR: "a part of the path is a file, not a folder",
    errno.EEXIST: "a file of that name is in the way",
    errno.EISDIR: "it is a folder, not a file",
    errno.ENOENT: "no such file or folder",
}
"""Plain words for the operating-system errors a user can fix."""


def describe_os_error(error: OSError) -> str:
    """``<path>: <what is wrong>`` for an operating-system error, in plain words where the cause is common."""
    reason = OS_REASONS.get(error.errno or 0, error.strerror or str(error))
    return f"{error.filename}: {reason}" if error.filename is not None else reason


def _mode_of(path: Path, where: str) -> int | None:
    """The file mode of ``path`` (None: nothing there); any other error stops the command, naming ``where``."""
    try:
        return os.stat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        fail(f"{where}: {OS_REASONS.get(error.errno or 0, error.strerror)}")


def check_output_folder(path: Path, option: str = "--out") -> None:
    """Refuse, before any work, an output folder that cannot be one: a file, a device, a path under a file, a
    path too long, or a folder that cannot be written. A missing folder is fine (it is made later). (A path with a
    NUL byte never gets here: click's path type refuses it, naming the option.)"""
    where = f"{option} {escape(str(path))}"
    mode = _mode_of(path, where)
    if mode is not None and not stat.S_ISDIR(mode):
        kind = "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a file"
        fail(f"{where} is {kind}, not a folder; give a folder in which the results can be written")
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if mode is None and not existing.is_dir():
        fail(f"{where}: {escape(str(existing))} is a file, not a folder")
    if not os.access(existing, os.W_OK | os.X_OK):
        fail(f"{where}: {escape(str(existing))} cannot be written (permission denied)")


def check_output_file(path: Path, option: str = "--out") -> None:
    """Refuse, before any work, a file to write that cannot be one: a folder, a path under a file or in a folder
    that does not exist (it is not made: a typo would otherwise leave folders behind), a path too long, or a folder
    that cannot be written."""
    where = f"{option} {escape(str(path))}"
    mode = _mode_of(path, where)
    if mode is not None and stat.S_ISDIR(mode):
        fail(f"{where} is a folder; give the name of a file to write, e.g. {escape(str(path / 'out'))}")
    folder = path.parent
    if not folder.exists():
        fail(f"{where}: the folder {escape(str(folder))} does not exist; make it first or choose another")
    if not folder.is_dir():
        fail(f"{where}: {escape(str(folder))} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        fail(f"{where}: {escape(str(folder))} cannot be written (permission denied)")


def execution_options(workers: int | None, scheduler: str | None, results_root: Path) -> Execution:
    """How to run, built once from a run, compare or sweep command's options (and the command line, recorded in
    the manifest). Refuses, before any work, ``--workers`` with ``--scheduler`` and an ``--out`` that cannot be a
    folder (see :func:`check_output_folder`). A run on a local pool starts preparing its workers here (see
    :func:`sim.experiment.executors.start_local_workers`): they load the model while the command validates."""
    from sim.experiment.execution import WORKER_PRELOAD, Execution
    from sim.experiment.executors import start_local_workers

    if workers is not None and scheduler is not None:
        fail("give either --workers or --scheduler, not both")
    check_output_folder(results_root)
    command = " ".join(["sim", *sys.argv[1:]])
    execution = Execution(workers=workers, scheduler=scheduler, results_root=results_root, command=command)
    start_local_workers(workers, scheduler, preload_modules=WORKER_PRELOAD)
    return execution


def report_workers(execution: Execution) -> int | None:
    """How many local processes draw the report of a run, comparison or sweep: the run's ``--workers`` (None, one
    per core, also after a run on a Dask cluster: the figures are drawn on this machine, beside the folder)."""
    return execution.workers if execution.scheduler is None else None


def resume_hint(
    command: str,
    arguments: Sequence[str],
    overrides: Sequence[str],
    run_dir: Path,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
) -> str:
    """The shell command that resumes ``run_dir`` with the same inputs and executor, quoted for a POSIX shell."""
    parts = ["sim", command, *arguments]
    for override in overrides:
        parts += ["--set", override]
    parts += ["--resume", str(run_dir)]
    if workers is not None:
        parts += ["--workers", str(workers)]
    if scheduler is not None:
        parts += ["--scheduler", scheduler]
    return " ".join(shlex.quote(part) for part in parts)


def fail_interrupted(interrupted: RunInterrupted, hint: str) -> NoReturn:
    """Say why a run stopped early, that what finished is saved, and how to resume; exit 130 (Ctrl-C) or
    :data:`EXIT_CLUSTER_LOST` (the Dask cluster went away)."""
    if interrupted.lost is None:
        fail(f"interrupted; what finished is saved. Resume with: {escape(hint)}", EXIT_INTERRUPTED)
    fail(
        f"the run stopped: {escape(interrupted.lost)}. What finished is saved in {escape(str(interrupted.run_dir))}. "
        f"When the cluster is back, resume with: {escape(hint)}",
        EXIT_CLUSTER_LOST,
    )


@contextmanager
def run_errors(
    command: str,
    arguments: Sequence[str],
    overrides: Sequence[str],
    also: tuple[type[Exception], ...] = (),
    *,
    execution: Execution,
) -> Iterator[None]:
    """Turn each way a run, comparison or sweep stops early into its own message and exit code.

    Ctrl-C (130), a lost Dask cluster (:data:`EXIT_CLUSTER_LOST`), a disk that fills up and chunks that could not
    run end with the command that resumes; a damaged run folder, a mismatched ``--resume`` and an unusable executor
    with what is wrong.

    Args:
        command: ``run``, ``compare`` or ``sweep`` (for the resume hint).
        arguments: The command's positional arguments (scenario files).
        overrides: The ``--set`` overrides.
        also: Further exception types whose message is the whole story (e.g. ``SweepError``).
        execution: How the command runs; its ``--workers`` or ``--scheduler`` is repeated in the resume hint.
    """

    def hint(run_dir: Path) -> str:
        return resume_hint(
            command, arguments, overrides, run_dir, workers=execution.workers, scheduler=execution.scheduler
        )

    from sim.experiment.executors import ExecutorError
    from sim.experiment.limits import RunTooLarge
    from sim.experiment.manifest import ManifestError
    from sim.experiment.replications import ResumeMismatch
    from sim.experiment.runner import RunIncomplete, RunInterrupted, RunNotSaved
    from sim.experiment.store import StoreError

    whole_story: tuple[type[Exception], ...] = (
        ExecutorError,
        ResumeMismatch,
        ManifestError,
        StoreError,
        RunTooLarge,
        FileNotFoundError,
        *also,
    )
    try:
        yield
    except RunInterrupted as interrupted:
        fail_interrupted(interrupted, hint(interrupted.run_dir))
    except KeyboardInterrupt:  # before any replication ran (while connecting), or while summarising
        fail("interrupted", EXIT_INTERRUPTED)
    except RunNotSaved as stopped:
        fail(
            f"cannot write the results: {escape(describe_os_error(stopped.error))}. What finished before is saved "
            f"in {escape(str(stopped.run_dir))}; fix that, then resume with: {escape(hint(stopped.run_dir))}"
        )
    except RunIncomplete as incomplete:
        fail(
            f"{incomplete.not_run} replications could not be run ({escape(incomplete.first_error)}); "
            f"fix the cause and resume with: {escape(hint(incomplete.run_dir))}"
        )
    except whole_story as error:
        fail(escape(str(error)))
    except OSError as error:
        fail(f"cannot write the results: {escape(describe_os_error(error))}")


def check_report_size(what: str, scenarios: Sequence[Any], replications: int | None, resume: Path | None) -> None:
    """Refuse, before any work, a run or comparison whose report would load more daily series than memory holds.

    The run itself is checked by the library; its report loads every replication's daily series at once, which
    ``--no-report`` avoids (the message says so).
    """
    from sim.experiment.limits import RunTooLarge, check_run_size

    if resume is not None or not scenarios:
        return
    count = replications if replications is not None else scenarios[0].replications
    horizon_days = max(scenario.horizon_days for scenario in scenarios)
    try:
        check_run_size(what, len(scenarios), count, scenarios[0], horizon_days, timeseries_loaded=True)
    except RunTooLarge as error:
        fail(escape(str(error)))


def report_failed_replications(metrics: Any, run_dir: Path, csv_name: str = "replications.csv") -> int:
    """Say how many replications failed, where the errors are and the first error; return how many failed.

    Args:
        metrics: One row per replication with ``status`` and ``error`` columns.
        run_dir: The folder whose ``csv_name`` holds the errors.
        csv_name: The file with one row per replication.
    """
    failed = metrics[metrics["status"] != "ok"]
    if failed.empty:
        return 0
    first = str(failed["error"].iloc[0])
    err.print(
        f"{len(failed)} of {len(metrics)} replications failed; errors in {run_dir / csv_name} "
        f"(columns status, error, seed). First error: {first}",
        markup=False,
    )
    return len(failed)


def fail(message: str, code: int = 2) -> NoReturn:
    """Print an error to stderr and exit with ``code``."""
    err.print(f"[bold red]error:[/] {message}")
    raise typer.Exit(code)


def report_scenario_error(error: ScenarioError) -> NoReturn:
    """Print every problem of a scenario error, one per line, and exit 1."""
    for problem in error.problems:
        err.print(problem.format(), markup=False)
    count = len(error.problems)
    err.print(f"[red]{count} problem{'s' if count != 1 else ''}[/]")
    raise typer.Exit(1)


def guarded(action: Callable[[], Any]) -> Any:
    """Run ``action``, turning scenario errors into located messages (exit 1)."""
    try:
        return action()
    except ScenarioError as error:
        report_scenario_error(error)


def emit_text(text: str, output: Path | None, option: str = "--out") -> None:
    """Print ``text`` to standard output, or write it to ``output`` and say so; an ``output`` that cannot be
    written ends with a one-line message (see :func:`check_output_file`), exit 2."""
    if output is None:
        sys.stdout.write(text)
        return
    check_output_file(output, option)
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        fail(f"{option} {escape(str(output))}: cannot write it: {escape(describe_os_error(error))}")
    out.print(f"wrote {output}")
