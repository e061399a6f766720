"""The in-memory types that flow through the stages.

A `Document` carries the original text untouched; every span on it (boilerplate masks,
sentences, tokens, mentions) is a pair of character offsets into that text, end exclusive.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

from pipeline.text.tokens import Tokens


@dataclass
class Span:
    """A character span ``[start, end)`` of the original text."""

    start: int
    end: int


_NOT_BREAK = re.compile(r"[^\r\n]")


def blank_spans(text: str, spans: list[Span]) -> str:
    """``text`` with ``spans`` replaced by spaces (line breaks kept): same length."""
    if not spans:
        return text
    parts = []
    pos = 0
    for span in sorted(spans, key=lambda s: s.start):
        start = max(span.start, pos)
        parts.append(text[pos:start])
        parts.append(_NOT_BREAK.sub(" ", text[start:span.end]))
        pos = max(pos, span.end)
    parts.append(text[pos:])
    return "".join(parts)


@dataclass
class TranslatedSpan(Span):
    """A span of the original text found on its English translation (`lintas run
    --translate`): ``translated`` is the English text it was mapped from."""

    translated: str | None = None


@dataclass
class Mention:
    """One name in the text that a NER backend found."""

    start: int
    end: int
    text: str
    label: str  # PER / ORG / LOC / MISC
    source: str  # which backend found it, e.g. "gazetteer"
    confidence: float
    canonical: dict[str, Any] | None = None  # {"key", "name", "wikidata"?}
    translated: str | None = None  # the English name it was mapped from (translation path)


@dataclass
class Entity:
    """All mentions of one thing in one document."""

    label: str
    name: str
    mentions: list[Mention]
    canonical: dict[str, Any] | None
    confidence: float


@dataclass
class Relation:
    """A fact between two entities of a document, with the text that states it."""

    label: str  # holds_position / part_of / located_in / affiliated_with
    head: Entity
    tail: Entity | None  # None: a position without the organisation or country named
    value: str | None  # the position's words (holds_position); the cue (affiliated_with)
    evidence: Span
    confidence: float


@dataclass
class Document:
    """One input article and everything the stages have assigned to it."""

    doc_id: str
    source: str
    text: str
    title: str | None = None
    url: str | None = None
    published: str | None = None
    lang_hint: str | None = None  # from --lang or the JSONL `lang` field
    lang: str | None = None
    lang_confidence: float | None = None
    masked: list[Span] = field(default_factory=list)  # boilerplate: skipped by extraction
    sentences: list[Span] = field(default_factory=list)
    tokens: Tokens | None = None  # set by the segment stage
    mentions: list[Mention] = field(default_factory=list)
    entities: list[Entity] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    events: list[Any] = field(default_factory=list)  # pipeline.stages.events.Event
    claims: list[Any] = field(default_factory=list)  # pipeline.stages.claims.Claim
    extractors: dict[str, str] = field(default_factory=dict)
    translation: dict[str, Any] | None = None  # how it was translated (`--translate`)
    notes: list[str] = field(default_factory=list)  # e.g. decoded from cp1251
    # where this document lies in a longer one that `pipeline.core.sections` cut up (offsets
    # here are into this section's text); stages may then trade speed for memory
    section: Span | None = None
    # data one stage leaves for a later one, under the key its module names (the NER
    # backends' own mentions, the encoder's states, a translation's shadow document)
    cache: dict[str, Any] = field(default_factory=dict, repr=False)
    # what `masked` gives, built on first use: (the list it was built from, the masks'
    # starts, the text with the masks blanked); `masked` is replaced, never changed in place
    _masks: tuple[list[Span], list[int], str | None] | None = field(
        default=None, init=False, repr=False, compare=False)

    @property
    def token_offsets(self) -> Tokens:
        """``tokens``; none before the segment stage has run (a new empty view each time:
        a shared one would gather every caller's tables)."""
        return self.tokens if self.tokens is not None else Tokens((), (), "", self.lang or "")

    def _mask_data(self) -> tuple[list[Span], list[int], str | None]:
        masks = self._masks
        if masks is None or masks[0] is not self.masked:
            # masks come in text order and never overlap (one per line at most)
            masks = self._masks = (self.masked, [m.start for m in self.masked], None)
        return masks

    def is_masked(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a masked (boilerplate) span."""
        if not self.masked:
            return False
        starts = self._mask_data()[1]
        i = bisect.bisect_left(starts, end)  # masks starting before `end`
        return i > 0 and self.masked[i - 1].end > start

    def clean_text(self) -> str:
        """The text with the masked spans blanked (`blank_spans`): same length, same
        offsets. Computed once for the document's masks."""
        masked, starts, text = self._mask_data()
        if text is None:
            text = blank_spans(self.text, masked)
            self._masks = (masked, starts, text)
        return text

    def forget_clean_text(self) -> None:
        """Drop the memoised `clean_text` (a long document's sections each have their own)."""
        self._masks = None


@dataclass
class ErrorRecord:
    """An input that could not become a document (or a stage that failed on one)."""

    source: str
    stage: str
    error: str
    doc_id: str | None = None
    line: int | None = None
