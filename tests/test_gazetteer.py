"""Gazetteer NER: places in the document's language with one identity across languages."""

from __future__ import annotations

from pipeline.stages.clean import Clean
from pipeline.core.document import Document
from pipeline.stages.entities import Entities, name_key
from pipeline.stages.ner_rule_stage import NerRules
from pipeline.stages.ner_stage import Ner
from pipeline.stages.segment import Segment
from texts import BG, EN, ID, KZ_BG, KZ_EN, KZ_ID


def entities(text: str, lang: str) -> Document:
    """The gazetteer backend alone (the trained models have their own tests)."""
    doc = Document("d", "d", text, lang=lang)
    for stage in (Clean(), Segment(), Ner(backends=("gazetteer",)), NerRules(), Entities()):
        doc = stage(doc)
    return doc


def keys(doc: Document) -> dict[str, str]:
    return {m.text: m.canonical["key"] for e in doc.entities for m in e.mentions}


def test_same_places_get_same_keys_in_three_languages_and_a_misspelling():
    k_id, k_bg, k_en = keys(entities(KZ_ID, "id")), keys(entities(KZ_BG, "bg")), keys(
        entities(KZ_EN, "en"))
    assert k_id["Kazakhtan"] == k_bg["Казахстан"] == k_en["Kazakhstan"] == "Q232"
    assert k_id["Rusia"] == k_bg["Русия"] == "Q159"
    assert k_id["Moskow"] == k_bg["Москва"] == k_en["Moscow"] == "Q649"


def test_bulgarian_inflected_and_short_forms():
    doc = entities(BG, "bg")
    by_text = {m.text: (e.name, m.canonical["key"]) for e in doc.entities for m in e.mentions}
    assert by_text["Русията"] == ("Русия", "Q159")
    assert by_text["САЩ"][1] == "Q30"
    assert by_text["София"][1] == "Q472"
    assert by_text["България"][1] == "Q219"
    assert by_text["Азербайджан"][1] == "Q227"


def test_multiword_names_and_offsets():
    doc = entities(ID, "id")
    found = {m.text: (m.start, m.end) for e in doc.entities for m in e.mentions}
    assert "Asia Tengah" in found and "Jakarta" in found and "Indonesia" in found
    for text, (s, e) in found.items():
        assert ID[s:e] == text


def test_mentions_of_one_place_form_one_entity():
    text = "Kazakhstan dan Rusia. Kazakhstan mengekspor minyak. Ekonomi Kazakhstan tumbuh."
    doc = entities(text, "id")
    kz = [e for e in doc.entities if e.canonical["key"] == "Q232"]
    assert len(kz) == 1 and len(kz[0].mentions) == 3
    assert kz[0].canonical == {"key": "Q232", "name": "Kazakhstan", "wikidata": "Q232"}


def test_common_words_that_are_also_place_names_are_not_places():
    # "Lima" (Peru) is also "five"; "Sama" is a GeoNames alternate name and "kerja sama".
    text = ("Lima orang tewas. Kerja Sama Energi\nMereka bekerja sama dengan lima negara. "
            "Presiden Peru tiba di Lima.")
    doc = entities(text, "id")
    hits = [(m.text, m.start) for e in doc.entities for m in e.mentions]
    assert ("Lima", 0) not in hits
    assert all(t != "Sama" for t, _ in hits)
    assert ("Peru", text.index("Peru")) in hits


def test_english_text_finds_places():
    doc = entities(EN, "en")
    names = {e.canonical["name"] for e in doc.entities}
    assert {"Kazakhstan", "Astana", "Europe", "Russia"} <= names


def test_name_key_is_language_independent():
    assert name_key("PER", "Токаев") == name_key("PER", "Tokayev") == "per:tokaev"
    for latin, cyrillic in [("Kassym-Jomart Tokayev", "Касим-Жомарт Токаев"),
                            ("Dmitry Peskov", "Дмитрий Песков"), ("Marco Rubio", "Марко Рубио"),
                            ("Ruslan Zheldibay", "Руслан Желдибай"), ("Yuri Ushakov", "Юрий Ушаков")]:
        assert name_key("PER", latin) == name_key("PER", cyrillic), latin
    assert name_key("PER", "Peskov") != name_key("PER", "Putin")
    assert name_key("ORG", "SK Eco Plant") == "org:sk-eko-plant"
