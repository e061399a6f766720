"""One row per event, in the spirit of GDELT and POLECAT event tables.

Columns: the event's date (its own time, else the story's date lintas gave it; empty when
none) and its document's publication date, type, mode and modality; the first actor, counterpart and location (canonical key and
name; every one of them in ``*_keys``, joined by "|"); the commodity keys and their words;
the document's id, URL, source and language; and the offsets of the trigger and sentence in
the original text, so that every row points back to its characters.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

COLUMNS = ["date", "published", "event_type", "mode", "modality", "actor_key", "actor_name",
           "actor_keys", "counterpart_key", "counterpart_name", "counterpart_keys",
           "location_key", "location_name", "commodities", "commodity_texts", "trigger",
           "doc_id", "url", "source", "lang", "trigger_start", "trigger_end",
           "sentence_start", "sentence_end", "event_id", "time_text", "confidence"]


def event_rows(rows: Iterable[tuple[str, dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """One dict per event (`COLUMNS`) from `tables.rows` output; an event's row is complete
    once its arguments have been read (they follow it)."""
    docs: dict[str, dict[str, Any]] = {}
    names: dict[str, str] = {}  # the current document's entity id -> name
    current: dict[str, Any] | None = None
    args: list[dict[str, Any]] = []

    def finish() -> dict[str, Any] | None:
        if current is None:
            return None
        ev = current
        doc = docs.get(ev["doc_id"], {})

        def role(name: str) -> list[dict[str, Any]]:
            return [a for a in args if a["role"] == name and a["canonical_key"]]

        row = {"date": ev["date"], "published": doc.get("published"), "event_type": ev["event_type"], "mode": ev["mode"],
               "modality": ev["modality"], "trigger": ev["trigger_text"],
               "doc_id": ev["doc_id"], "url": doc.get("url"), "source": doc.get("source"),
               "lang": ev["lang"], "trigger_start": ev["trigger_start"],
               "trigger_end": ev["trigger_end"], "sentence_start": ev["sentence_start"],
               "sentence_end": ev["sentence_end"], "event_id": ev["id"],
               "time_text": ev["time_text"], "confidence": ev["confidence"],
               "commodities": "|".join(ev["commodities"]),
               "commodity_texts": "|".join(dict.fromkeys(
                   a["text"] for a in args if a["role"] == "commodity"))}
        for name in ("actor", "counterpart", "location"):
            found = role(name)
            row[f"{name}_key"] = found[0]["canonical_key"] if found else None
            row[f"{name}_name"] = names.get(found[0]["entity_id"]) if found else None
            if name != "location":
                row[f"{name}_keys"] = "|".join(dict.fromkeys(a["canonical_key"] for a in found))
        return row

    for table, r in rows:
        if table in ("events", "documents"):
            done = finish()
            if done is not None:
                yield done
            current, args = (r, []) if table == "events" else (None, [])
            if table == "documents":
                docs = {r["doc_id"]: r}  # one document at a time
                names = {}
        elif table == "entities":
            names[r["id"]] = r["name"]
        elif table == "event_arguments" and current is not None:
            args.append(r)
        elif table in ("claims", "relations"):
            done = finish()
            if done is not None:
                yield done
            current, args = None, []
    done = finish()
    if done is not None:
        yield done


def write_events_csv(rows: Iterable[tuple[str, dict[str, Any]]], out: Path) -> int:
    """Write ``out`` (a CSV file with a header row); returns the number of events."""
    out.parent.mkdir(parents=True, exist_ok=True)
    n = 0
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, COLUMNS)
        w.writeheader()
        for row in event_rows(rows):
            w.writerow({k: ("" if v is None else v) for k, v in row.items()})
            n += 1
    return n
