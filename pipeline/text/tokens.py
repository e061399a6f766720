"""A document's tokens and the lookups the stages share, built once per document.

The segment stage cuts a document's text (boilerplate blanked: the same offsets as the
original) into tokens and keeps them as one `Tokens` on the document. Every later stage
asks the same questions of them: the tokens as strings, in lower case, which token starts
at an offset, where each distinct word occurs, which words the text writes in lower case.
Each table is built the first time a stage asks and kept on the `Tokens` itself, so it
lives exactly as long as its document (no module-level cache, nothing keyed by `id()`).
The tables are shared: treat them as read-only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import cached_property
from typing import Any


class Tokens:
    """Token ``i`` is ``text[starts[i]:ends[i]]``, in text order (whitespace is not a token).

    ``text`` is the text the tokens were cut from and ``lang`` the language whose tokenizer
    cut it. A `Tokens` unpacks and indexes as the pair ``(starts, ends)``.
    """

    def __init__(self, starts: Sequence[int], ends: Sequence[int], text: str,
                 lang: str) -> None:
        self.starts = starts
        self.ends = ends
        self.text = text
        self.lang = lang
        # phrase index -> indexes where one of its phrases may start (`candidates`)
        self._candidates: dict[Any, list[int]] = {}

    def __iter__(self) -> Iterator[Sequence[int]]:
        return iter((self.starts, self.ends))

    def __getitem__(self, i: int) -> Sequence[int]:
        return (self.starts, self.ends)[i]

    def __len__(self) -> int:
        return 2

    def __eq__(self, other: object) -> bool:
        # two views are equal when they cut the same text the same way (the tables built
        # on them are derived, and left out): documents compare as they did when the
        # tokens were a pair of offset lists
        if not isinstance(other, Tokens):
            return NotImplemented
        return (self.text == other.text and self.lang == other.lang
                and list(self.starts) == list(other.starts)
                and list(self.ends) == list(other.ends))

    __hash__ = None  # type: ignore[assignment]  # mutable tables: not a dict key

    def __getstate__(self) -> dict[str, Any]:
        # a copy (pickled to a worker, deep-copied) rebuilds its tables when asked
        return {"starts": self.starts, "ends": self.ends, "text": self.text,
                "lang": self.lang, "_candidates": {}}

    @cached_property
    def words(self) -> list[str]:
        """The tokens as strings."""
        text = self.text
        return [text[s:e] for s, e in zip(self.starts, self.ends)]

    @cached_property
    def lower(self) -> list[str]:
        """The tokens in lower case (what lexicon phrases are matched against)."""
        return [w.lower() for w in self.words]

    @cached_property
    def index(self) -> dict[int, int]:
        """Token start offset -> token index."""
        return {s: i for i, s in enumerate(self.starts)}

    @cached_property
    def lower_case(self) -> frozenset[str]:
        """The words the text writes in lower case somewhere: a capitalized word among them
        is a common word at a sentence start or in a headline, not a name."""
        return frozenset(w for w in set(self.words) if w.islower())

    @cached_property
    def positions(self) -> dict[str, list[int]]:
        """Each distinct lower-cased word -> the token indexes where it occurs. The phrase
        tables look up a document's distinct words in it, not every token."""
        where: dict[str, list[int]] = {}
        for i, w in enumerate(self.lower):
            where.setdefault(w, []).append(i)
        return where

    def candidates(self, key: Any, build: Callable[[Tokens], list[int]]) -> list[int]:
        """``build(self)``, computed once per ``key`` (a phrase index: where its phrases
        may start in this document; the stages ask sentence by sentence)."""
        hit = self._candidates.get(key)
        if hit is None:
            hit = self._candidates[key] = build(self)
        return hit
