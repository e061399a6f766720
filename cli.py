"""The lintas command line (typer). It only parses arguments and calls `pipeline`."""

from __future__ import annotations

import errno
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

app = typer.Typer(
    name="lintas",
    help="Turn news articles in many languages into lintas/1 JSONL: documents, entities, "
         "relations, events and claims, with offsets into the original text and "
         "identities shared across languages.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_BROKEN_PIPE = 128 + 13  # what a shell reports for a tool that SIGPIPE stopped
# write errors of the output itself (full disk, quota, file too large, read-only, I/O)
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


def _version(value: bool) -> None:
    if value:
        from pipeline import __version__

        typer.echo(f"lintas {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and exit.")] = False,
) -> None:
    """lintas: multilingual news to structured, linked data."""


# sentences of a sentence-level file per document in `lintas evaluate ner` (kept in step
# with `pipeline.evaluation.evaluate.SENTENCES_PER_DOC`, which a test checks; importing it here would
# load the pipeline for every command)
SENTENCES_PER_DOC = 40

# `--vote` of run and evaluate: one text, so that both commands describe it alike
VOTE_HELP = ("With the spaCy CNN reading (--ner spacy,gazetteer): the shipped CNN and the models "
             "in its members/ folder (Indonesian: five, seeds 0-4) vote on each name: +1.4 F1 "
             "on NERGrit valid over the CNN alone, about 4 times slower.")


def _check_vote(vote: bool, backends: tuple[str, ...], option: str) -> None:
    """`--vote` is the spaCy models' vote: a usage error unless spaCy is the first model
    backend (the multilingual model, listed first by default, reads Indonesian otherwise)."""
    from pipeline.stages.ner_stage import MODEL_BACKENDS

    models = [n for n in backends if n in MODEL_BACKENDS]
    if vote and models[:1] != ["spacy"]:
        raise typer.BadParameter(f"--vote is the spaCy models' vote: use {option} "
                                 "spacy,gazetteer", param_hint="--vote")


# the translation path's options, of `lintas run` and `lintas evaluate events|claims`
TRANSLATE_OPTION = typer.Option(
    "--translate", metavar="LANGS",
    help="Read documents through an English translation (names, relations, events and claims "
         "found on the English, mapped back): untrained (the languages the multilingual NER "
         "model was not trained on), all, or a list such as kk,uz. Needs --mt-model.")
MT_OPTION = typer.Option(
    "--mt", metavar="NAME",
    help="Translation backend for --translate: hf (lintas[hf]) or ct2 (lintas[ct2]); "
         "lintas evaluate events|claims --source ntrex also takes ntrex (NTREX-128's own "
         "English for its sentences, to measure the path).")
