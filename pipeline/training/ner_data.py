"""Readers for the NER training and evaluation formats in the shared data, as published.

Every reader yields `NerExample`s: a text with gold entity spans (character offsets), the
form that both training (via tokens) and evaluation (via `lintas run`'s own code path) use.

Formats, detected from the path and the first lines:

- ``conll``: one token per line, the BIO tag in the last column (``token TAB BIO`` as in
  NERGrit and NERP; ``token UPOS BIO`` as in IDNer news 2k), blank line between sentences;
  WikiANN's ``bg:`` token prefix is removed.
- ``uner``: Universal NER ``.iob2`` files (``index TAB token TAB BIO TAB …``, ``#`` comment
  lines); the sentence's own text (``# text = …``) is kept when its tokens can be found in
  it in order, else the tokens are joined by spaces (syntactic words such as Portuguese
  "de as" for "das").
- ``slavicner``: a SlavicNER folder: ``raw/TOPIC/LANG/NAME.txt`` with
  ``ner/TOPIC/LANG/NAME.tsv`` (start, end exclusive, mention, lemma, category, id). The path
  may be the corpus root (all topics), a topic folder (``…/ner/brexit``) or a
  language folder (``…/ner/brexit/bg``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

# Source labels -> lintas labels; anything else (EVT, FNB, PRO, MISC …) is dropped.
LABEL_MAP = {
    "PER": "PER", "PERSON": "PER", "PPL": "PER",
    "ORG": "ORG", "ORGANISATION": "ORG", "ORGANIZATION": "ORG", "IND": "ORG",
    "LOC": "LOC", "PLACE": "LOC", "PLC": "LOC", "GPE": "LOC",
}
LABELS = ("PER", "ORG", "LOC")
_WIKIANN_PREFIX = re.compile(r"^[a-z]{2,3}:")


@dataclass
class NerExample:
    """A text (a sentence or a document) and its gold entities ``(start, end, label)``."""

    text: str
    spans: list[tuple[int, int, str]]
    source: str = ""
    words: list[str] = field(default_factory=list)  # the gold tokens, when the format has them


def map_label(raw: str) -> str | None:
    """The lintas label for a source label, or None when lintas does not keep it."""
    return LABEL_MAP.get(raw.upper())


def detect_format(path: Path) -> str:
    """``slavicner`` for a folder, ``uner`` for an ``.iob2`` file, else ``conll``."""
    if path.is_dir():
        return "slavicner"
    return "uner" if path.suffix == ".iob2" else "conll"


def read_examples(path: str | Path, lang: str = "bg") -> list[NerExample]:
    """All examples in ``path`` (format detected); ``lang`` picks SlavicNER's language."""
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"[L006] no such NER data file or folder: {p}")
    fmt = detect_format(p)
    if fmt == "slavicner":
        return list(read_slavicner(p, lang))
    if fmt == "uner":
        return list(read_uner(p))
    return list(read_conll(p))


def bio_to_spans(words: list[str], tags: list[str]) -> tuple[str, list[tuple[int, int, str]]]:
    """Join ``words`` with single spaces and turn BIO ``tags`` into character spans.

    An ``I-`` tag that does not continue an entity of its label starts one (as conlleval
    does), so noisy files lose no entity.
    """
    text_parts: list[str] = []
    offsets: list[tuple[int, int]] = []
    pos = 0
    for w in words:
        offsets.append((pos, pos + len(w)))
        text_parts.append(w)
        pos += len(w) + 1
    text = " ".join(text_parts)
    spans: list[tuple[int, int, str]] = []
    cur: list[int] | None = None  # [start, end, label-index]
    cur_label = ""
    for (s, e), tag in zip(offsets, tags):
        prefix, _, raw = tag.partition("-")
        if prefix == "I" and cur is not None and raw == cur_label:
            cur[1] = e
            continue
        if cur is not None:
            spans.append((cur[0], cur[1], map_label(cur_label) or ""))
            cur = None
        if prefix in ("B", "I") and raw:
            cur, cur_label = [s, e], raw
    if cur is not None:
        spans.append((cur[0], cur[1], map_label(cur_label) or ""))
    return text, [sp for sp in spans if sp[2]]


def read_conll(path: Path) -> Iterator[NerExample]:
    """Sentences of a token-per-line BIO file (tag in the last column)."""
    words: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\n").rstrip("\r")
            if not line.strip():
                if words:
                    text, spans = bio_to_spans(words, tags)
                    yield NerExample(text, spans, f"{path}:{lineno}", words)
                words, tags = [], []
                continue
            cols = line.split("\t") if "\t" in line else line.split(" ")
            if len(cols) < 2:
                raise ValueError(f"[L006] {path}:{lineno}: expected 'token … TAG', got {line!r}")
            token = _WIKIANN_PREFIX.sub("", cols[0]) if cols[0][:3].endswith(":") else cols[0]
            if not token:
                continue
            words.append(token)
            tags.append(cols[-1].strip())
    if words:
        text, spans = bio_to_spans(words, tags)
        yield NerExample(text, spans, f"{path}:end", words)


