"""NER with lintas' multilingual transformer (``models/ner-xx``), for every language.

One model, fine-tuned from multilingual-e5-small on the NER data of twelve languages
(model card: ``models/ner-xx/README.md``), run with onnxruntime (`pipeline.encoder_runtime`).
It does not depend on language identification: a document reported ``und`` gets names too.

Each text is tokenized once, line by line, with the encoder's own tokenizer; lines are packed
into windows of at most 126 subword tokens, and a line longer than that is cut into windows
that overlap by 32, each token read in the window where it is farthest from an edge
(`pipeline.token_windows`). All windows of a batch of documents are sorted by length and
run together. A mention's confidence is the model's mean probability for its tokens. What
it finds is the model's own output: the NER rules are a stage of their own after the
backends (`pipeline.ner_rule_stage`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..document import Document, Mention
from ..errors import MissingDependency
from ..lexicons import models_dir

MODEL = "ner-xx"


class TransformerNer:
    """NER backend over the shipped multilingual encoder (or another exported one)."""

    name = "transformer"

    def __init__(self, model_dir: str | None = None, threads: int | None = None,
                 prefer_wheel: bool = True) -> None:
        self.model_dir = Path(model_dir) if model_dir else models_dir() / MODEL
        self.threads = threads
        self.prefer_wheel = prefer_wheel  # False: the pruned vocabulary even with the wheel
        self._encoder: Any = None
        if not (self.model_dir / "model.onnx").exists():
            raise MissingDependency(f"the multilingual NER model ({self.model_dir}/model.onnx)",
                                    "lintas train ner --engine transformer --out "
                                    f"{self.model_dir}, or --ner spacy,gazetteer")

    @property
    def encoder(self) -> Any:
        """The loaded model (once per process)."""
        if self._encoder is None:
            from ..encoder_runtime import OnnxEncoder

            self._encoder = OnnxEncoder(self.model_dir, self.threads, self.prefer_wheel)
        return self._encoder

    def supports(self, lang: str) -> bool:
        return True  # one model for every language, whatever language ID said

    def version(self, lang: str | None = None) -> str:
        info = self.encoder.info
        return f"{info['name']} {info.get('version', '')}".strip()

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def find_batch(self, docs: list[Document], texts: list[str]) -> list[list[Mention]]:
        """Mentions for several documents, their windows run in shared batches."""
        spans = self.encoder.spans(texts)
        return [[Mention(s, e, text[s:e], label, self.name, conf) for s, e, label, conf in found]
                for text, found in zip(texts, spans)]
