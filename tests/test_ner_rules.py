"""The NER rules (`pipeline.ner`) one by one, and the `ner_rules` stage that runs them
on every document's merged mentions (`pipeline.stages.ner_rule_stage`)."""

from __future__ import annotations

import pytest

from pipeline.core.document import Document, Mention
from pipeline.ner.boundaries import join_hyphenated
from pipeline.text.blank import blank_pipeline
from pipeline.text.tokens import Tokens


def tokens(text: str, lang: str) -> Tokens:
    doc = blank_pipeline(lang)(text)
    words = [t for t in doc if not t.is_space]
    return Tokens([t.idx for t in words], [t.idx + len(t.text) for t in words], text, lang)


def mention(text: str, name: str, label: str, nth: int = 0) -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(name, start + 1)
    return Mention(start, start + len(name), name, label, "spacy", 0.8)


def spans(mentions: list[Mention]) -> list[tuple[str, str]]:
    return [(m.text, m.label) for m in mentions]


def test_two_halves_of_a_hyphenated_name_become_one():
    text = "Presiden Kassym-Jomart Tokayev menerima tamu."
    ms = [mention(text, "Kassym", "PER"), mention(text, "Jomart Tokayev", "PER")]
    assert spans(join_hyphenated(ms, tokens(text, "id"))) == [
        ("Kassym-Jomart Tokayev", "PER")]


def test_a_name_is_widened_over_a_hyphen_to_an_untagged_word():
    text = "Doosan Energy dan Samruk-Kazyna menandatangani MoU."
    ms = [mention(text, "Samruk", "ORG")]
    assert spans(join_hyphenated(ms, tokens(text, "id"))) == [
        ("Samruk-Kazyna", "ORG")]


def test_a_route_between_two_places_stays_two_places():
    text = "Полетите Лондон-Пловдив и Гвинея-Бисау."
    ms = [mention(text, "Лондон", "LOC"), mention(text, "Пловдив", "LOC"),
          mention(text, "Гвинея", "LOC"), mention(text, "Бисау", "LOC")]
    # Гвинея-Бисау is the name of a country (the gazetteer knows it); Лондон-Пловдив is not
    assert spans(join_hyphenated(ms, tokens(text, "bg"))) == [
        ("Лондон", "LOC"), ("Пловдив", "LOC"), ("Гвинея-Бисау", "LOC")]


def test_hyphen_with_spaces_or_lower_case_word_is_not_joined():
    text = "Menteri Ali - Budi hadir. Ali-baba tidak."
    ms = [mention(text, "Ali", "PER"), mention(text, "Budi", "PER"),
          mention(text, "Ali", "PER", nth=1)]
    assert spans(join_hyphenated(ms, tokens(text, "id"))) == [
        ("Ali", "PER"), ("Budi", "PER"), ("Ali", "PER")]


def test_company_names_with_a_legal_form_are_found_when_the_model_missed_them():
    from pipeline.ner.boundaries import legal_form_names

    text = "Cove Capital LLC и Булгаргаз ЕАД подписаха. Приходът на АД е малък."
    found = legal_form_names([], tokens(text, "bg"))
    assert spans(found) == [("Cove Capital LLC", "ORG"), ("Булгаргаз ЕАД", "ORG")]
    # a name the model already has is left to it
    kept = [mention(text, "Capital LLC", "PER")]
    assert spans(legal_form_names(kept, tokens(text, "bg"))) == [
        ("Capital LLC", "PER"), ("Булгаргаз ЕАД", "ORG")]


def test_person_after_a_title_and_its_country():
    from pipeline.ner.persons import title_persons

    text = ("Juru bicara Rusia Dmitry Peskov dan Menteri Agama Yaqut hadir; "
            "Menteri Luar Negeri Kazakhstan Murat Nurtleu juga.")
    ms = [mention(text, "Rusia", "LOC"), mention(text, "Kazakhstan", "LOC"),
          mention(text, "Nurtleu", "PER")]
    got = spans(title_persons(ms, tokens(text, "id")))
    assert ("Dmitry Peskov", "PER") in got and ("Murat Nurtleu", "PER") in got
    assert not [s for s in got if s[0].startswith(("Agama", "Yaqut"))]  # a portfolio


