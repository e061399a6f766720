"""Documents too long to hold in memory whole go through the stages a section at a time.

The stages' memory grows with the document: a 3 MB text peaked 0.4 GB above the loaded
models and a 10 MB one 1.3 GB (session 13), most of it per-token arrays, the encoder's
states and the records. A document longer than `SECTION_CHARS` is therefore cut at
paragraph or line breaks into sections; the stages after `WHOLE_DOCUMENT_STAGES` run on
one section at a time, and its relations, events and claims go to temp files at once.
Memory then grows with the document's text and its entities' mention offsets only.

What stays whole: the ``document`` record (the language judged on the whole text's sample,
its boilerplate, its sha256), the entities (merged across sections by the same identity
as within one, short forms joined across sections), and the numbering of every id, in
text order. What a section does not see: the NER rules' and the claims' look-back across
a section border (a name spread to its repeats, a speaker named in an earlier section).
Offsets are into the whole original text, as always.
"""

from __future__ import annotations

import json
import tempfile
from array import array
from typing import Any

from pipeline.core.document import Document, Entity, Span
from pipeline.stages.entities import identity_slot, join_short_forms
from pipeline.text.names import name_key
from pipeline.io.records import (claim_records, document_record, entity_record, event_records,
                      relation_records, span_record, stage_error_record)
from pipeline.core.spool import SpooledRecords, discard, spool_file

# Sections are at most this many characters (news articles are far shorter: only
# documents over it are cut at all). Measured on 1.2 MB of the sample articles, peak
# memory: 200,000 characters 1,026 MB, 100,000 984 MB (models loaded: 811 MB).
SECTION_CHARS = 100_000
# The leading stages that read the whole document: they are cheap and bounded (the
# language is judged on a sample) and their results belong to the whole document.
WHOLE_DOCUMENT_STAGES = ("clean", "langid")


def section_bounds(text: str, limit: int = SECTION_CHARS) -> list[tuple[int, int]]:
    """``text`` cut into consecutive ``(start, end)`` sections of at most ``limit``
    characters, each ending, where the second half of its window has one, after a blank
    line, else after a line break (the NER rules never join names across one), else
    after a sentence's full stop, else after a space; only a text without any is cut
    mid-word."""
    bounds = []
    limit = max(limit, 2)
    start, n = 0, len(text)
    while n - start > limit:
        lo, hi = start + limit // 2, start + limit
        for sep in ("\n\n", "\n", ". ", " "):
            cut = text.rfind(sep, lo, hi)
            if cut != -1:
                cut += len(sep)
                break
        else:
            cut = hi
        bounds.append((start, cut))
        start = cut
    bounds.append((start, n))
    return bounds


def _masks_within(masked: list[Span], start: int, end: int) -> list[Span]:
    return [Span(max(m.start, start) - start, min(m.end, end) - start)
            for m in masked if m.start < end and m.end > start]


def _shift(obj: Any, delta: int) -> None:
    """Move every ``start``/``end`` pair in a record by ``delta`` (in lintas/1 every such
    pair is a span of the document's text)."""
    if isinstance(obj, dict):
        if isinstance(obj.get("start"), int) and isinstance(obj.get("end"), int):
            obj["start"] += delta
            obj["end"] += delta
        for value in obj.values():
            if isinstance(value, (dict, list)):
                _shift(value, delta)
    elif isinstance(obj, list):
        for value in obj:
            _shift(value, delta)


