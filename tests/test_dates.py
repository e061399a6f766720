"""Time expressions and their ISO values against the article's date."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.text.dates import find_times, parse_published, resolve_day_month, resolve_weekday


def times(text: str, lang: str, published: date | None, future: bool = False):
    return [(t.text, t.value) for t in find_times(text, 0, len(text), lang, published, future)]


def test_indonesian_weekday_with_day_and_month_takes_the_articles_year():
    text = "Kedua menteri menandatangani MoU pada hari Kamis (13/06) pukul 10.15 WIB."
    assert times(text, "id", date(2024, 6, 14)) == [("Kamis (13/06)", "2024-06-13")]
    # no article date: the year cannot be known, the expression is still reported
    assert times(text, "id", None) == [("Kamis (13/06)", None)]


def test_weekday_decides_between_years():
    # 27 November is a Wednesday in 2024, a Thursday in 2025: "Rabu" picks 2024 even
    # though the article is from January 2025
    assert resolve_day_month(27, 11, None, 3, date(2025, 1, 10)) == "2024-11-27"
    assert resolve_day_month(27, 11, None, None, date(2025, 1, 10)) == "2024-11-27"
    assert resolve_day_month(27, 11, None, 4, date(2025, 1, 10)) == "2025-11-27"
    assert times("Rabu, 27 November", "id", date(2025, 1, 10)) == [
        ("Rabu, 27 November", "2024-11-27")]


def test_weekday_alone_looks_back_unless_the_sentence_is_about_the_future():
    friday = date(2024, 6, 14)
    assert resolve_weekday(4, friday) == "2024-06-13"
    assert resolve_weekday(5, friday) == "2024-06-14"
    assert resolve_weekday(4, friday, future=True) == "2024-06-20"


@pytest.mark.parametrize("lang,text,want", [
    ("bg", "Министрите се срещнаха на 13 юни 2024 г. в Астана.", [("13 юни 2024", "2024-06-13")]),
    ("bg", "Вчера министърът заяви, че в сряда ще подпише.", [("Вчера", "2024-06-13"),
                                                          ("сряда", "2024-06-12")]),
    ("en", "They met on June 13, 2024 and again on 14.06.2024.", [
        ("June 13, 2024", "2024-06-13"), ("14.06.2024", "2024-06-14")]),
    ("id", "Ekspor akan naik pada 2030, kata menteri kemarin.", [("2030", "2030"),
                                                                 ("kemarin", "2024-06-13")]),
    ("id", "Laporan Juni 2024 terbit.", [("Juni 2024", "2024-06")]),
])
def test_expressions_in_three_languages(lang, text, want):
    assert times(text, lang, date(2024, 6, 14)) == want


def test_impossible_dates_and_clock_times_are_not_dates():
    assert times("pukul 10.15 WIB dan 31/02", "id", date(2024, 6, 14)) == [("31/02", None)]


def test_published_field_in_several_formats():
    assert parse_published("2024-06-14T08:00:00+07:00") == date(2024, 6, 14)
    assert parse_published("Kamis, 13 Juni 2024 10:15 WIB") == date(2024, 6, 13)
    assert parse_published("13.06.2024") == date(2024, 6, 13)
    assert parse_published("not a date") is None
    assert parse_published(None) is None
