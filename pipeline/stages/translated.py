"""Relations, claims and events through the translation (issue 17): extracted on the
English, mapped back to the original text.

The `translate` NER backend leaves, in the cache of each document it translated, a
`Shadow`: an English document made of the sentences' translations (one line per source
sentence), with the English names it read, the encoder's states of the English (the event
and claim heads read them), and one `pipeline.text.align.SentencePair` per sentence. When the
run translates (`build_pipeline` with the ``translate`` NER backend), the stages that come
after the NER are wrapped in `ThroughTranslation`:

- ``entities`` clusters the English names of the shadow as well as the source's mentions;
- ``relations``, ``claims`` and ``events`` run on the shadow, in the pipeline's order, and
  what they find is mapped back (`carry_relations`, `carry_claims`, `carry_events`): every
  span to offsets into the original text within its sentence (names by name, identity or
  alignment, clauses from their first aligned word to their last), every English entity to
  the source entity whose mention its mapped mention is. A record whose anchor does not
  map (an event's trigger, a claim's content, a relation's head) is left out, and the
  document's ``translation`` record counts what was found and what was mapped.

A document that was not translated goes through the stages as always.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.text.align import SentencePair, mention_key
from pipeline.stages.claim_finder import Claim
from pipeline.core.document import Document, Entity, Mention, Relation, Span, TranslatedSpan
from pipeline.stages.event_clauses import Argument
from pipeline.stages.ner_stage import STATES
from pipeline.stages.relations import _dedupe

SHADOW = "translation.shadow"  # `Document.cache` key of a document's `Shadow`
# the stages whose output comes from the English side
CARRIED = ("relations", "claims", "events")


@dataclass
class Shadow:
    """A document's English translation as a document of its own, and the way back."""

    doc: Document  # the English: one line per source sentence
    units: list[tuple[int, int]]  # each source sentence's span in the original text
    at: list[int]  # where each sentence's English starts in ``doc.text``
    pairs: list[SentencePair]  # per sentence: its English and its source, aligned
    # the source's mentions by span, with their entities (made on first need)
    _index: dict[tuple[int, int], tuple[Entity, Mention]] | None = field(default=None,
                                                                         repr=False)

    def unit_of(self, pos: int) -> int:
        """The sentence whose English holds the shadow offset ``pos``."""
        return max(0, bisect.bisect_right(self.at, pos) - 1)

    def map(self, span: Span | Mention | None, key: str | None = None, whole: bool = False,
            gap: int = 1) -> TranslatedSpan | None:
        """``span`` of the English in the original text (None where it does not map;
        ``key``, ``gap``: as `SentencePair.map` takes them; ``gap`` 0 for a trigger or a
        cue). A ``whole`` span (a clause) may run over several sentences: it maps from its
        first sentence's part to its last's, and a part the alignment misses stands for its
        whole sentence."""
        if span is None or span.end <= span.start:
            return None
        english = self.doc.text[span.start:span.end]
        i, j = self.unit_of(span.start), self.unit_of(span.end - 1)
        if i == j:
            got = self.pairs[i].map(span.start - self.at[i], span.end - self.at[i], key, whole,
                                    gap)
            if got is None and whole:
                return TranslatedSpan(*self.units[i], translated=english)
            if got is None:
                return None
            base = self.units[i][0]
            return TranslatedSpan(base + got.start, base + got.end, translated=english)
        if not whole:
            return None
        first = self.pairs[i].map(span.start - self.at[i], len(self.pairs[i].tgt_text), None, True)
        last = self.pairs[j].map(0, span.end - self.at[j], None, True)
        start = self.units[i][0] + first.start if first else self.units[i][0]
        end = self.units[j][0] + last.end if last else self.units[j][1]
        return TranslatedSpan(start, end, translated=english)

    def sentence(self, span: Span) -> Span:
        """The source sentence of the English sentence holding ``span``."""
        return Span(*self.units[self.unit_of(span.start)])

    def source_entity(self, doc: Document, span: Span, label: str | None = None
                      ) -> Entity | None:
        """The source entity with a mention at ``span`` (source offsets), else the one
        whose mention overlaps it most, a mention of ``label`` first; None when no mention
        of that label overlaps it and none of another covers half of it."""
        if self._index is None:
            self._index = {(m.start, m.end): (e, m) for e in doc.entities for m in e.mentions}
        exact = self._index.get((span.start, span.end))
        if exact is not None:
            return exact[0]
        best: tuple[tuple[bool, int], Entity] | None = None
        for (s, t), (e, m) in self._index.items():
            shared = min(t, span.end) - max(s, span.start)
            if shared > 0:
                rank = (m.label == label, shared)
                if best is None or rank > best[0]:
                    best = (rank, e)
        if best is None:
            return None
        (same, shared), ent = best
        return ent if same or 2 * shared >= span.end - span.start else None

    def entity(self, doc: Document, ent: Entity | None, near: Span | None = None,
               same_sentence: bool = False) -> tuple[Entity, TranslatedSpan] | None:
        """The source entity an English entity stands for, and the mention it was found by:
        the English entity's mentions, those in the sentence of ``near`` first (with
        ``same_sentence``, those alone), mapped; the first that lands on a source mention
        names it (`source_entity`)."""
        if ent is None:
            return None
        unit = self.unit_of(near.start) if near is not None else None
        order = sorted(ent.mentions, key=lambda m: (self.unit_of(m.start) != unit, m.start))
        for m in order:
            if same_sentence and self.unit_of(m.start) != unit:
                break
            got = self.map(m, mention_key(m))
            hit = self.source_entity(doc, got, ent.label) if got is not None else None
            if hit is not None:
                return hit, got  # type: ignore[return-value]
        return None

    def key_at(self, span: Span | None) -> str | None:
        """The canonical key of the English mention at ``span`` (shadow offsets), if any."""
        if span is None:
            return None
        return next((mention_key(m) for m in self.doc.mentions
                     if m.start == span.start and m.end == span.end), None)


