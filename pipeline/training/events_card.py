"""The model card of ``models/events-xx`` (README.md), written from its ``model.json``.

`lintas train events` writes it after training, so every figure in it is the one the
training run measured (the inner split's, which chose the settings, and the dev split's,
measured after choosing).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pipeline.learned.events_learned import TRIGGER_MARGIN
from pipeline.lexicon.lexicons import settings
from pipeline.training.train_heads import ENSEMBLE_SEED_STEP

LANGS = ("bg", "ru", "pl", "id", "en", "all")


def corpus_checkout(info: dict[str, Any]) -> str:
    """A sentence telling how to get the annotation files the heads were trained on back,
    when the corpus was changed after them (``model.json``'s ``corpus.commit``), else ``""``."""
    commit = info.get("corpus", {}).get("commit")
    return ("" if not commit else
            f" The corpus' earlier batches were changed after these heads were trained (the "
            f"rulings of `models/corpus/GUIDELINE.md` 5.6): rebuilding them needs the "
            f"annotation files of commit {commit[:12]}, `git checkout {commit[:12]} -- "
            f"models/corpus/annotations` before the command and `git checkout HEAD -- "
            f"models/corpus/annotations` after it.")


def skip_option(info: dict[str, Any]) -> str:
    """`` --skip-batches …`` of the training command, when the heads were trained without
    some of the corpus' batches (``model.json``'s ``corpus.skip_batches``), and
    `` --ensemble k`` when each final head is k seeds' mean; else ``""``."""
    skip = info.get("corpus", {}).get("skip_batches")
    ensemble = int(info.get("ensemble", 1))
    return ((f" --skip-batches {','.join(skip)}" if skip else "")
            + (f" --ensemble {ensemble}" if ensemble > 1 else ""))


def ensemble_members(info: dict[str, Any]) -> str:
    """``"the mean of k heads (seeds s, s+1000, ...)"`` when each final head is k seeds'
    mean (``model.json``'s ``ensemble``), else ``""``."""
    k = int(info.get("ensemble", 1))
    seed = int(info.get("seed", 0))
    return (f"the mean of {k} heads (seeds {seed}, {seed + ENSEMBLE_SEED_STEP}, ...)"
            if k > 1 else "")


def unseen_sentence(info: dict[str, Any]) -> str:
    """The trigger threshold of languages the heads never learned from, when chosen."""
    unseen = info.get("unseen")
    return ("" if not unseen else
            f" A document in a language outside {', '.join(unseen['languages'])} (or `und`) "
            f"uses {unseen['threshold']}, chosen by leaving each of them out in turn (below).")


def unseen_table(choice: dict[str, Any] | None) -> list[str]:
    """Trigger + type F1 of each training language left out, per threshold."""
    if not choice:
        return []
    thresholds = list(choice["mean"])
    rows = ["Each training language left out in turn (a head trained as the final one on the "
            "other languages' sentences outside the inner split, scored on all of that "
            "language's), trigger + type F1 per threshold:", "",
            "| left out | " + " | ".join(str(t) for t in thresholds) + " |",
            "|---|" + "---|" * len(thresholds)]
    for lang, per in choice["left_out"].items():
        rows.append(f"| {lang} | " + " | ".join(_f(per[t]) for t in thresholds) + " |")
    rows.append("| **mean** | " + " | ".join(_f(choice["mean"][t]) for t in thresholds) + " |")
    return rows + [""]


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "-"


def _dev_table(dev: dict[str, Any], langs: tuple[str, ...] = LANGS) -> list[str]:
    rows = ["| language | trigger + type P / R / **F1** (gold) | lexicons alone F1 | "
            "argument role F1 (lexicons alone) | modality of paired events (lexicons alone) |",
            "|---|---|---|---|---|"]
    for lang in langs:
        a = dev.get("learned", {}).get(lang)
        b = dev.get("lexicons", {}).get(lang)
        if not a:
            continue
        t = a["trigger_type"]
        rows.append(
            f"| {lang} | {_f(t['p'])} / {_f(t['r'])} / **{_f(t['f'])}** ({t['gold']}) | "
            f"{_f(b['trigger_type']['f']) if b else '-'} | {_f(a['argument_role']['f'])} "
            f"({_f(b['argument_role']['f']) if b else '-'}) | "
            f"{_f(a['modality_of_paired']['p'])} of {a['modality_of_paired']['gold']} "
            f"({_f(b['modality_of_paired']['p']) if b else '-'} of "
            f"{b['modality_of_paired']['gold'] if b else '-'}) |")
    return rows


def card(info: dict[str, Any], size_kb: float) -> str:
    """The card's Markdown."""
    ch = info.get("choice", {})
    enc = info.get("encoder", {})
    width = "linear" if not info.get("hidden") else f"one hidden layer of {info['hidden']}"
    lines = [
        "# lintas-events-xx: learned event triggers on the NER encoder",
        "",
        f"Version {info.get('version')}. Small numpy heads ({size_kb:.0f} KB, `heads.npz`) on "
        f"the hidden states of layer {info['layer']} of the shipped NER encoder "
        f"(`models/ner-xx`, {enc.get('name')} {enc.get('version')}, int8 ONNX), read in the "
        "NER stage's own onnxruntime pass (the graph output "
        f"`hidden_{info['layer']}`), so a document is encoded once; no torch at run time.",
        "",
        f"- **trigger + type**: per-token BIO over the {len(info['types'])} event types, "
        f"{width}; a token is in a trigger when its probability of not being `O` is at "
        f"least {info['threshold']}, with its likeliest type; triggers are whole words."
        + unseen_sentence(info),
        f"- **mode**: {'a head on the trigger' + chr(39) + 's pooled states' if info.get('mode_source') == 'head' else 'the type' + chr(39) + 's most frequent mode in the train split'}"
        " (a lexicon hit on the same words gives its own mode first).",
        ("- **modality**: the learned head is used where no modality cue of the lexicons is "
         "found, outside what someone is quoted or reported as saying; of its classes only "
         "planned, negated and hypothetical count (the corpus' `requested` is no lintas/1 "
         "modality)." if info.get("modality_head") else
         "- **modality**: the lexicons' cues alone (the inner split chose against the learned "
         "modality head: `lexicon_first + modality head` below)."),
        f"- **merge with the lexicon triggers**: `{info.get('merge')}` (see `pipeline/stages/events.py`; "
        f"of the merges within {TRIGGER_MARGIN} of the best inner F1, the one that leans most "
        "on the lexicons).",
        f"- **arguments**: {'a linear head' if not ch.get('arguments', {}).get('hidden') else 'an MLP of ' + str(ch['arguments']['hidden'])} gives each token of the sentence a BIO label over the "
        "guideline's roles, from its state, the trigger's pooled state, their product and its "
        "distance to the trigger (`pipeline/learned/event_args.py`); inner F1 on gold triggers "
        f"{_f(ch.get('arguments', {}).get('inner_f1_gold_triggers'))} at epoch "
        f"{ch.get('arguments', {}).get('epochs')}, threshold {info.get('argument_threshold')}"
        + "".join(f"; width {g['hidden'] or 'linear'}: {_f(g['inner_f1'])}"
                  for g in ch.get("arguments", {}).get("grid", [])) + ". Joined with the clause rules' arguments as "
        f"`{info.get('arguments', 'rules')}` (chosen through the pipeline below: `rules` the "
        "head unused, `learned` the head alone, `X_first` one side with the other's arguments "
        "for the roles it left empty); a name inside a head's span is the argument. `time` "
        "spans stay in the event's own `time` field.",
        "",
        "Records name `"
        f"{info.get('name')} {info.get('version')} + lintas-lexicons 1` in "
        "`extractors.events` when the heads ran.",
        "",
        "## Data",
        "",
        "The team's annotated corpus (`models/corpus`, sha256 of its annotation files "
        f"`{info['corpus']['sha256'][:16]}…`), documents per language and split: "
        + ", ".join(f"{k} {v}" for k, v in info["corpus"]["documents"].items())
        + f". Trained on the train split's {info['corpus']['train_sentences']} sentences; "
        f"{len(info['corpus']['held_out_documents'])} train documents (15% of each "
        "language's, seeded) were held out to choose every setting below; the dev split "
        "chose nothing and was scored last.",
        "",
        "## What the inner split chose",
        "",
        "| layer | head | epochs (early stopping) | inner trigger + type F1 |",
        "|---|---|---|---|",
    ]
    for g in ch.get("trigger_grid", []):
        lines.append(f"| {g['layer']} | {'linear' if not g['hidden'] else 'MLP ' + str(g['hidden'])}"
                     f" | {g['epochs']} | {_f(g['inner_f1'])} |")
    lines += ["", "Threshold on the chosen head: " + ", ".join(
        f"{t}: {_f(v)}" for t, v in ch.get("thresholds", {}).items()) + ".", "",
        *unseen_table(ch.get("unseen")),
        f"Mode on the inner split's gold triggers: head {_f(ch.get('mode', {}).get('head'))}, "
        f"the type's most frequent mode {_f(ch.get('mode', {}).get('majority'))}. Modality: "
        f"head {_f(ch.get('modality', {}).get('head'))}, majority "
        f"{_f(ch.get('modality', {}).get('majority'))}.", "",
        "Through `lintas run`'s stages on the inner split's documents (heads trained "
        "without them):", "",
        "| variant | trigger + type P / R / F1 | argument role F1 | modality of paired |",
        "|---|---|---|---|"]
    for name, s in ch.get("pipeline", {}).items():
        if not s:
            continue
        t = s["trigger_type"]
        lines.append(f"| {name} | {_f(t['p'])} / {_f(t['r'])} / {_f(t['f'])} | "
                     f"{_f(s['argument_role']['f'])} | {_f(s['modality_of_paired']['p'])} |")
    if info.get("dev"):
        lines += ["", "## Dev split (`lintas evaluate events`)", "",
                  "Measured after every choice above, with the lexicons of the same "
                  "checkout:", ""]
        lines += _dev_table(info["dev"])
        enc = info["dev"].get("learned, every document encoded", {})
        # only while a spaCy CNN reads Indonesian (no states) does encoding it change anything
        if enc.get("id") and settings("id").get("ner_backend") == "spacy":
            lines += ["", "Indonesian is read by its spaCy NER by default, so it gets the "
                      "lexicons alone; with `PipelineConfig(events_encode=True)` the events "
                      "stage encodes it for the heads (one more model pass: all stages 6.6 "
                      "times slower there, measured on an idle machine): Indonesian trigger + type F1 "
                      f"{_f(enc['id']['trigger_type']['f'])}, all languages "
                      f"{_f(enc['all']['trigger_type']['f'])}."]
        if info["dev"].get("variants"):
            lines += ["", "Every way of combining heads and lexicons on the dev split "
                      "(trigger + type F1 per language; reported, not chosen on):", "",
                      "| variant | " + " | ".join(LANGS) + " | argument role F1 | "
                      "modality of paired |", "|---" * (len(LANGS) + 3) + "|"]
            for name, per in info["dev"]["variants"].items():
                a = per.get("all", {})
                lines.append(f"| {name} | " + " | ".join(
                    _f(per.get(lang, {}).get("trigger_type", {}).get("f")) for lang in LANGS)
                    + f" | {_f(a.get('argument_role', {}).get('f'))} | "
                    f"{_f(a.get('modality_of_paired', {}).get('p'))} |")
    if info.get("heldout"):
        lines += ["", "## The held-out language (Czech, never annotated for training)", "",
                  "`lintas evaluate events --split heldout`: Czech has no lintas lexicons "
                  "and no training annotation, so this is the transfer to a new language:",
                  ""]
        lines += _dev_table(info["heldout"], ("cs",))
    lines += [
        "", "## Retrain", "",
        "```bash",
        "pip install -e \".[train]\"   # torch, onnx",
        "lintas train events" + (f" --seed {info['seed']}" if info.get("seed") else "")
        + skip_option(info)
        + "          # about "
        + str(round(info.get("minutes_with_dev", info.get("minutes", 0))))
        + " min here; writes models/events-xx and adds the output to models/ner-xx/model.onnx",
        "lintas evaluate events --split dev",
        "```", "",
        "The heads read one encoder: `model.json` keeps the NER model's `onnx_sha256`, and "
        "when `models/ner-xx` is replaced (a retrained NER model), the events stage falls "
        "back to the lexicons alone until `lintas train events` is run again. "
        f"Seed {info.get('seed')}; the same command gives the same heads on the same kind of "
        "CPU (the int8 encoder's states differ a little between CPUs, so heads rebuilt on "
        "another move by a few triggers)"
        + (" (`--skip-batches`: the corpus batches annotated after they were trained)"
           if info.get("corpus", {}).get("skip_batches") else "") + "."
        + (f" Each final head is {ensemble_members(info)} trained with the settings chosen "
           "for one, folded into one head." if ensemble_members(info) else "")
        + corpus_checkout(info),
    ]
    return "\n".join(lines) + "\n"


def write_card(folder: Path, make: Any = None) -> Path:
    """(Re)write ``folder/README.md`` from ``folder/model.json`` with ``make(info, size in
    KB)`` (default: this module's `card`; the claims model passes its own)."""
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    size = (folder / "heads.npz").stat().st_size / 1024
    path = folder / "README.md"
    path.write_text((make or card)(info, size), encoding="utf-8")
    return path
