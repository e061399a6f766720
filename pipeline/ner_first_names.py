"""A person's first name that the model left out is taken into the name ("lagu Janet
[Jackson]", "Very Best of Nao [Oikawa]").

The small models start a person's name late when its first word is a name they never saw.
`first_names` widens a PER mention to the capitalized word right before it when that word
starts a capitalized run inside a sentence (the word before it is a word in lower case or
a comma: not a sentence end, a quote, a bracket or a hyphen, "Kassym-[Jomart Tokayev]"),
is in no mention, and is not a word the name should not take:

- a title (``titles.txt``) or an honorific (``honorifics.txt``: "Pak", "Bu", "Haji", "Drs",
  "Mr"), which the corpora keep out of names;
- an organisation or place word (``org_heads.txt``, ``place_heads.txt``), a place the
  gazetteer knows, or a month or weekday of ``time.tsv`` ("pada Senin Jokowi …");
- a word the document also writes in lower case (a common noun), or an acronym.

The name stays at most `MAX_NAME_WORDS` words long.
"""

from __future__ import annotations

from collections.abc import Sequence

from .docview import lower_case_words, token_owners
from .document import Mention
from .ner_rules import org_words, place_words

MAX_NAME_WORDS = 4


def first_names(mentions: list[Mention], text: str, starts: Sequence[int],
                ends: Sequence[int], lang: str,
                lower: Sequence[str] | None = None) -> list[Mention]:
    """``mentions`` with person names widened to a first name right before them (module
    doc)."""
    from .dates import time_words
    from .gazetteer import names_for
    from .phrases import lower_words, phrase_list

    if not any(m.label == "PER" for m in mentions) or not len(starts):
        return mentions
    lower = lower_words(text, starts, ends) if lower is None else lower
    index, owner = token_owners(mentions, starts)
    refused: set[str] | None = None
    places: dict = {}
    out = []
    for m in mentions:
        i = index.get(m.start)
        k = i - 1 if i is not None else -1
        if m.label != "PER" or k < 1 or k in owner or len(m.text.split()) >= MAX_NAME_WORDS:
            out.append(m)
            continue
        word, before = text[starts[k]:ends[k]], text[starts[k - 1]:ends[k - 1]]
        if not (len(word) > 1 and word.isalpha() and word[:1].isupper() and not word.isupper()
                and text[ends[k]:starts[i]] == " " and "\n" not in text[ends[k - 1]:starts[k]]
                and (before == "," or before.isalpha() and before.islower())):
            out.append(m)
            continue
        if refused is None:
            # built once per document, and only when a candidate needs it
            times = time_words(lang)
            refused = {w.lower() for w in
                       (org_words(lang).heads | place_words(lang).heads
                        | set(phrase_list(lang, "honorifics.txt").firsts))}
            refused |= lower_case_words(text, starts, ends)
            if times is not None:
                refused |= set(times.months) | set(times.weekdays)
            refused |= {lower[h.last] for h in
                        phrase_list(lang, "titles.txt").find(text, starts, ends, lower=lower)}
            places = names_for(lang or "en")
        if lower[k] in refused or word in places:
            out.append(m)
            continue
        # the same person: an identity the gazetteer gave the surname stays
        out.append(Mention(starts[k], m.end, text[starts[k]:m.end], "PER", m.source,
                           m.confidence, m.canonical))
    return out
