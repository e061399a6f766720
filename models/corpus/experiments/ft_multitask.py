"""Experiment (issue 13, session 24): the NER encoder fine-tuned on events and claims beside
names, so that one encoder pass still serves all three.

Starts from a trained NER model's float weights (``model.pt`` of `lintas train ner --engine
transformer`). Each step takes one batch of corpus train sentences, with two linear heads on
``hidden_states[LAYER]`` (the layer the shipped event and claim heads read): BIO over the
event types (`EVENT_NAMES`) and three O/B/I softmaxes for claim cue, speaker and content;
and, every ``--ner-every`` steps, one batch of the NER recipe's own training windows
(``models/ner-xx/train.json``), so that names are not forgotten. The epoch is chosen on the
inner split (events trigger + type F1 plus claims span F1, halved); the chosen weights are
written as ``model.pt`` in the NER layout (the two heads dropped: `lintas train events|claims`
then train their own heads on the new states, after `export_onnx.export`). Reports trigger +
type F1 of the auxiliary head on the inner split, dev (peeked, not chosen on) and Czech (held
out of the annotation), and NER F1 of the chosen weights on the named dev sets, scored by
the training's `TorchTagger` as the shipped model's seed spread was (session 23). Needs
``lintas[train]``. Not part of lintas' pipeline.

    python models/corpus/experiments/ft_multitask.py --init /path/model.pt --out ft-mt
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

REPO = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(REPO))
from pipeline.learned.e5blob import load_blob  # noqa: E402
from pipeline.learned.e5tokenizer import default_tokenizer  # noqa: E402
from pipeline.learned.token_windows import pad_batch  # noqa: E402
from pipeline.training.corpus_tasks import (CorpusTasks, claims_f1, corpus_rows,  # noqa: E402
                                            length_batches, pad_rows, trigger_f1)
from pipeline.training.export_onnx import load_finetuned  # noqa: E402
from pipeline.training.train_corpus import corpus_splits  # noqa: E402
from pipeline.training.train_transformer import (TorchTagger, build_data, load_config,  # noqa: E402
                                                 make_batches, model_scores, read_dev)

ap = argparse.ArgumentParser()
ap.add_argument("--init", required=True, help="model.pt of a trained NER model")
ap.add_argument("--ner-config", default=str(REPO / "models/ner-xx/train.json"))
ap.add_argument("--seed", type=int, default=2)
ap.add_argument("--epochs", type=int, default=4)
ap.add_argument("--lr", type=float, default=3e-5)
ap.add_argument("--head-lr", type=float, default=2e-3)
ap.add_argument("--batch", type=int, default=16)
ap.add_argument("--layer", type=int, default=6)
ap.add_argument("--ner-every", type=int, default=2, help="an NER batch every N steps (0: none)")
ap.add_argument("--ner-tokens", type=int, default=1024)
ap.add_argument("--ner-weight", type=float, default=1.0)
ap.add_argument("--aux-weight", type=float, default=1.0,
                help="weight of the event and claim losses (0: NER batches alone, a control)")
ap.add_argument("--ner-dev", default="id nergrit valid,id idner dev,bg ryanair,en uner dev")
ap.add_argument("--out", required=True)
ap.add_argument("--smoke", type=int, default=0, help="only N sentences per split (a quick check)")
args = ap.parse_args()

out = Path(args.out)
out.mkdir(parents=True, exist_ok=True)
torch.manual_seed(args.seed)
random.seed(args.seed)
np.random.seed(args.seed)
torch.set_num_threads(2)
log_file = open(out / "train.log", "a", encoding="utf-8")


def log(m):
    line = f"{time.strftime('%H:%M:%S')} {m}"
    print(line, flush=True)
    log_file.write(line + "\n")
    log_file.flush()


log(f"args {vars(args)}")
tok = default_tokenizer()
blob = load_blob()
model = load_finetuned(Path(args.init))
model.train()
model.bert.embeddings.word_embeddings.weight.requires_grad_(False)
# the heads, the train sentences (fit) and the inner split (val), as the recipe's corpus_tasks
tasks = CorpusTasks({"layer": args.layer, "inner_seed": args.seed}, tok,
                    model.config.hidden_size, args.seed, (blob.bos, blob.eos, blob.pad), log)
docs = corpus_splits(args.seed, None, log)[0]
fit, val = tasks.fit, tasks.inner
dev = corpus_rows([d for d in docs if d.split == "dev"], tok)
cs = corpus_rows([d for d in docs if d.split == "heldout"], tok)
if args.smoke:
    fit, val, dev, cs = (x[:args.smoke] for x in (fit, val, dev, cs))
log(f"fit {len(fit)} val {len(val)} dev {len(dev)} cs {len(cs)} sentences")

ner_cfg = load_config(Path(args.ner_config))
ner_rng = random.Random(args.seed)
ner_data, ner_plan = [], []
if args.ner_every:
    ner_cfg["seed"] = args.seed
    if args.smoke:
        ner_cfg["sources"] = ner_cfg["sources"][-1:]
    ner_data = build_data(ner_cfg, tok, log)


def next_ner_batch():
    global ner_plan
    if not ner_plan:
        ner_plan = make_batches(ner_data, args.ner_tokens, ner_rng)
    rows = [ner_data[i] for i in ner_plan.pop()]
    ids, mask = pad_batch([t for t, _ in rows], blob.bos, blob.eos, blob.pad)
    labels = np.full(ids.shape, -100, dtype=np.int64)
    for i, (_, lab) in enumerate(rows):
        labels[i, 1:len(lab) + 1] = lab
    return torch.from_numpy(ids), torch.from_numpy(mask), torch.from_numpy(labels)


def batches(items, size, shuffle):
    return length_batches(items, size, random if shuffle else None)  # the global, seeded RNG


def scores(items, by_lang=False):
    ev_p, cl_p = tasks.predict(model, items)
    rows = [(x.lang, x.text, x.enc, x.triggers) for x in items]
    return trigger_f1(rows, ev_p, 0.5, by_lang), claims_f1(items, cl_p)


enc_params = [p for p in model.parameters() if p.requires_grad]
head_params = tasks.parameters()
opt = torch.optim.AdamW([{"params": enc_params, "lr": args.lr},
                         {"params": head_params, "lr": args.head_lr}], weight_decay=0.01)
per_epoch = len(batches(fit, args.batch, False))
steps = args.epochs * per_epoch
warm = int(0.06 * steps)
sched = torch.optim.lr_scheduler.LambdaLR(
    opt, lambda s: min(1.0, (s + 1) / max(1, warm)) * max(0.0, (steps - s) / max(1, steps - warm)))
ce = torch.nn.CrossEntropyLoss(ignore_index=-100)
best = (-1.0, 0, None)
history = []
step = 0
t0 = time.time()
log(f"{per_epoch} steps an epoch, {steps} steps")
for ep in range(1, args.epochs + 1):
    sums = np.zeros(3)
    for ch in batches(fit, args.batch, True):
        loss_ev = loss_cl = loss = torch.zeros(())
        if args.aux_weight:
            ids, mask, ev_lab, cl_lab = (torch.from_numpy(a) for a in pad_rows(
                [fit[i] for i in ch], blob.bos, blob.eos, blob.pad))
            ev, cl = tasks.logits(model, ids, mask)
            loss_ev = ce(ev.reshape(-1, ev.shape[-1]), ev_lab.reshape(-1))
            loss_cl = ce(cl.reshape(-1, 3), cl_lab.reshape(-1))
            loss = args.aux_weight * (loss_ev + loss_cl)
        loss_ner = torch.zeros(())
        if args.ner_every and step % args.ner_every == 0:
            nids, nmask, nlab = next_ner_batch()
            loss_ner = model(input_ids=nids, attention_mask=nmask, labels=nlab).loss
            loss = loss + args.ner_weight * loss_ner
        if loss.requires_grad:  # the control has steps with neither task
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc_params + head_params, 1.0)
            opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        sums += [float(loss_ev.detach()), float(loss_cl.detach()), float(loss_ner.detach())]
        step += 1
        if step % 50 == 0:
            log(f"step {step}/{steps} loss ev {sums[0] / 50:.3f} cl {sums[1] / 50:.3f} "
                f"ner {sums[2] / 50:.3f} {time.time() - t0:.0f}s")
            sums[:] = 0
    vt, vc = scores(val)
    dt, dc = scores(dev)
    history.append({"epoch": ep, "inner": [vt, vc], "dev": [dt, dc]})
    log(f"epoch {ep} inner trig {vt:.3f} claims {vc:.3f} | dev(peek) trig {dt:.3f} "
        f"claims {dc:.3f} {time.time() - t0:.0f}s")
    chosen_by = (vt + vc) / 2 if args.aux_weight else ep  # the control keeps its last epoch
    if chosen_by > best[0]:
        best = (chosen_by, ep, copy.deepcopy(
            {k: v for k, v in model.state_dict().items() if "word_embeddings" not in k}),
            copy.deepcopy(tasks.state_dict()))
model.load_state_dict(best[2], strict=False)
tasks.load_state_dict(best[3])
torch.save(best[3], out / "heads.pt")
model.eval()
torch.save(best[2], out / "model.pt")
res = {"args": vars(args), "best_epoch": best[1], "history": history,
       "dev": scores(dev, True), "cs": scores(cs, True)}
log(f"chosen epoch {best[1]}: dev {res['dev']} cs {res['cs']}")
tagger = TorchTagger(model, tok, ner_cfg["window"], ner_cfg["overlap"])
wanted = [n for n in args.ner_dev.split(",") if n]
res["ner"] = {}
for name, exs in read_dev({**ner_cfg, "dev": [{**d, "limit": args.smoke or None}
                                               for d in ner_cfg["dev"]
                                               if d["name"] in wanted]}).items():
    res["ner"][name] = round(model_scores(tagger, exs)["overall"]["f"], 4)
    log(f"ner {name}: F1 {res['ner'][name]:.4f}")
(out / "result.json").write_text(json.dumps(res, indent=1), encoding="utf-8")
