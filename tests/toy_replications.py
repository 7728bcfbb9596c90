"""Toy replication functions for the experiment-runner tests, plus a small driver used by the kill tests.

They follow the replication contract ``fn(payload, seed) -> {"metrics": ..., "timeseries": ...}`` and live in a
module of their own so worker processes (pool workers, Dask workers) can import them by name. Payloads are plain
dicts.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

HORIZON_DAYS = 30


def toy_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Draw a float series and an int series from ``default_rng(seed)``; metrics summarise them."""
    rng = np.random.default_rng(seed)
    mean = float(payload.get("mean", 0.0))
    daily_value = rng.normal(mean, 1.0, HORIZON_DAYS)
    daily_count = rng.poisson(float(payload.get("rate", 3.0)), HORIZON_DAYS).astype(np.int64)
    return {
        "metrics": {
            "mean_value": float(daily_value.mean()),
            "total_count": float(daily_count.sum()),
            "last_value": float(daily_value[-1]),
            "first_uniform": float(rng.random()),
        },
        "timeseries": {"value": daily_value, "count": daily_count},
    }


def failing_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Like :func:`toy_replication`, but raises ``ValueError`` for the seeds listed in ``payload["fail_seeds"]``."""
    if seed in payload.get("fail_seeds", ()):
        raise ValueError(f"toy failure for seed {seed}")
    return toy_replication(payload, seed)


def slow_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Sleep ``payload["sleep_s"]`` seconds, then behave like :func:`toy_replication`."""
    time.sleep(float(payload.get("sleep_s", 0.05)))
    return toy_replication(payload, seed)


def mutating_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Mutate the payload (a model bug): the runner must hand every replication a fresh copy."""
    payload["calls"] = payload.get("calls", 0) + 1
    result = toy_replication(payload, seed)
    result["metrics"]["calls_seen"] = float(payload["calls"])
    return result


def interrupting_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """Raise ``KeyboardInterrupt`` (as Ctrl-C would) for ``payload["interrupt_seed"]``; else toy results."""
    if seed == payload.get("interrupt_seed"):
        raise KeyboardInterrupt
    return toy_replication(payload, seed)


def dying_replication(payload: dict[str, Any], seed: int) -> dict[str, Any]:
    """End the worker process at once (as the out-of-memory killer would): the pool breaks."""
    del payload, seed
    os._exit(3)


def bad_result_replication(payload: dict[str, Any], seed: int) -> Any:
    """Return ``payload["result"]`` as it is: for checking how malformed results are reported."""
    return payload["result"]


class UnpicklableOnWorker:
    """A payload that pickles but cannot be unpickled (like a class missing on a worker)."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (_refuse_to_unpickle, ())


def _refuse_to_unpickle() -> None:
    raise ModuleNotFoundError("No module named 'scenario_module_missing_on_worker'")


def main(argv: list[str] | None = None) -> int:
    """Run a slow toy sweep into a run folder (used as a subprocess by the kill/interrupt tests).

    Exit codes: 0 finished, 130 interrupted (Ctrl-C) with "resume with --resume DIR" on stderr.
    """
    from sim.experiment.executors import open_executor
    from sim.experiment.runner import RunInterrupted, build_tasks, run_tasks
    from sim.experiment.seeds import replication_seeds
    from sim.experiment.store import ResultStore

    parser = argparse.ArgumentParser()
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--replications", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--chunk-size", type=int, default=2)
    parser.add_argument("--sleep-s", type=float, default=0.1)
    args = parser.parse_args(argv)
    tasks = build_tasks([{"sleep_s": args.sleep_s}], replication_seeds(7, args.replications))
    store = ResultStore(args.run_dir)
    try:
        with open_executor(workers=args.workers) as executor:
            tally = run_tasks(slow_replication, tasks, executor, store, chunk_size=args.chunk_size, progress=False)
    except RunInterrupted as interrupted:
        print(f"interrupted: {interrupted}", file=sys.stderr, flush=True)
        return 130
    print(f"done: {tally}", flush=True)
    return 0


def worker_state(_: object) -> dict[str, Any]:
    """What a pool worker holds when it starts: whether the model is imported, and its compiled (numba) functions
    that are already loaded, by module and name."""
    compiled = sorted(
        f"{module_name}.{name}"
        for module_name, module in list(sys.modules.items())
        if module_name.startswith("sim.model") and module is not None
        for name, value in vars(module).items()
        if getattr(value, "signatures", None) and getattr(value, "__module__", None) == module_name
    )
    return {"model_imported": "sim.model.world" in sys.modules, "compiled": compiled}


def default_sigint() -> None:
    """``preexec_fn`` of a child a test will stop with Ctrl-C: SIGINT at its default, as a terminal starts a command.

    An ignored signal stays ignored across ``exec``, and the test process may have come to ignore SIGINT (a library
    it drove did so, seen in the full suite after the browser tests): the child must not inherit that."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)
