"""Speed benchmark: `lintas run` words/s and peak memory against the bare spaCy model.

For each language with a shipped model, a corpus of at least `MIN_BYTES` is made by repeating
the sample articles in that language and dev texts (NERGrit valid for Indonesian, the
SlavicNER ryanair topic for Bulgarian, read from the shared data folder when present). Then,
in one process and on the same documents:

- bare: the spaCy NER model alone, ``nlp.pipe`` over the texts with its own tokenizer,
  which splits raw text as lintas does (the ratios' base); and, for reference, on
  whitespace-split words (fewer tokens, no tokenizer rules);
- lintas, to entities: `lintas run`'s path with the stages up to the entities (read, clean,
  language ID, segment, NER with rules and propagation, gazetteer, records, schema
  validation, JSON writing): the NER pipeline whose overhead the ratio measures;
- lintas, all stages: the same plus relations, events and claims, as `lintas run` runs;
  each after one warm-up document so that loading is not counted (it is reported apart).

With ``vote`` (`lintas benchmark speed --vote`) lintas runs with `lintas run --vote`, and the
bare pass runs every model of the vote (the model and its ``members/``), one after the other.

Words are whitespace-separated words of the corpus, the same count for all; each speed is
the best of `REPEATS` passes, the four kinds of pass taking turns. Peak memory
is that of a separate `lintas run` process over the same corpus. Run it with
``lintas benchmark speed``.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.core import DEFAULT_STAGES
from pipeline.lexicon.lexicons import data_dir

MIN_BYTES = 1_000_000
# Each speed is the best of this many passes: the machine's own noise is several percent.
REPEATS = 3
HERE = Path(__file__).resolve().parent
SEEDS = HERE.parent.parent / "seeds"


def corpus_texts(lang: str) -> list[str]:
    """Documents in ``lang``: seed articles and dev texts, repeated to `MIN_BYTES`."""
    from pipeline.stages.langid import identify
    from pipeline.training.ner_data import read_examples

    base: list[str] = []
    if SEEDS.is_dir():
        for f in sorted(SEEDS.glob("*.txt")):
            text = f.read_text(encoding="utf-8")
            if identify(text)[0] == lang:
                base.append(text)
    ner = data_dir() / "ner"
    dev = {"id": ner / "id" / "nergrit" / "valid_preprocess.txt",
           "bg": ner / "bg" / "slavicner" / "ner" / "ryanair",
           "ru": ner / "xx" / "slavicner" / "ner" / "ryanair",
           "en": ner / "xx" / "uner" / "en_ewt" / "en_ewt-ud-dev.iob2"}.get(lang)
    if dev is not None and dev.exists():
        examples = read_examples(dev, lang)
        if examples and examples[0].words:  # sentences: 30 to an article
            for i in range(0, len(examples), 30):
                base.append("\n".join(e.text for e in examples[i:i + 30]))
        else:
            base.extend(e.text for e in examples)
    if not base:
        return []
    out: list[str] = []
    size = 0
    while size < MIN_BYTES:
        for text in base:
            out.append(text)
            size += len(text.encode("utf-8"))
    return out


@contextmanager
def corpus_folder(texts: list[str]) -> Iterator[Path]:
    """A temporary folder holding ``texts`` as ``0000.txt``, ``0001.txt`` …"""
    with tempfile.TemporaryDirectory(prefix="lintas-bench-") as tmp:
        folder = Path(tmp)
        for i, text in enumerate(texts):
            (folder / f"{i:04d}.txt").write_text(text, encoding="utf-8")
        yield folder


def model_folders(lang: str, vote: bool = False) -> list[Path]:
    """The shipped model folder for ``lang``, and with ``vote`` its members."""
    from pipeline.backends.ner_spacy import member_folders
    from pipeline.lexicon.lexicons import models_dir

    path = models_dir() / f"ner-{lang}"
    return [path, *(member_folders(path) if vote else [])]


def bare_pass(lang: str, texts: list[str], whitespace: bool = False,
              vote: bool = False) -> Callable[[], None]:
    """One pass of the shipped spaCy model alone over ``texts``, loaded and warmed up: with
    its own tokenizer (lintas' rules), or on whitespace-split words (``whitespace``; fewer
    tokens and no rules, the base earlier versions of this benchmark compared against).
    With ``vote``, every model of the vote runs over ``texts`` in turn."""
    import spacy

    from pipeline.text import spacy_util

    nlps = [spacy.load(path) for path in model_folders(lang, vote)]
    for nlp in nlps:
        if whitespace:
            nlp.tokenizer = spacy_util.WhitespaceTokenizer(nlp.vocab)
        list(nlp.pipe(texts[:2]))

    def one_pass() -> None:
        for nlp in nlps:
            for _doc in nlp.pipe(texts, batch_size=64):
                pass

    return one_pass


# the stages up to and including the entities: the NER path whose overhead is measured
NER_STAGES = DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1]


def lintas_pass(folder: Path, stages: tuple[str, ...] | None = None,
                vote: bool = False) -> tuple[Callable[[], None], float]:
    """One pass of `lintas run` (all stages, or ``stages``; with ``vote``, `--vote`) over
    the files in ``folder``, after a first document that loads everything; and the load
    seconds."""
    from pipeline.core.core import PipelineConfig
    from pipeline.core.runner import run

    config = PipelineConfig(**({"stages": stages} if stages else {}),
                            ner_backends=("spacy", "gazetteer"),
                            ner_options={"spacy": {"vote": True}} if vote else {})
    t0 = time.perf_counter()
    run([str(folder / "0000.txt")], io.StringIO(), progress=False, config=config)  # loads all
    load = time.perf_counter() - t0

    def one_pass() -> None:
        summary = run([str(folder)], io.StringIO(), progress=False, config=config)
        assert summary.errors == 0, summary.line()

    return one_pass, load


def best_seconds(passes: dict[str, Callable[[], None]],
                 repeats: int = REPEATS) -> dict[str, float]:
    """The fastest of ``repeats`` timed calls of each pass. The passes take turns, so that
    the machine's drift (10-25% on the development VM) falls on all of them alike rather
    than on whichever ran last."""
    best = {name: float("inf") for name in passes}
    for _ in range(repeats):
        for name, one_pass in passes.items():
            t0 = time.perf_counter()
            one_pass()
            best[name] = min(best[name], time.perf_counter() - t0)
    return best


_PEAK_CHILD = """
import os, sys
import cli
sys.argv = ["lintas", "run", *sys.argv[1:], "-o", os.devnull]
try:
    cli.main()
