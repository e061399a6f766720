"""`lintas export`: a run's records as the tables and files analysts' tools read.

Formats (`FORMATS`): ``parquet`` (one typed Parquet file per table, `pipeline.corpus.export.
parquet`; needs ``lintas[export]``), ``graph-csv`` (Neo4j bulk-import nodes and edges,
`pipeline.corpus.export.graph_csv`) and ``events-csv`` (one row per event, `pipeline.corpus.export.
events_csv`). The tables are defined in `pipeline.corpus.export.tables`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from pipeline.corpus.export.tables import read_records, rows

FORMATS = ("parquet", "graph-csv", "events-csv")


def run_rows(runs: Sequence[str], files: Sequence[list[str]] | None = None
             ) -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, row)`` of every record of ``runs`` (JSONL files or complete --out-dir
    folders; ``files``: each run's `link.record_files`, when the caller has them), in order. A document id seen in an earlier run raises ValueError: ids are
    unique within a run only, and two documents under one id would be merged (two runs of
    ``feed.jsonl`` without ``id`` fields both have ``feed_L1``)."""
    seen: dict[str, int] = {}  # document id -> the index of its run
    for k, run in enumerate(runs):
        for table, row in rows(read_records(run, files[k] if files else None), run):
            if table == "documents":
                first = seen.setdefault(row["doc_id"], k)
                if first != k:
                    raise ValueError(f"[L041] document id {row['doc_id']!r} is in {runs[first]} "
                                     f"and in {run}: export runs with distinct ids separately")
            yield table, row


def export(runs: Sequence[str], fmt: str, out: Path,
           files: Sequence[list[str]] | None = None) -> dict[str, int]:
    """Write ``runs`` in format ``fmt`` to ``out`` (a folder; for ``events-csv`` a folder
    that gets ``events.csv``, or a path ending in ``.csv``; ``files`` as for `run_rows`).
    Returns rows per table or file. The files are written into a temporary folder beside ``out`` and moved into it
    only when every record was read: a run that fails halfway leaves ``out`` as it was."""
    from pipeline import __version__
    from pipeline.io.records import SCHEMA_VERSION

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; one of {', '.join(FORMATS)}")
    single = fmt == "events-csv" and out.suffix == ".csv"
    folder = out.parent if single else out
    folder.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=folder))
    try:
        if fmt == "parquet":
            from pipeline.corpus.export.parquet import write_parquet

            counts = write_parquet(run_rows(runs, files), stage, {"lintas_schema": SCHEMA_VERSION,
                                                           "lintas_version": __version__})
        elif fmt == "graph-csv":
            from pipeline.corpus.export.graph_csv import write_graph_csv

            counts = write_graph_csv(run_rows(runs, files), stage)
        else:
            from pipeline.corpus.export.events_csv import write_events_csv

            counts = {"events": write_events_csv(run_rows(runs, files), stage / "events.csv")}
        for path in sorted(stage.iterdir()):
            path.replace(out if single else out / path.name)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return counts