MT_MODEL_OPTION = typer.Option(
    "--mt-model", metavar="PATH",
    help="The translation model for --translate: a folder (or a name in the local Hugging "
         "Face cache); never downloaded.")


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(
        help=".txt files, folders (read recursively), .jsonl files (one article per line: "
             "text, optional id, title, url, published, lang) or - for stdin.",
        show_default=False, metavar="INPUT")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", help="Write JSONL here (default: stdout).")] = None,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", metavar="CODE",
        help="Force this language (ISO 639-1, e.g. id, bg) for every document.")] = None,
    input_format: Annotated[str, typer.Option(
        "--format", metavar="FORMAT",
        help="auto (by suffix; stdin: JSONL if it starts with '{'), txt or jsonl.")] = "auto",
    workers: Annotated[int, typer.Option(
        "--workers", "-w", min=1, metavar="N", help="Worker processes; output is the same for any number.")] = 1,
    langid: Annotated[str, typer.Option(
        "--langid", metavar="NAME", help="Language-ID backend: py3langid (default, measured best), lingua or langdetect.")] = "py3langid",
    ner: Annotated[str, typer.Option(
        "--ner", metavar="NAMES",
        help="NER backends: one model per document (the first listed that has one for "
             "its language, or the language's own choice in settings.tsv: transformer, "
             "spacy, hf, stanza) and the gazetteer; earlier ones win on overlap.")] = "transformer,spacy,gazetteer",
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, metavar="N", help="Larger documents become error records.")] = 50_000_000,
    validate: Annotated[bool, typer.Option(
        "--validate/--no-validate", help="Check every record against the JSON Schema.")] = True,
    progress: Annotated[Optional[bool], typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr (default: only when stderr is a terminal).")] = None,
    vote: Annotated[bool, typer.Option("--vote", help=VOTE_HELP)] = False,
    out_dir: Annotated[Optional[Path], typer.Option(
        "--out-dir", metavar="DIR",
        help="Write a resumable folder instead: part-00000.jsonl, ... (SIZE inputs each), "
             "manifest.json and journal.jsonl. The same command again resumes an "
             "interrupted run; `cat DIR/part-*` equals the -o output.")] = None,
    shard_size: Annotated[int, typer.Option(
        "--shard-size", min=1, metavar="SIZE", help="Inputs per part of --out-dir.")] = 512,
    engine: Annotated[str, typer.Option(
        "--engine", metavar="NAME",
        help="local (worker processes) or ray (--workers Ray actors, on a local Ray or the "
             "cluster at --ray-address; needs lintas[ray]). Same output either way.")] = "local",
    ray_address: Annotated[Optional[str], typer.Option(
        "--ray-address", metavar="ADDRESS",
        help="An existing Ray cluster (e.g. ray://head:10001, or auto) for --engine ray.")] = None,
    translate: Annotated[Optional[str], TRANSLATE_OPTION] = None,
    mt: Annotated[str, MT_OPTION] = "hf",
    mt_model: Annotated[Optional[str], MT_MODEL_OPTION] = None,
) -> None:
    """Process articles and write lintas/1 JSONL records.

    Exit status: 0 when every input became a document, 1 when some inputs became error
    records (the others are still processed and written), 2 on a usage error or an output
    problem (full disk, missing folder, an --out-dir made by another command), 128+N when
    signal N stopped the run (after a whole document), 141 when the reader of stdout went.
    """
    from pipeline.backends import available
    from pipeline.core.core import PipelineConfig
    from pipeline.core.runner import run as run_pipeline

    from pipeline.io.reader import LANG_CODE

    if lang is not None and not LANG_CODE.fullmatch(lang):
        raise typer.BadParameter("must be an ISO 639 code such as id, bg, en", param_hint="--lang")
    if input_format not in ("auto", "txt", "jsonl"):
        raise typer.BadParameter("must be auto, txt or jsonl", param_hint="--format")
    if langid not in available("langid"):
        raise typer.BadParameter(f"must be one of {', '.join(available('langid'))}",
                                 param_hint="--langid")
    from pipeline.core.errors import LintasError
    from pipeline.core.runner import check_backends

    ner_backends = tuple(n.strip() for n in ner.split(",") if n.strip())
    unknown = [n for n in ner_backends if n not in available("ner")]
    if unknown or not ner_backends:
        raise typer.BadParameter(f"must be names from {', '.join(available('ner'))}",
                                 param_hint="--ner")
    _check_vote(vote, ner_backends, "--ner")
    if engine not in ("local", "ray"):
        raise typer.BadParameter("must be local or ray", param_hint="--engine")
    if ray_address and engine != "ray":
        raise typer.BadParameter("needs --engine ray", param_hint="--ray-address")
    ner_options: dict[str, dict[str, Any]] = {"spacy": {"vote": True}} if vote else {}
    ner_backends = _translate_options(translate, mt, mt_model, ner_backends, ner_options)
    config = PipelineConfig(langid_backend=langid, ner_backends=ner_backends,
                            ner_options=ner_options)
    try:
        check_backends(config)
        if engine == "ray":
            from pipeline.core.engine_ray import _ray

            _ray()  # a missing Ray is a usage error naming the extra, before any output
    except LintasError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    if out_dir is not None:
        if output is not None:
            raise typer.BadParameter("use either -o FILE or --out-dir DIR", param_hint="--out-dir")
        _run_to_folder(inputs, out_dir, config=config, lang=lang, input_format=input_format,
                       workers=workers, max_bytes=max_bytes, validate=validate,
                       shard_size=shard_size, progress=progress, engine=engine,
                       ray_address=ray_address)
    try:
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        typer.echo(f"lintas: error: cannot write {output}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    try:
        try:
            summary = run_pipeline(inputs, out, config=config, lang=lang,
                                   input_format=input_format, workers=workers,
                                   max_bytes=max_bytes, validate=validate, progress=progress,
                                   engine=engine, ray_address=ray_address)
        finally:
            if output:
                out.close()
    except BrokenPipeError:
        # `lintas run … | head -1`: the reader has gone; stop quietly, as Unix tools do
        # (the rest of the output goes nowhere instead of raising again at exit)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        if exc.errno not in _OUTPUT_ERRNOS:
            raise
        typer.echo(f"lintas: error: cannot write {output or 'the output'}: "
                   f"{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    _finish(summary)


def _finish(summary: Any) -> None:
    """Print a run's summary line and exit with its status."""
    typer.echo(summary.line(), err=True)
    if summary.stopped_by:
        # as a shell reports a tool that the signal ended: 128 + its number
        raise typer.Exit(128 + int(getattr(signal, summary.stopped_by)))
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_INPUT_ERRORS)


def _run_to_folder(inputs: list[str], out_dir: Path, **options: Any) -> None:
    """`lintas run --out-dir`: a folder problem or a failed write is a usage error (2)."""
    from pipeline.core.runner import run_to_folder
    from pipeline.core.errors import FolderError

    try:
        summary = run_to_folder(inputs, out_dir, **options)
    except FolderError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    except OSError as exc:
        # inputs that cannot be read are error records: what escapes is the folder's
        typer.echo(f"lintas: error: cannot write {out_dir}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    _finish(summary)


@app.command()
def status(
    folder: Annotated[Path, typer.Argument(help="An --out-dir folder of `lintas run`.",
                                           metavar="DIR")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what an --out-dir folder holds: parts written, counts, whether it is complete.

    Exit status: 0 complete, 1 not (yet) complete, 2 not a lintas output folder.
    """
    import json

    from pipeline.core.errors import FolderError
    from pipeline.io.shards import status as folder_status

    try:
        info = folder_status(folder)
    except FolderError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    if as_json:
        typer.echo(json.dumps(info, ensure_ascii=False, indent=1))
    else:
        total = (f"all {info['total_inputs']} inputs" if info["complete"]
                 else "not complete: run the same `lintas run ... --out-dir` command again")
        typer.echo(f"{info['folder']}: lintas {info['lintas']}, {info['input_files']} input "
                   f"files, {info['shard_size']} inputs per part\n"
                   f"parts written: {info['parts_done']} ({info['inputs']} inputs: "
                   f"{info['documents']} documents, {info['errors']} errors, "
                   f"{info['records']} records, {info['bytes']} bytes)\n{total}")
        for problem in info["problems"]:
            typer.echo(f"problem: {problem}")
    raise typer.Exit(EXIT_OK if info["complete"] else EXIT_INPUT_ERRORS)


@app.command()
def merge(
    folder: Annotated[Path, typer.Argument(help="A complete --out-dir folder.", metavar="DIR")],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", metavar="FILE", help="Write JSONL here (default: stdout).")] = None,
) -> None:
    """Join the parts of a complete --out-dir folder into one JSONL file (the -o output)."""
    from pipeline.core.errors import FolderError
    from pipeline.io.shards import merge as merge_folder, part_paths

    try:
        parts = part_paths(folder)  # checked before the output file is created
        out = open(output, "w", encoding="utf-8") if output else sys.stdout
        try:
            merge_folder(parts, out)
        finally:
            if output:
                out.close()
    except FolderError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        typer.echo(f"lintas: error: cannot write {output or 'the output'}: "
                   f"{exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of lintas/1 records."""
    from pipeline.io.schema import SCHEMA_PATH

    typer.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)


@app.command()
def benchmark(
    what: Annotated[str, typer.Argument(
        help="What to measure: langid, speed, engines (local workers against Ray actors, "
             "needs lintas[ray]), memory (one long document) or report (page weight and render "
             "time of lintas report).")] = "langid",
    backends: Annotated[Optional[str], typer.Option(
        "--backends", help="langid: comma-separated backends (default: all registered).")] = None,
    langs: Annotated[Optional[str], typer.Option(
        "--langs", help="speed: comma-separated languages (default: id,bg).")] = None,
    vote: Annotated[bool, typer.Option(
        "--vote", help="speed: lintas run --vote, against every model of the vote.")] = False,
    ner: Annotated[str, typer.Option(
        "--ner", help="speed: transformer (the multilingual model, with the spaCy path "
                      "beside it) or spacy (the CNNs against their bare models).")] = "transformer",
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="speed (transformer) and engines: lintas run's workers.")] = 2,
    docs: Annotated[Optional[int], typer.Option(
        "--docs", min=1, help="engines: documents in the corpus (sample articles repeated; "
                              "default 300); report: one corpus size (default 100, 1,000 "
                              "and 10,000).")] = None,
    repeats: Annotated[int, typer.Option(
        "--repeats", min=1, help="speed (transformer): passes per measurement, best kept; "
                                 "engines: rounds, median kept.")] = 1,
    sizes: Annotated[Optional[str], typer.Option(
        "--sizes", help="memory: comma-separated document sizes in MB (default: 1,10,30).")] = None,
) -> None:
    """Measure accuracy and speed, and print the tables that the README quotes."""
    if what == "langid":
        from pipeline.benchmarks.langid import main as bench_langid

        bench_langid(backends.split(",") if backends else None)
    elif what == "engines":
        from pipeline.benchmarks.engines import main as bench_engines

        bench_engines(documents=docs or 300, workers=workers, repeats=repeats)
    elif what == "report":
        from pipeline.benchmarks.report import main as bench_report

        bench_report(docs)
    elif what == "memory":
        from pipeline.benchmarks.memory import main as bench_memory

        bench_memory([float(x) for x in sizes.split(",")] if sizes else None)
    elif what == "speed" and ner == "transformer" and not vote:
        from pipeline.benchmarks.speed_encoder import main as bench_encoder

        bench_encoder(langs.split(",") if langs else None, workers=workers, repeats=repeats)
    elif what == "speed" and (ner == "spacy" or vote):  # --vote is the spaCy models' vote
        from pipeline.benchmarks.speed import main as bench_speed

        bench_speed(langs.split(",") if langs else None, vote=vote)
    else:
        raise typer.BadParameter("must be langid, engines, memory, report or speed (with --ner "
                                 "transformer or spacy)",
                                 param_hint="WHAT")


train_app = typer.Typer(help="Train models from raw data files.", no_args_is_help=True,
                        rich_markup_mode=None)
evaluate_app = typer.Typer(help="Score models on annotated data.", no_args_is_help=True,
                           rich_markup_mode=None)
app.add_typer(train_app, name="train")
app.add_typer(evaluate_app, name="evaluate")


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
) -> None:
    """Train the learned event heads on the team's annotated corpus (needs lintas[train] and
    the corpus' sources in ../shared/data or $LINTAS_DATA)."""
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_events import build_events_model

    _train_heads(build_events_model, out or models_dir() / "events-xx", ner_dir=ner_model,
                 work=work, seed=seed, layers=[int(x) for x in layers.split(",") if x.strip()],
                 widths=[int(x) for x in widths.split(",") if x.strip()],
                 limit_docs=limit_docs, max_epochs=max_epochs, evaluate=evaluate,
                 skip_batches=_batches(skip_batches))


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
) -> None:
    """Train the learned claim head (cue, speaker, content) on the team's annotated corpus
    (needs lintas[train] and the corpus' sources in ../shared/data or $LINTAS_DATA)."""
    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_claims import build_claims_model

    _train_heads(build_claims_model, out or models_dir() / "claims-xx", ner_dir=ner_model,
                 work=work, seed=seed, widths=[int(x) for x in widths.split(",") if x.strip()],
                 limit_docs=limit_docs, max_epochs=max_epochs, evaluate=evaluate,
                 skip_batches=_batches(skip_batches))


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
    _check_vote(vote, names, "--backends")
    result = evaluate(lang, data, model=model, backends=names, vote=vote,
                      sentences_per_doc=sentences_per_doc)
    typer.echo(_json.dumps(result, indent=2) if as_json else format_table(result))
    if save:
        folder = model or models_dir() / f"ner-{lang}"
        save_evaluation(folder, result)
        typer.echo(f"wrote {write_card(folder)}", err=True)


