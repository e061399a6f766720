"""One document's events (the `events` stage): what the stage reads once per document (the
lexicons, what people are said to say, the names, the commodities, the encoder's states),
the sentences in order, and the event each trigger makes with its arguments, modality,
time and confidence. The rules are described in `pipeline.stages.events`."""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from pipeline.core.document import Document, Mention, Span
from pipeline.learned.event_args import OWN_FIELD, merge_arguments
from pipeline.learned.event_features import pooled
from pipeline.learned.events_learned import DocStates, EventHeads
from pipeline.lexicon.lexicons import grammar
from pipeline.stages.event_clauses import (ASIDE, Argument, Clauses, clause_arguments,
                                           clause_around, clause_bounds)
from pipeline.stages.relations import mention_entities
from pipeline.text.docview import person_mention_before
from pipeline.text.dates import TimeExpression, find_times, parse_published
from pipeline.text.phrases import PhraseIndex, PhraseMatch, phrase_table

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


class Settings(Protocol):
    """What `DocumentEvents` reads of the stage's settings (`pipeline.stages.events.Events`)."""

    merge: str
    modality_head: bool
    arguments: str


@dataclass
class _Sentence:
    """One sentence as its triggers read it."""

    span: Span
    first: int  # its tokens: [first, end)
    end: int
    words: list[str]  # its tokens, lower case
    names: list[Mention]
    inside: list[tuple[int, int]]  # the names' spans: a trigger or commodity there is a name's word
    goods: list[PhraseMatch]  # commodity words
    clauses: Clauses
    bounds: list[int]  # where a clause ends or begins
    asides: list[tuple[int, int]]  # in brackets
    read: tuple[Any, Any] | None  # the encoder's tokens and states, when the heads read them
    learned: dict[int, float]  # id(hit) -> the head's probability, for learned hits
    seen: set[tuple[str | int | None, ...]] = field(default_factory=set)
    events: list[Event] = field(default_factory=list)
    times: dict[bool, list[TimeExpression]] = field(default_factory=dict)  # by `future`


def trigger_sources(merge: str, heads: EventHeads | None) -> tuple[bool, bool]:
    """Whether the lexicons and whether the heads give triggers, by the ``merge`` setting
    (``heads`` None: the document's states are not read, so the lexicons alone)."""
    return merge != "learned" or heads is None, heads is not None and merge != "lexicon"


