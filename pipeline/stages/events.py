"""The `events` stage: typed events with trigger, arguments, time and modality.

Everything language-specific is in lexicon files under ``models/lexicons/LANG/`` (see the
README, "Lexicons"): ``events.tsv`` (trigger phrase, PLOVER type or TRADE / INVEST /
PRODUCE, mode, noun), ``modality.tsv`` (cue, modality), ``time.tsv`` (months, weekdays,
relative days), ``grammar.tsv`` (joining, locative and "between" words) and
``xx/commodities.tsv`` (commodity words of every language). A new language is a
set of these files plus an NER backend.

Arguments are taken from the trigger's clause only: the stretch of the sentence between
quotation marks, semicolons, colons, spaced dashes and the words that open a new
clause (``clause`` in grammar.tsv: "menyusul", "setelah", "след като", "after"), and
the reporting cue and content of a claim, so "Kunjungan Putin … menyusul larangan Rusia …"
does not make Russia a party to the visit.

Per sentence, each trigger that is not inside a name starts an event:

- ``actor``: the names right before the trigger (the nearest one and those joined to it by
  a joiner word: "dan", "и", "and", a comma), and the first name of the clause when a
  "with" word stands before them ("A … bersama B menandatangani"); for a noun trigger,
  the name right after it or the names after a "between" word;
- ``location``: a place after the trigger behind a locative word ("di", "в", "in", "ke");
- ``origin``: a place after the trigger behind an origin word ("dari", "от", "from");
- ``route``: a place after the trigger behind a route word ("melalui", "през", "via");
- ``counterpart``: the other names after the trigger (the first `MAX_AFTER` names after
  it count);
- ``commodity``: commodity words of the clause;
- ``time``: the sentence's first time expression, normalized against ``published``; in
  a sentence without one, the last full date of an earlier sentence (the story's day:
  "… menandatangani MoU pada Kamis (13/06). … juga menandatangani …"), which the record's
  ``time`` offsets then point to;
- ``modality``: a cue in the four words before the trigger (planned, negated,
  hypothetical), or a planned or hypothetical cue earlier in the trigger's clause;
  "reported" when the trigger is inside what someone is quoted or reported as saying (the
  claims stage runs first); else asserted.

Triggers of one type and mode in one sentence make one event (the first trigger).

**Learned triggers** (`pipeline.learned.events_learned`, ``models/events-xx``, trained by `lintas
train events`): small heads on the NER encoder's hidden states find triggers with their
type in any language, also where no lexicon exists. They become hits next to the lexicon
hits and go through the same argument, time and modality code. How the two are combined
is the model's ``merge`` (chosen on the corpus' inner validation split): ``lexicon`` (the
lexicons alone), ``learned`` (the heads alone), ``union`` (both; a learned trigger on the
same words and type as a lexicon hit once), ``lexicon_first`` (learned triggers only
where no lexicon hit overlaps). A learned trigger takes the mode and the noun mark of a
lexicon hit on the same words, else the mode head's (or its type's most frequent mode in
the corpus), and makes an event of its own (the lexicon's one-event-per-type-and-mode
rule is for phrases such as "bertemu" … "pertemuan"). Where no modality cue is found, the
modality head's planned / negated / hypothetical is taken when the model says it helped
(``modality_head``).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from collections.abc import Sequence
from typing import Any

from pipeline.text.dates import TimeExpression, find_times, parse_published
from pipeline.core.document import Document, Entity, Mention, Span
from pipeline.learned.event_args import OWN_FIELD, merge_arguments
from pipeline.learned.event_features import pooled
from pipeline.learned.events_learned import EventHeads, StatesReader, load_heads
from pipeline.lexicon.lexicons import grammar
from pipeline.text.phrases import PhraseIndex, PhraseMatch, phrase_table
from pipeline.stages.relations import mention_entities
from pipeline.core.stage_registry import register_stage
from pipeline.stages.event_clauses import (ASIDE, Argument, clause_arguments, clause_around,
                                           clause_bounds, subject_word)

CUE_WINDOW = 4  # words before a trigger in which a modality cue counts


@dataclass
class Event:
    """An event found in one sentence."""

    event_type: str
    mode: str | None
    trigger: Span
    sentence: Span
    arguments: list[Argument] = field(default_factory=list)
    time_text: str | None = None
    time_value: str | None = None
    time_span: Span | None = None
    modality: str = "asserted"
    confidence: float = 0.5


def _modality(words: list[str], i: int, cues: PhraseIndex, reported: bool, clause_first: int = 0,
              noun_end: int | None = None, learned: str | None = None) -> str:
    """The modality of a trigger at index ``i`` of ``words``: a cue in the `CUE_WINDOW`
    words before it (nearest wins), else a planned or hypothetical cue earlier in its
    clause (from index ``clause_first``: "Putin akan membahas … dalam kunjungannya": the
    visit is planned too; a negation stays with the words right after it). A noun trigger
    that is its clause's subject takes a cue right after it too (``noun_end``: the index
    after the noun): "talks will continue", "преговорите ще продължат". Without a cue and
    outside what someone said, ``learned`` (the modality head's class) counts when it is
    planned, negated or hypothetical."""
    found: str | None = None
    for k in range(max(0, i - CUE_WINDOW), i):
        hit = cues.match_at(words, k)
        if hit is not None and k + hit[0] <= i:
            found = hit[2][0] if hit[2] else None
    if found is None and noun_end is not None and noun_end < len(words):
        hit = cues.match_at(words, noun_end)
        if hit is not None and hit[2]:
            found = hit[2][0]
    if found is None:
        for k in range(max(0, clause_first), max(0, i - CUE_WINDOW)):
            hit = cues.match_at(words, k)
            if hit is not None and hit[2] and hit[2][0] in ("planned", "hypothetical"):
                found = hit[2][0]
    if found in ("planned", "negated", "hypothetical"):
        return found
    if reported or found == "reported":
        return "reported"  # what someone is quoted or reported as saying
    return learned if found is None and learned in ("planned", "negated", "hypothetical") \
        else "asserted"


@register_stage('events')
class Events:
    """Pipeline stage: ``doc.events`` from trigger lexicons, the learned trigger heads and
    the entity mentions.

    ``learned``: False for the lexicons alone. ``heads``, ``merge``, ``modality_head``:
    other heads or settings than ``models/events-xx``'s (training compares them);
    ``model_dir``: another events model folder; ``ner_options``: the NER backends' options
    (the transformer's folder). The heads read the states of the NER stage's transformer
    pass; a document no transformer pass read (Indonesian, whose NER is the spaCy CNN;
    ``--ner spacy,gazetteer``) gets the lexicons alone, unless ``encode``: then the
    transformer's encoder reads it here (one more model pass: all stages 6.6 times slower
    for Indonesian, measured)."""

    name = "events"
    # the claims: an event inside what someone said is `reported`, and a reporting cue
    # ends the clause before it (so running events before claims is refused)
    requires = ("sentences", "tokens", "mentions", "entities", "claims")
    assigns = ("events",)

    def __init__(self, learned: bool = True, model_dir: str | None = None,
                 ner_options: dict[str, dict[str, Any]] | None = None,
                 heads: EventHeads | None = None, merge: str | None = None,
                 modality_head: bool | None = None, encode: bool = False,
                 arguments: str | None = None) -> None:
        from pathlib import Path

        self.ner_options = ner_options or {}
        if heads is None and learned:
            heads = load_heads(Path(model_dir) if model_dir else None, self.ner_options)
        self.heads = heads if learned else None
        info = self.heads.info if self.heads is not None else {}
        self.merge = (merge or info.get("merge", "lexicon")) if self.heads else "lexicon"
        self.modality_head = bool(self.heads is not None and self.heads.modality is not None
                                  and (info.get("modality_head", False) if modality_head is None
                                       else modality_head))
        # how the argument head's arguments join the rules' (`event_args.merge_arguments`)
        self.arguments = (arguments or self.heads.argument_merge) if self.heads is not None \
            and self.heads.args is not None else "rules"
        self.states = StatesReader(self.ner_options, encode)
        # take the states out of the document's cache: no later stage reads them
        # (`stage_registry.wire_states` clears it when one does)
        self.pop_states = True

    @property
    def reads_states(self) -> bool:
        """Whether the stage reads the encoder's hidden states (the NER stage keeps them)."""
        return self.heads is not None and (self.merge != "lexicon" or self.modality_head
                                           or self.arguments != "rules")

    def __call__(self, doc: Document) -> Document:
        lang = doc.lang or "und"
        triggers = phrase_table(lang, "events.tsv")
        doc.events = []
        states = (self.states(doc, self.heads.layer, pop=self.pop_states)  # type: ignore[union-attr]
                  if self.reads_states and doc.tokens else None)
        heads = self.heads if states is not None else None
        use_lexicon = self.merge != "learned" or heads is None
        use_learned = heads is not None and self.merge != "lexicon"
        if not (triggers and use_lexicon) and not use_learned or not doc.tokens:
            return doc
        doc.extractors["events"] = (f"{heads.version} + lintas-lexicons 1" if heads is not None
                                    else "lintas-lexicons 1")
        cues = phrase_table(lang, "modality.tsv")
        # what people are quoted or reported as saying, sorted: found by bisection
        said = sorted((c for c in doc.claims if c.kind != "factual"),
                      key=lambda c: c.content.start)
        said_starts = [c.content.start for c in said]
        # a reporting cue and the statement it introduces end the clause before them
        claim_marks = sorted({x for c in doc.claims if c.kind != "factual"
                              for x in ((c.cue.start,) if c.cue else ()) + (c.content.start,
                                                                           c.content.end)})
        words_of = grammar(lang)
        purposes = words_of.get("purpose", frozenset())
        units = phrase_table(lang, "quantities.tsv") or None
        commodities = phrase_table(lang, "commodities.tsv", shared=True)
        published = parse_published(doc.published)
        ents = mention_entities(doc)
        text = doc.text
        starts, ends = doc.token_offsets
        mention_starts = [m.start for m in doc.mentions]
        tokens = doc.token_offsets
        lower = tokens.lower
        # The story's last full date before the current sentence, for events without a
        # time of their own. Sentences are searched for it only when an event needs it,
        # newest first: `undated` holds those after `last_date`'s not yet searched.
        last_date = None
        undated: list[Span] = []

        def story_date() -> Any:
            nonlocal last_date
            for before in reversed(undated):
                found = _last_full_date(find_times(text, before.start, before.end, lang,
                                                   published))
                if found is not None:
                    last_date = found
                    break
            undated.clear()
            return last_date

        for sent in doc.sentences:
            if doc.is_masked(sent.start, sent.end):
                continue
            a, b = bisect.bisect_left(starts, sent.start), bisect.bisect_left(starts, sent.end)
            if a >= b:
                continue
            hits = list(triggers.find(tokens, a, b)) if triggers else []
            # (``heads`` is not None exactly when ``states`` is not None)
            read = states.sentence(sent.start, sent.end) \
                if heads is not None and states is not None else None
            learned: dict[int, float] = {}  # id(hit) -> the head's probability
            if use_learned and heads is not None and read is not None:
                hits, learned = _merge(hits, heads, read, text, sent, starts, ends, self.merge)
            elif not use_lexicon:
                hits = []
            if not hits:
                undated.append(sent)
                continue
            words = lower[a:b]
            names = doc.mentions[bisect.bisect_left(mention_starts, sent.start):
                                 bisect.bisect_left(mention_starts, sent.end)]
            inside = [(m.start, m.end) for m in names]
            goods = list(commodities.find(tokens, a, b))
            good_spans = tuple((g.start, g.end) for g in goods)
            bounds = clause_bounds(text, starts, a, b, words, sent, words_of)
            asides = [m.span() for m in ASIDE.finditer(text, sent.start, sent.end)]
            lo_mark = bisect.bisect_left(claim_marks, sent.start)
            bounds = sorted(bounds + claim_marks[lo_mark:bisect.bisect_left(claim_marks, sent.end)])
            seen: set[tuple[str | int | None, ...]] = set()
            sent_events: list[Event] = []
            # the sentence's time expressions, once
            sent_times: dict[bool, list[TimeExpression]] = {}
            for hit in hits:
                if any(s <= hit.start < e for s, e in inside):
                    continue  # "Amerika Serikat" is a name, not an alliance
                event_type, mode, kind = (list(hit.value) + ["", "", ""])[:3]
                if not event_type:
                    continue
                feats = None
                if read is not None and (id(hit) in learned and not mode or self.modality_head):
                    feats = pooled(read[1], read[0], hit.start - sent.start,
                                   hit.end - sent.start)
                if id(hit) in learned and not mode:
                    # a learned hit: the heads read the sentence and pooled its features
                    assert heads is not None and feats is not None
                    mode = heads.predict_mode(feats, event_type) or ""
                # a learned trigger is an event of its own; lexicon phrases of one type and
                # mode in a sentence are one event
                key = (event_type, mode or None) + ((hit.start,) if id(hit) in learned else ())
                if key in seen:
                    continue
                seen.add(key)
                k = bisect.bisect_right(said_starts, hit.start) - 1
                reported = k >= 0 and hit.start < said[k].content.end
                lo, hi = clause_around(bounds, hit.start, hit.end, sent)
                modality = _modality(words, hit.first - a, cues, reported,
                                     bisect.bisect_left(starts, lo) - a,
                                     hit.last + 1 - a if kind == "noun" else None,
                                     heads.predict_modality(feats)  # type: ignore[union-attr]
                                     if self.modality_head and feats is not None else None)
                ev = Event(event_type, mode or None, Span(hit.start, hit.end),
                           Span(sent.start, sent.end), modality=modality)
                k0 = hit.first - a  # "untuk membahas", "за да обсъди"
                purpose = bool(purposes) and any(
                    " ".join(words[max(0, k0 - n):k0]) in purposes for n in (1, 2, 3))
                ev.arguments = clause_arguments(text, hit.start, hit.end,
                                          [m for m in names if lo <= m.start and m.end <= hi
                                           and not any(a <= m.start < b for a, b in asides)],
                                          ents, sent, words_of, noun=kind == "noun",
                                          mode=mode, purpose=purpose, units=units,
                                          goods=good_spans,
                                          subject=subject_word(
                                              said[k] if reported else None, words_of, lower,
                                              starts, ends, lo, hit.start, text, doc.mentions,
                                              mention_starts, ents))
                if purpose and sent_events:
                    # "akan bertemu … untuk membahas": the purpose has the actors and the
                    # plan of the event it serves
                    served = [x for x in sent_events[-1].arguments if x.role == "actor"]
                    if served:
                        ev.arguments = served + [x for x in ev.arguments if x.role != "actor"]
                    if ev.modality == "asserted" and sent_events[-1].modality in (
                            "planned", "hypothetical"):
                        ev.modality = sent_events[-1].modality
                kinds: set[str] = set()
                for g in goods:  # each commodity once; not a word of a name ("Oil Price")
                    if not lo <= g.start < hi:
                        continue
                    if g.value and g.value[0] not in kinds and not any(
                            s <= g.start < e for s, e in inside):
                        kinds.add(g.value[0])
                        ev.arguments.append(Argument("commodity", g.start, g.end,
                                                     text[g.start:g.end], key=g.value[0]))
                if self.arguments != "rules" and read is not None:
                    ev.arguments = self._learned_arguments(ev.arguments, heads, read, text,
                                                           sent, hit, names, ents, goods)
                future = modality == "planned"
                if future not in sent_times:
                    sent_times[future] = find_times(text, sent.start, sent.end, lang,
                                                    published, future=future)
                times = sent_times[future]
                t = times[0] if times else story_date()
                inherited = not times and t is not None
                if t is not None:
                    ev.time_text, ev.time_value, ev.time_span = t.text, t.value, Span(t.start, t.end)
                # a learned trigger without a lexicon phrase: 0.3 to 0.5 by its probability
                base = 0.3 + 0.2 * learned[id(hit)] if id(hit) in learned else 0.5
                ev.confidence = round(base + 0.15 * any(x.role == "actor" for x in ev.arguments)
                                      + 0.1 * any(x.role in ("counterpart", "location")
                                                  for x in ev.arguments)
                                      - 0.05 * inherited, 3)
                doc.events.append(ev)
                sent_events.append(ev)
            if False not in sent_times:
                undated.append(sent)
            elif (found := _last_full_date(sent_times[False])) is not None:
                last_date = found
                undated.clear()
        return doc


    def _learned_arguments(self, rules: list[Argument], heads: Any, read: tuple[Any, Any],
                           text: str, sent: Span, hit: Any, names: list[Mention],
                           ents: dict[tuple[int, int], Entity],
                           goods: list[PhraseMatch]) -> list[Argument]:
        """The event's arguments with the argument head's, as ``self.arguments`` says; a
        head's span that is a name of the document points at its entity, a commodity span
        takes the key of the first vocabulary commodity inside it (``goods``)."""
        enc, x = read
        found = heads.arguments(text[sent.start:sent.end], enc, x, hit.start - sent.start,
                                hit.end - sent.start)
        learned: list[tuple[str, int, int]] = []
        for s, e, role in found:
            if role in OWN_FIELD:
                continue
            s, e = sent.start + s, sent.start + e
            # a name the span overlaps is the argument (the guideline: a named participant
            # is its name, "Cove" of "Cove Capital" too), and points at its entity
            touched = [(m.start, m.end) for m in names if m.start < e and s < m.end]
            if touched:
                s, e = max(touched, key=lambda k: (k[1] - k[0], -k[0]))
            if not any(s == a and e == b for _, a, b in learned):  # pieces of one name: once
                learned.append((role, s, e))
        by_span = {(a.role, a.start, a.end): a for a in rules}
        out = []
        for role, s, e in merge_arguments([(a.role, a.start, a.end) for a in rules], learned,
                                          self.arguments):
            key = next((g.value[0] for g in goods if g.value and s <= g.start and g.end <= e),
                       None) if role == "commodity" else None
            out.append(by_span.get((role, s, e))
                       or Argument(role, s, e, text[s:e], ents.get((s, e)), key))
        return out


def _merge(lexicon: list[PhraseMatch], heads: EventHeads, read: tuple[Any, Any], text: str,
           sent: Span, starts: Sequence[int], ends: Sequence[int],
           merge: str) -> tuple[list[PhraseMatch], dict[int, float]]:
    """The sentence's hits: ``lexicon`` hits (left out with ``merge`` "learned", where they
    still lend their modes) and the heads' triggers combined by ``merge``, in text order, and for each learned hit (by ``id``) its probability. A learned trigger
    takes the mode and noun mark of a lexicon hit on the same words of its type (the noun
    mark of any lexicon hit on them); its token range is the document tokens it covers."""
    enc, x = read
    out = list(lexicon) if merge != "learned" else []
    learned: dict[int, float] = {}
    for t in heads.triggers(text[sent.start:sent.end], enc, x):
        s, e = sent.start + t.start, sent.start + t.end
        over = [h for h in lexicon if h.start < e and s < h.end]
        same = [h for h in over if (list(h.value) + [""])[0] == t.event_type]
        if merge == "lexicon_first" and over:
            continue
        if merge != "learned" and any(h.start == s and h.end == e for h in same):
            continue  # the lexicon's hit already
        first = bisect.bisect_left(starts, s)
        last = max(first, bisect.bisect_left(starts, e) - 1)
        if first >= len(starts) or ends[last] > sent.end:
            continue
        lex = (list(same[0].value) if same else []) + ["", "", ""]
        kind = lex[2] or next((h.value[2] for h in over if len(h.value) > 2 and h.value[2]), "")
        hit = PhraseMatch(first, last, s, e, "", (t.event_type, lex[1], kind))
        learned[id(hit)] = t.prob
        out.append(hit)
    out.sort(key=lambda h: (h.start, h.end))
    return out, learned


def _last_full_date(times: list[Any]) -> Any:
    """The last of ``times`` that is a full date (the day later sentences of the story
    still speak of), else None."""
    last = None
    for t in times:
        if t.value and len(t.value) == 10:
            last = t
    return last


