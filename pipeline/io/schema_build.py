"""The JSON Schema of lintas/1 records, as Python data (written to lintas-1.schema.json).

Kept in Python so that it can carry comments; `lintas schema` prints the JSON file and a
test checks that the file and this source agree.
"""

from __future__ import annotations

from typing import Any

TRANSLATED = {"type": "string",
              "description": "the English this span was mapped from (`lintas run --translate`)"}
SPAN = {
    "type": "object",
    "required": ["start", "end"],
    "properties": {
        "start": {"type": "integer", "minimum": 0},
        "end": {"type": "integer", "minimum": 0},
        "text": {"type": "string"},
        "translated": TRANSLATED,
    },
    "additionalProperties": False,
}
CONFIDENCE = {"type": "number", "minimum": 0, "maximum": 1}
DOC_ID = {"type": "string", "pattern": r"^[\w.\-]+$"}
RECORD_ID = {"type": "string", "pattern": r"^[\w.\-]+/[ervc][0-9]+$"}
NULLABLE_STR = {"type": ["string", "null"]}
CANONICAL = {
    "type": "object",
    "required": ["key", "name"],
    "properties": {
        "key": {"type": "string", "minLength": 1,
                "description": "What graph builders merge on: a Wikidata id (Q…) when known, "
                               "else geonames:ID, cldr:CODE or label:transliterated-name"},
        "name": {"type": "string"},
        "wikidata": {"type": ["string", "null"], "pattern": "^Q[0-9]+$"},
    },
    "additionalProperties": False,
}
EVENT_TYPES = ["AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT",
               "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
               "COERCE", "ASSAULT", "TRADE", "INVEST", "PRODUCE"]


