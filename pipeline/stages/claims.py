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

from typing import Any, Callable

from pipeline.learned.claims_learned import ClaimHeads, load_claim_heads
from pipeline.core.document import Document
from pipeline.learned.events_learned import StatesReader
from pipeline.lexicon.lexicons import grammar, settings
from pipeline.text.phrases import phrase_list, phrase_table
from pipeline.core.stage_registry import register_stage
from pipeline.stages.claim_finder import Claim, ClaimFinder


@register_stage('claims')
class Claims:
    """Pipeline stage: ``doc.claims`` from quotations, reporting cues and quantities, and
    from the learned cue / speaker / content head (``models/claims-xx``,
    `pipeline.learned.claims_learned`) on the NER encoder's states.

    ``learned``: False for the lexicons alone. ``heads``, ``merge``, ``implicit_speaker``:
    another head or way of combining, or of finding a speaker no sentence names (training
    compares them; `ClaimFinder.learned`); ``model_dir``: another claims model folder;
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
        finder = ClaimFinder(doc, cues, phrase_table(lang, "quantities.tsv"), grammar(lang),
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
