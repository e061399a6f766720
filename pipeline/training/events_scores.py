"""The learned event heads scored through `lintas run`'s stages, as `lintas evaluate events`
scores them: the training's inner split (to choose on), the dev split and the held-out
language (for the card only)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.core.core import PipelineConfig
from pipeline.evaluation.evaluate_corpus import evaluate_corpus, gold_documents, variant_scores
from pipeline.learned.events_learned import MERGES, EventHeads, load_heads
from pipeline.stages.events import Events
from pipeline.training.train_corpus import Log


def pipeline_scores(golds: Sequence[Any], variants: dict[str, dict[str, Any]],
                    heads: EventHeads, ner_options: dict[str, dict[str, Any]],
                    log: Log, label: str = "inner") -> dict[str, dict[str, Any]]:
    """`lintas run`'s stages over ``golds`` (`evaluate_corpus.GoldDoc`), each document read
    once up to the claims stage, then the events stage once per variant (its keyword
    arguments); scores as `lintas evaluate events` gives them, per language and overall."""
    out = variant_scores("events", golds, {
        name: Events(heads=heads, ner_options=ner_options, **kw)
        for name, kw in variants.items()}, ner_options)
    for name, langs in out.items():
        a = langs.get("all", {})
        if a:
            log(f"  {label} {name}: trigger+type F1 {a['trigger_type']['f']:.3f} "
                f"argument F1 {a['argument_role']['f']:.3f} "
                f"modality {a['modality_of_paired']['p']:.3f} of {a['modality_of_paired']['gold']}")
    return out


def dev_scores(out: Path, ner_options: dict[str, dict[str, Any]], log: Log) -> dict[str, Any]:
    """`lintas evaluate events` on the dev split with the new heads, with the lexicons alone
    (the card's comparison), and with the heads on every document (``events_encode``: the
    Indonesian documents, read by the spaCy NER, encoded for them); run after everything
    is chosen."""
    res = _learned_and_lexicons(out, ner_options, log, "dev", encode_too=True)
    # every way of combining them, reported (the inner split chose)

    heads = load_heads(out, ner_options)
    if heads is not None:
        variants: dict[str, dict[str, Any]] = {m: {"merge": m, "modality_head": False}
                                               for m in MERGES}
        if heads.modality is not None:
            variants[f"{heads.merge} + modality head"] = {"merge": heads.merge,
                                                          "modality_head": True}
        log("the dev split, every variant (reported, not chosen on):")
        res["variants"] = pipeline_scores(gold_documents("dev"), variants, heads, ner_options,
                                          log, "dev")
    return res


def _learned_and_lexicons(out: Path, ner_options: dict[str, dict[str, Any]], log: Log,
                          split: str, encode_too: bool = False) -> dict[str, Any]:

    res = {}
    runs = [("learned", True, False), ("lexicons", False, False)]
    if encode_too:
        runs.append(("learned, every document encoded", True, True))
    for name, learned, encode in runs:
        r = evaluate_corpus("events", split, config=PipelineConfig(
            ner_options=ner_options, events_model=str(out), events_learned=learned,
            events_encode=encode))
        res[name] = r["scores"]
        a = r["scores"].get("all", {})
        if a:
            log(f"{split} ({name}): trigger+type F1 {a['trigger_type']['f']:.3f}, argument "
                f"F1 {a['argument_role']['f']:.3f}, modality "
                f"{a['modality_of_paired']['p']:.3f}")
    return res


def heldout_scores(out: Path, ner_options: dict[str, dict[str, Any]],
                   log: Log) -> dict[str, Any]:
    """`lintas evaluate events --split heldout`: the language held out of the annotation
    for training (Czech; see models/corpus/README.md), with the new heads and with the
    lexicons alone. Empty when the corpus has no held-out annotations."""
    if not gold_documents("heldout"):
        return {}
    return _learned_and_lexicons(out, ner_options, log, "heldout")
