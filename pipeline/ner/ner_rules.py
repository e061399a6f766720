"""Rules applied to NER mentions: name boundaries, organisations and persons.

The small models lintas trains make errors that rules and word lists fix cheaply. Word
lists are plain-text lexicons in ``models/lexicons/LANG/`` (``xx/`` for every language),
so a language is extended by editing files.

All of them run in one stage, `ner_rules` (`pipeline.stages.ner_rule_stage`, whose ``RULES`` is
their order), on the mentions of every backend after they are merged, so that they see
the gazetteer's places too; a rule whose word lists the document's language lacks changes
nothing. This module's rules, in that order:

- `join_hyphenated`: halves of a hyphenated name are joined ("Kassym" + "Jomart Tokayev",
  "Samruk" + "-Kazyna"), not a route between two places ("Лондон-Пловдив");
- `legal_form_names`: company names the model missed that end in a legal form of
  ``xx/org_tails.txt`` are added ("Cove Capital LLC", "Булгаргаз ЕАД");
- `organisation_labels`: a PER name that begins with a word of ``org_heads.txt``, or a PER
  or LOC name that ends with one of ``org_tails.txt``, is ORG (off for English, whose
  ``settings.tsv`` says so: measured there, it cost 0.4 points);
- `place_labels`: a name that begins or ends with a place word is LOC ("Laut Kaspia");
- `company_names`: a quoted name takes its legal form, a short name in brackets is the
  name before it;
- `title_persons`: persons named after a title of ``titles.txt``;
- `cued_organisations`: names introduced by a word of ``org_cues.txt`` are ORG;
- `extend_organisations`: organisations cut short before their place are made whole;
- `consistent_persons`: one-word LOC names that are a person's surname or a speaker are PER.

After these: `pipeline.ner.ner_acronyms` (acronym-led places are organisations) and
`pipeline.ner.ner_works` (titles of works are dropped).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from pipeline.text.docview import token_owners
from pipeline.core.document import Mention
from pipeline.text.tokens import Tokens
from pipeline.lexicon.gazetteer import names_for
from pipeline.lexicon.lexicons import grammar, lexicon_path, read_lines, settings
from pipeline.text.names import name_key
from pipeline.text.phrases import phrase_list, phrase_table
from pipeline.ner.place_index import fuzzy_place


@dataclass(frozen=True)
class OrgWords:
    """Words that begin or end a name of one kind (organisations, places) in one language."""

    heads: frozenset[str]
    tails: frozenset[str]


def _name_words(kind: str, codes: tuple[str, ...]) -> OrgWords:
    """``KIND_heads.txt`` and ``KIND_tails.txt`` of the lexicon folders ``codes``."""
    heads: set[str] = set()
    tails: set[str] = set()
    for code in codes:
        for name, target in ((f"{kind}_heads.txt", heads), (f"{kind}_tails.txt", tails)):
            path = lexicon_path(code, name)
            if path.exists():
                target.update(line.strip() for line in read_lines(path))
    return OrgWords(frozenset(heads), frozenset(tails))


@lru_cache(maxsize=32)
def org_words(lang: str) -> OrgWords:
    """The organisation words of ``lang`` plus those for every language (``xx``)."""
    return _name_words("org", (lang, "xx"))


def _is_name_word(word: str) -> bool:
    return word[:1].isupper() and word.replace(".", "").isalnum()


_HYPHENS = ("-", "‐", "‑")


def _hyphen_joins(text: str, starts: Sequence[int], ends: Sequence[int], k: int) -> bool:
    """Token ``k`` is a hyphen glued, without spaces, between token ``k - 1`` and a
    capitalized word ``k + 1``: "El-Shara", "Samruk-Kazyna" are one word of a name."""
    return (0 < k and k + 1 < len(starts) and text[starts[k]:ends[k]] in _HYPHENS
            and ends[k - 1] == starts[k] and ends[k] == starts[k + 1]
            and _is_name_word(text[starts[k + 1]:ends[k + 1]]))


def join_hyphenated(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """Mentions joined over hyphens that glue them, without spaces, to capitalized words.

    Two mentions glued by a hyphen become one ("Kassym" + "Jomart Tokayev"), except two
    places that are not one known place together (a route: "Лондон-Пловдив"); a mention
    glued to a capitalized word no mention covers is widened over it ("Samruk-Kazyna").
    """
    text, starts, ends, lang = view.text, view.starts, view.ends, view.lang
    if not mentions:
        return mentions
    ordered = sorted(mentions, key=lambda m: (m.start, m.end))
    joined: list[Mention] = []
    for m in ordered:
        prev = joined[-1] if joined else None
        if (prev is not None and m.start == prev.end + 1 and text[prev.end] in _HYPHENS
                and _may_join(prev, m, text, lang)):
            label = prev.label if prev.end - prev.start >= m.end - m.start else m.label
            joined[-1] = _span(prev.start, m.end, text, prev, label,
                               min(prev.confidence, m.confidence))
            continue
        joined.append(m)
    index = view.index
    last_index = {e: i for i, e in enumerate(ends)}
    covered = {i for m in joined if m.start in index and m.end in last_index
               for i in range(index[m.start], last_index[m.end] + 1)}
    n = len(starts)

    def glued(hyphen: int, word: int) -> bool:
        """Token ``hyphen`` is a hyphen touching token ``word``, a free capitalized word."""
        return (0 <= word < n and word not in covered
                and text[starts[hyphen]:ends[hyphen]] in _HYPHENS
                and _is_name_word(text[starts[word]:ends[word]])
                and (ends[hyphen] == starts[word] or ends[word] == starts[hyphen]))

    out = []
    for m in joined:
        a, b = index.get(m.start), last_index.get(m.end)
        if a is None or b is None:
            out.append(m)
            continue
        a0, b0 = a, b
        while b + 2 < n and ends[b] == starts[b + 1] and glued(b + 1, b + 2):
            b += 2
        while a - 2 >= 0 and ends[a - 1] == starts[a] and glued(a - 1, a - 2):
            a -= 2
        if (a, b) != (a0, b0):
            m = _span(starts[a], ends[b], text, m, m.label, m.confidence)
        out.append(m)
    return out


def _may_join(left: Mention, right: Mention, text: str, lang: str) -> bool:
    """False for two places that are not, together, the name of one known place."""
    if left.label != "LOC" or right.label != "LOC":
        return True

    return text[left.start:right.end] in names_for(lang or "en")


def _span(start: int, end: int, text: str, like: Mention, label: str,
          confidence: float) -> Mention:
    return Mention(start=start, end=end, text=text[start:end], label=label, source=like.source,
                   confidence=confidence, canonical=None)


def organisation_labels(mentions: list[Mention], lang: str) -> list[Mention]:
    """Mentions that begin or end with an organisation word are relabelled ORG."""
    words = org_words(lang)
    if not words.heads and not words.tails:
        return mentions
    out = []
    for m in mentions:
        parts = m.text.split()
        # A name that starts like an institution can still be a place: the corpora label
        # a court, a campus or an office as LOC where it is where something happens. Only
        # a person is surely wrong. A legal form or "Group" at the end is never a place.
        if len(parts) >= 2 and (m.label == "PER" and parts[0] in words.heads
                                or m.label != "ORG" and parts[-1] in words.tails):
            m = replace(m, label="ORG")  # keeps what else it carries (`translated`)
        out.append(m)
    return out


@lru_cache(maxsize=32)
def place_words(lang: str) -> OrgWords:
    """``place_heads.txt`` and ``place_tails.txt`` of ``lang``: words that begin or end a
    place's name ("Laut Kaspia", "Черно море", "Strait of Hormuz")."""
    return _name_words("place", (lang,))