class DocumentEvents:
    """The events of one document, found sentence by sentence (`run`)."""

    def __init__(self, doc: Document, settings: Settings, triggers: PhraseIndex,
                 heads: EventHeads | None, states: DocStates | None) -> None:
        self.doc, self.settings, self.triggers = doc, settings, triggers
        self.heads = heads  # not None exactly when `states` is not None
        self.states = states
        self.use_lexicon, self.use_learned = trigger_sources(settings.merge, heads)
        self.lang = lang = doc.lang or "und"
        # the heads' trigger threshold for this document's language, looked up once
        self.threshold = heads.threshold_for(lang) if heads is not None else None
        self.cues = phrase_table(lang, "modality.tsv")
        # what people are quoted or reported as saying, sorted: found by bisection
        self.said = sorted((c for c in doc.claims if c.kind != "factual"),
                           key=lambda c: c.content.start)
        self.said_starts = [c.content.start for c in self.said]
        # a reporting cue and the statement it introduces end the clause before them
        self.claim_marks = sorted({x for c in doc.claims if c.kind != "factual"
                                   for x in ((c.cue.start,) if c.cue else ())
                                   + (c.content.start, c.content.end)})
        self.words_of = grammar(lang)
        self.purposes = self.words_of.get("purpose", frozenset())
        self.units = phrase_table(lang, "quantities.tsv") or None
        self.commodities = phrase_table(lang, "commodities.tsv", shared=True)
        self.published = parse_published(doc.published)
        self.ents = mention_entities(doc)
        self.text = doc.text
        self.tokens = doc.token_offsets
        self.starts, self.ends = self.tokens
        self.lower = self.tokens.lower
        self.mention_starts = [m.start for m in doc.mentions]
        # The story's last full date before the current sentence, for events without a
        # time of their own. Sentences are searched for it only when an event needs it,
        # newest first: `undated` holds those after `last_date`'s not yet searched.
        self.last_date: Any = None
        self.undated: list[Span] = []

    def run(self) -> list[Event]:
        """The document's events, in sentence order."""
        out: list[Event] = []
        for sent in self.doc.sentences:
            if self.doc.is_masked(sent.start, sent.end):
                continue
            out.extend(self._sentence_events(sent))
        return out

    def _story_date(self) -> Any:
        for before in reversed(self.undated):
            found = _last_full_date(find_times(self.text, before.start, before.end, self.lang,
                                               self.published))
            if found is not None:
                self.last_date = found
                break
        self.undated.clear()
        return self.last_date

    def _hits(self, sent: Span, a: int, b: int,
              read: tuple[Any, Any] | None) -> tuple[list[PhraseMatch], dict[int, float]]:
        """The sentence's trigger hits, lexicon and learned as the merge says."""
        hits = list(self.triggers.find(self.tokens, a, b)) if self.triggers else []
        if self.use_learned and self.heads is not None and read is not None:
            return _merge(hits, self.heads, read, self.text, sent, self.starts, self.ends,
                          self.settings.merge, self.threshold)
        return (hits if self.use_lexicon else []), {}

    def _sentence_events(self, span: Span) -> list[Event]:
        starts, text = self.starts, self.text
        a, b = bisect.bisect_left(starts, span.start), bisect.bisect_left(starts, span.end)
        if a >= b:
            return []
        read = self.states.sentence(span.start, span.end) \
            if self.heads is not None and self.states is not None else None
        hits, learned = self._hits(span, a, b, read)
        if not hits:
            self.undated.append(span)
            return []
        words = self.lower[a:b]
        ms = self.mention_starts
        lo_mark = bisect.bisect_left(self.claim_marks, span.start)
        goods = list(self.commodities.find(self.tokens, a, b))
        names = self.doc.mentions[bisect.bisect_left(ms, span.start):
                                  bisect.bisect_left(ms, span.end)]
        sent = _Sentence(
            span, a, b, words,
            names=names, inside=[(m.start, m.end) for m in names],
            goods=goods,
            clauses=Clauses(text, span, self.ents, self.words_of, self.units,
                            tuple((g.start, g.end) for g in goods)),
            bounds=sorted(clause_bounds(text, starts, a, b, words, span, self.words_of)
                          + self.claim_marks[lo_mark:bisect.bisect_left(self.claim_marks,
                                                                        span.end)]),
            asides=[m.span() for m in ASIDE.finditer(text, span.start, span.end)],
            read=read, learned=learned)
        for hit in hits:
            ev = self._event(hit, sent)
            if ev is not None:
                sent.events.append(ev)
        if False not in sent.times:
            self.undated.append(span)
        elif (found := _last_full_date(sent.times[False])) is not None:
            self.last_date = found
            self.undated.clear()
        return sent.events

    def _event(self, hit: PhraseMatch, sent: _Sentence) -> Event | None:
        """The event ``hit`` starts, or None (inside a name, no type, or one more trigger
        of an event the sentence has)."""
        text, starts, words, names = self.text, self.starts, sent.words, sent.names
        a, span, read, learned = sent.first, sent.span, sent.read, sent.learned
        inside = sent.inside
        if any(s <= hit.start < e for s, e in inside):
            return None  # "Amerika Serikat" is a name, not an alliance
        event_type, mode, kind = (list(hit.value) + ["", "", ""])[:3]
        if not event_type:
            return None
        feats = None
        if read is not None and (id(hit) in learned and not mode or self.settings.modality_head):
            feats = pooled(read[1], read[0], hit.start - span.start, hit.end - span.start)
        if id(hit) in learned and not mode:
            # a learned hit: the heads read the sentence and pooled its features
            assert self.heads is not None and feats is not None
            mode = self.heads.predict_mode(feats, event_type) or ""
        # a learned trigger is an event of its own; lexicon phrases of one type and mode in
        # a sentence are one event
        key = (event_type, mode or None) + ((hit.start,) if id(hit) in learned else ())
        if key in sent.seen:
            return None
        sent.seen.add(key)
        k = bisect.bisect_right(self.said_starts, hit.start) - 1
        reported = k >= 0 and hit.start < self.said[k].content.end
        lo, hi = clause_around(sent.bounds, hit.start, hit.end, span)
        modality = _modality(words, hit.first - a, self.cues, reported,
                             bisect.bisect_left(starts, lo) - a,
                             hit.last + 1 - a if kind == "noun" else None,
                             self.heads.predict_modality(feats)  # type: ignore[union-attr]
                             if self.settings.modality_head and feats is not None else None)
        ev = Event(event_type, mode or None, Span(hit.start, hit.end), Span(span.start, span.end),
                   modality=modality)
        k0 = hit.first - a  # "untuk membahas", "за да обсъди"
        purpose = bool(self.purposes) and any(
            " ".join(words[max(0, k0 - n):k0]) in self.purposes for n in (1, 2, 3))
        ev.arguments = clause_arguments(
            sent.clauses, hit.start, hit.end,
            [m for m in names if lo <= m.start and m.end <= hi
             and not any(x <= m.start < y for x, y in sent.asides)],
            noun=kind == "noun", mode=mode, purpose=purpose,
            subject=self._subject(self.said[k] if reported else None, lo, hit.start))
        if purpose and sent.events:
            # "akan bertemu … untuk membahas": the purpose has the actors and the plan of
            # the event it serves
            served = [x for x in sent.events[-1].arguments if x.role == "actor"]
            if served:
                ev.arguments = served + [x for x in ev.arguments if x.role != "actor"]
            if ev.modality == "asserted" and sent.events[-1].modality in (
                    "planned", "hypothetical"):
                ev.modality = sent.events[-1].modality
        kinds: set[str] = set()
        for g in sent.goods:  # each commodity once; not a word of a name ("Oil Price")
            if not lo <= g.start < hi:
                continue
            if g.value and g.value[0] not in kinds and not any(
                    s <= g.start < e for s, e in inside):
                kinds.add(g.value[0])
                ev.arguments.append(Argument("commodity", g.start, g.end,
                                             text[g.start:g.end], key=g.value[0]))
        if self.settings.arguments != "rules" and read is not None and self.heads is not None:
            ev.arguments = self._learned_arguments(ev.arguments, self.heads, read, span, hit,
                                                   names, sent.goods)
        inherited = self._time(ev, sent, future=modality == "planned")
        # a learned trigger without a lexicon phrase: 0.3 to 0.5 by its probability
        base = 0.3 + 0.2 * learned[id(hit)] if id(hit) in learned else 0.5
        ev.confidence = round(base + 0.15 * any(x.role == "actor" for x in ev.arguments)
                              + 0.1 * any(x.role in ("counterpart", "location")
                                          for x in ev.arguments)
                              - 0.05 * inherited, 3)
        return ev

    def _subject(self, claim: Any, lo: int, t_start: int) -> Argument | None:
        """The last pronoun before a trigger at ``t_start`` in its clause (from ``lo``), as
        an actor standing for what it refers to, as the corpus guideline takes it: a
        pronoun (grammar.tsv's ``pronoun``: "dia", "он", "he") stands for the last person
        named before it; in what ``claim`` reports, a word for the speaker's side
        (``self``: "pihaknya", "мы", "we") stands for the claim's speaker. None when the
        clause has neither."""
        words_of, lower, starts, ends, text = (self.words_of, self.lower, self.starts,
                                                self.ends, self.text)
        pronouns = words_of.get("pronoun", frozenset())
        selves = words_of.get("self", frozenset()) if claim is not None else frozenset()
        if not pronouns and not selves:
            return None
        first = max(lo, claim.content.start) if claim is not None else lo
        a, b = bisect.bisect_left(starts, first), bisect.bisect_left(starts, t_start)
        for k in range(b - 1, a - 1, -1):
            word = lower[k]
            if word in selves:
                entity = claim.speaker_entity
            elif word in pronouns and text[starts[k]:ends[k]].isalpha():
                m = person_mention_before(self.doc.mentions, self.mention_starts,
                                          starts[k])
                entity = self.ents.get((m.start, m.end)) if m is not None else None
            else:
                continue
            return Argument("actor", starts[k], ends[k], text[starts[k]:ends[k]], entity)
        return None

    def _time(self, ev: Event, sent: _Sentence, future: bool) -> bool:
        """Set ``ev``'s time: the sentence's first time expression (read as a future one
        for a planned event), else the story's last full date; True when inherited."""
        if future not in sent.times:
            sent.times[future] = find_times(self.text, sent.span.start, sent.span.end,
                                            self.lang, self.published, future=future)
        times = sent.times[future]
        t = times[0] if times else self._story_date()
        if t is not None:
            ev.time_text, ev.time_value, ev.time_span = t.text, t.value, Span(t.start, t.end)
        return not times and t is not None

    def _learned_arguments(self, rules: list[Argument], heads: EventHeads,
                           read: tuple[Any, Any], sent: Span, hit: PhraseMatch,
                           names: list[Mention], goods: list[PhraseMatch]) -> list[Argument]:
        """The event's arguments with the argument head's, as the stage's ``arguments``
        setting says; a head's span that is a name of the document points at its entity, a
        commodity span takes the key of the first vocabulary commodity inside it
        (``goods``)."""
        text, ents = self.text, self.ents
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
                                          self.settings.arguments):
            key = next((g.value[0] for g in goods if g.value and s <= g.start and g.end <= e),
                       None) if role == "commodity" else None
            out.append(by_span.get((role, s, e))
                       or Argument(role, s, e, text[s:e], ents.get((s, e)), key))
        return out


def _merge(lexicon: list[PhraseMatch], heads: EventHeads, read: tuple[Any, Any], text: str,
           sent: Span, starts: Sequence[int], ends: Sequence[int],
           merge: str, threshold: float | None = None
           ) -> tuple[list[PhraseMatch], dict[int, float]]:
    """The sentence's hits: ``lexicon`` hits (left out with ``merge`` "learned", where they
    still lend their modes) and the heads' triggers combined by ``merge``, in text order, and for each learned hit (by ``id``) its probability. A learned trigger
    takes the mode and noun mark of a lexicon hit on the same words of its type (the noun
    mark of any lexicon hit on them); its token range is the document tokens it covers.
    ``threshold``: the heads' trigger threshold for the document's language."""
    enc, x = read
    out = list(lexicon) if merge != "learned" else []
    learned: dict[int, float] = {}
    for t in heads.triggers(text[sent.start:sent.end], enc, x, threshold):
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


