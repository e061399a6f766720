"""spaCy glue shared by training and the spaCy NER backend.

lintas feeds its own tokens to the NER models, so a shipped model never uses the tokenizer
stored with it. The models are saved with `WhitespaceTokenizer` (registered here as
``lintas.WhitespaceTokenizer.v1``) so that loading one does not rebuild a language's full
tokenizer (3-4 s for Indonesian), and so that the model folder still loads on its own.
"""

from __future__ import annotations

from typing import Any

import spacy
from spacy.tokens import Doc


class WhitespaceTokenizer:
    """Splits on whitespace; stands in for the tokenizer of a model that lintas feeds."""

    def __init__(self, vocab: Any) -> None:
        self.vocab = vocab

    def __call__(self, text: str) -> Doc:
        words = text.split()
        return Doc(self.vocab, words=words, spaces=[True] * len(words))

    # Nothing to save or load: these keep spaCy's serialization happy.
    def to_bytes(self, **kwargs: Any) -> bytes:
        return b""

    def from_bytes(self, data: bytes, **kwargs: Any) -> "WhitespaceTokenizer":
        return self

    def to_disk(self, path: Any, **kwargs: Any) -> None:
        return None

    def from_disk(self, path: Any, **kwargs: Any) -> "WhitespaceTokenizer":
        return self


@spacy.registry.tokenizers("lintas.WhitespaceTokenizer.v1")
def create_whitespace_tokenizer() -> Any:
    """Factory named in the shipped models' config.cfg."""

    def make(nlp: Any) -> WhitespaceTokenizer:
        return WhitespaceTokenizer(nlp.vocab)

    return make


def doc_from_words(vocab: Any, words: list[str]) -> Doc:
    """A spaCy Doc of ``words`` (single spaces between them)."""
    return Doc(vocab, words=words, spaces=[True] * len(words))
