"""Machine translation with a Hugging Face sequence-to-sequence model the user already has
(issue 17): Marian / OPUS-MT (one language pair per model), NLLB-200 and M2M100 (many
languages; the source and target are passed as the model's language codes).

No MT weights for Indonesian or Bulgarian to English can be had from any registry on the
machines lintas is built on, so lintas ships none: the model is a folder that
``save_pretrained`` wrote, or a name in the local Hugging Face cache. Nothing is ever
downloaded (every load passes ``local_files_only=True``; HF_HUB_OFFLINE is respected).
Needs ``lintas[hf]`` (transformers, torch).

Sentences are translated in batches sorted by length, greedily or with ``num_beams``,
never sampled, so the same input gives the same output.
"""

from __future__ import annotations

import os
from typing import Any

from pipeline.core.errors import MissingDependency
from pipeline.backends.base import dist_version
from pipeline.backends.hf_local import locate

ENV_MODEL = "LINTAS_MT_MODEL"
FIX = 'pip install "lintas[hf]"'
DEFAULT_BATCH_SIZE = 16
# NLLB-200's codes of the languages lintas reads most (ISO 639-1 -> FLORES-200); M2M100
# takes ISO 639-1 as it is
NLLB_CODES = {"en": "eng_Latn", "id": "ind_Latn", "bg": "bul_Cyrl", "ru": "rus_Cyrl",
              "uk": "ukr_Cyrl", "pl": "pol_Latn", "cs": "ces_Latn", "sk": "slk_Latn",
              "sl": "slv_Latn", "hr": "hrv_Latn", "sr": "srp_Cyrl", "pt": "por_Latn",
              "kk": "kaz_Cyrl", "ko": "kor_Hang", "zh": "zho_Hans", "de": "deu_Latn",
              "fr": "fra_Latn", "es": "spa_Latn", "ms": "zsm_Latn", "tr": "tur_Latn",
              "uz": "uzn_Latn", "ky": "kir_Cyrl", "tg": "tgk_Cyrl", "tk": "tuk_Latn",
              "az": "azj_Latn", "mn": "khk_Cyrl", "ka": "kat_Geor", "hy": "hye_Armn",
              "be": "bel_Cyrl", "mk": "mkd_Cyrl", "bs": "bos_Latn", "ro": "ron_Latn",
              "hu": "hun_Latn", "it": "ita_Latn", "nl": "nld_Latn", "sv": "swe_Latn",
              "fi": "fin_Latn", "el": "ell_Grek", "lt": "lit_Latn", "lv": "lvs_Latn",
              "et": "est_Latn", "ar": "arb_Arab", "fa": "pes_Arab", "he": "heb_Hebr",
              "hi": "hin_Deva", "ur": "urd_Arab", "bn": "ben_Beng", "ja": "jpn_Jpan",
              "vi": "vie_Latn", "th": "tha_Thai", "tl": "tgl_Latn"}


def sorted_batches(sentences: list[str], size: int) -> list[list[int]]:
    """Indexes of the non-blank ``sentences``, shortest first, ``size`` at a time: the
    batches both MT backends translate (little padding; the order is fixed, so the output
    is too)."""
    todo = sorted((i for i, s in enumerate(sentences) if s.strip()),
                  key=lambda i: (len(sentences[i]), i))
    return [todo[k:k + size] for k in range(0, len(todo), size)]


def chosen_model(model: str | None, kind: str) -> str:
    """``model``, else ``$LINTAS_MT_MODEL``; without either, a `MissingDependency` saying
    what to pass (``kind``: what the backend reads)."""
    model = model or os.environ.get(ENV_MODEL)
    if not model:
        raise MissingDependency("a machine translation model (none given)",
                                f"pass --mt-model PATH ({kind}) or set {ENV_MODEL}; lintas "
                                "never downloads models")
    return model


