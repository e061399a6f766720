"""How far two annotators of the corpus' dev split agree, on the metrics of `lintas evaluate`.

    python -m pipeline.evaluation.agreement [--model] [--json] [--list]

The second annotation (`models/corpus/agreement/annotations/`, made from the guideline alone
by annotators who did not read the first: `models/corpus/agreement.py`) is scored against the
corpus' own annotation of the same documents exactly as `lintas evaluate events|claims`
scores the stages: trigger + type, argument role, modality of paired events, claim speaker
+ content and content. F1 between two people is the ceiling a model trained on one of them
can be expected to reach on the other. With ``--model`` the shipped stages are scored on the
same documents against each annotation too, so that the model's F1 stands beside the
people's.

Each document's text is the stretch of its source that both annotations cover
(`evaluate_corpus.stretch` over the union of their records), so that both golds and the
model share offsets.
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from pipeline.core.core import PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.evaluation.evaluate_corpus import (GoldDoc, Totals, add_counts, gold_document,
                                                 new_totals, overlap, predicted,
                                                 records_by_document, same_speaker,
                                                 score_claims, score_events, score_table,
                                                 shares_half, stretch)
from pipeline.lexicon.lexicons import models_dir


def second_annotation_files() -> list[Path]:
    """The second annotation's files (empty when none is there)."""
    return sorted((models_dir() / "corpus" / "agreement" / "annotations").glob("*.jsonl"))


def paired_documents(files: list[Path] | None = None) -> list[tuple[GoldDoc, GoldDoc]]:
    """(first, second) annotation of every document the second annotation covers, over one
    shared text. A sentence the second annotation lists must be in the first's.
    Raises FileNotFoundError without the shared data folder."""
    second = records_by_document(paths=files or second_annotation_files())
    wanted = set(second)
    first = records_by_document(lambda rec: rec["doc"] in wanted)
    out = []
    for doc_id, recs2 in second.items():
        recs1 = first.get(doc_id, [])
        missing = {r["sid"] for r in recs2} - {r["sid"] for r in recs1}
        if missing:
            raise ValueError(f"[L042] the first annotation lacks sentences {sorted(missing)}")
        text, at = stretch(recs1 + recs2)
        out.append((gold_document(doc_id, recs1, text, at),
                    gold_document(doc_id, recs2, text, at)))
    return out


def agreement(with_model: bool = False, files: list[Path] | None = None) -> dict[str, Any]:
    """Scores of the second annotation against the first (``second_vs_first``), and with
    ``with_model`` of the shipped stages against each (``model_vs_first``,
    ``model_vs_second``), per language and ``all``."""
    pairs = paired_documents(files)
    results: dict[str, Totals] = defaultdict(new_totals)
    nlp = build_pipeline(PipelineConfig()) if with_model else None
    for first, second in pairs:
        add_counts(results["second_vs_first"], first.lang,
                   {**score_events(second.events, first.events),
                    **score_claims(second.claims, first.claims)})
        if nlp is not None:
            doc = nlp(Document(doc_id=first.doc, source=first.doc, text=first.text,
                               lang_hint=first.lang))
            events, claims = predicted(doc, first.sentences)
            for gold, name in ((first, "model_vs_first"), (second, "model_vs_second")):
                add_counts(results[name], first.lang,
                           {**score_events(events, gold.events),
                            **score_claims(claims, gold.claims)})
    return {"documents": len(pairs),
            "sentences": sum(len(f.sentences) for f, _ in pairs),
            "scores": {name: score_table(t) for name, t in results.items()}}


def disagreements(first: GoldDoc, second: GoldDoc) -> list[str]:
    """One line per event or claim the two annotations of a document do not share: an event
    only one has (no trigger of the other's overlaps it), a trigger both mark with another
    type or other bounds, a claim only one has (no content shares half of it), a claim whose
    speakers differ."""
    text = first.text
    out = []

    def quote(span: tuple[int, int] | None, limit: int = 60) -> str:
        if span is None:
            return "-"
        t = text[span[0]:span[1]].replace("\n", " ")
        return repr(t if len(t) <= limit else t[:limit - 1] + "…")

    for mine, theirs, who in ((first.events, second.events, "first"),
                              (second.events, first.events, "second")):
        for ev in mine:
            near = [o for o in theirs if overlap(o["trigger"], ev["trigger"]) > 0]
            if not near:
                out.append(f"{first.doc} event only in the {who}: {ev['type']} "
                           f"{quote(ev['trigger'])} ({ev['modality']})")
            elif who == "first" and not any(o["type"] == ev["type"]
                                             and o["trigger"] == ev["trigger"] for o in near):
                o = near[0]
                out.append(f"{first.doc} event differs: first {ev['type']} "
                           f"{quote(ev['trigger'])}, second {o['type']} {quote(o['trigger'])}")
    for mine, theirs, who in ((first.claims, second.claims, "first"),
                              (second.claims, first.claims, "second")):
        for c in mine:
            near = [o for o in theirs if shares_half(o["content"], c["content"])]
            speaker = quote(c["speakers"][0] if c["speakers"] else None, 30)
            if not near:
                out.append(f"{first.doc} claim only in the {who}: {c['kind']}, speaker "
                           f"{speaker}, content {quote(c['content'])}")
            elif who == "first" and not any(same_speaker(o, c) for o in near):
                other = quote(near[0]["speakers"][0] if near[0]["speakers"] else None, 30)
                out.append(f"{first.doc} claim speaker differs: first {speaker}, second "
                           f"{other}, content {quote(c['content'])}")
    return out


METRICS = ("trigger_type", "trigger_type_overlap", "argument_role", "modality_of_paired",
           "speaker_content", "content")


def format_agreement(result: dict[str, Any]) -> str:
    """A plain-text table: F1 per comparison, language and metric."""
    lines = [f"{result['documents']} documents, {result['sentences']} sentences: F1 "
             "(the first annotation, or the later-named one, as gold)",
             f"{'comparison':<17}{'lang':<5}" + "".join(f"{m[:22]:>23}" for m in METRICS)]
    for name, per_lang in result["scores"].items():
        for lang, per in per_lang.items():
            lines.append(f"{name:<17}{lang:<5}" + "".join(
                f"{per[m]['f']:>14.3f} ({per[m]['gold']:>4})" if m in per else f"{'':>23}"
                for m in METRICS))
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", action="store_true",
                    help="also score the shipped stages against each annotation")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--list", action="store_true",
                    help="list what the two annotations do not share, document by document")
    a = ap.parse_args()
    if a.list:
        for first, second in paired_documents():
            for line in disagreements(first, second):
                print(line)
        return
    result = agreement(a.model)
    print(json.dumps(result, indent=1) if a.json else format_agreement(result))


if __name__ == "__main__":
    main()
