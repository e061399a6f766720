"""`lintas train ner|tok2vec|events|claims`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from pipeline.commands.app import EXIT_USAGE, app

train_app = typer.Typer(help="Train models from raw data files.", no_args_is_help=True,
                        rich_markup_mode=None)
def _train_config(config: Optional[Path], lang: str) -> Path:
    """The training config to use: ``--config``, else the shipped models/ner-LANG/train.cfg."""
    from pipeline.lexicon.lexicons import models_dir

    cfg = config or models_dir() / f"ner-{lang}" / "train.cfg"
    if not cfg.exists():
        raise typer.BadParameter(f"no config at {cfg}", param_hint="--config")
    return cfg


@train_app.command("ner")
def train_ner(
    out: Annotated[Path, typer.Option("--out", help="Model folder to write.")],
    engine: Annotated[str, typer.Option(
        "--engine", help="transformer (the multilingual encoder; needs lintas[train]) or "
                         "spacy (a CNN for one language).")] = "spacy",
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="spaCy engine: language of the model (id, bg, …).")] = None,
    data: Annotated[Optional[list[str]], typer.Option(
        "--data", help="spaCy engine: training file or folder (repeat): token/BIO files, "
                       "WikiANN, UNER .iob2, or a SlavicNER root, topic or language folder; "
                       "PATH*N repeats it N times.")] = None,
    dev: Annotated[Optional[list[str]], typer.Option(
        "--dev", help="spaCy engine: dev file or folder (repeat) that picks the best "
                      "checkpoint.")] = None,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="Training config: models/ner-xx/train.json for the transformer "
                         "(sources, weights, dev sets, optimiser); a spaCy config "
                         "(default: models/ner-LANG/train.cfg).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    max_steps: Annotated[Optional[int], typer.Option(
        "--max-steps", help="Override the config's training.max_steps.")] = None,
    init_tok2vec: Annotated[Optional[Path], typer.Option(
        "--init-tok2vec", help="Start from pretrained tok2vec weights "
                               "(`lintas train tok2vec`'s model-last.bin).")] = None,
    work: Annotated[Optional[Path], typer.Option(
        "--work", help="Transformer engine: folder for checkpoints and the float model "
                       "(default: OUT.work); a run resumes from its checkpoint.")] = None,
) -> None:
    """Train a NER model and write it with a training.json record."""
    if engine == "transformer":
        from pipeline.core.errors import LintasError
        from pipeline.lexicon.lexicons import models_dir
        from pipeline.training.transformer_build import build_model

        cfg_path = config or models_dir() / "ner-xx" / "train.json"
        if not cfg_path.is_file():
            raise typer.BadParameter(f"no config at {cfg_path}", param_hint="--config")
        try:
            info = build_model(cfg_path, out, work or out.with_name(out.name + ".work"))
        except LintasError as exc:
            typer.echo(f"lintas: error: {exc}", err=True)
            raise typer.Exit(EXIT_USAGE)
        typer.echo(f"saved {out}: {info['summary']}", err=True)
        return
    if engine != "spacy":
        raise typer.BadParameter("must be transformer or spacy", param_hint="--engine")
    if not lang or not data or not dev:
        raise typer.BadParameter("the spacy engine needs --lang, --data and --dev")
    from pipeline.training.train import train_ner as do_train

    cfg = _train_config(config, lang)
    if init_tok2vec is not None and not init_tok2vec.is_file():
        raise typer.BadParameter(f"no weights file at {init_tok2vec}", param_hint="--init-tok2vec")
    record = do_train(lang, data, dev, out, cfg, seed=seed, max_steps=max_steps,
                      init_tok2vec=init_tok2vec)
    scores = record["dev_scores_at_best_checkpoint"]
    typer.echo(f"saved {out}: dev F1 {scores.get('ents_f')} in {record['minutes']} min", err=True)


@train_app.command("tok2vec")
def train_tok2vec(
    lang: Annotated[str, typer.Option("--lang", help="Language of the text.")],
    text: Annotated[list[str], typer.Option(
        "--text", help="Raw text (repeat): a folder of .txt files, a .conllu file, a "
                       "token-per-line file, or one text per line; PATH*N repeats it.")],
    out: Annotated[Path, typer.Option("--out", help="Folder for the weights (model-last.bin).")],
    exclude: Annotated[Optional[list[str]], typer.Option(
        "--exclude", help="Files whose sentences must not be used (dev sets; repeat).")] = None,
    epochs: Annotated[int, typer.Option("--epochs", help="Passes over the text.")] = 10,
    config: Annotated[Optional[Path], typer.Option(
        "--config", help="spaCy config with a [pretraining] section "
                         "(default: models/ner-LANG/train.cfg).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
) -> None:
    """Pretrain a NER model's tok2vec on raw text (spaCy pretrain, characters objective)."""
    from pipeline.training.pretrain import pretrain_tok2vec

    cfg = _train_config(config, lang)
    record = pretrain_tok2vec(lang, text, exclude or [], cfg, out, epochs, seed=seed)
    typer.echo(f"saved {out / 'model-last.bin'}: {record['texts']} texts, {record['words']} "
               f"words, {record['minutes']} min", err=True)


