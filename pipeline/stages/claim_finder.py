"""The claims stage's three kinds (direct quotations, reported speech, factual claims with
quantities) and the learned head's claims, found on a `ClaimView`."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from pipeline.core.document import Entity, Span
from pipeline.learned.claims_learned import ClaimHeads
from pipeline.learned.events_learned import DocStates
from pipeline.stages.claim_view import ClaimView
from pipeline.text.phrases import PhraseMatch

_QUOTES = re.compile(r"“([^”“\n]{8,3000})”|\"([^\"\n]{8,3000})\"|„([^“”\n]{8,3000})[“”]"
                     r"|«([^»\n]{8,3000})»")
_NUMBER = re.compile(r"\d")
_BETWEEN_NAMES = " \t\n,.;:\"“”„«»"  # what may stand between the names of a names-only content


@dataclass
class Claim:
    """One statement: who (if anyone), the cue word, what."""

    kind: str
    content: Span
    speaker: Span | None = None
    speaker_entity: Entity | None = None
    cue: Span | None = None
    confidence: float = 0.5


class ClaimFinder(ClaimView):
    """A `ClaimView` that finds the claims of each kind."""

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
            relays = self._relays(hits, sent, a, b)
            for hit in hits:
                claim = self._reported_at((hit.first, hit.last), sent, a, b, relays)
                if claim:
                    out.append(claim)
        return out

    def _relays(self, hits: list[PhraseMatch], sent: Span, a: int, b: int) -> list[int]:
        """Offsets where a statement ends because an agency relays it: "X заяви, че …,
        предаде БТА." (a cue with a speaker after it, after a comma) and "…, the Associated
        Press reported." (the comma before a speaker that a closing cue follows)."""
        relays = [self.starts[h.first - 1] for h in hits
                  if h.first > a + 2 and self.word(h.first - 1) == ","
                  and self.speaker_after(h.last, sent.end) is not None]
        for h in hits:
            if not self.cue_closes_sentence(h.last, b):
                continue
            who = self.speaker_before(h.first)
            if who is not None:
                comma = self.comma_before(self.title_start(who[0].start), sent.start)
                if comma is not None:
                    relays.append(comma)
        return relays

    def _reported_at(self, cue: tuple[int, int], sent: Span, a: int, b: int,
                     relays: list[int]) -> Claim | None:
        """The reported claim of the cue at tokens ``cue`` of the sentence (tokens
        ``[a, b)``), by the first of four patterns whose form the sentence has (that
        pattern alone decides, even when it finds no claim)."""
        first, last = cue
        before = self.speaker_before(first)
        if self.is_source_cue(first):
            # "menurut X, CONTENT" / "CONTENT, according to X."
            speaker = self.speaker_after(last, sent.end)
            if speaker is None:
                return None
            comma = self.text.find(",", speaker[0].end, sent.end)
            if first == a and comma > 0:
                return self.claim("reported", Span(comma + 1, sent.end), cue, speaker, 0.6,
                                  nest=True)
            if first > a:
                return self.claim("reported", Span(sent.start, self.starts[first]), cue,
                                  speaker, 0.6, nest=True)
            return None
        closing = self._comma_before_closing_cue(cue, before, sent, b)
        if closing is not None:
            # "CONTENT, the Kremlin said." / "…, SPEAKER reported." / "…, the ministry
            # said." (a description: its words, without an entity)
            who = before or (Span(self.starts[self.token(closing + 1)], self.ends[first - 1]),
                             None)
            return self.claim("reported", Span(sent.start, closing), cue, who, 0.6,
                              nest=before is not None)
        if before is not None and last + 1 < b:
            # "SPEAKER mengatakan bahwa CONTENT"
            end = min((r for r in relays if r > self.ends[last]), default=sent.end)
            return self.claim("reported", self.content_after(last, end), cue, before, 0.6)
        prev = self.word(first - 1) if first > a else ""
        if prev in (",", "—", "–", "-") and first > a + 2:
            # "CONTENT, kata SPEAKER." (also a relay: "X заяви, че Y, предаде БТА.")
            speaker = self.speaker_after(last, sent.end)
            return self.claim("reported", Span(sent.start, self.starts[first - 1]), cue,
                              speaker, 0.6, nest=speaker is not None)
        return None

    def _comma_before_closing_cue(self, cue: tuple[int, int],
                                  before: tuple[Span, Entity | None] | None, sent: Span,
                                  b: int) -> int | None:
        """The comma that ends the content before a cue closing the sentence ("CONTENT,
        the Kremlin said."), before the speaker's title if a speaker precedes the cue; else
        None (so too when no speaker precedes and the comma is right before the cue)."""
        first, last = cue
        if not self.cue_closes_sentence(last, b):
            return None
        comma = self.comma_before(self.title_start(before[0].start) if before
                                  else self.starts[first], sent.start)
        if comma is None or not (before or comma + 2 < self.starts[first]):
            return None
        return comma

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
