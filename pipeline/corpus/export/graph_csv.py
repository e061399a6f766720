"""Nodes and edges as CSV files in the header format of ``neo4j-admin database import``.

Nodes: ``Entity`` (one per canonical key, across documents and languages), ``Document``,
``Event``, ``Claim`` and ``Commodity`` (one per commodity key). Edges: ``MENTIONED_IN``
(entity -> document), ``ARGUMENT {role}`` (event -> entity or commodity), ``SAID`` (speaker ->
claim), ``ABOUT`` (claim -> entity), ``REPORTED_IN`` (event or claim -> document) and one
edge type per relation label (``HOLDS_POSITION``, ``PART_OF``, ``LOCATED_IN``,
``AFFILIATED_WITH``; a position whose organisation the text does not name has no edge).

Header conventions: ``key:ID(Entity)`` (an id space per node type), ``:LABEL``,
``:START_ID(Entity)``, ``:END_ID(Document)``, ``:TYPE``, typed properties (``:long``,
``:double``, ``:date``, ``string[]``). Fields are quoted as RFC 4180 says (a quote doubled,
newlines inside quotes), and array elements are separated by U+001F, so any name
round-trips; import with

    neo4j-admin database import full --array-delimiter="U+001F" --multiline-fields=true \\
        --nodes=entities.csv --nodes=documents.csv ... --relationships=mentioned_in.csv ...

(the exact command for the files written is in ``import.sh`` beside them).
"""

from __future__ import annotations

import csv
from collections import Counter, defaultdict
from collections.abc import Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# U+001F, the array delimiter given to neo4j-admin; it also separates a node's labels
ARRAY = "\x1f"

NODE_FILES: dict[str, list[str]] = {
    "documents": ["doc_id:ID(Document)", ":LABEL", "source", "lang", "published:date",
                  "title", "url", "chars:long"],
    "events": ["id:ID(Event)", ":LABEL", "event_type", "mode", "modality", "date:date",
               "time_text", "trigger", "doc_id", "trigger_start:long", "trigger_end:long",
               "sentence_start:long", "sentence_end:long", "confidence:double"],
    "claims": ["id:ID(Claim)", ":LABEL", "kind", "cue", "content", "speaker_text", "doc_id",
               "content_start:long", "content_end:long", "confidence:double"],
}
EDGE_FILES: dict[str, list[str]] = {
    "mentioned_in": [":START_ID(Entity)", ":END_ID(Document)", ":TYPE", "entity_id",
                     "mentions:int", "first_start:long"],
    "arguments": [":START_ID(Event)", ":END_ID(Entity)", ":TYPE", "role", "text",
                  "start:long", "end:long"],
    "commodity_arguments": [":START_ID(Event)", ":END_ID(Commodity)", ":TYPE", "role",
                            "text", "start:long", "end:long"],
    "said": [":START_ID(Entity)", ":END_ID(Claim)", ":TYPE", "text", "start:long",
             "end:long"],
    "about": [":START_ID(Claim)", ":END_ID(Entity)", ":TYPE", "position:int"],
    "event_reported_in": [":START_ID(Event)", ":END_ID(Document)", ":TYPE"],
    "claim_reported_in": [":START_ID(Claim)", ":END_ID(Document)", ":TYPE"],
    "relations": [":START_ID(Entity)", ":END_ID(Entity)", ":TYPE", "relation_id", "doc_id",
                  "value", "evidence", "confidence:double"],
}
ENTITY_HEADER = ["key:ID(Entity)", ":LABEL", "name", "label", "wikidata", "names:string[]",
                 "langs:string[]", "documents:int"]
COMMODITY_HEADER = ["key:ID(Commodity)", ":LABEL", "texts:string[]"]


def _cell(value: Any) -> Any:
    """A CSV field: None is empty (no property), lists joined by `ARRAY`."""
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ARRAY.join(str(v).replace(ARRAY, " ") for v in value)
    return value


