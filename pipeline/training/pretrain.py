"""`lintas pretrain`: pretrain a NER model's tok2vec on raw text (spaCy's characters objective).

The tok2vec (hash embeddings and CNN) learns to predict the first and last characters of
each word from its context, on raw news text that has no entity labels. `lintas train ner
--init-tok2vec WEIGHTS` then starts from these weights instead of random ones, which helps
a model trained on a few thousand labelled sentences.

Raw text is read from the files as their publishers released them:

- a folder: every ``*.txt`` below it, one text per non-empty line (SlavicNER's ``raw/``);
- a ``.conllu`` file: its ``# text =`` lines;
- a file whose lines are ``token<TAB>tag`` with blank lines between sentences (nlp-id's
  POS corpus, the NER training files): one sentence per block, tags ignored;
- any other file: one text per non-empty line (WikiANN's ``bg:`` prefixes are dropped).

Sentences that also occur in an ``--exclude`` file (the dev sets) are left out, so that no
evaluation sentence is ever seen, even unlabelled.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.training.ner_data import parse_weighted
from pipeline.text.blank import blank_pipeline
from pipeline.core.errors import PipelineConfigError


_PREFIX = re.compile(r"^[a-z]{2,3}:(?=\S)")
_SPACES = re.compile(r"\s+")


def _token_blocks(lines: list[str]) -> Iterator[str]:
    """Sentences of a token-per-line file: first column joined with spaces."""
    words: list[str] = []
    for line in lines:
        if not line.strip() or line.startswith("-DOCSTART-"):
            if words:
                yield " ".join(words)
            words = []
            continue
        words.append(_PREFIX.sub("", line.split("\t")[0].split(" ")[0]))
    if words:
        yield " ".join(words)


_TAG = re.compile(r"^(?:O|[BIES]-[A-Za-z]+|[A-Z][A-Z$-]*)$")


def _is_token_per_line(lines: list[str]) -> bool:
    """True when the first lines are all ``token TAG`` or ``token TAG TAG`` rows."""
    sample = [line.split() for line in lines[:200] if line.strip()][:20]
    return bool(sample) and all(2 <= len(row) <= 3 and _TAG.match(row[-1]) for row in sample)


def raw_texts(path: Path) -> Iterator[str]:
    """The raw texts of ``path`` (see the module docstring for the formats)."""
    if path.is_dir():
        for f in sorted(path.rglob("*.txt")):
            yield from (line.strip() for line in
                        f.read_text(encoding="utf-8", errors="replace").splitlines()
                        if line.strip())
        return
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    if path.suffix == ".conllu":
        yield from (line[len("# text ="):].strip() for line in lines
                    if line.startswith("# text ="))
        return
    if _is_token_per_line(lines):
        yield from _token_blocks(lines)
    else:
        yield from (_PREFIX.sub("", line).strip() for line in lines if line.strip())


def _key(text: str) -> str:
    """Comparison key for excluding dev sentences whatever their tokenization."""
    return _SPACES.sub("", text).lower()


def write_corpus(specs: list[str], exclude: list[str], lang: str, out: Path) -> dict[str, int]:
    """Tokenize the raw texts as `lintas run` does and write spaCy's JSONL corpus to ``out``."""
    banned = {_key(t) for p in exclude for t in raw_texts(Path(p))}
    nlp = blank_pipeline(lang)
    seen: set[str] = set()
    counts = {"texts": 0, "words": 0, "excluded": 0, "duplicates": 0}
    with out.open("w", encoding="utf-8") as fh:
        for spec in specs:
            path, times = parse_weighted(spec)
            texts = []
            for text in raw_texts(Path(path)):
                key = _key(text)
                if key in banned:
                    counts["excluded"] += 1
                    continue
                if key in seen:
                    counts["duplicates"] += 1
                    continue
                seen.add(key)
                texts.append(text)
            for doc in nlp.tokenizer.pipe(texts, batch_size=256):
                words = [t.text for t in doc if not t.is_space]
                if not words:
                    continue
                line = json.dumps({"text": " ".join(words)}, ensure_ascii=False) + "\n"
                for _ in range(times):
                    fh.write(line)
                    counts["texts"] += 1
                    counts["words"] += len(words)
    return counts


def pretrain_tok2vec(lang: str, texts: list[str], exclude: list[str], config: Path, out: Path,
                     epochs: int, seed: int = 0) -> dict[str, Any]:
    """Pretrain the tok2vec of ``config`` on ``texts``; weights go to ``out/model-last.bin``."""
    from spacy.training.pretrain import pretrain
    from spacy.util import load_config

    from pipeline.text import spacy_util  # noqa: F401 - registers lintas.WhitespaceTokenizer.v1

    started = time.time()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lintas-pretrain-") as tmp:
        corpus = Path(tmp) / "raw.jsonl"
        counts = write_corpus(texts, exclude, lang, corpus)
        overrides = {"paths.raw_text": str(corpus), "system.seed": seed, "nlp.lang": lang,
                     "pretraining.max_epochs": epochs}
        raw = load_config(config, overrides=overrides, interpolate=False)
        if not raw.get("pretraining"):
            raise PipelineConfigError(f"{config} has no [pretraining] section")
        pretrain(raw.interpolate(), out, use_gpu=-1, silent=False)
    losses = [json.loads(line) for line in (out / "log.jsonl").read_text().splitlines()]
    record = {"lang": lang, "seed": seed, "config": str(config), "text_files": texts,
              "exclude": exclude, "epochs": epochs, **counts,
              "epoch_loss": [round(row["epoch_loss"], 1) for row in losses[:epochs]],
              "minutes": round((time.time() - started) / 60, 1)}
    (out / "pretraining.json").write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n",
                                          encoding="utf-8")
    return record
