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

from typing import Any

from pipeline.core.document import Document
from pipeline.core.stage_registry import register_stage
from pipeline.learned.events_learned import EventHeads, StatesReader, load_heads
from pipeline.stages.event_document import DocumentEvents, Event, trigger_sources
from pipeline.text.phrases import phrase_table

__all__ = ["Event", "Events"]


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
        triggers = phrase_table(doc.lang or "und", "events.tsv")
        doc.events = []
        states = (self.states(doc, self.heads.layer, pop=self.pop_states)  # type: ignore[union-attr]
                  if self.reads_states and doc.tokens else None)
        heads = self.heads if states is not None else None
        use_lexicon, use_learned = trigger_sources(self.merge, heads)
        if not (triggers and use_lexicon) and not use_learned or not doc.tokens:
            return doc
        doc.extractors["events"] = (f"{heads.version} + lintas-lexicons 1" if heads is not None
                                    else "lintas-lexicons 1")
        doc.events = DocumentEvents(doc, self, triggers, heads, states).run()
        return doc