def test_places_that_speak_or_share_a_surname_are_persons():
    from pipeline.ner.persons import consistent_persons

    text = "Vladimir Putin tiba. “Kami siap,” kata Peskov. Proposal Putin diterima. Peskov diam."
    ms = [mention(text, "Vladimir Putin", "PER"), mention(text, "Peskov", "LOC"),
          mention(text, "Putin", "LOC", nth=1), mention(text, "Peskov", "LOC", nth=1)]
    got = spans(consistent_persons(ms, tokens(text, "id")))
    assert got == [("Vladimir Putin", "PER"), ("Peskov", "PER"), ("Putin", "PER"),
                   ("Peskov", "PER")]
    # an organisation that reports stays one
    text = "Цените растат, съобщи Ройтерс."
    ms = [mention(text, "Ройтерс", "ORG")]
    assert spans(consistent_persons(ms, tokens(text, "bg"))) == [("Ройтерс", "ORG")]


def test_names_introduced_as_organisations():
    from pipeline.lexicon.gazetteer import names_for
    from pipeline.ner.organisations import cued_organisations

    rusia = names_for("id")["Rusia"][0].canonical()
    text = ("Menurut perusahaan nuklir negara Rusia Rosatom dan dana kekayaan negara "
            "Kazakhstan, Samruk-Kazyna, serta Lembaga Pendidikan Perkebunan.")
    kz = names_for("id")["Kazakhstan"][0].canonical()
    ms = [mention(text, "Rusia Rosatom", "PER"), mention(text, "Kazakhstan", "LOC"),
          mention(text, "Samruk-Kazyna", "PER")]
    ms[1].canonical = kz
    got = cued_organisations(ms, tokens(text, "id"))
    assert spans(got) == [("Rusia", "LOC"), ("Rosatom", "ORG"), ("Kazakhstan", "LOC"),
                          ("Samruk-Kazyna", "ORG")]
    assert got[0].canonical == rusia
    # a person of the company stays a person
    text = "Изпълнителният директор на компанията Майкъл О'Лиъри заяви."
    ms = [mention(text, "Майкъл О'Лиъри", "PER")]
    assert spans(cued_organisations(ms, tokens(text, "bg"))) == [
        ("Майкъл О'Лиъри", "PER")]


def test_a_person_glued_to_the_titles_country_is_split_off():
    from pipeline.lexicon.gazetteer import names_for
    from pipeline.ner.persons import title_persons

    text = ("Presiden Uzbekistan Shavkat Mirziyoyev tiba. Wakil Presiden Kazakstan Ahmad "
            "Yusupov Karimov hadir; Ahmad Yusupov Karimov lalu pulang. Juru Bicara Kremlin "
            "Rusia Maria Zakharova diam.")
    uz = names_for("id")["Uzbekistan"][0].canonical()
    ms = [mention(text, "Uzbekistan Shavkat Mirziyoyev", "ORG"),
          mention(text, "Kazakstan Ahmad Yusupov Karimov", "LOC"),
          mention(text, "Ahmad Yusupov Karimov", "PER", nth=1),
          mention(text, "Rusia", "LOC"), mention(text, "Zakharova", "LOC")]
    ms[3].canonical = names_for("id")["Rusia"][0].canonical()
    got = title_persons(ms, tokens(text, "id"))
    assert spans(got)[:4] == [("Uzbekistan", "LOC"), ("Shavkat Mirziyoyev", "PER"),
                              ("Kazakstan", "LOC"), ("Ahmad Yusupov Karimov", "PER")]
    assert got[0].canonical == uz
    # a misspelled country still gets its identity ("Kazakstan": Kazakhstan)
    assert got[2].canonical["key"] == names_for("id")["Kazakhstan"][0].key
    # a first name between the title's qualifiers and a surname the model took for a place
    assert ("Maria Zakharova", "PER") in spans(got)


