"""`lintas evaluate ner|events|claims|align`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from pipeline.commands.app import (EXIT_USAGE, MT_MODEL_OPTION, MT_OPTION, SENTENCES_PER_DOC,
                                   TRANSLATE_OPTION, VOTE_HELP, app, check_vote,
                                   translate_options)

evaluate_app = typer.Typer(help="Score models on annotated data.", no_args_is_help=True,
                           rich_markup_mode=None)
app.add_typer(evaluate_app, name="evaluate")


@evaluate_app.command("ner")
def evaluate_ner(
    lang: Annotated[str, typer.Option("--lang", help="Language of the data.")],
    data: Annotated[list[str], typer.Option(
        "--data", help="Annotated file or folder (repeat), in any format `train ner` reads.")],
    model: Annotated[Optional[Path], typer.Option(
        "--model", help="Model folder (default: the shipped models/ner-LANG).")] = None,
    backends: Annotated[str, typer.Option(
        "--backends", help="NER backends, as `lintas run --ner` takes them.")] = "transformer,spacy,gazetteer",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    save: Annotated[bool, typer.Option(
        "--save", help="Record the scores in the model's evaluation.json and rewrite its "
                       "model card (README.md).")] = False,
    vote: Annotated[bool, typer.Option("--vote", help=VOTE_HELP)] = False,
    sentences_per_doc: Annotated[int, typer.Option(
        "--sentences-per-doc", min=1,
        help="Sentences of a sentence-level file joined into one document; 1 for files "
             "whose sentences come shuffled from unrelated articles.")] = SENTENCES_PER_DOC,
) -> None:
    """Precision, recall and F1 per label (exact spans) through `lintas run`'s code path."""
    import json as _json

    from pipeline.evaluation.evaluate import evaluate, format_table
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.model_card import save_evaluation, write_card

    names = tuple(b.strip() for b in backends.split(",") if b.strip())
    first = next((b for b in names if b in ("spacy", "transformer")), None)
    marker = {"spacy": "config.cfg", "transformer": "model.onnx"}.get(first or "")
    if model is not None and (marker is None or not (model / marker).is_file()):
        # without this check the backend would skip the language and the scores would
        # silently be the gazetteer's alone
        raise typer.BadParameter(f"no {first or 'spacy or transformer'} model at {model}",
                                 param_hint="--model")
    for path in data:
        if not Path(path).exists():
            raise typer.BadParameter(f"no such file or folder: {path}", param_hint="--data")
    if save and vote:
        # evaluation.json holds what `lintas run` gives by default
        raise typer.BadParameter("--save records the default, without --vote", param_hint="--save")
    if save and sentences_per_doc != SENTENCES_PER_DOC:
        # the card's record is keyed on data and backends: another packing would replace it
        raise typer.BadParameter(f"--save records the default --sentences-per-doc "
                                 f"{SENTENCES_PER_DOC}", param_hint="--save")
    check_vote(vote, names, "--backends")
    result = evaluate(lang, data, model=model, backends=names, vote=vote,
                      sentences_per_doc=sentences_per_doc)
    typer.echo(_json.dumps(result, indent=2) if as_json else format_table(result))
    if save:
        folder = model or models_dir() / f"ner-{lang}"
        save_evaluation(folder, result)
        typer.echo(f"wrote {write_card(folder)}", err=True)


def _evaluate_corpus(what: str, split: str, langs: str, as_json: bool,
                     translate: str | None = None, mt: str = "hf",
                     mt_model: str | None = None, source: str = "") -> None:
    import json as _json

    from pipeline.core.core import PipelineConfig
    from pipeline.core.errors import LintasError
    from pipeline.evaluation.evaluate_corpus import evaluate_corpus, format_scores
    from pipeline.stages.ner_stage import DEFAULT_NER
    from pipeline.core.runner import check_backends

    if split not in ("dev", "train", "heldout", "all", "samples"):
        raise typer.BadParameter("dev, train, heldout, all or samples", param_hint="--split")
    wanted = [x.strip() for x in langs.split(",") if x.strip()] or None
    options: dict[str, dict[str, Any]] = {}
    config = PipelineConfig(ner_backends=translate_options(translate, mt, mt_model,
                                                            DEFAULT_NER, options, source),
                            ner_options=options)
    try:
        check_backends(config)
    except LintasError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        result = evaluate_corpus(what, split, wanted, config, source)
    except FileNotFoundError as exc:
        typer.echo(f"[L023] the corpus' sources are not readable: {exc}", err=True)
        raise typer.Exit(2) from exc
    if not result["documents"]:
        typer.echo(f"[L024] no annotated documents in split {split!r} for {langs!r}", err=True)
        raise typer.Exit(2)
    typer.echo(_json.dumps(result, indent=2) if as_json else format_scores(result))


