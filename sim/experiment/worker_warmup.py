"""Warm-up of the fork server that local worker pools are forked from: import it to load the model warm.

Listed last in :data:`sim.experiment.execution.WORKER_PRELOAD`, it is imported once by the fork server (see
:mod:`sim.experiment.executors`), and every worker forked from the server then starts with the model's modules and
its compiled kernels loaded. Importing the modules is not enough: numba loads a compiled function from its on-disk
cache at the function's first call (~0.3 s for each of the night's kernels, about 1 s a process). So importing this
module also runs one two-day replication of the shipped baseline scenario (:func:`warm_up`), which calls each of
them once.

A warm-up that cannot run (no shipped scenarios beside a non-editable install, a scenario that does not validate,
anything else) leaves the process as it was and says nothing: the workers then load the kernels at their first
replication, as they would without it. Nothing of the warm-up's replication is kept.
"""

from __future__ import annotations

import contextlib

__all__ = ["WARM_UP_DAYS", "warm_up"]

WARM_UP_DAYS = 2
"""Days of the warm-up replication: two nights call every compiled kernel of the night at least once."""


def warm_up() -> bool:
    """Run one short replication of the shipped baseline in this process; return whether it ran."""
    from sim.model.run import run_replication
    from sim.scenario.files import shipped_scenarios_folder
    from sim.scenario.loader import load_scenario

    folder = shipped_scenarios_folder()
    if folder is None or not (folder / "baseline.yaml").is_file():
        return False
    run_replication(load_scenario(folder / "baseline.yaml", [f"horizon_days={WARM_UP_DAYS}"]), 0)
    return True


with contextlib.suppress(Exception):  # a fork server whose preload raised would break every pool started from it
    warm_up()
