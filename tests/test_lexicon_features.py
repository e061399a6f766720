"""The lexicon classes that the NER models read as a feature, on sentences written here."""

from __future__ import annotations

from pipeline.lexicon_features import lexicons


def test_places_titles_and_organisation_words_get_their_class():
    words = ("Menteri Luar Negeri bertemu direksi PT Vale Indonesia Tbk di Bukittinggi "
             "dan Kuala Lumpur , lalu ke Teluk Bintuni .").split()
    got = dict(zip(words, lexicons("id").classes(words)))
    assert got["Menteri"] == got["Luar"] == got["Negeri"] == "title"
    assert got["PT"] == "org_head" and got["Tbk"] == "org_tail"
    assert got["Bukittinggi"] == got["Kuala"] == got["Lumpur"] == "place"
    assert got["Teluk"] == "place_head"
    assert got["bertemu"] == got["di"] == got[","] == ""


def test_place_names_are_matched_with_their_case_and_in_cyrillic():
    words = "Премиерът посети София и Пловдив , а bukittinggi не".split()
    got = dict(zip(words, lexicons("bg").classes(words)))
    assert got["София"] == got["Пловдив"] == "place"
    assert got["bukittinggi"] == "" and got["посети"] == ""
