"""Language-independent keys for names, and the in-document aliases of a name.

A name without a known identity gets the key ``label:folded-name``, where the fold makes
the spellings of one name in Latin and Cyrillic meet: transliterated to ASCII, lower case,
and the differences that transliteration conventions make removed ("Tokayev" / "Токаев",
"Zheldibay" / "Желдибай", "Dmitry" / "Дмитрий", "Kassym-Jomart" / "Касым-Жомарт" all fold
to the same string). Before transliteration, a word that mixes Latin and Cyrillic letters
gets the look-alike letters of its minority script in its majority script ("Tpъмп" typed
with a Latin T and p is "Тръмп"), and the Cyrillic signs take the value the transliteration
conventions give them (Bulgarian "ъ" is the vowel written "a": "Тръмп" / "Трамп"; the soft
sign is not written: "Шольц" / "Sholts"). The fold is deliberately coarse: it is a merge
key, the readable name is kept next to it.

What a key cannot settle is left to `lintas link` (`pipeline.corpus.link`), with the helpers at the
end of this module: Cyrillic writes a foreign name as it sounds, each language by its own
convention ("Trump" / "Трамп" / "Тръмп", "Biden" / "Байден" / "Байдън"), so across spelling
systems two names may differ in a vowel (`vowel_distance`); and Slavic languages inflect
names ("Байдена", "Путину": `case_stems`).
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

# Applied in order to the Cyrillic text before transliteration, which would write both
# signs as an apostrophe and so split the word ("Тръмп" -> "tr-mp").
_CYRILLIC_FOLDS = [
    (re.compile(r"ъ(?=[еёюя])", re.I), ""),  # Russian hard sign: a silent separator (подъезд)
    (re.compile(r"ъ", re.I), "а"),           # Bulgarian vowel, transliterated a (България)
    (re.compile(r"ь(?=о)", re.I), "й"),      # Bulgarian ьо is yo (Гьоте / Gyote)
    (re.compile(r"ь", re.I), ""),            # soft sign: not written (Меркель / Merkel)
]

# Letters that look the same in Latin and Cyrillic: what a keyboard in the other layout
# or a text copied from a scan mixes into a word.
_LATIN_LOOKALIKES = "ABCEHKMOPTXYaceopxyIi"
_CYRILLIC_LOOKALIKES = "АВСЕНКМОРТХУасеорхуІі"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
_WORD = re.compile(r"[^\W\d_]+")


def _script_of(ch: str) -> str:
    """"latin", "cyrillic" or "other" for one letter."""
    if ch.isascii() or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff":
        return "latin"
    if "\u0400" <= ch <= "\u052f":
        return "cyrillic"
    return "other"


def _unmix_word(match: re.Match[str]) -> str:
    word = match.group()
    latin = sum(_script_of(ch) == "latin" for ch in word)
    cyrillic = sum(_script_of(ch) == "cyrillic" for ch in word)
    if not latin or not cyrillic or latin == cyrillic:
        return word  # one script, or no majority to map to
    return word.translate(_TO_CYRILLIC if cyrillic > latin else _TO_LATIN)


def unmix_scripts(name: str) -> str:
    """``name`` with each word that mixes Latin and Cyrillic letters written in the script
    most of its letters are in, where the other script's letters have a look-alike there.

    ``unmix_scripts("Tpъмп")`` (Latin T and p) is ``"Тръмп"`` (all Cyrillic).
    """
    return _WORD.sub(_unmix_word, name)


def script(name: str) -> str:
    """The script most letters of ``name`` are in: "latin", "cyrillic" or "other"."""
    counts: dict[str, int] = {}
    for ch in unmix_scripts(name):
        if ch.isalpha():
            s = _script_of(ch)
            counts[s] = counts.get(s, 0) + 1
    return max(counts, key=counts.__getitem__) if counts else "other"


def spelling_system(name: str, lang: str) -> str:
    """Which convention spelled ``name``: "latin" for a name in Latin script (Latin-script
    languages keep a name's own spelling), else the script and the document's language
    ("cyrillic-bg"), since each language transcribes a foreign name by its own rules."""
    s = script(name)
    return s if s == "latin" else f"{s}-{lang or 'xx'}"


@lru_cache(maxsize=1 << 16)  # names repeat across mentions and documents
def fold(name: str) -> str:
    """The merge form of a name: ASCII, lower case, transliteration differences removed."""
    text = unmix_scripts(name)
    for pattern, repl in _CYRILLIC_FOLDS:
        text = pattern.sub(repl, text)
    text = anyascii(text).lower()
    for pattern, repl in _FOLDS:
        text = pattern.sub(repl, text)
    return _NON_ALNUM.sub("-", text).strip("-")


def name_key(label: str, name: str) -> str:
    """A language-independent key for a name without a known identity.

    ``name_key("PER", "Токаев") == name_key("PER", "Tokayev") == "per:tokaev"``.
    The label is part of the key; `lintas link` merges the ORG and LOC keys of one name.
    """
    return f"{label.lower()}:{fold(name) or 'x'}"


def words(name: str) -> list[str]:
    """The words of a name, split at spaces and hyphens."""
    return [w for w in re.split(r"[\s\-‐‑]+", name) if w]


# --- comparing folded names that a key keeps apart -------------------------------------

_VOWEL_RUN = re.compile(r"[aeiou]+")
# Slavic case endings of a name, folded: genitive/accusative "Байдена", dative "Путину",
# instrumental "Путиным" / "Тръмпом", locative "Путине"; also Polish and Czech "Bidena".
_CASE_ENDINGS = ("a", "u", "e", "om", "em", "im")
MIN_STEM = 4  # shorter stems would take any short word for an inflected name


def frame(folded: str) -> str:
    """A folded name with each run of vowels written "_": its consonants and syllables
    (``frame("tramp") == frame("trump") == "tr_mp"``)."""
    return _VOWEL_RUN.sub("_", folded)


def vowel_distance(a: str, b: str) -> int | None:
    """How many vowels two folded names differ in, when they are otherwise the same name:
    None when their consonants or syllables differ.

    A vowel group that contains the other costs nothing: transcriptions write a spelled
    vowel as the diphthong it is said as, or drop a silent one ("biden" / "baiden",
    "joe" / "jo"). Any other different vowel costs one ("trump" / "tramp").
    """
    if frame(a) != frame(b):
        return None
    cost = 0
    for x, y in zip(_VOWEL_RUN.findall(a), _VOWEL_RUN.findall(b)):
        if x not in y and y not in x:
            cost += 1
    return cost


def consonants(folded: str) -> int:
    """How many consonants a folded name has (a short name is no evidence of identity)."""
    return sum(ch.isalpha() and ch not in _VOWELS for ch in folded)


def case_stems(word: str) -> set[str]:
    """A folded word and the stems it has when read as an inflected Slavic name
    (``case_stems("baidena") == {"baidena", "baiden"}``)."""
    stems = {word}
    for end in _CASE_ENDINGS:
        if word.endswith(end) and len(word) - len(end) >= MIN_STEM:
            stems.add(word[:-len(end)])
    return stems
