"""Keys for names without a known identity (`pipeline.text.names`): scripts, signs, vowels."""

from __future__ import annotations

from conftest import make_mentions

from pipeline.stages.entities import cluster
from pipeline.text.names import (case_stems, fold, name_key, spelling_system, unmix_scripts,
                            vowel_distance)


def test_a_word_mixing_latin_and_cyrillic_is_read_in_its_majority_script():
    assert unmix_scripts("Tpъмп") == "Тръмп"  # Latin T and p in a Cyrillic word
    assert unmix_scripts("Тrump") == "Trump"  # a Cyrillic Т in a Latin word
    assert unmix_scripts("Доналд Tpъмп и Biden") == "Доналд Тръмп и Biden"  # word by word
    assert unmix_scripts("Тръмп") == "Тръмп" and unmix_scripts("Trump") == "Trump"
    assert unmix_scripts("Tъ") == "Tъ"  # no majority: left as written
    assert fold("Tpъмп") == fold("Тръмп") == fold("Трамп") == "tramp"
    assert fold("Тrump") == fold("Trump") == "trump"
    assert name_key("PER", "Tpъмп") == name_key("PER", "Трамп")


def test_cyrillic_signs_take_their_transliterated_value_and_split_no_word():
    assert fold("Доналд Тръмп") == "donald-tramp"  # was "donald-tr-mp"
    assert fold("Байдън") == "baidan" and fold("Джо Байдън") == "jo-baidan"
    assert fold("Меркель") == fold("Merkel") and fold("Шольц") == "sholts"
    assert fold("Зеленського") == "zelenskogo"
    assert fold("подъезд") == "podezd"  # Russian hard sign: a silent separator


def test_keys_still_keep_different_names_apart():
    assert fold("Бо Байдън") != fold("Джо Байдън")
    assert fold("Trump") != fold("Трамп")  # meet in `lintas link`, not in the key
    assert name_key("ORG", "Конгреса") == "org:kongresa"  # the label stays in the key
    assert name_key("LOC", "Конгреса") == "loc:kongresa"  # (`lintas link` merges these)


def test_vowel_distance_between_transcriptions():
    assert vowel_distance("trump", "tramp") == 1
    assert vowel_distance("biden", "baiden") == 0  # a diphthong for a spelled vowel
    assert vowel_distance("baidan", "baiden") == 1  # Bulgarian ъ, Russian е
    assert vowel_distance("joe-biden", "jo-baidan") == 1
    assert vowel_distance("hasan", "husein") == 2
    assert vowel_distance("bo-baidan", "jo-baidan") is None  # other consonants
    assert vowel_distance("baidena", "baidan") is None  # another syllable


def test_case_stems_of_a_slavic_name():
    assert case_stems("baidena") == {"baidena", "baiden"}
    assert case_stems("putinim") == {"putinim", "putin"}
    assert case_stems("obama") == {"obama", "obam"}
    assert case_stems("lia") == {"lia"}  # too short a stem


def test_spelling_systems():
    assert spelling_system("Trump", "bg") == spelling_system("Trump", "id") == "latin"
    assert spelling_system("Тръмп", "bg") == spelling_system("Tpъмп", "bg") == "cyrillic-bg"
    assert spelling_system("Трамп", "ru") == "cyrillic-ru"


def test_in_a_document_a_look_alike_surname_joins_its_person():
    text = "Доналд Тръмп пристигна. Tpъмп каза, че Тръмп ще говори."
    ents = cluster(make_mentions(text, [("Доналд Тръмп", "PER"), ("Tpъмп", "PER"),
                                    ("Тръмп", "PER")]), "bg")
    assert len(ents) == 1 and ents[0].canonical["key"] == "per:donald-tramp"
    assert [m.text for m in ents[0].mentions] == ["Доналд Тръмп", "Tpъмп", "Тръмп"]


def test_in_a_document_an_organisation_or_place_tagged_either_way_is_one_entity():
    text = "Конгреса гласува. Конгреса отхвърли. Конгреса е сграда. Конгреса"
    ents = cluster(make_mentions(text, [("Конгреса", "ORG"), ("Конгреса", "LOC"),
                                    ("Конгреса", "ORG"), ("Конгреса", "PER")]), "bg")
    assert [(e.label, e.canonical["key"], len(e.mentions)) for e in ents] == [
        ("ORG", "org:kongresa", 3), ("PER", "per:kongresa", 1)]  # a person stays apart