def place_labels(mentions: list[Mention], lang: str, text: str = "") -> list[Mention]:
    """Names of two words or more that begin or end with a place word (seas, straits,
    rivers, provinces) are LOC, unless an organisation word is in them too ("Laut Kaspia"
    tagged ORG is the Caspian Sea; "Bank Sungai" stays a bank); a place right after a
    capitalized place word takes it in ("Laut [Kuning]")."""
    places, orgs = place_words(lang), org_words(lang)
    if not places.heads and not places.tails:
        return mentions
    out = []
    for m in mentions:
        head = text[max(0, m.start - 20):m.start].split(" ")
        if m.label == "LOC" and len(head) >= 2 and head[-1] == "" and head[-2] in places.heads:
            # "Laut [Kuning]": the place word the model left out belongs to the name (and
            # a fuzzy gazetteer guess, Kunming, goes)
            start = m.start - len(head[-2]) - 1
            m = Mention(start=start, end=m.end, text=text[start:m.end], label="LOC",
                        source=m.source, confidence=m.confidence)
        parts = m.text.split()
        if m.label != "LOC" and len(parts) >= 2 and (parts[0] in places.heads
                                                     or parts[-1] in places.tails) \
                and not (parts[0] in orgs.heads or parts[-1] in orgs.tails):
            m = replace(m, label="LOC")
        out.append(m)
    return out


