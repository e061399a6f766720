"""spaCy blank pipelines (the rule-based tokenizer of each language), cached per language
and built fast: the segment stage's tokens, and the tokens lexicon phrases, place names and
training data are matched or read on."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

# The longest text the segment stage gives a pipeline at once (longer ones go in chunks).
CHUNK_CHARS = 100_000
# spaCy languages whose tokenizer needs an extra library (sudachipy, jieba, pythainlp …):
# lintas uses the multilingual tokenizer for them rather than fail.
_NEEDS_EXTRA = {"ja", "zh", "ko", "th", "vi"}
_CACHE_SIZE = 8
# spaCy's tokenizer caches the tokens of each whitespace-separated string, but only the first
# 10,000 it meets; past that every new word goes through the affix regexes again. News
# vocabularies are larger than that, so the cache is made large enough to hold them.
TOKENIZER_CACHE = 500_000


def blank_pipeline(lang: str) -> Any:
    """A cached spaCy blank pipeline (tokenizer only) for ``lang`` (``xx`` if unknown)."""
    return _blank(lang if lang and lang not in _NEEDS_EXTRA else "xx")


@lru_cache(maxsize=_CACHE_SIZE)
def _blank(code: str) -> Any:
    import spacy

    try:
        nlp = _fast_blank(code)
    except (ImportError, KeyError, ValueError, OSError):
        # spaCy raises an ImportError subclass for unknown languages (E048).
        nlp = spacy.blank("xx")
    _letters_fast_path(nlp.tokenizer)
    nlp.tokenizer.max_cache_size = TOKENIZER_CACHE
    nlp.max_length = CHUNK_CHARS * 2
    return nlp


def _letters_fast_path(tokenizer: Any) -> None:
    """Keep strings of letters whole without trying the affix regexes on them.

    A string of letters only has no prefix, suffix or infix to split off, yet spaCy runs
    its regexes on every new one (the bulk of tokenizing time). Special cases ("cannot")
    are still looked up first, so the tokens are the same.
    """
    inner = tokenizer.token_match

    def token_match(text: str) -> bool:
        return text.isalpha() or bool(inner is not None and inner(text))

    tokenizer.token_match = token_match


_HYPHENATED_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)+")


def _fast_blank(code: str) -> Any:
    """``spacy.blank(code)`` with the same tokens, built in a fraction of the time.

    Indonesian lists about 15,600 hyphenated words ("negara-negara") as tokenizer
    exceptions only to keep them whole; adding them one by one takes 3-4 s per process.
    Here such exceptions (one token, same text, letters and hyphens only) become a set
    lookup in ``token_match`` instead; all other exceptions stay as they are.
    """
    from spacy.symbols import ORTH
    from spacy.util import get_lang_class

    cls = get_lang_class(code)
    exceptions = cls.Defaults.tokenizer_exceptions
    whole = frozenset(
        k for k, v in exceptions.items()
        if len(v) == 1 and set(v[0]) == {ORTH} and v[0][ORTH] == k and _HYPHENATED_WORD.fullmatch(k)
    )
    if len(whole) < 500:
        import spacy

        return spacy.blank(code)
    keep = {k: v for k, v in exceptions.items() if k not in whole}
    defaults = type("Defaults", (cls.Defaults,), {"tokenizer_exceptions": keep})
    nlp = type(cls.__name__, (cls,), {"Defaults": defaults})()
    inner = nlp.tokenizer.token_match

    def token_match(text: str) -> bool:
        return text in whole or bool(inner is not None and inner(text))

    nlp.tokenizer.token_match = token_match
    return nlp
