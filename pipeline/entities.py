"""The `entities` stage: mentions from NER backends, merged and clustered into entities.

Backends run in priority order; a later backend's mention that overlaps an earlier one is
dropped (so the trained model, listed first, wins over the gazetteer), but when both mark
the same span the gazetteer still lends its canonical identity. A backend without a model
for the document's language is skipped (the gazetteer covers every language). Mentions of one thing form one
entity: same canonical key, or same label and same normalized name.
"""

from __future__ import annotations

import bisect
from typing import Any

from .backends import get_backend
from .clean import clean_text
from .lexicons import settings
from .document import Document, Entity, Mention
from .names import fold, name_key, words
from .ner_rules import (company_names, consistent_persons, cued_organisations,
                        extend_organisations, legal_form_names, place_labels,
                        title_persons)
from .ner_acronyms import acronym_organisations
from .ner_first_names import first_names
from .ner_works import work_titles
from .phrases import document_lower
from .propagate import propagate


def merge_mentions(groups: list[list[Mention]]) -> list[Mention]:
    """Mentions of several backends, earlier groups first on overlap, in text order.

    Kept mentions never overlap, so they are held sorted and each new mention is checked
    against its neighbours only (no quadratic scan on documents with many mentions).
    """
    kept: list[Mention] = []
    starts: list[int] = []
    for group in groups:
        for m in sorted(group, key=lambda x: (x.start, x.end)):
            i = bisect.bisect_left(starts, m.start)
            clash = [k for k in kept[max(0, i - 1):i + 1] if k.start < m.end and m.start < k.end]
            j = i + 1
            while j < len(kept) and kept[j].start < m.end:  # a long mention spans several
                clash.append(kept[j])
                j += 1
            if not clash:
                kept.insert(i, m)
                starts.insert(i, m.start)
                continue
            for k in clash:  # same span: take the identity the other backend knows
                if k.start == m.start and k.end == m.end and k.canonical is None:
                    k.canonical = m.canonical
                    if m.source == "gazetteer" and m.canonical and k.label != m.label:
                        # A country or city the model called ORG or PER: in these corpora
                        # a place acting as an actor is still LOC (GPE folded into LOC).
                        k.label = m.label
    return kept


# NER models: one of them reads a document (`Entities.model_backend`); the rules after the
# merge fix their mentions (the gazetteer alone gives places).
MODEL_BACKENDS = {"transformer", "spacy", "hf", "stanza"}
# The default: the multilingual model, the spaCy CNN where a language prefers it (measured
# better: Indonesian), and the gazetteer's places and identities for every language.
DEFAULT_NER = ("transformer", "spacy", "gazetteer")

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
        # the label is no part of an organisation's or a place's identity: "Конгреса"
        # tagged ORG here and LOC there is one entity, keyed by its first mention
        slot = (f"org/loc:{key.partition(':')[2]}" if m.canonical is None
                and m.label in ("ORG", "LOC") else key)
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
    merged: set[int] = set()
    aliases = _AliasIndex(entities, lang)
    for ent in entities:
        if (ent.canonical or {}).get("wikidata"):
            continue
        target = aliases.target(ent)
        if target is not None:
            target.mentions.extend(ent.mentions)
            target.mentions.sort(key=lambda m: (m.start, m.end))
            target.confidence = max(target.confidence, ent.confidence)
            merged.add(id(ent))
    return [e for e in entities if id(e) not in merged]


# Bulgarian article and case endings a name takes in running text ("Газпрома", "Росатомът").
_BG_ENDINGS = ("ът", "ят", "та", "то", "те", "а", "я")


class _AliasIndex:
    """Finds the one longer entity of a document that an entity is a short form of.

    Indexed by a name's last folded word (persons) and first folded word (organisations),
    so that a document with thousands of entities costs linear time.
    """

    def __init__(self, entities: list[Entity], lang: str) -> None:
        from .ner_rules import org_words

        self.lang = lang
        self.tails = org_words(lang).tails
        self.folded = {id(e): [fold(w) for w in words(e.name)] for e in entities}
        self.by_last: dict[tuple[str, str], list[Entity]] = {}
        self.by_first: dict[tuple[str, str], list[Entity]] = {}
        self.by_name: dict[tuple[str, str], list[Entity]] = {}
        for e in entities:
            f = self.folded[id(e)]
            if not f:
                continue
            self.by_last.setdefault((e.label, f[-1]), []).append(e)
            self.by_first.setdefault((e.label, f[0]), []).append(e)
            self.by_name.setdefault((e.label, e.name), []).append(e)

    def target(self, ent: Entity) -> Entity | None:
        folded = self.folded[id(ent)]
        if not folded:
            return None
        n = len(folded)
        candidates = []
        if ent.label == "PER":
            for other in self.by_last.get((ent.label, folded[-1]), ()):
                if len(self.folded[id(other)]) > n and self.folded[id(other)][-n:] == folded:
                    candidates.append(other)  # surname (or last names) of a person
            if not candidates and n == 1:
                # a one-word name that is the first name of one person: Indonesian news
                # names people by their first name ("Bahlil" of "Bahlil Lahadalia")
                candidates = [o for o in self.by_first.get((ent.label, folded[0]), ())
                              if len(self.folded[id(o)]) > 1]
        elif ent.label == "ORG":
            for other in self.by_first.get((ent.label, folded[0]), ()):
                full = words(other.name)
                if len(full) > n and self.folded[id(other)][:n] == folded and all(
                        w in self.tails for w in full[n:]):
                    candidates.append(other)  # "POSCO" of "POSCO Group"
        if self.lang == "bg":
            for end in _BG_ENDINGS:
                if ent.name.endswith(end) and len(ent.name) - len(end) >= 3:
                    candidates.extend(o for o in self.by_name.get(
                        (ent.label, ent.name[:-len(end)]), ()) if o is not ent)
        return candidates[0] if len(candidates) == 1 else None


