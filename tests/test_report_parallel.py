"""Reports drawn on several workers are the same files as in one process; the map's replay is kept in the folder.

The real run folder of ``test_report_support`` (baseline, 3 replications of 30 days) is copied twice under the same
name (the name is in the report's subtitle) and reported with ``sim report -w 1`` and ``-w 2``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image
from test_report_support import invoke, real_run

from sim.experiment.executors import SerialExecutor
from sim.report import build, map_replay
from sim.report.build import write_report
from sim.report.map import deployed_fire_units

REPORT_FILES = ("report.md", "report.html")


def _fresh_copy(run_dir: Path, parent: Path) -> Path:
    copy = parent / run_dir.name
    shutil.copytree(run_dir, copy, ignore=shutil.ignore_patterns("report.*", "figures", map_replay.REPLAY_FILE))
    return copy


def test_two_workers_write_the_same_report_as_one(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    run_dir = real_run(tmp_path_factory).run_dir
    folders = {workers: _fresh_copy(run_dir, tmp_path / f"w{workers}") for workers in (1, 2)}
    for workers, folder in folders.items():
        result = invoke("report", str(folder), "--workers", str(workers))
        assert result.exit_code == 0, result.output
        assert "9 figures as PNG and SVG" in result.output
    one, two = folders[1], folders[2]
    for name in REPORT_FILES:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    pngs = sorted(path.name for path in (one / "figures").glob("*.png"))
    assert pngs == sorted(path.name for path in (two / "figures").glob("*.png")) and len(pngs) == 9
    for name in pngs:
        assert (one / "figures" / name).read_bytes() == (two / "figures" / name).read_bytes(), name
    assert sorted(path.name for path in (two / "figures").glob("*.svg")) == [name[:-4] + ".svg" for name in pngs]
    with Image.open(one / "figures" / "map.png") as image:  # 15 x 9.5 inches at 110 dpi, a 256-colour palette
        assert image.mode == "P" and image.size == (1650, 1045)


def test_the_maps_replay_is_kept_and_read_back(tmp_path_factory: pytest.TempPathFactory, tmp_path: Path) -> None:
    results = real_run(tmp_path_factory)
    folder = _fresh_copy(results.run_dir, tmp_path)
    write_report(folder)
    kept = json.loads((folder / map_replay.REPLAY_FILE).read_text(encoding="utf-8"))
    seed = results.seeds[0]
    assert kept == {map_replay.replay_key(results.scenario, seed): deployed_fire_units(results.scenario, seed)}
    first = (folder / "report.md").read_text(encoding="utf-8")
    assert f"at the end of replication 1 (seed {seed}, replayed)" in first

    def no_model(*_: object) -> None:
        raise AssertionError("the kept replay should have been read, not run again")

    original = map_replay.deployed_fire_units
    map_replay.deployed_fire_units = no_model  # type: ignore[assignment]
    try:
        write_report(folder)
    finally:
        map_replay.deployed_fire_units = original
    assert (folder / "report.md").read_text(encoding="utf-8") == first


@pytest.mark.parametrize("kept", ["{not json", '{"another-key": {"PL": {"patriot": 99}}}'])
def test_a_damaged_or_foreign_kept_replay_is_replayed(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, kept: str
) -> None:
    results = real_run(tmp_path_factory)
    reference = _fresh_copy(results.run_dir, tmp_path / "reference")
    write_report(reference)
    folder = _fresh_copy(results.run_dir, tmp_path / "kept")
    (folder / map_replay.REPLAY_FILE).write_text(kept, encoding="utf-8")
    write_report(folder)
    assert (folder / "report.md").read_bytes() == (reference / "report.md").read_bytes()
    written = json.loads((folder / map_replay.REPLAY_FILE).read_text(encoding="utf-8"))
    assert map_replay.replay_key(results.scenario, results.seeds[0]) in written


def test_sim_report_refuses_zero_workers(tmp_path_factory: pytest.TempPathFactory) -> None:
    result = invoke("report", str(real_run(tmp_path_factory).run_dir), "--workers", "0")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "Invalid value for '--workers'" in result.output and "greater than or equal to 1" in result.output


def test_a_worker_that_dies_is_a_message_not_a_traceback(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _fresh_copy(real_run(tmp_path_factory).run_dir, tmp_path)

    class DeadPool(SerialExecutor):
        def submit(self, *_: object, **__: object) -> Future[object]:
            raise BrokenProcessPool("A child process terminated abruptly")

    @contextmanager
    def dead_pool(*_: object, **__: object) -> Iterator[Executor]:
        yield DeadPool()

    monkeypatch.setattr(build, "open_executor", dead_pool)
    result = invoke("report", str(folder), "--workers", "2")
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert "a process drawing the figures stopped (A child process terminated abruptly)" in result.output
    assert f"sim report {folder} --workers 1" in result.output
    assert not (folder / "report.html").exists()
