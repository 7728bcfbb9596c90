"""Shared material of the report tests (no tests here): one small real run and synthetic compare/sweep folders.

The real run (baseline, 3 replications of 30 days) and its report are made once per test session and shared by
``test_report_figures``, ``test_report_document`` and ``test_report_cli`` through :func:`real_run` and
:func:`real_report`. The compare and sweep folders are written by hand in the formats ``sim compare`` and
``sim sweep`` write, with numbers chosen so the expected figures and tables are known exactly.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner, Result

from sim.api import load_scenario, run
from sim.cli import app
from sim.experiment.replications import RunResults
from sim.model.ledger import DAILY_SERIES

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
WIDE = {"COLUMNS": "1000"}

_CACHE: dict[str, Any] = {}


def invoke(*args: str) -> Result:
    """Run the ``sim`` command line in-process."""
    return CliRunner().invoke(app, list(args), env=WIDE)


def real_run(factory: pytest.TempPathFactory) -> RunResults:
    """``sim run scenarios/baseline.yaml -n 3 --set horizon_days=30`` through the API, once per session."""
    if "run" not in _CACHE:
        scenario = load_scenario(BASELINE, overrides=["horizon_days=30"])
        _CACHE["run"] = run(scenario, replications=3, workers=1, results_root=factory.mktemp("report-run"))
    result: RunResults = _CACHE["run"]
    return result


def real_report(factory: pytest.TempPathFactory) -> tuple[Result, Path]:
    """``sim report`` on the real run folder, once per session: the CLI result and the folder."""
    if "report" not in _CACHE:
        run_dir = real_run(factory).run_dir
        _CACHE["report"] = (invoke("report", str(run_dir)), run_dir)
    result: tuple[Result, Path] = _CACHE["report"]
    return result


# ----------------------------------------------------------------------------------------------------------------
# Parsing the HTML report
# ----------------------------------------------------------------------------------------------------------------


class ReportParser(HTMLParser):
    """Collects what the report tests check: section ids, headings, images, attributes, table rows by section."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.section_ids: list[str] = []
        self.headings: list[str] = []
        self.images: list[dict[str, str]] = []
        self.attributes: list[tuple[str, str, str]] = []  # (tag, attribute, value)
        self.tags: set[str] = set()
        self.text: list[str] = []
        self.rows_by_section: dict[str, int] = {}
        self._sections: list[str] = []
        self._heading: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        self.tags.add(tag)
        for name, value in values.items():
            self.attributes.append((tag, name, value))
        if tag == "section":
            self._sections.append(values.get("id", ""))
            self.section_ids.append(values.get("id", ""))
        elif tag == "img":
            self.images.append(values)
        elif tag in ("h1", "h2", "h3", "h4"):
            self._heading = []
        elif tag == "tr" and self._sections:
            section = self._sections[-1]
            self.rows_by_section[section] = self.rows_by_section.get(section, 0) + 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._sections:
            self._sections.pop()
        elif tag in ("h1", "h2", "h3", "h4") and self._heading is not None:
            self.headings.append("".join(self._heading).strip())
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading is not None:
            self._heading.append(data)


def parse_report(path: Path) -> ReportParser:
    """Parse a report.html."""
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    parser.close()
    return parser


# ----------------------------------------------------------------------------------------------------------------
# Synthetic compare and sweep folders
# ----------------------------------------------------------------------------------------------------------------

SHAHED_COST_VARIANT = 40000.0
"""The one parameter the synthetic variant changes (the baseline says 32,000)."""


def _resolved_scenario(horizon_days: int) -> dict[str, Any]:
    scenario = load_scenario(BASELINE, overrides=[f"horizon_days={horizon_days}"])
    data = scenario.model_dump(mode="json", exclude_none=True)
    data.pop("extends", None)
    return data


def _write_yaml(path: Path, data: dict[str, Any]) -> None:
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def synthetic_timeseries(region_names: list[str], points: int, replications: int, days: int) -> pd.DataFrame:
    """Daily series of every point and replication: ``value = (point + 1) * (replication + 1)`` for flows."""
    rows = []
    for point in range(points):
        for replication in range(replications):
            for day in range(days):
                rows.append((f"p{point:04d}-r{replication:04d}", point, replication, day))
    frame = pd.DataFrame(rows, columns=["key", "point", "replication", "day"])
    factor = (frame["point"] + 1) * (frame["replication"] + 1)
    for name in DAILY_SERIES:
        frame[name] = factor.astype(float)
    frame["capability_target_fulfilment"] = 0.5 + 0.1 * frame["point"]
    for region in region_names:
        frame[f"stock.{region}"] = 1000.0 - frame["day"] * factor
    return frame


