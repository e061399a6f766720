"""Where a word starts and ends, and the punctuation a name never starts or ends with: the
whole-word decisions of the NER decoders and the alignment of translated names."""

from __future__ import annotations

import re

# Scripts written without spaces between words: there a "word" is the tokenizer's token,
# since widening to a run of letters would swallow a whole clause.
_NO_SPACE_SCRIPTS = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
    "\uf900-\ufaff\U00020000-\U0002fa1f]")


def word_text(text: str) -> str:
    """``text`` with the letters of scripts written without spaces blanked (same length),
    for the whole-word decisions only."""
    return _NO_SPACE_SCRIPTS.sub(" ", text) if _NO_SPACE_SCRIPTS.search(text) else text


def word_start(text: str, i: int) -> int:
    """The start of the word that offset ``i`` lies in (``i`` itself when it starts one or
    is no letter or digit): a name cut inside a word is widened to the whole word."""
    while i > 0 and text[i - 1].isalnum() and text[i].isalnum():
        i -= 1
    return i


def word_end(text: str, i: int) -> int:
    """The end of the word that a span ending at ``i`` cuts, else ``i``."""
    while i < len(text) and text[i - 1].isalnum() and text[i].isalnum():
        i += 1
    return i


# Punctuation a name never starts or ends with: the model sometimes tags the full stop of
# "Dr." with the name after it (". Ford"); opening quotes and brackets may start a name
# ("„Булгаргаз“ ЕАД"), closing ones may end it.
_NOT_FIRST = frozenset(".,;:!?)]}»”")


_NOT_LAST = frozenset(",;:!?([{«„")


def trim_name(text: str, s: int, e: int) -> tuple[int, int]:
    """``[s, e)`` without the punctuation and spaces a name does not start or end with, and
    without a clitic it starts with: the "s" of "Corbyn's" tagged with "Labour Party"
    after it (a lower-case word right after an apostrophe inside a word)."""
    while s < e and (text[s] in _NOT_FIRST or text[s].isspace()):
        s += 1
    if 1 < s < e and text[s - 1] in "'’" and text[s - 2].isalpha() and text[s].islower():
        while s < e and text[s].isalnum():
            s += 1
        while s < e and (text[s] in _NOT_FIRST or text[s].isspace()):
            s += 1
    while e > s and (text[e - 1] in _NOT_LAST or text[e - 1].isspace()):
        e -= 1
    return s, e
