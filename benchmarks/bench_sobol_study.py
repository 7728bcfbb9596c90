"""Benchmark of issue 17's Sobol' study: 10 contested parameters of the baseline, N = 256, 10 replications a point.

The study is ``sim sweep scenarios/baseline.yaml --method sobol --samples 256 -n 10`` over the 10 contested
parameters with the widest ranges (relative to their value): 256 × (10 + 2) = 3,072 design points and 30,720
replications of the multi-year baseline, then the indices and the report. It is too long to run in full while
developing, so each phase is measured at a stated size and scaled by what its cost grows with:

1. **planning** (the design and one validated scenario per point) — measured at the full size (all 3,072 points);
   beside it, the ratio old/new of milliseconds a point: the base commit ``33ee51c`` (a temporary ``git worktree``)
   and this tree planning ``--base-samples`` (default 16) alternately, each in a fresh process, two rounds.
2. **runs** — the first ``--points`` design points (default 24) with all 10 replications on ``--workers`` worker
   processes (default 2; pool start-up included), scaled by the number of replications (30,720 / those run).
3. **indices** — Sobol' indices of the 5 default outcomes at the full size, on synthetic outputs (a known function
   of the design plus noise; the cost depends on the number of points, not on the values).
4. **report** — the sweep report of a synthetic full-size folder: the real design and plan, the replications of
   phase 2 repeated to fill every point, points and indices of phase 3.

It prints each phase, the extrapolated total and its ratio to the 5-minute target. Asserts nothing. Run from the
project root (re-run it after the model gets faster: nothing is cached)::

    .venv/bin/python benchmarks/bench_sobol_study.py                 # ~3 min on 2 shared cores
    .venv/bin/python benchmarks/bench_sobol_study.py --points 48 --no-base
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
BASE_COMMIT = "33ee51c"
TARGET_S = 300.0
PARAMETERS = 10
SAMPLES = 256
REPLICATIONS = 10


def widest_contested(count: int) -> list[str]:
    """``key=low:high`` of the ``count`` contested parameters of the baseline with the widest relative ranges."""
    from sim.scenario.loader import read_scenario_document, validate_document
    from sim.scenario.provenance import provenance_rows

    base = validate_document(read_scenario_document(BASELINE))
    rows = [
        row
        for row in provenance_rows(base)
        if row.is_contested and row.low is not None and row.high is not None and '["' not in row.key_path
    ]
    rows.sort(key=lambda row: (-((row.high or 0.0) - (row.low or 0.0)) / max(abs(row.value), 1e-9), row.key_path))
    return [f"{row.key_path}={row.low!r}:{row.high!r}" for row in rows[:count]]


def plan_seconds(vary: list[str], samples: int) -> tuple[float, int]:
    """Seconds to plan the Sobol' sweep (design and validated point scenarios), and its number of points."""
    from sim.experiment.sweep_plan import plan_sweep
    from sim.scenario.loader import read_scenario_document

    document = read_scenario_document(BASELINE)
    started = time.perf_counter()
    plan = plan_sweep(document, vary=vary, method="sobol", samples=samples)
    return time.perf_counter() - started, len(plan.scenarios)


def base_plan_ms_per_point(vary: list[str], samples: int, rounds: int) -> list[tuple[float, float]]:
    """Milliseconds a point of planning at the base commit (a temporary worktree, a fresh process each round) and,
    alternating with it in the same rounds, of the working tree (also a fresh process): ``[(base, new), ...]``."""
    with tempfile.TemporaryDirectory(prefix="sobol-base-") as folder:
        tree = Path(folder) / "tree"
        made = subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), BASE_COMMIT],
            capture_output=True,
            text=True,
        )
        if made.returncode != 0:
            print(f"  (base commit not measured: {made.stderr.strip()})")
            return []
        try:
            return [(_plan_ms_in(tree, vary, samples), _plan_ms_in(ROOT, vary, samples)) for _ in range(rounds)]
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], capture_output=True)


