"""spaCy glue shared by training and the spaCy NER backend.

lintas feeds its own tokens to the NER models, so `lintas run` never uses the tokenizer
stored with a model. The shipped models name `LintasTokenizer` (``lintas.Tokenizer.v1``):
loaded on their own (``spacy.load("models/ner-id")``), they tokenize raw text as lintas does,
so that the model sees the tokens it was trained on. It builds the language's rules on
first use (3-4 s for Indonesian), not when the model loads. `WhitespaceTokenizer`
(``lintas.WhitespaceTokenizer.v1``) is what training uses (its examples are pre-tokenized
and joined by spaces) and what models saved before `LintasTokenizer` name.
"""

from __future__ import annotations

from typing import Any

import spacy
from spacy.tokens import Doc
from pipeline.text.blank import blank_pipeline


class _NothingToSave:
    """A tokenizer without state: these keep spaCy's serialization happy."""

    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> Any:
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> Any:
        return self


class WhitespaceTokenizer(_NothingToSave):
    """Splits on whitespace."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = text.split()
        return Doc(self.vocab, words=words, spaces=[True] * len(words))


@spacy.registry.tokenizers("lintas.WhitespaceTokenizer.v1")
def create_whitespace_tokenizer() -> Any:
    """Factory named in the config.cfg of models saved before `LintasTokenizer`."""

    def make(nlp: Any) -> WhitespaceTokenizer:
        return WhitespaceTokenizer(nlp.vocab)

    return make


class LintasTokenizer(_NothingToSave):
    """lintas' tokens for the model's language: spaCy's rules for the language (the
    segment stage's cached tokenizer), whitespace tokens dropped (the models never saw
    them in training)."""

    def __init__(self, vocab: Any, lang: str) -> None:
        self.vocab = vocab
        self.lang = lang

    def __call__(self, text: str) -> Doc:
        ruled = blank_pipeline(self.lang).tokenizer(text)
        words: list[str] = []
        spaces: list[bool] = []
        for tok in ruled:
            if tok.is_space:
                if spaces:
                    spaces[-1] = True
                continue
            words.append(tok.text)
            spaces.append(bool(tok.whitespace_))
        return Doc(self.vocab, words=words, spaces=spaces)


@spacy.registry.tokenizers("lintas.Tokenizer.v1")
def create_lintas_tokenizer() -> Any:
    """Factory named in the shipped models' config.cfg."""

    def make(nlp: Any) -> LintasTokenizer:
        return LintasTokenizer(nlp.vocab, nlp.lang)

    return make


def doc_from_words(vocab: Any, words: list[str]) -> Doc:
    """A spaCy Doc of ``words`` (single spaces between them)."""
    return Doc(vocab, words=words, spaces=[True] * len(words))
