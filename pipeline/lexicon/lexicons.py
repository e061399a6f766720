"""Where the shipped models and lexicons live, and readers for their plain-text formats."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def data_dir() -> Path:
    """The shared training and evaluation data (``../shared/data``): ``$LINTAS_DATA`` if
    set, else ``shared/data`` beside the repository."""
    env = os.environ.get("LINTAS_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[3] / "shared" / "data"


def models_dir() -> Path:
    """The models folder: ``$LINTAS_MODELS`` if set, else the one shipped with lintas.

    In a source checkout it is the repository's ``models/``; in a wheel it is installed as
    ``pipeline/models/``.
    """
    env = os.environ.get("LINTAS_MODELS")
    if env:
        return Path(env)
    package = Path(__file__).resolve().parents[1]  # pipeline/
    for candidate in (package.parent / "models", package / "models"):
        if (candidate / "lexicons").is_dir():
            return candidate
    raise FileNotFoundError(
        "[L005] lintas models folder not found; reinstall lintas or set LINTAS_MODELS"
    )


def read_lines(path: Path) -> list[str]:
    """Non-blank lines of a UTF-8 lexicon file, without comment lines (``#`` first)."""
    out = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            stripped = line.rstrip("\n")
            if stripped.strip() and not stripped.lstrip().startswith("#"):
                out.append(stripped)
    return out


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated lexicon file, without comment and blank lines."""
    return [line.split("\t") for line in read_lines(path)]


def lexicon_path(lang: str, name: str) -> Path:
    """``models/lexicons/LANG/NAME`` (``lang`` may be ``xx``, the lists for every language):
    the one place a lexicon file's path is made."""
    return models_dir() / "lexicons" / lang / name


@lru_cache(maxsize=32)
def settings(lang: str) -> dict[str, str]:
    """``models/lexicons/LANG/settings.tsv``: per-language switches of the rules."""
    path = lexicon_path(lang, "settings.tsv")
    if not path.exists():
        return {}
    return {row[0].strip(): row[1].strip() for row in read_tsv(path) if len(row) >= 2}


@lru_cache(maxsize=32)
def grammar(lang: str) -> dict[str, frozenset[str]]:
    """``models/lexicons/LANG/grammar.tsv``: role (joiner, locative, between,
    complementizer) -> the language's words for it, lower-cased."""
    path = lexicon_path(lang, "grammar.tsv")
    roles: dict[str, set[str]] = {}
    if path.exists():
        for row in read_tsv(path):
            if len(row) >= 2 and row[0].strip():
                roles.setdefault(row[1].strip(), set()).add(row[0].strip().lower())
    return {role: frozenset(words) for role, words in roles.items()}
