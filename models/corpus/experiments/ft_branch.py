"""Experiment (issue 13, session 20): a branch of K transformer layers, initialised from
e5's layers 7..6+K (``--random-init``: not), with a token classifier for event triggers,
trained on the shipped NER encoder's layer-6 states of the corpus (read by the int8 graph as
the pipeline reads them, cached in ``--work``), so that one NER pass would still serve it.
Beside it, the shipped linear head on the same states. Epoch and threshold chosen on the
inner split; dev and Czech trigger + type F1 reported. Needs ``lintas[train]``.

    python models/corpus/experiments/ft_branch.py --layers 2 --out ft-branch.json
"""
import argparse
import copy
import json
import random
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))  # the repository
sys.path.insert(0, str(Path(__file__).resolve().parent))  # common.py
from common import trigger_f1 as probs_f1  # noqa: E402
from pipeline.training.e5model import base_model  # noqa: E402
from pipeline.learned.event_features import bio_labels  # noqa: E402
from pipeline.learned.events_learned import load_heads  # noqa: E402
from pipeline.lexicon.lexicons import models_dir  # noqa: E402
from pipeline.learned.token_windows import softmax  # noqa: E402
from pipeline.training.train_corpus import corpus_splits, encode_documents, examples  # noqa: E402
from pipeline.training.train_events import EVENT_NAMES, trigger_f1  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=2)
ap.add_argument("--layers", type=int, default=2)
ap.add_argument("--epochs", type=int, default=12)
ap.add_argument("--lr", type=float, default=1e-4)
ap.add_argument("--head-lr", type=float, default=2e-3)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--random-init", action="store_true")
ap.add_argument("--work", default="branch-work", help="where the encoder states are cached")
ap.add_argument("--out", default="ft-branch.json")
args = ap.parse_args()
torch.manual_seed(args.seed)
random.seed(args.seed)
torch.set_num_threads(2)
log = lambda m: print(time.strftime("%H:%M:%S"), m, flush=True)  # noqa: E731

docs, held, train_docs = corpus_splits(args.seed, None, log)
ner_dir = models_dir() / "ner-xx"
states = encode_documents(docs, ner_dir, (6,), Path(args.work), log)
exs = examples(docs, states)
split = {d.doc: d.split for d in docs}
fit = [e for e in exs if split[e.doc] == "train" and e.doc not in held]
val = [e for e in exs if split[e.doc] == "train" and e.doc in held]
dev = [e for e in exs if split[e.doc] == "dev"]
cs = [e for e in exs if split[e.doc] == "heldout"]
log(f"fit {len(fit)} val {len(val)} dev {len(dev)} cs {len(cs)}")

heads = load_heads()
base = {"dev": trigger_f1(heads, dev, 0, by_lang=True), "cs": trigger_f1(heads, cs, 0, by_lang=True),
        "inner": trigger_f1(heads, val, 0)}
log(f"shipped linear head: {base}")


class Branch(torch.nn.Module):
    def __init__(self, k):
        super().__init__()
        enc = base_model()
        self.layers = torch.nn.ModuleList(copy.deepcopy(enc.encoder.layer[6:6 + k]))
        if args.random_init:
            for layer in self.layers:
                layer.apply(enc._init_weights)
        del enc
        self.drop = torch.nn.Dropout(0.1)
        self.cls = torch.nn.Linear(384, len(EVENT_NAMES))

    def forward(self, x, mask):
        ext = (1.0 - mask[:, None, None, :].float()) * -1e4
        for layer in self.layers:
            out = layer(x, attention_mask=ext)
            x = out[0] if isinstance(out, tuple) else out
        return self.cls(self.drop(x))


model = Branch(args.layers)
labels = {id(e): bio_labels(e.enc, e.triggers, EVENT_NAMES) for e in exs}


def batch(items):
    n = max(len(e.enc) for e in items)
    x = np.zeros((len(items), n, 384), np.float32)
    mask = np.zeros((len(items), n), np.int64)
    lab = np.full((len(items), n), -100, np.int64)
    for i, e in enumerate(items):
        k = len(e.enc)
        x[i, :k] = e.states[:, 0]
        mask[i, :k] = 1
        lab[i, :k] = labels[id(e)]
    return torch.from_numpy(x), torch.from_numpy(mask), torch.from_numpy(lab)


def chunks(items, size, shuffle):
    order = sorted(range(len(items)), key=lambda i: len(items[i].enc))
    out = [order[k:k + size] for k in range(0, len(order), size)]
    if shuffle:
        random.shuffle(out)
    return out


@torch.no_grad()
def predict(items):
    model.eval()
    probs = [None] * len(items)
    for ch in chunks(items, 32, False):
        x, mask, _ = batch([items[i] for i in ch])
        lo = model(x, mask).numpy()
        for r, i in enumerate(ch):
            probs[i] = softmax(lo[r, :len(items[i].enc)])
    model.train()
    return probs


def f1(items, probs, thr=0.5, by_lang=False):
    return probs_f1([(e.lang, e.text, e.enc, e.triggers) for e in items], probs, thr, by_lang)


head = list(model.cls.parameters())
hid = {id(p) for p in head}
opt = torch.optim.AdamW([{"params": [p for p in model.parameters() if id(p) not in hid],
                          "lr": args.lr}, {"params": head, "lr": args.head_lr}], weight_decay=0.01)
steps = args.epochs * len(chunks(fit, args.batch, False))
warm = int(0.06 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (steps - s) / max(1, steps - warm)))
lossf = torch.nn.CrossEntropyLoss(ignore_index=-100)
best = (-1.0, 0, None)
hist = []
t0 = time.time()
for ep in range(1, args.epochs + 1):
    tot = 0.0
    for ch in chunks(fit, args.batch, True):
        x, mask, lab = batch([fit[i] for i in ch])
        loss = lossf(model(x, mask).reshape(-1, len(EVENT_NAMES)), lab.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        tot += float(loss.detach())
    vf = f1(val, predict(val))
    df = f1(dev, predict(dev))
    hist.append({"epoch": ep, "loss": tot, "inner": vf, "dev": df})
    log(f"epoch {ep} loss {tot:.1f} inner {vf:.3f} dev(peek) {df:.3f} {time.time() - t0:.0f}s")
    if vf > best[0]:
        best = (vf, ep, copy.deepcopy(model.state_dict()))
model.load_state_dict(best[2])
pv = predict(val)
thrs = {t: f1(val, pv, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)}
thr = max(thrs, key=lambda t: (thrs[t], -abs(t - 0.5)))
res = {"args": vars(args), "baseline": base, "best_epoch": best[1], "inner": best[0],
       "thresholds": thrs, "threshold": thr, "dev": f1(dev, predict(dev), thr, True),
       "cs": f1(cs, predict(cs), thr, True), "history": hist}
log(json.dumps({k: res[k] for k in ("best_epoch", "inner", "threshold", "dev", "cs")}))
json.dump(res, open(args.out, "w"), indent=1)
