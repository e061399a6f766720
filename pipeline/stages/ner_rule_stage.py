"""The `ner_rules` stage: the NER rules, in order, on the merged mentions of every document.

The rules fix the errors NER models make (boundaries, labels, names they missed) with word
lists and the document's own evidence (`pipeline.ner`, `pipeline.ner.acronyms`,
`pipeline.ner.works`). Each was measured on sixteen dev sets in twelve languages, left out
one at a time (models/ner-xx/README.md, "lintas' rules on this model"); those that cost F1
on balance were removed (person names stripped of words the text writes in lower case,
English articles, first names added, and the spreading of the models' own names to their
untagged repeats, which cost up to 0.8 points in Slovene and 0.5 in English with the
transformer), and a rule that cost F1 in one language only is off there (`rules_off`).
They run on the mentions of the `ner` stage, whatever backend found them, and are gated on
language data, not on a backend's name: a rule whose lexicon or setting
(``models/lexicons/LANG/``, ``settings.tsv``) the document's language lacks changes
nothing. `RULES` is the one ordered list; a rule is left out by its name
(`PipelineConfig.ner_skip_rules`, to measure what each one is worth), all of them with
`PipelineConfig.ner_rules` = False (the backends' raw mentions, merged).

After each rule that changed something the mentions are merged again as the `ner` stage
merged the backends' mentions: they never overlap (on overlap, a mention of an earlier
backend wins, the model's first, then the later backends', then those the rules made; in
text order within each), and a mention a rule reshaped onto the span of a backend's
mention (the gazetteer's) takes the identity that mention knows
(`pipeline.stages.ner_stage.merge_mentions`). Offsets stay offsets into the original text.
"""

from __future__ import annotations

from collections.abc import Callable

from pipeline.core.document import Document, Mention
from pipeline.core.errors import PipelineConfigError
from pipeline.lexicon.lexicons import settings
from pipeline.ner.acronyms import acronym_organisations
from pipeline.ner.boundaries import company_names, join_hyphenated, legal_form_names
from pipeline.ner.labels import organisation_labels, place_labels
from pipeline.ner.organisations import cued_organisations, extend_organisations
from pipeline.ner.persons import consistent_persons, title_persons
from pipeline.stages.ner_stage import FOUND, lend_identity, merge_mentions
from pipeline.ner.works import work_titles
from pipeline.ner.propagate import propagate, repeated_names
from pipeline.core.stage_registry import register_stage
from pipeline.text.tokens import Tokens


# A rule reads the document's tokens (`Tokens`: the cleaned text, its token offsets, the
# shared tables, the language) and returns the mentions it changed, or its input as it is
# when it has nothing to do.
Rule = Callable[[list[Mention], Tokens], list[Mention]]

def propagate_rule_names(mentions: list[Mention], view: Tokens) -> list[Mention]:
    """``mentions`` plus the untagged repeats of the names the rules made (source
    ``rules``), and a rule-made person's surname alone (`pipeline.ner.propagate`). Only those:
    spreading the models' own names too cost F1 with the transformer (Slovene -0.8,
    English -0.5, Slovak -0.4 points) and is no longer done. A repeat that overlaps a
    backend's mention loses to it in the merge after the rule."""
    ruled = [m for m in mentions if m.source == "rules"]
    if not ruled:
        return mentions
    spread = propagate(ruled, view, "rules")
    known = {id(m) for m in ruled}
    new = [m for m in spread if id(m) not in known]
    return mentions + new if new else mentions


# The rules in the order they run: name -> rule. The language data each one reads is in
# brackets; without it (or without what it looks for in the text) a rule changes nothing.
RULES: dict[str, Rule] = {
    # halves of a hyphenated name joined, a name widened over a hyphen (no data)
    "join_hyphenated": join_hyphenated,
    # company names before a legal form (xx/org_tails.txt)
    "legal_form_names": legal_form_names,
    # organisation words make a name ORG (org_heads.txt, org_tails.txt, also xx/)
    "organisation_labels": lambda ms, v: organisation_labels(ms, v.lang),
    # place words make a name LOC (place_heads.txt, place_tails.txt)
    "place_labels": lambda ms, v: place_labels(ms, v.lang, v.text),
    # quoted names with their legal form, short names in brackets (xx/org_tails.txt)
    "company_names": company_names,
    # persons after a title (titles.txt, settings.tsv name_right_after_title)
    "title_persons": title_persons,
    # names introduced as organisations (org_cues.txt)
    "cued_organisations": cued_organisations,
    # organisations cut short before their place or organisation word (org_*.txt,
    # grammar.tsv joiners)
    "extend_organisations": extend_organisations,
    # one-word places that are persons by the document's evidence (claim_cues.tsv,
    # titles.txt; surnames need no data)
    "consistent_persons": consistent_persons,
    # acronym-led names that hold no place are ORG (place words)
    "acronym_organisations": acronym_organisations,
    # titles of works are no names (work_cues.txt; a year in brackets needs no data)
    "work_titles": work_titles,
    # a name tagged whole is whole at its repeats that the model cut into smaller names
    # (no data)
    "repeated_names": lambda ms, v: repeated_names(ms, v, "rules"),
    # the names the rules made spread to their untagged repeats ("Juru Bicara Kremlin
    # Dmitry Peskov" … "kata Peskov"; no data)
    "propagate_rules": propagate_rule_names,
}