def _record(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {"type": "object", "required": required, "properties": properties,
            "additionalProperties": False}


DOCUMENT = _record(
    ["type", "schema", "doc_id", "source", "lang", "lang_confidence", "text_sha256", "chars",
     "published", "translation", "extractors"],
    {
        "type": {"const": "document"},
        "schema": {"const": "lintas/1"},
        "doc_id": DOC_ID,
        "source": {"type": "string", "description": "file path, path:line for JSONL, <stdin>"},
        "lang": {"type": "string", "pattern": "^([a-z]{2,3}|und)$",
                 "description": "ISO 639-1 code (639-3 where there is none); und = undetermined"},
        "lang_confidence": CONFIDENCE,
        "text_sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "chars": {"type": "integer", "minimum": 0},
        "published": NULLABLE_STR,
        "title": NULLABLE_STR,
        "url": NULLABLE_STR,
        "translation": {"type": ["object", "null"]},
        "boilerplate": {"type": "array", "items": SPAN,
                        "description": "spans masked out of extraction (offsets unchanged)"},
        "extractors": {"type": "object", "additionalProperties": {"type": "string"}},
        "notes": {"type": "array", "items": {"type": "string"}},
    },
)
ENTITY = _record(
    ["type", "id", "doc_id", "label", "name", "canonical", "mentions", "confidence"],
    {
        "type": {"const": "entity"},
        "id": RECORD_ID,
        "doc_id": DOC_ID,
        "label": {"enum": ["PER", "ORG", "LOC", "MISC"]},
        "name": {"type": "string", "minLength": 1},
        "canonical": CANONICAL,
        "mentions": {"type": "array", "minItems": 1,
                     "items": {**SPAN, "required": ["start", "end", "text"],
                               "properties": SPAN["properties"]}},
        "confidence": CONFIDENCE,
    },
)
RELATION = _record(
    ["type", "id", "doc_id", "label", "head", "tail", "evidence", "confidence"],
    {
        "type": {"const": "relation"},
        "id": RECORD_ID,
        "doc_id": DOC_ID,
        "label": {"enum": ["holds_position", "part_of", "affiliated_with", "located_in"]},
        "head": RECORD_ID,
        "tail": {"oneOf": [RECORD_ID, {"type": "null"}],
                 "description": "null when the text names no organisation or place for a "
                                "position (\"the state secretary Marco Rubio\")"},
        "value": NULLABLE_STR,
        "evidence": SPAN,
        "confidence": CONFIDENCE,
    },
)
ARGUMENT = {
    "type": "object",
    "required": ["role", "text", "start", "end"],
    "properties": {"role": {"type": "string"}, "entity": {"type": ["string", "null"]},
                   "key": {"type": ["string", "null"],
                           "description": "commodity arguments: the key of the shipped "
                                          "commodity vocabulary (\"litium\", \"литий\" -> "
                                          "lithium), null when the text names none of it"},
                   "text": {"type": "string"}, "start": {"type": "integer", "minimum": 0},
                   "end": {"type": "integer", "minimum": 0}, "translated": TRANSLATED},
    "additionalProperties": False,
}
EVENT = _record(
    ["type", "id", "doc_id", "event_type", "trigger", "arguments", "modality", "sentence",
     "confidence"],
    {
        "type": {"const": "event"},
        "id": RECORD_ID,
        "doc_id": DOC_ID,
        "event_type": {"enum": EVENT_TYPES},
        "mode": NULLABLE_STR,
        "trigger": {**SPAN, "required": ["start", "end", "text"]},
        "arguments": {"type": "array", "items": ARGUMENT},
        "time": {"type": ["object", "null"],
                 "properties": {"text": {"type": "string"}, "value": NULLABLE_STR,
                                "start": {"type": "integer"}, "end": {"type": "integer"}}},
        "modality": {"enum": ["asserted", "planned", "negated", "hypothetical", "reported"]},
        "sentence": SPAN,
        "confidence": CONFIDENCE,
    },
)
SPEAKER = {"type": "object", "required": ["text", "start", "end"],
           "properties": {"entity": {"type": ["string", "null"]}, "text": {"type": "string"},
                          "start": {"type": "integer"}, "end": {"type": "integer"},
                          "translated": TRANSLATED},
           "additionalProperties": False}
CLAIM = _record(
    ["type", "id", "doc_id", "kind", "content", "confidence"],
    {
        "type": {"const": "claim"},
        "id": RECORD_ID,
        "doc_id": DOC_ID,
        "kind": {"enum": ["direct", "reported", "factual"]},
        "speaker": {"oneOf": [SPEAKER, {"type": "null"}]},
        "cue": {"oneOf": [{**SPAN, "required": ["start", "end", "text"]}, {"type": "null"}]},
        "content": {**SPAN, "required": ["start", "end", "text"]},
        "about": {"type": "array", "items": RECORD_ID,
                  "description": "the entities the content names, in order of their first "
                                 "mention in it"},
        "confidence": CONFIDENCE,
    },
)
ERROR = _record(
    ["type", "doc_id", "source", "stage", "error"],
    {
        "type": {"const": "error"},
        "schema": {"const": "lintas/1"},
        "doc_id": {"type": ["string", "null"]},
        "source": {"type": "string"},
        "stage": {"type": "string"},
        "error": {"type": "string"},
        "line": {"type": "integer", "minimum": 1},
    },
)
RECORDS = {"document": DOCUMENT, "entity": ENTITY, "relation": RELATION, "event": EVENT,
           "claim": CLAIM, "error": ERROR}


def build() -> dict[str, Any]:
    """The whole schema: one record per JSONL line, dispatched on ``type``."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://lintas.invalid/schema/lintas-1.schema.json",
        "title": "lintas/1 record",
        "description": "One line of lintas JSONL output. Offsets are character offsets into "
                       "the original input text, end exclusive.",
        "type": "object",
        "required": ["type"],
        "properties": {"type": {"enum": sorted(RECORDS)}},
        "allOf": [
            {"if": {"properties": {"type": {"const": name}}, "required": ["type"]},
             "then": {"$ref": f"#/$defs/{name}"}}
            for name in sorted(RECORDS)
        ],
        "$defs": RECORDS,
    }
