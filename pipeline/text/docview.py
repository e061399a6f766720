"""Token-level lookups over one document, shared by the rule-based stages.

The segment stage gives a document its tokens (`pipeline.text.tokens.Tokens`, with the tables
built from them) and its sentences as spans; the ner stages give it mentions. The rules of
the later stages ask the same questions of them: which token is at an offset, which
sentence holds it, which mention covers a token. `DocView` answers them by bisection or a
table built once per document.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cached_property

from pipeline.core.document import Document, Mention, Span
from pipeline.text.tokens import Tokens


def token_owners(mentions: list[Mention],
                 tokens: Tokens) -> tuple[dict[int, int], dict[int, Mention]]:
    """(token start offset -> token index, token index -> the mention covering it).

    A mention covers the tokens that start inside it.
    """
    index, starts = tokens.index, tokens.starts
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
        self.doc = doc
        self.text = doc.text
        self.tokens = doc.token_offsets
        self.starts: Sequence[int] = self.tokens.starts
        self.ends: Sequence[int] = self.tokens.ends
        self.sentences = doc.sentences
        self.sent_starts = [s.start for s in doc.sentences]
        self.mentions = doc.mentions
        self.mention_starts = [m.start for m in doc.mentions]
        self.lower = self.tokens.lower

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
        return token_owners(self.mentions, self.tokens)[1]