def rules_off(lang: str) -> frozenset[str]:
    """The rules a language turns off in its ``settings.tsv`` (``ner_rules_off``): those
    measured to cost F1 in that language alone (model card)."""
    return frozenset(settings(lang).get("ner_rules_off", "").split())


def apply_rules(mentions: list[Mention], view: Tokens, skip: frozenset[str] = frozenset(),
                found: list[list[Mention]] | None = None,
                language_offs: bool = True) -> list[Mention]:
    """``mentions`` after the rules of `RULES` in order, but those named in ``skip`` (and,
    with ``language_offs``, those the language turns off: `rules_off`).

    ``found``: each backend's own mentions in priority order (the `ner` stage's
    ``doc.cache[FOUND]``), for the merge after each rule (`settle`).
    """
    merge = _Settle(found or [])
    mentions = merge(mentions)
    if language_offs:
        skip = skip | rules_off(view.lang)
    for name, rule in RULES.items():
        if name not in skip:
            out = rule(mentions, view)
            if out is not mentions:  # a rule with nothing to do returns its input as it is
                mentions = merge(out)
    return mentions


def settle(mentions: list[Mention], found: list[list[Mention]] | None = None) -> list[Mention]:
    """``mentions`` in text order, without overlaps, with the identities the backends know.

    Merged as the `ner` stage merges the backends' groups (`merge_mentions`): the mentions
    of the backend found first (``found[0]``: the model) win on overlap, then the next
    backend's, then any other (the rules' own); within each, text order decides. A mention
    without an identity on the same span as one of ``found`` that has one takes it (and
    the gazetteer's LOC label).
    """
    return _Settle(found or [])(mentions)


class _Settle:
    """`settle` against one document's ``found``, indexed once for all the rules."""

    def __init__(self, found: list[list[Mention]]) -> None:
        self.rank: dict[str, int] = {}
        self.known: dict[tuple[int, int], Mention] = {}
        for i, group in enumerate(found):
            for m in group:
                self.rank.setdefault(m.source, i)
                if m.canonical is not None:
                    self.known.setdefault((m.start, m.end), m)
        self.n = len(found)

    def __call__(self, mentions: list[Mention]) -> list[Mention]:
        groups: list[list[Mention]] = [[] for _ in range(self.n + 1)]
        for m in mentions:
            groups[self.rank.get(m.source, self.n)].append(m)
        kept = merge_mentions(groups)
        if self.known:
            for m in kept:
                other = self.known.get((m.start, m.end))
                if other is not None and other is not m:
                    lend_identity(m, other)
        return kept


@register_stage('ner_rules')
class NerRules:
    """Pipeline stage: the rules of `RULES` on ``doc.mentions``."""

    name = "ner_rules"
    requires = ("lang", "tokens", "mentions")
    assigns = ("mentions",)

    def __init__(self, skip_rules: tuple[str, ...] = (), language_offs: bool = True) -> None:
        """``skip_rules``: rules left out, by name; ``language_offs``: False runs the rules
        a language's ``settings.tsv`` turns off too (`pipeline.evaluation.evaluate_rules` measures
        them there)."""
        unknown = sorted(set(skip_rules) - set(RULES))
        if unknown:
            raise PipelineConfigError(f"unknown NER rules {unknown}; known: {list(RULES)}")
        self.skip_rules = frozenset(skip_rules)
        self.language_offs = language_offs

    def __call__(self, doc: Document) -> Document:
        if not doc.tokens:
            return doc  # no tokens: nothing the rules could read
        # the segment stage's tokens, cut from the cleaned text in the document's language
        doc.mentions = apply_rules(doc.mentions, doc.tokens, self.skip_rules, doc.cache.get(FOUND),
                                   self.language_offs)
        return doc
