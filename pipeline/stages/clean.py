"""The `clean` stage: masks boilerplate lines without moving any character offset."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from pipeline.core.document import Document, Span
from pipeline.lexicon.lexicons import models_dir, read_lines
from pipeline.core.stage_registry import register_stage

_LINE = re.compile(r"[^\n]*\n?")


@lru_cache(maxsize=8)
def load_patterns(path: str | None = None) -> tuple[re.Pattern[str], ...]:
    """Compile the boilerplate patterns (default: ``models/lexicons/boilerplate.txt``)."""
    file = Path(path) if path else models_dir() / "lexicons" / "boilerplate.txt"
    return tuple(re.compile(p, re.IGNORECASE) for p in read_lines(file))


def find_boilerplate(text: str, patterns: tuple[re.Pattern[str], ...]) -> list[Span]:
    """Spans of ``text`` that the patterns mark as boilerplate, in text order."""
    spans: list[Span] = []
    for m in _LINE.finditer(text):
        line = m.group().rstrip("\r\n")
        if not line.strip():
            continue
        for pat in patterns:
            hit = pat.search(line)
            if hit is None:
                continue
            if "mask" in pat.groupindex and hit.group("mask") is not None:
                s, e = hit.span("mask")
            else:
                s, e = 0, len(line)
            spans.append(Span(m.start() + s, m.start() + e))
            break
    return spans


@register_stage('clean')
class Clean:
    """Pipeline stage: sets ``doc.masked``; ``doc.clean_text`` then blanks those spans."""

    name = "clean"
    requires: tuple[str, ...] = ()
    assigns = ("masked",)

    def __init__(self, patterns_path: str | None = None) -> None:
        self.patterns = load_patterns(patterns_path)

    def __call__(self, doc: Document) -> Document:
        doc.masked = find_boilerplate(doc.text, self.patterns)
        return doc


def clean_text(doc: Document) -> str:
    """The text with masked spans replaced by spaces: same length, same offsets.

    Computed once per document and kept on it (stages after `clean` all read it).
    """
    return doc.clean_text()
