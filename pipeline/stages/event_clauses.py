"""Event arguments by clause rules: the clause around a trigger (marks, quotations, clause
words), and the names in it that are the trigger's actors, counterparts, location, origin or
route (`clause_arguments`; commodities and time are added by `pipeline.stages.event_document`)."""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.core.document import Entity, Mention, Span
from pipeline.text.phrases import PhraseIndex

PUNCT = re.compile(r"[.;:!?()\"“”„«»]")
MAX_AFTER = 4  # names after a trigger that can be its arguments
# marks that close a clause: ; and :, a dash between spaces; and quotations
# of at least `QUOTE_WORDS` words (a quoted phrase such as “hasil spesifik” is not one)
_CLAUSE_MARK = re.compile(r"[;:]|\s[–—-]\s")
# an aside in brackets: its names are no arguments, and the clause goes on after it
ASIDE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
_QUOTED = re.compile(r"[\"“„«]([^\"“”„«»]*)[\"”“»]")
QUOTE_WORDS = 4
# grammar.tsv roles that mark the role of the place after them
PLACE_ROLES = (("locative", "location"), ("origin", "origin"), ("via", "route"))


@dataclass
class Argument:
    """One argument of an event: a name of the document or a piece of text."""

    role: str
    start: int
    end: int
    text: str
    entity: Entity | None = None
    key: str | None = None  # a commodity's key in the shipped vocabulary (commodities.tsv)
    translated: str | None = None  # the English it was mapped from (translation path)


def clause_bounds(text: str, starts: Sequence[int], a: int, b: int, words: list[str], sent: Span,
                   words_of: dict[str, frozenset[str]]) -> list[int]:
    """Sorted offsets in ``sent`` where a clause ends or begins (marks and clause words)."""
    out = [m.start() for m in _CLAUSE_MARK.finditer(text, sent.start, sent.end)]
    for m in _QUOTED.finditer(text, sent.start, sent.end):
        if len(m.group(1).split()) >= QUOTE_WORDS:
            out += [m.start(), m.end() - 1]
    openers = words_of.get("clause", frozenset())
    if openers:
        for k, w in enumerate(words):
            if w in openers or (k + 1 < len(words) and f"{w} {words[k + 1]}" in openers):
                out.append(starts[a + k])
    return sorted(out)


def clause_around(bounds: list[int], t_start: int, t_end: int, sent: Span) -> tuple[int, int]:
    """(start, end) of the clause around the trigger at ``[t_start, t_end)``."""
    k = bisect.bisect_right(bounds, t_start) - 1
    lo = bounds[k] if k >= 0 else sent.start
    j = bisect.bisect_left(bounds, t_end)
    hi = bounds[j] if j < len(bounds) else sent.end
    return lo, hi


@dataclass(frozen=True)
class Clauses:
    """What the clause rules read of one sentence: the document's text and entities (by
    mention span), the language's grammar words (grammar.tsv), its quantity units, whose
    country is no argument ("dolar AS"), and the (start, end) of the sentence's commodity
    words."""

    text: str
    sent: Span
    ents: dict[tuple[int, int], Entity]
    words_of: dict[str, frozenset[str]]
    units: PhraseIndex | None = None
    goods: tuple[tuple[int, int], ...] = ()


