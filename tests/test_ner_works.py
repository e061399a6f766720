"""Titles of works are not entities (pipeline/ner/works.py).

The sentences were written for these tests; the end-to-end ones run the shipped models,
which tag the titles (checked by the developers with the rule switched off).
"""

from __future__ import annotations

import pytest

from pipeline.core.document import Mention
from pipeline.ner.works import work_titles
from test_ner_models import ents, needs_models
from test_ner_rules import mention, spans, tokens


@needs_models
@pytest.mark.parametrize("lang, text, title, kept", [
    ("id", 'Penyanyi Rina Sutanto merilis singel ketiganya, " Langit Biru Jakarta ", pada '
           'Maret.', "Langit Biru Jakarta", ("Rina Sutanto", "PER")),
    ("bg", "Певицата Мария Илиева представи песента „Ледена кралица“ в София.",
     "Ледена кралица", ("Мария Илиева", "PER")),
    ("en", "Singer Anna Berg released an album in Oslo, and starred in Silent Harbour (2015) "
           "with John Miller.", "Silent Harbour", ("John Miller", "PER")),
])
def test_titles_of_works_are_not_entities(lang, text, title, kept):
    found = ents(text, lang)
    assert kept in found
    assert not any(t == title for t, _ in found), found


def test_quoted_title_after_a_work_noun_and_its_repeats_are_dropped():
    text = 'Lagu itu, lagu " Bintang Timur ", dinyanyikan Dewi. Bintang Timur populer.'
    ms = [mention(text, "Bintang Timur", "ORG"), mention(text, "Dewi", "PER"),
          mention(text, "Bintang Timur", "ORG", nth=1)]
    assert spans(work_titles(ms, tokens(text, "id"))) == [("Dewi", "PER")]


def test_the_maker_after_a_work_noun_stays():
    # Indonesian puts the owner after the noun: "album Yesung" is Yesung's album
    text = "Ia menyukai lagu Pink Floyd dan album Raisa ( 2011 - 2013 )."
    ms = [mention(text, "Pink Floyd", "ORG"), mention(text, "Raisa", "PER")]
    assert spans(work_titles(ms, tokens(text, "id"))) == spans(ms)


def test_a_year_in_brackets_marks_a_title_unless_the_gazetteer_knows_the_name():
    text = "Ia bermain dalam Rumah Kita (2019) dan tinggal di Jakarta (2019)."
    ms = [mention(text, "Rumah Kita", "ORG"), mention(text, "Jakarta", "LOC")]
    ms[1] = Mention(ms[1].start, ms[1].end, ms[1].text, "LOC", "gazetteer", 0.9,
                    canonical={"key": "Q3630", "name": "Jakarta"})
    assert spans(work_titles(ms, tokens(text, "id"))) == [("Jakarta", "LOC")]
