"""Speed benchmark of the multilingual transformer path, with the spaCy path beside it.

``lintas benchmark speed --ner transformer`` builds the same corpora as the spaCy benchmark
(`pipeline.benchmarks.speed.corpus_texts`: sample articles and dev texts repeated to about
1 MB per language) and measures, on the same documents:

- bare: the exported model alone (tokenizing, windows, onnxruntime, spans), one process
  with the machine's cores as threads: the ratios' base;
- lintas, to entities, and lintas, all stages: `lintas run` with ``--workers N`` (default 2,
  one per core) and the transformer + gazetteer NER, after a warm-up run that loads
  everything (load time reported apart);
- spaCy, all stages: `lintas run --ner spacy,gazetteer` with the same workers, for the
  languages that have a spaCy model (id, bg);
- peak memory of one `lintas run` process (what each worker holds).

Each speed is the best of ``repeats`` passes, the passes taking turns.
"""

from __future__ import annotations

import io
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.core.core import DEFAULT_STAGES, PipelineConfig
from pipeline.benchmarks.speed import NER_STAGES, best_seconds, corpus_folder, corpus_texts, peak_mb

TRANSFORMER = ("transformer", "gazetteer")
SPACY = ("spacy", "gazetteer")


def bare_pass(texts: list[str]) -> Callable[[], None]:
    """One pass of the exported model alone over ``texts`` (loaded and warmed up)."""
    from pipeline.backends.ner_transformer import TransformerNer

    enc = TransformerNer().encoder
    enc.spans(texts[:2])

    def one_pass() -> None:
        for i in range(0, len(texts), 16):  # as the runner hands them over: 16 at a time
            enc.spans(texts[i:i + 16])

    return one_pass


def run_pass(folder: Path, backends: tuple[str, ...], workers: int,
             stages: tuple[str, ...] = DEFAULT_STAGES) -> tuple[Callable[[], None], float]:
    """One `lintas run` pass over ``folder``, and the seconds a first run took to load."""
    from pipeline.core.runner import run

    config = PipelineConfig(stages=stages, ner_backends=backends)
    t0 = time.perf_counter()
    run([str(folder / "0000.txt")], io.StringIO(), progress=False, config=config)
    load = time.perf_counter() - t0

    def one_pass() -> None:
        summary = run([str(folder)], io.StringIO(), progress=False, config=config,
                      workers=workers)
        assert summary.errors == 0, summary.line()

    return one_pass, load


def measure(lang: str, workers: int = 2, repeats: int = 1) -> dict[str, object] | None:
    """Figures for ``lang`` (None without a corpus)."""
    from pipeline.backends.ner_spacy import SpacyNer

    texts = corpus_texts(lang)
    if not texts:
        return None
    with corpus_folder(texts) as folder:
        ner, load = run_pass(folder, TRANSFORMER, workers, NER_STAGES)
        full, _ = run_pass(folder, TRANSFORMER, workers)
        passes = {"bare": bare_pass(texts), "ner": ner, "all": full}
        if SpacyNer().supports(lang):
            passes["spacy"] = run_pass(folder, SPACY, workers)[0]
        seconds = best_seconds(passes, repeats)
        mem = peak_mb(folder, args=["--ner", ",".join(TRANSFORMER)])
    words = sum(len(t.split()) for t in texts)
    speed = {name: words / sec for name, sec in seconds.items()}
    return {"lang": lang, "documents": len(texts),
            "mb": round(sum(len(t.encode("utf-8")) for t in texts) / 1e6, 2), "words": words,
            "workers": workers, "bare_words_per_s": round(speed["bare"]),
            "ner_words_per_s": round(speed["ner"]), "ner_ratio": round(speed["ner"] / speed["bare"], 2),
            "lintas_words_per_s": round(speed["all"]), "ratio": round(speed["all"] / speed["bare"], 2),
            "spacy_words_per_s": round(speed["spacy"]) if "spacy" in speed else None,
            "load_s": round(load, 1), "peak_mb": round(mem)}


def main(langs: list[str] | None = None, workers: int = 2, repeats: int = 1) -> None:
    """Print the transformer speed table (one row per language)."""
    rows = [r for r in (measure(lang, workers, repeats)
                        for lang in (langs or ["id", "bg", "ru", "en"])) if r]
    print("| lang | documents | MB | words | bare model words/s | lintas run to entities "
          f"words/s ({workers} workers) | ratio | lintas run, all stages, words/s | ratio "
          "| spaCy path, all stages, words/s | load s | peak MB per process |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        spacy = r["spacy_words_per_s"] if r["spacy_words_per_s"] is not None else "-"
        print(f"| {r['lang']} | {r['documents']} | {r['mb']} | {r['words']} | "
              f"{r['bare_words_per_s']} | {r['ner_words_per_s']} | {r['ner_ratio']} | "
              f"{r['lintas_words_per_s']} | {r['ratio']} | {spacy} | {r['load_s']} | "
              f"{r['peak_mb']} |")
    print(json.dumps(rows), file=sys.stderr)