class Entities:
    """Pipeline stage: ``doc.mentions`` and ``doc.entities`` from the chosen NER backends."""

    name = "entities"
    requires = ("sentences", "tokens")
    assigns = ("mentions", "entities")

    def __init__(self, backends: tuple[str, ...] = DEFAULT_NER,
                 options: dict[str, dict[str, Any]] | None = None, rules: bool = True,
                 skip_rules: tuple[str, ...] = ()) -> None:
        self.backend_names = backends
        self.options = options or {}
        self.rules = rules  # the rules after the merge (they need a model's mentions)
        self.skip_rules = frozenset(skip_rules)  # rules left out, by function name
        self._model_for: dict[str, str | None] = {}  # language -> its model backend

    def __call__(self, doc: Document) -> Document:
        return self.pipe([doc])[0]

    def model_backend(self, lang: str) -> str | None:
        """The one NER model that reads a document in ``lang``: the language's own choice
        (``ner_backend`` in its ``settings.tsv``, where a model was measured better than
        the multilingual one) when it is among the configured backends and has a model for
        ``lang``, else the first configured model backend that has one."""
        if lang in self._model_for:
            return self._model_for[lang]
        configured = [n for n in self.backend_names if n in MODEL_BACKENDS]
        preferred = settings(lang).get("ner_backend")
        order = ([preferred] if preferred in configured else []) + configured
        choice = next((n for n in order if get_backend("ner", n, **self.options.get(n, {}))
                       .supports(lang)), None)
        self._model_for[lang] = choice
        return choice

    def pipe(self, docs: list[Document]) -> list[Document]:
        """The stage over several documents; backends with ``find_batch`` get them at once."""
        texts = [clean_text(d) for d in docs]
        groups: list[list[list[Mention]]] = [[] for _ in docs]
        used: list[list[str]] = [[] for _ in docs]
        models = [self.model_backend(d.lang or "und") for d in docs]
        for name in self.backend_names:
            backend = get_backend("ner", name, **self.options.get(name, {}))
            idx = [i for i, d in enumerate(docs)
                   if (name not in MODEL_BACKENDS or models[i] == name)
                   and backend.supports(d.lang or "und")]
            if not idx:
                continue
            if hasattr(backend, "find_batch"):
                found = backend.find_batch([docs[i] for i in idx], [texts[i] for i in idx])
            else:
                found = [backend.find(docs[i], texts[i]) for i in idx]
            for i, mentions in zip(idx, found):
                # The backends read the cleaned text, where boilerplate is blank; this also
                # drops what a backend might find across a mask's edge.
                groups[i].append([m for m in mentions if not docs[i].is_masked(m.start, m.end)])
                used[i].append(backend.version(docs[i].lang or "und"))
        for doc, text, doc_groups, doc_used in zip(docs, texts, groups, used):
            merged = merge_mentions(doc_groups)
            if doc.tokens and self.rules and MODEL_BACKENDS & set(self.backend_names):
                # rules that need the gazetteer's places too, so after the merge
                lang = doc.lang or ""
                starts, ends = doc.tokens  # type: ignore[misc]
                lower = document_lower(doc)  # shared with the later stages
                # company names by their legal form also where no model ran (English)
                skip = self.skip_rules
                if "legal_form_names" not in skip:
                    merged = legal_form_names(merged, text, starts, ends)
                if "place_labels" not in skip:
                    merged = place_labels(merged, lang, text)  # the gazetteer's places too
                for rule in (company_names, title_persons, cued_organisations,
                             extend_organisations, consistent_persons, first_names,
                             acronym_organisations, work_titles):
                    if rule.__name__ not in skip:
                        merged = rule(merged, text, starts, ends, lang, lower)
                # names the rules found spread to their repeats too ("Juru Bicara Kremlin
                # Dmitry Peskov" … "kata Peskov")
                if "propagate_rules" not in skip:
                    merged = propagate(merged, text, starts, ends, "rules")
            doc.mentions = merged
            doc.entities = cluster(doc.mentions, doc.lang or "")
            doc.extractors["ner"] = "; ".join(doc_used)
        return docs
