"""NER by gazetteer lookup: countries, regions, capitals and major cities in the document's
language, with inflected forms ("Русията"), and one-letter misspellings of long names
("Kazakhtan"), each mention carrying the place's canonical identity. The names are matched
on the document's tokens by `pipeline.ner.place_index`."""

from __future__ import annotations

import re
from pipeline.core.document import Document, Mention
from pipeline.ner.place_index import place_index
from pipeline.backends.base import dist_version

FUZZY_CONFIDENCE = 0.6


# Lower-case words of the text: a name that also occurs like this is a common word here.
_WORD = re.compile(r"[^\W\d_]+")


class GazetteerNer:
    """NER backend over the gazetteer; supports every language (English names at least)."""

    name = "gazetteer"

    def __init__(self) -> None:
        self._version = f"lintas-gazetteer 0.1 (babel {dist_version('babel')})"

    def version(self, lang: str | None = None) -> str:
        return self._version

    def supports(self, lang: str) -> bool:
        return True

    def find(self, doc: Document, text: str) -> list[Mention]:
        index = place_index(doc.lang if doc.lang and doc.lang != "und" else "en")
        starts, ends = doc.token_offsets
        lower_words: set[str] | None = None
        out: list[Mention] = []
        i, n = 0, len(starts)
        while i < n:
            token = text[starts[i]:ends[i]]
            if not token[:1].isupper():
                i += 1
                continue
            hit = index.match_at(text, starts, ends, i)
            if hit is None:
                name = index.fuzzy(token)
                hit = (1, name, FUZZY_CONFIDENCE) if name else None
            if hit is None:
                i += 1
                continue
            length, name, conf = hit
            start, end = starts[i], ends[i + length - 1]
            surface = text[start:end]
            if length == 1 and not (surface.isupper() and len(surface) > 1):
                # A one-word name that the text also uses as a lower-case word ("kerja
                # sama" / "Kerja Sama", "lima" / "Lima") is a common word here, not a place
                # (an acronym is not: "US" is not "us").
                if lower_words is None:
                    lower_words = {w for w in set(_WORD.findall(text)) if w.islower()}
                low = surface.lower()
                if low in index.stop_words or low in lower_words:
                    i += 1
                    continue
            place = index.names[name][0]
            out.append(Mention(start=start, end=end, text=surface, label=place.label,
                               source=self.name, confidence=conf,
                               canonical={**place.canonical(), "matched": name}))
            i += length
        return out
