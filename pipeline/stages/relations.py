"""The `relations` stage: facts between the entities of a document, with evidence.

Four labels, found by patterns around the entity mentions and lexicons of titles:

- ``holds_position``: a person and the position that the text gives them, with the
  organisation or country of the position as the tail when it is named: "Presiden Rusia
  Vladimir Putin" (value "Presiden", tail Rusia), "Juru Bicara Kremlin Dmitry Peskov",
  "държавния секретар Марко Рубио" (no tail), "Vladimir Putin, Presiden Rusia". Titles are
  ``models/lexicons/LANG/titles.txt``; between the title and the name only capitalized
  words, other names and short connecting words may stand ("Menteri Perindustrian dan
  Perdagangan Korea Selatan Ahn Duk-geun").
- ``part_of``: an organisation whose name ends with a place that is an entity of the
  document ("Kementerian Energi Kazakhstan" part_of Kazakhstan).
- ``located_in``: a city and its country, written together ("Astana, Kazakhstan") or in
  one sentence; the gazetteer says which country a city is in.
- ``affiliated_with``: an organisation and the group or company it belongs to, by a cue of
  ``affiliation_cues.txt`` between them: "Pertamina Hulu Energi, anak perusahaan
  Pertamina", "anak usaha Pertamina, Pertamina Hulu Energi", "Лукойл Нефтохим, дъщерното
  дружество на Лукойл", "Kazatomprom, a unit of Samruk-Kazyna".
"""

from __future__ import annotations

from pipeline.text.docview import DocView
from pipeline.core.document import Document, Entity, Mention, Relation, Span
from pipeline.text.phrases import PhraseMatch, phrase_list
from pipeline.core.stage_registry import register_stage
from pipeline.lexicon.gazetteer import names_for, place_by_key

MAX_TITLE_GAP = 6  # tokens between a title and the name it belongs to
MAX_AFFILIATION_GAP = 3  # tokens between a company and the cue that names its group
LINK_WORD_CHARS = 4  # lower-case words of at most this length may link title and name


def mention_entities(doc: Document) -> dict[tuple[int, int], Entity]:
    """(start, end) of every mention -> its entity."""
    return {(m.start, m.end): ent for ent in doc.entities for m in ent.mentions}


class _View(DocView):
    """`DocView` plus what positions need: may a token link a title and a name?"""

    def links(self, i: int) -> bool:
        """Token ``i`` may stand between a title and a name."""
        if i in self.owner:
            return self.owner[i].label in ("ORG", "LOC", "MISC")
        w = self.word(i)
        return (w[:1].isupper() and any(c.isalpha() for c in w)) or w in ("-", "&") or (
            w.isalpha() and w.islower() and len(w) <= LINK_WORD_CHARS)


def _trim_links(value: str) -> str:
    """The position's words without the linking words at its end ("секретар на" -> "секретар")."""
    parts = value.strip(" ,-").split()
    while len(parts) > 1 and parts[-1].islower() and len(parts[-1]) <= LINK_WORD_CHARS:
        parts.pop()
    return " ".join(parts)


def _first_place_or_org(view: _View, first: int, last: int) -> Mention | None:
    for k in range(first, last + 1):
        m = view.owner.get(k)
        if m is not None and m.label in ("ORG", "LOC"):
            return m
    return None


def positions(doc: Document, view: _View, ents: dict[tuple[int, int], Entity]) -> list[Relation]:
    """``holds_position`` relations of the document's persons."""
    titles = phrase_list(doc.lang or "en", "titles.txt")
    if not titles:
        return []
    out = []
    for m in doc.mentions:
        if m.label != "PER":
            continue
        person = ents.get((m.start, m.end))
        if person is None:
            continue
        i0 = view.token(m.start)
        sent = view.sentence(m.start)
        s0 = view.token(sent.start)
        found = None
        # a title before the name, with only linking tokens in between
        for hit in titles.find(view.tokens, max(s0, i0 - MAX_TITLE_GAP - 4), i0):
            if all(view.links(k) for k in range(hit.last + 1, i0)) and i0 - hit.last - 1 <= MAX_TITLE_GAP:
                found = (hit, hit.last + 1, i0 - 1)
        # or after it: "Vladimir Putin, Presiden Rusia"
        j = view.token(m.end)
        if found is None and j < len(view.starts) and view.word(j) == ",":
            after = titles.match_at(view.lower, j + 1)
            if after is not None:
                n = after[0]
                a, b = j + 1, j + n
                last = b
                while last + 1 < len(view.starts) and last - b < MAX_TITLE_GAP and view.links(last + 1) \
                        and view.ends[last + 1] <= sent.end:
                    last += 1
                found = (PhraseMatch(a, b, view.starts[a], view.ends[b], after[1], after[2]),
                         b + 1, last)
        if found is None:
            continue
        hit, gap_first, gap_last = found
        tail_m = _first_place_or_org(view, gap_first, gap_last)
        before = view.owner.get(hit.first - 1) if hit.start < m.start else None
        if tail_m is None and before is not None and before.label in ("ORG", "LOC") \
                and view.text[before.end:hit.start] == " ":
            tail_m = before  # the organisation or country written first: "US Secretary of State"
        tail = ents.get((tail_m.start, tail_m.end)) if tail_m else None
        # The position is the title and what qualifies it up to the organisation or place
        # ("Menteri Perindustrian dan Perdagangan"); without one, the title alone (the
        # words before the name may be the rest of the name: "Presiden Kassym-Jomart").
        value_end = tail_m.start if tail_m and tail_m.start > hit.start else hit.end
        if tail_m is not None and tail_m.end <= hit.start:
            span = Span(tail_m.start, m.end)
        elif hit.start < m.start:
            span = Span(hit.start, m.end)
        else:
            span = Span(m.start, max(hit.end, tail_m.end if tail_m else hit.end))
        value = _trim_links(view.text[hit.start:value_end])
        if tail is person:
            tail = None
        out.append(Relation("holds_position", person, tail, value or hit.phrase, span,
                            0.8 if tail else 0.7))
    return out


