"""Subword tokens of a document, the windows the encoder reads, and spans back from labels.

Shared by training and inference (no torch here), so that the model is trained on windows
cut exactly as `lintas run` cuts them:

- `encode_text` tokenizes a text piece by piece (lines or sentences, so no token crosses
  a line break) and keeps each token's character offsets into the original text;
- `make_windows` packs whole pieces into windows of at most ``size`` tokens; a piece longer
  than a window is cut into windows that overlap by ``overlap`` tokens;
- `token_owner` gives each token the window where it sits farthest from an edge, and
  `stitch` (`pipeline.learned.stitch`, with `bio_viterbi`) takes each name whole from the
  window that reads it farthest from a cut, so a name at a window border is read with
  context on both sides and never lost or shifted;
- `decode` turns per-token BIO labels into character spans (never across a line break,
  always whole words: `pipeline.text.word_bounds`);
- `run_windows` runs the windows through the encoder; `stitch` takes each name whole from
  one window, and `owned_rows` gives each token its owner's row of an output;
  `tag_texts_states` also returns the hidden states the event heads read
  (`TokenStates`), from the same pass.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


import numpy as np

from pipeline.learned.stitch import stitch
from pipeline.text.word_bounds import trim_name, word_end, word_start, word_text

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


def decode(text: str, enc: Encoded, labels: np.ndarray, probs: np.ndarray | None = None,
           names: tuple[str, ...] = LABELS) -> list[tuple[int, int, str, float]]:
    """``(start, end, label, confidence)`` spans from per-token label ids.

    ``I-X`` after a token of another type, or after a line break, starts a new name (as
    conlleval does). Spans are widened to whole words (not in scripts written without
    spaces, where the token is the unit) and trimmed of punctuation and clitics no name
    starts or ends with (`trim_name`); a span without a letter or digit is dropped.
    Confidence is the mean probability of the span's token labels (1.0 without ``probs``).
    """
    out: list[tuple[int, int, str, float]] = []
    cur: list[Any] | None = None  # [start, end, type, prob sum, count]
    words = word_text(text)

    def close() -> None:
        # a name has a letter or digit: a quotation mark or dash tagged alone is none
        if cur is None:
            return
        s, e = trim_name(text, word_start(words, cur[0]), word_end(words, cur[1]))
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
