"""The lintas command line (typer). It only parses arguments and calls `pipeline`: the
commands live in `pipeline/commands/`, imported here in the order `lintas --help` lists
them."""

from __future__ import annotations

import os
import sys

import typer

from pipeline.commands.app import EXIT_USAGE, SENTENCES_PER_DOC, app
import pipeline.commands.run  # noqa: F401  (registers run, status, merge, schema, benchmark)
import pipeline.commands.train  # noqa: F401  (registers train …)
import pipeline.commands.evaluate  # noqa: F401  (registers evaluate …)
import pipeline.commands.corpus  # noqa: F401  (registers link, export, report, build-gazetteer)

__all__ = ["app", "main", "SENTENCES_PER_DOC"]


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