def synthetic_compare_dir(root: Path) -> Path:
    """A compare folder of two scenarios (``base``, ``variant``), 4 replications, 28 days, known differences.

    The variant has 2 fewer ``nato_leakers`` in every replication (clearly better), 30 more
    ``interceptor_spend_meur`` (neither better nor worse: changed) and a 0.05 lower
    ``ukraine_drone_intercept_rate`` (worse), and changes one parameter (the Shahed's unit cost).
    """
    run_dir = root / "compare-synthetic"
    run_dir.mkdir()
    base = _resolved_scenario(28)
    variant = json.loads(json.dumps(base))
    variant["name"] = "variant"
    variant["catalog"]["threats"]["shahed"]["unit_cost_eur"]["value"] = SHAHED_COST_VARIANT
    _write_yaml(run_dir / "scenario-0-base.yaml", base)
    _write_yaml(run_dir / "scenario-1-variant.yaml", variant)
    seeds = [11, 12, 13, 14]
    manifest = {
        "kind": "compare",
        "scenarios": [
            {"label": "base", "name": "baseline", "file": "scenarios/baseline.yaml", "hash": "aa",
             "resolved": "scenario-0-base.yaml"},
            {"label": "variant", "name": "variant", "file": "variant.yaml", "hash": "bb",
             "resolved": "scenario-1-variant.yaml"},
        ],
        "baseline": "base",
        "overrides": ["horizon_days=28"],
        "base_seed": 7,
        "replications": 4,
        "seeds": seeds,
        "executor": {"workers": 1, "scheduler": None},
        "command": "sim compare scenarios/baseline.yaml variant.yaml -n 4 --seed 7 --set horizon_days=28",
        "versions": {"python": "3.12", "eu-airdefence-sim": "0.1.0"},
        "started": "2025-01-01T00:00:00+00:00",
        "finished": "2025-01-01T00:01:00+00:00",
        "status": "complete",
        "tally": {"ok": 8, "failed": 0},
        "notes": [],
    }  # fmt: skip
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    regions = list(base["actors"]["member_states"]) + [
        region["name"] for region in base["actors"]["ukraine"]["regions"]
    ]
    rows = []
    for point, label in enumerate(("base", "variant")):
        for replication, seed in enumerate(seeds):
            rows.append(
                {
                    "key": f"p{point:04d}-r{replication:04d}",
                    "point": point,
                    "scenario": label,
                    "replication": replication,
                    "seed": seed,
                    "status": "ok",
                    "error": "",
                    "elapsed_s": 0.1,
                    "ukraine_drone_intercept_rate": 0.9 - 0.05 * point + 0.01 * replication,
                    "nato_leakers": 10.0 + replication - 2.0 * point,
                    "interceptor_spend_meur": 100.0 + 10 * replication + 30.0 * point,
                    "airport_closure_hours": 40.0,
                    **{f"leakers.{region}": float(index) for index, region in enumerate(regions)},
                }
            )
    pd.DataFrame(rows).to_csv(run_dir / "replications.csv", index=False)
    comparison = pd.DataFrame(
        [
            ("base", "ukraine_drone_intercept_rate", 0.915, 0.9, 0.93, 0.0, 0.0, 0.0, False, 4),
            ("base", "nato_leakers", 11.5, 10.0, 13.0, 0.0, 0.0, 0.0, False, 4),
            ("base", "interceptor_spend_meur", 115.0, 100.0, 130.0, 0.0, 0.0, 0.0, False, 4),
            ("base", "airport_closure_hours", 40.0, 40.0, 40.0, 0.0, 0.0, 0.0, False, 4),
            ("variant", "ukraine_drone_intercept_rate", 0.865, 0.85, 0.88, -0.05, -0.05, -0.05, True, 4),
            ("variant", "nato_leakers", 9.5, 8.0, 11.0, -2.0, -2.0, -2.0, True, 4),
            ("variant", "interceptor_spend_meur", 145.0, 130.0, 160.0, 30.0, 30.0, 30.0, True, 4),
            ("variant", "airport_closure_hours", 40.0, 40.0, 40.0, 0.0, 0.0, 0.0, False, 4),
        ],
        columns=["scenario", "metric", "mean", "low", "high", "diff_mean", "diff_low", "diff_high", "significant",
                 "n"],
    )  # fmt: skip
    comparison.to_csv(run_dir / "comparison.csv", index=False)
    objectives = pd.DataFrame(
        [
            ("base", "nato_airspace", "nato_leakers", "<=", 5.0, 0.0, 0.0, 0.4, 4, "few leakers"),
            ("variant", "nato_airspace", "nato_leakers", "<=", 5.0, 0.25, 0.05, 0.65, 4, "few leakers"),
        ],
        columns=["scenario", "name", "metric", "direction", "threshold", "probability", "low", "high", "n",
                 "description"],
    )  # fmt: skip
    objectives.to_csv(run_dir / "objectives.csv", index=False)
    synthetic_timeseries(regions, 2, 4, 28).to_parquet(run_dir / "timeseries.parquet", index=False)
    return run_dir


