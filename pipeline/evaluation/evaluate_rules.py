"""What each rule of the ``ner_rules`` stage is worth on the NER dev sets (issue 12, item 5).

    python -m pipeline.evaluation.evaluate_rules --out rules.json            # every dev set of the card
    python -m pipeline.evaluation.evaluate_rules --sets "bg ryanair" "en uner dev"

Each dev set goes through `lintas evaluate ner`'s path (`pipeline.evaluation.evaluate`: the run's stages
up to the entities, language forced, the default NER backends) once up to the ``ner``
stage; then the ``ner_rules`` and ``entities`` stages run on a copy of every document for
each configuration: no rules, the shipped configuration (each language's ``ner_rules_off``
honoured), every rule (none turned off), and every rule but one, for each rule. A rule's
effect is the F1 of every rule minus that of every rule but it, so that a rule a language
turns off is measured there too. The model card's table is made from ``--out``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.evaluation.evaluate import SENTENCES_PER_DOC, as_documents, scores, tally
from pipeline.lexicon.lexicons import models_dir
from pipeline.training.ner_data import LABELS, read_examples
from pipeline.stages.ner_rule_stage import RULES, NerRules

NONE, SHIPPED, ALL = "no rules", "shipped", "all rules"
# the sets of the NER card's table beside those of the recipe: NERP valid lists unrelated
# sentences, read one per document as the card reads it
EXTRA_SETS = [{"name": "id nerp valid", "path": "id/nerp/valid_preprocess.txt", "lang": "id",
               "sentences_per_doc": 1}]


def card_sets(recipe: Path | None = None) -> list[dict[str, Any]]:
    """The dev sets of the shipped recipe (``models/ner-xx/train.json``) and `EXTRA_SETS`,
    with paths made absolute."""
    recipe = recipe or models_dir() / "ner-xx" / "train.json"
    cfg = json.loads(recipe.read_text(encoding="utf-8"))
    root = (models_dir().parent / cfg["data_root"]).resolve()
    return [{**s, "path": str(root / s["path"])} for s in [*cfg["dev"], *EXTRA_SETS]]


def configurations() -> dict[str, NerRules | None]:
    """Name -> the ``ner_rules`` stage of that configuration (None: no rules)."""
    out: dict[str, NerRules | None] = {NONE: None, SHIPPED: NerRules(),
                                       ALL: NerRules(language_offs=False)}
    for name in RULES:
        out[f"-{name}"] = NerRules(skip_rules=(name,), language_offs=False)
    return out


def ablate(lang: str, path: str, sentences_per_doc: int = SENTENCES_PER_DOC) -> dict[str, Any]:
    """Overall and per-label scores of every configuration (`configurations`) on one dev
    set, the NER backends run once."""
    stages = DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1]
    nlp = build_pipeline(PipelineConfig(stages=stages))
    at = nlp.names.index("ner_rules")
    before, after = nlp.stages[:at], nlp.stages[at + 1:]
    configs = configurations()
    counts: dict[str, dict[str, Counter]] = {c: {lab: Counter() for lab in LABELS}
                                             for c in configs}
    docs = as_documents(read_examples(path, lang), lang, sentences_per_doc)
    for doc, gold in docs:
        read: Document = doc
        for stage in before:
            read = stage(read)
        for name, rules in configs.items():
            d = copy.deepcopy(read)
            for stage in ([rules] if rules is not None else []) + after:
                d = stage(d)
            tally(counts[name], gold, d.mentions)
    out: dict[str, Any] = {}
    for name, per in counts.items():
        per_label, overall = scores(per)
        out[name] = {"overall": overall, "per_label": per_label}
    return out


def effects(result: dict[str, Any]) -> dict[str, float]:
    """F1 points each rule adds on one set: every rule minus every rule but it."""
    full = result[ALL]["overall"]["f"]
    return {name: round(100 * (full - result[f"-{name}"]["overall"]["f"]), 2) for name in RULES}


def markdown(results: dict[str, dict[str, Any]]) -> str:
    """Two tables: F1 of no rules / shipped / all rules per set, and each rule's effect."""
    sets = list(results)
    lines = ["| dev set | no rules | shipped | every rule |", "|---|---|---|---|"]
    for s in sets:
        r = results[s]
        lines.append(f"| {s} | {r[NONE]['overall']['f']:.3f} | {r[SHIPPED]['overall']['f']:.3f}"
                     f" | {r[ALL]['overall']['f']:.3f} |")
    lines += ["", "| rule | " + " | ".join(sets) + " |", "|---" * (len(sets) + 1) + "|"]
    eff = {s: effects(results[s]) for s in sets}
    for name in RULES:
        cells = [f"{eff[s][name]:+.2f}" if eff[s][name] else "·" for s in sets]
        lines.append(f"| `{name}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", nargs="*", help="names of the card's dev sets (default: all)")
    ap.add_argument("--out", type=Path, help="write the scores as JSON here")
    a = ap.parse_args(argv)
    sets = [s for s in card_sets() if not a.sets or s["name"] in a.sets]
    results: dict[str, Any] = {}
    for s in sets:
        started = time.time()
        results[s["name"]] = ablate(s["lang"], s["path"],
                                    s.get("sentences_per_doc", SENTENCES_PER_DOC))
        print(f"{s['name']}: shipped {results[s['name']][SHIPPED]['overall']['f']:.4f} "
              f"({time.time() - started:.0f} s)", file=sys.stderr, flush=True)
        if a.out:
            a.out.write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(markdown(results))


if __name__ == "__main__":
    main()