def _plan_ms_in(tree: Path, vary: list[str], samples: int) -> float:
    """Milliseconds a point of planning with the code of ``tree``, in a fresh process."""
    code = (
        "import json, sys, time, sim\n"
        f"assert sim.__file__.startswith({str(tree)!r}), sim.__file__\n"
        "from sim.experiment.sweep_plan import plan_sweep\n"
        "from sim.scenario.loader import read_scenario_document\n"
        f"document = read_scenario_document({str(tree / 'scenarios' / 'baseline.yaml')!r})\n"
        "started = time.perf_counter()\n"
        f"plan = plan_sweep(document, vary={vary!r}, method='sobol', samples={samples})\n"
        "print(json.dumps([time.perf_counter() - started, len(plan.scenarios)]))\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(tree)}
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tree, env=environment)
    if ran.returncode != 0:
        raise RuntimeError(f"planning in {tree} failed: {ran.stderr.strip().splitlines()[-1]}")
    seconds, points = json.loads(ran.stdout.strip().splitlines()[-1])
    return float(1000 * seconds / points)


def run_fraction(plan: Any, points: int, workers: int, folder: Path) -> tuple[float, Path]:
    """Seconds to run the first ``points`` points × 10 replications through the sweep's runner."""
    from sim.experiment.execution import Execution
    from sim.experiment.manifest import new_manifest
    from sim.experiment.replications import run_points
    from sim.experiment.seeds import replication_seeds
    from sim.experiment.store import create_run_dir

    execution = Execution(workers=workers, results_root=folder, progress=False)
    seeds = replication_seeds(plan.base.seed, REPLICATIONS)
    run_dir = create_run_dir(folder, "fraction")
    manifest = new_manifest("sweep", {}, base_seed=plan.base.seed, seeds=seeds, execution=execution)
    started = time.perf_counter()
    run_points(run_dir, manifest, plan.scenarios[:points], seeds, execution)
    return time.perf_counter() - started, run_dir


