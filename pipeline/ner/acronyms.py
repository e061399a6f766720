"""Names that start with an acronym are organisations, not places ("SK Eco Plant", "LG
Energy Solution", "ФК Дженоа").

The small models sometimes tag such a company LOC: its words are capitalized, none is a
person's name, and company and place names share the position in a sentence. In the
training corpora a name of two words or more that starts with an upper-case acronym, has no
place in it and no place word (`place_heads.txt`, `place_tails.txt`) is an organisation two
times out of three (Indonesian: 90 ORG, 46 LOC, almost all of those schools, which the
corpora label either way; Bulgarian WikiANN: 172 ORG, 0 LOC). `acronym_organisations`
relabels such a LOC mention ORG when the gazetteer does not know it as a place. "DKI
Jakarta" stays a place (Jakarta is known), and so does a lone acronym ("NTB").
"""

from __future__ import annotations

from dataclasses import replace


from pipeline.core.document import Mention
from pipeline.lexicon.gazetteer import Place, names_for
from pipeline.text.tokens import Tokens
from pipeline.ner.words import place_words

MAX_ACRONYM = 4  # letters


def _acronym(word: str) -> bool:
    return 2 <= len(word) <= MAX_ACRONYM and word.isalpha() and word.isupper()


def acronym_organisations(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """LOC mentions unknown to the gazetteer that start with an acronym and hold no place
    are ORG (see the module's doc)."""
    lang = view.lang
    places, place_word = names_for(lang), place_words(lang)  # both cached
    out = []
    for m in mentions:
        words = m.text.split()
        if m.label == "LOC" and m.canonical is None and len(words) >= 2 \
                and _acronym(words[0]) and all(w[:1].isupper() for w in words[1:]) \
                and words[0] not in place_word.heads and words[-1] not in place_word.tails \
                and not _holds_place(words, places):
            m = replace(m, label="ORG", canonical=None)  # no longer the place
        out.append(m)
    return out


def _holds_place(words: list[str], places: dict[str, list[Place]]) -> bool:
    """Some run of ``words`` is a place name the gazetteer knows."""
    return any(" ".join(words[i:j]) in places
               for i in range(len(words)) for j in range(i + 1, len(words) + 1))
