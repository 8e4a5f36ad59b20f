"""Write assessed rows to CSV, Parquet or JSON, streaming batch by batch.

The file appears only when complete: rows go to a hidden temporary file beside the target, which is
renamed over it at the end; on any error the temporary file is removed and nothing is left behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

FORMATS = ("csv", "parquet", "json")


def output_format(path: str | Path) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        raise ValueError(f"--out {path}: expected a file name ending in .csv, .parquet or .json")
    return suffix


@contextmanager
def _atomic(path: Path):
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    try:
        yield Path(tmp)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def write_batches(path: str | Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
    """Write every batch; return the number of rows written."""
    path = Path(path)
    fmt = output_format(path)
    rows = 0
    with _atomic(path) as tmp:
        if fmt == "parquet":
            dictionaries = [f.name for f in schema if pa.types.is_dictionary(f.type)]
            # statistics only where readers filter (area, date or period start): they let a reader skip row groups
            stats = [name for name in ("area_code", "date", "start") if name in schema.names]
            with pq.ParquetWriter(tmp, schema, compression="zstd", compression_level=1, use_dictionary=dictionaries,
                                  write_statistics=stats, write_batch_size=1 << 16) as writer:
                for batch in batches:  # one row group per batch: one small dictionary page per chunk
                    writer.write_batch(batch, row_group_size=max(batch.num_rows, 1))
                    rows += batch.num_rows
        elif fmt == "csv":
            with pacsv.CSVWriter(tmp, _plain_schema(schema)) as writer:
                for batch in batches:
                    writer.write_batch(_plain(batch))
                    rows += batch.num_rows
        else:
            rows = _write_json(tmp, schema, batches)
    return rows


def _plain_schema(schema: pa.Schema) -> pa.Schema:
    return pa.schema([pa.field(f.name, f.type.value_type if pa.types.is_dictionary(f.type) else f.type)
                      for f in schema])


def _plain(batch: pa.RecordBatch) -> pa.RecordBatch:
    columns = [c.dictionary_decode() if pa.types.is_dictionary(c.type) else c for c in batch.columns]
    return pa.RecordBatch.from_arrays(columns, names=batch.schema.names)


def _write_json(tmp: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> int:
    """A JSON array of row objects, written by DuckDB from the Arrow stream."""
    rows = 0

    def counted() -> Iterable[pa.RecordBatch]:
        nonlocal rows
        for batch in batches:
            rows += batch.num_rows
            yield _plain(batch)

    import duckdb  # only for JSON output

    reader = pa.RecordBatchReader.from_batches(_plain_schema(schema), counted())
    con = duckdb.connect()
    try:
        con.register("rows_out", reader)
        con.execute(f"COPY (SELECT * FROM rows_out) TO '{_sql_path(tmp)}' (FORMAT JSON, ARRAY true)")
    finally:
        con.close()
    return rows


def _sql_path(path: Path) -> str:
    return str(path).replace("'", "''")
