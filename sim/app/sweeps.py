"""A finished ``sim sweep`` folder, read for the page's sweep view: its varied parameters, its design points with
their outcome means, and the nearest point to where the sliders stand.

Nothing is run: the sliders move over what the sweep computed. The figures are the sweep report's own tornado and
indices figures (:mod:`sim.report.figures.sweeps`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.analysis.designs import Parameter
from sim.experiment.manifest import read_manifest
from sim.experiment.sweep import INDICES_FILE, POINTS_FILE

__all__ = ["SweepFolder", "SweepFolderError", "find_sweep_folders", "open_sweep_folder"]


class SweepFolderError(Exception):
    """The folder is not a finished sweep the view can show (the message says why and what to do)."""


@dataclass(frozen=True)
class SweepFolder:
    """What the sweep view needs of a sweep folder.

    Attributes:
        path: The folder.
        method: The sweep's design method (``lhs``, ``sobol``, ``morris``, ``grid``).
        parameters: The varied parameters with their ranges.
        outcomes: The outcomes the sweep analysed.
        points: One row per design point: a column per parameter and per outcome (mean over its replications).
        indices: The sensitivity indices (empty when the folder has none).
    """

    path: Path
    method: str
    parameters: list[Parameter]
    outcomes: list[str]
    points: pd.DataFrame
    indices: pd.DataFrame

    def nearest_point(self, values: Mapping[str, float]) -> pd.Series:
        """The design point nearest to ``values`` (each parameter's distance measured as a share of its range).

        Args:
            values: A value per parameter name (a missing one counts as the middle of its range).

        Returns:
            The point's row (its parameters and outcome means).
        """
        distance = pd.Series(0.0, index=self.points.index)
        for parameter in self.parameters:
            span = parameter.high - parameter.low or 1.0
            wanted = values.get(parameter.name, (parameter.low + parameter.high) / 2)
            distance += ((self.points[parameter.name] - wanted) / span) ** 2
        return self.points.loc[distance.idxmin()]


def open_sweep_folder(path: str | Path) -> SweepFolder:
    """Read a sweep folder's manifest, points and indices.

    Raises:
        SweepFolderError: If the folder does not exist, is not a sweep, or holds no design points yet.
    """
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise SweepFolderError(f"{folder}: no such folder; give the folder `sim sweep` printed (results/…)")
    try:
        manifest = read_manifest(folder)
    except (OSError, ValueError) as error:
        raise SweepFolderError(f"{folder}: not a run folder ({error}); give a folder made by `sim sweep`") from None
    if manifest.get("kind") != "sweep":
        raise SweepFolderError(f"{folder} holds a '{manifest.get('kind', 'run')}' folder, not a sweep")
    points_file = folder / POINTS_FILE
    if not points_file.is_file():
        raise SweepFolderError(f"{folder} has no {POINTS_FILE}: the sweep has not finished (resume it with --resume)")
    parameters = [
        Parameter(str(entry["name"]), float(entry["low"]), float(entry["high"]))
        for entry in manifest.get("parameters", [])
    ]
    points = pd.read_csv(points_file)
    missing = [parameter.name for parameter in parameters if parameter.name not in points.columns]
    if missing or points.empty:
        raise SweepFolderError(f"{points_file} lacks the design's columns ({', '.join(missing) or 'no rows'})")
    indices_file = folder / INDICES_FILE
    indices = pd.read_csv(indices_file) if indices_file.is_file() else pd.DataFrame()
    outcomes = [str(outcome) for outcome in manifest.get("outcomes", []) if str(outcome) in points.columns]
    return SweepFolder(folder, str(manifest.get("method", "")), parameters, outcomes, points, indices)


def find_sweep_folders(results_root: Path, limit: int = 50) -> list[Path]:
    """The sweep folders under ``results_root`` (newest first, at most ``limit``)."""
    if not results_root.is_dir():
        return []
    found = []
    for manifest in sorted(results_root.glob("*/manifest.json"), reverse=True):
        try:
            if read_manifest(manifest.parent).get("kind") == "sweep":
                found.append(manifest.parent)
        except (OSError, ValueError):
            continue
        if len(found) >= limit:
            break
    return found


def slider_step(parameter: Parameter) -> float:
    """A slider step of about a hundredth of the parameter's range (one significant digit)."""
    span = parameter.high - parameter.low
    return float(f"{span / 100:.1g}") if span > 0 and math.isfinite(span) else 1.0
