"""Token-level lookups over one document, shared by the rule-based stages.

The segment stage gives a document its tokens as two arrays of offsets (starts, ends) and
its sentences as spans; the entity stage gives it mentions. The rules of the later stages
ask the same questions of them: which token is at an offset, which sentence holds it,
which mention covers a token, the token's text in lower case. `DocView` answers them, each
by bisection or a table built once per document.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from functools import cached_property

from .document import Document, Mention, Span


_LAST_INDEX: list = [None, None]  # [starts, its index]: the rules of one document share it


def token_index(starts: Sequence[int]) -> dict[int, int]:
    """Token start offset -> token index; the last document's table is reused, since
    several rules ask for it in a row (treat it as read-only)."""
    if _LAST_INDEX[0] is not starts:
        _LAST_INDEX[0], _LAST_INDEX[1] = starts, {s: i for i, s in enumerate(starts)}
    return _LAST_INDEX[1]


_LAST_WORDS: list = [None, None, None]  # [text, starts, its words]


def token_words(text: str, starts: Sequence[int], ends: Sequence[int]) -> list[str]:
    """The tokens of ``text`` as strings; the last document's list is reused (read-only)."""
    if _LAST_WORDS[0] is not text or _LAST_WORDS[1] is not starts:
        _LAST_WORDS[0], _LAST_WORDS[1] = text, starts
        _LAST_WORDS[2] = [text[s:e] for s, e in zip(starts, ends)]
    return _LAST_WORDS[2]


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


class DocView:
    """A document's tokens, sentences and mentions, for lookups by offset or token index."""

    def __init__(self, doc: Document) -> None:
        from .phrases import document_lower

        self.doc = doc
        self.text = doc.text
        self.starts: Sequence[int] = doc.tokens[0]  # type: ignore[index]
        self.ends: Sequence[int] = doc.tokens[1]  # type: ignore[index]
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

    def sentence(self, offset: int) -> Span:
        """The sentence holding ``offset`` (the whole text when there are none)."""
        k = max(0, bisect.bisect_right(self.sent_starts, offset) - 1)
        return self.sentences[k] if self.sentences else Span(0, len(self.text))

    @cached_property
    def owner(self) -> dict[int, Mention]:
        """Token index -> the mention covering it."""
        return token_owners(self.mentions, self.starts)[1]
