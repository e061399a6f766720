"""`lintas evaluate align`: how well English spans map back to a translation's source, on
NTREX-128 (issue 17, step 4).

NTREX's newstest2019 has English source sentences and their human translations into
Indonesian and Bulgarian, line by line. Read the other way round, each line is a sentence
(Indonesian or Bulgarian) and its English translation, written by people, so the
alignment step is measured without any machine translation model:

- lintas' NER (the default backends, language forced) reads the English side;
- each English name is mapped into the other side (`pipeline.text.align.map_spans`);
- lintas' NER reads the other side too, and its mentions are what the mapped spans are
  compared with: precision is the share of mapped spans that are exactly one of them,
  recall the share of them that a mapped span hits exactly.

The reference is lintas' own NER of that language, not a gold annotation: both figures
count agreement, and an NER error on either side counts against the alignment.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from pipeline.text.align import identity_spans, map_spans, mention_key
from pipeline.backends.mt_ntrex import FILES
from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.evaluation.evaluate import prf
from pipeline.training.ner_data import LABELS
from pipeline.stages.ner_stage import STATES

NTREX = FILES  # NTREX-128's line-aligned files, by language


def ntrex_pairs(folder: Path, lang: str, limit: int | None = None,
                half: str | None = None) -> list[tuple[str, str]]:
    """``(source sentence, English sentence)`` pairs of NTREX's line-aligned files, blank
    lines skipped (``half``: "first" or "second", the lines before or from the middle line;
    ``limit``: the first N of them)."""
    src = (folder / NTREX[lang]).read_text(encoding="utf-8").splitlines()
    eng = (folder / NTREX["en"]).read_text(encoding="utf-8").splitlines()
    if len(src) != len(eng):
        raise ValueError(f"{folder / NTREX[lang]}: {len(src)} lines, English has {len(eng)}")
    middle = len(src) // 2
    rows = {"first": range(middle), "second": range(middle, len(src))}.get(half or "", range(len(src)))
    pairs = [(src[i].strip(), eng[i].strip()) for i in rows if src[i].strip() and eng[i].strip()]
    return pairs[:limit] if limit else pairs


def _read(nlp: Any, texts: list[str], lang: str, batch: int = 16) -> list[Document]:
    docs = [Document(doc_id=f"{lang}{i}", source="ntrex", text=t, lang_hint=lang)
            for i, t in enumerate(texts)]
    out: list[Document] = []
    for k in range(0, len(docs), batch):
        part = docs[k:k + batch]
        for stage in nlp.stages:
            part = stage.pipe(part) if hasattr(stage, "pipe") else [stage(d) for d in part]
        out.extend(part)
    return out


def evaluate_alignment(lang: str, folder: Path, limit: int | None = None,
                       half: str | None = None, model: Path | None = None) -> dict[str, Any]:
    """Precision and recall of English names mapped into ``lang`` (see the module);
    ``half``, ``limit``: which pairs (`ntrex_pairs`); ``model``: another NER model folder
    (its ``hidden_layer`` gives the states compared)."""
    stages = DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1]
    options = {"transformer": {"model_dir": str(model)}} if model else {}
    nlp = build_pipeline(PipelineConfig(stages=stages, ner_options=options))
    for stage in nlp.stages:
        if stage.name == "ner":
            stage.keep_states = True
    pairs = ntrex_pairs(folder, lang, limit, half)
    started = time.perf_counter()
    src_docs = _read(nlp, [s for s, _ in pairs], lang)
    eng_docs = _read(nlp, [e for _, e in pairs], "en")
    counts: Counter[str] = Counter()
    by_how: Counter[str] = Counter()
    hit_how: Counter[str] = Counter()
    layer = None
    for sd, ed in zip(src_docs, eng_docs):
        eng = [m for m in ed.mentions if m.label in LABELS]
        src = {(m.start, m.end): m.label for m in sd.mentions if m.label in LABELS}
        sst, est = sd.cache.get(STATES), ed.cache.get(STATES)
        if sst is None or est is None:
            counts["no_states"] += 1
            continue
        layer = sst.layers[0]
        mapped = map_spans([(m.start, m.end, mention_key(m)) for m in eng], ed.text, est.enc,
                           est.of(layer), sd.text, sst.enc, sst.of(layer),
                           identity_spans(sd.mentions))
        counts["english"] += len(eng)
        counts["source"] += len(src)
        got = {}
        for m, mp in zip(eng, mapped):
            if mp is None:
                continue
            got[(mp.start, mp.end)] = m.label
            by_how[mp.how] += 1
            if (mp.start, mp.end) in src:
                hit_how[mp.how] += 1
        counts["mapped"] += len(got)
        counts["tp"] += sum(1 for span in got if span in src)
        counts["tp_label"] += sum(1 for span, lab in got.items() if src.get(span) == lab)
        counts["overlap"] += sum(1 for (a, b) in got if any(a < e and s < b for s, e in src))
    seconds = time.perf_counter() - started
    exact = prf(counts["tp"], counts["mapped"] - counts["tp"], counts["source"] - counts["tp"])
    labelled = prf(counts["tp_label"], counts["mapped"] - counts["tp_label"],
                   counts["source"] - counts["tp_label"])
    return {"lang": lang, "pairs": len(pairs) - counts["no_states"],
            "skipped_without_states": counts["no_states"], "layer": layer, "english_names": counts["english"],
            "source_names": counts["source"], "mapped": counts["mapped"],
            "exact": exact, "exact_and_label": labelled,
            "overlap_precision": round(counts["overlap"] / counts["mapped"], 4)
            if counts["mapped"] else 0.0,
            "by_step": {how: {"mapped": n, "exact": hit_how[how],
                              "precision": round(hit_how[how] / n, 4)}
                        for how, n in sorted(by_how.items())},
            "seconds": round(seconds, 1)}


def format_alignment(r: dict[str, Any]) -> str:
    """A plain-text summary of `evaluate_alignment`."""
    lines = [f"{r['lang']}: {r['pairs']} sentence pairs (encoder layer {r['layer']}), "
             f"{r['english_names']} English names, {r['source_names']} names in the "
             f"{r['lang']} sentences, {r['mapped']} source spans mapped to",
             f"  exact span:           P {r['exact']['p']:.3f}  R {r['exact']['r']:.3f}  "
             f"F1 {r['exact']['f']:.3f}",
             f"  exact span and label: P {r['exact_and_label']['p']:.3f}  "
             f"R {r['exact_and_label']['r']:.3f}  F1 {r['exact_and_label']['f']:.3f}",
             f"  overlapping a name:   P {r['overlap_precision']:.3f}"]
    for how, s in r["by_step"].items():
        lines.append(f"  by {how:<10} {s['mapped']:>6} English names mapped, precision "
                     f"{s['precision']:.3f}")
    if r["skipped_without_states"]:
        lines.append(f"  {r['skipped_without_states']} pairs skipped: no encoder states")
    return "\n".join(lines)
