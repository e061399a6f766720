"""NER rules for persons: named after a title, and one-word names the document itself shows
to be a person (a surname, a speaker, a name after a title)."""

from __future__ import annotations

import bisect
from collections.abc import Callable, Sequence

from pipeline.core.document import Mention
from pipeline.lexicon.gazetteer import Place, names_for
from pipeline.lexicon.lexicons import settings
from pipeline.ner.place_index import fuzzy_place
from pipeline.ner.words import after, hyphen_joins, is_name_word, org_words, span_like
from pipeline.text.docview import token_owners
from pipeline.text.phrases import PhraseIndex, phrase_list, phrase_table
from pipeline.text.tokens import Tokens


MAX_TITLE_NAME_WORDS = 3


def title_persons(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """``mentions`` plus persons named right after a title that the model missed.

    News names people with their position: "Juru Bicara Kremlin Dmitry Peskov",
    "външния министър на Казахстан Мурат Нуртлеу". After a title of
    ``lexicons/LANG/titles.txt`` and the organisations or places that qualify it, up to
    `MAX_TITLE_NAME_WORDS` capitalized words (two at least) that no mention covers,
    followed by a word in lower case or punctuation, are a person; a person the model found
    by the last name only is widened to them ("Murat [Nurtleu]"). In languages that
    capitalize the portfolio after a title ("Menteri Agama", "Direktur Pemasaran"), only
    after a qualifying organisation or place; where ``settings.tsv`` says
    ``name_right_after_title yes`` (English, Bulgarian), right after the title too.

    A mention inside a title ("Secretary of [State]") that the gazetteer does not know is
    dropped. A model mention right after the title that glues the qualifying place to the
    person ("Presiden [Kazakhtan Kassym-Jomart Tokayev]", "Juru Bicara Kepresidenan
    [Kazakhstan Ruslan Zheldibai]", "Presiden [Turkmenistan Serdar Berdimuhamedov]") is
    split in two, when its first words are a country or the rest is a person the document
    names elsewhere.
    """
    text, starts, ends, lang = view.text, view.starts, view.ends, view.lang

    titles = phrase_list(lang, "titles.txt")
    if not titles or not len(starts):
        return mentions
    lower = view.lower
    heads = org_words(lang).heads
    direct = settings(lang).get("name_right_after_title") == "yes"
    hits = list(titles.find(view))
    # a name inside a title is the title's word ("Secretary of [State]"), unless a place
    # the gazetteer knows
    hit_starts = [h.start for h in hits]  # sorted, non-overlapping: one bisection each

    def in_title(m: Mention) -> bool:
        k = bisect.bisect_right(hit_starts, m.start) - 1
        return k >= 0 and m.end <= hits[k].end

    inside = {id(m) for m in mentions if m.canonical is None and in_title(m)}
    if inside:
        mentions = [m for m in mentions if id(m) not in inside]
    index, owner = token_owners(mentions, view)
    places = names_for(lang)
    persons = {m.text for m in mentions if m.label == "PER" and " " in m.text}
    added: list[Mention] = []
    for hit in hits:
        k = hit.last + 1
        # skip the organisations and places that qualify the title ("… Kremlin", "на САЩ")
        while k < len(starts):
            m = owner.get(k)
            word = text[starts[k]:ends[k]]
            if m is not None and m.start == starts[k] and m.label == "ORG" \
                    and (direct or k > hit.last + 1) and _looks_personal(m, text, starts, ends, k,
                                                                          owner, heads):
                # "Foreign Minister [Murat Nurtleu]" tagged ORG: a name right after the title
                grown = span_like(m.start, m.end, text, m, "PER", m.confidence)
                mentions = [grown if x is m else x for x in mentions]
                for j in range(k, after(m, starts, k)):
                    owner[j] = grown
                break
            if m is not None and m.start == starts[k]:
                split = _place_and_person(m, text, places, persons, lang)
                if split is not None:
                    mentions = [x for x in mentions if x is not m] + split
                    for j in range(k, after(m, starts, k)):
                        owner[j] = split[0] if starts[j] < split[0].end else split[1]
                    break
            if m is not None and m.label in ("ORG", "LOC"):
                k = after(m, starts, k)
            elif ((word.islower() and len(word) <= 3)
                  or (is_name_word(word) and _known(owner.get(k + 1)))) \
                    and k + 1 < len(starts) and owner.get(k + 1) is not None \
                    and owner[k + 1].label in ("ORG", "LOC") and owner[k + 1].start == starts[k + 1]:
                # "на" before "САЩ"; a qualifier the model missed before one it found
                # ("Juru Bicara [Kremlin] Rusia Dmitry Peskov")
                k += 1
            else:
                break
        if k == hit.last + 1 and not direct:
            continue  # no organisation or place between: "Menteri Agama" is a portfolio
        first = k
        n_words = 0
        while (k < len(starts) and n_words <= MAX_TITLE_NAME_WORDS and k not in owner
               and is_name_word(text[starts[k]:ends[k]])
               and not text[starts[k]:ends[k]].isupper()
               and text[starts[k]:ends[k]] not in heads):
            k += 1
            n_words += 1
            if hyphen_joins(text, starts, ends, k):
                k += 2  # "El-Shara" is one word of the name
        if k in owner and k > first and owner[k].start == starts[k] \
                and (owner[k].label == "PER" or (owner[k].label == "LOC" and owner[k].canonical is None
                                                 and " " not in owner[k].text)) \
                and text[ends[k - 1]:starts[k]] == " ":
            # the model has the surname only ("Murat [Nurtleu]"), maybe as an unknown place
            # ("Dmitry [Peskov]"): the name starts earlier
            old = owner[k]
            grown = span_like(starts[first], old.end, text, old, "PER", old.confidence)
            mentions = [grown if x is old else x for x in mentions]
            added = [grown if x is old else x for x in added]
            for j in range(first, after(old, starts, k)):
                owner[j] = grown
            continue
        if n_words < 2 or n_words > MAX_TITLE_NAME_WORDS or k in owner:
            continue  # a new person needs a first and a last name
        if k < len(starts) and is_name_word(text[starts[k]:ends[k]]):
            continue  # the run goes on: not a clear name
        if any(text[ends[j]:starts[j + 1]] not in (" ", "") for j in range(first, k - 1)):
            continue  # a name is one run of words on one line
        if titles.match_at(lower, first, k):
            continue  # another title ("Presiden Menteri …")
        added.append(Mention(start=starts[first], end=ends[k - 1],
                             text=text[starts[first]:ends[k - 1]], label="PER",
                             source="rules", confidence=0.7))
        for j in range(first, k):
            owner[j] = added[-1]
    return sorted(mentions + added, key=lambda m: (m.start, m.end))


def _looks_personal(m: Mention, text: str, starts: Sequence[int], ends: Sequence[int], k: int,
                    owner: dict[int, Mention], heads: frozenset[str]) -> bool:
    """ORG mention ``m`` (at token ``k``) reads as a person's name: two or three name words,
    none an organisation word or an acronym, and no name or mention right after it."""
    words = m.text.split(" ")
    tails = org_words("xx").tails
    if not 2 <= len(words) <= MAX_TITLE_NAME_WORDS or any(
            not is_name_word(w.replace("-", "")) or w.isupper() or w in heads or w in tails
            for w in words):
        return False
    j = after(m, starts, k)
    return j >= len(starts) or (j not in owner and not is_name_word(text[starts[j]:ends[j]]))


def _known(m: Mention | None) -> bool:
    """``m`` is a place of the gazetteer or an organisation (not an unknown one-word place,
    which may be a surname the model mistook)."""
    return m is not None and (m.label == "ORG" or m.canonical is not None)


def _place_and_person(m: Mention, text: str, places: dict[str, list[Place]], persons: set[str],
                      lang: str) -> list[Mention] | None:
    """``m`` split into a place and the person after it, or None when it is not such."""
    parts = m.text.split(" ")
    for n in (1, 2):
        rest = parts[n:]
        if not 2 <= len(rest) <= MAX_TITLE_NAME_WORDS or not all(
                is_name_word(w.replace("-", "")) for w in rest):
            continue
        place = " ".join(parts[:n])
        found = places.get(place, [None])[0]
        if found is None and n == 1:
            found = fuzzy_place(lang or "en", place)  # "Kazakhtan": Kazakhstan misspelled
        if (found is not None and found.kind == "country") or " ".join(rest) in persons:
            loc = Mention(m.start, m.start + len(place), place, "LOC",
                          "gazetteer" if found is not None else m.source, m.confidence,
                          found.canonical() if found is not None else None)
            return [loc, span_like(loc.end + 1, m.end, text, m, "PER", m.confidence)]
    return None


def consistent_persons(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """One-word names the model called LOC that are persons by the document's own evidence
    become PER, with all their repeats:

    - the surname of a person named in full elsewhere in the text ("proposal Putin" where
      the text also has "Vladimir Putin");
    - the speaker right after a reporting cue ("…,” kata Peskov"; cues are
      ``lexicons/LANG/claim_cues.tsv``): a place does not speak;
    - the name right after a title ("на президента Токаев"; ``titles.txt``).

    Such a word, or another person, written right next to a person ("[Bahlil]
    [Lahadalia]") is the rest of that person's name: the two become one mention. Places the gazetteer knows (with a
    canonical identity) are never changed.
    """
    text, starts, ends, lang = view.text, view.starts, view.ends, view.lang

    def unknown_word(m: Mention) -> bool:
        # only LOC: organisations speak ("съобщи Ройтерс") and lend names to people
        return (m.label == "LOC" and m.canonical is None and " " not in m.text
                and m.text[:1].isupper() and not m.text.isupper())

    mentions = _join_name_halves(mentions, text, unknown_word)
    candidates = [m for m in mentions if unknown_word(m)]
    if not candidates:
        return mentions
    surnames = {m.text.split()[-1] for m in mentions if m.label == "PER" and " " in m.text}
    persons = {m.text for m in candidates if m.text in surnames}
    cues, titles = phrase_table(lang, "claim_cues.tsv"), phrase_list(lang, "titles.txt")
    if cues or titles:
        lower = view.lower
        index = view.index
        for m in candidates:
            i = index.get(m.start)
            if i is None or i == 0:
                continue
            next_is_name = i + 1 < len(starts) and is_name_word(text[starts[i + 1]:ends[i + 1]])
            if (cues and _ends_before(cues, lower, i)) or (
                    titles and not next_is_name and _ends_before(titles, lower, i)):
                # "…,” kata Peskov"; "на президента Токаев", but not "Presiden
                # Kazakhtan Kassym-Jomart Tokayev" (there the place qualifies the title)
                persons.add(m.text)
    if not persons:
        return mentions
    return [span_like(m.start, m.end, text, m, "PER", m.confidence)
            if unknown_word(m) and m.text in persons else m for m in mentions]


def _join_name_halves(mentions: list[Mention], text: str,
                      unknown_word: Callable[[Mention], bool]) -> list[Mention]:
    """A person and an ``unknown_word`` place or another person next to it, one space
    apart, as one person of at most three words ("[Bahlil] [Lahadalia]"; not two full
    names in a row, "Радек Щепанек Милош Раонич")."""
    def name_like(m: Mention) -> bool:
        return all(w[:1].isupper() for w in m.text.split())

    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        # two names mapped from two English names are two names ("Масачузетс Уорън" from
        # "Massachusetts, Warren": the source left the comma out)
        if prev is not None and prev.translated and m.translated:
            out.append(m)
            continue
        if prev is not None and text[prev.end:m.start] == " " and name_like(prev) \
                and name_like(m) and len((prev.text + " " + m.text).split()) <= 3 and (
                (prev.label == "PER" and (unknown_word(m) or m.label == "PER"))
                or (unknown_word(prev) and m.label == "PER" and " " not in m.text)):
            # not "[Пловдив] [Христо Щерионов]": a place before a full name qualifies it
            out[-1] = span_like(prev.start, m.end, text, m if m.label == "PER" else prev, "PER",
                            max(prev.confidence, m.confidence))
            continue
        out.append(m)
    return out


def _ends_before(table: PhraseIndex, lower: Sequence[str], i: int) -> bool:
    """A phrase of ``table`` (of up to three words) ends right before token ``i``."""
    for j in range(max(0, i - 3), i):
        hit = table.match_at(lower, j, i)
        if hit is not None and j + hit[0] == i:
            return True
    return False
