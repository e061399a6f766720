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


def test_heads_refuse_an_encoder_that_saw_their_inner_split(tmp_path):
    """`lintas train events|claims` on an encoder that learned the corpus beside names must
    choose on the inner split it left out: another seed or other skipped batches (another
    inner split, whose documents it saw) are refused; an encoder that never read the corpus
    (the shipped recipe) takes any seed."""
    import json

    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_corpus import check_unseen_inner

    assert check_unseen_inner(models_dir() / "ner-xx", 0) is False
    recipe = json.loads((models_dir() / "ner-xx" / "train.json").read_text(encoding="utf-8"))
    (tmp_path / "train.json").write_text(json.dumps(
        {**recipe, "corpus_tasks": {"layer": 6, "inner_seed": 2}}), encoding="utf-8")
    assert check_unseen_inner(tmp_path, 2) is True
    with pytest.raises(ValueError, match="L044.*--seed 2"):
        check_unseen_inner(tmp_path, 0)
    with pytest.raises(ValueError, match="L044"):
        check_unseen_inner(tmp_path, 2, ["bg-25"])