def test_organisation_names_cut_before_their_country_are_made_whole():
    from pipeline.ner.organisations import extend_organisations

    text = ("Kementerian Pertanian, Pangan, dan Perikanan Jepang bertemu Kementerian Pertahanan "
            "dan Rusia, lalu Badan Geologi dan Tambang Mongolia.")
    ms = [mention(text, "Kementerian Pertanian", "ORG"), mention(text, "Jepang", "LOC"),
          mention(text, "Kementerian Pertahanan", "ORG"), mention(text, "Rusia", "LOC"),
          mention(text, "Badan Geologi", "ORG"), mention(text, "Mongolia", "LOC")]
    got = spans(extend_organisations(ms, tokens(text, "id")))
    assert got == [("Kementerian Pertanian, Pangan, dan Perikanan Jepang", "ORG"),
                   ("Kementerian Pertahanan", "ORG"), ("Rusia", "LOC"),
                   ("Badan Geologi dan Tambang Mongolia", "ORG")]


def test_an_unknown_place_right_after_a_title_is_a_person():
    from pipeline.ner.persons import consistent_persons

    text = "Реформите на президента Мирзиёев продължават в Ташкент."
    ms = [mention(text, "Мирзиёев", "LOC"), mention(text, "Ташкент", "LOC")]
    got = spans(consistent_persons(ms, tokens(text, "bg")))
    assert got == [("Мирзиёев", "PER"), ("Ташкент", "LOC")]


def test_seas_straits_and_rivers_are_places():
    from pipeline.ner.labels import place_labels

    text = "Laut Kaspia, Bank Sungai Kapuas, Черно море и Strait of Hormuz."
    ms = [mention(text, "Laut Kaspia", "ORG"), mention(text, "Bank Sungai Kapuas", "ORG")]
    assert spans(place_labels(ms, "id")) == [("Laut Kaspia", "LOC"), ("Bank Sungai Kapuas", "ORG")]
    assert spans(place_labels([mention(text, "Черно море", "ORG")], "bg")) == [("Черно море", "LOC")]
    assert spans(place_labels([mention(text, "Strait of Hormuz", "PER")], "en")) == [
        ("Strait of Hormuz", "LOC")]


def test_halves_of_a_persons_name_are_joined():
    from pipeline.ner.persons import consistent_persons

    text = "Bahlil Lahadalia tiba. Radek Stepanek Milos Raonic main. Plovdiv Hristo Sterionov."
    ms = [mention(text, "Bahlil", "PER"), mention(text, "Lahadalia", "LOC"),
          mention(text, "Radek Stepanek", "PER"), mention(text, "Milos Raonic", "PER"),
          mention(text, "Plovdiv", "LOC"), mention(text, "Hristo Sterionov", "PER")]
    got = spans(consistent_persons(ms, tokens(text, "id")))
    assert ("Bahlil Lahadalia", "PER") in got
    # two full names in a row, and a place before a full name, stay apart
    assert ("Radek Stepanek", "PER") in got and ("Milos Raonic", "PER") in got
    assert ("Plovdiv", "LOC") in got and ("Hristo Sterionov", "PER") in got


def test_a_place_that_starts_with_an_acronym_is_an_organisation():
    from pipeline.ner.acronyms import acronym_organisations

    text = ("LG Energy Solution dan SK Innovation membangun pabrik di DKI Jakarta, dekat "
            "NTB Mart, bersama ABC.")
    ms = [mention(text, "LG Energy Solution", "LOC"), mention(text, "SK Innovation", "LOC"),
          mention(text, "DKI Jakarta", "LOC"), mention(text, "ABC", "LOC")]
    assert spans(acronym_organisations(ms, tokens(text, "id"))) == [
        ("LG Energy Solution", "ORG"), ("SK Innovation", "ORG"), ("DKI Jakarta", "LOC"),
        ("ABC", "LOC")]


