"""NER by gazetteer lookup: countries, regions, capitals and major cities in the document's
language, with inflected forms ("Русията"), and one-letter misspellings of long names
("Kazakhtan"), each mention carrying the place's canonical identity."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from .. import gazetteer
from ..document import Document, Mention
from .base import dist_version

# Names at least this long may match a token one edit away (misspellings).
FUZZY_MIN_LEN = 7
MAX_NAME_TOKENS = 6
EXACT_CONFIDENCE = 0.9
INFLECTED_CONFIDENCE = 0.85
FUZZY_CONFIDENCE = 0.6
MEMO_SIZE = 200_000  # token strings remembered per language before the memo starts over


# Lower-case words of the text: a name that also occurs like this is a common word here.
_WORD = re.compile(r"[^\W\d_]+")


class _Index:
    """Names of one language split into token tuples, keyed by their first token."""

    def __init__(self, lang: str) -> None:
        from ..segment import blank_pipeline

        self.lang = lang
        self.endings, self.finals = gazetteer.inflection(lang)
        nlp = blank_pipeline(lang)
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.single_long: dict[str, str] = {}
        self.deletions: dict[str, list[str]] = {}
        self.names = gazetteer.names_for(lang)
        self.stop_words = {w.lower() for w in nlp.Defaults.stop_words}
        for name in sorted(self.names):
            if name.isalpha():  # one plain word: one token, no need to ask the tokenizer
                toks: tuple[str, ...] = (name,)
            else:
                toks = tuple(t.text for t in nlp.make_doc(name) if not t.is_space)
            if not toks or len(toks) > MAX_NAME_TOKENS:
                continue
            self.by_first.setdefault(toks[0], []).append((toks, name))
            if len(toks) == 1 and len(name) >= FUZZY_MIN_LEN and name[0].isupper():
                self.single_long[name] = name
                for i in range(len(name)):
                    self.deletions.setdefault(name[:i] + name[i + 1:], []).append(name)
        for entries in self.by_first.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest name first
        # per token string: most capitalized words recur across documents
        self._firsts: dict[str, dict[str, bool]] = {}
        self._fuzzy: dict[str, str | None] = {}

    def first_forms(self, token: str) -> dict[str, bool]:
        """Forms of ``token`` that start a name -> whether the form is an inflection."""
        if token not in self._firsts:
            found: dict[str, bool] = {}
            for form, inflected in self.base_forms(token):
                if form in self.by_first and form not in found:
                    found[form] = inflected
            _remember(self._firsts, token, found)
        return self._firsts[token]

    def base_forms(self, token: str) -> list[tuple[str, bool]]:
        """``(form, inflected)`` pairs that ``token`` may be an inflection of."""
        forms = [(token, False)]
        for end in self.endings:
            if token.endswith(end) and len(token) - len(end) >= 3:
                stem = token[: -len(end)]
                forms.append((stem, True))
                forms.extend((stem + f, True) for f in self.finals)
        return forms

    def token_matches(self, token: str, expected: str) -> bool | None:
        """True: exact; False: inflected; None: no match."""
        if token == expected:
            return True
        if any(form == expected for form, _ in self.base_forms(token)[1:]):
            return False
        return None

    def fuzzy(self, token: str) -> str | None:
        """A long single-token name one edit (insert, delete, substitute) from ``token``."""
        if len(token) < FUZZY_MIN_LEN - 1 or not token[0].isupper():
            return None
        if token not in self._fuzzy:
            _remember(self._fuzzy, token, self._one_edit(token))
        return self._fuzzy[token]

    def _one_edit(self, token: str) -> str | None:
        hits = set(self.deletions.get(token, ()))  # token lacks a letter
        for i in range(len(token)):
            shorter = token[:i] + token[i + 1:]
            if shorter in self.single_long:  # token has an extra letter
                hits.add(shorter)
            hits.update(self.deletions.get(shorter, ()))  # one letter differs
        hits = {h for h in hits if h[0] == token[0] and h != token}
        return min(hits) if len(hits) == 1 else None


def _remember(memo: dict[str, Any], token: str, value: Any) -> None:
    """Keep ``value`` for ``token``; a memo grown to `MEMO_SIZE` starts over."""
    if len(memo) > MEMO_SIZE:
        memo.clear()
    memo[token] = value


@lru_cache(maxsize=16)
def _index(lang: str) -> _Index:
    return _Index(lang)


def fuzzy_place(lang: str, word: str) -> gazetteer.Place | None:
    """The place whose one-word name is one letter away from ``word`` ("Kazakhtan"),
    when exactly one is."""
    index = _index(lang)
    name = index.fuzzy(word)
    return index.names[name][0] if name else None


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
        index = _index(doc.lang if doc.lang and doc.lang != "und" else "en")
        starts, ends = doc.token_offsets
        lower_words: set[str] | None = None
        out: list[Mention] = []
        i, n = 0, len(starts)
        while i < n:
            token = text[starts[i]:ends[i]]
            if not token[:1].isupper():
                i += 1
                continue
            hit = self._match_at(index, text, starts, ends, i)
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

    @staticmethod
    def _match_at(index: _Index, text: str, starts: object, ends: object,
                  i: int) -> tuple[int, str, float] | None:
        n = len(starts)  # type: ignore[arg-type]
        first = text[starts[i]:ends[i]]  # type: ignore[index]
        seen_forms = index.first_forms(first)
        if not seen_forms:
            return None
        candidates = [c for form in seen_forms for c in index.by_first[form]]
        best: tuple[int, str, float] | None = None
        # longest first; of equal length, the name the text spells exactly ("София", not
        # "Софи" + "я")
        for toks, name in sorted(candidates, key=lambda c: (-len(c[0]), seen_forms[c[0][0]], c[1])):
            if i + len(toks) > n:
                continue
            exact = not seen_forms[toks[0]]
            ok = True
            for k in range(1, len(toks)):
                gap = text[ends[i + k - 1]:starts[i + k]]  # type: ignore[index]
                got = index.token_matches(text[starts[i + k]:ends[i + k]], toks[k])  # type: ignore[index]
                if got is None or "\n" in gap:
                    ok = False
                    break
                exact = exact and got
            if ok:  # a multi-word name is one run of tokens on one line ("Asia Tengah")
                conf = EXACT_CONFIDENCE if exact else INFLECTED_CONFIDENCE
                best = (len(toks), name, conf)
                break
        return best
