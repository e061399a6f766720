"""The in-memory types that flow through the stages.

A `Document` carries the original text untouched; every span on it (boilerplate masks,
sentences, tokens, mentions) is a pair of character offsets into that text, end exclusive.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple


@dataclass
class Span:
    """A character span ``[start, end)`` of the original text."""

    start: int
    end: int


class Tokens(NamedTuple):
    """A document's tokens (`pipeline.segment`): token ``i`` is ``text[starts[i]:ends[i]]``,
    in text order, as two compact arrays (whitespace is not a token)."""

    starts: Sequence[int]
    ends: Sequence[int]


NO_TOKENS = Tokens((), ())


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
    events: list[Any] = field(default_factory=list)  # pipeline.events.Event
    claims: list[Any] = field(default_factory=list)  # pipeline.claims.Claim
    extractors: dict[str, str] = field(default_factory=dict)
    translation: dict[str, Any] | None = None  # how it was translated (`--translate`)
    notes: list[str] = field(default_factory=list)  # e.g. decoded from cp1251
    # where this document lies in a longer one that `pipeline.sections` cut up (offsets
    # here are into this section's text); stages may then trade speed for memory
    section: Span | None = None
    cache: dict[str, Any] = field(default_factory=dict, repr=False)  # derived data, per doc

    @property
    def token_offsets(self) -> Tokens:
        """``tokens``; none before the segment stage has run."""
        return self.tokens if self.tokens is not None else NO_TOKENS

    def is_masked(self, start: int, end: int) -> bool:
        """True when ``[start, end)`` overlaps a masked (boilerplate) span."""
        if not self.masked:
            return False
        starts = self.cache.get("mask_starts")
        if starts is None or len(starts) != len(self.masked):
            # masks come in text order and never overlap (one per line at most)
            starts = [m.start for m in self.masked]
            self.cache["mask_starts"] = starts
        i = bisect.bisect_left(starts, end)  # masks starting before `end`
        return i > 0 and self.masked[i - 1].end > start


@dataclass
class ErrorRecord:
    """An input that could not become a document (or a stage that failed on one)."""

    source: str
    stage: str
    error: str
    doc_id: str | None = None
    line: int | None = None