MAX_NAME_WORDS = 4


def legal_form_names(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """``mentions`` plus company names the model missed: up to `MAX_NAME_WORDS` capitalized
    words right before a legal form of ``xx/org_tails.txt`` ("Cove Capital LLC")."""
    text, starts, ends = view.text, view.starts, view.ends
    forms = org_words("xx").tails
    if not forms:
        return mentions
    covered = bytearray(len(starts))
    for i in token_owners(mentions, view)[1]:
        covered[i] = 1
    added = []
    words = view.words
    for j in [k for k, w in enumerate(words) if w in forms]:  # the legal forms, at C speed
        if j == 0 or covered[j]:
            continue
        i = j
        while (i > 0 and j - i < MAX_NAME_WORDS and not covered[i - 1]
               and _is_name_word(text[starts[i - 1]:ends[i - 1]])
               and text[ends[i - 1]:starts[i]] == " "):
            i -= 1
        if i < j:
            added.append(Mention(start=starts[i], end=ends[j], text=text[starts[i]:ends[j]],
                                 label="ORG", source="rules", confidence=0.8))
            for k in range(i, j + 1):
                covered[k] = 1
    return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions


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
    places = names_for(lang or "en")
    persons = {m.text for m in mentions if m.label == "PER" and " " in m.text}
    added = []
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
                grown = _span(m.start, m.end, text, m, "PER", m.confidence)
                mentions = [grown if x is m else x for x in mentions]
                for j in range(k, _after(m, starts, k)):
                    owner[j] = grown
                break
            if m is not None and m.start == starts[k]:
                split = _place_and_person(m, text, places, persons, lang)
                if split is not None:
                    mentions = [x for x in mentions if x is not m] + split
                    for j in range(k, _after(m, starts, k)):
                        owner[j] = split[0] if starts[j] < split[0].end else split[1]
                    break
            if m is not None and m.label in ("ORG", "LOC"):
                k = _after(m, starts, k)
            elif ((word.islower() and len(word) <= 3)
                  or (_is_name_word(word) and _known(owner.get(k + 1)))) \
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
               and _is_name_word(text[starts[k]:ends[k]])
               and not text[starts[k]:ends[k]].isupper()
               and text[starts[k]:ends[k]] not in heads):
            k += 1
            n_words += 1
            if _hyphen_joins(text, starts, ends, k):
                k += 2  # "El-Shara" is one word of the name
        if k in owner and k > first and owner[k].start == starts[k] \
                and (owner[k].label == "PER" or (owner[k].label == "LOC" and owner[k].canonical is None
                                                 and " " not in owner[k].text)) \
                and text[ends[k - 1]:starts[k]] == " ":
            # the model has the surname only ("Murat [Nurtleu]"), maybe as an unknown place
            # ("Dmitry [Peskov]"): the name starts earlier
            old = owner[k]
            grown = _span(starts[first], old.end, text, old, "PER", old.confidence)
            mentions = [grown if x is old else x for x in mentions]
            added = [grown if x is old else x for x in added]
            for j in range(first, _after(old, starts, k)):
                owner[j] = grown
            continue
        if n_words < 2 or n_words > MAX_TITLE_NAME_WORDS or k in owner:
            continue  # a new person needs a first and a last name
        if k < len(starts) and _is_name_word(text[starts[k]:ends[k]]):
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
        out.append(_span(m.start, left_end, text, m, "ORG", m.confidence))
        out.append(_span(right_start, m.end, text, m, "ORG", m.confidence))
    return out


