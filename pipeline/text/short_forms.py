"""Names written in part: which longer name a short form stands for.

One index answers it for the three places that ask (docs/architecture.md, "Names written
in part"): the `entities` stage within a document ("Putin" of "Vladimir Putin", "POSCO" of
"POSCO Group"), the claims stage for a speaker the NER missed ("tulis Zheldibai"), and
`lintas link` across a corpus ("Токаев" of "Kassym-Jomart Tokayev", a surname tagged LOC).
All of them compare names as `name_parts`, so a name ends in the same word wherever it is
asked ("Smith-Jones" ends in "jones", "O'Neil" in "neil").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from pipeline.text.names import fold

T = TypeVar("T")


def name_parts(name: str) -> list[str]:
    """The folded words of a name, split wherever `fold` leaves a non-alphanumeric
    character (spaces, hyphens, apostrophes): the words of its `name_key`."""
    return [w for w in fold(name).split("-") if w]


class ShortForms(Generic[T]):
    """Named items (entities, keys) indexed by the first and the last of their
    `name_parts`, so that finding what a short form stands for costs near-linear time
    over a document or a corpus."""

    def __init__(self, named: Iterable[tuple[T, Sequence[str]]]) -> None:
        """``named``: each item with its name's parts (empty parts are skipped)."""
        self.parts: dict[int, Sequence[str]] = {}
        self._by_last: dict[str, list[T]] = {}
        self._by_first: dict[str, list[T]] = {}
        for item, parts in named:
            if not parts:
                continue
            self.parts[id(item)] = parts
            self._by_last.setdefault(parts[-1], []).append(item)
            self._by_first.setdefault(parts[0], []).append(item)

    def ending_in(self, parts: Sequence[str]) -> list[T]:
        """Every item whose name ends with the words ``parts``, a name of just those words
        included ("Zeta-Jones" and "Jones" both end in "jones")."""
        n = len(parts)
        return [o for o in self._by_last.get(parts[-1], ())
                if list(self.parts[id(o)][-n:]) == list(parts)] if parts else []

    def ending_with(self, parts: Sequence[str]) -> list[T]:
        """The longer names whose last words are ``parts``: a surname or last names of a
        person ("tokaev" of "kasim-jomart-tokaev")."""
        return [o for o in self.ending_in(parts) if len(self.parts[id(o)]) > len(parts)]

    def starting_with(self, parts: Sequence[str], then: Phrases | None = None) -> list[T]:
        """The longer names whose first words are ``parts``, followed (with ``then``) only
        by a run of those phrases: an organisation without its organisation words ("posco"
        of "posco-group"), or (without ``then``) a first name ("bahlil" of
        "bahlil-lahadalia")."""
        n = len(parts)
        return [o for o in self._by_first.get(parts[0], ()) if len(self.parts[id(o)]) > n
                and list(self.parts[id(o)][:n]) == list(parts)
                and (then is None or then.cover(self.parts[id(o)][n:]))] if parts else []


class Phrases:
    """Phrases compared as names are, by their `name_parts` ("S.A." is the parts "s", "a"):
    the organisation words that may follow a short form."""

    def __init__(self, phrases: Iterable[str]) -> None:
        self.parts = frozenset(p for p in (tuple(name_parts(x)) for x in phrases) if p)
        self.longest = max((len(p) for p in self.parts), default=0)

    def cover(self, words: Sequence[str]) -> bool:
        """Whether ``words`` are a run of the phrases one after another ("group", "s a" of
        "S.A."): a legal form written with dots is several parts of a name."""
        ok = [True] + [False] * len(words)  # ok[i]: words[:i] is a run of phrases
        for i in range(1, len(words) + 1):
            ok[i] = any(ok[i - k] and tuple(words[i - k:i]) in self.parts
                        for k in range(1, min(self.longest, i) + 1))
        return bool(words) and ok[-1]