# options shared by `lintas train events` and `lintas train claims`
SkipBatches = Annotated[str, typer.Option(
    "--skip-batches", help="Corpus batches to leave out, comma-separated (rebuilds heads "
                           "trained before those batches were annotated: see the card).")]
LimitDocs = Annotated[Optional[int], typer.Option(
    "--limit-docs", help="Read only the first N documents of each split (quick runs).")]
MaxEpochs = Annotated[Optional[int], typer.Option(
    "--max-epochs", help="At most this many epochs per head (quick runs).")]
EvaluateDev = Annotated[bool, typer.Option(
    "--evaluate/--no-evaluate", help="Score the dev split for the card at the end.")]
# 5 by default: on three seeds the mean of five heads lifted events dev by 2-6 points and
# claims Czech by 0.4-8 points, and the seeds spread less (README "Heads averaged over seeds")
Ensemble = Annotated[int, typer.Option(
    "--ensemble", min=1, help="Each final head is the mean of this many heads (seeds SEED, "
                              "SEED+1000, ...) trained with the settings chosen for one, "
                              "folded into one head of the same kind.")]


@train_app.command("events")
def train_events(
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Model folder to write (default: models/events-xx).")] = None,
    ner_model: Annotated[Optional[Path], typer.Option(
        "--ner-model", help="The NER model whose encoder the heads read (default: "
                            "models/ner-xx); the chosen layer becomes an output of its "
                            "model.onnx.")] = None,
    work: Annotated[Optional[Path], typer.Option(
        "--work", help="Folder for the cached encoder states (default: OUT.work).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    layers: Annotated[str, typer.Option(
        "--layers", help="Candidate encoder layers, comma-separated.")] = "6,8,10",
    # linear only by default: in session 11 the inner split chose an MLP of 256 that missed
    # plain triggers ("attacked", "podpisała umowę") and tagged a footer (models/events-xx)
    widths: Annotated[str, typer.Option(
        "--widths", help="Candidate trigger heads: 0 (linear) or an MLP's hidden width.")] = "0",
    limit_docs: LimitDocs = None,
    max_epochs: MaxEpochs = None,
    evaluate: EvaluateDev = True,
    skip_batches: SkipBatches = "",
    ensemble: Ensemble = 5,
) -> None:
    """Train the learned event heads on the team's annotated corpus (needs lintas[train] and
    the corpus' sources in ../shared/data or $LINTAS_DATA)."""
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_events import build_events_model

    _train_heads(build_events_model, out or models_dir() / "events-xx", ner_dir=ner_model,
                 work=work, seed=seed, layers=[int(x) for x in layers.split(",") if x.strip()],
                 widths=[int(x) for x in widths.split(",") if x.strip()],
                 limit_docs=limit_docs, max_epochs=max_epochs, evaluate=evaluate,
                 skip_batches=_batches(skip_batches), ensemble=ensemble)


def _batches(spec: str) -> tuple[str, ...]:
    """``--skip-batches``' comma-separated batch names."""
    return tuple(b.strip() for b in spec.split(",") if b.strip())


def _train_heads(build: Any, target: Path, **options: Any) -> None:
    """Run `lintas train events|claims`' ``build(target, **options)`` with the CLI's
    messages: the corpus' sources missing, torch missing, a model it cannot start from."""
    try:
        info = build(target, log=lambda msg: typer.echo(msg, err=True), **options)
    except FileNotFoundError as exc:
        typer.echo(f"[L023] the corpus' sources are not readable: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except ValueError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    except ImportError as exc:
        typer.echo(f"lintas: error: {exc}: pip install -e \".[train]\"", err=True)
        raise typer.Exit(EXIT_USAGE) from exc
    typer.echo(f"saved {target}: layer {info['layer']}, merge {info['merge']}", err=True)


@train_app.command("claims")
def train_claims(
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Model folder to write (default: models/claims-xx).")] = None,
    ner_model: Annotated[Optional[Path], typer.Option(
        "--ner-model", help="The NER model whose encoder the head reads (default: "
                            "models/ner-xx; `lintas train events` chose its layer).")] = None,
    work: Annotated[Optional[Path], typer.Option(
        "--work", help="Folder for the cached encoder states (default: "
                       "models/events-xx.work, shared with `train events`).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 0,
    widths: Annotated[str, typer.Option(
        "--widths", help="Candidate heads: 0 (linear) or an MLP's hidden width.")] = "0,256",
    limit_docs: LimitDocs = None,
    max_epochs: MaxEpochs = None,
    evaluate: EvaluateDev = True,
    skip_batches: SkipBatches = "",
    ensemble: Ensemble = 5,
) -> None:
    """Train the learned claim head (cue, speaker, content) on the team's annotated corpus
    (needs lintas[train] and the corpus' sources in ../shared/data or $LINTAS_DATA)."""
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_claims import build_claims_model

    _train_heads(build_claims_model, out or models_dir() / "claims-xx", ner_dir=ner_model,
                 work=work, seed=seed, widths=[int(x) for x in widths.split(",") if x.strip()],
                 limit_docs=limit_docs, max_epochs=max_epochs, evaluate=evaluate,
                 skip_batches=_batches(skip_batches), ensemble=ensemble)


app.add_typer(train_app, name="train")
