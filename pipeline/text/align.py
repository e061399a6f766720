"""Spans of a translation mapped back to the sentence it translates (issue 17, step 2).

The translation path extracts from an English translation and must give every record
offsets into the original text. Within one sentence pair, a span of the translation is
mapped to the source in two steps:

1. **Names that survive translation**: the same words in the source, equal as they are,
   case-folded, or transliterated (`name_match`, by `pipeline.text.names.fold`: "Токаев" and
   "Tokayev" fold alike), or a gazetteer place with the same identity ("Germany" and
   "Jerman" share ``loc:Q183``; `map_spans` with the source's keys).
2. **Word alignment** (`align_tokens`, `map_span`) for the rest: the multilingual encoder's
   contextual token states of both sentences are compared by cosine similarity, and two
   tokens are aligned when each is the other's most similar token (the argmax
   intersection of SimAlign, Jalili Sabet et al. 2020, both directions). A span maps to
   the words covering the source tokens aligned with its tokens.

Both steps only need what a `lintas run` pass already has: the mentions and the encoder's
hidden states (`pipeline.learned.token_windows.TokenStates`). Nothing here depends on a machine
translation model: `pipeline.evaluation.evaluate_align` measures it on NTREX's human translations.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from pipeline.text.names import fold
from pipeline.learned.token_windows import Encoded
from pipeline.text.word_bounds import trim_name, word_end, word_start, word_text

# a mapped span of more words than this many times the original's (plus two) is taken for
# a stray alignment and dropped
MAX_GROWTH = 2
# argmax rounds of `align_tokens` (1: the plain intersection)
ROUNDS = 2


@dataclass(frozen=True)
class Mapped:
    """A span of the translation and where it lies in the source sentence."""

    start: int  # source offsets
    end: int
    how: str  # "name", "gazetteer" or "alignment"


def align_tokens(src: np.ndarray, tgt: np.ndarray, rounds: int | None = None
                 ) -> set[tuple[int, int]]:
    """Pairs ``(i, j)`` of source row ``i`` and target row ``j`` (token states, one row per
    token) that are each other's most similar row by cosine; with ``rounds`` > 1, again
    among the rows neither side has aligned yet (SimAlign's IterMax, without its discount),
    so that a token whose best match was taken by another still finds its own (default:
    `ROUNDS`)."""
    if not len(src) or not len(tgt):
        return set()
    a = src.astype(np.float32)
    b = tgt.astype(np.float32)
    a = a / (np.linalg.norm(a, axis=1, keepdims=True) + 1e-6)
    b = b / (np.linalg.norm(b, axis=1, keepdims=True) + 1e-6)
    sim = a @ b.T
    pairs: set[tuple[int, int]] = set()
    for _ in range(ROUNDS if rounds is None else rounds):
        rows = np.array(sorted(set(range(len(a))) - {i for i, _ in pairs}), dtype=np.int64)
        cols = np.array(sorted(set(range(len(b))) - {j for _, j in pairs}), dtype=np.int64)
        if not len(rows) or not len(cols):
            break
        sub = sim[np.ix_(rows, cols)]
        fwd = sub.argmax(axis=1)
        back = sub.argmax(axis=0)
        found = {(int(rows[i]), int(cols[j])) for i, j in enumerate(fwd) if back[j] == i}
        if not found:
            break
        pairs |= found
    return pairs


def _words(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each run of letters and digits (hyphens and apostrophes inside a
    word kept), the unit of `name_match`."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isalnum():
            j = i + 1
            while j < n and (text[j].isalnum() or (text[j] in "-'’" and j + 1 < n
                                                   and text[j + 1].isalnum())):
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def name_match(src_text: str, name: str) -> tuple[int, int] | None:
    """The first run of words of ``src_text`` equal to ``name`` once both are folded
    (`pipeline.text.names.fold`: case, diacritics, scripts), or None. A capitalised name does
    not match a word written in lower case ("Dan" is no "dan", Indonesian "and"); the
    name's own punctuation at its ends is kept where the source has it too ("D.C.",
    "Apple Inc.")."""
    key = fold(name)
    width = len(_words(name))
    if not key or width == 0:
        return None
    inner = _words(name)
    lead, tail = name[:inner[0][0]], name[inner[-1][1]:]
    words = _words(src_text)
    for k in range(len(words) - width + 1):
        s, e = words[k][0], words[k + width - 1][1]
        if name[inner[0][0]].isupper() and src_text[s].islower():
            continue
        if fold(src_text[s:e]) == key:
            if tail and src_text.startswith(tail, e):
                e += len(tail)
            if lead and src_text[:s].endswith(lead):
                s -= len(lead)
            return s, e
    return None


def mention_key(m: Any) -> str | None:
    """A mention's canonical key (the gazetteer's identity), or None."""
    return (m.canonical or {}).get("key")


def identity_spans(mentions: list[Any], start: int = 0, end: int | None = None
                   ) -> dict[str, tuple[int, int]]:
    """Canonical key -> span of the first mention with that key inside ``[start, end)``,
    offsets made relative to ``start``: the ``src_keys`` of `map_spans`."""
    out: dict[str, tuple[int, int]] = {}
    for m in mentions:
        key = mention_key(m)
        if key and start <= m.start and (end is None or m.end <= end):
            out.setdefault(key, (m.start - start, m.end - start))
    return out


def _real(enc: Encoded) -> np.ndarray:
    """Indexes of the tokens that own characters (a bare word boundary owns none)."""
    return np.flatnonzero(enc.ends > enc.starts)


def map_span(span: tuple[int, int], tgt_enc: Encoded, src_text: str, src_enc: Encoded,
             pairs: set[tuple[int, int]], whole: bool = False, gap: int = 1
             ) -> tuple[int, int] | None:
    """The source words aligned with the target tokens of ``span`` (target offsets), or
    None when none is. ``pairs``: `align_tokens` of the source and target rows, as indexes
    into the tokens that own characters (`_real`). Where the aligned source tokens fall in
    groups more than ``gap`` words apart, the group with more of them is taken (a name is
    one run of words, with at most a word such as "dan" inside; a trigger or a cue, ``gap``
    0, is one run); with ``whole``, everything from the first aligned word to the last (a
    clause, such as a claim's content, is reordered by translation but stays one stretch
    of the sentence)."""
    s, e = span
    src_idx, tgt_idx = _real(src_enc), _real(tgt_enc)
    inside = {k for k, t in enumerate(tgt_idx) if tgt_enc.starts[t] < e and tgt_enc.ends[t] > s}
    hits = sorted(src_idx[i] for i, j in pairs if j in inside)
    if not hits:
        return None
    # split where more than one word lies between the words of consecutive aligned tokens
    words = word_text(src_text)
    groups: list[list[int]] = [[hits[0]]]
    for t in hits[1:]:
        between = src_text[word_end(words, int(src_enc.ends[groups[-1][-1]])):
                           word_start(words, int(src_enc.starts[t]))]
        if len(_words(between)) > gap and not whole:
            groups.append([t])
        else:
            groups[-1].append(t)
    best = max(groups, key=len)
    a = word_start(words, int(src_enc.starts[best[0]]))
    b = word_end(words, int(src_enc.ends[best[-1]]))
    a, b = trim_name(src_text, a, b)
    if b <= a or not any(ch.isalnum() for ch in src_text[a:b]):
        return None  # a name has a letter or digit (as `token_windows.decode` keeps them)
    return a, b


@dataclass
class SentencePair:
    """A sentence of the translation (target) and the source sentence it translates, with
    the encoder's token states of both; their word alignment is made on first need and
    kept, so that every record of the sentence pair is mapped with one alignment."""

    tgt_text: str
    tgt_enc: Encoded
    tgt_states: np.ndarray
    src_text: str
    src_enc: Encoded
    src_states: np.ndarray
    # canonical key -> source span (`identity_spans`), e.g. the gazetteer's places
    src_keys: dict[str, tuple[int, int]] | None = None
    _pairs: set[tuple[int, int]] | None = None

    def pairs(self) -> set[tuple[int, int]]:
        """`align_tokens` of the two sentences' real tokens (made once)."""
        if self._pairs is None:
            self._pairs = align_tokens(self.src_states[_real(self.src_enc)],
                                       self.tgt_states[_real(self.tgt_enc)])
        return self._pairs

    def map(self, start: int, end: int, key: str | None = None, whole: bool = False,
            gap: int = 1) -> Mapped | None:
        """``[start, end)`` of the target sentence in the source sentence: by name
        (`name_match`), by identity (``key`` in ``src_keys``), else by word alignment
        (`map_span`, with ``whole`` and ``gap``); None where no step finds it."""
        hit = name_match(self.src_text, self.tgt_text[start:end])
        if hit:
            return Mapped(hit[0], hit[1], "name")
        if key and self.src_keys and key in self.src_keys:
            a, b = self.src_keys[key]
            return Mapped(a, b, "gazetteer")
        got = map_span((start, end), self.tgt_enc, self.src_text, self.src_enc, self.pairs(),
                       whole, gap)
        if got and (whole or len(_words(self.src_text[got[0]:got[1]]))
                    <= MAX_GROWTH * len(_words(self.tgt_text[start:end])) + 2):
            return Mapped(got[0], got[1], "alignment")
        return None


def map_spans(spans: list[tuple[int, int, str | None]], tgt_text: str, tgt_enc: Encoded,
              tgt_states: np.ndarray, src_text: str, src_enc: Encoded, src_states: np.ndarray,
              src_keys: dict[str, tuple[int, int]] | None = None) -> list[Mapped | None]:
    """Each ``(start, end, key)`` span of the target sentence mapped into the source
    sentence (`SentencePair.map`): by name, by identity (``key`` found in ``src_keys``, a
    canonical key -> source span), else by word alignment of the two sentences' token
    states (rows for every token of ``*_enc``). None where no step finds it."""
    pair = SentencePair(tgt_text, tgt_enc, tgt_states, src_text, src_enc, src_states, src_keys)
    return [pair.map(s, e, key) for s, e, key in spans]
