"""`Document` -> lintas/1 records (plain dicts, ready for JSON)."""

from __future__ import annotations

import hashlib
import traceback
from typing import Any

from pipeline.core.document import Document, Entity, ErrorRecord, Mention

SCHEMA_VERSION = "lintas/1"


def document_record(doc: Document) -> dict[str, Any]:
    """The ``document`` record: identity, language and provenance of one article."""
    rec: dict[str, Any] = {
        "type": "document",
        "schema": SCHEMA_VERSION,
        "doc_id": doc.doc_id,
        "source": doc.source,
        "lang": doc.lang or "und",
        "lang_confidence": doc.lang_confidence if doc.lang_confidence is not None else 0.0,
        "text_sha256": hashlib.sha256(doc.text.encode("utf-8")).hexdigest(),
        "chars": len(doc.text),
        "published": doc.published,
        "title": doc.title,
        "url": doc.url,
        "translation": doc.translation,
        "boilerplate": [{"start": s.start, "end": s.end} for s in doc.masked],
        "extractors": dict(sorted(doc.extractors.items())),
    }
    if doc.notes:
        rec["notes"] = list(doc.notes)
    return rec


def entity_records(doc: Document) -> list[dict[str, Any]]:
    """One ``entity`` record per entity, numbered in order of first mention."""
    return [entity_record(doc.doc_id, n, ent, [mention_span(m) for m in ent.mentions])
            for n, ent in enumerate(doc.entities, start=1)]


def mention_span(m: Mention) -> dict[str, Any]:
    """A mention in an entity record (`span_record` of its fields)."""
    return span_record(m.start, m.end, m.text, m.translated)


def span_record(start: int, end: int, text: str, translated: str | None = None
                ) -> dict[str, Any]:
    """A mention in an entity record: offsets, text, and the English name it was mapped
    from when it came through the translation path."""
    span: dict[str, Any] = {"start": start, "end": end, "text": text}
    if translated is not None:
        span["translated"] = translated
    return span


def entity_record(doc_id: str, n: int, ent: Entity,
                  mentions: list[dict[str, Any]]) -> dict[str, Any]:
    """The ``entity`` record of the ``n``-th entity of a document, its mention spans given
    (`pipeline.core.sections` keeps them as offsets, not `Mention` objects)."""
    return {
        "type": "entity",
        "id": f"{doc_id}/e{n}",
        "doc_id": doc_id,
        "label": ent.label,
        "name": ent.name,
        "canonical": ent.canonical,
        "mentions": mentions,
        "confidence": round(ent.confidence, 3),
    }


def _text_span(doc: Document, span: Any) -> dict[str, Any]:
    """A span field of a record: offsets and the original text between them (and the
    English it was mapped from, for a `TranslatedSpan`)."""
    return span_record(span.start, span.end, doc.text[span.start:span.end],
                       getattr(span, "translated", None))


def relation_records(doc: Document, ids: dict[int, str] | None = None) -> list[dict[str, Any]]:
    """One ``relation`` record per relation; head and tail are entity record ids."""
    ids = _entity_ids(doc) if ids is None else ids
    out = []
    for n, rel in enumerate(doc.relations, start=1):
        out.append({
            "type": "relation",
            "id": f"{doc.doc_id}/r{n}",
            "doc_id": doc.doc_id,
            "label": rel.label,
            "head": ids[id(rel.head)],
            "tail": ids[id(rel.tail)] if rel.tail is not None else None,
            "value": rel.value,
            "evidence": _text_span(doc, rel.evidence),
            "confidence": round(rel.confidence, 3),
        })
    return out


def _entity_ids(doc: Document) -> dict[int, str]:
    return {id(ent): f"{doc.doc_id}/e{n}" for n, ent in enumerate(doc.entities, start=1)}


