"""Word lists and token tests the NER rules share: organisation and place words, name
words, hyphens inside a name, and a mention rebuilt over new offsets."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from pipeline.core.document import Mention
from pipeline.lexicon.lexicons import lexicon_path, read_lines


@dataclass(frozen=True)
class OrgWords:
    """Words that begin or end a name of one kind (organisations, places) in one language."""

    heads: frozenset[str]
    tails: frozenset[str]


def _name_words(kind: str, codes: tuple[str, ...]) -> OrgWords:
    """``KIND_heads.txt`` and ``KIND_tails.txt`` of the lexicon folders ``codes``."""
    heads: set[str] = set()
    tails: set[str] = set()
    for code in codes:
        for name, target in ((f"{kind}_heads.txt", heads), (f"{kind}_tails.txt", tails)):
            path = lexicon_path(code, name)
            if path.exists():
                target.update(line.strip() for line in read_lines(path))
    return OrgWords(frozenset(heads), frozenset(tails))


@lru_cache(maxsize=32)
def org_words(lang: str) -> OrgWords:
    """The organisation words of ``lang`` plus those for every language (``xx``)."""
    return _name_words("org", (lang, "xx"))


@lru_cache(maxsize=32)
def place_words(lang: str) -> OrgWords:
    """``place_heads.txt`` and ``place_tails.txt`` of ``lang``: words that begin or end a
    place's name ("Laut Kaspia", "Черно море", "Strait of Hormuz")."""
    return _name_words("place", (lang,))


def is_name_word(word: str) -> bool:
    """A word a name may be made of: capitalized, letters and digits only (dots allowed,
    "Jr.")."""
    return word[:1].isupper() and word.replace(".", "").isalnum()

HYPHENS = ("-", "‐", "‑")


def hyphen_joins(text: str, starts: Sequence[int], ends: Sequence[int], k: int) -> bool:
    """Token ``k`` is a hyphen glued, without spaces, between token ``k - 1`` and a
    capitalized word ``k + 1``: "El-Shara", "Samruk-Kazyna" are one word of a name."""
    return (0 < k and k + 1 < len(starts) and text[starts[k]:ends[k]] in HYPHENS
            and ends[k - 1] == starts[k] and ends[k] == starts[k + 1]
            and is_name_word(text[starts[k + 1]:ends[k + 1]]))


def span_like(start: int, end: int, text: str, like: Mention, label: str,
          confidence: float) -> Mention:
    """A new mention of ``text[start:end]`` from the same source as ``like`` (a rule's
    fix keeps the backend that found the name), with no canonical identity yet."""
    return Mention(start=start, end=end, text=text[start:end], label=label, source=like.source,
                   confidence=confidence, canonical=None)


def after(m: Mention, starts: Sequence[int], k: int) -> int:
    """The first token index after mention ``m`` (which covers token ``k``)."""
    while k < len(starts) and starts[k] < m.end:
        k += 1
    return k

MAX_NAME_WORDS = 4
