"""Relations between entities, on sentences written for these tests."""

from __future__ import annotations

import pytest

from conftest import text_records


def relations(text: str, lang: str) -> list[tuple[str, str, str | None, str | None]]:
    records = text_records(text, lang)
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    return [(r["label"], names[r["head"]], names.get(r["tail"]) if r["tail"] else None,
             r["value"]) for r in records if r["type"] == "relation"]


@pytest.mark.parametrize("lang,text,want", [
    ("id", "Presiden Rusia Vladimir Putin tiba di Astana pada hari Selasa.",
     ("holds_position", "Vladimir Putin", "Rusia", "Presiden")),
    ("bg", "Държавният секретар на САЩ Марко Рубио пристигна в Астана.",
     ("holds_position", "Марко Рубио", "САЩ", "Държавният секретар")),
    ("bg", "Външният министър на Казахстан Мурат Нуртлеу се срещна с колегата си.",
     ("holds_position", "Мурат Нуртлеу", "Казахстан", "Външният министър")),
    ("id", "Menteri Luar Negeri Kazakhstan Murat Nurtleu bertemu wartawan di Astana.",
     ("holds_position", "Murat Nurtleu", "Kazakhstan", "Menteri Luar Negeri")),
    ("id", "Hal itu disampaikan Sergei Lavrov, Menteri Luar Negeri Rusia, di Moskow.",
     ("holds_position", "Sergei Lavrov", "Rusia", "Menteri Luar Negeri")),
])
def test_positions(lang, text, want):
    assert want in relations(text, lang)


def test_position_without_organisation_keeps_the_title():
    got = relations("Държавният секретар Марко Рубио пристигна вчера.", "bg")
    assert ("holds_position", "Марко Рубио", None, "Държавният секретар") in got


def test_no_position_from_a_verb_between_title_and_name():
    got = relations("Presiden mengatakan bahwa Sergei Lavrov akan datang ke Jakarta.", "id")
    assert not [r for r in got if r[0] == "holds_position"]


def test_ministry_of_a_country_and_city_in_country():
    text = ("Kementerian Energi Kazakhstan menandatangani kontrak di Almaty, Kazakhstan, "
            "kata pejabat Kazakhstan.")
    got = relations(text, "id")
    assert ("part_of", "Kementerian Energi Kazakhstan", "Kazakhstan", None) in got
    assert ("located_in", "Almaty", "Kazakhstan", None) in got


def test_english_person_after_a_title_without_an_english_ner_model():
    got = relations("Foreign Minister Murat Nurtleu met Secretary of State Marco Rubio "
                    "in Astana on Tuesday.", "en")
    assert ("holds_position", "Murat Nurtleu", None, "Foreign Minister") in got
    assert ("holds_position", "Marco Rubio", None, "Secretary of State") in got


@pytest.mark.parametrize("lang,text,want", [
    ("id", "Pertamina Hulu Energi, anak perusahaan Pertamina, mulai mengebor di Blok Rokan.",
     ("affiliated_with", "Pertamina Hulu Energi", "Pertamina", "anak perusahaan")),
    ("id", "Anak usaha Pertamina, Pertamina Hulu Energi, mulai mengebor.",
     ("affiliated_with", "Pertamina Hulu Energi", "Pertamina", "Anak usaha")),
    ("bg", "Лукойл Нефтохим АД, дъщерното дружество на Лукойл ООД, спира износа.",
     ("affiliated_with", "Лукойл Нефтохим АД", "Лукойл ООД", "дъщерното дружество на")),
    ("en", "Tengizchevroil LLP, a subsidiary of Chevron Corp., pumped more oil in Kazakhstan.",
     ("affiliated_with", "Tengizchevroil LLP", "Chevron Corp.", "a subsidiary of")),
])
def test_company_of_a_group(lang, text, want):
    assert want in relations(text, lang)


def test_no_affiliation_without_a_cue():
    got = relations("Pertamina dan Chevron Corp. menandatangani kontrak.", "id")
    assert not [r for r in got if r[0] == "affiliated_with"]
