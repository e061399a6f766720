"""Several heads trained on the same encoder layer, folded into one `HeadWeights` whose
logits are the mean of theirs (issue 13).

A head is ``(x - mean) / std``, optionally an MLP layer, then a linear layer. Each
member's normalisation is folded into its first matrix, so that the ensemble reads ``x``
as it is (mean 0, std 1); linear members add up into one matrix (``w0`` beside an MLP, or
``w2`` when every member is linear), and MLP members sit side by side in one wider hidden
layer whose output matrix carries the 1/k. The mean of k seeds' logits thus costs one head
pass, at most k times wider, and needs nothing new at run time.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from pipeline.learned.events_learned import HeadWeights


def _unnormalised(m: HeadWeights, w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``((x - mean) / std) @ w + b`` as ``x @ w' + b'``."""
    scaled = w / m.std[:, None]
    return scaled, b - (m.mean / m.std) @ w


def average_heads(members: Sequence[HeadWeights]) -> HeadWeights:
    """One head whose logits are the mean of ``members``' logits (same input width, groups
    and classes; each linear or one MLP layer, folded members included)."""
    if not members:
        raise ValueError("no heads to average")
    dims, out = members[0].mean.shape[0], members[0].b2.shape[0]
    if any(m.mean.shape[0] != dims or m.b2.shape[0] != out or m.groups != members[0].groups
           for m in members):
        raise ValueError("heads read different inputs or give different outputs")
    k = float(len(members))
    linear = np.zeros((dims, out), np.float64)
    bias = np.zeros(out, np.float64)
    w1s: list[np.ndarray] = []
    b1s: list[np.ndarray] = []
    w2s: list[np.ndarray] = []
    has_linear = False
    for m in members:
        bias += m.b2
        if m.w0 is not None:
            w0, b0 = _unnormalised(m, m.w0.astype(np.float64), np.zeros(out))
            linear += w0
            bias += b0
            has_linear = True
        if m.w1 is None:
            w, b = _unnormalised(m, m.w2.astype(np.float64), np.zeros(out))
            linear += w
            bias += b
            has_linear = True
        else:
            assert m.b1 is not None
            w1, b1 = _unnormalised(m, m.w1.astype(np.float64), m.b1.astype(np.float64))
            w1s.append(w1)
            b1s.append(b1)
            w2s.append(m.w2.astype(np.float64))
    zeros, ones = np.zeros(dims, np.float32), np.ones(dims, np.float32)
    b2 = (bias / k).astype(np.float32)
    if not w1s:
        return HeadWeights(zeros, ones, (linear / k).astype(np.float32), b2,
                           groups=members[0].groups)
    return HeadWeights(zeros, ones, (np.concatenate(w2s) / k).astype(np.float32), b2,
                       np.concatenate(w1s, axis=1).astype(np.float32),
                       np.concatenate(b1s).astype(np.float32), members[0].groups,
                       (linear / k).astype(np.float32) if has_linear else None)
