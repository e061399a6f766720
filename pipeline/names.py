"""Language-independent keys for names, and the in-document aliases of a name.

A name without a known identity gets the key ``label:folded-name``, where the fold makes
the spellings of one name in Latin and Cyrillic meet: transliterated to ASCII, lower case,
and the differences that transliteration conventions make removed ("Tokayev" / "Токаев",
"Zheldibay" / "Желдибай", "Dmitry" / "Дмитрий", "Kassym-Jomart" / "Касым-Жомарт" all fold
to the same string). The fold is deliberately coarse: it is a merge key, the readable name
is kept next to it.
"""

from __future__ import annotations

import re
from functools import lru_cache

from anyascii import anyascii

_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_VOWELS = "aeiou"
# Applied in order to the lower-case ASCII form.
_FOLDS = [
    (re.compile(r"dzh|dj"), "j"),   # Джокович / Djokovic
    (re.compile(r"zh"), "j"),       # Жомарт / Jomart
    (re.compile(r"kh"), "h"),       # Ахмед / Akhmed / Ahmed
    (re.compile(r"sch"), "sh"),
    (re.compile(r"tch|tsch"), "ch"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"c(?!h)"), "k"),   # Marco / Марко
    (re.compile(r"ck"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"q"), "k"),
    (re.compile(r"w"), "v"),        # Wagner / Вагнер
    (re.compile(r"y"), "i"),        # Tokayev / Tokaiev, Zheldibay / Zheldibai
    (re.compile(r"(?<=[aeiou])i(?=[aeiou])"), ""),  # Tokaiev / Tokaev
    (re.compile(r"([a-z])\1+"), r"\1"),               # Kassym / Kasym, Dmitrii / Dmitri
]


@lru_cache(maxsize=1 << 16)  # names repeat across mentions and documents
def fold(name: str) -> str:
    """The merge form of a name: ASCII, lower case, transliteration differences removed."""
    text = anyascii(name).lower()
    for pattern, repl in _FOLDS:
        text = pattern.sub(repl, text)
    return _NON_ALNUM.sub("-", text).strip("-")


def name_key(label: str, name: str) -> str:
    """A language-independent key for a name without a known identity.

    ``name_key("PER", "Токаев") == name_key("PER", "Tokayev") == "per:tokaev"``.
    """
    return f"{label.lower()}:{fold(name) or 'x'}"


def words(name: str) -> list[str]:
    """The words of a name, split at spaces and hyphens."""
    return [w for w in re.split(r"[\s\-‐‑]+", name) if w]
