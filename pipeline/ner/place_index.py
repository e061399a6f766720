"""The gazetteer's names of one language indexed for matching on a document's tokens:
by first token, with inflected forms ("Русията") and one-letter misspellings of long
names ("Kazakhtan"). The gazetteer backend (`pipeline.backends.ner_gazetteer`) finds places
with it; the NER rules ask it for misspelled places (`fuzzy_place`)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from pipeline.lexicon import gazetteer
from pipeline.text.blank import blank_pipeline
from pipeline.text.edits import DeletionIndex

# Names at least this long may match a token one edit away (misspellings).
FUZZY_MIN_LEN = 7
MAX_NAME_TOKENS = 6
MEMO_SIZE = 200_000  # token strings remembered per language before the memo starts over
EXACT_CONFIDENCE = 0.9
INFLECTED_CONFIDENCE = 0.85


class PlaceIndex:
    """Names of one language split into token tuples, keyed by their first token."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.endings, self.finals = gazetteer.inflection(lang)
        nlp = blank_pipeline(lang)
        self.by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self.names = gazetteer.names_for(lang)
        self.stop_words = {w.lower() for w in nlp.Defaults.stop_words}
        single_long: list[str] = []  # one-token names that may be matched misspelled
        for name in sorted(self.names):
            if name.isalpha():  # one plain word: one token, no need to ask the tokenizer
                toks: tuple[str, ...] = (name,)
            else:
                toks = tuple(t.text for t in nlp.make_doc(name) if not t.is_space)
            if not toks or len(toks) > MAX_NAME_TOKENS:
                continue
            self.by_first.setdefault(toks[0], []).append((toks, name))
            if len(toks) == 1 and len(name) >= FUZZY_MIN_LEN and name[0].isupper():
                single_long.append(name)
        for entries in self.by_first.values():
            entries.sort(key=lambda e: -len(e[0]))  # longest name first
        self.fuzzy_index = DeletionIndex(single_long)
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
        # a letter missing, extra, different or moved; the first letter is never the error
        hits = {h for h in self.fuzzy_index.near(token) if h[0] == token[0] and h != token}
        return min(hits) if len(hits) == 1 else None

    def match_at(self, text: str, starts: Sequence[int], ends: Sequence[int],
                 i: int) -> tuple[int, str, float] | None:
        """The longest name starting at token ``i`` of ``text``: (tokens, name,
        confidence), else None."""
        n = len(starts)
        first = text[starts[i]:ends[i]]
        seen_forms = self.first_forms(first)
        if not seen_forms:
            return None
        candidates = [c for form in seen_forms for c in self.by_first[form]]
        best: tuple[int, str, float] | None = None
        # longest first; of equal length, the name the text spells exactly ("София", not
        # "Софи" + "я")
        for toks, name in sorted(candidates, key=lambda c: (-len(c[0]), seen_forms[c[0][0]], c[1])):
            if i + len(toks) > n:
                continue
            exact = not seen_forms[toks[0]]
            ok = True
            for k in range(1, len(toks)):
                gap = text[ends[i + k - 1]:starts[i + k]]
                got = self.token_matches(text[starts[i + k]:ends[i + k]], toks[k])
                if got is None or "\n" in gap:
                    ok = False
                    break
                exact = exact and got
            if ok:  # a multi-word name is one run of tokens on one line ("Asia Tengah")
                conf = EXACT_CONFIDENCE if exact else INFLECTED_CONFIDENCE
                best = (len(toks), name, conf)
                break
        return best


def _remember(memo: dict[str, Any], token: str, value: Any) -> None:
    """Keep ``value`` for ``token``; a memo grown to `MEMO_SIZE` starts over."""
    if len(memo) > MEMO_SIZE:
        memo.clear()
    memo[token] = value


@lru_cache(maxsize=16)
def place_index(lang: str) -> PlaceIndex:
    """The index of ``lang``'s names (built once per language)."""
    return PlaceIndex(lang)


def fuzzy_place(lang: str, word: str) -> gazetteer.Place | None:
    """The place whose one-word name is one letter away from ``word`` ("Kazakhtan"),
    when exactly one is."""
    index = place_index(lang)
    name = index.fuzzy(word)
    return index.names[name][0] if name else None
