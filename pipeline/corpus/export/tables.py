"""lintas/1 records as flat tables: one per record type, and link tables.

`lintas export` (`pipeline.corpus.export`) reads one or more runs (a JSONL file, or a complete
``--out-dir`` folder) and turns each record into rows of the tables below, streaming: only
the current document's entity ids and keys are held. Every column has a declared type
(`TABLES`), which the Parquet writer gives DuckDB and the CSV writers follow.

Tables and what a row is:

- ``documents``: a document record;
- ``entities``: an entity record (its canonical key and name flat);
- ``mentions``: one mention of an entity;
- ``relations``: a relation, with the head's and tail's canonical keys;
- ``events``: an event, with its date and commodity keys flat;
- ``event_arguments``: one argument of an event, with the entity's canonical key;
- ``claims``: a claim, with its speaker flat;
- ``claim_subjects``: one entity a claim is about (the claim record's ``about``);
- ``errors``: an error record.
"""

from __future__ import annotations

import json
import re
from datetime import date
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any
from pipeline.text.dates import parse_published
from pipeline.corpus.link import record_files

# Column name -> type, in DuckDB's type names (the Parquet writer uses them as they are).
# Offsets are BIGINT (a document may be longer than 2**31 characters in principle), dates
# DATE, lists VARCHAR[].
_SPAN = "BIGINT"
TABLES: dict[str, dict[str, str]] = {
    "documents": {
        "doc_id": "VARCHAR", "source": "VARCHAR", "lang": "VARCHAR",
        "lang_confidence": "DOUBLE", "published": "DATE", "published_text": "VARCHAR",
        "title": "VARCHAR", "url": "VARCHAR", "chars": "BIGINT", "text_sha256": "VARCHAR",
        "boilerplate_spans": "INTEGER", "run": "VARCHAR"},
    "entities": {
        "id": "VARCHAR", "doc_id": "VARCHAR", "label": "VARCHAR", "name": "VARCHAR",
        "canonical_key": "VARCHAR", "canonical_name": "VARCHAR", "wikidata": "VARCHAR",
        "mentions": "INTEGER", "first_start": _SPAN, "first_end": _SPAN,
        "confidence": "DOUBLE"},
    "mentions": {
        "entity_id": "VARCHAR", "doc_id": "VARCHAR", "canonical_key": "VARCHAR",
        "label": "VARCHAR", "start": _SPAN, "end": _SPAN, "text": "VARCHAR"},
    "relations": {
        "id": "VARCHAR", "doc_id": "VARCHAR", "label": "VARCHAR", "head_id": "VARCHAR",
        "head_key": "VARCHAR", "tail_id": "VARCHAR", "tail_key": "VARCHAR",
        "value": "VARCHAR", "evidence_start": _SPAN, "evidence_end": _SPAN,
        "evidence_text": "VARCHAR", "confidence": "DOUBLE"},
    "events": {
        "id": "VARCHAR", "doc_id": "VARCHAR", "lang": "VARCHAR", "event_type": "VARCHAR",
        "mode": "VARCHAR", "modality": "VARCHAR", "date": "DATE", "time_value": "VARCHAR",
        "time_text": "VARCHAR", "time_start": _SPAN, "time_end": _SPAN,
        "trigger_text": "VARCHAR", "trigger_start": _SPAN, "trigger_end": _SPAN,
        "sentence_start": _SPAN, "sentence_end": _SPAN, "commodities": "VARCHAR[]",
        "arguments": "INTEGER", "confidence": "DOUBLE"},
    "event_arguments": {
        "event_id": "VARCHAR", "doc_id": "VARCHAR", "event_type": "VARCHAR",
        "role": "VARCHAR", "entity_id": "VARCHAR", "canonical_key": "VARCHAR",
        "key": "VARCHAR", "text": "VARCHAR", "start": _SPAN, "end": _SPAN},
    "claims": {
        "id": "VARCHAR", "doc_id": "VARCHAR", "lang": "VARCHAR", "kind": "VARCHAR",
        "speaker_entity_id": "VARCHAR", "speaker_key": "VARCHAR", "speaker_text": "VARCHAR",
        "speaker_start": _SPAN, "speaker_end": _SPAN, "cue_text": "VARCHAR",
        "cue_start": _SPAN, "cue_end": _SPAN, "content_text": "VARCHAR",
        "content_start": _SPAN, "content_end": _SPAN, "subjects": "INTEGER",
        "confidence": "DOUBLE"},
    "claim_subjects": {
        "claim_id": "VARCHAR", "doc_id": "VARCHAR", "entity_id": "VARCHAR",
        "canonical_key": "VARCHAR", "name": "VARCHAR", "position": "INTEGER"},
    "errors": {
        "doc_id": "VARCHAR", "source": "VARCHAR", "stage": "VARCHAR", "error": "VARCHAR",
        "line": "BIGINT", "run": "VARCHAR"},
}

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


