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

from .docview import DocView
from .document import Document, Entity, Span
from .lexicons import grammar
from .names import fold
from .phrases import phrase_list, phrase_table
from .relations import mention_entities

_QUOTES = re.compile(r"“([^”“\n]{8,3000})”|\"([^\"\n]{8,3000})\"|„([^“”\n]{8,3000})[“”]"
                     r"|«([^»\n]{8,3000})»")
_NUMBER = re.compile(r"\d")
SPEAKER_WINDOW = 6  # tokens after a cue in which the speaker's name may start
DESCRIPTION_WORDS = 8  # words kept for a speaker described rather than named
RELATIVE_WINDOW = 25  # tokens a relative clause may span between a speaker and the cue
INTRO_WINDOW = 14  # tokens after a cue in which "bahwa" / "че" / "that" opens the content
TAIL_WORDS = 5  # words after a closing cue that are still an adverbial ("in Astana on Tuesday")
_SENTENCE_PUNCT = re.compile(r"[.!?;\"“”„«»]")


@dataclass
class Claim:
    """One statement: who (if anyone), the cue word, what."""

    kind: str
    content: Span
    speaker: Span | None = None
    speaker_entity: Entity | None = None
    cue: Span | None = None
    confidence: float = 0.5


class Claims:
    """Pipeline stage: ``doc.claims`` from quotations, reporting cues and quantities."""

    name = "claims"
    requires = ("sentences", "tokens", "mentions", "entities")
    assigns = ("claims",)

    def __call__(self, doc: Document) -> Document:
        doc.claims = []
        if not doc.tokens or not doc.sentences:
            return doc
        lang = doc.lang or "und"
        cues = phrase_table(lang, "claim_cues.tsv")
        if not cues:
            return doc
        finder = _Finder(doc, cues, phrase_table(lang, "quantities.tsv"), grammar(lang),
                         phrase_list(lang, "titles.txt"))
        doc.claims = finder.direct() + finder.reported() + finder.factual()
        doc.claims.sort(key=lambda c: (c.content.start, c.content.end))
        doc.extractors["claims"] = "lintas-lexicons 1"
        return doc


class _Finder(DocView):
    """`DocView` plus the claims found so far and the lexicons that find them."""

    def __init__(self, doc: Document, cues, quantities, words_of: dict[str, frozenset[str]],
                 titles=None) -> None:
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
        self.taken: list[Span] = []  # content already claimed, sorted, never overlapping
        self.framed: list[int] = []  # where each claim's speaker, cue or content begins
        self.intro = self.complementizers | {":", ",", "–", "-", "—"}

    def cue_at(self, i: int):
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
                # Dmitry Peskov", "Juru Bicara Kremlin Dmitry Peskov")
                return Span(m.start, m.end), self.ents.get((m.start, m.end))
            if fallback is None and ((not described and m.label == "ORG") or not gap.strip()):
                fallback = m  # an organisation speaks, unless a person follows
            k += 1  # "menteri energi Kazakhstan": a description; a person may still follow
        if fallback is not None:
            return Span(fallback.start, fallback.end), self.ents.get((fallback.start, fallback.end))
        words = []
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

    def described(self, m) -> tuple[Span, Entity | None]:
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

    def free(self, span: Span) -> bool:
        i = bisect.bisect_left(self.taken, span.start, key=lambda t: t.start)
        return all(not (t.start < span.end and span.start < t.end)
                   for t in self.taken[max(0, i - 1):i + 1])

    def claim(self, kind: str, content: Span, cue: tuple[int, int] | None,
              speaker: tuple[Span, Entity | None] | None, confidence: float) -> Claim | None:
        content = _trim(self.text, content, self.intro)
        if content is None or len(self.text[content.start:content.end].split()) < 3:
            return None
        if self.doc.is_masked(content.start, content.end) or not self.free(content):
            return None
        bisect.insort(self.taken, content, key=lambda t: t.start)
        cue_span = Span(self.starts[cue[0]], self.ends[cue[1]]) if cue else None
        sp, ent = speaker if speaker else (None, None)
        first = min(x.start for x in (content, cue_span, sp) if x is not None)
        if sp is not None and first == sp.start:
            first = self.title_start(sp.start)  # "…, Presiden Serdar Berdimuhamedov … mengatakan"
        bisect.insort(self.framed, first)
        if sp is not None and ent is None:
            ent = self.named(self.text[sp.start:sp.end])
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
            for hit in self.cues.find(self.text, self.starts, self.ends, a, b, self.lower):
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
                            claim = self.claim("reported", Span(comma + 1, sent.end), cue, speaker, 0.6)
                        elif first > a:
                            claim = self.claim("reported", Span(sent.start, self.starts[first]),
                                               cue, speaker, 0.6)
                elif self.cue_closes_sentence(last, b) and (comma := self.comma_before(
                        self.title_start(before[0].start) if before else self.starts[first],
                        sent.start)) is not None \
                        and (before or comma + 2 < self.starts[first]):
                    # "CONTENT, the Kremlin said." / "…, SPEAKER reported." / "…, the
                    # ministry said." (a description: its words, without an entity)
                    who = before or (Span(self.starts[self.token(comma + 1)], self.ends[first - 1]), None)
                    claim = self.claim("reported", Span(sent.start, comma), cue, who, 0.6)
                elif before is not None and last + 1 < b:
                    # "SPEAKER mengatakan bahwa CONTENT"
                    claim = self.claim("reported", self.content_after(last, sent.end), cue,
                                       before, 0.6)
                elif prev in (",", "—", "–", "-") and first > a + 2:
                    # "CONTENT, kata SPEAKER."
                    speaker = self.speaker_after(last, sent.end)
                    claim = self.claim("reported", Span(sent.start, self.starts[first - 1]),
                                       cue, speaker, 0.6)
                if claim:
                    out.append(claim)
        return out

    def factual(self) -> list[Claim]:
        """Sentences, or the part of a sentence before someone's statement ("lebih dari 80
        persen minyak Kazakhstan diekspor … melalui Rusia, Putin … mengatakan …"), that state
        a quantity or a ranking about a name of the document."""
        out = []
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
            for hit in self.quantities.find(self.text, self.starts, self.ends, a, b, words):
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