except SystemExit as exc:
    if exc.code:
        raise
with open("/proc/self/status") as fh:
    print(next(line.split()[1] for line in fh if line.startswith("VmHWM")))
"""


def peak_mb(folder: Path, vote: bool = False, args: list[str] | None = None) -> float:
    """Peak resident memory of a `lintas run` process over ``folder`` (more ``args``).

    Read from the process's own VmHWM (Linux): getrusage's maxrss of a child also counts
    what the forked child shared with this (large) benchmark process before exec.
    """
    args = [str(folder), *(["--vote"] if vote else []),
            *(args or ["--ner", "spacy,gazetteer"])]
    proc = subprocess.run([sys.executable, "-c", _PEAK_CHILD, *args], check=True,
                          capture_output=True, text=True, cwd=HERE.parent.parent)
    return int(proc.stdout.strip().splitlines()[-1]) / 1024


def measure(lang: str, vote: bool = False) -> dict[str, object] | None:
    """Figures for ``lang`` (None when there is no corpus for it); ``vote``: `--vote`."""
    texts = corpus_texts(lang)
    if not texts:
        return None
    with corpus_folder(texts) as folder:
        ner, load = lintas_pass(folder, NER_STAGES, vote)  # loads the models
        full, _ = lintas_pass(folder, vote=vote)
        seconds = best_seconds({"bare": bare_pass(lang, texts, vote=vote),
                                "bare_ws": bare_pass(lang, texts, whitespace=True, vote=vote),
                                "ner": ner, "all": full})
        mem = peak_mb(folder, vote)
    size = sum(len(t.encode("utf-8")) for t in texts)
    words = sum(len(t.split()) for t in texts)
    speed = {name: words / sec for name, sec in seconds.items()}
    return {"lang": lang, "models": len(model_folders(lang, vote)), "documents": len(texts), "mb": round(size / 1e6, 2),
            "words": words, "bare_words_per_s": round(speed["bare"]),
            "bare_whitespace_words_per_s": round(speed["bare_ws"]),
            "ner_words_per_s": round(speed["ner"]),
            "ner_ratio": round(speed["ner"] / speed["bare"], 2),
            "lintas_words_per_s": round(speed["all"]),
            "ratio": round(speed["all"] / speed["bare"], 2),
            "load_s": round(load, 1), "peak_mb": round(mem)}


def main(langs: list[str] | None = None, vote: bool = False) -> None:
    """Print the speed table (one row per language); ``vote``: lintas with `--vote`."""
    rows = [r for r in (measure(lang, vote) for lang in (langs or ["id", "bg"])) if r]
    print("| lang | models | documents | MB | words | bare model words/s | (on whitespace-split words) "
          "| lintas run to entities words/s | ratio | lintas run, all stages, words/s | ratio "
          "| load s | peak MB |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['lang']} | {r['models']} | {r['documents']} | {r['mb']} | {r['words']} | "
              f"{r['bare_words_per_s']} | {r['bare_whitespace_words_per_s']} | "
              f"{r['ner_words_per_s']} | {r['ner_ratio']} | "
              f"{r['lintas_words_per_s']} | {r['ratio']} | {r['load_s']} | {r['peak_mb']} |")
    print(json.dumps(rows), file=sys.stderr)
