"""Lexicon phrases matched on a document's tokens (titles, triggers, cues).

Each phrase is tokenized with the language's own tokenizer, so "министър-председател" or
"mengatakan kepada wartawan" match exactly where `lintas run`'s tokens are. Matching
ignores case; a phrase whose last word ends in ``*`` matches any word that starts so
("kunjung*" matches "kunjungan", "berkunjung" does not). The longest phrase wins.

A language whose ``settings.tsv`` lists ``enclitics`` (Indonesian: "nya lah kah") also
matches a phrase whose last word carries one: "kunjungan" matches "kunjungannya" (his
visit), "minyak" matches "minyaknya"; the match still covers the whole token.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pipeline.lexicon.lexicons import lexicon_path, read_lines, read_tsv, settings
from pipeline.text.tokens import Tokens
from pipeline.text.blank import blank_pipeline


@dataclass(frozen=True)
class PhraseMatch:
    """Tokens ``[first, last]`` of the text matched ``phrase``; ``value`` is its data."""

    first: int
    last: int
    start: int
    end: int
    phrase: str
    value: Any


class PhraseIndex:
    """Phrases (lower-cased token tuples) -> values, matched longest first."""

    def __init__(self, phrases: dict[str, Any], lang: str) -> None:
        nlp = blank_pipeline(lang)
        self.exact: dict[tuple[str, ...], tuple[str, Any]] = {}
        self.prefix: dict[tuple[str, ...], list[tuple[str, str, Any]]] = {}
        self.longest = 0
        self.firsts: set[str] = set()  # first words of phrases: only there can one start
        for phrase, value in phrases.items():
            wildcard = phrase.endswith("*")
            toks = tuple(t.text.lower() for t in nlp.make_doc(phrase.rstrip("*"))
                         if not t.is_space)
            if not toks:
                continue
            self.longest = max(self.longest, len(toks))
            if not (wildcard and len(toks) == 1):
                self.firsts.add(toks[0])
            if wildcard:
                self.prefix.setdefault(toks[:-1], []).append((toks[-1], phrase, value))
            else:
                self.exact[toks] = (phrase, value)
        # one-word wildcard phrases: any word starting with one of these stems
        self.stems = tuple(stem for stem, _, _ in self.prefix.get((), ()))
        enclitics = settings(lang).get("enclitics", "").split()
        # every phrase word with each enclitic -> the word ("kunjungannya" -> "kunjungan"),
        # built once so that matching a document's words is a dictionary lookup
        self.clitic_forms: dict[str, str] = {}
        if enclitics:
            words = self.firsts | {key[-1] for key in self.exact}
            for w in sorted(words):
                if len(w) > 2:
                    for clitic in enclitics:
                        self.clitic_forms.setdefault(w + clitic, w)
        # the words a phrase may start at, enclitic forms included
        self.starters = self.firsts | {f for f, w in self.clitic_forms.items() if w in self.firsts}

    def _bare(self, word: str) -> str | None:
        """``word`` without its enclitic ("kunjungannya" -> "kunjungan"), else None."""
        return self.clitic_forms.get(word)

    def _may_start(self, word: str) -> bool:
        """Whether a phrase can start at ``word`` (a first word, a stem, or a first word
        carrying an enclitic)."""
        return word in self.starters or bool(self.stems and word.startswith(self.stems))

    def _candidates(self, tokens: Tokens) -> list[int]:
        """Indexes of ``tokens`` where a phrase may start, in order. The stages call `find`
        sentence by sentence on one document: its words are scanned once per index, and
        the list is kept on the document's `Tokens`."""
        def scan(tokens: Tokens) -> list[int]:
            where = tokens.positions
            starters, stems = self.starters, self.stems
            if len(starters) < len(where):
                present = [w for w in starters if w in where]
            else:
                present = [w for w in where if w in starters]
            if stems:
                present += [w for w in where if w not in starters and w.startswith(stems)]
            return sorted(i for w in present for i in where[w])

        return tokens.candidates(self, scan)

    def __bool__(self) -> bool:
        return bool(self.exact or self.prefix)

    def match_at(self, words: Sequence[str], i: int,
                 end: int | None = None) -> tuple[int, str, Any] | None:
        """Longest phrase starting at token ``i`` of lower-cased ``words`` (and ending before
        index ``end``): (number of tokens, phrase, value)."""
        end = len(words) if end is None else min(end, len(words))
        first = words[i] if i < end else ""
        if not self._may_start(first):
            return None
        for n in range(min(self.longest, end - i), 0, -1):
            key = tuple(words[i:i + n])
            hit = self._lookup(key)
            if hit is None and self.clitic_forms:
                bare = self._bare(key[-1])
                if bare is not None:
                    hit = self._lookup(key[:-1] + (bare,))
            if hit is not None:
                return n, hit[0], hit[1]
        return None

    def _lookup(self, key: tuple[str, ...]) -> tuple[str, Any] | None:
        hit = self.exact.get(key)
        if hit is not None:
            return hit
        for stem, phrase, value in self.prefix.get(key[:-1], ()):
            if key[-1].startswith(stem):
                return phrase, value
        return None

    def find(self, tokens: Tokens, first: int = 0,
             last: int | None = None) -> Iterator[PhraseMatch]:
        """Non-overlapping matches in tokens ``[first, last)`` of a document, left to right."""
        starts, ends, lower = tokens.starts, tokens.ends, tokens.lower
        last = len(starts) if last is None else last
        candidates = self._candidates(tokens)
        free = first  # matches do not overlap
        for k in range(bisect.bisect_left(candidates, first), len(candidates)):
            i = candidates[k]
            if i >= last:
                break
            if i < free:
                continue
            hit = self.match_at(lower, i, last)
            if hit is None:
                continue
            n, phrase, value = hit
            a, b = i, i + n - 1
            yield PhraseMatch(a, b, starts[a], ends[b], phrase, value)
            free = i + n


@lru_cache(maxsize=64)
def phrase_list(lang: str, name: str) -> PhraseIndex:
    """A one-phrase-per-line lexicon of ``lang`` (empty when the file does not exist)."""
    path = lexicon_path(lang, name)
    phrases = {line.strip(): True for line in read_lines(path)} if path.exists() else {}
    return PhraseIndex(phrases, lang)


@lru_cache(maxsize=64)
def phrase_table(lang: str, name: str, shared: bool = False) -> PhraseIndex:
    """A tab-separated lexicon of ``lang``: first column the phrase, the rest its values.

    With ``shared``, the rows of ``models/lexicons/xx/NAME`` (for every language) come
    first, and the language's own rows override them.
    """
    phrases: dict[str, tuple[str, ...]] = {}
    for code in (["xx"] if shared else []) + [lang]:
        path = lexicon_path(code, name)
        if path.exists():
            for row in read_tsv(path):
                if row and row[0].strip():
                    phrases[row[0].strip()] = tuple(c.strip() for c in row[1:])
    return PhraseIndex(phrases, lang)
