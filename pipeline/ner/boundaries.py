"""NER rules on where a name begins and ends: hyphenated names joined, company names
found by their legal form, quoted company names with their legal form, short names in brackets."""

from __future__ import annotations

import re
from dataclasses import replace

from pipeline.core.document import Mention
from pipeline.lexicon.gazetteer import names_for
from pipeline.ner.words import HYPHENS, MAX_NAME_WORDS, is_name_word, org_words, span_like
from pipeline.text.docview import token_owners
from pipeline.text.names import name_key
from pipeline.text.tokens import Tokens


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
        if (prev is not None and m.start == prev.end + 1 and text[prev.end] in HYPHENS
                and _may_join(prev, m, text, lang)):
            label = prev.label if prev.end - prev.start >= m.end - m.start else m.label
            joined[-1] = span_like(prev.start, m.end, text, prev, label,
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
                and text[starts[hyphen]:ends[hyphen]] in HYPHENS
                and is_name_word(text[starts[word]:ends[word]])
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
            m = span_like(starts[a], ends[b], text, m, m.label, m.confidence)
        out.append(m)
    return out


def _may_join(left: Mention, right: Mention, text: str, lang: str) -> bool:
    """False for two places that are not, together, the name of one known place."""
    if left.label != "LOC" or right.label != "LOC":
        return True

    return text[left.start:right.end] in names_for(lang)


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
               and is_name_word(text[starts[i - 1]:ends[i - 1]])
               and text[ends[i - 1]:starts[i]] == " "):
            i -= 1
        if i < j:
            added.append(Mention(start=starts[i], end=ends[j], text=text[starts[i]:ends[j]],
                                 label="ORG", source="rules", confidence=0.8))
            for k in range(i, j + 1):
                covered[k] = 1
    return sorted(mentions + added, key=lambda m: (m.start, m.end)) if added else mentions

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
                m = span_like(m.start - 1, end, text, m, "ORG", m.confidence)
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