def _by_frequency(counts: Counter) -> list[str]:
    """The keys of ``counts``, most frequent first, then in string order."""
    return [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass
class _Entity:
    names: Counter = field(default_factory=Counter)  # name -> documents
    by_lang: dict = field(default_factory=lambda: defaultdict(Counter))  # lang -> names
    labels: Counter = field(default_factory=Counter)
    canonical_name: str = ""
    wikidata: str | None = None
    documents: set = field(default_factory=set)


def write_graph_csv(rows: Iterable[tuple[str, dict[str, Any]]], out: Path) -> dict[str, int]:
    """Write the node and edge files of ``rows`` (`tables.rows`) to ``out``, and
    ``import.sh`` with the neo4j-admin command that loads them; returns rows per file."""
    out.mkdir(parents=True, exist_ok=True)
    entities: dict[str, _Entity] = defaultdict(_Entity)
    commodities: dict[str, Counter] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    lang: dict[str, str | None] = {}
    with ExitStack() as stack:
        writers = {}
        for name, header in {**NODE_FILES, **EDGE_FILES}.items():
            fh = stack.enter_context(open(out / f"{name}.csv", "w", encoding="utf-8",
                                          newline=""))
            writers[name] = csv.writer(fh)
            writers[name].writerow(header)

        def put(name: str, *values: Any) -> None:
            writers[name].writerow([_cell(v) for v in values])
            counts[name] += 1

        for table, r in rows:
            if table == "documents":
                lang[r["doc_id"]] = r["lang"]
                put("documents", r["doc_id"], "Document", r["source"], r["lang"],
                    r["published"], r["title"], r["url"], r["chars"])
            elif table == "entities":
                e = entities[r["canonical_key"]]
                e.names[r["name"]] += 1
                e.labels[r["label"]] += 1
                e.canonical_name = e.canonical_name or r["canonical_name"] or r["name"]
                e.wikidata = e.wikidata or r["wikidata"]
                e.documents.add(r["doc_id"])
                e.by_lang[lang.get(r["doc_id"]) or "und"][r["name"]] += 1
                put("mentioned_in", r["canonical_key"], r["doc_id"], "MENTIONED_IN", r["id"],
                    r["mentions"], r["first_start"])
            elif table == "relations" and r["tail_key"]:
                put("relations", r["head_key"], r["tail_key"], r["label"].upper(), r["id"],
                    r["doc_id"], r["value"], r["evidence_text"], r["confidence"])
            elif table == "events":
                put("events", r["id"], "Event", r["event_type"], r["mode"], r["modality"],
                    r["date"], r["time_text"], r["trigger_text"], r["doc_id"],
                    r["trigger_start"], r["trigger_end"], r["sentence_start"],
                    r["sentence_end"], r["confidence"])
                put("event_reported_in", r["id"], r["doc_id"], "REPORTED_IN")
            elif table == "event_arguments":
                if r["canonical_key"]:
                    put("arguments", r["event_id"], r["canonical_key"], "ARGUMENT", r["role"],
                        r["text"], r["start"], r["end"])
                elif r["role"] == "commodity" and r["key"]:
                    commodities[r["key"]][r["text"]] += 1
                    put("commodity_arguments", r["event_id"], r["key"], "ARGUMENT", r["role"],
                        r["text"], r["start"], r["end"])
            elif table == "claims":
                put("claims", r["id"], "Claim", r["kind"], r["cue_text"], r["content_text"],
                    r["speaker_text"], r["doc_id"], r["content_start"], r["content_end"],
                    r["confidence"])
                put("claim_reported_in", r["id"], r["doc_id"], "REPORTED_IN")
                if r["speaker_key"]:
                    put("said", r["speaker_key"], r["id"], "SAID", r["speaker_text"],
                        r["speaker_start"], r["speaker_end"])
            elif table == "claim_subjects" and r["canonical_key"]:
                put("about", r["claim_id"], r["canonical_key"], "ABOUT", r["position"])
    langs = sorted({lg for e in entities.values() for lg in e.by_lang})
    with open(out / "entities.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        # and per language seen, the names in that language: name_bg:string[] …
        w.writerow(ENTITY_HEADER + [f"name_{lg}:string[]" for lg in langs])
        for key in sorted(entities):
            e = entities[key]
            label = e.labels.most_common(1)[0][0]
            w.writerow([_cell(v) for v in (
                key, f"Entity{ARRAY}{label}", e.canonical_name, label, e.wikidata,
                _by_frequency(e.names), sorted(e.by_lang), len(e.documents),
                *(_by_frequency(e.by_lang[lg]) if lg in e.by_lang else None for lg in langs))])
    counts["entities"] = len(entities)
    with open(out / "commodities.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(COMMODITY_HEADER)
        for key in sorted(commodities):
            w.writerow([key, "Commodity", _cell(_by_frequency(commodities[key]))])
    counts["commodities"] = len(commodities)
    nodes = ["entities", "commodities", *NODE_FILES]
    (out / "import.sh").write_text(
        "#!/bin/sh\n# Load this folder into an empty Neo4j database (run it here).\n"
        "exec neo4j-admin database import full --array-delimiter=\"U+001F\" "
        "--multiline-fields=true \\\n"
        + "".join(f"  --nodes={n}.csv \\\n" for n in nodes)
        + "".join(f"  --relationships={e}.csv \\\n" for e in EDGE_FILES)
        + "  \"${1:-neo4j}\"\n", encoding="utf-8")
    return dict(counts)