class HfTranslator:
    """Backend ``hf`` of task ``mt``: `translate` sentences with a local seq2seq model."""

    name = "hf"

    def __init__(self, model: str | None = None, batch_size: int = DEFAULT_BATCH_SIZE,
                 num_beams: int = 1, max_new_tokens: int = 256, device: str = "cpu") -> None:
        model = chosen_model(model, "a Marian/OPUS-MT, NLLB or M2M100 folder")
        try:
            import torch
            import transformers  # noqa: F401
        except ImportError as exc:
            raise MissingDependency("transformers and torch (the hf MT backend)", FIX) from exc
        threads = int(os.environ.get("LINTAS_THREADS", "0"))
        if threads:  # a worker's share of the cores (`pipeline.core.runner`)
            torch.set_num_threads(threads)
        self.source = locate(model)
        self.batch_size = max(1, batch_size)
        self.num_beams = max(1, num_beams)
        self.max_new_tokens = max_new_tokens
        self.device = device
        self._tok, self._model = _load(self.source)
        self.model_type = str(getattr(self._model.config, "model_type", "unknown"))
        # the model's positions bound both the sentence read and the translation written
        # (a longer generation indexes past its position table)
        self.max_positions = int(getattr(self._model.config, "max_position_embeddings", 0)
                                 or 1024)

    def version(self) -> str:
        """The model (its folder's name or cache name, type) and transformers' version."""
        name = os.path.basename(os.path.normpath(self.source))
        return f"{name} ({self.model_type}; transformers {dist_version('transformers')})"

    def supports(self, src: str, tgt: str = "en") -> bool:
        """Whether the model can be told ``src`` -> ``tgt``: a many-language model needs
        both codes; a Marian model is one pair, which it does not name, so it is taken on
        the user's word."""
        if self.model_type == "nllb" or _is_nllb(self._tok):
            return src in NLLB_CODES and tgt in NLLB_CODES
        if self.model_type == "m2m_100":
            return all(hasattr(self._tok, "get_lang_id") and _m2m_known(self._tok, c)
                       for c in (src, tgt))
        return True

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        """One translation per sentence, in order (an empty sentence gives "")."""
        import torch

        out = [""] * len(sentences)
        extra: dict[str, Any] = {}
        if self.model_type == "nllb" or _is_nllb(self._tok):
            self._tok.src_lang = NLLB_CODES.get(src, src)
            extra["forced_bos_token_id"] = self._tok.convert_tokens_to_ids(NLLB_CODES.get(tgt, tgt))
        elif self.model_type == "m2m_100":
            self._tok.src_lang = src
            extra["forced_bos_token_id"] = self._tok.get_lang_id(tgt)
        for idx in sorted_batches(sentences, self.batch_size):
            batch = self._tok([sentences[i] for i in idx], return_tensors="pt", padding=True,
                              truncation=True, max_length=self.max_positions)
            with torch.inference_mode():
                ids = self._model.generate(
                    **{n: t.to(self.device) for n, t in batch.items()},
                    num_beams=self.num_beams, do_sample=False, max_length=None,
                    max_new_tokens=min(self.max_new_tokens, self.max_positions - 2), **extra)
            for i, text in zip(idx, self._tok.batch_decode(ids, skip_special_tokens=True)):
                out[i] = text.strip()
        return out


def _is_nllb(tok: Any) -> bool:
    return type(tok).__name__.startswith("Nllb")


def _m2m_known(tok: Any, code: str) -> bool:
    try:
        tok.get_lang_id(code)
    except (KeyError, ValueError):
        return False
    return True


def _load(source: str) -> tuple[Any, Any]:
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()  # a "Loading weights" bar would break lintas' own
    try:
        tok = AutoTokenizer.from_pretrained(source, local_files_only=True)
        model = AutoModelForSeq2SeqLM.from_pretrained(source, local_files_only=True)
    except (OSError, ValueError) as exc:  # files missing, or not a seq2seq model
        raise MissingDependency(f"the Hugging Face translation model {source!r} ({exc})",
                                "pass a folder or cached seq2seq model with its tokenizer") from exc
    finally:
        if bars:
            hf_logging.enable_progress_bar()
    model.eval()
    return tok, model
