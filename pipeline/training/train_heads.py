"""Training one small head (linear or one hidden layer) on encoder states, with early
stopping: what the event and claim trainers share (`pipeline.training.train_events`,
`pipeline.training.train_claims`). Needs torch (``lintas[train]``); the weights come back as
numpy arrays (`events_learned.HeadWeights`), which run without it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from pipeline.learned.events_learned import HeadWeights
from pipeline.learned.head_ensemble import average_heads

# an ensemble's members take seeds seed, seed + this, ...: member 0 is the head a run
# without an ensemble trains, and the members of seeds 0, 1, 2 never share a seed
ENSEMBLE_SEED_STEP = 1000


@dataclass
class HeadConfig:
    """A head's shape and its training recipe."""

    hidden: int = 0  # 0: linear; else the MLP's hidden width
    dropout: float = 0.1
    lr: float = 1e-3
    weight_decay: float = 1e-4
    epochs: int = 30
    batch: int = 256
    seed: int = 0
    # loss weight of a class: its count ** -power (0: plain cross-entropy), so that rare
    # event types are not drowned by "O"
    class_weight_power: float = 0.0
    # > 1: that many heads trained with seeds seed, seed + 1000, ... and folded into one
    # whose logits are their mean (`pipeline.learned.head_ensemble`)
    ensemble: int = 1


# the prototype's recipes (runs/evproto), per width
RECIPES = {0: {"lr": 3e-3, "epochs": 40}, 256: {"lr": 1e-3, "epochs": 30}}


def train_head(x: np.ndarray, y: np.ndarray, classes: int, cfg: HeadConfig,
               on_epoch: Callable[[int, HeadWeights], bool] | None = None,
               groups: int = 1) -> HeadWeights:
    """Fit a head on ``x`` (n x dims) and ``y`` (n class ids < ``classes``; with ``groups``
    > 1, n x groups: that many softmaxes of ``classes`` side by side, their losses summed)
    with AdamW and cross-entropy, seeded. ``on_epoch(epoch, weights)``, when given, is
    called after each epoch and may return True to stop (early stopping). With
    ``cfg.ensemble`` k > 1 (no ``on_epoch``), k seeds' heads folded into one."""
    import torch

    if cfg.ensemble > 1:
        if on_epoch is not None:
            raise ValueError("early stopping picks one head's epochs, not an ensemble's")
        return average_heads([train_head(x, y, classes, replace(
            cfg, ensemble=1, seed=cfg.seed + ENSEMBLE_SEED_STEP * i), groups=groups)
            for i in range(cfg.ensemble)])

    torch.manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    x = np.asarray(x, np.float32)
    mean = x.mean(axis=0)
    std = x.std(axis=0) + 1e-5
    xt = torch.from_numpy((x - mean) / std)
    y = np.asarray(y, np.int64).reshape(len(x), groups)
    yt = torch.from_numpy(y)
    layers: list[Any] = [torch.nn.Dropout(cfg.dropout)]
    if cfg.hidden:
        layers += [torch.nn.Linear(x.shape[1], cfg.hidden), torch.nn.GELU(approximate="tanh"),
                   torch.nn.Dropout(cfg.dropout)]
    layers.append(torch.nn.Linear(cfg.hidden or x.shape[1], classes * groups))
    net = torch.nn.Sequential(*layers)
    opt = torch.optim.AdamW(net.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    counts = np.bincount(y.ravel(), minlength=classes).astype(np.float32) + 1.0
    w = counts ** -cfg.class_weight_power
    weight = torch.from_numpy(w / (w * counts).sum() * counts.sum())  # mean weight 1

    def snapshot() -> HeadWeights:
        lin = [m for m in net if isinstance(m, torch.nn.Linear)]
        hw = HeadWeights(mean, std, lin[-1].weight.detach().numpy().T.copy(),
                         lin[-1].bias.detach().numpy().copy(), groups=groups)
        if cfg.hidden:
            hw.w1 = lin[0].weight.detach().numpy().T.copy()
            hw.b1 = lin[0].bias.detach().numpy().copy()
        return hw

    for epoch in range(cfg.epochs):
        net.train()
        order = torch.from_numpy(rng.permutation(len(x)))
        for i in range(0, len(x), cfg.batch):
            idx = order[i:i + cfg.batch]
            z = net(xt[idx]).reshape(len(idx) * groups, classes)
            loss = torch.nn.functional.cross_entropy(z, yt[idx].reshape(-1), weight=weight) * groups
            opt.zero_grad()
            loss.backward()
            opt.step()
        net.eval()
        if on_epoch is not None and on_epoch(epoch, snapshot()):
            break
    return snapshot()


def fit_early(x: np.ndarray, y: np.ndarray, classes: int, cfg: HeadConfig,
              score: Callable[[HeadWeights], float], patience: int = 5, groups: int = 1
              ) -> tuple[HeadWeights, int, float]:
    """Train with early stopping on ``score`` (higher is better, measured after each
    epoch): the best epoch's weights, the number of epochs to it, its score."""
    best: list[Any] = [None, 0, -1.0]

    def on_epoch(epoch: int, hw: HeadWeights) -> bool:
        s = score(hw)
        if s > best[2]:
            best[:] = [hw, epoch + 1, s]
        return epoch + 1 - best[1] >= patience

    train_head(x, y, classes, cfg, on_epoch, groups)
    return best[0], best[1], best[2]
