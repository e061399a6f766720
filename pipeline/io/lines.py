"""An input's records as the JSONL text written for it: every engine and output writes
through `record_lines`, so that they all write the same bytes."""

from __future__ import annotations

import json
from typing import Any

from pipeline.core.core import Records
from pipeline.core.document import ErrorRecord
from pipeline.core.spool import Lines, SpooledRecords, SpooledText, discard, spool_file
from pipeline.io.records import error_record
from pipeline.io.schema import validation_errors


def _line(rec: dict[str, Any], validate: bool) -> tuple[str, str]:
    """One record's JSONL line (without its line break) and its type. With ``validate``
    the record is checked against the JSON Schema: one that fails (a bug in lintas) is
    replaced by an error record."""
    if validate:
        problems = validation_errors(rec)
        if problems:
            rec = error_record(ErrorRecord(
                source=str(rec.get("source", "")), stage="write", doc_id=rec.get("doc_id"),
                error=f"record failed schema validation: {problems[0]}"))
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":")), rec["type"]


def _not_unicode(first: dict[str, Any], exc: UnicodeEncodeError) -> tuple[str, int, int, int]:
    # a string no UTF-8 file can hold (a lone surrogate the reader let through) would stop
    # the whole run at the write: the input becomes an error record instead
    def shown(value: Any) -> Any:  # escaped as text: no lone surrogate even as \\udcff
        return None if value is None else str(value).encode(
            "utf-8", "backslashreplace").decode("utf-8")

    rec = error_record(ErrorRecord(
        source=shown(first.get("source", "")), stage="write", doc_id=shown(first.get("doc_id")),
        error=f"a record holds text that is not Unicode ({exc.reason})"))
    return json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n", 0, 1, 1


def record_lines(records: Records, validate: bool) -> tuple[Lines, int, int, int]:
    """One input's records as the JSONL text written for it, with its counts (documents,
    records, errors). Every engine and output writes through this function, so that they
    write the same bytes. With ``validate`` every record is checked against the JSON Schema.
    The records of a sectioned document come in a temp file and their text goes to one
    (`pipeline.core.spool`), which this function deletes when it has read it."""
    if isinstance(records, SpooledRecords):
        return _spooled_lines(records, validate)
    lines = []
    counts = {"document": 0, "error": 0}
    for rec in records:
        line, kind = _line(rec, validate)
        lines.append(line)
        counts[kind] = counts.get(kind, 0) + 1
    text = "\n".join(lines) + "\n"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return _not_unicode(records[0] if records else {}, exc)
    return text, counts["document"], len(lines), counts["error"]


def _spooled_lines(records: SpooledRecords, validate: bool) -> tuple[Lines, int, int, int]:
    counts = {"document": 0, "error": 0}
    n = 0
    first: dict[str, Any] = {}
    path = None
    try:
        out, path = spool_file("text")
        with out:
            for rec in records:
                first = first or rec
                line, kind = _line(rec, validate)
                out.write(line + "\n")  # strict UTF-8: a lone surrogate raises here
                counts[kind] = counts.get(kind, 0) + 1
                n += 1
    except UnicodeEncodeError as exc:
        discard(path)  # type: ignore[arg-type]  # set: only the write raises this
        return _not_unicode(first, exc)
    except BaseException:
        if path is not None:
            discard(path)
        raise
    finally:
        records.discard()
    return SpooledText(path), counts["document"], n, counts["error"]