def _translate_options(translate: str | None, mt: str, mt_model: str | None,
                       ner_backends: tuple[str, ...], ner_options: dict[str, dict[str, Any]],
                       source: str | None = None) -> tuple[str, ...]:
    """The NER backends with the translation path first when ``--translate`` asks for it
    (its options put in ``ner_options``); a usage error for options that do not go
    together. ``source``: the corpus documents `lintas evaluate` reads (None: a run)."""
    from pipeline.backends import available
    from pipeline.io.reader import LANG_CODE

    if mt == "ntrex" and "ntrex" not in (source or ""):
        # NTREX's own English: any other sentence would get none, and lose its records
        raise typer.BadParameter("ntrex translates NTREX-128's own sentences only: it measures "
                                 "the path (lintas evaluate events|claims --source ntrex)",
                                 param_hint="--mt")

    if translate is None:
        if "translate" in ner_backends or mt_model is not None or mt != "hf":
            raise typer.BadParameter("the translation path is --translate LANGS --mt-model PATH",
                                     param_hint="--translate")
        return ner_backends
    codes = [x.strip() for x in translate.split(",") if x.strip()]
    if translate not in ("untrained", "all") and (
            not codes or not all(LANG_CODE.fullmatch(c) and c not in ("en", "und")
                                 for c in codes)):
        raise typer.BadParameter("untrained, all, or ISO 639 codes such as kk,uz",
                                 param_hint="--translate")
    if mt not in available("mt"):
        raise typer.BadParameter(f"must be one of {', '.join(available('mt'))}",
                                 param_hint="--mt")
    # the translation path first: it takes the languages it is asked to, the others
    # fall to the next model backend
    ner_options["translate"] = {"mt": mt, "mt_model": mt_model, "langs": translate}
    return ("translate",) + tuple(n for n in ner_backends if n != "translate")