def synthetic_points(plan: Any) -> Any:
    """A points table of the full design with outputs that depend on the parameters in a known way."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    unit = (plan.applied - plan.applied.min(axis=0)) / np.ptp(plan.applied, axis=0)
    weights = rng.random((len(plan.outcomes), unit.shape[1]))
    table = pd.DataFrame(plan.applied, columns=[parameter.name for parameter in plan.parameters])
    table.insert(0, "point", np.arange(len(table)))
    table["replications_ok"] = REPLICATIONS
    table["replications_failed"] = 0
    for index, outcome in enumerate(plan.outcomes):
        table[outcome] = unit @ weights[index] + unit[:, 0] * unit[:, 1] + rng.normal(0, 0.05, len(unit))
    return table


def full_size_folder(plan: Any, fraction_dir: Path, points: Any, indices: Any, folder: Path) -> Path:
    """A sweep folder of the full study: the real plan, phase 2's replications repeated over every point."""
    import pandas as pd

    from sim.experiment.execution import Execution
    from sim.experiment.manifest import new_manifest, write_manifest, write_resolved_scenario
    from sim.experiment.seeds import replication_seeds
    from sim.experiment.store import ResultStore, atomic_write_text, create_run_dir

    run_dir = create_run_dir(folder, "full-size")
    measured = ResultStore(fraction_dir).load_metrics()
    ok = measured[measured["status"] == "ok"]
    repeats = -(-len(plan.scenarios) // ok["point"].nunique())
    tiled = pd.concat([ok] * repeats, ignore_index=True).iloc[: len(plan.scenarios) * REPLICATIONS].copy()
    tiled["point"] = [point for point in range(len(plan.scenarios)) for _ in range(REPLICATIONS)][: len(tiled)]
    tiled.to_csv(run_dir / "replications.csv", index=False)
    write_resolved_scenario(run_dir, plan.base)
    atomic_write_text(run_dir / "design.csv", plan.design.to_frame().reset_index().to_csv(index=False))
    atomic_write_text(run_dir / "points.csv", points.to_csv(index=False))
    atomic_write_text(run_dir / "indices.csv", indices.to_csv(index=False))
    seeds = replication_seeds(plan.base.seed, REPLICATIONS)
    manifest = new_manifest(
        "sweep",
        {
            "scenario": {"name": plan.base.name, "file": str(BASELINE), "overrides": [], "hash": ""},
            "method": "sobol",
            "analysis": "sobol",
            "samples": SAMPLES,
            "design_seed": plan.base.seed,
            "parameters": [parameter.to_manifest() for parameter in plan.parameters],
            "outcomes": plan.outcomes,
            "points": len(plan.scenarios),
        },
        base_seed=plan.base.seed,
        seeds=seeds,
        execution=Execution(workers=2),
    )
    manifest["status"] = "complete"
    write_manifest(run_dir, manifest)
    return run_dir


def main() -> None:
    """Measure each phase, extrapolate, print."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", type=int, default=24, help="design points run in phase 2 (default 24)")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of phase 2 (default 2)")
    parser.add_argument("--base-samples", type=int, default=16, help="Sobol N planned at the base commit")
    parser.add_argument("--no-base", action="store_true", help="do not plan at the base commit")
    arguments = parser.parse_args()

    from sim.analysis.sweep_tables import sensitivity_table
    from sim.experiment.sweep_plan import plan_sweep
    from sim.report.build import write_report
    from sim.scenario.loader import read_scenario_document

    vary = widest_contested(PARAMETERS)
    total_points = SAMPLES * (PARAMETERS + 2)
    total_replications = total_points * REPLICATIONS
    print(f"Sobol study: {PARAMETERS} parameters, N={SAMPLES}: {total_points:,} points × {REPLICATIONS} replications")
    names = ", ".join(text.split("=")[0] for text in vary)
    print(f"= {total_replications:,} replications of {BASELINE.name}; parameters: {names}")

    planning_s, planned = plan_seconds(vary, SAMPLES)
    planning_ms = 1000 * planning_s / planned
    print(
        f"1. planning, measured at full size: {planning_s:.2f} s for {planned:,} points ({planning_ms:.2f} ms a point)"
    )
    if not arguments.no_base:
        pairs = base_plan_ms_per_point(vary, arguments.base_samples, rounds=2)
        for base_ms, new_ms in pairs:
            print(
                f"   side by side, N={arguments.base_samples}, fresh processes: base {BASE_COMMIT} {base_ms:.2f} ms a "
                f"point, this tree {new_ms:.2f} ms a point: old/new = {base_ms / new_ms:.1f}×"
            )

    plan = plan_sweep(read_scenario_document(BASELINE), vary=vary, method="sobol", samples=SAMPLES)
    with tempfile.TemporaryDirectory(prefix="sobol-study-") as folder:
        run_s, fraction_dir = run_fraction(plan, arguments.points, arguments.workers, Path(folder))
        ran = arguments.points * REPLICATIONS
        runs_s = run_s * total_replications / ran
        print(
            f"2. runs: {ran} replications ({arguments.points} points × {REPLICATIONS}) on {arguments.workers} workers "
            f"in {run_s:.1f} s ({1000 * run_s / ran:.0f} ms a replication, pool start-up included), scaled by "
            f"{total_replications:,} / {ran} replications → {runs_s:.0f} s"
        )
        points = synthetic_points(plan)
        started = time.perf_counter()
        indices, _ = sensitivity_table(plan.design, plan.applied, plan.outcomes, points)
        indices_s = time.perf_counter() - started
        print(
            f"3. indices, measured at full size (synthetic outputs, {len(plan.outcomes)} outcomes): {indices_s:.2f} s"
        )
        run_dir = full_size_folder(plan, fraction_dir, points, indices, Path(folder))
        started = time.perf_counter()
        write_report(run_dir)
        report_s = time.perf_counter() - started
        print(f"4. report, measured at full size (a folder of {total_replications:,} replications): {report_s:.1f} s")
    total_s = planning_s + runs_s + indices_s + report_s
    print(
        f"total (extrapolated): {total_s:.0f} s = {total_s / 60:.1f} min against the {TARGET_S / 60:.0f}-minute "
        f"target: {total_s / TARGET_S:.2f}× the target (planning {planning_s:.0f} s, runs {runs_s:.0f} s, indices "
        f"{indices_s:.0f} s, report {report_s:.0f} s)"
    )


if __name__ == "__main__":
    main()
