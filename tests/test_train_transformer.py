"""`lintas train ner --engine transformer` end to end, on a tiny recipe: two phases of a
two-layer model on a few sentences and a one-layer student distilled from it, exported to
ONNX and read back by the backend."""

from __future__ import annotations

import json

import pytest

from conftest import needs_corpus, write

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


@needs_corpus
def test_corpus_tasks_beside_names(tmp_path, monkeypatch):
    """``corpus_tasks``: the encoder also learns events and claims from the annotated corpus
    (two auxiliary heads, left out of ``model.pt``); a run stopped after a checkpoint resumes
    with the same corpus batches and the heads' weights."""
    import torch

    from pipeline.learned.e5tokenizer import default_tokenizer
    from pipeline.training.corpus_tasks import CorpusTasks
    from pipeline.training.export_onnx import load_finetuned
    from pipeline.training.train_transformer import train_phase

    write(tmp_path / "train.txt", TRAIN)
    heads_seen = []  # the heads' weights when the inner split is scored, run by run
    scores = CorpusTasks.inner_scores

    def inner_scores(self, model):
        heads_seen.append(float(sum(p.detach().abs().sum() for p in self.parameters())))
        return scores(self, model)

    monkeypatch.setattr(CorpusTasks, "inner_scores", inner_scores)
    tasks_spec = {"limit_docs": 12, "batch": 4, "every": 2, "layer": 1}
    cfg = {"data_root": str(tmp_path), "seed": 0, "epochs": 4, "layers": 2, "lr": 3e-4,
           "batch_tokens": 512, "log_every": 2, "window": 126, "overlap": 32,
           "warmup": 0.1, "weight_decay": 0.01, "threads": 2, "checkpoint_minutes": 0,
           "pack_sentences": 0, "corpus_tasks": tasks_spec,
           "sources": [{"path": "train.txt", "lang": "id", "weight": 1}], "dev": []}
    info = train_phase(cfg, tmp_path / "run")
    inner = info["corpus_tasks_inner"]
    assert set(inner) == {"trigger_type_f1", "claims_f1"}
    assert all(0.0 <= v <= 1.0 for v in inner.values())
    log = (tmp_path / "run" / "train.log").read_text()
    assert "corpus tasks:" in log and "of which events and claims" in log
    # the auxiliary heads are in the checkpoint, not in the model the export reads
    state = torch.load(tmp_path / "run" / "checkpoint.pt", weights_only=False)
    assert set(state["corpus_tasks"]) == {"events", "claims"}
    load_finetuned(tmp_path / "run" / "model.pt")  # raises on keys it does not know
    # a second call resumes from the last checkpoint: the trained heads come back with the
    # encoder (fresh heads would not score the inner split the same)
    assert train_phase(cfg, tmp_path / "run")["corpus_tasks_inner"] == inner
    assert len(heads_seen) == 2 and heads_seen[0] == heads_seen[1]
    # a checkpoint written with other corpus tasks is refused, not silently mixed
    with pytest.raises(ValueError, match="L043"):
        train_phase({**cfg, "corpus_tasks": {**tasks_spec, "batch": 3}}, tmp_path / "run")
    # the corpus batch of a step depends on the step alone (what makes a resume exact):
    # asked in reverse order, or from the middle, the batches are the same
    tasks = CorpusTasks(tasks_spec, default_tokenizer(), 384, 0, (0, 2, 1), print)
    again = CorpusTasks(tasks_spec, default_tokenizer(), 384, 0, (0, 2, 1), print)
    steps = list(range(0, 2 * 2 * tasks.per_epoch + 2, 2))
    forward = [tasks.batch(s) for s in steps]
    assert [again.batch(s) for s in reversed(steps)] == forward[::-1]
    first = [i for s in range(0, 2 * tasks.per_epoch, 2) for i in tasks.batch(s)]
    assert sorted(first) == list(range(len(tasks.fit)))  # an epoch takes every sentence once
    assert tasks.batch(0) != tasks.batch(2 * tasks.per_epoch)  # the next epoch reshuffles