SWEEP_PARAMETERS = (
    ("actors.adversary.raids.params.drones_per_night", 150.0, 210.0),
    ("catalog.threats.shahed.unit_cost_eur", 18000.0, 92000.0),
)


def sweep_outcome(drones_per_night: np.ndarray, shahed_cost_eur: np.ndarray) -> np.ndarray:
    """The synthetic sweep's ``nato_leakers``: linear, so its tornado swings are known exactly."""
    return 2.0 + 0.1 * drones_per_night - 0.0001 * shahed_cost_eur


def synthetic_sweep_dir(root: Path) -> Path:
    """A Sobol sweep folder over two parameters with a linear outcome and known indices."""
    run_dir = root / "sweep-synthetic"
    run_dir.mkdir()
    _write_yaml(run_dir / "scenario.yaml", _resolved_scenario(28))
    rng = np.random.default_rng(5)
    count = 24
    drones = rng.uniform(150.0, 210.0, count)
    cost = rng.uniform(18000.0, 92000.0, count)
    leakers = sweep_outcome(drones, cost)
    intercept = 0.95 - 0.0002 * drones
    names = [name for name, _, _ in SWEEP_PARAMETERS]
    design = pd.DataFrame({"point": np.arange(count), names[0]: drones, names[1]: cost})
    design.to_csv(run_dir / "design.csv", index=False)
    points = design.assign(
        replications_ok=2, replications_failed=0, nato_leakers=leakers, ukraine_drone_intercept_rate=intercept
    )
    points.to_csv(run_dir / "points.csv", index=False)
    rows = []
    for point in range(count):
        for replication in range(2):
            rows.append(
                {
                    "key": f"p{point:04d}-r{replication:04d}",
                    "point": point,
                    "replication": replication,
                    "seed": 100 + replication,
                    "status": "ok",
                    "error": "",
                    "elapsed_s": 0.1,
                    "nato_leakers": leakers[point],
                    "ukraine_drone_intercept_rate": intercept[point],
                }
            )
    pd.DataFrame(rows).to_csv(run_dir / "replications.csv", index=False)
    indices = pd.DataFrame(
        [
            ("nato_leakers", names[0], "sobol", 0.6, 0.05, 0.62, 0.06, 0.62, 1),
            ("nato_leakers", names[1], "sobol", 0.38, 0.04, 0.4, 0.05, 0.4, 2),
            ("ukraine_drone_intercept_rate", names[0], "sobol", 0.98, 0.02, 1.0, 0.02, 1.0, 1),
            ("ukraine_drone_intercept_rate", names[1], "sobol", 0.0, 0.01, 0.0, 0.01, 0.0, 2),
        ],
        columns=["outcome", "parameter", "method", "S1", "S1_conf", "ST", "ST_conf", "influence", "rank"],
    )
    indices.to_csv(run_dir / "indices.csv", index=False)
    manifest = {
        "kind": "sweep",
        "scenario": {"name": "baseline", "file": "scenarios/baseline.yaml", "overrides": ["horizon_days=28"],
                     "hash": "cc"},
        "method": "sobol",
        "analysis": "sobol",
        "samples": 4,
        "design_seed": 3,
        "parameters": [
            {"name": name, "low": low, "high": high, "whole_number": False, "value": 175.0, "origin": "contested"}
            for name, low, high in SWEEP_PARAMETERS
        ],
        "outcomes": ["nato_leakers", "ukraine_drone_intercept_rate"],
        "points": count,
        "base_seed": 3,
        "replications": 2,
        "seeds": [100, 101],
        "executor": {"workers": 1, "scheduler": None},
        "command": "",
        "versions": {"python": "3.12"},
        "started": "2025-01-01T00:00:00+00:00",
        "finished": "2025-01-01T00:01:00+00:00",
        "status": "complete",
        "notes": ["airport_closure_hours: constant"],
    }  # fmt: skip
    (run_dir / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return run_dir
