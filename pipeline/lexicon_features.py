"""Lexicon features for the NER model: what lintas' word lists say about each token.

A model trained on a few thousand sentences has seen few of the world's places and few of
the words that open an organisation's name. This spaCy component, the first of a model's
pipeline, writes a class into each token's ``tag_`` when the token is part of a known place
name (GeoNames cities of 15,000 people or more, countries and regions) or is a word that
begins or ends an organisation's or a place's name or a title (the lexicons of
``models/lexicons/LANG``). The model's tok2vec embeds ``TAG`` next to the word's form, so it
learns from the training data how far to trust each class. The same component runs in
training (as an annotating component) and in `lintas run`.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from .lexicons import models_dir, read_lines

PLACE, ORG_HEAD, ORG_TAIL, ORG_CUE = "place", "org_head", "org_tail", "org_cue"
PLACE_HEAD, TITLE = "place_head", "title"
MAX_PHRASE = 6  # tokens of the longest name or title that is matched


class PhraseSet:
    """Token sequences keyed by their first token, longest first."""

    def __init__(self, phrases: set[tuple[str, ...]]) -> None:
        self.by_first: dict[str, list[tuple[str, ...]]] = {}
        for toks in sorted(phrases, key=lambda t: (-len(t), t)):
            if 0 < len(toks) <= MAX_PHRASE:
                self.by_first.setdefault(toks[0], []).append(toks)

    def longest_at(self, words: list[str], i: int) -> int:
        """Length of the longest phrase that starts at ``words[i]``; 0 if none."""
        for toks in self.by_first.get(words[i], ()):
            if tuple(words[i:i + len(toks)]) == toks:
                return len(toks)
        return 0


class Lexicons:
    """The word lists of one language, as phrase sets (places are case-sensitive)."""

    def __init__(self, lang: str) -> None:
        from .gazetteer import names_for

        places = {tuple(n.split()) for n in names_for(lang)}
        listed = models_dir() / "gazetteer" / "place_names.txt"
        if listed.exists():
            places.update(tuple(n.split()) for n in read_lines(listed))
        self.places = PhraseSet(places)
        self.lower = [(kind, PhraseSet(_phrases(lang, files)))
                      for kind, files in ((ORG_HEAD, ("org_heads.txt",)),
                                          (ORG_TAIL, ("org_tails.txt",)),
                                          (ORG_CUE, ("org_cues.txt",)),
                                          (PLACE_HEAD, ("place_heads.txt", "place_tails.txt")),
                                          (TITLE, ("titles.txt",)))]

    def classes(self, words: list[str]) -> list[str]:
        """The class of each of ``words`` ("" when no list knows it)."""
        out = [""] * len(words)
        i = 0
        while i < len(words):  # places first: a place's words are not also titles
            n = self.places.longest_at(words, i) if words[i][:1].isupper() else 0
            if n:
                out[i:i + n] = [PLACE] * n
            i += max(n, 1)
        lower = [w.lower() for w in words]
        for kind, phrases in self.lower:
            i = 0
            while i < len(lower):
                n = phrases.longest_at(lower, i) if not out[i] else 0
                if n and not any(out[i:i + n]):
                    out[i:i + n] = [kind] * n
                i += max(n, 1)
        return out


def _phrases(lang: str, files: tuple[str, ...]) -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()
    for code in (lang, "xx"):
        for name in files:
            path = models_dir() / "lexicons" / code / name
            if path.exists():
                out.update(tuple(line.lower().split()) for line in read_lines(path))
    return out


@lru_cache(maxsize=8)
def lexicons(lang: str) -> Lexicons:
    """The cached `Lexicons` of ``lang``."""
    return Lexicons(lang)


class LexiconFeatures:
    """spaCy component: sets ``token.tag_`` to the token's lexicon class."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, doc: Any) -> Any:
        classes = lexicons(self.lang).classes([t.text for t in doc])
        for token, kind in zip(doc, classes):
            if kind:
                token.tag_ = kind
        return doc
