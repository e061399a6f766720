"""Names written in part: the one index the entities stage, the claims stage and
`lintas link` ask which longer name a short form stands for."""

from __future__ import annotations

from conftest import make_mentions as mentions
from pipeline.core.document import Document
from pipeline.corpus.link import plan_merges
from pipeline.stages.claim_view import ClaimView
from pipeline.stages.entities import cluster
from pipeline.text.phrases import PhraseIndex
from pipeline.text.short_forms import Phrases, ShortForms, name_parts


def test_name_parts_split_where_a_key_splits():
    assert name_parts("Kassym-Jomart Tokayev") == ["kasim", "jomart", "tokaev"]
    assert name_parts("Касим-Жомарт Токаев") == name_parts("Kassym-Jomart Tokayev")
    assert name_parts("Paul O'Neill")[-1] == name_parts("O'Neill")[-1] == name_parts("Neill")[0]
    assert name_parts("  ") == []


def index(*names: str) -> ShortForms[str]:
    return ShortForms((n, name_parts(n)) for n in names)


def test_a_surname_finds_every_longer_name_it_ends():
    names = index("Kassym-Jomart Tokayev", "Tokayev", "Ali Hasan", "Budi Hasan")
    assert names.ending_with(name_parts("Токаев")) == ["Kassym-Jomart Tokayev"]
    assert names.ending_with(name_parts("Jomart Tokayev")) == ["Kassym-Jomart Tokayev"]
    assert names.ending_with(name_parts("Hasan")) == ["Ali Hasan", "Budi Hasan"]
    assert names.ending_with(name_parts("Jomart")) == []
    # a one-word name is no short form of itself, but it does end in its word
    assert names.ending_in(name_parts("Tokayev")) == ["Kassym-Jomart Tokayev", "Tokayev"]


def test_an_organisation_word_may_follow_a_short_form_and_nothing_else():
    names = index("POSCO Group", "POSCO Future M", "Bahlil Lahadalia", "Telefónica S.A.")
    tails = Phrases(["Group", "Holding", "S.A."])
    assert tails.parts == {("group",), ("holding",), ("s", "a")}
    assert names.starting_with(name_parts("POSCO"), tails) == ["POSCO Group"]
    assert names.starting_with(name_parts("Telefónica"), tails) == ["Telefónica S.A."]
    assert tails.cover(["group", "s", "a"]) and not tails.cover(["s"])
    assert not tails.cover([])
    assert names.starting_with(name_parts("Bahlil")) == ["Bahlil Lahadalia"]
    assert names.starting_with(name_parts("Lahadalia")) == []


def test_a_surname_after_a_hyphen_is_a_surname_in_the_document_and_across_documents():
    """The entities stage and `lintas link` end a name in the same word: "Jones" of
    "Catherine Zeta-Jones" joins her in a document, and its key joins hers in a corpus."""
    text = "Catherine Zeta-Jones tiba. Jones berkata."
    got = cluster(mentions(text, [("Catherine Zeta-Jones", "PER"), ("Jones", "PER")]), "id")
    assert [[m.text for m in e.mentions] for e in got] == [["Catherine Zeta-Jones", "Jones"]]
    merges = plan_merges({"per:catherine-zeta-jones": 2, "per:jones": 1, "loc:jones": 1},
                         set())
    assert merges == {"per:jones": "per:catherine-zeta-jones",
                      "loc:jones": "per:catherine-zeta-jones"}


def test_a_legal_form_written_with_dots_ends_an_organisation_everywhere():
    """"Telefónica" is "Telefónica S.A." in a document and across documents: the legal
    form's dots split it into parts as they split the name."""
    text = "Telefónica S.A. dan Philips N.V. tiba. Telefónica dan Philips berkata."
    got = cluster(mentions(text, [("Telefónica S.A.", "ORG"), ("Philips N.V.", "ORG"),
                                  ("Telefónica", "ORG"), ("Philips", "ORG")]), "id")
    assert [(e.name, len(e.mentions)) for e in got] == [("Telefónica S.A.", 2),
                                                        ("Philips N.V.", 2)]
    merges = plan_merges({"org:telefonika-s-a": 2, "org:telefonika": 1}, {"S.A."})
    assert merges == {"org:telefonika": "org:telefonika-s-a"}


def test_a_speaker_the_ner_missed_is_named_by_the_same_last_word():
    """The claims stage asks the same index: "Kata Jones" is Catherine Zeta-Jones, as the
    entities stage and `lintas link` read it (before the claims stage kept "Zeta-Jones" as
    one word, and "Jones" alone found nobody)."""
    text = "Catherine Zeta-Jones tiba. Kata Jones."
    doc = Document(doc_id="t", source="t", text=text, lang_hint="id")
    doc.lang = "id"
    doc.entities = cluster(mentions(text, [("Catherine Zeta-Jones", "PER")]), "id")
    view = ClaimView(doc, PhraseIndex({}, "id"), PhraseIndex({}, "id"), {})
    assert view.named("Jones") is view.named("Zeta-Jones") is doc.entities[0]
    assert view.named("Smith") is None
    doc.entities = cluster(mentions("Ali Jones dan Catherine Zeta-Jones.",
                                    [("Ali Jones", "PER"), ("Catherine Zeta-Jones", "PER")]), "id")
    view = ClaimView(doc, PhraseIndex({}, "id"), PhraseIndex({}, "id"), {})
    assert view.named("Jones") is None  # two people end in "Jones"
    assert view.named("Zeta-Jones") is doc.entities[1]  # one ends in "Zeta-Jones"
    doc.entities = cluster(mentions("Tom Jones tiba.", [("Tom Jones", "PER")]), "id")
    view = ClaimView(doc, PhraseIndex({}, "id"), PhraseIndex({}, "id"), {})
    assert view.named("Smith-Jones") is None  # not Tom Jones
