"""The `langid` stage: the document's language and a confidence, or ``und``.

The text is judged paragraph by paragraph (up to a bounded sample), and the paragraph
verdicts are pooled, weighted by their length. So a long document costs no more than its
sample, a mixed document shows as a low share for its top language, and a text too short to
judge is ``und`` rather than a confident wrong guess.
"""

from __future__ import annotations

import re
from collections import defaultdict

from .backends import get_backend
from .clean import clean_text
from .document import Document

UND = "und"
# Below this many letters nobody (backend or human) can tell Indonesian from Malay.
MIN_LETTERS = 20
# Pooled share the top language needs; below it the document is reported as `und`.
MIN_CONFIDENCE = 0.5
# How much text is looked at: enough to be sure, bounded so huge inputs cost the same.
SAMPLE_CHARS = 6000
_PARAGRAPH = re.compile(r"[^\n]+")
_LETTER = re.compile(r"[^\W\d_]", re.UNICODE)


def letters(text: str) -> int:
    """How many letters ``text`` holds (digits, punctuation and spaces do not count)."""
    return len(_LETTER.findall(text))


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs of ``text`` up to ``limit`` characters; short ones merge with the next."""
    out: list[str] = []
    buf = ""
    used = 0
    for m in _PARAGRAPH.finditer(text):
        para = m.group().strip()
        if not para:
            continue
        buf = f"{buf} {para}" if buf else para
        if letters(buf) >= 4 * MIN_LETTERS:
            out.append(buf)
            used += len(buf)
            buf = ""
        if used >= limit:
            break
    if buf and (letters(buf) >= MIN_LETTERS or not out):
        out.append(buf)
    return out


def identify(text: str, backend_name: str = "py3langid") -> tuple[str, float]:
    """``(language, confidence)`` of ``text``; ``("und", p)`` when it cannot be told."""
    if letters(text) < MIN_LETTERS:
        return UND, 0.0
    backend = get_backend("langid", backend_name)
    pooled: dict[str, float] = defaultdict(float)
    total = 0
    for piece in _pieces(text, SAMPLE_CHARS):
        weight = letters(piece)
        if weight == 0:
            continue
        total += weight
        for code, prob in backend.detect(piece):
            pooled[code] += prob * weight
    if not pooled or total == 0:
        return UND, 0.0
    lang, score = max(sorted(pooled.items()), key=lambda kv: kv[1])
    confidence = round(score / total, 3)
    if confidence < MIN_CONFIDENCE:
        return UND, confidence
    return lang, confidence


class LangId:
    """Pipeline stage: sets ``doc.lang`` and ``doc.lang_confidence``."""

    name = "langid"
    requires = ("masked",)
    assigns = ("lang", "lang_confidence")

    def __init__(self, backend: str = "py3langid") -> None:
        self.backend_name = backend

    def __call__(self, doc: Document) -> Document:
        if doc.lang_hint:
            doc.lang, doc.lang_confidence = doc.lang_hint.lower(), 1.0
            doc.extractors["langid"] = "given"
            return doc
        doc.lang, doc.lang_confidence = identify(clean_text(doc), self.backend_name)
        doc.extractors["langid"] = get_backend("langid", self.backend_name).version()
        return doc
