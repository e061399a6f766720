"""Machine translation with CTranslate2 (issue 17): the NLLB-200 or M2M100 models of the `hf`
backend (or a Marian model that has a ``tokenizer.json``; OPUS-MT uploads ship SentencePiece
files only and go through `hf`), converted once by the user with
``ct2-transformers-converter --model MODEL --output_dir DIR --copy_files tokenizer.json``
(int8 quantization with ``--quantization int8``), and run without torch, several times faster
on a CPU. Needs ``lintas[ct2]`` (ctranslate2, tokenizers). Nothing is downloaded.

The converted folder must hold the model's ``tokenizer.json`` (the converter's
``--copy_files``): tokens are made and read back with the `tokenizers` library. Which kind of
model it is shows in its vocabulary: NLLB's language codes ("ind_Latn"), M2M100's ("__id__"),
else a one-pair Marian model.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pipeline.core.errors import MissingDependency
from pipeline.backends.base import dist_version
from pipeline.backends.mt_hf import DEFAULT_BATCH_SIZE, NLLB_CODES, chosen_model, sorted_batches

FIX = 'pip install "lintas[ct2]"'


class Ct2Translator:
    """Backend ``ct2`` of task ``mt``: `translate` sentences with a CTranslate2 model."""

    name = "ct2"

    def __init__(self, model: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 num_beams: int = 1, max_new_tokens: int = 256, threads: int = 0) -> None:
        model = chosen_model(model, "a folder ct2-transformers-converter wrote")
        try:
            import ctranslate2
            from tokenizers import Tokenizer
        except ImportError as exc:
            raise MissingDependency("ctranslate2 (the ct2 MT backend)", FIX) from exc
        folder = Path(model).expanduser()
        if not (folder / "model.bin").is_file():
            raise MissingDependency(f"a CTranslate2 model in {str(folder)!r} (no model.bin)",
                                    "pass the folder that ct2-transformers-converter wrote")
        if not (folder / "tokenizer.json").is_file():
            raise MissingDependency(
                f"the tokenizer of {str(folder)!r} (no tokenizer.json)",
                "convert with --copy_files tokenizer.json, or copy the model's fast "
                "tokenizer file into the folder")
        self.folder = folder
        self.batch_size = max(1, batch_size)
        self.num_beams = max(1, num_beams)
        self.max_new_tokens = max_new_tokens
        self._tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tok.no_truncation()
        self._tok.no_padding()
        threads = threads or int(os.environ.get("LINTAS_THREADS", "0"))  # a worker's share
        self._translator: Any = ctranslate2.Translator(str(folder), device="cpu",
                                                       intra_threads=threads)
        vocab = self._tok.get_vocab()
        self.kind = ("nllb" if "eng_Latn" in vocab else "m2m_100" if "__en__" in vocab
                     else "marian")
        self._eos = "</s>"

    def version(self) -> str:
        """The model folder's name and kind, and ctranslate2's version."""
        return f"{self.folder.name} ({self.kind}; ctranslate2 {dist_version('ctranslate2')})"

    def supports(self, src: str, tgt: str = "en") -> bool:
        """As the `hf` backend: language codes for many-language models, a Marian model on
        the user's word."""
        vocab = self._tok.get_vocab()
        if self.kind == "nllb":
            return NLLB_CODES.get(src, "") in vocab and NLLB_CODES.get(tgt, "") in vocab
        if self.kind == "m2m_100":
            return f"__{src}__" in vocab and f"__{tgt}__" in vocab
        return True

    def _tokens(self, sentence: str, src: str) -> list[str]:
        tokens = self._tok.encode(sentence, add_special_tokens=False).tokens
        if self.kind == "nllb":
            return [NLLB_CODES.get(src, src)] + tokens + [self._eos]
        if self.kind == "m2m_100":
            return [f"__{src}__"] + tokens + [self._eos]
        return tokens + [self._eos]

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        """One translation per sentence, in order (an empty sentence gives "")."""
        out = [""] * len(sentences)
        prefix = ({"nllb": [NLLB_CODES.get(tgt, tgt)], "m2m_100": [f"__{tgt}__"]}
                  .get(self.kind))
        for idx in sorted_batches(sentences, self.batch_size):
            results = self._translator.translate_batch(
                [self._tokens(sentences[i], src) for i in idx],
                target_prefix=[prefix] * len(idx) if prefix else None,
                beam_size=self.num_beams, max_decoding_length=self.max_new_tokens,
                sampling_topk=1)
            for i, res in zip(idx, results):
                tokens = [t for t in res.hypotheses[0] if t not in (prefix or [])]
                ids = [self._tok.token_to_id(t) for t in tokens]
                out[i] = self._tok.decode([x for x in ids if x is not None],
                                          skip_special_tokens=True).strip()
        return out
