"""What the claims stage reads around a reporting cue: the cue itself, the speaker before
or after it, a described speaker, the content after it, the quotation around an offset,
and the spans already claimed."""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from pipeline.core.document import Document, Entity, Mention, Span
from pipeline.text.docview import DocView, person_mention_before
from pipeline.text.short_forms import ShortForms, name_parts
from pipeline.text.phrases import PhraseIndex
from pipeline.stages.relations import mention_entities

SPEAKER_WINDOW = 6  # tokens after a cue in which the speaker's name may start
DESCRIPTION_WORDS = 8  # words kept for a speaker described rather than named
RELATIVE_WINDOW = 25  # tokens a relative clause may span between a speaker and the cue
QUOTE_LOOKBACK = 3000  # characters before a content read for an open quotation mark (claim_finder._QUOTES' longest)
INTRO_WINDOW = 14  # tokens after a cue in which "bahwa" / "че" / "that" opens the content
TAIL_WORDS = 5  # words after a closing cue that are still an adverbial ("in Astana on Tuesday")
_SENTENCE_PUNCT = re.compile(r"[.!?;\"“”„«»]")
# an opening quotation mark -> the marks that may close it
_CLOSERS = {"«": "»", "“": "”", "„": "“”", "\"": "\"", "‘": "’"}


class ClaimView(DocView):
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
    def by_last_name(self) -> ShortForms[Entity]:
        """Persons and organisations of the document by the words of their names."""
        return ShortForms((e, name_parts(e.name)) for e in self.doc.entities
                          if e.label in ("PER", "ORG"))

    def named(self, words: str) -> Entity | None:
        """The one person or organisation of the document whose name ends in the last word
        of ``words`` ("tulis Zheldibai"; "Zeta-Jones" and "Jones" of "Catherine Zeta-Jones")."""
        parts = words.split()
        if not parts or len(parts) > 2 or not parts[-1][:1].isupper():
            return None
        found = self.by_last_name.ending_in(name_parts(parts[-1]))
        return found[0] if len(found) == 1 else None

    def free(self, span: Span, nest: bool = False) -> bool:
        """Whether ``span`` overlaps no content found before; with ``nest``, whether every
        content it overlaps lies wholly inside it (a relay: "X said Y, BTA reported")."""
        over = [t for t in self.taken if t.start < span.end and span.start < t.end]
        return not over or nest and all(span.start <= t.start and t.end <= span.end
                                        and t != span for t in over)

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
        if k < len(self.mentions) and self.title_start(self.mentions[k].start) <= span.start:
            # the head cut a title short ("menteri" of "kata menteri energi Kazakhstan"): the
            # title lexicon's whole phrase up to the name after it, read as the rules read it
            return self.described(self.mentions[k])
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
