"""Learned event arguments: a head that reads one event's trigger and marks its arguments.

For an event in a sentence, each token of the sentence is described by its encoder state,
the trigger's pooled state, their product, its distance to the trigger (in buckets) and
whether it is inside the trigger; the head gives each token a BIO label over the roles of
the corpus guideline (`ROLES`). Spans come out as the trigger heads' do (`decode_bio`:
whole words, trimmed). The head is trained by `lintas train events` on the team's corpus
(`pipeline.training.train_events`), so it reads languages without a grammar file too.

`merge_arguments` combines its arguments with those of the clause rules (`events.py`), as
the model's ``arguments`` setting says (chosen on the corpus' inner split).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.learned.event_features import bio_names, decode_bio
from pipeline.learned.token_windows import Encoded

ROLES = ("actor", "counterpart", "topic", "commodity", "amount", "location", "origin",
         "destination", "route", "time")
ROLE_NAMES = bio_names(ROLES)
# token distance to the trigger, in buckets: before (negative), inside (0), after
BUCKETS = (-99, -8, -4, -2, -1, 0, 1, 2, 4, 8)
# how a model's arguments combine with the rules' (`merge_arguments`), in the order the
# trainer prefers them when they score alike: the rules' arguments kept first
ARGUMENT_MERGES = ("rules", "rules_first", "learned_first", "learned")
# roles the event record has a field of its own for: not repeated as arguments
OWN_FIELD = frozenset({"time"})


def argument_features(states: np.ndarray, enc: Encoded, start: int, end: int) -> np.ndarray | None:
    """Per-token features (tokens x dims) for the trigger at ``[start, end)`` (offsets into
    the sentence, as ``enc``'s), or None when no token lies in the trigger."""
    inside = np.flatnonzero((enc.starts < end) & (enc.ends > start))
    if len(inside) == 0:
        return None
    h = np.asarray(states, np.float32)
    trig = h[inside].mean(axis=0)
    pos = np.arange(len(enc))
    dist = np.where(pos < inside[0], pos - inside[0],
                    np.where(pos > inside[-1], pos - inside[-1], 0))
    buckets = np.zeros((len(enc), len(BUCKETS) + 1), np.float32)
    # a token further before the trigger than the first bucket's bound is in that bucket
    buckets[pos, np.maximum(np.searchsorted(BUCKETS, dist, side="right") - 1, 0)] = 1.0
    flag = np.zeros((len(enc), 1), np.float32)
    flag[inside] = 1.0
    return np.concatenate([h, np.broadcast_to(trig, h.shape), h * trig, buckets, flag], axis=1)


def decode_arguments(text: str, enc: Encoded, logits: np.ndarray, trigger: tuple[int, int],
                     threshold: float = 0.5) -> list[tuple[int, int, str]]:
    """Argument spans ``(start, end, role)`` (offsets into ``text``, the sentence) from the
    head's per-token logits: a token is in an argument when its probability of not being
    ``O`` is at least ``threshold``, with its likeliest label. A span on the trigger
    itself is dropped; spans of one role with only spaces between them are one (a long
    title the head marked in pieces)."""
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=-1, keepdims=True)
    labels = np.where(1.0 - p[:, 0] >= threshold, p[:, 1:].argmax(axis=-1) + 1, 0)
    out: list[tuple[int, int, str]] = []
    for s, e, role in decode_bio(text, enc, labels, ROLE_NAMES):
        if s < trigger[1] and trigger[0] < e:
            continue  # the trigger is no argument of itself (and parts never join across it)
        if out and out[-1][2] == role and not text[out[-1][1]:s].strip():
            out[-1] = (out[-1][0], e, role)
        else:
            out.append((s, e, role))
    return out


def merge_arguments(rules: Sequence[tuple[str, int, int]], learned: Sequence[tuple[str, int, int]],
                    how: str) -> list[tuple[str, int, int]]:
    """``(role, start, end)`` arguments of one event: the rules', the head's, or one side
    first with the other's arguments added for the roles it did not fill (an added span
    that overlaps a kept one is left out)."""
    if how == "rules":
        return list(rules)
    if how == "learned":
        return list(learned)
    first, second = (learned, rules) if how == "learned_first" else (rules, learned)
    out = list(first)
    roles = {r for r, _, _ in first}
    for role, s, e in second:
        if role not in roles and not any(s < b and a < e for _, a, b in out):
            out.append((role, s, e))
    return out