class _Entities:
    """A sectioned document's entities, compact: each entity once, with its mentions'
    offsets in an array (their texts are read from the document at the end)."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.entities: list[Entity] = []  # with empty mention lists
        self.offsets: list[array[int]] = []  # start, end, start, end, ...
        self.by_slot: dict[str, int] = {}
        self.unsorted: set[int] = set()
        # the English name of a mention read through the translation path, by its offsets
        self.translated: dict[tuple[int, int], str] = {}

    def add(self, ent: Entity, delta: int) -> str:
        """Take one section's entity (offsets moved by ``delta``); returns the provisional
        id its section's records refer to it by."""
        key = ent.canonical["key"] if ent.canonical else name_key(ent.label, ent.name)
        slot = identity_slot(key)
        n = self.by_slot.get(slot)
        if n is None:
            n = self.by_slot[slot] = len(self.entities)
            self.entities.append(Entity(ent.label, ent.name, [], ent.canonical,
                                        ent.confidence))
            self.offsets.append(array("q"))
        else:
            self.entities[n].confidence = max(self.entities[n].confidence, ent.confidence)
        spans = self.offsets[n]
        for m in ent.mentions:
            spans.append(m.start + delta)
            spans.append(m.end + delta)
            if m.translated is not None:
                self.translated[(m.start + delta, m.end + delta)] = m.translated
        return str(n)

    def finish(self) -> tuple[list[int], list[int]]:
        """Join short forms across sections; returns the provisional numbers of the
        entities kept, in order, and for every provisional number its entity's number
        (1-based, the ``e`` of its id)."""
        pos = {id(e): n for n, e in enumerate(self.entities)}
        parent = list(range(len(self.entities)))

        def absorb(target: Entity, short: Entity) -> None:
            t, s = pos[id(target)], pos[id(short)]
            parent[s] = t
            self.offsets[t].extend(self.offsets[s])
            self.offsets[s] = array("q")
            self.unsorted.add(t)

        kept = [pos[id(e)] for e in join_short_forms(self.entities, self.lang, absorb)]
        number = {p: n for n, p in enumerate(kept, start=1)}

        def final(p: int) -> int:
            while parent[p] != p:
                p = parent[p]
            return number[p]

        return kept, [final(p) for p in range(len(self.entities))]

    def records(self, doc: Document, kept: list[int]) -> Any:
        """The ``entity`` records, numbered in order of first mention."""
        for n, p in enumerate(kept, start=1):
            spans = self.offsets[p]
            pairs = list(zip(spans[0::2], spans[1::2]))
            if p in self.unsorted:
                pairs.sort()
            yield entity_record(doc.doc_id, n, self.entities[p],
                                [span_record(s, e, doc.text[s:e], self.translated.get((s, e)))
                                 for s, e in pairs])


def _add_translation(total: dict[str, Any] | None, part: dict[str, Any]) -> dict[str, Any]:
    """A document's ``translation`` record from its sections': the same model and
    languages, the counts summed."""
    if total is None:
        return dict(part)
    counts = ("sentences", "english_names", "mapped")
    out = {**total, **{k: total.get(k, 0) + part.get(k, 0) for k in counts}}
    # what the stages found on the English and mapped back (`pipeline.stages.translated`)
    records = {name: dict(c) for name, c in total.get("records", {}).items()}
    for name, c in part.get("records", {}).items():
        mine = records.setdefault(name, {"english": 0, "mapped": 0})
        for k in ("english", "mapped"):
            mine[k] = mine.get(k, 0) + c.get(k, 0)
    if records:
        out["records"] = records
    return out


def _remap(rec: dict[str, Any], kind: str, doc_id: str, number: list[int]) -> None:
    """Point a section record's entity references (provisional ids) at the final ids."""
    def ref(value: str | None) -> str | None:
        return None if value is None else f"{doc_id}/e{number[int(value)]}"

    if kind == "relation":
        rec["head"], rec["tail"] = ref(rec["head"]), ref(rec["tail"])
    elif kind == "event":
        for arg in rec["arguments"]:
            arg["entity"] = ref(arg["entity"])
    else:
        if rec["speaker"] is not None:
            rec["speaker"]["entity"] = ref(rec["speaker"]["entity"])
        # two section entities merged into one are named once
        rec["about"] = list(dict.fromkeys(ref(v) for v in rec["about"]))


def _dedupe(relations: list[dict[str, Any]], doc_id: str,
            number: list[int]) -> list[dict[str, Any]]:
    """The sections' relation records as one document's: one per label, head, tail and
    value (the most confident; the first of equals), in order of their evidence, numbered
    (as `pipeline.stages.relations` does within a document)."""
    best: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rec in relations:
        _remap(rec, "relation", doc_id, number)
        key = (rec["label"], rec["head"], rec["tail"], rec["value"])
        if key not in best or rec["confidence"] > best[key]["confidence"]:
            best[key] = rec
    out = sorted(best.values(), key=lambda r: (r["evidence"]["start"], r["evidence"]["end"],
                                               r["label"]))
    for n, rec in enumerate(out, start=1):
        rec["id"] = f"{doc_id}/r{n}"
    return out