def _evaluate_corpus(what: str, split: str, langs: str, as_json: bool,
                     translate: str | None = None, mt: str = "hf",
                     mt_model: str | None = None, source: str = "") -> None:
    import json as _json

    from pipeline.core.core import PipelineConfig
    from pipeline.core.errors import LintasError
    from pipeline.evaluation.evaluate_corpus import evaluate_corpus, format_scores
    from pipeline.stages.ner_stage import DEFAULT_NER
    from pipeline.core.runner import check_backends

    if split not in ("dev", "train", "heldout", "all"):
        raise typer.BadParameter("dev, train, heldout or all", param_hint="--split")
    wanted = [x.strip() for x in langs.split(",") if x.strip()] or None
    options: dict[str, dict[str, Any]] = {}
    config = PipelineConfig(ner_backends=_translate_options(translate, mt, mt_model,
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
    "--split", help="The corpus split: dev, train, heldout (Czech, never trained on) or all.")
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
    """Speaker + content F1 of `lintas run`'s claims on the team's annotated corpus."""
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


@app.command()
def link(
    records: Annotated[Path, typer.Argument(
        help="A lintas/1 JSONL file (`lintas run`'s output) or a complete --out-dir folder.",
        exists=True)],
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write.")],
) -> None:
    """Give the same entity one canonical key across all documents of an output file."""
    from pipeline.core.errors import FolderError
    from pipeline.corpus.link import link_file, record_files

    if output.resolve() == records.resolve():
        raise typer.BadParameter("write to another file than the input", param_hint="--output")
    try:
        files = record_files(str(records))  # a folder checked before the output is created
        with open(output, "w", encoding="utf-8") as out:
            summary = link_file(str(records), out, files)
    except FolderError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    typer.echo(summary.line(), err=True)


@app.command()
def export(
    runs: Annotated[list[Path], typer.Argument(
        help="lintas/1 JSONL files (`lintas run`'s output) or complete --out-dir folders.",
        metavar="RUN...", exists=True)],
    fmt: Annotated[str, typer.Option(
        "--format", "-f", help="parquet (one typed file per table; needs lintas[export]), "
                               "graph-csv (Neo4j bulk-import nodes and edges) or events-csv "
                               "(one row per event).")] = "parquet",
    out: Annotated[Path, typer.Option(
        "--out", help="Folder to write (events-csv: also a path ending in .csv).")] = Path("export"),
) -> None:
    """Export runs as tables (Parquet), a graph (Neo4j CSV) or an event list (CSV)."""
    from pipeline.corpus.export import FORMATS, export as export_runs

    if fmt not in FORMATS:
        raise typer.BadParameter(f"one of {', '.join(FORMATS)}", param_hint="--format")
    counts = _from_runs(runs, out, lambda names, files: export_runs(names, fmt, out, files))
    shown = ", ".join(f"{n} {t}" for t, n in counts.items())
    typer.echo(f"lintas: exported {fmt} to {out}: {shown}", err=True)


def _from_runs(runs: list[Path], target: Path, write: Any) -> Any:
    """``write(run names, their record files)`` for `export` and `report`: each run's
    files resolved once (an unfinished folder is refused before anything is written); a
    refused input or an unwritable ``target`` is a usage error."""
    from pipeline.core.errors import FolderError
    from pipeline.corpus.link import record_files

    try:
        files = [record_files(str(run)) for run in runs]
        return write([str(r) for r in runs], files)
    except (FolderError, ValueError) as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    except OSError as exc:
        typer.echo(f"lintas: error: cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def report(
    runs: Annotated[list[Path], typer.Argument(
        help="lintas/1 JSONL files (`lintas run`'s output) or complete --out-dir folders.",
        metavar="RUN...", exists=True)],
    output: Annotated[Path, typer.Option(
        "--output", "-o", metavar="FILE", help="The HTML file to write.")] = Path("report.html"),
) -> None:
    """One self-contained HTML report of runs: timeline, routes, actors, who said what."""
    from pipeline.corpus.export.report import write_report

    shown = _from_runs(runs, output, lambda names, files: write_report(names, output, files))
    size = shown.pop("bytes")
    weight = f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} KB"
    typer.echo(f"lintas: wrote {output} ({weight}): "
               + ", ".join(f"{n} {k}" for k, n in shown.items()), err=True)


@app.command("build-gazetteer")
def build_gazetteer(
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Folder to write (default: the shipped models/gazetteer).")] = None,
) -> None:
    """Regenerate the GeoNames part of the gazetteer (needs: pip install "lintas[build]")."""
    from pipeline.corpus.gazetteer_build import build
    from pipeline.lexicon.lexicons import models_dir

    target = out or models_dir() / "gazetteer"
    n_countries, n_cities = build(target)
    typer.echo(f"wrote {n_countries} countries and {n_cities} cities to {target}", err=True)


def main() -> None:
    """Entry point of the ``lintas`` console script."""
    from pipeline.core.errors import LintasError

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app(standalone_mode=True)
    except LintasError as exc:  # a setup problem (missing library, bad config): no traceback
        typer.echo(f"lintas: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
