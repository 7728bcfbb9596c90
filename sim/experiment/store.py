"""The result store of one run folder: finished chunks of replications, written atomically as they arrive.

Layout of a run folder (created by :func:`create_run_dir`)::

    results/20251121T111500Z-<name>/
        chunks/                         the source of truth; one file per finished chunk
            chunk-<first key>-<token>.parquet
            .chunk-....parquet.<token>.tmp  (only while a chunk is being written, or left by a killed writer; ignored)
        replications.csv                written by ResultStore.consolidate(): one row per replication
        timeseries.parquet              written by ResultStore.consolidate(): one row per replication and day

A chunk file is a parquet table with one row per replication record: ``key, point, replication, seed, status,
error, elapsed_s``, one ``metric:<name>`` float64 column per metric and one ``series:<name>`` list column (float64
or int64) per daily time series. Parquet keeps float64 and int64 values bit for bit and needs no pickle. Each file
is written to a temporary name in the same folder, flushed, fsynced and renamed with :func:`os.replace`, so a
reader sees a whole chunk or none of it; a killed writer leaves at most a hidden ``.tmp`` file that readers skip.
Resuming a run means computing the keys that :meth:`ResultStore.completed_keys` does not report.

If a key ever appears in more than one chunk (two processes resuming the same folder at once), readers keep the
record from the chunk whose file name sorts first.
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, TypedDict

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

__all__ = [
    "FIXED_COLUMNS",
    "STATUS_FAILED",
    "STATUS_OK",
    "TIMESERIES_INDEX_COLUMNS",
    "Record",
    "ResultStore",
    "StoreError",
    "atomic_write_bytes",
    "atomic_write_text",
    "create_run_dir",
]

STATUS_OK: Literal["ok"] = "ok"
STATUS_FAILED: Literal["failed"] = "failed"

FIXED_COLUMNS: tuple[str, ...] = ("key", "point", "replication", "seed", "status", "error", "elapsed_s")
"""The first columns of :meth:`ResultStore.load_metrics`; metric names may not use them."""

TIMESERIES_INDEX_COLUMNS: tuple[str, ...] = ("key", "point", "replication", "day")
"""The first columns of :meth:`ResultStore.load_timeseries`; series names may not use them."""

METRIC_PREFIX = "metric:"
SERIES_PREFIX = "series:"
CHUNKS_DIRNAME = "chunks"
SET_ASIDE_DIRNAME = "set-aside"
"""Damaged or foreign chunk files are moved into ``chunks/set-aside/`` (kept for inspection, never read)."""
REPLICATIONS_CSV = "replications.csv"
TIMESERIES_PARQUET = "timeseries.parquet"
CHUNK_FORMAT_VERSION = b"1"
_CHUNK_FORMAT_KEY = b"sim_chunk_format"
_CHUNK_GLOB = "chunk-*.parquet"

_FIXED_SCHEMA = pa.schema(
    [
        ("key", pa.string()),
        ("point", pa.int64()),
        ("replication", pa.int64()),
        ("seed", pa.int64()),
        ("status", pa.string()),
        ("error", pa.string()),
        ("elapsed_s", pa.float64()),
    ]
)


class Record(TypedDict):
    """One replication's result as the runner produces it and :meth:`ResultStore.write_chunk` accepts it."""

    key: str
    point: int
    replication: int
    seed: int
    status: Literal["ok", "failed"]
    metrics: dict[str, float]
    timeseries: dict[str, np.ndarray]
    error: str | None
    elapsed_s: float


class StoreError(Exception):
    """A run folder holds something the store cannot read (e.g. a damaged chunk file). The message names it."""


