"""NER rules for organisations: names introduced by an organisation cue, and organisation
names the model cut short before their place or their legal form."""

from __future__ import annotations

from collections.abc import Sequence

from pipeline.core.document import Mention
from pipeline.lexicon.gazetteer import Place, names_for
from pipeline.lexicon.lexicons import grammar
from pipeline.ner.words import MAX_NAME_WORDS, after, hyphen_joins, is_name_word, org_words, span_like
from pipeline.text.docview import token_owners
from pipeline.text.phrases import phrase_list
from pipeline.text.tokens import Tokens


MAX_CUE_GAP = 3  # lower-case words between an organisation cue and its name


def cued_organisations(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """Names introduced as organisations are ORG ("perusahaan nuklir negara Rusia Rosatom",
    "dana kekayaan negara Kazakhstan, Samruk-Kazyna", "компанията Газпром").

    After a cue of ``lexicons/LANG/org_cues.txt``, up to `MAX_CUE_GAP` lower-case words and
    a known place (with a comma or not) may come before the name. The name is the mention
    that starts there, relabelled ORG (a known place at its start is split off as LOC; a
    person stays a person unless a place stands between or was glued to it: "директор на
    компанията Майкъл О'Лиъри"), or up to four capitalized words that no mention covers, right after
    the cue or its place. A cue written with a capital is the name's own first word.
    """
    text, starts, ends, lang = view.text, view.starts, view.ends, view.lang

    cues = phrase_list(lang, "org_cues.txt")
    if not cues or not len(starts):
        return mentions
    places = names_for(lang)
    index, owner = token_owners(mentions, view)
    lower = view.lower
    replace: dict[int, list[Mention]] = {}
    added: list[Mention] = []
    for hit in cues.find(view):
        if not text[hit.start:hit.end].islower():
            continue  # "Lembaga Pendidikan …": the cue word is the name's own first word
        k = hit.last + 1
        gap = 0
        while k < len(starts) and k not in owner and lower[k].isalpha() \
                and text[starts[k]:ends[k]].islower() and gap < MAX_CUE_GAP:
            k += 1
            gap += 1
        m = owner.get(k)
        qualified = m is not None and m.label == "LOC" and m.canonical is not None
        if qualified and m is not None:
            k = after(m, starts, k)  # the country of the organisation
            if k < len(starts) and text[starts[k]:ends[k]] == ",":
                k += 1
        if k >= len(starts) or "\n" in text[ends[hit.last]:starts[k]]:
            continue
        m = owner.get(k)
        if m is not None:
            if m.start != starts[k] or (m.label == "LOC" and m.canonical is not None):
                continue
            split = _split_place(m, text, places)
            if m.label == "PER" and len(split) == 1 and not qualified:
                continue  # "директор на компанията Майкъл О'Лиъри": a person of the company
            replace[id(m)] = split
            continue
        if gap and not qualified:
            continue  # a new name only right after the cue or its country
        j = k
        while j < len(starts) and j - k < MAX_NAME_WORDS and j not in owner \
                and is_name_word(text[starts[j]:ends[j]]):
            j += 1
            if hyphen_joins(text, starts, ends, j):
                j += 2  # "Samruk-Kazyna": the hyphen and the next word belong to the name
        if j > k and not (j < len(starts) and is_name_word(text[starts[j]:ends[j]])):
            new = Mention(starts[k], ends[j - 1], text[starts[k]:ends[j - 1]], "ORG",
                          "rules", 0.7)
            added.append(new)
            for t in range(k, j):
                owner[t] = new
    if not replace and not added:
        return mentions
    out = []
    for m in mentions:
        out.extend(replace.get(id(m), [m]))
    return sorted(out + added, key=lambda m: (m.start, m.end))


def _split_place(m: Mention, text: str, places: dict[str, list[Place]]) -> list[Mention]:
    """``m`` as ORG; a country at its start ("Rusia Rosatom") becomes its own LOC."""
    parts = m.text.split(" ")
    for n in (2, 1):
        found = places.get(" ".join(parts[:n]), [None])[0] if len(parts) > n else None
        # countries only: many city names are first names too ("Стенли Кубрик")
        if found is not None and found.kind == "country":
            place = " ".join(parts[:n])
            loc = Mention(m.start, m.start + len(place), place, "LOC", "gazetteer",
                          0.9, found.canonical())
            rest = m.start + len(place) + 1
            return [loc, span_like(rest, m.end, text, m, "ORG", m.confidence)]
    return [span_like(m.start, m.end, text, m, "ORG", m.confidence)]

MAX_ORG_RUN = 8  # tokens an organisation's name may continue over before its place


def extend_organisations(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """Organisation names the model cut short before their place are made whole.

    Long institution names list their portfolios and end with their country:
    "[Kementerian Perindustrian], Perdagangan, dan Sumber Daya [Korea Selatan]",
    "[Kementerian Perindustrian] dan Konstruksi [Kazakhstan]". An ORG mention that starts
    with an organisation word (``org_heads.txt``) and does not end with a place is extended
    over capitalized words, commas and joining words (``grammar.tsv``) that no mention
    covers, up to `MAX_ORG_RUN` tokens, when a place mention follows them on the same line;
    at least one capitalized word must be among them (not "Kementerian Energi dan Rusia").
    The country may also follow right away ("[Kementerian Perindustrian dan Konstruksi]
    [Kazakhstan]"). An ORG mention followed by up to three capitalized words, or by another
    ORG mention, ending with an organisation word (``org_tails.txt``), takes them in:
    "[Pertamina] Hulu Energi", "[Pertamina] [Hulu Energi]". One ORG mention that joins two
    names starting with organisation words is split: "[Institut Kemajuan Teknologi Korea dan
    Pusat Peramalan Teknologi Nasional Kazakhstan]".
    """
    text, starts, ends, lang = view.text, view.starts, view.ends, view.lang

    words = org_words(lang)
    heads = words.heads
    joiners = grammar(lang).get("joiner", frozenset())
    if not (heads or words.tails) or not len(starts):
        return mentions
    lower = view.lower
    mentions = _split_joined_organisations(mentions, text, heads, joiners)
    index, owner = token_owners(mentions, view)
    replace: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.label != "ORG":
            continue
        tail = _to_org_tail(m, text, starts, ends, index, owner, words.tails)
        if tail is not None:
            replace[id(m)] = [span_like(m.start, ends[tail], text, m, "ORG", m.confidence)]
            continue
        j = after(m, starts, index.get(m.start, 0))
        nxt = owner.get(j)
        if nxt is not None and nxt.start == starts[j] and text[m.end:nxt.start] == " " \
                and nxt.label == "ORG" and nxt.text.split(" ")[-1] in words.tails:
            # "[Pertamina] [Hulu Energi]": one company, cut in two
            replace[id(m)] = [span_like(m.start, nxt.end, text, m, "ORG", m.confidence)]
            replace[id(nxt)] = []
            continue
        if m.text.split(" ")[0] not in heads:
            continue
        k = after(m, starts, index.get(m.start, 0))
        j, capitals = k, 0
        while j < len(starts) and j - k < MAX_ORG_RUN and j not in owner:
            word = text[starts[j]:ends[j]]
            if is_name_word(word):
                capitals += 1
            elif word.lower() not in joiners:
                break
            j += 1
        place = owner.get(j)
        if place is None or place.label != "LOC" or place.start != starts[j] \
                or "\n" in text[m.end:place.start] or text[ends[j - 1]:starts[j]] != " ":
            continue
        if j > k and capitals == 0:
            continue  # "Kementerian Energi dan Rusia": two names
        if j == k and (place.canonical is None or " " in m.text.strip() and
                       m.text.split(" ")[-1] in words.tails):
            continue  # right after it, only a known place is the organisation's country
        other = next((h for h in range(k + 1, j) if text[starts[h]:ends[h]] in heads
                      and lower[h - 1] in joiners - {","}), None)
        if other is not None:
            # "[Institut … Korea] dan Pusat … [Kazakhstan]": a second organisation begins
            # at its own organisation word and takes the place
            added = Mention(starts[other], place.end, text[starts[other]:place.end], "ORG",
                            "rules", m.confidence)
            replace[id(place)] = [added]
            continue
        grown = span_like(m.start, place.end, text, m, "ORG", m.confidence)
        replace[id(m)] = [grown]
        replace[id(place)] = []
    if not replace:
        return mentions
    return [x for m in mentions for x in replace.get(id(m), [m])]


def _split_joined_organisations(mentions: list[Mention], text: str, heads: frozenset[str],
                                joiners: frozenset[str]) -> list[Mention]:
    """ORG mentions "A dan B" where A and B each start with an organisation word, as two."""
    out: list[Mention] = []
    for m in mentions:
        parts = m.text.split(" ")
        cut = next((i for i in range(2, len(parts) - 1) if parts[i].lower() in joiners
                    and parts[i] != "," and parts[i + 1] in heads), None)
        if m.label != "ORG" or parts[0] not in heads or cut is None:
            out.append(m)
            continue
        left_end = m.start + len(" ".join(parts[:cut]))
        right_start = m.start + len(" ".join(parts[:cut + 1])) + 1
        out.append(span_like(m.start, left_end, text, m, "ORG", m.confidence))
        out.append(span_like(right_start, m.end, text, m, "ORG", m.confidence))
    return out


def _to_org_tail(m: Mention, text: str, starts: Sequence[int], ends: Sequence[int],
                 index: dict[int, int], owner: dict[int, Mention],
                 tails: frozenset[str]) -> int | None:
    """The token of an organisation word that ends a run of at most three capitalized
    words right after ``m`` (none of them in a mention), else None."""
    k = after(m, starts, index.get(m.start, 0))
    for j in range(k, min(k + 3, len(starts))):
        word = text[starts[j]:ends[j]]
        if j in owner or not is_name_word(word) or text[ends[j - 1]:starts[j]] != " ":
            return None
        if word in tails:
            return j
    return None
