"""The `lintas` application, its exit statuses and what several commands share; the
commands are in the sibling modules (`run`, `train`, `evaluate`, `corpus`) and `cli.py`
assembles them. Each command imports the pipeline only when it runs, so `lintas --help`
and a usage error answer at once."""

from __future__ import annotations

import errno
from typing import Annotated, Any

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
OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EIO}


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


def check_vote(vote: bool, backends: tuple[str, ...], option: str) -> None:
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




def translate_options(translate: str | None, mt: str, mt_model: str | None,
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