# The ner_rules stage: one stage, after the mentions, for every backend's mentions.

def stage_doc(text: str, lang: str, groups: list[list[Mention]]) -> Document:
    """A segmented document whose mentions are ``groups`` merged as the `ner` stage merges
    its backends' mentions (``groups[0]`` first)."""
    from pipeline.stages.ner_stage import FOUND, merge_mentions
    from pipeline.stages.segment import Segment

    doc = Segment()(Document("t", "t", text, lang=lang))
    doc.mentions = merge_mentions(groups)
    doc.cache[FOUND] = groups
    return doc


def test_the_stage_requires_the_mentions():
    from pipeline.core.core import PipelineConfig, build_pipeline
    from pipeline.core.errors import PipelineConfigError

    with pytest.raises(PipelineConfigError, match=r"'ner_rules' requires \['mentions'\]"):
        build_pipeline(PipelineConfig(stages=("clean", "langid", "segment", "ner_rules", "ner",
                                              "entities")))


def test_stage_lists_of_earlier_versions_still_get_the_rules():
    """``entities`` alone, as one stage did the mentions, the rules and the clusters."""
    from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline

    assert DEFAULT_STAGES[3:6] == ("ner", "ner_rules", "entities")
    old = build_pipeline(PipelineConfig(stages=("clean", "langid", "segment", "entities")))
    assert old.names == ["clean", "langid", "segment", "ner", "ner_rules", "entities"]
    off = build_pipeline(PipelineConfig(ner_rules=False))
    assert "ner_rules" not in off.names and "ner" in off.names and "entities" in off.names
    mine = build_pipeline(PipelineConfig(stages=("clean", "langid", "segment", "ner",
                                                 "entities")))
    assert mine.names == ["clean", "langid", "segment", "ner", "entities"]


def test_rules_are_skipped_by_name_and_unknown_names_are_refused():
    from pipeline.core.errors import PipelineConfigError
    from pipeline.stages.ner_rule_stage import RULES, NerRules

    assert list(RULES)[:3] == ["join_hyphenated", "legal_form_names", "organisation_labels"]
    assert list(RULES)[-1] == "propagate_rules"
    with pytest.raises(PipelineConfigError, match="unknown NER rules"):
        NerRules(skip_rules=("title_person",))
    text = "Presiden Kassym-Jomart Tokayev menerima tamu."
    ms = [mention(text, "Kassym", "PER"), mention(text, "Jomart Tokayev", "PER")]
    doc = NerRules(skip_rules=("join_hyphenated",))(stage_doc(text, "id", [ms]))
    assert spans(doc.mentions) == [("Kassym", "PER"), ("Jomart Tokayev", "PER")]
    doc = NerRules()(stage_doc(text, "id", [ms]))
    assert spans(doc.mentions) == [("Kassym-Jomart Tokayev", "PER")]


def test_rules_run_on_the_gazetteers_mentions_alone():
    """No NER model at all (``--ner gazetteer``): the rules still run where the language
    has their word lists (Indonesian titles.txt: a person after a title and country)."""
    from pipeline.core.core import PipelineConfig, build_pipeline

    text = "Menteri Luar Negeri Kazakhstan Murat Nurtleu tiba di Jakarta."
    config = PipelineConfig(stages=("clean", "langid", "segment", "ner", "ner_rules",
                                    "entities"), ner_backends=("gazetteer",))
    doc = build_pipeline(config)(Document("t", "t", text, lang_hint="id"))
    assert ("Murat Nurtleu", "PER") in spans(doc.mentions)
    assert ("Kazakhstan", "LOC") in spans(doc.mentions)
    # a language without titles.txt: the rule has nothing to go by and changes nothing
    doc = build_pipeline(config)(Document("t", "t", text, lang_hint="ms"))
    assert ("Murat Nurtleu", "PER") not in spans(doc.mentions)
    skip = PipelineConfig(stages=config.stages, ner_backends=("gazetteer",),
                          ner_skip_rules=("title_persons",))
    doc = build_pipeline(skip)(Document("t", "t", text, lang_hint="id"))
    assert ("Murat Nurtleu", "PER") not in spans(doc.mentions)