# --------------------------------------------------------------------------------------------------------------
# Atomic files and run folders
# --------------------------------------------------------------------------------------------------------------


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDWR)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    """Make a rename in ``directory`` durable (POSIX; a no-op where directories cannot be opened)."""
    if os.name == "nt":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def _atomic_target(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to ``path``; on success fsync it and rename it over ``path``."""
    path = Path(path)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        yield temporary
        _fsync_path(temporary)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            temporary.unlink()
        raise
    _fsync_dir(path.parent)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically: a temp file in the same folder, flush + fsync, then ``os.replace``.

    Readers see the old file or the whole new one, never a part; a failed write leaves no temporary file.

    Args:
        path: The destination file (its folder must exist).
        data: The bytes to write.
    """
    with _atomic_target(path) as temporary, open(temporary, "xb") as handle:
        handle.write(data)


def atomic_write_text(path: Path, data: str, encoding: str = "utf-8") -> None:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write_bytes`).

    Args:
        path: The destination file (its folder must exist).
        data: The text to write.
        encoding: Text encoding.
    """
    atomic_write_bytes(path, data.encode(encoding))


MAX_LABEL_LENGTH = 120
"""Longest label in a run-folder name (with the timestamp it stays far below file systems' 255 bytes)."""


def _safe_name(text: str) -> str:
    """``text`` as a folder-name label: accents dropped (``Rzeszów`` → ``Rzeszow``), anything but ASCII letters,
    digits, ``.``, ``_`` and ``-`` turned into ``-``, no leading dot, at most :data:`MAX_LABEL_LENGTH` characters."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9._-]+", "-", folded).strip(".-")[:MAX_LABEL_LENGTH].rstrip(".-")


def create_run_dir(results_root: Path, name: str) -> Path:
    """Create a new, empty run folder ``results_root/<UTC timestamp>-<name>`` and return its path.

    An existing folder is never reused: if the name is taken (two runs in the same second), ``-2``, ``-3`` … is
    appended. Creation uses ``exist_ok=False``, so two processes can never get the same folder.

    Args:
        results_root: The folder that holds run folders (created if missing).
        name: A short label, e.g. the scenario name; accents are dropped, other characters than ASCII letters,
            digits, ``.``, ``_``, ``-`` become ``-``, and a name with none of them is replaced by ``run-<hash>``.

    Returns:
        The path of the new folder.
    """
    label = _safe_name(name)
    if not label:  # a name in another script (Київ) or of symbols only: a short hash keeps runs apart
        label = f"run-{hashlib.sha256(name.encode()).hexdigest()[:8]}"
    results_root = Path(results_root)
    results_root.mkdir(parents=True, exist_ok=True)
    base = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{label}"
    suffix = 1
    while True:
        candidate = results_root / (base if suffix == 1 else f"{base}-{suffix}")
        try:
            candidate.mkdir(exist_ok=False)
        except FileExistsError:
            suffix += 1
            continue
        return candidate


# --------------------------------------------------------------------------------------------------------------
# Records → chunk tables
# --------------------------------------------------------------------------------------------------------------


def _check_record(record: Mapping[str, Any], index: int) -> None:
    missing = {"key", "point", "replication", "seed", "status"} - set(record)
    if missing:
        raise ValueError(f"record {index} lacks {sorted(missing)}")
    where = f"record {record['key']!r}"
    if record["status"] not in (STATUS_OK, STATUS_FAILED):
        raise ValueError(f"{where}: status must be 'ok' or 'failed', got {record['status']!r}")
    if record["status"] == STATUS_FAILED and not record.get("error"):
        raise ValueError(f"{where}: a failed record needs its error text")
    for name in record.get("metrics") or {}:
        if not isinstance(name, str) or not name or name in FIXED_COLUMNS:
            raise ValueError(f"{where}: metric name {name!r} is empty, not a string or reserved ({FIXED_COLUMNS})")
    lengths = set()
    for name, values in (record.get("timeseries") or {}).items():
        if not isinstance(name, str) or not name or name in TIMESERIES_INDEX_COLUMNS:
            raise ValueError(
                f"{where}: series name {name!r} is empty, not a string or reserved ({TIMESERIES_INDEX_COLUMNS})"
            )
        if not isinstance(values, np.ndarray) or values.ndim != 1 or values.dtype.kind not in "iuf":
            raise ValueError(f"{where}: series {name!r} must be a 1-D numeric numpy array")
        lengths.add(len(values))
    if len(lengths) > 1:
        raise ValueError(f"{where}: its time series have different lengths {sorted(lengths)}")


def _series_column(arrays: list[np.ndarray | None]) -> pa.ListArray:
    """Pack one series of every record (``None`` where absent) into a list column, int64 or float64."""
    present = [values for values in arrays if values is not None]
    all_integer = bool(present) and all(values.dtype.kind in "iu" for values in present)
    value_type = np.int64 if all_integer else np.float64
    lengths = np.array([0 if values is None else len(values) for values in arrays], dtype=np.int64)
    offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    if offsets[-1] > np.iinfo(np.int32).max:
        raise ValueError("a chunk holds more than 2**31 time-series values; use smaller chunks")
    values = np.concatenate(present).astype(value_type, copy=False) if present else np.empty(0, value_type)
    mask = pa.array([values is None for values in arrays], type=pa.bool_())
    return pa.ListArray.from_arrays(pa.array(offsets.astype(np.int32)), pa.array(values), mask=mask)


def _records_table(records: Sequence[Mapping[str, Any]]) -> pa.Table:
    keys = [str(record["key"]) for record in records]
    if len(set(keys)) != len(keys):
        raise ValueError("a chunk lists the same key twice")
    columns: dict[str, pa.Array] = {
        "key": pa.array(keys, pa.string()),
        "point": pa.array([int(record["point"]) for record in records], pa.int64()),
        "replication": pa.array([int(record["replication"]) for record in records], pa.int64()),
        "seed": pa.array([int(record["seed"]) for record in records], pa.int64()),
        "status": pa.array([str(record["status"]) for record in records], pa.string()),
        "error": pa.array([record.get("error") for record in records], pa.string()),
        "elapsed_s": pa.array([float(record.get("elapsed_s", math.nan)) for record in records], pa.float64()),
    }
    metric_names = list(dict.fromkeys(name for record in records for name in record.get("metrics") or {}))
    for name in metric_names:
        values = [(record.get("metrics") or {}).get(name) for record in records]
        columns[METRIC_PREFIX + name] = pa.array(
            [None if value is None else float(value) for value in values], pa.float64()
        )
    series_names = list(dict.fromkeys(name for record in records for name in record.get("timeseries") or {}))
    for name in series_names:
        columns[SERIES_PREFIX + name] = _series_column(
            [(record.get("timeseries") or {}).get(name) for record in records]
        )
    table = pa.table(columns)
    return table.replace_schema_metadata({_CHUNK_FORMAT_KEY: CHUNK_FORMAT_VERSION})


# --------------------------------------------------------------------------------------------------------------
# Chunk tables → long time-series tables
# --------------------------------------------------------------------------------------------------------------


def _list_lengths(column: pa.Array) -> np.ndarray:
    return np.asarray(pc.list_value_length(column).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _long_series(column: pa.Array, lengths: np.ndarray, rows_per_record: np.ndarray, value_type: pa.DataType):
    """Flatten one list column to ``sum(rows_per_record)`` values, null-padding records that lack the series."""
    if np.array_equal(lengths, rows_per_record):
        flat = column.flatten()
    else:
        pieces = []
        for row, (length, rows) in enumerate(zip(lengths, rows_per_record, strict=True)):
            if rows == 0:
                continue
            if length == rows:
                pieces.append(column[row].values)
            else:
                pieces.append(pa.nulls(int(rows), value_type))
        flat = pa.concat_arrays([piece.cast(value_type, safe=False) for piece in pieces]) if pieces else pa.array([])
    return flat.cast(value_type, safe=False)  # int64 → float64 only where chunks disagree on a series' type


def _long_table(table: pa.Table, series: Mapping[str, pa.DataType]) -> pa.Table:
    """Turn ok records of a chunk table into rows (key, point, replication, day, <series>…), one per record-day."""
    lengths_by_series = {
        name: _list_lengths(table[SERIES_PREFIX + name].combine_chunks())
        for name in series
        if SERIES_PREFIX + name in table.column_names
    }
    rows_per_record = np.zeros(table.num_rows, dtype=np.int64)
    for lengths in lengths_by_series.values():
        np.maximum(rows_per_record, lengths, out=rows_per_record)
    record_of_row = np.repeat(np.arange(table.num_rows), rows_per_record)
    first_row = np.cumsum(rows_per_record) - rows_per_record
    columns: dict[str, pa.Array] = {
        "key": table["key"].combine_chunks().take(pa.array(record_of_row)),
        "point": pa.array(table["point"].to_numpy()[record_of_row], pa.int64()),
        "replication": pa.array(table["replication"].to_numpy()[record_of_row], pa.int64()),
        "day": pa.array(np.arange(len(record_of_row), dtype=np.int64) - first_row[record_of_row], pa.int64()),
    }
    total_rows = len(record_of_row)
    for name, value_type in series.items():
        if name in lengths_by_series:
            column = table[SERIES_PREFIX + name].combine_chunks()
            columns[name] = _long_series(column, lengths_by_series[name], rows_per_record, value_type)
        else:
            columns[name] = pa.nulls(total_rows, value_type)
    return pa.table(columns)


# --------------------------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ChunkIndex:
    """What the store needs to know about one chunk before reading its bulk: which rows to keep, in what order."""

    path: Path
    rows: np.ndarray  # row indices of the records to read, sorted by (point, replication, key)
    ok_rows: np.ndarray  # the subset of ``rows`` whose status is ok, same order
    first: tuple[int, int, str]  # sort key of the chunk: its first kept record


class ResultStore:
    """Reads and writes the replication results of one run folder.

    Chunks are the unit of durability: :meth:`write_chunk` makes a finished chunk durable in one atomic step, and
    everything else reads what is on disk, so several store objects (or processes) can look at the same folder.

    Args:
        run_dir: An existing run folder (see :func:`create_run_dir`); ``chunks/`` is created inside it if needed.

    Raises:
        FileNotFoundError: If ``run_dir`` does not exist (a mistyped ``--resume`` folder must not start afresh).
    """

    def __init__(self, run_dir: Path) -> None:
        self.run_dir = Path(run_dir)
        if not self.run_dir.is_dir():
            raise FileNotFoundError(f"run folder {self.run_dir} does not exist")
        self.chunks_dir = self.run_dir / CHUNKS_DIRNAME
        self.chunks_dir.mkdir(exist_ok=True)
        # A chunk file never changes (written once, atomically, under a new name), so what this store has read of
        # one stays true: its schema and bookkeeping columns are read once, not once per pass over the chunks.
        self._schemas: dict[Path, pa.Schema] = {}
        self._bookkeeping: dict[Path, pa.Table] = {}

    def __repr__(self) -> str:
        return f"ResultStore({str(self.run_dir)!r})"

    # -- writing ------------------------------------------------------------------------------------------------

    def write_chunk(self, records: Sequence[Mapping[str, Any]]) -> Path:
        """Persist the records of one finished chunk as a new chunk file, atomically.

        Args:
            records: :class:`Record` mappings with distinct keys. Failed records carry ``error`` and usually no
                metrics or series. Series must be 1-D numeric numpy arrays of one length per record; int and
                float series are stored as int64 and float64 exactly.

        Returns:
            The path of the new chunk file.

        Raises:
            ValueError: If ``records`` is empty or a record is malformed (nothing is written then).
        """
        if not records:
            raise ValueError("a chunk needs at least one record")
        for index, record in enumerate(records):
            _check_record(record, index)
        table = _records_table(records)
        path = self.chunks_dir / f"chunk-{_safe_name(str(records[0]['key']))[:64]}-{secrets.token_hex(4)}.parquet"
        with _atomic_target(path) as temporary:
            # Dictionary encoding of float series costs twice the time and saves nothing; snappy does the rest.
            pq.write_table(table, temporary, use_dictionary=False)
        return path

    # -- reading ------------------------------------------------------------------------------------------------

    def chunk_paths(self) -> list[Path]:
        """Return the complete chunk files, sorted by name (temporary files of unfinished writes are skipped)."""
        return sorted(self.chunks_dir.glob(_CHUNK_GLOB))

    def _read(self, path: Path, columns: Sequence[str] | None = None) -> pa.Table:
        try:
            return pq.read_table(path, columns=list(columns) if columns is not None else None)
        except Exception as exc:
            raise StoreError(
                f"chunk file {path} cannot be read ({type(exc).__name__}: {exc}); "
                "delete it to recompute its replications on resume"
            ) from exc

    def _schema(self, path: Path) -> pa.Schema:
        schema = self._schemas.get(path)
        if schema is None:
            try:
                schema = self._schemas[path] = pq.read_schema(path)
            except Exception as exc:
                raise StoreError(
                    f"chunk file {path} cannot be read ({type(exc).__name__}: {exc}); "
                    "delete it to recompute its replications on resume"
                ) from exc
        return schema

    def _chunk_problem(self, path: Path, expected_seeds: Mapping[str, int]) -> str | None:
        """What makes a chunk file unusable for this run (None if it is fine)."""
        try:
            table = pq.read_table(path)
        except Exception as exc:
            return f"cannot be read ({type(exc).__name__}: {exc})"
        for field in _FIXED_SCHEMA:
            if field.name not in table.column_names:
                return f"has no '{field.name}' column (not a chunk of sim's)"
            if not table.schema.field(field.name).type.equals(field.type):
                return f"its '{field.name}' column is {table.schema.field(field.name).type}, not {field.type}"
        statuses = set(table["status"].to_pylist()) - {STATUS_OK, STATUS_FAILED}
        if statuses:
            return f"has unknown statuses {sorted(map(str, statuses))}"
        for key, seed in zip(table["key"].to_pylist(), table["seed"].to_pylist(), strict=True):
            if key not in expected_seeds:
                return f"holds replication {key!r}, which this run does not have (a chunk of another run?)"
            if seed != expected_seeds[key]:
                return f"holds replication {key!r} with seed {seed}, not this run's {expected_seeds[key]}"
        return None

    def set_aside_unusable(self, expected_seeds: Mapping[str, int]) -> list[str]:
        """Move chunk files that are damaged or not of this run into ``chunks/set-aside/``; say why for each.

        A chunk is unusable if it cannot be read whole, lacks the bookkeeping columns, or holds a key this run
        does not have or a seed other than the run's for its key. Its replications count as not run, so a resume
        computes them again.

        Args:
            expected_seeds: Every task key of the run and its seed.

        Returns:
            One line per chunk set aside: its new path and what was wrong.
        """
        notes = []
        for path in self.chunk_paths():
            problem = self._chunk_problem(path, expected_seeds)
            if problem is None:
                continue
            aside = self.chunks_dir / SET_ASIDE_DIRNAME
            aside.mkdir(exist_ok=True)
            os.replace(path, aside / path.name)
            notes.append(f"chunk file {path.name} {problem}; moved to {aside / path.name}, its replications run again")
        return notes

    def completed_keys(self) -> set[str]:
        """Return the keys of every replication recorded on disk, ok or failed (failed ones are not retried).

        Raises:
            StoreError: If a chunk file is damaged.
        """
        keys: set[str] = set()
        for path in self.chunk_paths():
            keys.update(self._read(path, ["key"])["key"].to_pylist())
        return keys

    def _index(self) -> list[_ChunkIndex]:
        """Decide, for every chunk, which rows are kept (first occurrence of a key) and in which order."""
        seen: set[str] = set()
        index: list[_ChunkIndex] = []
        for path in self.chunk_paths():
            small = self._bookkeeping.get(path)
            if small is None:
                small = self._bookkeeping[path] = self._read(path, ["key", "point", "replication", "status"])
            keys = small["key"].to_pylist()
            points = small["point"].to_pylist()
            replications = small["replication"].to_pylist()
            statuses = small["status"].to_pylist()
            kept = [row for row, key in enumerate(keys) if key not in seen]
            seen.update(keys)
            if not kept:
                continue
            kept.sort(key=lambda row: (points[row], replications[row], keys[row]))
            ok = [row for row in kept if statuses[row] == STATUS_OK]
            first = (points[kept[0]], replications[kept[0]], keys[kept[0]])
            index.append(_ChunkIndex(path, np.array(kept, np.int64), np.array(ok, np.int64), first))
        index.sort(key=lambda entry: (entry.first, entry.path.name))
        return index

    def load_metrics(self) -> pd.DataFrame:
        """Return one row per recorded replication, ok and failed, sorted by point and replication.

        Returns:
            A DataFrame with columns ``key, point, replication, seed, status, error, elapsed_s`` followed by one
            float64 column per metric (NaN where a record lacks the metric, e.g. failed ones).

        Raises:
            StoreError: If a chunk file is damaged.
        """
        frames = []
        metric_names: dict[str, None] = {}
        for entry in self._index():
            schema = self._schema(entry.path)
            wanted = [name for name in schema.names if not name.startswith(SERIES_PREFIX)]
            table = self._read(entry.path, wanted).take(pa.array(entry.rows))
            metric_names.update((name, None) for name in wanted if name.startswith(METRIC_PREFIX))
            frames.append(table.to_pandas())
        if not frames:
            return _FIXED_SCHEMA.empty_table().to_pandas()
        frame = pd.concat(frames, ignore_index=True)
        frame = frame.reindex(columns=[*FIXED_COLUMNS, *metric_names])
        frame = frame.rename(columns={name: name.removeprefix(METRIC_PREFIX) for name in metric_names})
        return frame.sort_values(["point", "replication", "key"], kind="stable", ignore_index=True)

    def _series_types(self, index: Sequence[_ChunkIndex], series: Sequence[str] | None) -> dict[str, pa.DataType]:
        """Union of the series over all chunks (first-seen order): int64 if int64 everywhere, else float64.

        A model returns each series with one dtype, so chunks agree; if they do not, int64 values are read as
        float64 (exact up to 2**53)."""
        types: dict[str, pa.DataType] = {}
        for entry in sorted(index, key=lambda entry: entry.path.name):
            for field in self._schema(entry.path):
                if not field.name.startswith(SERIES_PREFIX):
                    continue
                name = field.name.removeprefix(SERIES_PREFIX)
                value_type = field.type.value_type
                previous = types.get(name)
                types[name] = value_type if previous in (None, value_type) else pa.float64()
        if series is None:
            return types
        unknown = [name for name in series if name not in types]
        if unknown and types:
            raise KeyError(f"no time series named {unknown}; the store has {sorted(types)}")
        return {name: types.get(name, pa.float64()) for name in series}

    def _iter_long_tables(self, index: Sequence[_ChunkIndex], types: Mapping[str, pa.DataType]) -> Iterator[pa.Table]:
        for entry in index:
            if len(entry.ok_rows) == 0:
                continue
            schema = self._schema(entry.path)
            wanted = ["key", "point", "replication"] + [
                SERIES_PREFIX + name for name in types if SERIES_PREFIX + name in schema.names
            ]
            table = self._read(entry.path, wanted).take(pa.array(entry.ok_rows))
            yield _long_table(table, types)

    def _timeseries_schema(self, types: Mapping[str, pa.DataType]) -> pa.Schema:
        fields = [
            ("key", pa.string()),
            ("point", pa.int64()),
            ("replication", pa.int64()),
            ("day", pa.int64()),
        ]
        return pa.schema(fields + list(types.items()))

    def load_timeseries(self, series: Sequence[str] | None = None) -> pd.DataFrame:
        """Return the daily time series of the ok replications in long form.

        Args:
            series: Names of the series to load (default: all), to save memory on large runs.

        Returns:
            A DataFrame with columns ``key, point, replication, day`` (day 0 is the first) and one column per
            series, one row per replication and day, sorted by point, replication and day.

        Raises:
            KeyError: If a requested series is not in the store.
            StoreError: If a chunk file is damaged.
        """
        index = self._index()
        types = self._series_types(index, series)
        schema = self._timeseries_schema(types)
        tables = list(self._iter_long_tables(index, types))
        table = pa.concat_tables(tables) if tables else schema.empty_table()
        frame = table.to_pandas()
        return frame.sort_values(["point", "replication", "key", "day"], kind="stable", ignore_index=True)

    # -- consolidation ------------------------------------------------------------------------------------------

    def consolidate(self, metrics: pd.DataFrame | None = None) -> tuple[Path, Path]:
        """Write ``replications.csv`` and ``timeseries.parquet`` from the chunks, atomically.

        ``replications.csv`` is :meth:`load_metrics` (floats are written in shortest round-trip form, so
        ``pandas.read_csv`` gives back the same float64 values). ``timeseries.parquet`` has the columns of
        :meth:`load_timeseries`; it is written chunk by chunk with one row group per chunk, so memory stays at a
        few chunks whatever the size of the run. Rows of a replication are contiguous and in day order;
        replications are in (point, replication) order within each chunk and chunks are ordered by their first
        replication, which is global order unless a resume interleaved chunks — sort if you rely on it. The
        chunks stay the source of truth: consolidating again (after a resume) rewrites both files.

        Args:
            metrics: What :meth:`load_metrics` returns now, if the caller holds it already (it is not read again).

        Returns:
            The paths of ``replications.csv`` and ``timeseries.parquet``.

        Raises:
            StoreError: If a chunk file is damaged.
        """
        csv_path = self.run_dir / REPLICATIONS_CSV
        atomic_write_text(csv_path, (self.load_metrics() if metrics is None else metrics).to_csv(index=False))
        parquet_path = self.run_dir / TIMESERIES_PARQUET
        index = self._index()
        types = self._series_types(index, None)
        schema = self._timeseries_schema(types)
        with (
            _atomic_target(parquet_path) as temporary,
            pq.ParquetWriter(temporary, schema, use_dictionary=list(TIMESERIES_INDEX_COLUMNS)) as writer,
        ):
            for table in self._iter_long_tables(index, types):
                writer.write_table(table.cast(schema, safe=False))
        return csv_path, parquet_path
