"""`lintas run`, `status`, `merge`, `schema` and `benchmark`."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from pipeline.commands.app import (EXIT_BROKEN_PIPE, EXIT_INPUT_ERRORS, EXIT_OK, EXIT_USAGE,
                                   MT_MODEL_OPTION, MT_OPTION, OUTPUT_ERRNOS,
                                   TRANSLATE_OPTION, VOTE_HELP, app, check_vote,
                                   translate_options)


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
    check_vote(vote, ner_backends, "--ner")
    if engine not in ("local", "ray"):
        raise typer.BadParameter("must be local or ray", param_hint="--engine")
    if ray_address and engine != "ray":
        raise typer.BadParameter("needs --engine ray", param_hint="--ray-address")
    ner_options: dict[str, dict[str, Any]] = {"spacy": {"vote": True}} if vote else {}
    ner_backends = translate_options(translate, mt, mt_model, ner_backends, ner_options)
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
        if exc.errno not in OUTPUT_ERRNOS:
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
