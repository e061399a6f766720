"""`lintas train ner`: train a spaCy NER model from the raw shared data files.

The training material is converted to spaCy's binary format in a temporary folder (never
into the repository), tokenized the way `lintas run` tokenizes when the format has no
tokens of its own (SlavicNER), and trained with the config file kept next to the model
(``models/ner-LANG/train.cfg``) and a fixed seed. The best checkpoint on the dev files is
copied to ``--out`` with a ``training.json`` that records the data, the seed and the
scores.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from pipeline.training.ner_data import NerExample, parse_weighted, read_examples, split_lines
from pipeline.text.blank import blank_pipeline
from pipeline.text.spacy_util import doc_from_words


MODEL_VERSION = "0.1.0"


def examples_to_docs(examples: list[NerExample], lang: str) -> tuple[list[Any], int]:
    """spaCy Docs with gold entities; returns them and how many spans could not be aligned.

    Overlapping gold spans (nested names) keep the longest; a span that does not fall on
    token boundaries is widened to them (SlavicNER offsets against lintas' tokens).
    """
    from spacy.tokens import Doc

    nlp = blank_pipeline(lang)
    docs = []
    dropped = 0
    for ex in examples:
        doc: Doc = doc_from_words(nlp.vocab, ex.words) if ex.words else nlp.make_doc(ex.text)
        if not ex.words:
            # strip whitespace tokens: lintas never shows them to the model
            words = [t.text for t in doc if not t.is_space]
            ws = [t for t in doc if not t.is_space]
            offsets = [(t.idx, t.idx + len(t.text)) for t in ws]
            doc = doc_from_words(nlp.vocab, words)
            spans = _remap(ex.spans, offsets, doc)
        else:
            spans = [doc.char_span(s, e, label=lab, alignment_mode="expand")
                     for s, e, lab in ex.spans]
        ents = []
        taken: set[int] = set()
        for span in sorted((s for s in spans if s is not None), key=lambda s: -len(s)):
            if taken.isdisjoint(range(span.start, span.end)):
                ents.append(span)
                taken.update(range(span.start, span.end))
        dropped += sum(1 for s in spans if s is None) + (len([s for s in spans if s]) - len(ents))
        doc.ents = sorted(ents, key=lambda s: s.start)
        docs.append(doc)
    return docs, dropped


def _remap(spans: list[tuple[int, int, str]], offsets: list[tuple[int, int]], doc: Any) -> list[Any]:
    """Character spans of the original text -> token spans of ``doc`` (built from tokens)."""
    import bisect

    from spacy.tokens import Span

    starts = [s for s, _ in offsets]
    out = []
    for s, e, label in spans:
        i = max(0, bisect.bisect_right(starts, s) - 1)
        if offsets[i][1] <= s:
            i += 1
        j = bisect.bisect_left(starts, e)  # tokens that start before the span's end
        out.append(Span(doc, i, j, label=label) if i < j else None)
    return out


def write_docbin(docs: list[Any], path: Path) -> None:
    """Save ``docs`` as a spaCy DocBin."""
    from spacy.tokens import DocBin

    db = DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], docs=docs)
    db.to_disk(path)


def _digest(paths: list[str]) -> str:
    h = hashlib.sha256()
    for p in sorted(parse_weighted(spec)[0] for spec in paths):
        for f in sorted(Path(p).rglob("*")) if Path(p).is_dir() else [Path(p)]:
            if f.is_file():
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def _pretraining_record(weights: Path | None) -> dict[str, Any] | None:
    """What the pretrained weights were made from (their folder's pretraining.json)."""
    if weights is None:
        return None
    info = weights.parent / "pretraining.json"
    record = json.loads(info.read_text(encoding="utf-8")) if info.exists() else {}
    return {"weights": weights.name, **record}


def _load_with_lintas_tokens(config_path: Path) -> None:
    """Make the saved model tokenize raw text as lintas does (`LintasTokenizer`).

    Training reads pre-tokenized examples, joined by single spaces, so the training config
    splits on whitespace; a model loaded on its own (``spacy.load``) gets raw text and
    needs lintas' tokenizer to see the tokens it was trained on.
    """
    from spacy.util import load_config

    config = load_config(config_path, interpolate=False)
    config["nlp"]["tokenizer"] = {"@tokenizers": "lintas.Tokenizer.v1"}
    config.to_disk(config_path)


def train_ner(lang: str, data: list[str], dev: list[str], out: Path, config: Path,
              seed: int = 0, max_steps: int | None = None,
              init_tok2vec: Path | None = None) -> dict[str, Any]:
    """Train a NER model for ``lang`` and save it to ``out``; returns the training record."""
    import spacy
    from spacy.cli.train import train as spacy_train

    started = time.time()
    train_ex = []
    for spec in data:
        path, times = parse_weighted(spec)
        # Documents (SlavicNER) are cut into paragraphs: more, smaller updates.
        found = [part for ex in read_examples(path, lang)
                 for part in (split_lines(ex) if not ex.words else [ex])]
        train_ex.extend(found * times)
    dev_ex = [ex for p in dev for ex in read_examples(p, lang)]
    with tempfile.TemporaryDirectory(prefix="lintas-train-") as tmp:
        tmpdir = Path(tmp)
        train_docs, train_dropped = examples_to_docs(train_ex, lang)
        dev_docs, dev_dropped = examples_to_docs(dev_ex, lang)
        write_docbin(train_docs, tmpdir / "train.spacy")
        write_docbin(dev_docs, tmpdir / "dev.spacy")
        overrides = {"paths.train": str(tmpdir / "train.spacy"),
                     "paths.dev": str(tmpdir / "dev.spacy"),
                     "system.seed": seed, "nlp.lang": lang}
        if max_steps is not None:
            overrides["training.max_steps"] = max_steps
        if init_tok2vec is not None:
            overrides["paths.init_tok2vec"] = str(init_tok2vec)
        spacy_train(config, tmpdir / "output", overrides=overrides, use_gpu=-1)
        best = tmpdir / "output" / "model-best"
        meta = json.loads((best / "meta.json").read_text(encoding="utf-8"))
        if out.exists():
            for child in ("tok2vec", "ner", "vocab", "tokenizer", "config.cfg", "meta.json"):
                target = out / child
                if target.is_dir():
                    shutil.rmtree(target)
                elif target.exists():
                    target.unlink()
        out.mkdir(parents=True, exist_ok=True)
        for child in best.iterdir():
            dest = out / child.name
            if child.is_dir():
                shutil.copytree(child, dest)
            else:
                shutil.copy2(child, dest)
    _load_with_lintas_tokens(out / "config.cfg")
    meta.update({"name": f"ner_{lang}", "version": MODEL_VERSION,
                 "description": f"lintas NER for {lang}: PER, ORG, LOC", "license": "see README.md"})
    (out / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")
    record = {
        "lang": lang,
        "seed": seed,
        "config": str(config),
        "train_files": data,
        "dev_files": dev,
        "data_sha256_16": _digest(data + dev),
        "init_tok2vec": _pretraining_record(init_tok2vec),
        "train_docs": len(train_docs),
        "train_spans_dropped": train_dropped,
        "dev_docs": len(dev_docs),
        "dev_spans_dropped": dev_dropped,
        "spacy": spacy.__version__,
        "dev_scores_at_best_checkpoint": {
            k: meta.get("performance", {}).get(k)
            for k in ("ents_f", "ents_p", "ents_r", "ents_per_type")},
        "minutes": round((time.time() - started) / 60, 1),
    }
    (out / "training.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                       encoding="utf-8")
    return record