def _to_org_tail(m: Mention, text: str, starts: Sequence[int], ends: Sequence[int],
                 index: dict[int, int], owner: dict[int, Mention],
                 tails: frozenset[str]) -> int | None:
    """The token of an organisation word that ends a run of at most three capitalized
    words right after ``m`` (none of them in a mention), else None."""
    k = _after(m, starts, index.get(m.start, 0))
    for j in range(k, min(k + 3, len(starts))):
        word = text[starts[j]:ends[j]]
        if j in owner or not _is_name_word(word) or text[ends[j - 1]:starts[j]] != " ":
            return None
        if word in tails:
            return j
    return None


def _looks_personal(m: Mention, text: str, starts: Sequence[int], ends: Sequence[int], k: int,
                    owner: dict[int, Mention], heads: frozenset[str]) -> bool:
    """ORG mention ``m`` (at token ``k``) reads as a person's name: two or three name words,
    none an organisation word or an acronym, and no name or mention right after it."""
    words = m.text.split(" ")
    tails = org_words("xx").tails
    if not 2 <= len(words) <= MAX_TITLE_NAME_WORDS or any(
            not _is_name_word(w.replace("-", "")) or w.isupper() or w in heads or w in tails
            for w in words):
        return False
    j = _after(m, starts, k)
    return j >= len(starts) or (j not in owner and not _is_name_word(text[starts[j]:ends[j]]))


def _known(m: Mention | None) -> bool:
    """``m`` is a place of the gazetteer or an organisation (not an unknown one-word place,
    which may be a surname the model mistook)."""
    return m is not None and (m.label == "ORG" or m.canonical is not None)


def _place_and_person(m: Mention, text: str, places: dict, persons: set[str],
                      lang: str) -> list[Mention] | None:
    """``m`` split into a place and the person after it, or None when it is not such."""
    parts = m.text.split(" ")
    for n in (1, 2):
        rest = parts[n:]
        if not 2 <= len(rest) <= MAX_TITLE_NAME_WORDS or not all(
                _is_name_word(w.replace("-", "")) for w in rest):
            continue
        place = " ".join(parts[:n])
        found = places.get(place, [None])[0]
        if found is None and n == 1:
            found = fuzzy_place(lang or "en", place)  # "Kazakhtan": Kazakhstan misspelled
        if (found is not None and found.kind == "country") or " ".join(rest) in persons:
            loc = Mention(m.start, m.start + len(place), place, "LOC",
                          "gazetteer" if found is not None else m.source, m.confidence,
                          found.canonical() if found is not None else None)
            return [loc, _span(loc.end + 1, m.end, text, m, "PER", m.confidence)]
    return None


def _after(m: Mention, starts: Sequence[int], k: int) -> int:
    """The first token index after mention ``m`` (which covers token ``k``)."""
    while k < len(starts) and starts[k] < m.end:
        k += 1
    return k


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
            next_is_name = i + 1 < len(starts) and _is_name_word(text[starts[i + 1]:ends[i + 1]])
            if (cues and _ends_before(cues, lower, i)) or (
                    titles and not next_is_name and _ends_before(titles, lower, i)):
                # "…,” kata Peskov"; "на президента Токаев", but not "Presiden
                # Kazakhtan Kassym-Jomart Tokayev" (there the place qualifies the title)
                persons.add(m.text)
    if not persons:
        return mentions
    return [_span(m.start, m.end, text, m, "PER", m.confidence)
            if unknown_word(m) and m.text in persons else m for m in mentions]


def _join_name_halves(mentions: list[Mention], text: str, unknown_word) -> list[Mention]:
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
            out[-1] = _span(prev.start, m.end, text, m if m.label == "PER" else prev, "PER",
                            max(prev.confidence, m.confidence))
            continue
        out.append(m)
    return out


