"""A ``dask worker --preload`` module that makes every model replication on that worker take longer.

Tests that stop a cluster mid-run need the run to last a few seconds after its first chunk lands; a replication of a
20-day scenario takes a few milliseconds. This module wraps :func:`sim.model.run.run_replication` on the worker so
that each call first sleeps :data:`PACE_S` seconds. Results do not change: the wrapper calls the real function with
the same arguments. (The runner ships the function by reference, so the worker's unpickling finds the wrapper.)
"""

from __future__ import annotations

import functools
import time
from typing import Any

import sim.model.run

PACE_S = 0.1
"""Seconds added to each replication."""

_real_replication = sim.model.run.run_replication


@functools.wraps(_real_replication)
def _paced_replication(*args: Any, **kwargs: Any) -> Any:
    time.sleep(PACE_S)
    return _real_replication(*args, **kwargs)


sim.model.run.run_replication = _paced_replication
