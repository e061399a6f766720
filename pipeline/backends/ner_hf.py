"""NER with a Hugging Face token-classification model that the user already has.

``HfNer(model=...)`` takes a local folder (what ``save_pretrained`` writes) or the name of a
model already in the Hugging Face cache; without ``model`` it reads ``LINTAS_HF_MODEL``.
Nothing is ever downloaded: every load passes ``local_files_only=True`` (so HF_HUB_OFFLINE
changes nothing here), and a model that is not on disk is a `MissingDependency` that says
so. Install the libraries with ``pip install "lintas[hf]"``.

The model's labels (BIO/IOB2, BIOES/BILOU or plain ``PER``/``PERSON``/``GPE`` …) are mapped
to lintas' PER / ORG / LOC / MISC (`bio_name`); other types (DATE, NORP …) are dropped.
Each text is tokenized once, line by line, with the model's fast tokenizer (its character
offsets are what make the spans exact); lines are packed into windows of ``window`` subword
tokens, a longer line is cut into windows overlapping by ``overlap``, and each token is read
in the window where it sits farthest from an edge (`pipeline.learned.token_windows`), so a name on a
window border is found once, with its own offsets. A word takes the label of its first
subword (as the Hugging Face pipeline's ``aggregation_strategy="first"``), spans are whole
words and never cross a line break. A mention's confidence is the mean softmax probability
of its tokens' labels.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.core.document import Document, Mention
from pipeline.core.errors import MissingDependency
from pipeline.backends.hf_local import locate
from pipeline.learned.stitch import stitch
from pipeline.learned.token_windows import Encoded, decode, encode_text, make_windows, pieces_of
from pipeline.text.word_bounds import word_text

ENV_MODEL = "LINTAS_HF_MODEL"
FIX = 'pip install "lintas[hf]"'
DEFAULT_WINDOW = 256
DEFAULT_BATCH_SIZE = 16

# Entity types of common NER label sets -> lintas labels (CoNLL, OntoNotes, WikiANN, KLUE,
# GMB …); FAC -> LOC as in settings.tsv's spacy_labels. A type not here is dropped.
TYPES = {
    "PER": "PER", "PERS": "PER", "PERSON": "PER", "PS": "PER", "PPL": "PER",
    "ORG": "ORG", "ORGANIZATION": "ORG", "ORGANISATION": "ORG", "OG": "ORG",
    "CORPORATION": "ORG", "IND": "ORG",
    "LOC": "LOC", "LOCATION": "LOC", "GPE": "LOC", "FAC": "LOC", "GEO": "LOC", "LC": "LOC",
    "GEO-LOC": "LOC", "PLACE": "LOC", "PLC": "LOC",
    "MISC": "MISC", "MISCELLANEOUS": "MISC",
}
LINTAS_NAMES = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")
_PREFIXED = re.compile(r"^([BIESLU])[-_](.+)$", re.IGNORECASE)



def lintas_label(kind: str) -> str | None:
    """The lintas label for an entity type (``PERSON`` -> ``PER``), None when not kept."""
    key = kind.strip().upper().replace("_", "-")
    return TYPES.get(key) or TYPES.get(key.replace("-", ""))


def bio_name(raw: str) -> str:
    """A model label as one of `LINTAS_NAMES`: ``B-``/``S-``/``U-`` begin a name, ``I-``/
    ``E-``/``L-`` and a label without prefix (IO scheme) continue one, ``O`` and types
    lintas does not keep are ``O``."""
    label = raw.strip()
    match = _PREFIXED.match(label)
    prefix, kind = (match.group(1).upper(), match.group(2)) if match else ("I", label)
    lintas = lintas_label(kind) if label.upper() != "O" else None
    if lintas is None:
        return "O"
    return f"{'B' if prefix in 'BSU' else 'I'}-{lintas}"


def first_subword(text: str, enc: Encoded, labels: np.ndarray, probs: np.ndarray,
                  names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    """Labels where every subword continuing a word takes its word's label (``I-`` of the
    first subword's type, or ``O``) and probability. ``text`` is `word_text`'s."""
    index = {name: i for i, name in enumerate(names)}
    labels, probs = labels.copy(), probs.copy()
    for t in range(1, len(enc)):
        s = int(enc.starts[t])
        if (enc.piece_start[t] or s != int(enc.ends[t - 1])
                or not (text[s - 1].isalnum() and text[s].isalnum())):
            continue
        head = names[int(labels[t - 1])]
        labels[t] = index["O" if head == "O" else "I-" + head.split("-", 1)[1]]
        probs[t] = probs[t - 1]
    return labels, probs


@dataclass
class _Loaded:
    """What a loaded model needs at inference time."""

    model: Any
    tokenizer: Any  # a `tokenizers.Tokenizer`, without truncation or padding
    names: tuple[str, ...]  # per model label id its `LINTAS_NAMES` name, then LINTAS_NAMES
    prefix: list[int]  # special tokens before a window ([CLS], <s> …)
    suffix: list[int]
    pad: int
    window: int
    overlap: int


class HfNer:
    """NER backend over a local Hugging Face token-classification model, for every language."""

    name = "hf"

    def __init__(self, model: str | None = None, device: str = "cpu",
                 batch_size: int = DEFAULT_BATCH_SIZE, window: int | None = None,
                 overlap: int | None = None) -> None:
        model = model or os.environ.get(ENV_MODEL) or None
        if model is None:
            raise MissingDependency(
                "a Hugging Face NER model for the hf backend",
                f"pass the option model=FOLDER_OR_NAME (e.g. {{'hf': {{'model': ...}}}} in "
                f"PipelineConfig.ner_options) or set {ENV_MODEL}")
        _require_libraries()
        self.model = model
        self.source = locate(model)  # fail now (lintas checks backends before a run)
        self.label = Path(self.source).name if Path(self.source).is_dir() else model
        self.device = device
        self.batch_size = max(1, int(batch_size))
        self.window_option = window
        self.overlap_option = overlap
        self._loaded: _Loaded | None = None

    def supports(self, lang: str) -> bool:
        return True  # one model whatever the language; it decides what it can tag

    def version(self, lang: str | None = None) -> str:
        return f"hf {self.label}"

    def load(self) -> _Loaded:
        """The tokenizer and model, loaded once (from disk only)."""
        if self._loaded is None:
            self._loaded = _load(self.source, self.device, self.window_option,
                                 self.overlap_option)
        return self._loaded

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def find_batch(self, docs: list[Document], texts: list[str]) -> list[list[Mention]]:
        """Mentions for several documents; their windows run in shared, length-sorted batches."""
        m = self.load()
        encs = [encode_text(m.tokenizer, t, pieces_of(t)) for t in texts]
        wins = [make_windows(enc.piece_start, m.window, m.overlap) for enc in encs]
        jobs = [(ti, a, b) for ti, w in enumerate(wins) for a, b in w]
        probs_of: dict[tuple[int, int], np.ndarray] = {}
        order = sorted(range(len(jobs)), key=lambda j: jobs[j][2] - jobs[j][1])
        for k in range(0, len(order), self.batch_size):
            group = [jobs[j] for j in order[k:k + self.batch_size]]
            rows = [encs[ti].ids[a:b] for ti, a, b in group]
            for (ti, a, _), probs in zip(group, _run(m, rows, self.device)):
                probs_of[(ti, a)] = probs
        out = []
        for ti, (text, enc) in enumerate(zip(texts, encs)):
            if len(enc) == 0:
                out.append([])
                continue
            labels, conf = stitch(wins[ti], [probs_of[(ti, a)] for a, _ in wins[ti]],
                                  enc.piece_start, m.names)
            words = word_text(text)
            labels, conf = first_subword(words, enc, labels, conf, m.names)
            out.append([Mention(s, e, text[s:e], label, self.name, c)
                        for s, e, label, c in decode(text, enc, labels, conf, m.names)])
        return out


def _require_libraries() -> None:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError as exc:
        raise MissingDependency("transformers and torch (the hf NER backend)", FIX) from exc


def _load(source: str, device: str, window: int | None, overlap: int | None) -> _Loaded:
    from tokenizers import Tokenizer
    from transformers import AutoModelForTokenClassification, AutoTokenizer

    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar would break lintas' own
    try:
        tok = AutoTokenizer.from_pretrained(source, local_files_only=True)
        model = AutoModelForTokenClassification.from_pretrained(source, local_files_only=True)
    except (OSError, ValueError) as exc:  # files missing, or a model type transformers lacks
        raise MissingDependency(f"the Hugging Face model {source!r} ({exc})",
                                "pass a folder or cached model with its tokenizer") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    backend = getattr(tok, "backend_tokenizer", None)
    if not getattr(tok, "is_fast", False) or backend is None:
        raise MissingDependency(
            f"a fast tokenizer (tokenizer.json) for {source!r}: the slow {type(tok).__name__} "
            "gives no character offsets",
            "save the model's fast tokenizer into its folder: AutoTokenizer.from_pretrained"
            "(NAME, use_fast=True).save_pretrained(FOLDER)")
    # our own copy: the saved tokenizer may truncate to 512 tokens, which would lose tokens
    tokenizer = Tokenizer.from_str(backend.to_str())
    tokenizer.no_truncation()
    tokenizer.no_padding()
    id2label = model.config.id2label
    mapped = tuple(bio_name(str(id2label[i])) for i in range(len(id2label)))
    if all(n == "O" for n in mapped):
        raise MissingDependency(
            f"a NER model: the labels of {source!r} ({', '.join(map(str, id2label.values()))})"
            " name no PER/ORG/LOC/MISC type", "pass a token-classification model trained for NER")
    prefix, suffix = _specials(tokenizer)
    width = _max_tokens(tok, model.config) - len(prefix) - len(suffix)
    size = max(1, min(window or DEFAULT_WINDOW, width))
    over = size // 4 if overlap is None else overlap
    model.to(device)
    model.eval()
    pad = tok.pad_token_id if tok.pad_token_id is not None else 0
    return _Loaded(model, tokenizer, mapped + LINTAS_NAMES, prefix, suffix, int(pad), size,
                   max(0, min(over, size - 1)))


def _specials(tokenizer: Any) -> tuple[list[int], list[int]]:
    """The special tokens the tokenizer puts before and after a text: found by encoding one
    word with and without them (works for [CLS]…[SEP], <s>…</s>, and none)."""
    plain = tokenizer.encode("a", add_special_tokens=False).ids
    full = tokenizer.encode("a", add_special_tokens=True).ids
    for i in range(len(full) - len(plain) + 1):
        if plain and full[i:i + len(plain)] == plain:
            return full[:i], full[i + len(plain):]
    return [], []


def _max_tokens(tok: Any, config: Any) -> int:
    """The longest input the model takes, special tokens included."""
    limits = [n for n in (getattr(tok, "model_max_length", None),
                          getattr(config, "max_position_embeddings", None))
              if isinstance(n, int) and 0 < n < 1_000_000]
    if not limits:
        return 512
    limit = min(limits)
    if limit == getattr(config, "max_position_embeddings", None) and "roberta" in str(
            getattr(config, "model_type", "")):
        limit -= 2  # RoBERTa's positions start after the padding index
    return limit


def _run(m: _Loaded, rows: list[np.ndarray], device: str) -> list[np.ndarray]:
    """Label probabilities (tokens x labels) for each row of token ids, one model call."""
    import torch

    width = max(len(r) for r in rows) + len(m.prefix) + len(m.suffix)
    ids = np.full((len(rows), width), m.pad, dtype=np.int64)
    mask = np.zeros((len(rows), width), dtype=np.int64)
    for i, row in enumerate(rows):
        full = [*m.prefix, *row.tolist(), *m.suffix]
        ids[i, :len(full)] = full
        mask[i, :len(full)] = 1
    with torch.inference_mode():
        logits = m.model(input_ids=torch.from_numpy(ids).to(device),
                         attention_mask=torch.from_numpy(mask).to(device)).logits
        probs = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    start = len(m.prefix)
    return [probs[i, start:start + len(row)] for i, row in enumerate(rows)]
