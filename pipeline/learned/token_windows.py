"""Subword tokens of a document, the windows the encoder reads, and spans back from labels.

Shared by training and inference (no torch here), so that the model is trained on windows
cut exactly as `lintas run` cuts them:

- `encode_text` tokenizes a text piece by piece (lines or sentences, so no token crosses
  a line break) and keeps each token's character offsets into the original text;
- `make_windows` packs whole pieces into windows of at most ``size`` tokens; a piece longer
  than a window is cut into windows that overlap by ``overlap`` tokens;
- `token_owner` gives each token the window where it sits farthest from an edge, and
  `stitch` takes each name whole from the window that reads it farthest from a cut, so a
  name at a window border is read with context on both sides and never lost or shifted;
- `bio_viterbi` reads a window's labels as the most probable sequence in which a name's
  inside labels follow its beginning (lintas' own models; `stitch` with ``constrained``);
- `decode` turns per-token BIO labels into character spans (never across a line break,
  always whole words);
- `run_windows` runs the windows through the encoder; `stitch` takes each name whole from
  one window, and `owned_rows` gives each token its owner's row of an output;
  `tag_texts_states` also returns the hidden states the event heads read
  (`TokenStates`), from the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import re

import numpy as np

LABELS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC")


@dataclass
class Encoded:
    """A text's subword tokens: ids, character offsets, and which tokens start a piece."""

    ids: np.ndarray  # int64
    starts: np.ndarray  # int64, character offsets into the text
    ends: np.ndarray
    piece_start: np.ndarray  # bool: the token is the first of its line or sentence

    def __len__(self) -> int:
        return len(self.ids)


