"""Heads folded into one whose logits are the mean of theirs (`pipeline.learned.head_ensemble`)
and the trainers' ``ensemble`` option built on it."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.learned.events_learned import HeadWeights
from pipeline.learned.head_ensemble import average_heads

DIMS, HIDDEN, CLASSES = 12, 8, 5


def _head(rng: np.random.Generator, mlp: bool, groups: int = 1) -> HeadWeights:
    head = HeadWeights(rng.normal(size=DIMS).astype(np.float32),
                       rng.uniform(0.5, 2.0, size=DIMS).astype(np.float32),
                       rng.normal(size=(HIDDEN if mlp else DIMS, CLASSES * groups)).astype(np.float32),
                       rng.normal(size=CLASSES * groups).astype(np.float32), groups=groups)
    if mlp:
        head.w1 = rng.normal(size=(DIMS, HIDDEN)).astype(np.float32)
        head.b1 = rng.normal(size=HIDDEN).astype(np.float32)
    return head


@pytest.mark.parametrize("kinds", [(False, False, False), (True, True), (False, True, True),
                                   (True, False)])
def test_the_fold_gives_the_mean_of_the_members_logits(kinds):
    rng = np.random.default_rng(0)
    members = [_head(rng, mlp) for mlp in kinds]
    x = rng.normal(size=(30, DIMS)).astype(np.float32) * 3
    folded = average_heads(members)
    mean = np.mean([m.logits(x) for m in members], axis=0)
    assert np.allclose(folded.logits(x), mean, atol=1e-4)
    # linear members stay one matrix: no hidden layer unless a member has one
    assert (folded.w1 is None) == (not any(kinds))
    assert (folded.w0 is not None) == (any(kinds) and not all(kinds))
    # saved and read back like any head, and folded again with another
    again = HeadWeights.from_arrays(folded.arrays("h/"), "h/")
    assert np.allclose(again.logits(x), mean, atol=1e-4)
    extra = _head(rng, True)
    twice = average_heads([again, extra])
    assert np.allclose(twice.logits(x), (mean + extra.logits(x)) / 2, atol=1e-4)


def test_grouped_heads_fold_too():
    rng = np.random.default_rng(1)
    members = [_head(rng, True, groups=3), _head(rng, False, groups=3)]
    x = rng.normal(size=(7, DIMS)).astype(np.float32)
    folded = average_heads(members)
    assert folded.logits(x).shape == (7, 3, CLASSES)
    assert np.allclose(folded.logits(x), np.mean([m.logits(x) for m in members], axis=0),
                       atol=1e-4)


def test_heads_of_different_shapes_are_refused():
    rng = np.random.default_rng(2)
    other = HeadWeights(np.zeros(DIMS + 1, np.float32), np.ones(DIMS + 1, np.float32),
                        np.zeros((DIMS + 1, CLASSES), np.float32), np.zeros(CLASSES, np.float32))
    with pytest.raises(ValueError):
        average_heads([_head(rng, False), other])
    with pytest.raises(ValueError):
        average_heads([])


def test_an_ensemble_is_its_seeds_heads_averaged():
    """``HeadConfig.ensemble`` k trains the heads of seeds seed, seed + 1000, ... (member 0
    is the head a run without an ensemble trains) and folds them."""
    pytest.importorskip("torch")
    from pipeline.training.train_heads import ENSEMBLE_SEED_STEP, HeadConfig, train_head

    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, DIMS)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1)
    cfg = HeadConfig(hidden=0, seed=4, epochs=3, batch=32)
    members = [train_head(x, y, 3, HeadConfig(**{**cfg.__dict__,
                                                 "seed": 4 + ENSEMBLE_SEED_STEP * i}))
               for i in range(3)]
    ens = train_head(x, y, 3, HeadConfig(**{**cfg.__dict__, "ensemble": 3}))
    assert np.allclose(ens.logits(x), np.mean([m.logits(x) for m in members], axis=0),
                       atol=1e-4)
    # the members differ, or there would be nothing to average
    assert not np.allclose(members[0].logits(x), members[1].logits(x), atol=1e-3)
    with pytest.raises(ValueError):
        train_head(x, y, 3, HeadConfig(**{**cfg.__dict__, "ensemble": 2}),
                   on_epoch=lambda epoch, hw: False)
