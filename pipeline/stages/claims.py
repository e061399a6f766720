"""The `claims` stage: attributed statements and unattributed factual claims.

Three kinds, with lexicons under ``models/lexicons/LANG/``: ``claim_cues.tsv`` (reporting
verbs and phrases; ``source`` marks "menurut", "според", "according to"),
``grammar.tsv`` (complementizers: "bahwa", "че", "that") and ``quantities.tsv`` (units that make a number a quantity, and
ranking phrases):

- ``direct``: a quotation ("…", “…”, „…“, «…») with a cue right after it (",” kata Peskov",
  "“…” – заяви Рубио") or right before it ("Peskov mengatakan: “…”");
- ``reported``: a cue with a speaker before it and the statement after it ("Tokayev
  mengatakan bahwa …", "Рубио заяви, че …"), a statement then ", kata X", or "menurut X,
  …" / "според X …" / "according to X, …";
- ``factual``: a sentence with no speaker that states a quantity or a ranking about a
  name of the document ("lebih dari 80 persen minyak Kazakhstan diekspor melalui Rusia",
  "peringkat pertama dalam uranium").

The speaker is the name (entity) next to the cue; when the text names no one but
describes them ("kata menteri energi Kazakhstan"), the speaker keeps that text and has no
entity.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable

from pipeline.learned.claims_learned import ClaimHeads, load_claim_heads
from pipeline.text.docview import DocView, person_mention_before
from pipeline.core.document import Document, Entity, Mention, Span
from pipeline.learned.events_learned import DocStates, StatesReader
from pipeline.lexicon.lexicons import grammar, settings
from pipeline.text.names import fold
from pipeline.text.phrases import PhraseIndex, phrase_list, phrase_table
from pipeline.stages.relations import mention_entities
from pipeline.core.stage_registry import register_stage

_QUOTES = re.compile(r"“([^”“\n]{8,3000})”|\"([^\"\n]{8,3000})\"|„([^“”\n]{8,3000})[“”]"
                     r"|«([^»\n]{8,3000})»")
_NUMBER = re.compile(r"\d")
SPEAKER_WINDOW = 6  # tokens after a cue in which the speaker's name may start
DESCRIPTION_WORDS = 8  # words kept for a speaker described rather than named
RELATIVE_WINDOW = 25  # tokens a relative clause may span between a speaker and the cue
QUOTE_LOOKBACK = 3000  # characters before a content read for an open quotation mark (_QUOTES' longest)
INTRO_WINDOW = 14  # tokens after a cue in which "bahwa" / "че" / "that" opens the content
TAIL_WORDS = 5  # words after a closing cue that are still an adverbial ("in Astana on Tuesday")
_SENTENCE_PUNCT = re.compile(r"[.!?;\"“”„«»]")
_BETWEEN_NAMES = " \t\n,.;:\"“”„«»"  # what may stand between the names of a names-only content
# an opening quotation mark -> the marks that may close it
_CLOSERS = {"«": "»", "“": "”", "„": "“”", "\"": "\"", "‘": "’"}


@dataclass
class Claim:
    """One statement: who (if anyone), the cue word, what."""

    kind: str
    content: Span
    speaker: Span | None = None
    speaker_entity: Entity | None = None
    cue: Span | None = None
    confidence: float = 0.5


@register_stage('claims')
class Claims:
    """Pipeline stage: ``doc.claims`` from quotations, reporting cues and quantities, and
    from the learned cue / speaker / content head (``models/claims-xx``,
    `pipeline.learned.claims_learned`) on the NER encoder's states.

    ``learned``: False for the lexicons alone. ``heads``, ``merge``, ``implicit_speaker``:
    another head or way of combining, or of finding a speaker no sentence names (training
    compares them; `_Finder.learned`); ``model_dir``: another claims model folder;
    ``ner_options``: the NER backends' options. The head reads the states of the NER
    stage's transformer pass (or, with ``encode``, a pass of its own); ``pop_states``:
    take them out of the document's cache (no later stage reads them)."""

    name = "claims"
    requires = ("sentences", "tokens", "mentions", "entities")
    assigns = ("claims",)

    def __init__(self, learned: bool = True, model_dir: str | None = None,
                 ner_options: dict[str, dict[str, Any]] | None = None,
                 heads: ClaimHeads | None = None, merge: str | None = None,
                 implicit_speaker: bool | None = None, encode: bool = False,
                 pop_states: bool = False) -> None:
        from pathlib import Path

        self.ner_options = ner_options or {}
        if heads is None and learned:
            heads = load_claim_heads(Path(model_dir) if model_dir else None, self.ner_options)
        self.heads = heads if learned else None
        self.merge = (merge or self.heads.merge) if self.heads is not None else "lexicon"
        self.implicit_speaker = bool(self.heads is not None and (
            self.heads.info.get("implicit_speaker", False) if implicit_speaker is None
            else implicit_speaker))
        # the model's choice per language (cross-validated on that language's train
        # documents), unless the caller chose a merge or the implicit speaker itself
        self.by_language: dict[str, dict[str, Any]] = (
            self.heads.info.get("by_language", {})
            if self.heads is not None and merge is None and implicit_speaker is None else {})
        self.states = StatesReader(self.ner_options, encode)
        self.pop_states = pop_states

    @property
    def reads_states(self) -> bool:
        """Whether the stage reads the encoder's hidden states (the NER stage keeps them)."""
        return self.heads is not None and (self.merge != "lexicon" or any(
            c["merge"] != "lexicon" for c in self.by_language.values()))

    def setting(self, lang: str) -> tuple[str, bool]:
        """The merge and implicit speaker for documents in ``lang``."""
        chosen = self.by_language.get(lang)
        if chosen is None:
            return self.merge, self.implicit_speaker
        return chosen["merge"], bool(chosen["implicit_speaker"])

    def __call__(self, doc: Document) -> Document:
        doc.claims = []
        if not doc.tokens or not doc.sentences:
            return doc
        lang = doc.lang or "und"
        merge, implicit_speaker = self.setting(lang)
        cues = phrase_table(lang, "claim_cues.tsv")
        states = (self.states(doc, self.heads.layer, self.pop_states)  # type: ignore[union-attr]
                  if self.reads_states and merge != "lexicon" else None)
        use_lexicon = bool(cues) and (merge != "learned" or states is None)
        if not use_lexicon and states is None:
            return doc
        finder = _Finder(doc, cues, phrase_table(lang, "quantities.tsv"), grammar(lang),
                         phrase_list(lang, "titles.txt"))
        # enclitics that are pronouns ("nya" of "katanya") may be a speaker of their own;
        # the others (Bulgarian articles, "lah") never are
        enclitics = tuple(e for e in settings(lang).get("enclitics", "").split()
                          if e in finder.pronouns)
        heads = self.heads  # not None where states are read (`reads_states`)
        learned: Callable[[], list[Claim]] = \
            (lambda: finder.learned(heads, states, enclitics, implicit_speaker)) \
            if states is not None and heads is not None else list
        lexicon: Callable[[], list[Claim]] = \
            (lambda: finder.direct() + finder.reported() + finder.factual()) \
            if use_lexicon else list
        # the claims found first keep their content; the others only where it is free
        first, then = (learned, lexicon) if merge in ("learned", "learned_first") \
            else (lexicon, learned)
        doc.claims = first() + then()
        doc.claims.sort(key=lambda c: (c.content.start, c.content.end))
        names = ([self.heads.version] if states is not None else []) + (  # type: ignore[union-attr]
            ["lintas-lexicons 1"] if use_lexicon else [])
        doc.extractors["claims"] = " + ".join(names)
        return doc


