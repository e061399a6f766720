"""The `langid` stage: the document's language and a confidence, or ``und``.

The text is judged on a bounded sample (so a huge document costs no more than a short one),
as a whole and paragraph by paragraph: a mixed document shows as a low confidence, and a
text too short to judge is ``und`` rather than a confident wrong guess.
"""

from __future__ import annotations

import re

from pipeline.backends import get_backend
from pipeline.backends.base import detect_parts
from pipeline.stages.clean import clean_text
from pipeline.core.document import Document
from pipeline.core.stage_registry import register_stage

UND = "und"
# Below this many letters nobody (backend or human) can tell Indonesian from Malay.
MIN_LETTERS = 20
# The whole sample's verdict needs this probability, and this share of the judged
# paragraphs (by letters) must agree with it; else the document is reported as `und`.
MIN_CONFIDENCE = 0.5
MIN_AGREEMENT = 0.5
# How much text is looked at: enough to be sure, bounded so huge inputs cost the same.
SAMPLE_CHARS = 3000
# How many paragraphs are judged one by one for the agreement share.
MAX_PIECES = 4
_PARAGRAPH = re.compile(r"[^\n]+")
_LETTERS = re.compile(r"[^\W\d_]+", re.UNICODE)  # runs of letters: fewer matches


def letters(text: str) -> int:
    """How many letters ``text`` holds (digits, punctuation and spaces do not count)."""
    return sum(map(len, _LETTERS.findall(text)))


def _pieces(text: str, limit: int) -> list[str]:
    """Paragraphs of ``text`` up to ``limit`` characters; short ones merge with the next."""
    out: list[str] = []
    buf = ""
    buf_letters = 0
    used = 0
    for m in _PARAGRAPH.finditer(text):
        para = m.group().strip()
        if not para:
            continue
        buf = f"{buf} {para}" if buf else para
        buf_letters += letters(para)
        if buf_letters >= 2 * MIN_LETTERS:  # a line of its own unless very short
            out.append(buf)
            used += len(buf)
            buf, buf_letters = "", 0
        if used >= limit:
            break
    if buf and (buf_letters >= MIN_LETTERS or not out):
        out.append(buf)
    return out


def _top(ranked: list[tuple[str, float]]) -> tuple[str, float]:
    if not ranked:
        return UND, 0.0
    return max(sorted(ranked), key=lambda kv: kv[1])


def identify(text: str, backend_name: str = "py3langid") -> tuple[str, float]:
    """``(language, confidence)`` of ``text``; ``("und", p)`` when it cannot be told.

    The language is the backend's verdict on the whole sample (long text decides best
    between neighbours such as Indonesian and Malay). The confidence is that verdict's
    probability times the share of the sample (by letters) whose paragraphs, judged one by
    one, agree: a document in two languages gets a low confidence. It is ``und`` when the
    verdict itself is unsure (under `MIN_CONFIDENCE`) or when most of the sample disagrees
    with it (under `MIN_AGREEMENT`); one paragraph that reads as a neighbouring language (a
    Malay-looking paragraph in an Indonesian article) lowers the confidence but does not
    make the document ``und``.
    """
    pieces = _pieces(text, SAMPLE_CHARS)  # bounded: a huge text costs what its sample does
    sample = " ".join(pieces)
    if letters(sample) < MIN_LETTERS:
        return UND, 0.0
    backend = get_backend("langid", backend_name)
    judged = pieces[:MAX_PIECES] if len(pieces) > 1 else []
    whole, each = detect_parts(backend, pieces, len(judged))  # `sample` and each judged piece
    lang, prob = _top(whole)
    if lang == UND:
        return UND, 0.0
    agree = 1.0
    if judged:
        weights = [letters(p) for p in judged]
        same = sum(w for ranked, w in zip(each, weights) if _top(ranked)[0] == lang)
        agree = same / sum(weights)
    confidence = round(prob * agree, 3)
    if prob < MIN_CONFIDENCE or agree < MIN_AGREEMENT:
        return UND, confidence
    return lang, confidence


@register_stage('langid')
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
