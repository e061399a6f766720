"""Trigger + type scores of the event heads on the corpus' sentences, and the choices made
with them that `lintas train events` (`pipeline.training.train_events`) shares: the
threshold of a language the heads never learned from (`unseen_threshold`)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

import numpy as np

from pipeline.evaluation.evaluate_corpus import prf
from pipeline.learned.event_features import bio_labels, bio_names, span_scores
from pipeline.learned.events_learned import EventHeads
from pipeline.training.train_corpus import Example, Log
from pipeline.training.train_heads import HeadConfig, train_head

EVENT_TYPES = ("AGREE", "CONSULT", "SUPPORT", "COOPERATE", "AID", "CONCEDE", "RETREAT",
               "REQUEST", "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE",
               "COERCE", "ASSAULT", "TRADE", "INVEST", "PRODUCE")
EVENT_NAMES = bio_names(EVENT_TYPES)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7)


def trigger_data(exs: Sequence[Example], li: int) -> tuple[np.ndarray, np.ndarray]:
    """Tokens' states of layer index ``li`` and their BIO ids over the event types."""
    x = np.concatenate([np.asarray(e.states[:, li], np.float32) for e in exs])
    y = np.concatenate([bio_labels(e.enc, e.triggers, EVENT_NAMES) for e in exs])
    return x, y


def trigger_f1(heads: EventHeads, exs: Sequence[Example], li: int,
               threshold: float | None = None, by_lang: bool = False) -> Any:
    """Trigger + type F1 (exact span and type) of ``heads`` on ``exs``, overall (and per
    language with ``by_lang``)."""
    tot: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for e in exs:
        pred = [(t.start, t.end, t.event_type)
                for t in heads.triggers(e.text, e.enc, e.states[:, li], threshold)]
        c = span_scores(pred, e.triggers)
        for k in ("all", e.lang):
            tot[k] = [a + b for a, b in zip(tot[k], c)]
    scores = {k: prf(*v) for k, v in tot.items()}
    return scores if by_lang else scores["all"]["f"]


def unseen_threshold(exs: Sequence[Example], held: set[str], li: int, info: dict[str, Any],
                     cfg: HeadConfig, log: Log = print) -> dict[str, Any] | None:
    """The trigger threshold for a language the heads never learned from (`EventHeads.
    threshold_for`): for each training language, a head trained as ``cfg`` says on the
    other languages' sentences outside the inner split is scored on all of that language's
    sentences at each of `THRESHOLDS`; the threshold of the best mean F1 over the languages
    left out (ties: the nearest to ``info``'s threshold, the seen languages'). None with
    fewer than two training languages (a slice of the corpus)."""
    langs = sorted({e.lang for e in exs})
    scores: dict[str, dict[float, float]] = {}
    for lang in langs:
        rest = [e for e in exs if e.lang != lang and e.doc not in held]
        if not rest:
            continue
        x, y = trigger_data(rest, li)
        heads = EventHeads(info, train_head(x, y, len(EVENT_NAMES), cfg))
        own = [e for e in exs if e.lang == lang]
        scores[lang] = {t: trigger_f1(heads, own, li, t) for t in THRESHOLDS}
        log(f"  without {lang}: " + ", ".join(f"{t}: {v:.3f}" for t, v in scores[lang].items()))
    if len(scores) < 2:
        log("  fewer than two training languages: no threshold of its own for the others")
        return None
    mean = {t: float(np.mean([s[t] for s in scores.values()])) for t in THRESHOLDS}
    seen = float(info["threshold"])
    threshold = max(THRESHOLDS, key=lambda t: (round(mean[t], 6), -abs(t - seen)))
    log(f"chosen for languages never learned from: threshold {threshold} (mean F1 of the "
        f"left-out languages {mean[threshold]:.3f}; at {seen}: {mean[seen]:.3f})")
    return {"languages": sorted(scores), "threshold": threshold,
            "choice": {"left_out": scores, "mean": mean}}
