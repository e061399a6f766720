"""What the two trigger experiments share: trigger + type F1 of per-token probabilities,
decoded as the shipped event heads decode theirs (`EventHeads.triggers`)."""
from collections import defaultdict

import numpy as np

from pipeline.evaluation.evaluate_corpus import prf
from pipeline.learned.event_features import decode_bio, span_scores
from pipeline.training.train_events import EVENT_NAMES


def trigger_f1(rows, probs, thr=0.5, by_lang=False):
    """``rows``: ``(lang, sentence text, Encoded, gold (start, end, type) triggers)``;
    ``probs``: per-token probabilities over `EVENT_NAMES` (O first) for each row. A token is
    inside a trigger when its not-O probability reaches ``thr``, typed by its likeliest type."""
    tot = defaultdict(lambda: [0, 0, 0])
    for (lang, text, enc, gold), p in zip(rows, probs):
        inside = 1.0 - p[:, 0]
        labels = np.where(inside >= thr, p[:, 1:].argmax(-1) + 1, 0)
        c = span_scores(decode_bio(text, enc, labels, EVENT_NAMES), gold)
        for k in ("all", lang):
            tot[k] = [a + b for a, b in zip(tot[k], c)]
    sc = {k: round(prf(*v)["f"], 4) for k, v in tot.items()}
    return sc if by_lang else sc["all"]
