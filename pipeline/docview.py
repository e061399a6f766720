"""Token-level lookups over one document, shared by the rule-based stages.

The segment stage gives a document its tokens as two arrays of offsets (starts, ends) and
its sentences as spans; the ner stages give it mentions. The rules of the later stages
ask the same questions of them: which token is at an offset, which sentence holds it,
which mention covers a token, the token's text in lower case. `DocView` answers them, each
by bisection or a table built once per document.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from collections.abc import Callable, Sequence
from functools import cached_property
from typing import Any, TypeVar

from .document import Document, Mention, Span

T = TypeVar("T")


# Per-document tables, kept for the last `_KEEP` documents: the stages take a batch of
# documents one stage at a time, and each stage's rules ask for the same tables again.
# Keyed by the identity of the objects a table is built from, which the entry keeps alive.
_KEEP = 64
_TABLES: OrderedDict[tuple[str, tuple[int, ...]], tuple[tuple[Any, ...], Any]] = OrderedDict()


def _shared(kind: str, sources: tuple[Any, ...], build: Callable[[], T]) -> T:
    """The ``kind`` table of ``sources`` (the same objects, not equal ones): built by
    ``build`` once and shared (read-only) while it is among the last `_KEEP` built."""
    key = (kind, tuple(map(id, sources)))
    hit = _TABLES.get(key)
    if hit is None or any(a is not b for a, b in zip(hit[0], sources)):
        hit = (sources, build())
        _TABLES[key] = hit
        if len(_TABLES) > _KEEP * 5:  # five kinds of table per document
            _TABLES.popitem(last=False)
    return hit[1]


def clear_tables() -> None:
    """Drop every shared table: for a caller that will read none of those documents
    again (`pipeline.sections`, whose sections would otherwise keep the tables of the
    last `_KEEP` sections, a few MB each, alive)."""
    _TABLES.clear()


def token_index(starts: Sequence[int]) -> dict[int, int]:
    """Token start offset -> token index (shared between the rules: treat it as
    read-only)."""
    return _shared("index", (starts,), lambda: {s: i for i, s in enumerate(starts)})


def token_words(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[str]:
    """The tokens of ``text`` as strings (shared between the rules: read-only)."""
    return _shared("words", (text, starts),
                   lambda: [text[s:e] for s, e in zip(starts, ends)])


def token_lower(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[str]:
    """The tokens of ``text`` in lower case (shared between the rules: read-only)."""
    return _shared("lower", (text, starts),
                   lambda: [w.lower() for w in token_words(text, starts, ends)])


def lower_case_words(text: str, starts: Sequence[int], ends: Sequence[int]) -> frozenset[str]:
    """The words ``text`` writes in lower case somewhere (shared between the rules): a
    capitalized word among them is a common word at a sentence start or in a headline, not
    a name."""
    return _shared("lower-case", (text, starts),
                   lambda: frozenset(w for w in set(token_words(text, starts, ends))
                                     if w.islower()))


def word_positions(words: Sequence[str]) -> dict[str, list[int]]:
    """Each distinct word of ``words`` -> the indexes where it occurs (shared: read-only).
    The phrase tables look up a document's distinct words in it, not every token."""
    def build() -> dict[str, list[int]]:
        where: dict[str, list[int]] = {}
        for i, w in enumerate(words):
            where.setdefault(w, []).append(i)
        return where

    return _shared("positions", (words,), build)


def token_owners(mentions: list[Mention],
                 starts: Sequence[int]) -> tuple[dict[int, int], dict[int, Mention]]:
    """(token start offset -> token index, token index -> the mention covering it).

    A mention covers the tokens that start inside it.
    """
    index = token_index(starts)
    owner: dict[int, Mention] = {}
    for m in mentions:
        i = index.get(m.start)
        if i is None:
            i = bisect.bisect_left(starts, m.start)
        while i < len(starts) and starts[i] < m.end:
            owner[i] = m
            i += 1
    return index, owner


def person_mention_before(mentions: Sequence[Mention], mention_starts: Sequence[int],
                          offset: int) -> Mention | None:
    """The last mention of a person that ends before ``offset``, else None (``mentions``
    sorted by start, ``mention_starts`` their starts): what a pronoun stands for."""
    j = bisect.bisect_left(mention_starts, offset) - 1
    while j >= 0 and (mentions[j].label != "PER" or mentions[j].end > offset):
        j -= 1
    return mentions[j] if j >= 0 else None


class DocView:
    """A document's tokens, sentences and mentions, for lookups by offset or token index."""

    def __init__(self, doc: Document) -> None:
        from .phrases import document_lower

        self.doc = doc
        self.text = doc.text
        self.starts: Sequence[int] = doc.token_offsets.starts
        self.ends: Sequence[int] = doc.token_offsets.ends
        self.sentences = doc.sentences
        self.sent_starts = [s.start for s in doc.sentences]
        self.mentions = doc.mentions
        self.mention_starts = [m.start for m in doc.mentions]
        self.lower = document_lower(doc)

    def word(self, i: int) -> str:
        """The text of token ``i``."""
        return self.text[self.starts[i]:self.ends[i]]

    def token(self, offset: int) -> int:
        """Index of the first token starting at or after ``offset``."""
        return bisect.bisect_left(self.starts, offset)

    def last_token(self, end: int) -> int:
        """Index of the last token starting before ``end`` (a span's last token)."""
        return bisect.bisect_right(self.starts, end - 1) - 1

    def sentence(self, offset: int) -> Span:
        """The sentence holding ``offset`` (the whole text when there are none)."""
        k = max(0, bisect.bisect_right(self.sent_starts, offset) - 1)
        return self.sentences[k] if self.sentences else Span(0, len(self.text))

    @cached_property
    def owner(self) -> dict[int, Mention]:
        """Token index -> the mention covering it."""
        return token_owners(self.mentions, self.starts)[1]