class _Finder(DocView):
    """`DocView` plus the claims found so far and the lexicons that find them."""

    def __init__(self, doc: Document, cues: PhraseIndex, quantities: PhraseIndex,
                 words_of: dict[str, frozenset[str]], titles: PhraseIndex | None = None) -> None:
        super().__init__(doc)
        self.cues = cues
        self.quantities = quantities
        none: frozenset[str] = frozenset()
        self.complementizers = words_of.get("complementizer", none)
        self.relative = words_of.get("relative", none)
        # words that start a place or time adverbial after a closing cue ("in Astana")
        self.prepositions = none.union(*(words_of.get(role, none)
                                         for role in ("locative", "origin", "time")))
        self.titles = titles
        self.ents = mention_entities(doc)
        self.taken: list[Span] = []  # content already claimed, sorted; overlapping only nested
        self.framed: list[int] = []  # where each claim's speaker, cue or content begins
        self.intro = self.complementizers | {":", ",", "–", "-", "—"}
        self.pronouns = words_of.get("pronoun", none)  # "dia", "он", "he": a person before

    def cue_at(self, i: int) -> tuple[int, int] | None:
        """(first, last) token of a reporting cue starting at token ``i``, else None."""
        if i >= len(self.starts):
            return None
        hit = self.cues.match_at(self.lower, i)
        return (i, i + hit[0] - 1) if hit else None

    def is_source_cue(self, first: int) -> bool:
        """A cue written before the speaker ("menurut X, …"): ``source`` in the lexicon."""
        hit = self.cues.match_at(self.lower, first)
        return bool(hit and hit[2] and hit[2][0] == "source")

    def speaker_after(self, last: int, limit: int) -> tuple[Span, Entity | None] | None:
        """The name starting within `SPEAKER_WINDOW` tokens after token ``last``, else the
        words that describe the speaker (up to punctuation)."""
        if last + 1 >= len(self.starts):
            return None
        lo = self.ends[last]
        k = bisect.bisect_left(self.mention_starts, lo)
        window_end = self.ends[min(len(self.starts) - 1, last + SPEAKER_WINDOW)]
        fallback = None
        while k < len(self.mentions) and self.mentions[k].start <= min(window_end, limit):
            m = self.mentions[k]
            gap = self.text[lo:m.start]
            if re.search(r"[.!?;:,\"“”„«»]", gap):
                break
            described = any(w[:1].islower() for w in gap.split())
            if m.label == "PER":
                # a person, maybe behind a title and its organisation ("Kremlin spokesman
                # Dmitry Peskov", "Juru Bicara Kremlin Dmitry Peskov"); a "person" followed
                # by lower-case words and a person is that person's organisation, mistagged
                nxt = self.mentions[k + 1] if k + 1 < len(self.mentions) else None
                between = self.text[m.end:nxt.start] if nxt is not None else ""
                if nxt is not None and nxt.label == "PER" and nxt.start <= window_end \
                        and between.split() and all(w[:1].islower() for w in between.split()):
                    m = nxt
                return Span(m.start, m.end), self.ents.get((m.start, m.end))
            if fallback is None and ((not described and m.label == "ORG") or not gap.strip()):
                fallback = m  # an organisation speaks, unless a person follows
            k += 1  # "menteri energi Kazakhstan": a description; a person may still follow
        if fallback is not None:
            return Span(fallback.start, fallback.end), self.ents.get((fallback.start, fallback.end))
        words: list[int] = []
        i = last + 1
        while i < len(self.starts) and len(words) < DESCRIPTION_WORDS and self.starts[i] < limit:
            w = self.word(i)
            if not any(c.isalnum() for c in w):
                break
            words.append(i)
            i += 1
        if not words:
            return None
        return Span(self.starts[words[0]], self.ends[words[-1]]), None

    def speaker_before(self, first: int) -> tuple[Span, Entity | None] | None:
        """The speaker of a cue at token ``first``: the name ending within three tokens
        before it, or a name followed by a relative clause that runs up to the cue ("Putin
        yang memulai kunjungannya …, mengatakan"). A place or organisation behind a title
        is a description ("menteri energi Kazakhstan"): its text, without an entity."""
        cue_start = self.starts[first]
        lo = self.starts[max(0, first - 3)]
        k = bisect.bisect_left(self.mention_starts, cue_start) - 1
        while k >= 0 and self.mentions[k].end > cue_start:
            k -= 1
        if k < 0:
            return None
        m = self.mentions[k]
        gap = self.text[m.end:cue_start]
        if m.end >= lo and not _SENTENCE_PUNCT.search(gap) and ("," not in gap or m.label == "PER"):
            # "X mengatakan", "X pada Senin mengatakan", "…, Yuri Ushakov, mengatakan"; not
            # "…dengan China, kata …", where the speaker follows the cue
            return self.described(m)
        # a relative clause between the speaker and the cue
        floor = self.starts[max(0, first - RELATIVE_WINDOW)]
        sent_start = self.sentence(cue_start).start
        while k >= 0 and self.mentions[k].start >= max(floor, sent_start):
            m = self.mentions[k]
            gap = self.text[m.end:cue_start]
            if _SENTENCE_PUNCT.search(gap):
                return None
            words = gap.replace(",", " ").split()
            if words and words[0].lower() in self.relative:
                return Span(m.start, m.end), self.ents.get((m.start, m.end))
            k -= 1
        return None

    def described(self, m: Mention) -> tuple[Span, Entity | None]:
        """``m`` as a speaker: itself, or with the title before it when ``m`` is a place
        or organisation ("Menteri Energi Kazakhstan": the minister, not the country)."""
        span, ent = Span(m.start, m.end), self.ents.get((m.start, m.end))
        if m.label == "PER" or not self.titles:
            return span, ent
        start = self.title_start(m.start)
        return (Span(start, m.end), None) if start < m.start else (span, ent)

    def cue_closes_sentence(self, last: int, b: int) -> bool:
        """Only punctuation, or a short adverbial that starts with a place or time word
        ("in Astana on Tuesday", "pada Senin"), follows token ``last`` up to token ``b``
        (the sentence's end): what was said is before the cue."""
        rest = [self.lower[k] for k in range(last + 1, b)
                if any(c.isalnum() for c in self.word(k))]
        if not rest:
            return True
        # an adverbial starts with a place or time preposition: "in Astana", not "Russia
        # would win" (what was said, after the cue)
        return len(rest) <= TAIL_WORDS and rest[0] in self.prepositions \
            and not any(self.word(k) in "“”\"„«»:" for k in range(last + 1, b))

    def comma_before(self, offset: int, floor: int) -> int | None:
        """The offset of a comma before ``offset`` with at most two lower-case words between
        ("…, the Kremlin"), not before ``floor``; else None."""
        k = self.token(offset) - 1
        gap = 0
        while k >= 0 and self.starts[k] >= floor and gap <= 2:
            w = self.word(k)
            if w == ",":
                return self.starts[k]
            if not w.islower():
                return None
            gap += 1
            k -= 1
        return None

    def title_start(self, offset: int) -> int:
        """Where a title written right before ``offset`` begins, with the place or
        organisation that qualifies it ("Presiden Turkmenistan"); else ``offset``."""
        if not self.titles:
            return offset
        i = self.token(offset)
        qualifier = self.owner.get(i - 1)
        if qualifier is not None and qualifier.label in ("LOC", "ORG"):
            i = self.token(qualifier.start)
        for j in range(max(0, i - 4), i):
            hit = self.titles.match_at(self.lower, j, i)
            if hit is not None and j + hit[0] == i:
                return self.starts[j]
        return offset

    def content_after(self, last: int, end: int) -> Span:
        """What a cue ending at token ``last`` reports, up to ``end``: from a complementizer
        within `INTRO_WINDOW` tokens ("mengatakan kepada wartawan pada hari Selasa, …,
        bahwa Putin …"), else right after the cue."""
        stop = min(len(self.starts), last + 1 + INTRO_WINDOW)
        for j in range(last + 1, stop):
            if self.starts[j] >= end or _SENTENCE_PUNCT.search(self.word(j)):
                break
            if self.lower[j] in self.complementizers:
                return Span(self.ends[j], end)
        return Span(self.ends[last], end)

    @cached_property
    def by_last_name(self) -> dict[str, list[Entity]]:
        """Persons and organisations of the document by their folded last word."""
        out: dict[str, list[Entity]] = {}
        for e in self.doc.entities:
            if e.label in ("PER", "ORG") and e.name.split():
                out.setdefault(fold(e.name.split()[-1]), []).append(e)
        return out

    def named(self, words: str) -> Entity | None:
        """The one person of the document whose last name ends ``words`` ("tulis Zheldibai")."""
        parts = words.split()
        if not parts or len(parts) > 2 or not parts[-1][:1].isupper():
            return None
        found = self.by_last_name.get(fold(parts[-1]), [])
        return found[0] if len(found) == 1 else None

    def free(self, span: Span, nest: bool = False) -> bool:
        """Whether ``span`` overlaps no content found before; with ``nest``, whether every
        content it overlaps lies wholly inside it (a relay: "X said Y, BTA reported")."""
        over = [t for t in self.taken if t.start < span.end and span.start < t.end]
        return not over or nest and all(span.start <= t.start and t.end <= span.end
                                        and t != span for t in over)

    def claim(self, kind: str, content: Span, cue: tuple[int, int] | Span | None,
              speaker: tuple[Span, Entity | None] | None, confidence: float,
              nest: bool = False) -> Claim | None:
        """A claim when its content, trimmed, has three words or more, lies outside
        boilerplate and overlaps no claim found before (with ``nest``: or holds those it
        overlaps whole, as an agency's attribution holds the statement it relays);
        ``cue``: its first and last token, or its span."""
        trimmed = _trim(self.text, content, self.intro)
        if trimmed is None or len(self.text[trimmed.start:trimmed.end].split()) < 3:
            return None
        content = trimmed
        if self.doc.is_masked(content.start, content.end) or not self.free(content, nest):
            return None
        bisect.insort(self.taken, content, key=lambda t: t.start)
        cue_span = cue if isinstance(cue, Span) or cue is None else \
            Span(self.starts[cue[0]], self.ends[cue[1]])
        sp, ent = speaker if speaker else (None, None)
        if sp is None and cue_span is not None:
            sp = self.pronoun_next_to(cue_span)  # "Он подчеркнул: «…»", "сказал он"
        first = min(x.start for x in (content, cue_span, sp) if x is not None)
        if sp is not None and first == sp.start:
            first = self.title_start(sp.start)  # "…, Presiden Serdar Berdimuhamedov … mengatakan"
        bisect.insort(self.framed, first)
        if sp is not None and ent is None:
            words = self.text[sp.start:sp.end]
            lead = words.split()[0] if words.split() else ""
            if lead.lower() in self.pronouns:
                # "сказал он журналистам", "kata dia kepada wartawan": the pronoun, standing
                # for the person named last before it
                sp = Span(sp.start + words.index(lead), sp.start + words.index(lead) + len(lead))
                ent = self.person_before(sp.start)
            else:
                ent = self.named(words)
        return Claim(kind, content, sp, ent, cue_span,
                     confidence + (0.1 if ent is not None else 0.0))

    # -- the three kinds ------------------------------------------------------------------
    def direct(self) -> list[Claim]:
        out = []
        for m in _QUOTES.finditer(self.text):
            g = next(i for i in range(1, 5) if m.group(i) is not None)
            content = Span(m.start(g), m.end(g))
            after = self.token(m.end())
            # skip the punctuation between the closing quote and the cue: ",” kata", "" – заяви"
            while after < len(self.starts) and not any(c.isalnum() for c in self.word(after)) \
                    and after - self.token(m.end()) < 3:
                after += 1
            cue = self.cue_at(after)
            speaker = None
            if cue is not None:
                sent = self.sentence(self.starts[cue[0]])
                speaker = self.speaker_after(cue[1], sent.end)
            elif after + 1 < len(self.starts) and self.lower[after] in self.pronouns \
                    and (hit := self.cue_at(after + 1)) is not None:
                # "“…,” she said.": a pronoun, then the cue
                cue = hit
                speaker = (Span(self.starts[after], self.ends[after]),
                           self.person_before(self.starts[after]))
            elif after < len(self.starts) and after in self.owner \
                    and self.owner[after].start == self.starts[after]:
                # "“…,” Satkaliyev said.": the speaker's name, then the cue
                named = self.owner[after]
                k = self.token(named.end)
                cue = self.cue_at(k)
                if cue is not None:
                    speaker = (Span(named.start, named.end), self.ents.get((named.start, named.end)))
            if cue is None:
                before = self.token(m.start()) - 1
                while before >= 0 and not any(c.isalnum() for c in self.word(before)) \
                        and self.token(m.start()) - before < 3:
                    before -= 1
                for first in range(max(0, before - 3), before + 1):
                    hit = self.cue_at(first)
                    if hit is not None and hit[1] == before:
                        cue = hit
                        speaker = self.speaker_before(first)
                        break
            if cue is None:
                continue
            c = self.claim("direct", content, cue, speaker, 0.75)
            if c:
                out.append(c)
        return out

    def reported(self) -> list[Claim]:
        out = []
        for sent in self.doc.sentences:
            a, b = self.token(sent.start), self.token(sent.end)
            hits = list(self.cues.find(self.tokens, a, b))
            # "X заяви, че …, предаде БТА.": a statement ends where an agency's relay begins
            relays = [self.starts[h.first - 1] for h in hits
                      if h.first > a + 2 and self.word(h.first - 1) == ","
                      and self.speaker_after(h.last, sent.end) is not None]
            for h in hits:  # "…, the Associated Press reported."
                who = self.speaker_before(h.first) if self.cue_closes_sentence(h.last, b) \
                    else None
                if who is not None and (comma := self.comma_before(
                        self.title_start(who[0].start), sent.start)) is not None:
                    relays.append(comma)
            for hit in hits:
                first, last = cue = (hit.first, hit.last)
                before = self.speaker_before(first)
                prev = self.word(first - 1) if first > a else ""
                claim = None
                if self.is_source_cue(first):
                    # "menurut X, CONTENT" / "CONTENT, according to X."
                    speaker = self.speaker_after(last, sent.end)
                    if speaker is not None:
                        comma = self.text.find(",", speaker[0].end, sent.end)
                        if first == a and comma > 0:
                            claim = self.claim("reported", Span(comma + 1, sent.end), cue,
                                               speaker, 0.6, nest=True)
                        elif first > a:
                            claim = self.claim("reported", Span(sent.start, self.starts[first]),
                                               cue, speaker, 0.6, nest=True)
                elif self.cue_closes_sentence(last, b) and (comma := self.comma_before(
                        self.title_start(before[0].start) if before else self.starts[first],
                        sent.start)) is not None \
                        and (before or comma + 2 < self.starts[first]):
                    # "CONTENT, the Kremlin said." / "…, SPEAKER reported." / "…, the
                    # ministry said." (a description: its words, without an entity)
                    who = before or (Span(self.starts[self.token(comma + 1)], self.ends[first - 1]), None)
                    claim = self.claim("reported", Span(sent.start, comma), cue, who, 0.6,
                                       nest=before is not None)
                elif before is not None and last + 1 < b:
                    # "SPEAKER mengatakan bahwa CONTENT"
                    end = min((r for r in relays if r > self.ends[last]), default=sent.end)
                    claim = self.claim("reported", self.content_after(last, end), cue,
                                       before, 0.6)
                elif prev in (",", "—", "–", "-") and first > a + 2:
                    # "CONTENT, kata SPEAKER." (also a relay: "X заяви, че Y, предаде БТА.")
                    speaker = self.speaker_after(last, sent.end)
                    claim = self.claim("reported", Span(sent.start, self.starts[first - 1]),
                                       cue, speaker, 0.6, nest=speaker is not None)
                if claim:
                    out.append(claim)
        return out

    def factual(self) -> list[Claim]:
        """Sentences, or the part of a sentence before someone's statement ("lebih dari 80
        persen minyak Kazakhstan diekspor … melalui Rusia, Putin … mengatakan …"), that state
        a quantity or a ranking about a name of the document."""
        out: list[Claim] = []
        if not self.quantities:
            return out
        for sent in self.doc.sentences:
            span = self.unclaimed_start(sent)
            if span is None:
                continue
            a, b = self.token(span.start), self.token(span.end)
            if b - a < 5:
                continue
            k = bisect.bisect_left(self.mention_starts, span.start)
            if k >= len(self.mentions) or self.mentions[k].start >= span.end:
                continue  # about nothing the document names
            words = self.lower
            found = False
            for hit in self.quantities.find(self.tokens, a, b):
                kind = hit.value[0] if hit.value else "unit"
                j = hit.first
                if kind == "ranking" or (j > a and _NUMBER.search(words[j - 1])):
                    found = True
                    break
            if found:
                c = self.claim("factual", span, None, None, 0.5)
                if c:
                    out.append(c)
        return out

    def learned(self, heads: ClaimHeads, states: DocStates, enclitics: tuple[str, ...],
                implicit_speaker: bool = False) -> list[Claim]:
        """Claims from the learned head, sentence by sentence. A content with no cue that
        opens a sentence continues the claim before when that claim's content ran to the
        end of its sentence (a quotation of several sentences). ``implicit_speaker``: a
        claim whose sentence names no speaker is the last person named before its cue's."""
        out: list[Claim] = []
        open_claim: Claim | None = None  # a claim whose content reached its sentence's end
        for sent in self.doc.sentences:
            got = states.sentence(sent.start, sent.end)
            if got is None:
                open_claim = None
                continue
            enc, x = got
            text = self.text[sent.start:sent.end]
            found = heads.claims(text, enc, x, enclitics, continuation=open_claim is not None)
            reached_end = None
            for lc in found:
                content = Span(sent.start + lc.content[0], sent.start + lc.content[1])
                if lc.cue is None:
                    if open_claim is not None and self._extend(open_claim, content):
                        reached_end = open_claim if self._runs_to_end(open_claim.content,
                                                                      sent) else None
                    continue
                cue = Span(sent.start + lc.cue[0], sent.start + lc.cue[1])
                speaker = self.learned_speaker(
                    Span(sent.start + lc.speaker[0], sent.start + lc.speaker[1])
                    if lc.speaker else None)
                if speaker is None:
                    # the head marked none: the rules' subject of the cue ("X mengumumkan
                    # bahwa …"), else the name after a cue that closes the content (session
                    # 12: speaker + content F1 +0.013 on train, +0.013 dev, +0.041 Czech)
                    first = self.token(cue.start)
                    last = self.last_token(cue.end)
                    speaker = self.speaker_before(first)
                    if speaker is None and content.end <= cue.start:
                        speaker = self.speaker_after(last, sent.end)
                if speaker is None and implicit_speaker:
                    # "заявил, что …" with no subject: the person named last before the cue
                    m = self.person_mention_before(cue.start)
                    speaker = (Span(m.start, m.end), self.ents.get((m.start, m.end))) \
                        if m is not None else None
                quote = self._quotation_at(content.start)
                if quote is not None and quote.start < cue.end and cue.start < quote.end:
                    quote = None  # the cue is inside: the quotation is no content of it
                if quote is not None:  # a quotation: what is inside its marks, whole
                    content = quote
                elif cue.end <= content.start:
                    content = self._from_complementizer(cue, content)
                kind = "direct" if quote is not None else "reported"
                if self._only_names(content):
                    continue  # names alone are no statement ("… Kassym-Jomart Tokayev")
                c = self.claim(kind, content, cue, speaker, 0.5 + 0.25 * lc.prob)
                if c is not None:
                    out.append(c)
                    if self._runs_to_end(c.content, sent):
                        reached_end = c
            open_claim = reached_end
        return out

    def _from_complementizer(self, cue: Span, content: Span) -> Span:
        """``content`` from right after the complementizer that follows ``cue`` when the
        head started it later, inside that clause ("mengumumkan bahwa pihaknya bersama …
        telah menandatangani nota kesepahaman tentang 'Kemitraan …'" read from
        'Kemitraan'): what the cue reports is the clause (the guideline), so that a
        pronoun at its start ("pihaknya") is inside the content, where the events stage
        reads it as the speaker; else ``content``."""
        last = self.last_token(cue.end)
        clause = self.content_after(last, content.end)
        if clause.start == self.ends[last] or clause.start >= content.start:
            return content  # no complementizer, or the head's content starts at it
        return _trim(self.text, clause, self.intro) or content

    def _only_names(self, content: Span) -> bool:
        """Every word of ``content`` inside a name (mentions only, such as "Kazakhtan
        Kassym-Jomart Tokayev" read as what Peskov "mengkonfirmasi")."""
        k = bisect.bisect_right(self.mention_starts, content.start) - 1
        covered, pos = False, content.start
        for m in self.mentions[max(0, k):]:
            if m.start >= content.end:
                break
            if m.end <= pos:
                continue
            if self.text[pos:m.start].strip(_BETWEEN_NAMES):
                return False  # a word between names
            covered, pos = True, max(pos, m.end)
        return covered and not self.text[pos:content.end].strip(_BETWEEN_NAMES)

    def _runs_to_end(self, content: Span, sent: Span) -> bool:
        """Only punctuation and quotation marks between ``content``'s end and the end of
        ``sent``."""
        return content.start >= sent.start and not any(
            ch.isalnum() for ch in self.text[content.end:sent.end])

    def _quotation_at(self, offset: int) -> Span | None:
        """The inside of the quotation ``offset`` lies in (from after its opening mark,
        spaces skipped, to its closing mark on the same line), else None. The head may
        start a quoted content a word or two late ("Presiden" of "“Presiden Kassym-Jomart
        Tokayev …,” tulis Zheldibai" left out): the guideline's content is the whole
        quotation. An opening mark right before ``offset`` opens one; otherwise the line
        before it is read (at most `QUOTE_LOOKBACK` characters), a mark counting as an
        opening one only where a word starts ("Shi‘ite", "Jum‘at", 12" open nothing)."""
        k = offset - 1
        while k >= 0 and self.text[k] in " \t":
            k -= 1
        if k >= 0 and self.text[k] in _CLOSERS:
            opened: int | None = k
        else:
            line_start = max(self.text.rfind("\n", 0, offset) + 1, offset - QUOTE_LOOKBACK)
            opened = None  # the offset of the mark still open at ``offset``
            for k in range(line_start, offset):
                ch = self.text[k]
                if opened is not None and ch in _CLOSERS[self.text[opened]]:
                    opened = None
                elif opened is None and ch in _CLOSERS and (
                        k == 0 or not self.text[k - 1].isalnum()):
                    opened = k
        if opened is None:
            return None
        line_end = self.text.find("\n", offset)
        line_end = len(self.text) if line_end < 0 else line_end
        ends = [self.text.find(c, offset, line_end) for c in _CLOSERS[self.text[opened]]]
        ends = [e for e in ends if e > offset]
        if not ends:
            return None
        start = opened + 1
        while start < offset and self.text[start] in " \t":
            start += 1
        return Span(start, min(ends))

    def _extend(self, claim: Claim, more: Span) -> bool:
        """``claim``'s content extended to the end of ``more`` (the next sentence), when
        what lies between is free."""
        grown = _trim(self.text, Span(claim.content.start, max(more.end, claim.content.end)),
                      self.intro)
        if grown is None or self.doc.is_masked(more.start, more.end):
            return False
        self.taken = [t for t in self.taken if t is not claim.content]
        if not self.free(grown):
            bisect.insort(self.taken, claim.content, key=lambda t: t.start)
            return False
        claim.content = grown
        bisect.insort(self.taken, grown, key=lambda t: t.start)
        return True

    def learned_speaker(self, span: Span | None) -> tuple[Span, Entity | None] | None:
        """A speaker the head marked: the name it overlaps (a person first); else its words
        (at most `DESCRIPTION_WORDS`; a longer span is a clause, no speaker), which `claim`
        resolves like the rules' speakers (a pronoun: "dia", "nya", "он")."""
        if span is None:
            return None
        k = bisect.bisect_left(self.mention_starts, span.end)
        inside = [m for m in self.mentions[max(0, k - 8):k]
                  if m.start < span.end and m.end > span.start]
        if inside:
            m = min(inside, key=lambda m: (m.label != "PER", m.start))
            return self.described(m)
        if len(self.text[span.start:span.end].split()) > DESCRIPTION_WORDS:
            return None
        return span, None

    def pronoun_next_to(self, cue: Span) -> Span | None:
        """A pronoun (grammar.tsv's ``pronoun``) right before or right after ``cue``."""
        i = self.token(cue.start)
        j = self.token(cue.end)
        for k in (i - 1, j):
            if 0 <= k < len(self.starts) and self.lower[k] in self.pronouns:
                return Span(self.starts[k], self.ends[k])
        return None

    def person_mention_before(self, offset: int) -> Mention | None:
        """The last mention of a person that ends before ``offset``, else None."""
        return person_mention_before(self.mentions, self.mention_starts, offset)

    def person_before(self, offset: int) -> Entity | None:
        """The entity of the last person named before ``offset`` (what a pronoun speaker
        stands for), else None."""
        m = self.person_mention_before(offset)
        return self.ents.get((m.start, m.end)) if m is not None else None

    def unclaimed_start(self, sent: Span) -> Span | None:
        """``sent``, or its part before the first claim in it (None when a claim starts
        it); content that is not free is never returned."""
        i = bisect.bisect_left(self.framed, sent.start)
        end = self.framed[i] if i < len(self.framed) and self.framed[i] < sent.end else sent.end
        span = Span(sent.start, end)
        return span if end > sent.start and self.free(span) else None


def _trim(text: str, span: Span, intro: frozenset[str]) -> Span | None:
    """``span`` without surrounding spaces, intro words and final punctuation."""
    s, e = span.start, span.end
    while s < e and (text[s].isspace() or text[s] in ",:–—-\"“”„«»"):
        s += 1
    while e > s and (text[e - 1].isspace() or text[e - 1] in ",:–—-\"“”„«»"):
        e -= 1
    for word in intro:
        if text[s:s + len(word) + 1].lower() == word + " ":
            s += len(word) + 1
            break
    return Span(s, e) if e > s else None
