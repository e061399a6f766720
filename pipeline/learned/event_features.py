"""Token features and span labels for the learned event extractors (issue 13).

The extractors are small heads on the hidden states of the NER encoder (``models/ner-xx``),
so that a document is encoded once. This module holds what training and inference share,
and needs no torch:

- the hidden states come from the ONNX encoder's NER pass
  (`pipeline.learned.encoder_runtime.OnnxEncoder.spans_and_states`), in training and at run time;
- `pooled` gives a span's features for the pooled heads (modality, mode);
- `bio_labels` / `decode_bio` turn character spans into per-token BIO label ids and back;
  `decode_runs` reads long spans (a claim's content) from smoothed per-token probabilities;
- `span_scores` counts matches of predicted and gold spans (exact, or by overlap) for
  precision, recall and F1 (`evaluate_corpus.prf`).

Spans are character offsets into the sentence's text, end exclusive. Decoding works on
tokens, not words: an Indonesian clitic speaker ("nya" of "ujarnya") is a token of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np

from pipeline.learned.token_windows import Encoded
from pipeline.text.word_bounds import word_end, word_start, word_text

Span = tuple[int, int, str]  # (start, end, label)


def bio_names(kinds: Iterable[str]) -> tuple[str, ...]:
    """``("O", "B-k1", "I-k1", …)`` for span kinds ``kinds``."""
    out = ["O"]
    for k in kinds:
        out += [f"B-{k}", f"I-{k}"]
    return tuple(out)


def bio_labels(enc: Encoded, spans: Iterable[Span], names: Sequence[str]) -> np.ndarray:
    """Per-token label ids: tokens with characters inside a span get ``B-``/``I-`` of its
    label (spans are assumed not to overlap; a later span overwrites an earlier one)."""
    lab = np.zeros(len(enc), dtype=np.int64)
    index = {name: i for i, name in enumerate(names)}
    has_chars = enc.ends > enc.starts
    for s, e, label in spans:
        inside = np.flatnonzero((enc.starts < e) & (enc.ends > s) & has_chars)
        if len(inside) == 0 or f"B-{label}" not in index:
            continue
        lab[inside[0]:inside[-1] + 1] = index[f"I-{label}"]
        lab[inside[0]] = index[f"B-{label}"]
    return lab


_EDGE = frozenset(" \t,;:.!?\"'«»„“”‘’()[]{}-–—")


_OPENING = "\"'«„“‘(["
_CLOSING = "\"'»“”’)]"


def trim_name(text: str, s: int, e: int) -> tuple[int, int]:
    """``[s, e)`` without spaces and punctuation at its ends; a closing quote or bracket
    stays when the span opens one (a name in quotes: 'проекта "Северный поток-2"')."""
    while s < e and text[s] in _EDGE:
        s += 1
    while e > s and text[e - 1] in _EDGE:
        if text[e - 1] in _CLOSING and any(ch in _OPENING for ch in text[s:e - 1]):
            break
        e -= 1
    return s, e


def decode_bio(text: str, enc: Encoded, labels: np.ndarray, names: Sequence[str],
               trim: bool = True, whole_words: bool = True) -> list[Span]:
    """Spans from per-token label ids. ``I-X`` continues a span of ``X`` (bare boundary
    tokens in between are skipped); ``I-X`` after anything else starts one (conlleval).
    With ``whole_words``, a span is widened to the words it touches (not in scripts
    written without spaces: `pipeline.text.word_bounds.word_text`), and spans that then overlap are
    merged into the first. With ``trim``, spaces, quotes and punctuation at either end are
    cut (gold spans of triggers, cues and speakers never have them)."""
    out: list[Span] = []
    cur: list[Any] | None = None
    words = word_text(text) if whole_words else ""

    def close() -> None:
        if cur is not None:
            s, e = cur[0], cur[1]
            if whole_words:
                s, e = word_start(words, s), word_end(words, e)
            if trim:
                s, e = trim_name(text, s, e)
            if e <= s or not any(ch.isalnum() for ch in text[s:e]):
                return
            if out and s < out[-1][1]:
                if out[-1][2] == cur[2]:
                    out[-1] = (out[-1][0], max(e, out[-1][1]), cur[2])
                return
            out.append((s, e, cur[2]))

    for t in range(len(enc)):
        s, e = int(enc.starts[t]), int(enc.ends[t])
        name = names[int(labels[t])]
        if e <= s and cur is not None and name != "O":
            continue  # a bare boundary token inside a span
        if name == "O":
            close()
            cur = None
            continue
        prefix, kind = name.split("-", 1)
        if prefix == "I" and cur is not None and cur[2] == kind:
            cur[1] = max(cur[1], e)
            continue
        close()
        cur = [s, e, kind]
    close()
    return out


def decode_runs(text: str, enc: Encoded, p_in: np.ndarray, label: str, *, thr: float = 0.5,
                smooth: int = 2, max_gap: int = 3, min_tokens: int = 2,
                refine: bool = True) -> list[Span]:
    """Long spans (a claim's content) from per-token probabilities of being inside one.

    Per-token tagging of a long clause comes out ragged ("I I . I . I I I"), and BIO
    decoding breaks it into many short spans. Here ``p_in`` is averaged over ``smooth``
    tokens either side, tokens at or above ``thr`` are in, gaps of at most ``max_gap``
    tokens between two runs are filled, with ``refine`` a run takes in the tokens next to it
    that reach ``thr`` unsmoothed, and runs of fewer than ``min_tokens`` tokens are dropped. Spans are widened to whole words and trimmed as in `decode_bio`."""
    n = len(enc)
    if n == 0:
        return []
    raw = np.asarray(p_in, np.float64)
    k = np.ones(2 * smooth + 1) / (2 * smooth + 1)
    padded = np.pad(raw, smooth, mode="edge")
    inside = np.convolve(padded, k, mode="valid") >= thr
    runs: list[list[int]] = []
    for t in np.flatnonzero(inside):
        if runs and t - runs[-1][1] - 1 <= max_gap:
            runs[-1][1] = int(t)
        else:
            runs.append([int(t), int(t)])
    # smoothing pulls a run's edge tokens down when their neighbours are outside ("что |
    # экспорт …", "… процентов | ."): a run takes back the adjacent tokens that are in by
    # their own probability
    for i, run in enumerate(runs if refine else []):
        floor = runs[i - 1][1] + 1 if i else 0
        ceil = runs[i + 1][0] - 1 if i + 1 < len(runs) else n - 1
        while run[0] > floor and raw[run[0] - 1] >= thr:
            run[0] -= 1
        while run[1] < ceil and raw[run[1] + 1] >= thr:
            run[1] += 1
    words = word_text(text)
    out: list[Span] = []
    for a, b in runs:
        if b - a + 1 < min_tokens:
            continue
        s = word_start(words, int(enc.starts[a]))
        e = word_end(words, int(max(enc.ends[a:b + 1])))
        s, e = trim_name(text, s, e)
        if e > s and any(ch.isalnum() for ch in text[s:e]):
            out.append((s, e, label))
    return out


def pooled(states: np.ndarray, enc: Encoded, start: int, end: int) -> np.ndarray:
    """The mean state of the tokens of ``[start, end)`` next to the mean state of all of
    ``enc``'s tokens (``states``: tokens x dims; ``enc``: a sentence's tokens), float32."""
    states = np.asarray(states, np.float32)
    inside = np.flatnonzero((enc.starts < end) & (enc.ends > start) & (enc.ends > enc.starts))
    if len(inside) == 0:
        inside = np.arange(len(enc))
    return np.concatenate([states[inside].mean(axis=0), states.mean(axis=0)])


def overlap_ratio(a: tuple[int, int], b: tuple[int, int]) -> float:
    """Shared characters over the longer of the two spans."""
    inter = min(a[1], b[1]) - max(a[0], b[0])
    return max(inter, 0) / max(a[1] - a[0], b[1] - b[0], 1)


def span_scores(pred: Sequence[Span], gold: Sequence[Span], *, typed: bool = True,
                min_overlap: float | None = None) -> tuple[int, int, int]:
    """``(true positives, predicted, gold)`` for one sentence.

    Exact start and end (and label when ``typed``), or with ``min_overlap`` a share of
    shared characters of at least that much (`overlap_ratio`); each gold span matches at
    most one prediction."""
    used: set[int] = set()
    tp = 0
    for p in pred:
        for i, g in enumerate(gold):
            if i in used or (typed and p[2] != g[2]):
                continue
            if (min_overlap is None and p[:2] == g[:2]) or (
                    min_overlap is not None and overlap_ratio(p[:2], g[:2]) >= min_overlap):
                used.add(i)
                tp += 1
                break
    return tp, len(pred), len(gold)