def as_date(value: Any) -> str | None:
    """The ``YYYY-MM-DD`` of an ISO date or date-time string that names a real day, else
    None (a month "2024-06", a week, or "2024-02-30": the text stays in the ``*_text`` /
    ``time_value`` column)."""
    if not isinstance(value, str):
        return None
    m = _DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m[1]), int(m[2]), int(m[3])).isoformat()
    except ValueError:
        return None


def published_date(value: Any) -> str | None:
    """A document's ``published`` as the pipeline reads it (`pipeline.text.dates.
    parse_published`: ISO, or free text such as "Mon, 03 Jun 2024 10:00"), ``YYYY-MM-DD``."""
    if not isinstance(value, str):
        return None
    day = parse_published(value)
    return day.isoformat() if day is not None else None


@dataclass
class _DocState:
    """What rows of one document need from its earlier records."""

    doc_id: str | None = None
    lang: str | None = None
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)

    def key(self, entity_id: str | None) -> str | None:
        ent = self.entities.get(entity_id or "")
        return ent["canonical"]["key"] if ent else None


def _span(obj: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    obj = obj or {}
    return {f"{prefix}_text": obj.get("text"), f"{prefix}_start": obj.get("start"),
            f"{prefix}_end": obj.get("end")}


def rows(records: Iterable[dict[str, Any]], run: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """``(table, row)`` for each row the records give, in record order. ``run``: the name
    the rows of documents and errors carry (the path the records were read from)."""
    state = _DocState()
    for rec in records:
        kind = rec.get("type")
        if kind == "document":
            state = _DocState(rec["doc_id"], rec.get("lang"))
            yield "documents", {
                "doc_id": rec["doc_id"], "source": rec.get("source"), "lang": rec.get("lang"),
                "lang_confidence": rec.get("lang_confidence"),
                "published": published_date(rec.get("published")),
                "published_text": rec.get("published"),
                "title": rec.get("title"), "url": rec.get("url"), "chars": rec.get("chars"),
                "text_sha256": rec.get("text_sha256"),
                "boilerplate_spans": len(rec.get("boilerplate") or []), "run": run}
        elif kind == "error":
            yield "errors", {"doc_id": rec.get("doc_id"), "source": rec.get("source"),
                             "stage": rec.get("stage"), "error": rec.get("error"),
                             "line": rec.get("line"), "run": run}
        elif kind == "entity":
            yield from _entity_rows(rec, state)
        elif kind == "relation":
            yield "relations", {
                "id": rec["id"], "doc_id": rec["doc_id"], "label": rec["label"],
                "head_id": rec["head"], "head_key": state.key(rec["head"]),
                "tail_id": rec.get("tail"), "tail_key": state.key(rec.get("tail")),
                "value": rec.get("value"), "evidence_start": rec["evidence"]["start"],
                "evidence_end": rec["evidence"]["end"],
                "evidence_text": rec["evidence"].get("text"),
                "confidence": rec.get("confidence")}
        elif kind == "event":
            yield from _event_rows(rec, state)
        elif kind == "claim":
            yield from _claim_rows(rec, state)


def _entity_rows(rec: dict[str, Any], state: _DocState) -> Iterator[tuple[str, dict[str, Any]]]:
    state.entities[rec["id"]] = rec
    canonical = rec.get("canonical") or {}
    mentions = rec.get("mentions") or []
    first = mentions[0] if mentions else {}
    yield "entities", {
        "id": rec["id"], "doc_id": rec["doc_id"], "label": rec["label"], "name": rec["name"],
        "canonical_key": canonical.get("key"), "canonical_name": canonical.get("name"),
        "wikidata": canonical.get("wikidata"), "mentions": len(mentions),
        "first_start": first.get("start"), "first_end": first.get("end"),
        "confidence": rec.get("confidence")}
    for m in mentions:
        yield "mentions", {"entity_id": rec["id"], "doc_id": rec["doc_id"],
                           "canonical_key": canonical.get("key"), "label": rec["label"],
                           "start": m["start"], "end": m["end"], "text": m.get("text")}


def _event_rows(rec: dict[str, Any], state: _DocState) -> Iterator[tuple[str, dict[str, Any]]]:
    time = rec.get("time") or {}
    args = rec.get("arguments") or []
    commodities = list(dict.fromkeys(a["key"] for a in args
                                     if a["role"] == "commodity" and a.get("key")))
    yield "events", {
        "id": rec["id"], "doc_id": rec["doc_id"], "lang": state.lang,
        "event_type": rec["event_type"], "mode": rec.get("mode"),
        "modality": rec.get("modality"), "date": as_date(time.get("value")),
        "time_value": time.get("value"), "time_text": time.get("text"),
        "time_start": time.get("start"), "time_end": time.get("end"),
        **_span(rec["trigger"], "trigger"),
        "sentence_start": rec["sentence"]["start"], "sentence_end": rec["sentence"]["end"],
        "commodities": commodities, "arguments": len(args),
        "confidence": rec.get("confidence")}
    for a in args:
        yield "event_arguments", {
            "event_id": rec["id"], "doc_id": rec["doc_id"], "event_type": rec["event_type"],
            "role": a["role"], "entity_id": a.get("entity"),
            "canonical_key": state.key(a.get("entity")), "key": a.get("key"),
            "text": a.get("text"), "start": a["start"], "end": a["end"]}


def _claim_rows(rec: dict[str, Any], state: _DocState) -> Iterator[tuple[str, dict[str, Any]]]:
    speaker = rec.get("speaker") or {}
    about = rec.get("about") or []
    yield "claims", {
        "id": rec["id"], "doc_id": rec["doc_id"], "lang": state.lang, "kind": rec["kind"],
        "speaker_entity_id": speaker.get("entity"),
        "speaker_key": state.key(speaker.get("entity")),
        **_span(rec.get("speaker"), "speaker"), **_span(rec.get("cue"), "cue"),
        **_span(rec["content"], "content"), "subjects": len(about),
        "confidence": rec.get("confidence")}
    for n, entity_id in enumerate(about, start=1):
        ent = state.entities.get(entity_id) or {}
        yield "claim_subjects", {
            "claim_id": rec["id"], "doc_id": rec["doc_id"], "entity_id": entity_id,
            "canonical_key": state.key(entity_id), "name": ent.get("name"), "position": n}


def read_records(path: str, files: list[str] | None = None) -> Iterator[dict[str, Any]]:
    """The records of one run: a lintas/1 JSONL file or a complete ``--out-dir`` folder
    (its parts in order; ``files``: its `link.record_files`, when the caller has them, so
    that a folder's parts are not checked against its journal twice). A line that is not a JSON object raises ValueError naming the
    file and line: an export of a damaged file says so rather than leaving rows out."""
    for name in files if files is not None else record_files(path):
        with open(name, "rb") as fh:
            for n, raw in enumerate(fh, start=1):
                try:
                    line = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise ValueError(f"[L040] {name}:{n}: not UTF-8 ({exc.reason} at byte "
                                     f"{exc.start})") from None
                if not line.strip():
                    continue
                try:
                    rec = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"[L040] {name}:{n}: not a JSON record ({exc.msg})") from None
                if not isinstance(rec, dict) or "type" not in rec:
                    raise ValueError(f"[L040] {name}:{n}: not a lintas/1 record")
                yield rec