def _count(doc: Document, name: str, english: int, mapped: int) -> None:
    if doc.translation is not None:
        doc.translation.setdefault("records", {})[name] = {"english": english, "mapped": mapped}


def carry_relations(shadow: Shadow, doc: Document) -> None:
    """``doc.relations`` from the shadow's."""
    out = []
    for rel in shadow.doc.relations:
        head = shadow.entity(doc, rel.head, rel.evidence)
        tail = shadow.entity(doc, rel.tail, rel.evidence) if rel.tail is not None else None
        if head is None or (rel.tail is not None and tail is None) or (
                tail is not None and tail[0] is head[0]):
            continue  # two English names mapped onto one source entity: no relation
        evidence = shadow.map(rel.evidence, whole=True)
        if evidence is None:
            continue
        out.append(Relation(rel.label, head[0], tail[0] if tail else None, rel.value,
                            evidence, rel.confidence))
    doc.relations = _dedupe(out)
    _count(doc, "relations", len(shadow.doc.relations), len(doc.relations))


def carry_claims(shadow: Shadow, doc: Document) -> None:
    """``doc.claims`` from the shadow's: the content must map; a speaker or cue that does
    not is left empty (a speaker whose entity maps keeps it, by that entity's mention)."""
    out = []
    for c in shadow.doc.claims:
        content = shadow.map(c.content, whole=True)
        if content is None:
            continue
        speaker = shadow.map(c.speaker, shadow.key_at(c.speaker))
        found = shadow.entity(doc, c.speaker_entity, c.speaker or c.content)
        if speaker is None and found is not None:
            speaker = found[1]
        out.append(Claim(c.kind, content, speaker, found[0] if found else None,
                         shadow.map(c.cue, gap=0), c.confidence))
    doc.claims = out
    _count(doc, "claims", len(shadow.doc.claims), len(out))


def carry_events(shadow: Shadow, doc: Document) -> None:
    """``doc.events`` from the shadow's: the trigger must map; an argument that does not
    is dropped; the sentence is the source sentence the trigger's English translates."""
    out = []
    for ev in shadow.doc.events:
        trigger = shadow.map(ev.trigger, gap=0)
        if trigger is None:
            continue
        args = []
        for a in ev.arguments:
            span = Span(a.start, a.end)
            # the argument's own words first; a name the alignment misses by the English
            # entity's other mentions, in the trigger's sentence only (an argument is in
            # its event's sentence)
            got = shadow.map(span, shadow.key_at(span))
            entity = None
            if a.entity is not None:
                entity = shadow.source_entity(doc, got, a.entity.label) if got is not None else None
                if entity is None:
                    found = shadow.entity(doc, a.entity, ev.trigger, same_sentence=True)
                    if found is not None:
                        entity, got = found
            if got is None:
                continue
            args.append(Argument(a.role, got.start, got.end, doc.text[got.start:got.end],
                                 entity, a.key, translated=a.text))
        time_span = shadow.map(ev.time_span)
        out.append(replace(
            ev, trigger=trigger, sentence=shadow.sentence(ev.trigger), arguments=args,
            time_span=time_span,
            time_text=doc.text[time_span.start:time_span.end] if time_span else None,
            time_value=ev.time_value if time_span else None))
    doc.events = out
    _count(doc, "events", len(shadow.doc.events), len(out))


CARRY = {"relations": carry_relations, "claims": carry_claims, "events": carry_events}


class ThroughTranslation:
    """A stage wrapped for a run that translates: on a document with a `Shadow`, the
    stage reads the English (``entities``: both sides) and its output is mapped back;
    any other document goes through the stage as it is."""

    def __init__(self, stage: Any, last: bool = False) -> None:
        self.stage = stage
        self.name = stage.name
        self.requires = stage.requires
        self.assigns = stage.assigns
        self.last = last  # the last wrapped stage: the shadow and the states are let go

    def __call__(self, doc: Document) -> Document:
        shadow: Shadow | None = doc.cache.get(SHADOW)
        if shadow is None:
            plain: Document = self.stage(doc)
            return plain
        shadow.doc = self.stage(shadow.doc)
        if self.name not in CARRY:
            doc = self.stage(doc)
            if self.last:
                doc.cache.pop(SHADOW, None)
            return doc
        CARRY[self.name](shadow, doc)
        if self.name in shadow.doc.extractors:
            doc.extractors[self.name] = f"{shadow.doc.extractors[self.name]} on the English"
        if self.last:
            doc.cache.pop(SHADOW, None)
            doc.cache.pop(STATES, None)  # the source's states: no stage reads them now
        return doc

    def __getattr__(self, name: str) -> Any:
        if name == "stage":  # not set yet (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.stage, name)
