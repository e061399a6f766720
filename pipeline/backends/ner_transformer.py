"""NER with lintas' multilingual transformer (``models/ner-xx``), for every language.

One model, fine-tuned from multilingual-e5-small on the NER data of twelve languages
(model card: ``models/ner-xx/README.md``), run with onnxruntime (`pipeline.learned.encoder_runtime`).
It does not depend on language identification: a document reported ``und`` gets names too.

Each text is tokenized once, line by line, with the encoder's own tokenizer; lines are packed
into windows of at most 126 subword tokens, and a line longer than that is cut into windows
that overlap by 32, each token read in the window where it is farthest from an edge
(`pipeline.learned.token_windows`). All windows of a batch of documents are sorted by length and
run together. A mention's confidence is the model's mean probability for its tokens. What
it finds is the model's own output: the NER rules are a stage of their own after the
backends (`pipeline.stages.ner_rule_stage`).

Asked for them (``find_batch(..., states=True)``, when the learned event extractors will
read the document), it also keeps each document's per-token hidden states of the layer the
event heads read, from the same pass, in ``doc.cache[STATES]`` (`pipeline.stages.ner_stage`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.core.document import Document, Mention
from pipeline.core.errors import MissingDependency
from pipeline.lexicon.lexicons import models_dir
from pipeline.stages.ner_stage import STATES

MODEL = "ner-xx"
# Longer texts keep no hidden states from this pass (float16, 768 bytes a token: 300,000
# characters are about 80 MB): the learned event heads skip them, unless the events stage
# is asked to encode (it then reads them again, chunk by chunk).
MAX_STATE_CHARS = 300_000
# A section of a long document (`pipeline.core.sections`) is read in smaller batches: the
# encoder's activations for 4,096 tokens take about 70 MB more at the peak than for 1,024
# (measured on 160,000 characters), at no speed cost measured. Other documents keep the
# batches their F1 was measured with (a batch's int8 activation scale is shared).
SECTION_BATCH_TOKENS = 1024


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
            from pipeline.learned.encoder_runtime import OnnxEncoder

            self._encoder = OnnxEncoder(self.model_dir, self.threads, self.prefer_wheel)
        return self._encoder

    def supports(self, lang: str) -> bool:
        return True  # one model for every language, whatever language ID said

    def version(self, lang: str | None = None) -> str:
        info = self.encoder.info
        return f"{info['name']} {info.get('version', '')}".strip()

    def find(self, doc: Document, text: str) -> list[Mention]:
        return self.find_batch([doc], [text])[0]

    def gives_states(self) -> bool:
        """Whether this model returns the hidden states the event heads read."""
        return self.encoder.info.get("hidden_layer") in self.encoder.hidden_layers

    def find_batch(self, docs: list[Document], texts: list[str],
                   states: bool = False) -> list[list[Mention]]:
        """Mentions for several documents, their windows run in shared batches. With
        ``states`` (and a model that gives them), each document's hidden states go to
        ``doc.cache[STATES]`` too."""
        keep = [states and len(t) <= MAX_STATE_CHARS for t in texts] if states \
            and self.gives_states() else [False] * len(texts)
        spans: list[Any] = [None] * len(texts)
        budget = ({"batch_tokens": SECTION_BATCH_TOKENS}
                  if any(d.section is not None for d in docs) else {})
        plain = [i for i, k in enumerate(keep) if not k]
        if plain:
            for i, found in zip(plain, self.encoder.spans([texts[i] for i in plain], **budget)):
                spans[i] = found
        rich = [i for i, k in enumerate(keep) if k]
        if rich:
            layer = (self.encoder.info["hidden_layer"],)
            for i, (found, token_states) in zip(rich, self.encoder.spans_and_states(
                    [texts[i] for i in rich], layer, **budget)):
                spans[i] = found
                docs[i].cache[STATES] = token_states
        return [[Mention(s, e, text[s:e], label, self.name, conf) for s, e, label, conf in found]
                for text, found in zip(texts, spans)]