def _dumps(rec: dict[str, Any]) -> str:
    # ASCII in the temp files: a lone surrogate survives to `pipeline.io.lines.record_lines`, which
    # turns the input into an error record as it does for any document
    return json.dumps(rec, separators=(",", ":")) + "\n"


def process_sectioned(stages: list[Any], doc: Document,
                      limit: int = SECTION_CHARS) -> SpooledRecords | list[dict[str, Any]]:
    """All records of ``doc``, run through ``stages`` a section at a time, in a temp file
    (`SpooledRecords`, in the order and with the ids of an unsectioned run); or, when a
    stage fails, the one ``error`` record naming it."""
    whole = 0
    while whole < len(stages) and stages[whole].name in WHOLE_DOCUMENT_STAGES:
        whole += 1
    for stage in stages[:whole]:
        try:
            doc = stage(doc)
        except Exception as exc:  # noqa: BLE001 - any failure becomes a record
            return [stage_error_record(doc, stage.name, exc)]
    # the whole cleaned text language identification read: each section cleans its own
    doc.forget_clean_text()
    doc.cache.clear()
    entities = _Entities(doc.lang or "")
    relations: list[dict[str, Any]] = []  # few: deduplicated at the end, as within a section
    # anonymous temp files: gone with the process, however it ends
    files = {kind: tempfile.TemporaryFile("w+", encoding="utf-8") for kind in ("event", "claim")}
    counts = dict.fromkeys(files, 0)
    extractors: dict[str, list[str]] = {k: [v] for k, v in doc.extractors.items()}
    out_path = None
    try:
        for start, end in section_bounds(doc.text, limit):
            sec = Document(doc.doc_id, doc.source, doc.text[start:end], title=doc.title,
                           url=doc.url, published=doc.published, lang_hint=doc.lang_hint,
                           lang=doc.lang, lang_confidence=doc.lang_confidence,
                           masked=_masks_within(doc.masked, start, end),
                           section=Span(start, end))
            for stage in stages[whole:]:
                try:
                    sec = stage(sec)
                except Exception as exc:  # noqa: BLE001 - any failure becomes a record
                    return [stage_error_record(doc, stage.name, exc)]
            if sec.translation is not None:  # the translation path: its counts, summed
                doc.translation = _add_translation(doc.translation, sec.translation)
            for key, value in sec.extractors.items():
                if value not in extractors.setdefault(key, []):
                    extractors[key].append(value)
            ids = {id(ent): entities.add(ent, start) for ent in sec.entities}
            for rec in relation_records(sec, ids):
                _shift(rec, start)
                relations.append(rec)
            # numbered on from the sections before
            for kind, recs in (("event", event_records(sec, ids, counts["event"] + 1)),
                               ("claim", claim_records(sec, ids, counts["claim"] + 1))):
                counts[kind] += len(recs)
                for rec in recs:
                    _shift(rec, start)
                    files[kind].write(_dumps(rec))
        kept, number = entities.finish()
        doc.extractors = {k: " | ".join(v) for k, v in extractors.items()}
        out, out_path = spool_file("records")
        with out:
            out.write(_dumps(document_record(doc)))
            for rec in entities.records(doc, kept):
                out.write(_dumps(rec))
            for rec in _dedupe(relations, doc.doc_id, number):
                out.write(_dumps(rec))
            for kind, fh in files.items():
                fh.seek(0)
                for line in fh:
                    rec = json.loads(line)
                    _remap(rec, kind, doc.doc_id, number)
                    out.write(_dumps(rec))
        result = SpooledRecords(out_path)
        out_path = None
        return result
    finally:
        for fh in files.values():
            fh.close()
        if out_path is not None:  # failed while writing it
            discard(out_path)
