"""Titles of works (films, albums, songs, books) are not names of persons, organisations or
places.

The small models tag 'singel " [Our Song] "', "[The Lovely Bones] ( 2009 )" or
"[Ghost Whisperer] (2005)" as PER, ORG or LOC: a title is capitalized like a name, and the
training corpora do not label works (CoNLL would call them MISC, OntoNotes WORK_OF_ART).
lintas' records have no class for them, so `work_titles` drops:

- the mentions inside a quotation right after a word of ``lexicons/LANG/work_cues.txt``
  ('lagu " Kembali "', "песента „I Surrender“"); up to `MAX_GAP` lower-case words and a
  comma may stand between ('Singel ketiganya, "…"'). Without quotation marks the
  name after the noun stays: Indonesian names the maker or owner there ("album Yesung",
  Yesung's album; "lagu Pink Floyd"; "drama SBS");
- a mention followed by a single year in brackets ("The Mask of Zorro ( 1998 )"), the way
  films, series and albums are cited. A range ("Pink Floyd (1967-1968)") is a period of
  someone's life or work and stays.

Places and organisations the gazetteer knows stay ("Indonesia" in a song's title is still
tagged). Repeats of a dropped title in the same document (same text, same label) go with it,
and so does any mention whose text is a whole quoted title.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence

from pipeline.text.docview import token_owners
from pipeline.core.document import Mention
from pipeline.text.phrases import phrase_list
from pipeline.text.tokens import Tokens

MAX_GAP = 2  # lower-case words between a work noun and its quoted title
MAX_TITLE_TOKENS = 12
_QUOTES = frozenset('"“”„«»‘’\'`')


def work_titles(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """``mentions`` without the titles of works (see the module's doc)."""
    starts = view.starts
    if not mentions or not len(starts):
        return mentions
    _, owner = token_owners(mentions, view)
    words = view.words
    dropped = {id(m) for m in mentions
               if m.canonical is None and _year_follows(m, words, starts)}
    quoted, whole = _quoted_titles(view, owner)
    dropped.update(quoted)
    if not dropped:
        return mentions
    titles = {(m.text, m.label) for m in mentions if id(m) in dropped}
    return [m for m in mentions if id(m) not in dropped
            and (m.canonical is not None
                 or ((m.text, m.label) not in titles and m.text not in whole))]


def _quoted_titles(view: Tokens, owner: dict[int, Mention]) -> tuple[set[int], set[str]]:
    """Ids of the mentions inside a quotation that follows a work noun, and the quoted
    titles themselves (a mention elsewhere with a whole title's text is that work too)."""
    text, starts, ends, words = view.text, view.starts, view.ends, view.words
    cues = phrase_list(view.lang, "work_cues.txt")
    found: set[int] = set()
    whole: set[str] = set()
    if not cues:
        return found, whole
    for hit in cues.find(view):
        k = hit.last + 1  # (capitalized too: the quotation marks make it a title)
        gap = 0
        while k < len(words) and k not in owner and gap < MAX_GAP \
                and words[k].isalpha() and words[k].islower():
            k += 1
            gap += 1
        if k < len(words) and words[k] == ",":
            k += 1  # "singel ketiganya, "Our Song""
        if k >= len(words) or words[k] not in _QUOTES:
            continue
        while k < len(words) and words[k] in _QUOTES:
            k += 1
        close = _closing_quote(text, starts, ends, words, k)
        if close is None:
            continue
        found.update(id(owner[t]) for t in range(k, close)
                     if t in owner and owner[t].canonical is None
                     and owner[t].start >= starts[k] and owner[t].end <= starts[close])
        whole.add(text[starts[k]:ends[close - 1]])
    return found, whole


def _closing_quote(text: str, starts: Sequence[int], ends: Sequence[int],
                   words: Sequence[str], k: int) -> int | None:
    """The token of the quotation mark that closes a title opened before token ``k``,
    within `MAX_TITLE_TOKENS` and the sentence; None if there is none."""
    for t in range(k + 1, min(k + MAX_TITLE_TOKENS + 1, len(words))):
        if "\n" in text[ends[t - 1]:starts[t]] or words[t] in (".", ";", "!", "?"):
            return None
        if words[t] in _QUOTES:
            return t
    return None


def _year_follows(m: Mention, words: Sequence[str], starts: Sequence[int]) -> bool:
    """A single year in brackets follows mention ``m``: "( 2009 )", "(2009)"."""
    j = bisect.bisect_left(starts, m.end)
    if j + 2 >= len(words) or words[j] != "(" or words[j + 2] != ")":
        return False
    year = words[j + 1]
    return len(year) == 4 and year.isdigit() and year[:2] in ("18", "19", "20")