def read_uner(path: Path) -> Iterator[NerExample]:
    """Sentences of a Universal NER ``.iob2`` file, on the sentence's own text when possible."""
    words: list[str] = []
    tags: list[str] = []
    text = ""
    start = 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            line = line.rstrip("\r\n")
            if line.startswith("# text = "):
                text = line[len("# text = "):]
                continue
            if line.startswith("#"):
                continue
            if not line.strip():
                if words:
                    yield _uner_example(words, tags, text, f"{path}:{start}")
                words, tags, text = [], [], ""
                continue
            cols = line.split("\t")
            if len(cols) < 3 or not cols[0].isdigit():
                continue  # multiword-token ranges carry no tag
            if not words:
                start = lineno
            words.append(cols[1])
            tags.append(cols[2].strip())
    if words:
        yield _uner_example(words, tags, text, f"{path}:{start}")


def _uner_example(words: list[str], tags: list[str], text: str, source: str) -> NerExample:
    joined, spans = bio_to_spans(words, tags)
    offsets = []
    pos = 0
    for w in words:
        i = text.find(w, pos)
        if i < 0 or text[pos:i].strip():
            return NerExample(joined, spans, source, words)  # tokens are not the text's
        offsets.append(i)
        pos = i + len(w)
    # joined text offsets -> the sentence's own offsets, word by word
    starts = []
    p = 0
    for w in words:
        starts.append(p)
        p += len(w) + 1
    index = {s: i for i, s in enumerate(starts)}
    own = []
    for s, e, label in spans:
        first = index[s]
        last = max(i for i, st in enumerate(starts) if st < e)
        own.append((offsets[first], offsets[last] + len(words[last]), label))
    return NerExample(text, own, source, words)


def slavicner_files(path: Path, lang: str) -> list[tuple[Path, Path]]:
    """``(raw text, annotation)`` file pairs under a SlavicNER root, topic or language folder."""
    if (path / "ner").is_dir():
        tsv_dirs = sorted(path.glob(f"ner/*/{lang}"))
    elif path.name == lang:
        tsv_dirs = [path]
    else:
        tsv_dirs = [path / lang]
    pairs = []
    for d in tsv_dirs:
        raw_dir = d.parent.parent.parent / "raw" / d.parent.name / d.name  # ner/T/L -> raw/T/L
        for tsv in sorted(d.glob("*.tsv")):
            raw = raw_dir / (tsv.name[: -len(".tsv")] + ".txt")
            if raw.exists():
                pairs.append((raw, tsv))
    if not pairs:
        raise FileNotFoundError(f"[L006] no SlavicNER files for language {lang!r} under {path}")
    return pairs


def read_slavicner(path: Path, lang: str = "bg") -> Iterator[NerExample]:
    """One example per SlavicNER document (raw text with offset annotations)."""
    for raw, tsv in slavicner_files(path, lang):
        text = raw.read_text(encoding="utf-8")
        spans = []
        for line in tsv.read_text(encoding="utf-8").splitlines():
            cols = line.split("\t")
            if len(cols) < 5 or not cols[0].isdigit():
                continue
            label = map_label(cols[4])
            if label:
                spans.append((int(cols[0]), int(cols[1]), label))
        yield NerExample(text, sorted(set(spans)), str(raw))


def split_lines(example: NerExample) -> list[NerExample]:
    """A document example cut into its non-empty lines (paragraphs), spans shifted; a span
    that crosses a line break keeps the example whole."""
    text = example.text
    if any("\n" in text[s:e] for s, e, _ in example.spans):
        return [example]
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            spans = [(s - pos, e - pos, lab) for s, e, lab in example.spans if pos <= s and e <= end]
            out.append(NerExample(line, spans, example.source))
        pos = end + 1
    return out


def pack_sentences(examples: list[NerExample], per_doc: int) -> list[NerExample]:
    """Sentences of token files (examples with ``words``) joined one per line, ``per_doc``
    consecutive sentences at a time, spans shifted: the form a real article has when
    inference packs its lines into windows. Other examples (whole documents) stay as they
    are, and each one ends the group before it."""
    out: list[NerExample] = []
    batch: list[NerExample] = []

    def flush() -> None:
        if not batch:
            return
        spans, pos = [], 0
        for ex in batch:
            spans.extend((s + pos, e + pos, lab) for s, e, lab in ex.spans)
            pos += len(ex.text) + 1
        out.append(NerExample("\n".join(ex.text for ex in batch), spans, batch[0].source,
                              [w for ex in batch for w in ex.words]))
        batch.clear()

    for ex in examples:
        if ex.words and per_doc > 0:
            batch.append(ex)
            if len(batch) >= per_doc:
                flush()
        else:
            flush()
            out.append(ex)
    flush()
    return out


def parse_weighted(path: str) -> tuple[str, int]:
    """``"PATH*N"`` -> ``(PATH, N)``: a training source repeated N times (default 1)."""
    head, sep, tail = path.rpartition("*")
    if sep and tail.isdigit() and head:
        return head, int(tail)
    return path, 1
