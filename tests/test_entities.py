"""Entities of one document: mentions of one thing form one entity."""

from __future__ import annotations

from conftest import make_mentions as mentions
from pipeline.stages.entities import cluster


def groups(text: str, names: list[tuple[str, str]], lang: str) -> list[tuple[str, list[str]]]:
    return [(e.name, [m.text for m in e.mentions]) for e in cluster(mentions(text, names), lang)]


def test_surname_joins_the_full_name():
    text = "Presiden Kassym-Jomart Tokayev tiba. Tokayev bertemu Putin. Kata Tokayev."
    assert groups(text, [("Kassym-Jomart Tokayev", "PER"), ("Tokayev", "PER"),
                         ("Putin", "PER"), ("Tokayev", "PER")], "id") == [
        ("Kassym-Jomart Tokayev", ["Kassym-Jomart Tokayev", "Tokayev", "Tokayev"]),
        ("Putin", ["Putin"])]


def test_ambiguous_surname_stays_apart():
    text = "Ali Hasan dan Budi Hasan hadir. Hasan berkata."
    got = groups(text, [("Ali Hasan", "PER"), ("Budi Hasan", "PER"), ("Hasan", "PER")], "id")
    assert len(got) == 3


def test_organisation_without_its_group_word():
    text = "POSCO Group menandatangani MoU. POSCO akan membangun pabrik."
    assert groups(text, [("POSCO Group", "ORG"), ("POSCO", "ORG")], "id") == [
        ("POSCO Group", ["POSCO Group", "POSCO"])]


def test_bulgarian_inflected_name():
    text = "Газпром спря доставките. Решението на Газпрома беше критикувано."
    assert groups(text, [("Газпром", "ORG"), ("Газпрома", "ORG")], "bg") == [
        ("Газпром", ["Газпром", "Газпрома"])]


def test_transliterations_of_one_name_in_one_document_meet():
    text = "Tokayev (Токаев) said."
    assert len(groups(text, [("Tokayev", "PER"), ("Токаев", "PER")], "en")) == 1


def test_a_short_form_of_a_short_form_keeps_its_mentions():
    """"Bahlil" joins "Bahlil Lahadalia", which itself joined "Muhammad Bahlil Lahadalia":
    its mention goes to the entity kept (it was lost with the entity it joined)."""
    text = "Bahlil Lahadalia hadir. Bahlil berkata. Muhammad Bahlil Lahadalia pergi."
    assert groups(text, [("Bahlil Lahadalia", "PER"), ("Bahlil", "PER"),
                         ("Muhammad Bahlil Lahadalia", "PER")], "id") == [
        ("Muhammad Bahlil Lahadalia", ["Bahlil Lahadalia", "Bahlil",
                                       "Muhammad Bahlil Lahadalia"])]