def clause_arguments(clauses: Clauses, t_start: int, t_end: int, names: list[Mention], *,
                     noun: bool = False, mode: str = "", purpose: bool = False,
                     subject: Argument | None = None) -> list[Argument]:
    """Actor, location and counterparts of the trigger at ``[t_start, t_end)`` among
    ``names``, the names of its clause.

    ``subject``: a pronoun before the trigger, as an actor (`DocumentEvents._subject`): it acts when
    it is the subject, with the names joined to it ("… bahwa pihaknya bersama Y telah
    menandatangani …", "он посетил …").

    ``purpose``: the trigger follows a purpose word ("untuk membahas", "за да обсъди"): its
    actor is the first name of the clause, the subject (the caller gives it the actors of
    an event before it in the sentence instead, when there is one).

    For a noun trigger, a name right after it is its actor ("larangan Rusia", "Kunjungan
    Putin"), and the names after "antara" / "между" / "between" are all actors ("Среща
    между Рубио и Нуртлеу").
    """
    text, sent, ents, words_of = clauses.text, clauses.sent, clauses.ents, clauses.words_of
    units, goods = clauses.units, clauses.goods
    joiners = words_of.get("joiner", frozenset())
    before = [m for m in names if m.end <= t_start]
    if purpose:
        # "X … telah mengambil langkah untuk mengirimkan …": the clause's subject, its
        # first name (the caller prefers the actors of an event before in the sentence)
        before = before[:1]
    after = [m for m in names if m.start >= t_end]
    out: list[Argument] = []
    if noun and after:
        gap = text[t_end:after[0].start].lower().split()
        group = []
        if not gap or all(any(a <= t_end + k < b for a, b in goods)
                          for k in _word_offsets(text[t_end:after[0].start])):
            # "larangan Rusia": the ban is Russia's; "ekspor nikel Indonesia" too (only
            # commodity words between)
            group = [after[0]]
        elif any(w in words_of.get("between", ()) for w in gap) and len(gap) <= 8 and not PUNCT.search(
                text[t_end:after[0].start]):
            group = [after[0]]  # "between X and Y": both take part
            if len(after) > 1:
                link = text[after[0].end:after[1].start].lower()
                if any(w in joiners for w in link.replace(",", " , ").split()) \
                        and not PUNCT.search(link.replace(",", "")):
                    group.append(after[1])
        if group:
            out += [_arg("actor", m, text, ents) for m in group]
            after = [m for m in after if m not in group]
            before = []
    # actors: the nearest name before the trigger and the names joined to it
    place_words = frozenset().union(*(words_of.get(g, frozenset()) for g, _ in PLACE_ROLES))
    if before and _word_before(text, sent.start, before[-1].start) in place_words:
        # "… di Tokyo untuk membahas pasokan": Tokyo is where, not who
        if before[-1].label == "LOC":
            out.append(_arg("location", before[-1], text, ents))
        before = []
    if before:
        group = [before[-1]]
        i = len(before) - 2
        while i >= 0:
            m = before[i]
            gap = _words(text[m.end:group[0].start])
            if gap == [","] and m.label == "LOC" and group[0].label != "LOC" and i > 0 \
                    and _description(_words(text[before[i - 1].end:m.start]), joiners):
                # "Antam dan perusahaan asal China, Huayou Cobalt": the place describes
                # the company after it, which is joined to the name before the description
                group.insert(0, before[i - 1])
                i -= 2
                continue
            if gap == [","] and (m.label == "LOC") != (group[0].label == "LOC"):
                break  # a list has names of one kind: "melalui Rusia, Putin …" is not one
            if gap and (all(w in joiners for w in gap) or _description(gap, joiners)):
                # ", dan" too, and "„Булгаргаз“ и турската компания БОТАШ"; not mere
                # adjacency: "Presiden Rusia Vladimir Putin"
                group.insert(0, m)
                i -= 1
                continue
            break
        # "A … bersama B menandatangani": B acts together with the clause's first name
        lead = text[max(sent.start, group[0].start - 40):group[0].start].lower().split()
        withs = words_of.get("with", frozenset())
        if withs and lead and (lead[-1] in withs or " ".join(lead[-2:]) in withs) \
                and before[0] not in group and before[0].label in ("PER", "ORG", "LOC"):
            group.insert(0, before[0])
        out += [_arg("actor", m, text, ents) for m in group]
    if subject is not None:
        at = subject.start
        actors = [x for x in out if x.role == "actor"]
        # the word is the subject: every actor stands between it and the trigger, and no
        # other name does ("kami mendukung larangan Rusia": the ban is Russia's)
        if all(at < x.start < t_start for x in actors) and not any(
                at < m.start and m.end <= t_start and all(x.start != m.start for x in actors)
                for m in names):
            out.insert(0, subject)
    taken = {id(a.entity) for a in out if a.entity is not None}
    for m in after[:MAX_AFTER]:
        ent = ents.get((m.start, m.end))
        if ent is not None and id(ent) in taken:
            continue  # an actor, or an entity already named after the trigger
        if ent is not None:
            taken.add(id(ent))
        prev = text[sent.start:m.start].rstrip().split()
        while len(prev) > 1 and prev[-1].lower() in words_of.get("article", ()):
            prev.pop()  # "through the Caspian Sea"
        if units is not None and prev and units.match_at([prev[-1].lower()], 0):
            continue  # "5 miliar dolar AS": the currency's country takes no part
        role = "counterpart"
        if m.label == "LOC" and prev:
            role = next((r for g, r in PLACE_ROLES if prev[-1].lower() in words_of.get(g, ())),
                        role)
            if role == "counterpart" and mode == "visit":
                role = "location"  # "ще посети Пекин": the place visited
        out.append(_arg(role, m, text, ents))
    return out

_BRACKETS = str.maketrans({c: " " for c in "()[]\"“”„«»"})


def _words(gap: str) -> list[str]:
    """The lower-case words and commas of ``gap``; asides in brackets and quotation marks
    left out."""
    return ASIDE.sub(" ", gap).translate(_BRACKETS).replace(",", " , ").lower().split()


def _word_offsets(gap: str) -> list[int]:
    """Offsets (in ``gap``) of its words."""
    return [m.start() for m in re.finditer(r"\S+", gap)]


def _word_before(text: str, floor: int, offset: int) -> str:
    """The lower-case word right before ``offset`` (not before ``floor``)."""
    words = text[max(floor, offset - 30):offset].split()
    return words[-1].lower() if words else ""


def _description(gap: list[str], joiners: frozenset[str]) -> bool:
    """``gap`` is a joining word and a short lower-case description ("и турската
    компания", "dan perusahaan asal")."""
    return (len(gap) >= 2 and gap[0] in joiners and gap[0] != "," and len(gap) <= 6
            and all(w.isalpha() and w.islower() for w in gap[1:]))


def _arg(role: str, m: Mention, text: str, ents: dict[tuple[int, int], Entity]) -> Argument:
    return Argument(role, m.start, m.end, text[m.start:m.end], ents.get((m.start, m.end)))

