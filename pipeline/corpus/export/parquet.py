"""The tables of `pipeline.corpus.export.tables` as Parquet files, written by DuckDB.

DuckDB (``pip install "lintas[export]"``, one wheel of 25 MB, 70 MB installed, no
dependencies) was chosen over pyarrow (55 MB, 171 MB installed), measured on this
machine's wheels; it is also what most users will query the files with.

Rows are streamed to one temporary newline-delimited JSON file per table, which DuckDB reads
with the declared column types (`tables.TABLES`) and copies to ``<table>.parquet``, with the
schema version, lintas' version and the table's name in the file's key-value metadata.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pipeline.core.errors import MissingDependency
from pipeline.corpus.export.tables import TABLES


def _duckdb() -> Any:
    try:
        import duckdb
    except ImportError:
        raise MissingDependency("DuckDB, to write Parquet", 'pip install "lintas[export]"') from None
    return duckdb


def _sql_string(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def write_parquet(rows: Iterable[tuple[str, dict[str, Any]]], out: Path,
                  metadata: dict[str, str]) -> dict[str, int]:
    """Write every table of ``rows`` (``(table, row)`` pairs) to ``out/<table>.parquet``,
    each with ``metadata`` in its key-value metadata; a table with no rows is written empty
    with its columns. Returns the row count per table."""
    duckdb = _duckdb()
    out.mkdir(parents=True, exist_ok=True)
    counts = dict.fromkeys(TABLES, 0)
    with tempfile.TemporaryDirectory(prefix="lintas-export-") as tmp:
        files = {t: open(Path(tmp) / f"{t}.jsonl", "w", encoding="utf-8") for t in TABLES}
        try:
            for table, row in rows:
                files[table].write(json.dumps(row, ensure_ascii=False) + "\n")
                counts[table] += 1
        finally:
            for fh in files.values():
                fh.close()
        con = duckdb.connect()
        try:
            con.execute("SET threads TO 2")
            for table, columns in TABLES.items():
                cols = ", ".join(f'"{c}" {t}' for c, t in columns.items())
                con.execute(f'CREATE TABLE "{table}" ({cols})')
                if counts[table]:
                    spec = "{" + ", ".join(f"{_sql_string(c)}: {_sql_string(t)}"
                                           for c, t in columns.items()) + "}"
                    src = _sql_string(str(Path(tmp) / f"{table}.jsonl"))
                    con.execute(f'INSERT INTO "{table}" SELECT * FROM read_json({src}, '
                                f"format = 'newline_delimited', columns = {spec})")
                kv = "{" + ", ".join(f"{k}: {_sql_string(v)}"
                                     for k, v in {**metadata, "lintas_table": table}.items()) + "}"
                target = _sql_string(str(out / f"{table}.parquet"))
                con.execute(f'COPY "{table}" TO {target} (FORMAT parquet, KV_METADATA {kv})')
        finally:
            con.close()
    return counts
