"""One ``sim run scenarios/baseline.yaml --no-report`` in this process, timed phase by phase (for bench_scaling.py).

``bench_scaling.py`` (part d) starts this script as a fresh process per measurement, with ``PYTHONPATH`` naming the
code under test (the working tree, or the base commit's tree), so each measurement pays what a user's command
pays: its imports, the pool's start-up and its workers' imports. It does what ``sim run`` does up to the report,
in the same order (the command's options, then imports and loading the scenario, then the run), and prints one
JSON line of seconds::

    python benchmarks/timed_sim_run.py WORKERS REPLICATIONS OUT_DIR [KEY=VALUE ...]

Keys: ``prepare_s`` (imports and validating the scenario, before the run starts), ``open_s`` (from there until the
executor is open), ``first_result_s`` (until the first chunk is kept), ``replications_s`` (from the executor open
until the last chunk is kept), ``warm_up_s`` (time replications spent above the median replication: imports and
compiled kernels loaded at a first call), ``consolidate_s``, ``phase_s`` (the whole run: folder, executor,
replications, consolidation, summary) and ``command_s`` (everything after the interpreter started).
"""

from __future__ import annotations

import time

STARTED = time.perf_counter()

import dataclasses  # noqa: E402  (the clock starts before anything is imported)
import json  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Iterator, Mapping, Sequence  # noqa: E402
from contextlib import contextmanager  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402


def main() -> None:
    workers, count, out = int(sys.argv[1]), int(sys.argv[2]), Path(sys.argv[3])
    overrides = sys.argv[4:]
    from sim.commands.common import execution_options

    execution = execution_options(workers, None, out)  # what `sim run` does first
    from sim import api
    from sim.experiment import replications
    from sim.experiment.store import ResultStore

    scenario = api.load_scenario(Path("scenarios") / "baseline.yaml", overrides=overrides)
    prepared = time.perf_counter()
    marks: dict[str, float] = {}
    elapsed: list[float] = []
    # How run_points opens its executor: open_execution now, open_executor at the base commit.
    opener = "open_execution" if hasattr(replications, "open_execution") else "open_executor"
    opening = getattr(replications, opener)

    @contextmanager
    def timed_open(*args: Any, **options: Any) -> Iterator[Any]:
        with opening(*args, **options) as executor:
            marks["opened"] = time.perf_counter()
            yield executor

    consolidating = ResultStore.consolidate

    def timed_consolidate(store: ResultStore, *args: Any) -> Any:
        marks["consolidating"] = time.perf_counter()
        paths = consolidating(store, *args)
        marks["consolidated"] = time.perf_counter()
        return paths

    def kept(records: Sequence[Mapping[str, Any]]) -> None:
        marks.setdefault("first_result", time.perf_counter())
        marks["last_result"] = time.perf_counter()
        elapsed.extend(float(record["elapsed_s"]) for record in records)

    setattr(replications, opener, timed_open)
    ResultStore.consolidate = timed_consolidate  # type: ignore[method-assign]
    timed = dataclasses.replace(execution, progress=False, on_chunk=kept)
    replications.run_scenario(scenario, replications=count, execution=timed)
    done = time.perf_counter()
    median = statistics.median(elapsed)
    figures = {
        "prepare_s": prepared - STARTED,
        "open_s": marks["opened"] - prepared,
        "first_result_s": marks["first_result"] - marks["opened"],
        "replications_s": marks["last_result"] - marks["opened"],
        "warm_up_s": sum(elapsed) - median * len(elapsed),
        "consolidate_s": marks["consolidated"] - marks["consolidating"],
        "phase_s": done - prepared,
        "command_s": done - STARTED,
    }
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
