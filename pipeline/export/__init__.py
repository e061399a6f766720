"""`lintas export`: a run's records as the tables and files analysts' tools read.

Formats (`FORMATS`): ``parquet`` (one typed Parquet file per table, `pipeline.export.
parquet`; needs ``lintas[export]``), ``graph-csv`` (Neo4j bulk-import nodes and edges,
`pipeline.export.graph_csv`) and ``events-csv`` (one row per event, `pipeline.export.
events_csv`). The tables are defined in `pipeline.export.tables`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .tables import read_records, rows

FORMATS = ("parquet", "graph-csv", "events-csv")


def run_rows(runs: Sequence[str]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, row)`` of every record of ``runs`` (JSONL files or complete --out-dir
    folders), in order."""
    for run in runs:
        yield from rows(read_records(run), run)


def export(runs: Sequence[str], fmt: str, out: Path) -> dict[str, int]:
    """Write ``runs`` in format ``fmt`` to ``out`` (a folder; for ``events-csv`` a folder
    that gets ``events.csv``, or a path ending in ``.csv``). Returns rows per table or
    file."""
    from .. import __version__
    from ..records import SCHEMA_VERSION

    if fmt == "parquet":
        from .parquet import write_parquet

        return write_parquet(run_rows(runs), out, {"lintas_schema": SCHEMA_VERSION,
                                                   "lintas_version": __version__})
    if fmt == "graph-csv":
        from .graph_csv import write_graph_csv

        return write_graph_csv(run_rows(runs), out)
    if fmt == "events-csv":
        from .events_csv import write_events_csv

        target = out if out.suffix == ".csv" else out / "events.csv"
        return {"events": write_events_csv(run_rows(runs), target)}
    raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
