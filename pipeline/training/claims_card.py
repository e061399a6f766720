"""The model card of ``models/claims-xx`` (README.md), written from its ``model.json``.

`lintas train claims` writes it after training, so every figure in it is one the training
run measured (the inner split's, which chose the settings, and the dev split's, measured
after choosing).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pipeline.training.events_card import corpus_checkout, ensemble_members, skip_option
from pipeline.training.events_card import write_card as write

LANGS = ("bg", "ru", "pl", "id", "en", "all")


def _f(x: Any) -> str:
    return f"{x:.3f}" if isinstance(x, (int, float)) else "-"


def card(info: dict[str, Any], size_kb: float) -> str:
    """The card's Markdown."""
    enc = info.get("encoder", {})
    ch = info.get("choice", {})
    width = "linear" if not info.get("hidden") else f"one hidden layer of {info['hidden']}"
    corpus = info.get("corpus", {})
    lines = [
        "# lintas-claims-xx: learned claim cues, speakers and contents on the NER encoder",
        "",
        f"Version {info.get('version')}. One small numpy head ({size_kb:.0f} KB, `heads.npz`, "
        f"{width}) on the hidden states of layer {info['layer']} of the shipped NER encoder "
        f"(`models/ner-xx`, {enc.get('name')} {enc.get('version')}, int8 ONNX): the states "
        "the NER stage's onnxruntime pass returns for the event heads too, so a document "
        "is encoded once; no torch at run time (`pipeline/learned/claims_learned.py`).",
        "",
        "Per token, three softmaxes: `O`/`B`/`I` of a claim's cue, speaker and content. "
        f"Cues and speakers are tokens whose probability of not being `O` is at least "
        f"{info.get('threshold')}; contents are runs of smoothed probabilities (threshold "
        f"{info.get('content', {}).get('thr')}), read in a sentence with a cue, or at the "
        "start of the sentence after a content that ran to its end (a quotation of several "
        "sentences). A speaker is the name it overlaps; a lower-case one-word speaker "
        "(a pronoun, the clitic \"nya\") stands for the last person named before it.",
        "",
        f"Combined with the lexicon claims as **{info.get('merge')}** (chosen by "
        "cross-validation on the train split; `lexicon_first`: the lexicons' claims, then the head's where their content "
        "is free); a learned claim whose sentence names no speaker "
        f"{'takes' if info.get('implicit_speaker') else 'does not take'} the person named "
        "last before its cue (chosen there too)"
        + ("; a language takes its own best of these where that beats the overall choice "
           "on its train documents by more than the measured noise (below)."
           if info.get("by_language") else "."),
        "",
        f"Trained by `lintas train claims` on the team's corpus (`models/corpus`, sha256 "
        f"{str(corpus.get('sha256', ''))[:12]}…): {corpus.get('train_sentences')} train "
        f"sentences, {corpus.get('train_claims')} claim contents; "
        f"{len(corpus.get('held_out_documents', []))} train documents held out to choose on; "
        f"seed {info.get('seed')}, {info.get('epochs')} epochs"
        + (f", {ensemble_members(info)} folded into one" if ensemble_members(info) else "")
        + f", {info.get('minutes')} min on 2 CPU threads (one for the head).",
        "",
        "## Dev split (never read in training or choosing)",
        "",
        "Speaker + content F1 as `lintas evaluate claims` scores it (content sharing half of "
        "the longer span; the speaker overlapping the gold speaker or the name it stands "
        "for): F1 (gold claims) per language, P / R / F1 over all.",
        "",
    ]
    dev = info.get("dev", {})
    chosen = info.get("merge", "") + (" + implicit speaker" if info.get("implicit_speaker")
                                      else "")
    if info.get("by_language"):
        chosen = "each language's own choice"  # train_claims.PER_LANGUAGE
    lines += ["| variant | " + " | ".join(LANGS) + " |", "|---|" + "---|" * len(LANGS)]
    for name, per in dev.items():
        cells = []
        for lang in LANGS:
            s = per.get(lang, {}).get("speaker_content")
            cells.append("-" if not s else f"{_f(s['f'])} ({s['gold']})" if lang != "all"
                         else f"{_f(s['p'])} / {_f(s['r'])} / {_f(s['f'])} ({s['gold']})")
        label = f"**{name}** (chosen)" if name == chosen else name
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    held = info.get("heldout", {})
    if held:
        lines += ["", "## The held-out language (Czech, never annotated for training)", "",
                  "`lintas evaluate claims --split heldout`: Czech has no lintas lexicons "
                  "and no training annotation, so this is the transfer to a new language. "
                  "Speaker + content P / R / F1 (gold claims):", "",
                  "| variant | cs |", "|---|---|"]
        for name, per in held.items():
            s = per.get("all", {}).get("speaker_content")
            label = f"**{name}** (chosen)" if name == chosen else name
            lines.append(f"| {label} | " + ("-" if not s else
                         f"{_f(s['p'])} / {_f(s['r'])} / {_f(s['f'])} ({s['gold']})") + " |")
    lines += ["", "## Chosen on the train split", "",
              ("Merge and implicit speaker: on the inner split (a head fitted on the other "
               "train documents scores it through the pipeline; the encoder learned the "
               "corpus beside names and saw every train document but these, so folds would "
               "flatter the head)" if info.get("merge_chosen_on") == "inner split" else
               "Merge and implicit speaker: 3-fold cross-validation over the train documents "
               "(a head fitted on two folds scores the third through the pipeline; counts "
               "pooled)") + "; of the variants within "
              f"{info.get('language_margin', 0.04)} of the best (the noise: two heads "
              "trained alike, session 10), the one that leans most on the lexicons (they "
              "stay unless the head measurably beats them). Head width, epochs and "
              "thresholds: on the inner split.", "",
              "| variant | speaker + content P / R / F1 |", "|---|---|"]
    for m, s in ch.get("cross_validated", {}).items():
        lines.append(f"| {m} | {_f(s.get('p'))} / {_f(s.get('r'))} / {_f(s.get('f'))} |")
    if info.get("by_language"):
        lines += ["", "Each language then takes its own variant, chosen the same way on its "
                  "own train documents, where the overall choice falls more than "
                  f"{info.get('language_margin', 0.04)} below that language's best, among the "
                  "merges that keep the lexicons' claims (the head "
                  "never learns lintas' factual claims, which the corpus does not annotate); "
                  "otherwise, "
                  "and for a language without train documents such as Czech, the overall "
                  "choice:", "",
                  "| language | variant | cross-validated F1 | the overall choice's |",
                  "|---|---|---|---|"]
        for lang, c in info["by_language"].items():
            name = c["merge"] + (" + implicit speaker" if c["implicit_speaker"] else "")
            lines.append(f"| {lang} | {name} | {_f(c['cross_validated_f1'])} | "
                         f"{_f(c['overall_choice_f1'])} |")
    lines += ["", "| head | epochs | inner mean F1 of cue, speaker, content |", "|---|---|---|"]
    for g in ch.get("grid", []):
        lines.append(f"| {'linear' if not g['hidden'] else g['hidden']} | {g['epochs']} | "
                     f"{_f(g['inner_mean_f1'])} |")
    lines += ["", "## Retrain", "",
              "`pip install -e \".[train]\"`, the corpus' sources in `../shared/data` (or "
              "`$LINTAS_DATA`), after `lintas train events` (which chooses the layer): "
              "`lintas train claims" + (f" --seed {info['seed']}" if info.get("seed") else "")
              + skip_option(info) + "`. A retrained NER model switches the head off until "
              "it is retrained." + corpus_checkout(info), ""]
    return "\n".join(lines)


def write_card(folder: Path) -> Path:
    """Write ``folder/README.md`` from ``folder/model.json``."""
    return write(folder, card)
