"""The settings of the NER recipe's ``corpus_tasks`` (`pipeline.training.corpus_tasks`);
the training itself is tested in test_train_transformer.py (slow, needs the corpus)."""

from __future__ import annotations

import pytest


def test_corpus_tasks_settings_checked():
    """Unknown keys, a layer the model lacks and a step of 0 are refused; a later phase does
    not inherit corpus_tasks (its heads would start anew)."""
    from pipeline.training.corpus_tasks import checked_spec
    from pipeline.training.train_transformer import phases

    assert checked_spec({"layer": 12}, 12)["batch"] == 16
    for bad in ({"layr": 6}, {"layer": 13}, {"layer": 0}, {"every": 0}):
        with pytest.raises(ValueError, match="L043"):
            checked_spec(bad, 12)
    first, second = phases({"lr": 1e-4, "corpus_tasks": {"layer": 6}, "then": [{"lr": 5e-5}]})
    assert first["corpus_tasks"] == {"layer": 6} and "corpus_tasks" not in second
