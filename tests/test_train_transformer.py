"""`lintas train ner --engine transformer` end to end, on a tiny recipe: two phases of a
two-layer model on a few sentences and a one-layer student distilled from it, exported to
ONNX and read back by the backend."""

from __future__ import annotations

import json

import pytest

from conftest import write

pytestmark = pytest.mark.slow  # fine-tuning and exporting take about a minute on 2 cores

TRAIN = """Presiden\tO
Joko\tB-PERSON
Widodo\tI-PERSON
mengunjungi\tO
Jakarta\tB-PLACE
.\tO

Pertamina\tB-ORGANISATION
membangun\tO
kilang\tO
di\tO
Balikpapan\tB-PLACE
.\tO
"""


def test_two_phases_export_and_load(tmp_path):
    import torch
    from typer.testing import CliRunner

    from cli import app
    from pipeline.backends.ner_transformer import TransformerNer
    from pipeline.core.document import Document

    data = write(tmp_path / "train.txt", TRAIN)
    recipe = {"data_root": str(tmp_path), "seed": 0, "epochs": 30, "layers": 2, "lr": 3e-4,
              "batch_tokens": 512, "log_every": 10,
              "sources": [{"path": "train.txt", "lang": "id", "weight": 1}],
              "dev": [{"name": "train", "path": "train.txt", "lang": "id"}],
              "then": [{"epochs": 5, "lr": 1e-4},
                       # a one-layer student of phase 2, distilled: what is exported
                       {"epochs": 20, "lr": 3e-4, "distill": {"layers": [1], "weight": 0.5}}]}
    config = write(tmp_path / "train.json", json.dumps(recipe))
    out = tmp_path / "ner-tiny"
    result = CliRunner().invoke(app, ["train", "ner", "--engine", "transformer", "--config",
                                      str(config), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for name in ("model.onnx", "model.json", "embeddings-pruned.npz", "tokenizer-pruned.json",
                 "training.json", "train.json"):
        assert (out / name).exists(), name
    record = json.loads((out / "training.json").read_text())
    assert record["phases"] == 3
    assert (tmp_path / "ner-tiny.work" / "phase2" / "model.pt").exists()
    student = torch.load(tmp_path / "ner-tiny.work" / "phase3" / "model.pt", weights_only=False)
    assert {k.split(".")[3] for k in student if k.startswith("bert.encoder.layer.")} == {"0"}
    # the backend reads the export; on its own training sentence it has learnt the names
    backend = TransformerNer(model_dir=str(out))
    text = data.read_text().split("\n\n")[0]
    text = " ".join(line.split("\t")[0] for line in text.splitlines())
    doc = Document("t", "t", text)
    found = {(m.text, m.label) for m in backend.find_batch([doc], [text])[0]}
    assert ("Jakarta", "LOC") in found
    assert record["onnx_int8_dev"]["wheel"]["train"]["overall"]["f"] > 0.5