def _ends_before(table, lower: Sequence[str], i: int) -> bool:
    """A phrase of ``table`` (of up to three words) ends right before token ``i``."""
    for j in range(max(0, i - 3), i):
        hit = table.match_at(lower, j, i)
        if hit is not None and j + hit[0] == i:
            return True
    return False


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
    places = names_for(lang or "en")
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
        if qualified:
            k = _after(m, starts, k)  # the country of the organisation
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
                and _is_name_word(text[starts[j]:ends[j]]):
            j += 1
            if _hyphen_joins(text, starts, ends, j):
                j += 2  # "Samruk-Kazyna": the hyphen and the next word belong to the name
        if j > k and not (j < len(starts) and _is_name_word(text[starts[j]:ends[j]])):
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


def _split_place(m: Mention, text: str, places: dict) -> list[Mention]:
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
            return [loc, _span(rest, m.end, text, m, "ORG", m.confidence)]
    return [_span(m.start, m.end, text, m, "ORG", m.confidence)]


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
            replace[id(m)] = [_span(m.start, ends[tail], text, m, "ORG", m.confidence)]
            continue
        j = _after(m, starts, index.get(m.start, 0))
        nxt = owner.get(j)
        if nxt is not None and nxt.start == starts[j] and text[m.end:nxt.start] == " " \
                and nxt.label == "ORG" and nxt.text.split(" ")[-1] in words.tails:
            # "[Pertamina] [Hulu Energi]": one company, cut in two
            replace[id(m)] = [_span(m.start, nxt.end, text, m, "ORG", m.confidence)]
            replace[id(nxt)] = []
            continue
        if m.text.split(" ")[0] not in heads:
            continue
        k = _after(m, starts, index.get(m.start, 0))
        j, capitals = k, 0
        while j < len(starts) and j - k < MAX_ORG_RUN and j not in owner:
            word = text[starts[j]:ends[j]]
            if _is_name_word(word):
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
        grown = _span(m.start, place.end, text, m, "ORG", m.confidence)
        replace[id(m)] = [grown]
        replace[id(place)] = []
    if not replace:
        return mentions
    return [x for m in mentions for x in replace.get(id(m), [m])]


_OPENING = "„“\"«"
_CLOSING = "“”\"»"


def company_names(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """Company names written with quotation marks and a legal form, and short names in
    brackets:

    - "„Булгаргаз“ ЕАД": the quoted name and its legal form are one ORG mention (the legal
      form alone is never a name);
    - "PT Aneka Tambang Tbk (Antam)", "Kementerian ESDM (KESDM)": a name in brackets right
      after an organisation is its short form: same label, same entity.
    """
    text = view.text

    forms = org_words("xx").tails
    out: list[Mention] = []
    absorbed = -1  # end offset of a legal form taken into the name before it
    for m in mentions:
        if m.text in forms:
            continue  # "ЕАД", "LLC" alone is no name
        if m.start < absorbed:
            continue
        if m.start > 0 and text[m.start - 1] in _OPENING:
            # „Булгаргаз“ ЕАД: the quoted name and the legal form after it
            form = re.match(r"[“”\"»]\s+(\S+)", text[m.end:m.end + 20])
            if form and form.group(1).rstrip(",.;:") in forms:
                end = m.end + form.start(1) + len(form.group(1).rstrip(",.;:"))
                m = _span(m.start - 1, end, text, m, "ORG", m.confidence)
                absorbed = end
        out.append(m)
    for k in range(1, len(out)):
        prev, m = out[k - 1], out[k]
        if text[prev.end:m.start] in (" (", "(") and text[m.end:m.end + 1] == ")" \
                and len(m.text) < len(prev.text) and prev.label == "ORG" \
                and m.canonical is None and m.label != "LOC":
            # an organisation's short name; not "Иван Тотев (ГЕРБ)" (his party) nor
            # "Акаба (Йордания)" (its country)
            key = (prev.canonical or {}).get("key") or name_key(prev.label, prev.text)
            canonical = {**(prev.canonical or {"key": key, "name": prev.text, "wikidata": None}),
                         "matched": prev.text}
            out[k] = replace(m, label=prev.label, canonical=canonical)
    return out
