"""The `entities` stage: a document's mentions clustered into entities.

It runs after the `ner` stage (mentions from the NER backends, merged) and the `ner_rules`
stage (their fixes). Mentions of one thing form one entity: same canonical key, or same
label and same normalized name; then short forms join the full name they stand for.
"""

from __future__ import annotations

from typing import Callable

from pipeline.core.document import Document, Entity, Mention
from pipeline.lexicon.lexicons import settings
from pipeline.text.names import name_key
from pipeline.text.short_forms import Phrases, ShortForms, name_parts
from pipeline.core.stage_registry import register_stage
from pipeline.ner.words import org_words

_NO_QUOTES = str.maketrans("", "", "„“”«»")  # "„Булгаргаз“ ЕАД" is named "Булгаргаз ЕАД"


def cluster(mentions: list[Mention], lang: str = "") -> list[Entity]:
    """Group mentions into entities, ordered by first mention.

    Mentions with the same canonical key, or the same label and folded name, are one
    entity (ORG and LOC count as one label here: a name tagged either way is one
    organisation or place); then short forms join the full name they stand for in the
    same document (see `_AliasIndex`): a surname its person ("Tokayev" → "Kassym-Jomart
    Tokayev"), else a one-word first name the one person it starts ("Bahlil" → "Bahlil
    Lahadalia"), a name without its organisation word ("POSCO" → "POSCO Group"), an
    inflected form ("Газпрома" → "Газпром").
    """
    entities: list[Entity] = []
    by_key: dict[str, Entity] = {}
    for m in mentions:
        key = m.canonical["key"] if m.canonical else name_key(m.label, m.text)
        slot = identity_slot(key)
        ent = by_key.get(slot)
        if ent is None:
            canonical = dict(m.canonical) if m.canonical else {"key": key, "name": m.text,
                                                                "wikidata": None}
            canonical.pop("matched", None)
            base = (m.canonical or {}).get("matched") or m.text.translate(_NO_QUOTES)
            ent = Entity(label=m.label, name=base, mentions=[], canonical=canonical,
                         confidence=0.0)
            by_key[slot] = ent
            entities.append(ent)
        ent.mentions.append(m)
        ent.confidence = max(ent.confidence, m.confidence)
    return join_short_forms(entities, lang, _absorb_mentions)


def _absorb_mentions(target: Entity, short: Entity) -> None:
    target.mentions.extend(short.mentions)
    target.mentions.sort(key=lambda m: (m.start, m.end))


def identity_slot(key: str) -> str:
    """What makes two entities of a document one: their canonical key, except that the
    label is no part of an organisation's or a place's identity. "Конгреса" tagged ORG here
    and LOC there is one entity (its made-up keys "org:…" and "loc:…" share a slot; the
    gazetteer's keys, Wikidata ids and the like, are slots as they are)."""
    label, sep, rest = key.partition(":")
    return f"org/loc:{rest}" if sep and label in ("org", "loc") else key


def join_short_forms(entities: list[Entity], lang: str,
                     absorb: Callable[[Entity, Entity], None]) -> list[Entity]:
    """``entities`` without the short forms joined to the one longer entity they stand
    for (`_AliasIndex`): ``absorb(target, short)`` moves the short form's mentions (lists
    of `Mention` here, offset arrays in `pipeline.core.sections`); the confidence is the
    higher of the two. An entity with a Wikidata id is never a short form."""
    into: dict[int, Entity] = {}  # a joined short form -> the entity it joined
    aliases = _AliasIndex(entities, lang)
    for ent in entities:
        if (ent.canonical or {}).get("wikidata"):
            continue
        target = aliases.target(ent)
        # the target may itself have joined a longer name already ("Bahlil Lahadalia" of
        # "Muhammad Bahlil Lahadalia"): the mentions go to the entity that is kept
        while target is not None and id(target) in into:
            target = into[id(target)]
        if target is not None and target is not ent:
            absorb(target, ent)
            target.confidence = max(target.confidence, ent.confidence)
            into[id(ent)] = target
    return [e for e in entities if id(e) not in into]


class _AliasIndex:
    """Finds the one longer entity of a document that an entity is a short form of
    (`pipeline.text.short_forms`: one index per label, over the names' folded words)."""

    def __init__(self, entities: list[Entity], lang: str) -> None:
        # endings a name takes in running text ("Газпрома" of "Газпром"; settings.tsv)
        self.endings = tuple(settings(lang).get("name_endings", "").split())
        # compared folded, as names are here: "S.A." is the parts "s", "a"
        self.tails = Phrases(org_words(lang).tails)
        self.parts = {id(e): name_parts(e.name) for e in entities}
        self.by_label: dict[str, ShortForms[Entity]] = {}
        self.by_name: dict[tuple[str, str], list[Entity]] = {}
        for label in {e.label for e in entities}:
            self.by_label[label] = ShortForms((e, self.parts[id(e)])
                                              for e in entities if e.label == label)
        for e in entities:
            if self.parts[id(e)]:
                self.by_name.setdefault((e.label, e.name), []).append(e)

    def target(self, ent: Entity) -> Entity | None:
        parts = self.parts[id(ent)]
        if not parts:
            return None
        index = self.by_label[ent.label]
        candidates = []
        if ent.label == "PER":
            candidates = index.ending_with(parts)  # surname (or last names) of a person
            if not candidates and len(parts) == 1:
                # a one-word name that is the first name of one person: Indonesian news
                # names people by their first name ("Bahlil" of "Bahlil Lahadalia")
                candidates = index.starting_with(parts)
        elif ent.label == "ORG":
            # "POSCO" of "POSCO Group", "Telefónica" of "Telefónica S.A."
            candidates = index.starting_with(parts, self.tails)
        for end in self.endings:
            if ent.name.endswith(end) and len(ent.name) - len(end) >= 3:
                candidates.extend(o for o in self.by_name.get(
                    (ent.label, ent.name[:-len(end)]), ()) if o is not ent)
        return candidates[0] if len(candidates) == 1 else None


@register_stage('entities')
class Entities:
    """Pipeline stage: ``doc.entities`` from ``doc.mentions`` (`cluster`)."""

    name = "entities"
    requires = ("mentions",)
    assigns = ("entities",)

    def __call__(self, doc: Document) -> Document:
        doc.entities = cluster(doc.mentions, doc.lang or "")
        return doc