CORPUS_SPLIT = typer.Option(
    "--split", help="The corpus split: dev, train, heldout (Czech, never trained on) or all; "
    "or samples: the sample articles (seeds/), annotated apart from the corpus.")
CORPUS_LANGS = typer.Option("--lang", help="Languages, comma-separated (default: all).")
CORPUS_SOURCE = typer.Option(
    "--source", metavar="TEXT",
    help="Only the documents whose source path holds TEXT (e.g. ntrex, slavicner).")


@evaluate_app.command("events")
def evaluate_events(
    split: Annotated[str, CORPUS_SPLIT] = "dev",
    langs: Annotated[str, CORPUS_LANGS] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    translate: Annotated[Optional[str], TRANSLATE_OPTION] = None,
    mt: Annotated[str, MT_OPTION] = "hf",
    mt_model: Annotated[Optional[str], MT_MODEL_OPTION] = None,
    source: Annotated[str, CORPUS_SOURCE] = "",
) -> None:
    """Trigger + type and argument role F1 of `lintas run`'s events on the team's annotated
    corpus (models/corpus; its sources are read from ../shared/data or $LINTAS_DATA)."""
    _evaluate_corpus("events", split, langs, as_json, translate, mt, mt_model, source)


@evaluate_app.command("claims")
def evaluate_claims(
    split: Annotated[str, CORPUS_SPLIT] = "dev",
    langs: Annotated[str, CORPUS_LANGS] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    translate: Annotated[Optional[str], TRANSLATE_OPTION] = None,
    mt: Annotated[str, MT_OPTION] = "hf",
    mt_model: Annotated[Optional[str], MT_MODEL_OPTION] = None,
    source: Annotated[str, CORPUS_SOURCE] = "",
) -> None:
    """Speaker + content F1 of `lintas run`'s claims on the team's annotated corpus (also:
    content alone, and `attributed`: without lintas' unattributed figures, which the
    corpus does not annotate)."""
    _evaluate_corpus("claims", split, langs, as_json, translate, mt, mt_model, source)


@evaluate_app.command("align")
def evaluate_align(
    langs: Annotated[str, typer.Option(
        "--lang", help="Languages of NTREX's references, comma-separated.")] = "id,bg",
    ntrex: Annotated[Optional[Path], typer.Option(
        "--ntrex", help="The NTREX-128 folder (default: mt/ntrex in ../shared/data or "
                        "$LINTAS_DATA).")] = None,
    half: Annotated[Optional[str], typer.Option(
        "--half", help="Only the first or the second half of the lines.")] = None,
    model: Annotated[Optional[Path], typer.Option(
        "--model", help="Another NER model folder (default: models/ner-xx); its hidden_layer "
                        "gives the states compared.")] = None,
    limit: Annotated[Optional[int], typer.Option(
        "--limit", min=1, help="Only the first N sentence pairs.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
) -> None:
    """How well English names map back into the sentence they translate (the translation
    path's alignment), on NTREX's human translations, against lintas' NER of that side."""
    import json as _json

    from pipeline.backends.mt_ntrex import default_folder
    from pipeline.evaluation.evaluate_align import NTREX, evaluate_alignment, format_alignment

    if half not in (None, "first", "second"):
        raise typer.BadParameter("first or second", param_hint="--half")
    if ntrex is None:
        ntrex = default_folder()
    names = [x.strip() for x in langs.split(",") if x.strip()]
    for lang in names:
        if lang not in NTREX or lang == "en":
            raise typer.BadParameter(f"NTREX here has references in id and bg, not {lang!r}",
                                     param_hint="--lang")
        if not (ntrex / NTREX[lang]).is_file():
            raise typer.BadParameter(f"no {NTREX[lang]} in {ntrex}", param_hint="--ntrex")
    if model is not None and not (model / "model.onnx").is_file():
        raise typer.BadParameter(f"no model.onnx in {model}", param_hint="--model")
    results = [evaluate_alignment(lang, ntrex, limit=limit, half=half, model=model)
               for lang in names]
    typer.echo(_json.dumps(results, indent=2) if as_json
               else "\n".join(format_alignment(r) for r in results))