def pieces_of(text: str, bounds: list[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
    """Non-blank ``(start, end)`` pieces: ``bounds`` (sentences) cut again at line breaks,
    or the text's lines."""
    out: list[tuple[int, int]] = []
    for s, e in bounds or [(0, len(text))]:
        pos = s
        while pos < e:
            nl = text.find("\n", pos, e)
            stop = e if nl < 0 else nl
            if text[pos:stop].strip():
                out.append((pos, stop))
            pos = stop + 1
    return out


# Pieces tokenized per call: the tokenizer's encodings (token strings, offsets) of a whole
# huge document at once would hold about 100 bytes per token besides the arrays kept.
ENCODE_PIECES = 1024


def encode_text(tokenizer: Any, text: str, pieces: list[tuple[int, int]]) -> Encoded:
    """Tokens of ``text[s:e]`` for each piece, offsets shifted into ``text``."""
    parts = [_encode_pieces(tokenizer, text, pieces[k:k + ENCODE_PIECES])
             for k in range(0, len(pieces), ENCODE_PIECES)]
    if not parts:
        return Encoded(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64),
                       np.zeros(0, bool))
    return Encoded(*(np.concatenate(arrays) for arrays in zip(*parts)))


def _encode_pieces(tokenizer: Any, text: str, pieces: list[tuple[int, int]]) -> tuple[np.ndarray, ...]:
    encs = tokenizer.encode_batch([text[s:e] for s, e in pieces], add_special_tokens=False)
    ids: list[int] = []
    starts: list[int] = []
    ends: list[int] = []
    first: list[bool] = []
    for (s, _), enc in zip(pieces, encs):
        n = 0
        for tid, tok, (a, b) in zip(enc.ids, enc.tokens, enc.offsets):
            if b <= a:
                continue  # a token with no characters
            if tok == "▁":
                b = a  # a bare word boundary before a word piece: it owns no character
            ids.append(tid)
            starts.append(s + a)
            ends.append(s + b)
            first.append(n == 0)
            n += 1
    return (np.asarray(ids, dtype=np.int64), np.asarray(starts, dtype=np.int64),
            np.asarray(ends, dtype=np.int64), np.asarray(first, dtype=bool))


def make_windows(piece_start: np.ndarray, size: int, overlap: int) -> list[tuple[int, int]]:
    """Token ranges ``[a, b)`` of at most ``size`` tokens covering every token.

    A window ends where a piece ends when one does within it; a piece longer than ``size``
    is cut into windows overlapping by ``overlap`` tokens.
    """
    n = len(piece_start)
    if n == 0:
        return []
    breaks = np.flatnonzero(piece_start).tolist() + [n]
    out: list[tuple[int, int]] = []
    a = 0
    while a < n:
        limit = min(a + size, n)
        # the last piece start in (a, limit]
        i = int(np.searchsorted(breaks, limit, side="right")) - 1
        b = breaks[i] if i >= 0 and breaks[i] > a else limit
        out.append((a, b))
        if b == limit and b < n and not piece_start[b]:
            a = max(b - overlap, a + 1)  # cut inside a piece: overlap
        else:
            a = b
    return out


def token_owner(windows: list[tuple[int, int]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """For each token: the window that reads it farthest from an edge, and its position."""
    owner = np.full(n, -1, dtype=np.int64)
    pos = np.zeros(n, dtype=np.int64)
    margin = np.full(n, -1, dtype=np.int64)
    for w, (a, b) in enumerate(windows):
        idx = np.arange(a, b)
        m = np.minimum(idx - a, b - 1 - idx)
        better = m > margin[a:b]
        owner[a:b][better] = w
        pos[a:b][better] = (idx - a)[better]
        margin[a:b][better] = m[better]
    return owner, pos


def _window_spans(labels: np.ndarray, piece_start: np.ndarray,
                  names: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Token spans ``[s, e)`` and type of one window's BIO labels (``I-X`` after another
    type, or at a piece start, opens a name, as `decode` reads them)."""
    out: list[tuple[int, int, str]] = []
    cur: list[Any] | None = None
    for t, lab in enumerate(labels):
        name = names[int(lab)]
        if name == "O":
            cur = None
            continue
        prefix, kind = name.split("-", 1)
        if prefix == "I" and cur is not None and cur[2] == kind and not piece_start[t]:
            cur[1] = t + 1
            continue
        cur = [t, t + 1, kind]
        out.append(cur)  # type: ignore[arg-type]
    return [(int(s), int(e), k) for s, e, k in out]


def bio_viterbi(probs: np.ndarray, names: tuple[str, ...], piece_start: np.ndarray
                ) -> np.ndarray:
    """The most probable label sequence of one window (``probs``: tokens x labels) in which
    every ``I-X`` follows a ``B-X`` or ``I-X`` of the same piece.

    A per-token argmax can read "Kementerian Perindustrian, Perdagangan, dan Sumber Daya"
    as ``I I O I I``: a comma the model doubted cuts the name, and "dan Sumber Daya" comes
    out as a name of its own. The decoder instead weighs the whole name (the comma inside
    it) against a new name that starts with "dan" (``B`` there), and takes the likelier.
    Names that are not ``O``, ``B-X`` or ``I-X`` leave the argmax as it is.
    """
    n, k = probs.shape
    parts = [nm.split("-", 1) if nm != "O" else ["O", ""] for nm in names]
    if n == 0 or any(len(p) != 2 or p[0] not in ("O", "B", "I") for p in parts):
        return probs.argmax(axis=1)  # untyped "B"/"I", or another scheme
    inside = np.array([p[0] == "I" for p in parts])
    # follow[i, j]: label j may come right after label i
    follow = np.array([[not inside[j] or (parts[i][0] in ("B", "I") and parts[i][1] == parts[j][1])
                        for j in range(k)] for i in range(k)])
    best = probs.argmax(axis=1)
    if not (inside[best] & piece_start).any() and follow[best[:-1], best[1:]].all():
        return best  # the argmax breaks no rule, so nothing scores higher: most windows
    step = np.where(follow, 0.0, -np.inf)
    fresh = np.where(inside, -np.inf, 0.0)  # at a piece start no name goes on
    logp = np.log(np.maximum(probs, 1e-12))
    score = logp[0] + (fresh if piece_start[0] else 0.0)
    back = np.zeros((n, k), dtype=np.int64)
    for t in range(1, n):
        cand = score[:, None] + (fresh[None, :] if piece_start[t] else step)
        back[t] = cand.argmax(axis=0)
        score = cand[back[t], np.arange(k)] + logp[t]
    out = np.empty(n, dtype=np.int64)
    out[-1] = int(score.argmax())
    for t in range(n - 1, 0, -1):
        out[t - 1] = back[t, out[t]]
    return out


def stitch(windows: list[tuple[int, int]], rows: list[np.ndarray], piece_start: np.ndarray,
           names: tuple[str, ...], constrained: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Per-token label ids and probabilities of a text read in overlapping ``windows``,
    ``rows[w]`` being window ``w``'s per-token label probabilities.

    Names are taken whole from one window, never pieced together from two. Each window's
    names are decoded in that window; where names read by different windows overlap, the
    overlapping stretch is decided by the window that holds all of it farthest from a cut
    edge (a window edge at a piece boundary, or at the text's ends, is not a cut), and it
    gives all the names in that stretch, or none where it reads none (a name read only
    near a cut edge is dropped when the window holding it best reads none). Each window is
    read by its per-token argmax, or with ``constrained`` by `bio_viterbi`.
    """
    n = len(piece_start)
    o = names.index("O")
    labels = np.full(n, o, dtype=np.int64)
    probs = np.zeros(n, dtype=np.float64)
    read = [bio_viterbi(r, names, piece_start[a:b]) if constrained else r.argmax(axis=1)
            for r, (a, b) in zip(rows, windows)]
    spans: list[tuple[int, int, int, str]] = []  # (start, end, window, type), absolute
    for w, (a, b) in enumerate(windows):
        spans.extend((s + a, e + a, w, kind)
                     for s, e, kind in _window_spans(read[w], piece_start[a:b], names))
    spans.sort()

    def room(w: int, s: int, e: int) -> int:
        """How far ``[s, e)`` lies from window ``w``'s cut edges (negative: outside it)."""
        a, b = windows[w]
        if s < a or e > b:
            return min(s - a, b - e)
        left = s - a if a > 0 and not piece_start[a] else n + s - a
        right = b - e if b < n and not piece_start[b] else n + b - e
        return min(left, right)

    def take(chosen: list[tuple[int, int, int, str]]) -> None:
        for s, e, w, kind in chosen:
            at = np.arange(s, e) - windows[w][0]
            probs[s:e] = rows[w][at, read[w][at]]
            labels[s] = names.index("B-" + kind)
            labels[s + 1:e] = names.index("I-" + kind)

    i = 0
    while i < len(spans):  # stretches of overlapping names
        j, end = i + 1, spans[i][1]
        while j < len(spans) and spans[j][0] < end:
            end = max(end, spans[j][1])
            j += 1
        group, start = spans[i:j], spans[i][0]
        i = j
        # the windows that may hold the stretch lie next to those that read its names
        near = range(max(0, min(sp[2] for sp in group) - 2),
                     min(len(windows), max(sp[2] for sp in group) + 3))
        best = max(near, key=lambda w: (room(w, start, end), -w))
        if room(best, start, end) >= 0:
            take([sp for sp in group if sp[2] == best])
            continue
        # a stretch longer than any window (chained readings): each name by its own room
        kept: list[tuple[int, int, int, str]] = []
        for sp in sorted(group, key=lambda sp: (-room(sp[2], sp[0], sp[1]), sp[2], sp[0])):
            if all(sp[1] <= k[0] or k[1] <= sp[0] for k in kept):
                kept.append(sp)
        take(kept)
    return labels, probs


def token_labels(enc: Encoded, spans: list[tuple[int, int, str]]) -> np.ndarray:
    """Gold BIO label ids for ``enc``'s tokens from character spans (training)."""
    lab = np.zeros(len(enc), dtype=np.int64)
    index = {name: i for i, name in enumerate(LABELS)}
    for s, e, label in spans:
        inside = np.flatnonzero((enc.starts < e) & (enc.ends > s))
        if len(inside) == 0 or f"B-{label}" not in index:
            continue
        lab[inside] = index[f"I-{label}"]
        lab[inside[0]] = index[f"B-{label}"]
    return lab


# Scripts written without spaces between words: there a "word" is the tokenizer's token,
# since widening to a run of letters would swallow a whole clause.
_NO_SPACE_SCRIPTS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0002fa1f]")


def word_text(text: str) -> str:
    """``text`` with the letters of scripts written without spaces blanked (same length),
    for the whole-word decisions only."""
    return _NO_SPACE_SCRIPTS.sub(" ", text) if _NO_SPACE_SCRIPTS.search(text) else text


def _word_start(text: str, i: int) -> int:
    while i > 0 and text[i - 1].isalnum() and text[i].isalnum():
        i -= 1
    return i


def _word_end(text: str, i: int) -> int:
    while i < len(text) and text[i - 1].isalnum() and text[i].isalnum():
        i += 1
    return i


# Punctuation a name never starts or ends with: the model sometimes tags the full stop of
# "Dr." with the name after it (". Ford"); opening quotes and brackets may start a name
# ("„Булгаргаз“ ЕАД"), closing ones may end it.
_NOT_FIRST = frozenset(".,;:!?)]}»”")
_NOT_LAST = frozenset(",;:!?([{«„")


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    """``[s, e)`` without the punctuation and spaces a name does not start or end with, and
    without a clitic it starts with: the "s" of "Corbyn's" tagged with "Labour Party"
    after it (a lower-case word right after an apostrophe inside a word)."""
    while s < e and (text[s] in _NOT_FIRST or text[s].isspace()):
        s += 1
    if 1 < s < e and text[s - 1] in "'’" and text[s - 2].isalpha() and text[s].islower():
        while s < e and text[s].isalnum():
            s += 1
        while s < e and (text[s] in _NOT_FIRST or text[s].isspace()):
            s += 1
    while e > s and (text[e - 1] in _NOT_LAST or text[e - 1].isspace()):
        e -= 1
    return s, e


def decode(text: str, enc: Encoded, labels: np.ndarray, probs: np.ndarray | None = None,
           names: tuple[str, ...] = LABELS) -> list[tuple[int, int, str, float]]:
    """``(start, end, label, confidence)`` spans from per-token label ids.

    ``I-X`` after a token of another type, or after a line break, starts a new name (as
    conlleval does). Spans are widened to whole words (not in scripts written without
    spaces, where the token is the unit) and trimmed of punctuation and clitics no name
    starts or ends with (`_trim`); a span without a letter or digit is dropped.
    Confidence is the mean probability of the span's token labels (1.0 without ``probs``).
    """
    out: list[tuple[int, int, str, float]] = []
    cur: list[Any] | None = None  # [start, end, type, prob sum, count]
    words = word_text(text)

    def close() -> None:
        # a name has a letter or digit: a quotation mark or dash tagged alone is none
        if cur is None:
            return
        s, e = _trim(text, _word_start(words, cur[0]), _word_end(words, cur[1]))
        if any(ch.isalnum() for ch in text[s:e]):
            out.append((s, e, cur[2], round(cur[3] / cur[4], 4)))

    for t in range(len(enc)):
        name = names[int(labels[t])]
        p = float(probs[t]) if probs is not None else 1.0
        if name == "O":
            close()
            cur = None
            continue
        prefix, kind = name.split("-", 1)
        s, e = int(enc.starts[t]), int(enc.ends[t])
        if (prefix == "I" and cur is not None and cur[2] == kind and not enc.piece_start[t]
                and "\n" not in text[cur[1]:s]):
            cur[1] = e
            cur[3] += p
            cur[4] += 1
            continue
        close()
        cur = [s, e, kind, p, 1]
    close()
    # widening to words can make two names touch or overlap: keep the first
    kept: list[tuple[int, int, str, float]] = []
    for span in out:
        if kept and span[0] < kept[-1][1]:
            continue
        kept.append(span)
    return kept


def batches(lengths: list[int], batch_tokens: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, at most ``batch_tokens`` padded
    tokens each (sorted by length, so little is padding)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    out: list[list[int]] = []
    cur: list[int] = []
    for i in order:
        if cur and (len(cur) + 1) * (lengths[i] + 2) > batch_tokens:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out


def pad_batch(rows: list[np.ndarray], bos: int, eos: int, pad: int) -> tuple[np.ndarray,
                                                                             np.ndarray]:
    """``<s> ids </s>`` rows padded to one length, and their attention mask (int64)."""
    width = max(len(r) for r in rows) + 2
    ids = np.full((len(rows), width), pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, r in enumerate(rows):
        ids[i, 0] = bos
        ids[i, 1:len(r) + 1] = r
        ids[i, len(r) + 1] = eos
        mask[i, :len(r) + 2] = 1
    return ids, mask


@dataclass
class TokenStates:
    """A text's tokens and the encoder's hidden states for each of them.

    ``states`` is ``(tokens, len(layers), hidden)`` float16 (half the memory; the heads that
    read them were trained on the same float16 values), row ``t`` from the window that
    reads token ``t`` farthest from an edge (`token_owner`), as the NER labels are."""

    enc: Encoded
    layers: tuple[int, ...]
    states: np.ndarray

    def of(self, layer: int) -> np.ndarray:
        """``(tokens, hidden)`` states of one layer."""
        return self.states[:, self.layers.index(layer)]


def run_windows(encs: list[Encoded], run: Any, *, bos: int, eos: int, pad: int,
                size: int = 126, overlap: int = 32, batch_tokens: int = 4096,
                keep: tuple[Any, ...] = (None,)
                ) -> list[tuple[list[tuple[int, int]], list[list[np.ndarray]]]]:
    """Per text, its windows and, per window, the per-token rows of each output of
    ``run(ids, mask)`` (an array, or a tuple of arrays, batch x width x ...).

    A batch holds windows of one text only, sorted by length: the int8 encoder quantizes
    its activations with one scale per batch (onnxruntime's DynamicQuantizeLinear), so a
    batch shared with other texts would make a text's names depend on what else is in the
    run (measured: a seed article split a ministry's name only when read with the other
    four). ``keep`` gives, per output, the dtype its rows are kept in while the other
    batches run (None: as returned): hidden states are kept in float16 so that a long
    text's windows do not pile up in float32.
    """
    out = []
    for enc in encs:
        wins = make_windows(enc.piece_start, size, overlap)
        rows: list[list[np.ndarray]] = [[] for _ in wins]
        for group in batches([b - a for a, b in wins], batch_tokens):
            ids, mask = pad_batch([enc.ids[wins[w][0]:wins[w][1]] for w in group],
                                  bos, eos, pad)
            outs = run(ids, mask)
            if isinstance(outs, np.ndarray):
                outs = (outs,)
            for k, w in enumerate(group):
                width = wins[w][1] - wins[w][0]
                rows[w] = [o[k, 1:width + 1] if dt is None else o[k, 1:width + 1].astype(dt)
                           for o, dt in zip(outs, keep)]
        out.append((wins, rows))
    return out


def owned_rows(windows: list[tuple[int, int]], rows: list[np.ndarray], n: int) -> np.ndarray:
    """``(n, ...)``: each token's row from the window that owns it (`token_owner`)."""
    owner, pos = token_owner(windows, n)
    out = np.empty((n,) + rows[0].shape[1:], dtype=rows[0].dtype)
    for w, (a, b) in enumerate(windows):
        # the tokens this window owns all lie inside it: no scan of the whole text
        mine = np.flatnonzero(owner[a:b] == w) + a
        out[mine] = rows[w][pos[mine]]
    return out


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis."""
    z = z - z.max(-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(-1, keepdims=True)


# lintas' own models label every subword of a name, so their windows are read with the
# BIO constraint (`bio_viterbi`)
CONSTRAINED = True


def _spans(text: str, enc: Encoded, windows: list[tuple[int, int]], logits: list[np.ndarray],
           names: tuple[str, ...]) -> list[tuple[int, int, str, float]]:
    """Spans from one text's per-window logits (`stitch`: each name whole from one window)."""
    labels, probs = stitch(windows, [softmax(x.astype(np.float64)) for x in logits],
                           enc.piece_start, names, constrained=CONSTRAINED)
    return decode(text, enc, labels, probs, names)


def tag_texts(tokenizer: Any, texts: list[str], run: Any, *, bos: int, eos: int, pad: int,
              size: int = 126, overlap: int = 32, batch_tokens: int = 4096,
              names: tuple[str, ...] = LABELS) -> list[list[tuple[int, int, str, float]]]:
    """Spans for each text, with ``run(ids, mask) -> logits`` (batch x width x labels).

    Each text is tokenized once, line by line, and its windows run in batches of their
    own (`run_windows`).
    """
    encs = [encode_text(tokenizer, t, pieces_of(t)) for t in texts]
    read = run_windows(encs, run, bos=bos, eos=eos, pad=pad, size=size, overlap=overlap,
                       batch_tokens=batch_tokens)
    return [_spans(text, enc, wins, [r[0] for r in rows], names) if len(enc) else []
            for text, enc, (wins, rows) in zip(texts, encs, read)]


def tag_texts_states(tokenizer: Any, texts: list[str], run: Any, layers: tuple[int, ...], *,
                     bos: int, eos: int, pad: int, size: int = 126, overlap: int = 32,
                     batch_tokens: int = 4096, names: tuple[str, ...] = LABELS
                     ) -> list[tuple[list[tuple[int, int, str, float]], TokenStates]]:
    """`tag_texts` that also returns each text's per-token hidden states of ``layers``,
    from the same pass: ``run(ids, mask)`` returns the logits and one hidden-state array
    (batch x width x hidden) per layer."""
    encs = [encode_text(tokenizer, t, pieces_of(t)) for t in texts]
    read = run_windows(encs, run, bos=bos, eos=eos, pad=pad, size=size, overlap=overlap,
                       batch_tokens=batch_tokens, keep=(None,) + (np.float16,) * len(layers))
    out = []
    for text, enc, (wins, rows) in zip(texts, encs, read):
        if not len(enc):
            out.append(([], TokenStates(enc, layers, np.zeros((0, len(layers), 0), np.float16))))
            continue
        states = np.stack([owned_rows(wins, [r[k] for r in rows], len(enc))
                           for k in range(1, len(layers) + 1)], axis=1)
        out.append((_spans(text, enc, wins, [r[0] for r in rows], names),
                    TokenStates(enc, layers, states)))
    return out
