"""Extra outputs of the exported encoder: the hidden states of one layer (no torch).

The learned event extractors (`pipeline.learned.events_learned`) are small heads on the hidden
states of one layer of the NER encoder (``models/ner-xx``), read in the same onnxruntime
pass as the NER logits, so that a document is encoded once. The exported graph returns only
``logits``; `add_hidden_output` makes the output of layer K's last LayerNorm a second graph
output named ``hidden_K`` (K as in ``transformers``' ``hidden_states[K]``: 0 is the
embeddings' output, K the K-th block's), and records K in the folder's ``model.json``
(``hidden_layer``). onnxruntime computes that tensor anyway (it feeds block K+1), so asking
for ``logits`` alone costs what it did before.

`lintas train events` calls it for the layer it trains on, and a re-export of the NER model
(`pipeline.training.transformer_build`) calls it again for the layer the previous ``model.json``
named, so that the file keeps its shape.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from pipeline.io.manifest import file_sha256

PREFIX = "hidden_"


def output_name(layer: int) -> str:
    """The graph output holding ``hidden_states[layer]``."""
    return f"{PREFIX}{layer}"


def layer_tensor(graph: Any, layer: int) -> str:
    """The name of the tensor that is ``hidden_states[layer]`` in an exported BERT graph.

    Layer 0 is the embeddings' LayerNorm; layer K the last LayerNorm of block K-1
    (``…/encoder/layer.{K-1}/output/LayerNorm``, after the feed-forward's residual). Found
    by node name, as torch's exporter writes them; a graph named otherwise is read by
    position: the embeddings' LayerNorm first, then two per block (attention, output), in
    the graph's (topological) order."""
    norms = [n for n in graph.node if n.op_type in ("LayerNormalization", "SkipLayerNormalization")]
    want = (re.compile(r"embeddings/LayerNorm") if layer == 0
            else re.compile(rf"encoder/layer\.{layer - 1}/output/LayerNorm"))
    named = [n for n in norms if want.search(n.name)]
    if len(named) == 1:
        return named[0].output[0]
    if len(norms) % 2 == 1 and 0 <= layer <= len(norms) // 2:
        return norms[2 * layer].output[0]
    raise ValueError(f"[L025] no tensor for hidden layer {layer} in this graph "
                     f"({len(norms)} LayerNorm nodes)")


def with_hidden_outputs(model: Any, layers: Sequence[int]) -> Any:
    """``model`` (an ``onnx.ModelProto``, changed in place) with graph outputs
    ``hidden_K`` for ``layers`` and no other ``hidden_*`` outputs (a layer trained on
    before is dropped)."""
    import onnx
    from onnx import TensorProto, helper

    graph = model.graph
    for out in [o for o in graph.output if o.name.startswith(PREFIX)]:
        graph.output.remove(out)
    for node in [n for n in graph.node if n.op_type == "Identity"
                 and n.output and n.output[0].startswith(PREFIX)]:
        graph.node.remove(node)
    for layer in layers:
        name = output_name(layer)
        # An Identity node gives the tensor a stable public name whatever the exporter
        # called it; onnxruntime's optimizer removes it again.
        graph.node.append(helper.make_node("Identity", [layer_tensor(graph, layer)], [name],
                                           name=f"{name}_output"))
        graph.output.append(helper.make_tensor_value_info(
            name, TensorProto.FLOAT, ["batch", "seq", "hidden"]))
    onnx.checker.check_model(model)
    return model


def write_hidden_outputs(src: Path, dst: Path, layers: Sequence[int]) -> Path:
    """A copy of the ONNX file ``src`` with ``hidden_K`` outputs for ``layers``, written to
    ``dst`` (``dst`` may be ``src``: it is replaced whole, never half-written)."""
    import onnx

    model = with_hidden_outputs(onnx.load(str(src)), layers)
    tmp = dst.with_name(dst.name + ".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(dst)
    return dst


def add_hidden_output(model_dir: Path, layer: int) -> str:
    """Make ``hidden_states[layer]`` an output ``hidden_{layer}`` of ``model_dir/model.onnx``
    (replacing any other hidden output) and record ``hidden_layer`` and the file's new
    sha256 in ``model_dir/model.json``. Returns the output's name. Idempotent: a file that
    already has exactly that output is left as it is."""
    import onnx

    path = model_dir / "model.onnx"
    name = output_name(layer)
    outputs = [o.name for o in onnx.load(str(path), load_external_data=False).graph.output]
    if [o for o in outputs if o.startswith(PREFIX)] != [name]:
        write_hidden_outputs(path, path, [layer])
    info_path = model_dir / "model.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info["hidden_layer"] = layer
    info["onnx_sha256"] = file_sha256(path)
    info_path.write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return name