def organisations_of_places(doc: Document, view: _View,
                            ents: dict[tuple[int, int], Entity]) -> list[Relation]:
    """``part_of``: organisations named after a place that the document mentions."""
    names = names_for(doc.lang or "")
    by_key = {(e.canonical or {}).get("key"): e for e in doc.entities if e.label == "LOC"}
    out = []
    for m in doc.mentions:
        if m.label != "ORG":
            continue
        org = ents.get((m.start, m.end))
        first, last = view.token(m.start), view.token(m.end) - 1
        for n in (3, 2, 1):
            a = last - n + 1
            if a <= first:
                continue
            name = view.text[view.starts[a]:m.end]
            places = names.get(name)
            if not places:
                continue
            place = by_key.get(places[0].key)
            if place is not None and org is not None:
                out.append(Relation("part_of", org, place, None, Span(m.start, m.end), 0.75))
            break
    return out


def cities_in_countries(doc: Document, view: _View,
                        ents: dict[tuple[int, int], Entity]) -> list[Relation]:
    """``located_in``: a city and its country in the same sentence."""
    places = place_by_key()
    locs = [m for m in doc.mentions if m.label == "LOC" and m.canonical]
    # only names of one sentence are compared: group them by sentence first
    by_sentence: dict[int, list[Mention]] = {}
    for m in locs:
        by_sentence.setdefault(view.sentence(m.start).start, []).append(m)
    out = []
    for group in by_sentence.values():
        for city_m in group:
            city = places.get(city_m.canonical["key"]) if city_m.canonical else None
            if city is None or not city.code.startswith("city:"):
                continue
            country_code = city.code.split(":")[1]
            sent = view.sentence(city_m.start)
            for other in group:
                country = places.get(other.canonical["key"]) if other.canonical else None
                if other is city_m or country is None or country.code != country_code:
                    continue
                between = view.text[city_m.end:other.start] if other.start >= city_m.end else "?"
                adjacent = len(between) <= 3 and between.strip() in (",", "")
                head = ents.get((city_m.start, city_m.end))
                tail = ents.get((other.start, other.end))
                if head is None or tail is None:
                    continue
                evidence = Span(city_m.start, other.end) if adjacent else Span(sent.start, sent.end)
                out.append(Relation("located_in", head, tail, None, evidence,
                                    0.85 if adjacent else 0.6))
    return out


def affiliations(doc: Document, view: _View,
                 ents: dict[tuple[int, int], Entity]) -> list[Relation]:
    """``affiliated_with``: "X, anak perusahaan Y" and "anak perusahaan Y, X" (X of Y)."""
    cues = phrase_list(doc.lang or "en", "affiliation_cues.txt")
    if not cues:
        return []
    out = []
    for hit in cues.find(view.tokens):
        group_m = view.owner.get(hit.last + 1)
        if group_m is None or group_m.label != "ORG" or group_m.start != view.starts[hit.last + 1]:
            continue
        member_m = None
        # "X, anak perusahaan Y": X ends a few tokens before the cue, only a comma and
        # lower-case words ("yang merupakan", "is") between
        k = hit.first - 1
        while k >= 0 and hit.first - k <= MAX_AFFILIATION_GAP and k not in view.owner \
                and (view.word(k) == "," or view.word(k).islower()):
            k -= 1
        if k >= 0 and k in view.owner and view.owner[k].label == "ORG":
            member_m = view.owner[k]
        # "anak perusahaan Y, X"
        if member_m is None:
            j = view.token(group_m.end)
            if j + 1 < len(view.starts) and view.word(j) == ",":
                m = view.owner.get(j + 1)
                if m is not None and m.label == "ORG" and m.start == view.starts[j + 1]:
                    member_m = m
        if member_m is None:
            continue
        member, group = ents.get((member_m.start, member_m.end)), ents.get((group_m.start, group_m.end))
        if member is None or group is None or member is group:
            continue
        span = Span(min(member_m.start, hit.start), max(member_m.end, group_m.end))
        out.append(Relation("affiliated_with", member, group, view.text[hit.start:hit.end],
                            span, 0.75))
    return out


def _dedupe(relations: list[Relation]) -> list[Relation]:
    best: dict[tuple[str, int, int, str | None], Relation] = {}
    order: list[tuple[str, int, int, str | None]] = []
    for r in relations:
        key = (r.label, id(r.head), id(r.tail), r.value)
        if key not in best:
            order.append(key)
            best[key] = r
        elif r.confidence > best[key].confidence:
            best[key] = r
    return sorted((best[k] for k in order), key=lambda r: (r.evidence.start, r.evidence.end, r.label))


@register_stage('relations')
class Relations:
    """Pipeline stage: ``doc.relations`` from entity mentions and lexicons."""

    name = "relations"
    requires = ("sentences", "tokens", "mentions", "entities")
    assigns = ("relations",)

    def __call__(self, doc: Document) -> Document:
        if not doc.entities:
            doc.relations = []
            return doc
        view = _View(doc)
        ents = mention_entities(doc)
        found = positions(doc, view, ents) + organisations_of_places(doc, view, ents) \
            + cities_in_countries(doc, view, ents) + affiliations(doc, view, ents)
        doc.relations = _dedupe(found)
        doc.extractors["relations"] = "lintas-rules 1"
        return doc
