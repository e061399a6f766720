"""The lintas command line (typer). It only parses arguments and calls `pipeline`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

app = typer.Typer(
    name="lintas",
    help="Turn news articles in many languages into lintas/1 JSONL: documents, entities "
         "(and, as they land, relations, events and claims), with offsets into the "
         "original text and identities shared across languages.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

EXIT_OK, EXIT_INPUT_ERRORS, EXIT_USAGE = 0, 1, 2


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


@app.command()
def run(
    inputs: Annotated[list[str], typer.Argument(
        help=".txt files, folders (read recursively), .jsonl files (one article per line: "
             "text, optional id, title, url, published, lang) or - for stdin.",
        show_default=False)],
    output: Annotated[Optional[Path], typer.Option(
        "--output", "-o", help="Write JSONL here (default: stdout).")] = None,
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="Force this language (ISO 639-1, e.g. id, bg) for every document.")] = None,
    input_format: Annotated[str, typer.Option(
        "--format", help="auto (by suffix; stdin: JSONL if it starts with '{'), txt or jsonl.")] = "auto",
    workers: Annotated[int, typer.Option(
        "--workers", "-w", min=1, help="Worker processes; output is the same for any number.")] = 1,
    langid: Annotated[str, typer.Option(
        "--langid", help="Language-ID backend: py3langid (default, measured best), lingua or langdetect.")] = "py3langid",
    max_bytes: Annotated[int, typer.Option(
        "--max-bytes", min=1, help="Larger documents become error records.")] = 50_000_000,
    validate: Annotated[bool, typer.Option(
        "--validate/--no-validate", help="Check every record against the JSON Schema.")] = True,
    progress: Annotated[Optional[bool], typer.Option(
        "--progress/--no-progress",
        help="Progress bar on stderr (default: only when stderr is a terminal).")] = None,
) -> None:
    """Process articles and write lintas/1 JSONL records.

    Exit status: 0 when every input became a document, 1 when some inputs became error
    records (the others are still processed and written), 2 on a usage error.
    """
    from pipeline.backends import available
    from pipeline.core import PipelineConfig
    from pipeline.runner import run as run_pipeline

    from pipeline.reader import LANG_CODE

    if lang is not None and not LANG_CODE.fullmatch(lang):
        raise typer.BadParameter("must be an ISO 639 code such as id, bg, en", param_hint="--lang")
    if input_format not in ("auto", "txt", "jsonl"):
        raise typer.BadParameter("must be auto, txt or jsonl", param_hint="--format")
    if langid not in available("langid"):
        raise typer.BadParameter(f"must be one of {', '.join(available('langid'))}",
                                 param_hint="--langid")
    from pipeline.errors import LintasError
    from pipeline.runner import check_backends

    config = PipelineConfig(langid_backend=langid)
    try:
        check_backends(config)
    except LintasError as exc:
        typer.echo(f"lintas: error: {exc}", err=True)
        raise typer.Exit(EXIT_USAGE)
    out = open(output, "w", encoding="utf-8") if output else sys.stdout
    try:
        summary = run_pipeline(inputs, out, config=config, lang=lang, input_format=input_format,
                               workers=workers, max_bytes=max_bytes, validate=validate,
                               progress=progress)
    finally:
        if output:
            out.close()
    typer.echo(summary.line(), err=True)
    raise typer.Exit(EXIT_OK if summary.ok else EXIT_INPUT_ERRORS)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of lintas/1 records."""
    from pipeline.schema import SCHEMA_PATH

    typer.echo(SCHEMA_PATH.read_text(encoding="utf-8"), nl=False)


@app.command()
def benchmark(
    what: Annotated[str, typer.Argument(help="What to measure: langid.")] = "langid",
    backends: Annotated[Optional[str], typer.Option(
        "--backends", help="Comma-separated backends (default: all installed).")] = None,
) -> None:
    """Measure accuracy and speed, and print the table that the README quotes."""
    if what != "langid":
        raise typer.BadParameter("only 'langid' so far", param_hint="WHAT")
    from pipeline.benchmarks.langid import main as bench_langid

    bench_langid(backends.split(",") if backends else None)


@app.command("build-gazetteer")
def build_gazetteer(
    out: Annotated[Optional[Path], typer.Option(
        "--out", help="Folder to write (default: the shipped models/gazetteer).")] = None,
) -> None:
    """Regenerate the GeoNames part of the gazetteer (needs: pip install "lintas[build]")."""
    from pipeline.gazetteer_build import build
    from pipeline.lexicons import models_dir

    target = out or models_dir() / "gazetteer"
    n_countries, n_cities = build(target)
    typer.echo(f"wrote {n_countries} countries and {n_cities} cities to {target}", err=True)


def main() -> None:
    """Entry point of the ``lintas`` console script."""
    from pipeline.errors import LintasError

    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    try:
        app(standalone_mode=True)
    except LintasError as exc:  # a setup problem (missing library, bad config): no traceback
        typer.echo(f"lintas: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)


if __name__ == "__main__":
    main()
