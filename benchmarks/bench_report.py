"""Benchmark of the reports: today's code (the base commit) against the working tree on the same result folders.

Prints figures; asserts nothing. ``sim report FOLDER`` re-draws the report of a result folder, so both versions draw
the report of the same folders: today's from a temporary ``git worktree`` of the base commit, the working tree's
with one worker (in this process) and with two (figures drawn side by side on a pool). Each version runs as a child
process with its own root first on the path, on a fresh copy of the folder (so each pays the map's replay, as the
first report after ``sim run`` does), in rounds whose order alternates, after one untimed report per version (the
base worktree's first replay compiles and caches the model's numba functions). Then, once per version, the parts: where
the time of an in-process report goes, figure by figure (``report_parts.py``)::

    .venv/bin/python benchmarks/bench_report.py --make /tmp/report-bench      # once: sim run and sim compare
    .venv/bin/python benchmarks/bench_report.py /tmp/report-bench/run/* /tmp/report-bench/compare/* --rounds 3

``--make`` runs ``sim run scenarios/baseline.yaml`` and ``sim compare scenarios/baseline.yaml
scenarios/drone_wall.yaml`` with their default replications and ``--no-report``.

The machine is shared and noisy: the figures that carry are the ratios within a round (the median over rounds).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE_COMMIT = "33ee51c"
MAKE_COMMANDS = {
    "run": ["run", "scenarios/baseline.yaml", "--no-report"],
    "compare": ["compare", "scenarios/baseline.yaml", "scenarios/drone_wall.yaml", "--no-report"],
}


@contextmanager
def base_worktree(commit: str) -> Iterator[Path]:
    """A temporary ``git worktree`` of ``commit`` (removed afterwards)."""
    with tempfile.TemporaryDirectory(prefix="bench-report-base-") as scratch:
        path = Path(scratch) / "base"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(path), commit], cwd=ROOT, check=True, capture_output=True
        )
        try:
            yield path
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(path)], cwd=ROOT, check=False, capture_output=True
            )


def sim_in(root: Path, *arguments: str) -> float:
    """Run ``python -m sim ARGUMENTS`` with ``root``'s code (its folder is the child's first path entry); seconds."""
    environment = {**os.environ, "PYTHONPATH": str(root)}
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "sim", *arguments], cwd=root, env=environment, capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(
            f"sim {' '.join(arguments)} ({root}) failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
        )
    return elapsed


def make_folders(target: Path) -> None:
    """Run the default ``sim run`` and ``sim compare`` without report into ``target/run`` and ``target/compare``."""
    for kind, arguments in MAKE_COMMANDS.items():
        (target / kind).mkdir(parents=True, exist_ok=False)
        seconds = sim_in(ROOT, *arguments, "--out", str(target / kind))
        print(f"made {kind} in {seconds:.0f} s: {next((target / kind).iterdir())}")


def timed_report(root: Path, folder: Path, scratch: Path, workers: int | None) -> float:
    """Seconds of ``sim report`` of a fresh copy of ``folder`` with ``root``'s code (``--workers`` if given)."""
    copy = scratch / folder.name
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report.*", "figures", "map_replay.json"))
    options = ["--workers", str(workers)] if workers is not None else []
    return sim_in(root, "report", str(copy), *options)


def parts(root: Path, folder: Path, scratch: Path) -> dict[str, object]:
    """The parts of an in-process report of a fresh copy of ``folder`` with ``root``'s code."""
    copy = scratch / f"parts-{folder.name}"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(folder, copy, ignore=shutil.ignore_patterns("report.*", "figures", "map_replay.json"))
    done = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("report_parts.py")), str(copy)],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, object] = json.loads(done.stdout.splitlines()[-1])
    return result


def print_parts(label: str, found: dict[str, object]) -> None:
    """One line per figure: its total and what it is made of."""
    report_s = float(found["report"])  # type: ignore[arg-type]
    print(f"  {label}: imports {float(found['imports']):.2f} s, report {report_s:.2f} s, of which:")  # type: ignore[arg-type]
    figure_parts: dict[str, dict[str, float]] = found["parts"]  # type: ignore[assignment]
    for name, by_part in sorted(figure_parts.items(), key=lambda item: -sum(item[1].values())):
        detail = ", ".join(f"{part} {seconds:.2f}" for part, seconds in by_part.items())
        print(f"    {name:26s} {sum(by_part.values()):6.2f} s  ({detail})")
    total = sum(sum(by_part.values()) for by_part in figure_parts.values())
    rest = report_s - total
    print(f"    {'(figures and replay)':26s} {total:6.2f} s; the rest (reading, tables, HTML) {rest:.2f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", type=Path, nargs="*", help="result folders (run, compare) to report on")
    parser.add_argument("--make", type=Path, metavar="FOLDER", help="make the default run and compare folders here")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of alternating versions (default 3)")
    parser.add_argument("--base", default=BASE_COMMIT, help=f"the commit of today's code (default {BASE_COMMIT})")
    parser.add_argument("--no-parts", action="store_true", help="skip the figure-by-figure parts")
    args = parser.parse_args()
    if args.make:
        make_folders(args.make)
        return 0
    if not args.folders:
        parser.error("give result folders (made with --make) or --make FOLDER")
    versions: list[tuple[str, int | None]] = [("today", None), ("new, 1 worker", 1), ("new, 2 workers", 2)]
    with base_worktree(args.base) as base, tempfile.TemporaryDirectory(prefix="bench-report-") as scratch_name:
        scratch = Path(scratch_name)
        roots = {"today": base}
        for label, workers in versions:  # untimed: a fresh worktree compiles the model's numba functions once
            timed_report(roots.get(label, ROOT), args.folders[0], scratch, workers)
        for folder in args.folders:
            times: dict[str, list[float]] = {label: [] for label, _ in versions}
            for round_index in range(args.rounds):
                order = versions if round_index % 2 == 0 else versions[::-1]
                for label, workers in order:
                    times[label].append(timed_report(roots.get(label, ROOT), folder, scratch, workers))
                line = ", ".join(f"{label} {times[label][-1]:.1f} s" for label, _ in versions)
                print(f"{folder.name} round {round_index + 1}: {line}", flush=True)
            today = statistics.median(times["today"])
            print(f"{folder.name}: median of {args.rounds} rounds (sim report, wall clock, a fresh copy each time)")
            for label, _ in versions:
                ratios = [new / old for new, old in zip(times[label], times["today"], strict=True)]
                print(
                    f"  {label:16s} {statistics.median(times[label]):6.1f} s   "
                    f"× today: {statistics.median(ratios):.2f} (rounds: {', '.join(f'{r:.2f}' for r in ratios)})"
                )
            one, two = times["new, 1 worker"], times["new, 2 workers"]
            speedup = statistics.median(a / b for a, b in zip(one, two, strict=True))
            faster = today / statistics.median(two)
            print(f"  2 workers vs 1: {speedup:.2f}× faster; today / new with 2 workers: {faster:.2f}")
            if not args.no_parts:
                print(f"{folder.name}: parts of an in-process report (one run each; CPU seconds)")
                print_parts("today", parts(base, folder, scratch))
                print_parts("new", parts(ROOT, folder, scratch))
    return 0


if __name__ == "__main__":
    sys.exit(main())
