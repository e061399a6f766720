"""`lintas train events`: the learned event heads of ``models/events-xx`` (issue 13).

From the hand-annotated corpus (``models/corpus``; its sources in ``../shared/data``) and
the shipped NER encoder (``models/ner-xx``), seeded and reproducible:

1. **States.** Each annotated document is rebuilt as `lintas evaluate events` rebuilds it
   (the stretch of its source from its first to its last annotated sentence; in UD's
   CoNLL-U, the sentences' text lines alone), cleaned as
   the ``clean`` stage cleans it, and read by the int8 ONNX encoder exactly as the NER stage
   reads it (`OnnxEncoder.spans_and_states`: same windows, same float16 states), from a
   copy of the graph that returns every candidate layer. Cached in the work folder.
2. **Inner split.** 15% of the train documents of each language (seeded) are held out to
   choose on; the dev split chooses nothing.
3. **Trigger head** (per-token BIO over the event types): for each candidate layer and
   width (linear or one hidden layer), trained on the rest with early stopping on the
   inner split's trigger + type F1; the best, then the threshold on the not-``O``
   probability, are chosen there.
4. **Mode and modality heads** (on a trigger's pooled states): kept when they beat their
   majority baselines (the type's most frequent mode; the most frequent modality) on the
   inner split.
5. **Merge.** The inner split's documents go through `lintas run`'s default stages with
   the heads trained so far (so Indonesian, read by its spaCy NER, keeps its lexicons
   alone, as it does by default); the merge of learned and lexicon triggers
   (`events_learned.MERGES`) and the use of the modality head are chosen on trigger + type
   F1 and modality accuracy: of the merges within `TRIGGER_MARGIN` of the best, the one
   that leans most on the lexicons.
6. **Final heads** are retrained on the whole train split with the chosen settings, the
   chosen layer becomes an output of ``models/ner-xx/model.onnx``
   (`onnx_outputs.add_hidden_output`), and ``heads.npz``, ``model.json`` and the card are
   written; the dev split is scored last (`pipeline.evaluation.evaluate_corpus`), for the card only.

Training needs torch (``lintas[train]``); the heads are saved as numpy arrays and run
without it (`pipeline.learned.events_learned`).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.learned.event_args import ARGUMENT_MERGES, OWN_FIELD, ROLE_NAMES, argument_features
from pipeline.learned.event_features import bio_labels, overlap_ratio, pooled
from pipeline.learned.events_learned import (HEADS, MERGES, TRIGGER_MARGIN, TRIGGER_MERGE_ORDER, EventHeads,
                             HeadWeights, reload)
from pipeline.lexicon.lexicons import models_dir
from pipeline.training.train_corpus import (Example, Log, check_unseen_inner, corpus_splits,
                                            encode_documents, examples, provenance)
from pipeline.training.events_scores import dev_scores, heldout_scores, pipeline_scores
from pipeline.training.train_heads import RECIPES, HeadConfig, fit_early, train_head
from pipeline.evaluation.evaluate_corpus import gold_documents
from pipeline.learned.onnx_outputs import add_hidden_output
from pipeline.training.events_card import write_card
from pipeline.training.trigger_scores import (EVENT_NAMES, EVENT_TYPES, THRESHOLDS, trigger_data,
                                              trigger_f1, unseen_threshold)

VERSION = "4"
MODALITIES = ("asserted", "negated", "planned", "hypothetical", "requested")
# the argument head's: its best lay at the top of THRESHOLDS in the first run
ARG_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9)
# inner-split differences of argument F1 up to this are noise (the claims trainer's margin,
# `train_claims.MARGIN`, measured between heads trained alike)
ARGUMENT_MARGIN = 0.04
# argument heads to try (each on the inner split's gold triggers). Linear only: in session
# 13 MLPs of 256 and 512 scored 0.410 and 0.435 there against 0.360, but through the
# pipeline the 512 one moved argument F1 by +0.006 on dev and -0.007 on Czech (one or two
# arguments): not confirmed, so the smaller head stays
ARG_WIDTHS = (0,)
LAYERS = (6, 8, 10)  # candidate encoder layers (4 and 5 scored below 6 on the first encoder)


def pooled_data(exs: Sequence[Example], li: int) -> tuple[np.ndarray, list[tuple[str, str, str]]]:
    """Pooled features of every gold trigger and its (type, mode, modality)."""
    feats, gold = [], []
    for e in exs:
        st = np.asarray(e.states[:, li], np.float32)
        for s, t_end, typ, mode, modality in e.events:
            feats.append(pooled(st, e.enc, s, t_end))
            gold.append((typ, mode, modality))
    dims = exs[0].states.shape[-1] * 2 if exs else 0
    return (np.stack(feats) if feats else np.zeros((0, dims), np.float32)), gold


def argument_data(exs: Sequence[Example], li: int) -> tuple[np.ndarray, np.ndarray]:
    """One row per token and gold event (`event_args.argument_features` of layer index
    ``li``) and its BIO id over the argument roles."""
    xs, ys = [], []
    for e in exs:
        for (ts, te, *_), args in zip(e.events, e.args):
            feats = argument_features(e.states[:, li], e.enc, ts, te)
            if feats is not None:
                xs.append(feats)
                ys.append(bio_labels(e.enc, [(a, b, role) for role, a, b in args], ROLE_NAMES))
    if not xs:
        return np.zeros((0, 1), np.float32), np.zeros(0, np.int64)
    return np.concatenate(xs), np.concatenate(ys)


def argument_f1(heads: EventHeads, exs: Sequence[Example], li: int,
                threshold: float | None = None) -> float:
    """Argument role F1 of ``heads``' argument head on the gold triggers of ``exs``, as
    `lintas evaluate events` counts a right argument (its role, and at least half of the
    longer span shared), over the roles events give as arguments (not `OWN_FIELD`)."""
    tp = n_pred = n_gold = 0
    for e in exs:
        for (ts, te, *_), args in zip(e.events, e.args):
            pred = [(s, en, r) for s, en, r in heads.arguments(
                e.text, e.enc, e.states[:, li], ts, te, threshold) if r not in OWN_FIELD]
            gold = [(r, a, b) for r, a, b in args if r not in OWN_FIELD]
            used: set[int] = set()
            for s, en, role in pred:
                for k, (r, a, b) in enumerate(gold):
                    if k not in used and r == role and overlap_ratio((s, en), (a, b)) >= 0.5:
                        used.add(k)
                        break
            tp += len(used)
            n_pred += len(pred)
            n_gold += len(gold)
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def _heads(info: dict[str, Any], trigger: HeadWeights, modality: HeadWeights | None = None,
           mode: HeadWeights | None = None, args: HeadWeights | None = None) -> EventHeads:
    return EventHeads(info, trigger, modality, mode, args)


# ---------------------------------------------------------------------------------------
# The build


def build_events_model(out: Path, *, ner_dir: Path | None = None, work: Path | None = None,
                       seed: int = 0, layers: Sequence[int] = LAYERS,
                       widths: Sequence[int] = (0, 256), limit_docs: int | None = None,
                       max_epochs: int | None = None, evaluate: bool = True,
                       log: Log = print, skip_batches: Sequence[str] = (),
                       ensemble: int = 1) -> dict[str, Any]:
    """Train, choose, write ``out`` (heads.npz, model.json, README.md); returns model.json.

    ``skip_batches``: corpus batches left out (`train_corpus.corpus_documents`).
    ``ensemble``: each final head is the mean of that many seeds' heads, trained with the
    settings and epochs chosen for one (`train_heads.HeadConfig.ensemble`).
    ``ner_dir``: the NER model whose encoder the heads read (default ``models/ner-xx``; its
    ``model.onnx`` gets the chosen layer as an output). ``limit_docs``: the first documents
    of each split only and ``max_epochs``: fewer epochs (both for tests)."""
    import torch

    torch.set_num_threads(1)  # the same numbers on any machine, and the other core free
    started = time.time()
    ner_dir = ner_dir or models_dir() / "ner-xx"
    work = work or out.with_name(out.name + ".work")
    ner_options = {"transformer": {"model_dir": str(ner_dir)}}
    layers = tuple(sorted(set(layers)))
    check_unseen_inner(ner_dir, seed, skip_batches)
    docs, held, train_docs = corpus_splits(seed, limit_docs, log, skip_batches=skip_batches)
    states = encode_documents(train_docs, ner_dir, layers, work, log)
    exs = examples(train_docs, states)
    fit = [e for e in exs if e.doc not in held]
    val = [e for e in exs if e.doc in held]
    log(f"{len(fit)} sentences to fit, {len(val)} to choose on")

    # -- trigger head: layer x width, early stopping on the inner split
    grid = []
    best: dict[str, Any] = {}
    for layer in layers:
        li = layers.index(layer)
        x, y = trigger_data(fit, li)
        for width in widths:
            recipe = RECIPES.get(width, RECIPES[256])
            cfg = HeadConfig(hidden=width, seed=seed, lr=recipe["lr"],
                             epochs=min(recipe["epochs"], max_epochs or recipe["epochs"]))
            info = {"layer": layer, "types": list(EVENT_TYPES), "threshold": 0.5}
            hw, epochs, f1 = fit_early(x, y, len(EVENT_NAMES), cfg,
                                       lambda h: trigger_f1(_heads(info, h), val, li))
            grid.append({"layer": layer, "hidden": width, "epochs": epochs, "inner_f1": f1})
            log(f"  trigger head layer {layer} width {width}: inner F1 {f1:.3f} "
                f"at epoch {epochs}")
            if f1 > best.get("inner_f1", -1):
                best = {**grid[-1], "weights": hw}
    layer, li = best["layer"], layers.index(best["layer"])
    info: dict[str, Any] = {"layer": layer, "types": list(EVENT_TYPES), "threshold": 0.5}
    thr_scores = {t: trigger_f1(_heads(info, best["weights"]), val, li, t) for t in THRESHOLDS}
    threshold = max(THRESHOLDS, key=lambda t: (thr_scores[t], -abs(t - 0.5)))
    info["threshold"] = threshold
    log(f"chosen: layer {layer}, width {best['hidden']}, threshold {threshold} "
        f"(inner F1 {thr_scores[threshold]:.3f})")
    # a language without annotation reads less surely than the ones learned from (Czech,
    # held out, recalled 0.25 of its triggers at the seen languages' threshold in session
    # 30): its threshold is chosen as if each training language were the new one
    recipe = RECIPES.get(best["hidden"], RECIPES[256])
    final_cfg = HeadConfig(hidden=best["hidden"], seed=seed, lr=recipe["lr"],
                           epochs=max(1, best["epochs"]), ensemble=ensemble)
    log("each training language left out in turn:")
    unseen = unseen_threshold(exs, held, li, info, final_cfg, log)
    if unseen is not None:
        info["unseen"] = {k: unseen[k] for k in ("languages", "threshold")}

    # -- mode and modality heads on gold triggers' pooled states
    px_fit, g_fit = pooled_data(fit, li)
    px_val, g_val = pooled_data(val, li)
    type_modes = Counter((t, m) for t, m, _ in g_fit)
    majority: dict[str, str] = {}
    for (t, m), _ in sorted(type_modes.items(), key=lambda kv: (-kv[1], kv[0])):
        majority.setdefault(t, m)
    pairs = sorted(type_modes)
    info.update(modes=[list(p) for p in pairs], majority_mode=majority,
                modalities=list(MODALITIES))
    pcfg = HeadConfig(hidden=256, seed=seed, lr=1e-3, epochs=min(30, max_epochs or 30))
    mode_base = float(np.mean([majority.get(t) == m for t, m, _ in g_val])) if g_val else 0.0

    def mode_acc(h: HeadWeights) -> float:
        eh = _heads({**info, "mode_source": "head"}, best["weights"], mode=h)
        return float(np.mean([eh.predict_mode(f, t) == m for f, (t, m, _) in zip(px_val, g_val)]))

    mode_hw, mode_epochs, mode_val = fit_early(
        px_fit, np.array([pairs.index((t, m)) for t, m, _ in g_fit]), len(pairs), pcfg, mode_acc)
    info["mode_source"] = "head" if mode_val > mode_base else "majority"
    log(f"mode: head {mode_val:.3f} vs the type's most frequent mode {mode_base:.3f} "
        f"on the inner split's gold triggers -> {info['mode_source']}")
    mod_counts = Counter(m for _, _, m in g_fit)
    mod_base = float(np.mean([m == mod_counts.most_common(1)[0][0] for _, _, m in g_val]))

    def modality_acc(h: HeadWeights) -> float:
        eh = _heads(info, best["weights"], modality=h)
        return float(np.mean([eh.predict_modality(f) == m for f, (_, _, m) in zip(px_val, g_val)]))

    mod_hw, mod_epochs, mod_val = fit_early(
        px_fit, np.array([MODALITIES.index(m) for _, _, m in g_fit]), len(MODALITIES), pcfg,
        modality_acc)
    log(f"modality: head {mod_val:.3f} vs majority {mod_base:.3f} on the inner split's "
        "gold triggers")

    # -- merge and modality head, through the pipeline on the inner split's documents
    add_hidden_output(ner_dir, layer)
    fit_heads = _heads(info, best["weights"], modality=mod_hw,
                       mode=mode_hw if info["mode_source"] == "head" else None)
    variants = {m: {"merge": m, "modality_head": False} for m in MERGES}
    golds = [g for g in gold_documents("train") if g.doc in held]
    log(f"the inner split through the pipeline ({len(golds)} documents):")
    inner = pipeline_scores(golds, variants, fit_heads, ner_options, log)

    def f1_of(name: str) -> float:
        return inner[name].get("all", {}).get("trigger_type", {}).get("f", 0.0)

    # the lexicons' triggers stay unless the heads measurably beat them (as for the
    # arguments below and the claims' merge): a lexicon hit is precise evidence, and with
    # `union` a learned trigger of another type on its words made a second event there
    # (the Russian "атаковала": ASSAULT by the lexicon, PROTEST by a head)
    best_merge = max(f1_of(m) for m in MERGES)
    merge = next(m for m in TRIGGER_MERGE_ORDER if f1_of(m) >= best_merge - TRIGGER_MARGIN)
    with_head = f"{merge} + modality head"
    inner.update(pipeline_scores(golds, {with_head: {"merge": merge, "modality_head": True}},
                                 fit_heads, ner_options, log))

    def modality_of(name: str) -> float:
        return inner[name].get("all", {}).get("modality_of_paired", {}).get("p", 0.0)

    info["merge"] = merge
    info["modality_head"] = modality_of(with_head) > modality_of(merge)
    log(f"chosen: merge {merge}, modality head {'on' if info['modality_head'] else 'off'}")

    # -- argument head on gold triggers, then how it joins the rules, through the pipeline
    ax, ay = argument_data(fit, li)
    args_grid = []
    args_val = -1.0
    for width in ARG_WIDTHS:
        cfg = HeadConfig(hidden=width, seed=seed, lr=RECIPES[0]["lr"] if not width else 1e-3,
                         epochs=min(30, max_epochs or 30), batch=512)
        # early stopping on the best threshold's F1 (epochs and threshold chosen together):
        # the linear head's F1 dips over the first epochs, so patience is long
        hw, epochs, f1 = fit_early(
            ax, ay, len(ROLE_NAMES), cfg,
            lambda h: max(argument_f1(_heads(info, best["weights"], args=h), val, li, t)
                          for t in ARG_THRESHOLDS), patience=8)
        log(f"  argument head width {width}: inner F1 {f1:.3f} on gold triggers at epoch {epochs}")
        args_grid.append({"hidden": width, "epochs": epochs, "inner_f1": f1})
        if f1 > args_val:
            args_hw, args_epochs, args_val, acfg = hw, epochs, f1, cfg
    arg_thr = {t: argument_f1(_heads(info, best["weights"], args=args_hw), val, li, t)
               for t in ARG_THRESHOLDS}
    info["argument_threshold"] = max(ARG_THRESHOLDS, key=lambda t: (arg_thr[t], -t))
    log(f"argument head: width {acfg.hidden}, inner F1 {args_val:.3f} at epoch {args_epochs}; "
        "thresholds " + ", ".join(f"{t}: {v:.3f}" for t, v in arg_thr.items()))
    arg_heads = _heads({**info, "arguments": "rules"}, best["weights"], modality=mod_hw,
                       mode=mode_hw if info["mode_source"] == "head" else None, args=args_hw)
    chosen = {"merge": merge, "modality_head": info["modality_head"]}
    arg_names = {how: f"arguments {how}" for how in ARGUMENT_MERGES}
    inner.update(pipeline_scores(golds, {arg_names[how]: {**chosen, "arguments": how}
                                         for how in ARGUMENT_MERGES}, arg_heads, ner_options, log))

    def arguments_of(how: str) -> float:
        return inner[arg_names[how]].get("all", {}).get("argument_role", {}).get("f", 0.0)

    # the rules' arguments stay unless the head measurably beats them: the first of
    # ARGUMENT_MERGES (rules, rules_first, learned_first, learned) within the margin of the
    # best (in session 13 `learned_first` won by 0.004 on the inner split and took
    # Indonesian's dev argument F1 from 0.27 to 0.09, where the rules are rich)
    best_args = max(arguments_of(how) for how in ARGUMENT_MERGES)
    info["arguments"] = next(how for how in ARGUMENT_MERGES
                             if arguments_of(how) >= best_args - ARGUMENT_MARGIN)
    log(f"chosen: arguments {info['arguments']}")

    # -- final heads on the whole train split, the chosen settings and epochs
    x, y = trigger_data(exs, li)
    trig = train_head(x, y, len(EVENT_NAMES), final_cfg)
    px, g = pooled_data(exs, li)
    # the modes of the whole train split (a mode may be seen in the inner split only)
    type_modes = Counter((t, m) for t, m, _ in g)
    majority = {}
    for (t, m), _ in sorted(type_modes.items(), key=lambda kv: (-kv[1], kv[0])):
        majority.setdefault(t, m)
    pairs = sorted(type_modes)
    info.update(modes=[list(p) for p in pairs], majority_mode=majority)
    arrays = trig.arrays("trigger/")
    if info["mode_source"] == "head":
        arrays.update(train_head(px, np.array([pairs.index((t, m)) for t, m, _ in g]),
                                 len(pairs), HeadConfig(**{**pcfg.__dict__,
                                                           "epochs": max(1, mode_epochs),
                                                           "ensemble": ensemble})
                                 ).arrays("mode/"))
    if info["arguments"] != "rules":
        ax, ay = argument_data(exs, li)
        arrays.update(train_head(ax, ay, len(ROLE_NAMES), HeadConfig(
            **{**acfg.__dict__, "epochs": max(1, args_epochs), "ensemble": ensemble})
            ).arrays("args/"))
    if info["modality_head"]:
        arrays.update(train_head(px, np.array([MODALITIES.index(m) for _, _, m in g]),
                                 len(MODALITIES), HeadConfig(**{**pcfg.__dict__,
                                                                "epochs": max(1, mod_epochs),
                                                                "ensemble": ensemble})
                                 ).arrays("modality/"))
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / HEADS, **{k: (v.astype(np.float32) if v.dtype.kind == "f" else v)
                                        for k, v in arrays.items()})
    ner_info = json.loads((ner_dir / "model.json").read_text(encoding="utf-8"))
    info = {
        "name": "lintas-events-xx", "version": VERSION, **info,
        "hidden": best["hidden"], "epochs": best["epochs"], "seed": seed, "ensemble": ensemble,
        **provenance(ner_info, layer, docs, exs, held, limit_docs, skip_batches),
        "choice": {"trigger_grid": grid, "thresholds": thr_scores,
                   **({"unseen": unseen["choice"]} if unseen else {}),
                   "mode": {"head": mode_val, "majority": mode_base},
                   "arguments": {"inner_f1_gold_triggers": args_val, "epochs": args_epochs,
                                 "hidden": acfg.hidden, "grid": args_grid,
                                 "thresholds": arg_thr},
                   "modality": {"head": mod_val, "majority": mod_base},
                   "pipeline": {k: v.get("all", {}) for k, v in inner.items()},
                   "pipeline_by_language": {k: {lang: s["trigger_type"]["f"]
                                                for lang, s in v.items()}
                                            for k, v in inner.items()}},
        "minutes": round((time.time() - started) / 60, 1),
    }
    (out / "model.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n",
                                    encoding="utf-8")
    reload()
    if evaluate:
        info["dev"] = dev_scores(out, ner_options, log)
        info["heldout"] = heldout_scores(out, ner_options, log)
        info["minutes_with_dev"] = round((time.time() - started) / 60, 1)
        (out / "model.json").write_text(json.dumps(info, indent=1, ensure_ascii=False) + "\n",
                                        encoding="utf-8")
    write_card(out)
    return info
