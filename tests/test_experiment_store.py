"""Tests of the result store of ``sim.experiment``: atomic files, run folders, exact chunks, consolidation."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

import sim.experiment.store as store_module
from sim.experiment.store import (
    FIXED_COLUMNS,
    ResultStore,
    StoreError,
    atomic_write_bytes,
    atomic_write_text,
    create_run_dir,
)

DAYS = 7


def make_record(point: int, replication: int, *, failed: bool = False, seed: int | None = None) -> dict[str, Any]:
    rng = np.random.default_rng([point, replication])
    if failed:
        return {
            "key": f"p{point:04d}-r{replication:04d}",
            "point": point,
            "replication": replication,
            "seed": seed if seed is not None else 1000 + replication,
            "status": "failed",
            "metrics": {},
            "timeseries": {},
            "error": "RuntimeError: toy",
            "elapsed_s": 0.5,
        }
    return {
        "key": f"p{point:04d}-r{replication:04d}",
        "point": point,
        "replication": replication,
        "seed": seed if seed is not None else 1000 + replication,
        "status": "ok",
        "metrics": {"intercept_rate": float(rng.random()), "leakers": float(rng.integers(0, 50))},
        "timeseries": {
            "magazine": rng.normal(size=DAYS),
            "raids": rng.integers(-(2**62), 2**62, size=DAYS, dtype=np.int64),
        },
        "error": None,
        "elapsed_s": 0.25,
    }


@pytest.fixture
def store(tmp_path: Path) -> ResultStore:
    return ResultStore(create_run_dir(tmp_path, "store-test"))


def stray_files(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir() if path.name.endswith(".tmp"))


# ---------------------------------------------------------------------------------------------------------------
# Atomic files and run folders
# ---------------------------------------------------------------------------------------------------------------


def test_atomic_write_replaces_whole_file_and_leaves_no_temp_files(tmp_path: Path) -> None:
    target = tmp_path / "notes.txt"
    atomic_write_text(target, "first")
    atomic_write_text(target, "second, longer than the first")
    assert target.read_text() == "second, longer than the first"
    atomic_write_bytes(tmp_path / "blob.bin", b"\x00\xff" * 1000)
    assert (tmp_path / "blob.bin").read_bytes() == b"\x00\xff" * 1000
    assert sorted(path.name for path in tmp_path.iterdir()) == ["blob.bin", "notes.txt"]


def test_failed_atomic_write_keeps_the_old_file_and_cleans_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "notes.txt"
    atomic_write_text(target, "old")

    def refuse(source: Any, destination: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert stray_files(tmp_path) == []


def test_create_run_dir_never_reuses_a_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class FrozenClock(datetime):
        @classmethod
        def now(cls, tz: Any = None) -> FrozenClock:
            return cls(2025, 11, 21, 11, 15, 0, tzinfo=UTC)

    monkeypatch.setattr(store_module, "datetime", FrozenClock)
    first = create_run_dir(tmp_path / "results", "baseline")
    (first / "kept.txt").write_text("mine")
    second = create_run_dir(tmp_path / "results", "baseline")
    third = create_run_dir(tmp_path / "results", "baseline")
    assert [first.name, second.name, third.name] == [
        "20251121T111500Z-baseline",
        "20251121T111500Z-baseline-2",
        "20251121T111500Z-baseline-3",
    ]
    assert (first / "kept.txt").read_text() == "mine"
    assert list(second.iterdir()) == [] and list(third.iterdir()) == []
    assert create_run_dir(tmp_path / "results", "Joint buy / PL+DE").name == "20251121T111500Z-Joint-buy-PL-DE"
    # Nothing usable in the name: a short hash of it keeps such runs apart.
    assert create_run_dir(tmp_path / "results", "///").name == "20251121T111500Z-run-732c4e97"


def test_store_needs_an_existing_run_folder(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        ResultStore(tmp_path / "typo")


# ---------------------------------------------------------------------------------------------------------------
# Chunks
# ---------------------------------------------------------------------------------------------------------------


def test_chunks_round_trip_values_bit_for_bit(store: ResultStore) -> None:
    special = np.array([0.1, -0.0, np.inf, -np.inf, np.nan, 5e-324, 1.7976931348623157e308])
    record = make_record(0, 0)
    record["timeseries"] = {"special": special, "ints": np.array([-(2**63), 2**63 - 1, 0, 1, -1, 7, 8])}
    record["metrics"] = {"tiny": 5e-324, "third": 1 / 3, "nan": float("nan"), "neg_zero": -0.0}
    record["seed"] = 2**63 - 1
    store.write_chunk([record])
    metrics = store.load_metrics()
    assert metrics["seed"].tolist() == [2**63 - 1]
    loaded = metrics.loc[0, ["tiny", "third", "nan", "neg_zero"]].to_numpy(dtype=np.float64)
    expected = np.array([5e-324, 1 / 3, np.nan, -0.0])
    assert loaded.view(np.int64).tolist() == expected.view(np.int64).tolist()
    series = store.load_timeseries()
    assert series["day"].tolist() == list(range(DAYS))
    assert series["special"].to_numpy().view(np.int64).tolist() == special.view(np.int64).tolist()
    assert series["ints"].dtype == np.int64
    assert series["ints"].tolist() == record["timeseries"]["ints"].tolist()


def test_metrics_and_series_tables_have_the_documented_shape(store: ResultStore) -> None:
    store.write_chunk([make_record(1, 1), make_record(1, 0), make_record(0, 2, failed=True)])
    store.write_chunk([make_record(0, 0), make_record(0, 1)])
    metrics = store.load_metrics()
    assert list(metrics.columns) == [*FIXED_COLUMNS, "intercept_rate", "leakers"]
    assert metrics["key"].tolist() == ["p0000-r0000", "p0000-r0001", "p0000-r0002", "p0001-r0000", "p0001-r0001"]
    assert metrics["status"].tolist() == ["ok", "ok", "failed", "ok", "ok"]
    assert metrics.loc[2, "error"] == "RuntimeError: toy" and np.isnan(metrics.loc[2, "intercept_rate"])
    assert pd.isna(metrics.loc[0, "error"])
    series = store.load_timeseries()
    assert list(series.columns) == ["key", "point", "replication", "day", "magazine", "raids"]
    assert len(series) == 4 * DAYS  # failed replications have no series
    for point, replication in [(0, 0), (0, 1), (1, 0), (1, 1)]:
        rows = series[(series["point"] == point) & (series["replication"] == replication)]
        expected = make_record(point, replication)["timeseries"]
        np.testing.assert_array_equal(rows["magazine"].to_numpy(), expected["magazine"], strict=True)
        np.testing.assert_array_equal(rows["raids"].to_numpy(), expected["raids"], strict=True)
        assert rows["day"].tolist() == list(range(DAYS))
    assert list(store.load_timeseries(series=["raids"]).columns) == ["key", "point", "replication", "day", "raids"]
    with pytest.raises(KeyError, match="nope"):
        store.load_timeseries(series=["nope"])


def test_completed_keys_ignore_temp_files_and_damaged_chunks_are_named(store: ResultStore) -> None:
    store.write_chunk([make_record(0, 0), make_record(0, 1)])
    assert stray_files(store.chunks_dir) == []
    # What a writer killed mid-write leaves behind: a hidden, partial temp file.
    (store.chunks_dir / ".chunk-p0000-r0002-deadbeef.parquet.0123abcd.tmp").write_bytes(b"PAR1\x00partial")
    assert store.completed_keys() == {"p0000-r0000", "p0000-r0001"}
    assert len(store.load_metrics()) == 2
    store.consolidate()
    damaged = store.chunks_dir / "chunk-p0000-r0005-00000000.parquet"
    damaged.write_bytes(b"not parquet at all")
    with pytest.raises(StoreError, match=damaged.name):
        store.completed_keys()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(status="done"), "status"),
        (lambda r: r.update(status="failed", error=None), "error text"),
        (lambda r: r["metrics"].update(key=1.0), "reserved"),
        (lambda r: r["timeseries"].update(day=np.zeros(DAYS)), "reserved"),
        (lambda r: r["timeseries"].update(grid=np.zeros((DAYS, 2))), "1-D numeric"),
        (lambda r: r["timeseries"].update(short=np.zeros(DAYS - 1)), "different lengths"),
        (lambda r: r.pop("seed"), "lacks"),
    ],
)
def test_malformed_chunks_are_refused_and_nothing_is_written(store: ResultStore, change: Any, message: str) -> None:
    record = make_record(0, 0)
    change(record)
    with pytest.raises(ValueError, match=message):
        store.write_chunk([record])
    with pytest.raises(ValueError, match="same key"):
        store.write_chunk([make_record(0, 0), make_record(0, 0)])
    with pytest.raises(ValueError, match="at least one"):
        store.write_chunk([])
    assert list(store.chunks_dir.iterdir()) == []


def test_a_key_in_two_chunks_is_read_once(store: ResultStore) -> None:
    first = store.write_chunk([make_record(0, 0)])
    duplicate = make_record(0, 0)
    duplicate["metrics"]["intercept_rate"] = -1.0
    second = store.write_chunk([duplicate, make_record(0, 1)])
    kept = -1.0 if second.name < first.name else make_record(0, 0)["metrics"]["intercept_rate"]
    metrics = store.load_metrics()
    assert metrics["key"].tolist() == ["p0000-r0000", "p0000-r0001"]
    assert metrics.loc[0, "intercept_rate"] == kept
    assert len(store.load_timeseries()) == 2 * DAYS


def test_records_with_different_series_are_padded_with_nulls(store: ResultStore) -> None:
    partial = make_record(0, 1)
    del partial["timeseries"]["raids"]
    floats_here = make_record(1, 0)
    floats_here["timeseries"]["raids"] = floats_here["timeseries"]["raids"].astype(np.float64)
    no_series = make_record(1, 1)
    no_series["timeseries"] = {}
    store.write_chunk([make_record(0, 0), partial])
    store.write_chunk([floats_here, no_series, make_record(2, 0, failed=True)])
    series = store.load_timeseries()
    assert len(series) == 3 * DAYS
    assert series["raids"].dtype == np.float64  # int64 in one chunk, float64 in another
    assert series.loc[series["key"] == "p0000-r0001", "raids"].isna().all()
    assert series.loc[series["key"] == "p0000-r0001", "magazine"].notna().all()
    _, parquet_path = store.consolidate()
    pd.testing.assert_frame_equal(
        pd.read_parquet(parquet_path).sort_values(["point", "replication", "day"], ignore_index=True),
        series,
        check_exact=True,
    )


# ---------------------------------------------------------------------------------------------------------------
# Consolidation
# ---------------------------------------------------------------------------------------------------------------


def test_consolidated_files_equal_the_chunks(store: ResultStore) -> None:
    records = [make_record(point, replication) for point in range(3) for replication in range(5)]
    records[7] = make_record(1, 2, failed=True)
    for start in range(0, len(records), 4):
        store.write_chunk(records[start : start + 4])
    csv_path, parquet_path = store.consolidate()
    assert {csv_path.name, parquet_path.name} == {"replications.csv", "timeseries.parquet"}
    assert stray_files(store.run_dir) == []

    table = pd.read_csv(csv_path)
    assert table["key"].tolist() == [record["key"] for record in records]
    for record, row in zip(records, table.itertuples(index=False), strict=True):
        assert (row.point, row.replication, row.seed, row.status) == (
            record["point"],
            record["replication"],
            record["seed"],
            record["status"],
        )
        for name in ("intercept_rate", "leakers"):
            value = getattr(row, name)
            assert value == record["metrics"][name] if record["status"] == "ok" else np.isnan(value)
    pd.testing.assert_frame_equal(
        table, store.load_metrics(), check_exact=True, check_dtype=False, check_column_type=False
    )

    series = pd.read_parquet(parquet_path)
    ok_records = [record for record in records if record["status"] == "ok"]
    assert len(series) == len(ok_records) * DAYS
    assert series["key"].tolist() == [record["key"] for record in ok_records for _ in range(DAYS)]
    for record in ok_records:
        rows = series[series["key"] == record["key"]]
        assert rows["day"].tolist() == list(range(DAYS))
        for name, values in record["timeseries"].items():
            np.testing.assert_array_equal(rows[name].to_numpy(), values, strict=True)
    # Written chunk by chunk (one row group per chunk), never as one giant frame.
    assert pq.ParquetFile(parquet_path).num_row_groups == len(store.chunk_paths())
    # The chunks stay: consolidating again after more results rewrites the files.
    store.write_chunk([make_record(3, 0)])
    store.consolidate()
    assert len(pd.read_csv(csv_path)) == len(records) + 1


def test_empty_store_loads_and_consolidates(store: ResultStore) -> None:
    assert store.completed_keys() == set()
    assert list(store.load_metrics().columns) == list(FIXED_COLUMNS)
    assert list(store.load_timeseries().columns) == ["key", "point", "replication", "day"]
    csv_path, parquet_path = store.consolidate()
    assert pd.read_csv(csv_path).empty
    assert pd.read_parquet(parquet_path).empty
    assert os.listdir(store.chunks_dir) == []


def test_a_store_reads_a_chunks_schema_once_and_consolidates_the_same_with_given_metrics(
    store: ResultStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chunk files never change, so one store reads each one's schema once however often it consolidates; handing
    ``consolidate`` the metrics already loaded writes the same bytes as letting it load them."""
    for start in range(0, 9, 3):
        store.write_chunk([make_record(0, replication) for replication in range(start, start + 3)])
    schema_reads: list[Path] = []
    read_schema = store_module.pq.read_schema
    monkeypatch.setattr(store_module.pq, "read_schema", lambda path: schema_reads.append(path) or read_schema(path))
    csv_path, parquet_path = store.consolidate()
    written = (csv_path.read_bytes(), parquet_path.read_bytes())
    store.load_timeseries()
    store.consolidate(store.load_metrics())
    assert sorted(schema_reads) == store.chunk_paths()  # once each
    assert (csv_path.read_bytes(), parquet_path.read_bytes()) == written
    fresh = ResultStore(store.run_dir)
    fresh.consolidate(fresh.load_metrics())
    assert (csv_path.read_bytes(), parquet_path.read_bytes()) == written
