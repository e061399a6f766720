"""The pieces of a distillation phase (`pipeline.training.train_transformer`): the student's starting
weights taken from chosen teacher layers, and the loss that mixes gold labels and teacher."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")


def test_student_state_maps_chosen_layers():
    from pipeline.training.train_transformer import student_state

    teacher = {"bert.embeddings.word_embeddings.weight": torch.zeros(1),
               "classifier.weight": torch.ones(1)}
    for layer in range(4):
        teacher[f"bert.encoder.layer.{layer}.attention.self.query.weight"] = torch.full((1,), layer)
    student = student_state(teacher, [1, 3])
    assert float(student["bert.encoder.layer.0.attention.self.query.weight"]) == 1
    assert float(student["bert.encoder.layer.1.attention.self.query.weight"]) == 3
    assert "bert.encoder.layer.2.attention.self.query.weight" not in student
    assert float(student["classifier.weight"]) == 1


def test_distill_loss_mixes_gold_and_teacher():
    from pipeline.training.train_transformer import distill_loss

    logits = torch.tensor([[[2.0, 0.0, -1.0], [0.0, 1.0, 0.0]]])
    keep = torch.tensor([[True, False]])
    gold = torch.tensor(0.7)
    # a student that agrees with its teacher pays only the gold part
    same = distill_loss(logits, logits.clone(), keep, gold, 0.5, 2.0)
    assert float(same) == pytest.approx(0.35, abs=1e-6)
    # disagreement on a kept token costs; on a token left out (padding) it does not
    other = logits.clone()
    other[0, 0] = torch.tensor([-1.0, 0.0, 2.0])
    assert float(distill_loss(logits, other, keep, gold, 0.5, 2.0)) > 0.4
    padded = logits.clone()
    padded[0, 1] = torch.tensor([5.0, -5.0, 0.0])
    assert float(distill_loss(logits, padded, keep, gold, 0.5, 2.0)) == pytest.approx(0.35, abs=1e-6)