def event_records(doc: Document, ids: dict[int, str] | None = None,
                  first: int = 1) -> list[dict[str, Any]]:
    """One ``event`` record per event, numbered from ``first``; arguments that are names
    point to entity ids."""
    ids = _entity_ids(doc) if ids is None else ids
    out = []
    for n, ev in enumerate(doc.events, start=first):
        time = None
        if ev.time_text is not None:
            time = {"text": ev.time_text, "value": ev.time_value,
                    "start": ev.time_span.start, "end": ev.time_span.end}
        out.append({
            "type": "event",
            "id": f"{doc.doc_id}/v{n}",
            "doc_id": doc.doc_id,
            "event_type": ev.event_type,
            "mode": ev.mode,
            "trigger": _text_span(doc, ev.trigger),
            "arguments": [_argument(a, ids) for a in ev.arguments],
            "time": time,
            "modality": ev.modality,
            "sentence": {"start": ev.sentence.start, "end": ev.sentence.end},
            "confidence": round(ev.confidence, 3),
        })
    return out


def _argument(a: Any, ids: dict[int, str]) -> dict[str, Any]:
    """An event argument; a commodity's carries its vocabulary key (or null)."""
    rec = {"role": a.role, "entity": ids.get(id(a.entity)) if a.entity else None}
    if a.role == "commodity":
        rec["key"] = a.key
    rec.update(text=a.text, start=a.start, end=a.end)
    if a.translated is not None:
        rec["translated"] = a.translated
    return rec


def claim_about(doc: Document, content: Any, ids: dict[int, str]) -> list[str]:
    """The ids of the entities with a mention inside ``content``, in order of their first
    mention there (what graph builders join a claim's subjects on)."""
    firsts = []
    for ent in doc.entities:
        first = min((m.start for m in ent.mentions
                     if content.start <= m.start and m.end <= content.end), default=None)
        if first is not None and id(ent) in ids:
            firsts.append((first, ids[id(ent)]))
    return list(dict.fromkeys(i for _, i in sorted(firsts)))


def claim_records(doc: Document, ids: dict[int, str] | None = None,
                  first: int = 1) -> list[dict[str, Any]]:
    """One ``claim`` record per claim, numbered from ``first``; a speaker that is a name
    points to its entity."""
    ids = _entity_ids(doc) if ids is None else ids
    out = []
    for n, c in enumerate(doc.claims, start=first):
        speaker = None
        if c.speaker is not None:
            speaker = {"entity": ids.get(id(c.speaker_entity)) if c.speaker_entity else None,
                       **_text_span(doc, c.speaker)}
        out.append({
            "type": "claim",
            "id": f"{doc.doc_id}/c{n}",
            "doc_id": doc.doc_id,
            "kind": c.kind,
            "speaker": speaker,
            "cue": _text_span(doc, c.cue) if c.cue is not None else None,
            "content": _text_span(doc, c.content),
            "about": claim_about(doc, c.content, ids),
            "confidence": round(c.confidence, 3),
        })
    return out


def doc_records(doc: Document) -> list[dict[str, Any]]:
    """All records of one document, the ``document`` record first."""
    ids = _entity_ids(doc)
    return [document_record(doc), *entity_records(doc), *relation_records(doc, ids),
            *event_records(doc, ids), *claim_records(doc, ids)]


def error_record(err: ErrorRecord) -> dict[str, Any]:
    """The ``error`` record of an input (or a stage) that failed."""
    rec: dict[str, Any] = {
        "type": "error",
        "schema": SCHEMA_VERSION,
        "doc_id": err.doc_id,
        "source": err.source,
        "stage": err.stage,
        "error": err.error,
    }
    if err.line is not None:
        rec["line"] = err.line
    return rec


def stage_error_record(doc: Document, stage: str, exc: BaseException) -> dict[str, Any]:
    """The ``error`` record of a document that ``stage`` failed on with ``exc``."""
    detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
    return error_record(ErrorRecord(source=doc.source, stage=stage, error=detail,
                                    doc_id=doc.doc_id))
