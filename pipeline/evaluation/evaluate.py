"""`lintas evaluate ner`: exact-span precision, recall and F1 through `lintas run`'s path.

Gold examples become ordinary `Document`s (sentences of token files are joined one per line
into documents of `SENTENCES_PER_DOC` sentences; SlavicNER documents stay whole), run through
the same stages as `lintas run` with the language forced, and every predicted PER / ORG /
LOC mention is compared with the gold spans: a hit needs the same start, end and label.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.stages.ner_stage import DEFAULT_NER
from pipeline.core.document import Document
from pipeline.training.ner_data import LABELS, NerExample, pack_sentences, read_examples

SENTENCES_PER_DOC = 40


def as_documents(examples: list[NerExample], lang: str,
                 per_doc: int = SENTENCES_PER_DOC) -> list[tuple[Document, set[tuple[int, int, str]]]]:
    """Documents and their gold spans; sentence examples are packed ``per_doc`` at a time."""
    return [(Document(doc_id=f"eval{n}", source=ex.source, text=ex.text, lang_hint=lang),
             set(ex.spans)) for n, ex in enumerate(pack_sentences(examples, per_doc))]


def prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    """Precision, recall and F1 from counts (0 when undefined)."""
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"p": round(p, 4), "r": round(r, 4), "f": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def tally(counts: dict[str, Counter], gold: set[tuple[int, int, str]],
          mentions: list[Any]) -> None:
    """Add one document's true and false positives and false negatives per label to
    ``counts`` (label -> Counter): a hit is a mention with the gold span's start, end and
    label."""
    pred = {(m.start, m.end, m.label) for m in mentions if m.label in LABELS}
    for lab in LABELS:
        g = {x for x in gold if x[2] == lab}
        p = {x for x in pred if x[2] == lab}
        counts[lab].update(tp=len(g & p), fp=len(p - g), fn=len(g - p))


def scores(counts: dict[str, Counter]) -> tuple[dict[str, dict[str, float]], dict[str, float]]:
    """Per-label and overall (micro) scores of `tally`'s counts."""
    total: Counter = Counter()
    for c in counts.values():
        total.update(c)
    return ({lab: prf(c["tp"], c["fp"], c["fn"]) for lab, c in counts.items()},
            prf(total["tp"], total["fp"], total["fn"]))


def evaluate(lang: str, data: list[str], model: Path | None = None,
             backends: tuple[str, ...] = DEFAULT_NER, vote: bool = False,
             options: dict[str, dict[str, Any]] | None = None,
             rules: bool = True, skip_rules: tuple[str, ...] = (),
             sentences_per_doc: int = SENTENCES_PER_DOC) -> dict[str, Any]:
    """Scores per label and overall (micro) of the mentions on ``data``; ``model``: the
    model folder of the first model backend; ``vote``: the spaCy model's members vote with
    it (`lintas run --vote`); ``options``: more backend options; ``rules``: run the
    ``ner_rules`` stage; ``skip_rules``: those of its rules to leave out, by name
    (`pipeline.stages.ner_rule_stage.RULES`); ``sentences_per_doc``: how many sentences of a
    sentence-level file make one document (1 for files whose sentences are shuffled, from
    unrelated articles: packed together they give the model and the document-level rules
    a context no real article has)."""
    options = {k: dict(v) for k, v in (options or {}).items()}
    first = next((b for b in backends if b in ("spacy", "transformer")), None)
    if model and first:
        options.setdefault(first, {})["model_dir"] = str(model)
    if vote:
        options.setdefault("spacy", {})["vote"] = True
    # the stages up to the entities (ner, ner_rules, entities): the later ones read the
    # mentions and never change them
    stages = DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1]
    nlp = build_pipeline(PipelineConfig(stages=stages, ner_backends=backends,
                                        ner_options=options, ner_rules=rules,
                                        ner_skip_rules=skip_rules))
    examples = [ex for p in data for ex in read_examples(p, lang)]
    docs = as_documents(examples, lang, sentences_per_doc)
    counts: dict[str, Counter] = {lab: Counter() for lab in LABELS}
    words = 0
    started = time.perf_counter()
    for doc, gold in docs:
        doc = nlp(doc)
        words += len(doc.token_offsets.starts)
        tally(counts, gold, doc.mentions)
    seconds = time.perf_counter() - started
    per_label, overall = scores(counts)
    return {"lang": lang, "data": data, "backends": list(backends),
            "model": str(model) if model else "shipped", "documents": len(docs),
            "sentences_per_doc": sentences_per_doc,
            "gold_entities": sum(c["tp"] + c["fn"] for c in counts.values()),
            "per_label": per_label, "overall": overall,
            "words_per_s": round(words / seconds) if seconds else 0}


def format_table(result: dict[str, Any]) -> str:
    """A plain-text table of an `evaluate` result."""
    lines = [f"lang {result['lang']}, {result['documents']} documents, "
             f"{result['gold_entities']} gold entities, backends {','.join(result['backends'])}",
             f"{'label':<8}{'P':>8}{'R':>8}{'F1':>8}{'gold':>8}"]
    for lab, s in [*result["per_label"].items(), ("overall", result["overall"])]:
        lines.append(f"{lab:<8}{s['p']:>8.3f}{s['r']:>8.3f}{s['f']:>8.3f}{s['tp'] + s['fn']:>8}")
    lines.append(f"{result['words_per_s']} words/s (the stages up to the entities)")
    return "\n".join(lines)
