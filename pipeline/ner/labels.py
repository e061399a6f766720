"""NER rules that relabel a name by its own words: organisation words make it ORG, place
words LOC."""

from __future__ import annotations

from dataclasses import replace

from pipeline.core.document import Mention
from pipeline.ner.words import org_words, place_words


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
