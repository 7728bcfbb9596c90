"""Fingerprint the outputs of every shipped scenario, to prove that a change of structure changed no number.

Runs each ``scenarios/*.yaml`` under three base seeds (in this process, one worker, no report) and prints one
SHA-256 per output file (``replications.csv`` without the time each replication took, ``timeseries.parquet``,
``summary.csv``, ``objectives.csv``); with ``--reference`` it also regenerates the reference comparison
(``python -m sim.report.reference``) into a temporary folder and fingerprints its ``comparison.csv`` and
``objectives.csv``. Record before a change, check after it::

    .venv/bin/python benchmarks/check_outputs.py --write /tmp/before.json
    .venv/bin/python benchmarks/check_outputs.py --check /tmp/before.json      # exit 1 on any difference

Asserts nothing about speed; prints which files differ, if any.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from sim.api import load_scenario, run

SCENARIO_DIR = Path("scenarios")
SEEDS = (1, 2, 3)
RUN_FILES = ("replications.csv", "timeseries.parquet", "summary.csv", "objectives.csv")
REFERENCE_FILES = ("comparison.csv", "objectives.csv")


UNSTABLE_COLUMNS = ("elapsed_s",)
"""Columns that measure the machine, not the model: left out of a CSV's fingerprint."""


def digest(path: Path) -> str:
    """SHA-256 of one file's bytes; of a CSV, its bytes without the columns in :data:`UNSTABLE_COLUMNS`."""
    if path.suffix != ".csv":
        return hashlib.sha256(path.read_bytes()).hexdigest()
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    rows = list(csv.reader(lines))
    kept = [index for index, name in enumerate(rows[0] if rows else []) if name not in UNSTABLE_COLUMNS]
    if rows and len(kept) == len(rows[0]):
        return hashlib.sha256(path.read_bytes()).hexdigest()
    stable = "\n".join(",".join(row[index] for index in kept) for row in rows)
    return hashlib.sha256(stable.encode()).hexdigest()


def fingerprints(replications: int, horizon_days: int | None, reference: bool) -> dict[str, str]:
    """One digest per (scenario, seed, output file), plus the reference comparison's files if asked."""
    overrides = [f"horizon_days={horizon_days}"] if horizon_days else []
    found: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as root:
        for scenario_file in sorted(SCENARIO_DIR.glob("*.yaml")):
            scenario = load_scenario(scenario_file, overrides=overrides)
            for seed in SEEDS:
                results = run(scenario, replications=replications, seed=seed, workers=1, results_root=root)
                for name in RUN_FILES:
                    found[f"{scenario_file.stem}/seed{seed}/{name}"] = digest(results.run_dir / name)
                print(f"  {scenario_file.stem} seed {seed}", file=sys.stderr)
        if reference:
            from sim.report.reference import build_reference

            out = Path(root) / "reference"
            build_reference(out, workers=1)
            for name in REFERENCE_FILES:
                found[f"reference/{name}"] = digest(out / name)
    return found


def write_fingerprints(path: Path, found: dict[str, str]) -> None:
    """Write fingerprints to a JSON file and say so."""
    path.write_text(json.dumps(found, indent=1, sort_keys=True) + "\n")
    print(f"{len(found)} fingerprints written to {path}")


def check_fingerprints(path: Path, found: dict[str, str], noun: str, not_made: tuple[str, ...] = ()) -> int:
    """Compare fingerprints with those written earlier; print each difference; 1 if any, else 0.

    Args:
        path: The JSON file written by :func:`write_fingerprints`.
        found: The fingerprints just made.
        noun: What the fingerprints are of, for the closing line ("outputs", "report files").
        not_made: Key prefixes of recorded fingerprints this check did not make (left out, not differences).
    """
    expected = {key: value for key, value in json.loads(path.read_text()).items() if not key.startswith(not_made)}
    keys = expected.keys() | found.keys()
    differing = sorted(key for key in keys if expected.get(key) != found.get(key))
    for key in differing:
        print(f"DIFFERS: {key}")
    print(f"{len(keys) - len(differing)} of {len(keys)} {noun} identical")
    return 1 if differing else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", "-n", type=int, default=2, help="replications per scenario and seed")
    parser.add_argument("--horizon-days", type=int, default=None, help="shorten every scenario (default: as shipped)")
    parser.add_argument("--reference", action="store_true", help="also regenerate the reference comparison")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--write", type=Path, help="write the fingerprints to this JSON file")
    action.add_argument("--check", type=Path, help="compare with fingerprints written earlier; exit 1 on a difference")
    args = parser.parse_args()

    found = fingerprints(args.replications, args.horizon_days, args.reference)
    if args.write:
        write_fingerprints(args.write, found)
        return 0
    if args.check:
        return check_fingerprints(args.check, found, "outputs", not_made=() if args.reference else ("reference/",))
    for key, value in sorted(found.items()):
        print(f"{value}  {key}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
