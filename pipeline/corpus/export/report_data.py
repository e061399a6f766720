"""What `lintas report` shows, gathered from a run's rows (`tables.rows`) in one pass.

The report's data is compact JSON: entities by canonical key (their names per language, the
documents naming them, as indexes), documents, events and claims as short lists that point
at entities and documents by index. Only the current document's entity ids and mentions are
held while reading; what is kept grows with the number of events, claims and entities.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

# event types the timeline shows (the resource and deal types)
TIMELINE_TYPES = ("TRADE", "PRODUCE", "INVEST", "AGREE", "SANCTION")
ROUTE_ROLES = ("origin", "route", "destination")


@dataclass
class _Entity:
    key: str
    label: Counter = field(default_factory=Counter)
    name: str = ""
    wikidata: str | None = None
    names: dict = field(default_factory=lambda: defaultdict(Counter))  # lang -> name -> docs
    docs: list = field(default_factory=list)  # document indexes, each once


def _utf16(text: str, index: int) -> int:
    """The UTF-16 offset of code point ``index`` of ``text``."""
    return len(text[:index].encode("utf-16-le")) // 2


class ReportData:
    """Accumulates rows; `as_json` gives the report's data object."""

    def __init__(self) -> None:
        self.docs: list[dict[str, Any]] = []
        self.entities: dict[str, _Entity] = {}
        self.order: list[str] = []  # entity keys in order of first sight: their index
        self.index: dict[str, int] = {}
        self.events: list[list[Any]] = []
        self.claims: list[list[Any]] = []
        self.errors: Counter = Counter()  # (stage, code) -> count
        self.error_examples: list[list[Any]] = []
        self.runs: list[str] = []
        # the current document
        self._doc = -1
        self._ids: dict[str, int] = {}  # entity record id -> entity index
        self._mentions: list[tuple[int, int, int]] = []  # (start, end, entity index)
        self._event: list[Any] | None = None

    def _entity(self, key: str) -> int:
        if key not in self.index:
            self.index[key] = len(self.order)
            self.order.append(key)
            self.entities[key] = _Entity(key)
        return self.index[key]

    def add(self, table: str, r: dict[str, Any]) -> None:
        """Take one ``(table, row)`` of `tables.rows`."""
        if table == "documents":
            self._doc = len(self.docs)
            self._ids, self._mentions, self._event = {}, [], None
            if r["run"] not in self.runs:
                self.runs.append(r["run"])
            self.docs.append({"id": r["doc_id"], "lang": r["lang"], "source": r["source"],
                              "url": r["url"], "published": r["published"],
                              "title": r["title"], "chars": r["chars"],
                              "n": [0, 0, 0]})  # entities, events, claims
        elif table == "errors":
            if r["run"] not in self.runs:
                self.runs.append(r["run"])
            code = (r["error"] or "")[1:5] if (r["error"] or "").startswith("[L") else ""
            self.errors[(r["stage"], code)] += 1
            if len(self.error_examples) < 200:
                self.error_examples.append([r["source"], r["stage"], r["error"], r["line"]])
        elif self._doc < 0:
            return
        elif table == "entities":
            i = self._entity(r["canonical_key"])
            e = self.entities[r["canonical_key"]]
            self._ids[r["id"]] = i
            e.label[r["label"]] += 1
            e.name = e.name or r["canonical_name"] or r["name"]
            e.wikidata = e.wikidata or r["wikidata"]
            e.names[self.docs[self._doc]["lang"] or "und"][r["name"]] += 1
            if not e.docs or e.docs[-1] != self._doc:
                e.docs.append(self._doc)
            self.docs[self._doc]["n"][0] += 1
        elif table == "mentions":
            if r["entity_id"] in self._ids:
                self._mentions.append((r["start"], r["end"], self._ids[r["entity_id"]]))
        elif table == "events":
            self.docs[self._doc]["n"][1] += 1
            date = r["date"] or self.docs[self._doc]["published"]
            # [type, mode, modality, date, date is the document's, commodities, doc,
            #  trigger start, end, trigger text, {role: [entity indexes or texts]}]
            self._event = [r["event_type"], r["mode"], r["modality"], date,
                           int(not r["date"] and bool(date)), r["commodities"], self._doc,
                           r["trigger_start"], r["trigger_end"], r["trigger_text"], {}]
            self.events.append(self._event)
        elif table == "event_arguments" and self._event is not None:
            role = r["role"]
            value = self._ids.get(r["entity_id"] or "")
            if role == "commodity":
                return
            self._event[10].setdefault(role, []).append(value if value is not None
                                                        else r["text"])
        elif table == "claims":
            self.docs[self._doc]["n"][2] += 1
            s, e = r["content_start"], r["content_end"]
            text = r["content_text"] or ""
            # offsets into the content in UTF-16 code units, as the page's JavaScript
            # counts (records count code points: they differ after an emoji)
            marks = sorted((_utf16(text, ms - s), _utf16(text, me - s), i)
                           for ms, me, i in self._mentions if s <= ms and me <= e)
            # [kind, speaker entity or None, speaker text, cue text, content text, doc,
            #  content start, content end, [[start, end, entity] of names in the content],
            #  speaker start, cue start]
            self.claims.append([r["kind"], self._ids.get(r["speaker_entity_id"] or ""),
                                r["speaker_text"], r["cue_text"], r["content_text"],
                                self._doc, s, e, [list(m) for m in marks],
                                r["speaker_start"], r["cue_start"]])

    def as_json(self) -> dict[str, Any]:
        """The report's data (see the module docstring)."""
        langs: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
        for d in self.docs:
            row = langs[d["lang"] or "und"]
            row[0] += 1
            for k in range(3):
                row[k + 1] += d["n"][k]
        return {
            "runs": self.runs,
            "docs": [[d["id"], d["lang"], d["source"], d["url"], d["published"], d["title"],
                      d["chars"], d["n"]] for d in self.docs],
            "entities": [[e.key, e.label.most_common(1)[0][0], e.name, e.wikidata,
                          {lg: [n for n, _ in sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))]
                           for lg, c in sorted(e.names.items())}, e.docs]
                         for e in (self.entities[k] for k in self.order)],
            "events": self.events,
            "claims": self.claims,
            "coverage": {lg: v for lg, v in sorted(langs.items())},
            "errors": [[stage, code, n] for (stage, code), n in sorted(self.errors.items())],
            "error_examples": self.error_examples,
            "timeline_types": list(TIMELINE_TYPES),
            "route_roles": list(ROUTE_ROLES),
        }


def gather(rows: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The report's data of ``rows``."""
    data = ReportData()
    for table, r in rows:
        data.add(table, r)
    return data.as_json()