class FakeNer:
    """A NER backend that is no model lintas knows: what the rules do is the same."""

    name = "fake"

    def supports(self, lang: str) -> bool:
        return True

    def version(self, lang: str | None = None) -> str:
        return "fake 1"

    def find(self, doc: Document, text: str) -> list[Mention]:
        return [Mention(s, s + len(n), n, "PER", "fake", 0.9) for n, s in
                (("Kassym", text.index("Kassym")), ("Jomart Tokayev", text.index("Jomart")))]


def test_rules_run_on_any_backends_mentions(monkeypatch):
    from pipeline.backends import REGISTRY
    from pipeline.core.core import PipelineConfig, build_pipeline

    monkeypatch.setitem(REGISTRY["ner"], "fake", f"{__name__}:FakeNer")
    text = "Presiden Kassym-Jomart Tokayev menerima tamu di Astana."
    config = PipelineConfig(stages=("clean", "langid", "segment", "entities"),
                            ner_backends=("fake", "gazetteer"))
    doc = build_pipeline(config)(Document("t", "t", text, lang_hint="id"))
    assert ("Kassym-Jomart Tokayev", "PER") in spans(doc.mentions)
    assert doc.extractors["ner"].startswith("fake 1")


def test_a_split_mention_gives_the_place_back_its_identity():
    """The model's "Kazakhstan Kassym-Jomart Tokayev" wins the merge over the gazetteer's
    "Kazakhstan"; split after the title, the country is the gazetteer's place again."""
    from pipeline.stages.ner_rule_stage import NerRules

    text = "Presiden Kazakhstan Kassym-Jomart Tokayev tiba di Moskow."
    model = [mention(text, "Kazakhstan Kassym-Jomart Tokayev", "PER")]
    kz = {"key": "Q232", "name": "Kazakhstan", "wikidata": "Q232"}
    start = text.index("Kazakhstan")
    gazetteer = [Mention(start, start + 10, "Kazakhstan", "LOC", "gazetteer", 0.9, kz)]
    doc = stage_doc(text, "id", [model, gazetteer])
    assert [(m.text, m.canonical) for m in doc.mentions] == [
        ("Kazakhstan Kassym-Jomart Tokayev", None)]
    doc = NerRules()(doc)
    assert [(m.text, m.label, m.canonical) for m in doc.mentions] == [
        ("Kazakhstan", "LOC", kz), ("Kassym-Jomart Tokayev", "PER", None)]


def test_mentions_never_overlap_after_the_rules_the_models_win():
    from pipeline.stages.ner_rule_stage import settle

    text = "Samruk-Kazyna dan Doosan Energy."
    model = Mention(0, 13, "Samruk-Kazyna", "ORG", "transformer", 0.8)
    place = Mention(7, 13, "Kazyna", "LOC", "gazetteer", 0.9, {"key": "Q1", "name": "Kazyna"})
    ruled = Mention(0, 6, "Samruk", "ORG", "rules", 0.7)
    found = [[Mention(0, 6, "Samruk", "ORG", "transformer", 0.8)], [place]]
    assert spans(settle([ruled, place, model], found)) == [("Samruk-Kazyna", "ORG")]
    # no backend's mentions known (another stage set them): text order decides, as
    # within one backend's mentions in the merge
    assert spans(settle([place, ruled])) == [("Samruk", "ORG"), ("Kazyna", "LOC")]
    assert spans(settle([place, Mention(0, 13, text[:13], "ORG", "x", 0.8)])) == [
        ("Samruk-Kazyna", "ORG")]
