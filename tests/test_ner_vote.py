"""Majority vote of several NER models (pipeline.backends.ner_spacy.vote)."""

from __future__ import annotations

from pipeline.backends.ner_spacy import vote
from pipeline.document import Mention


def m(start: int, end: int, label: str, source: str = "spacy") -> Mention:
    return Mention(start, end, "x" * (end - start), label, source, 0.8)


def test_a_mention_needs_a_majority_with_the_same_span_and_label():
    main = [m(0, 5, "PER"), m(10, 14, "ORG"), m(20, 25, "LOC")]
    second = [m(0, 5, "PER"), m(10, 14, "LOC"), m(30, 35, "ORG")]
    third = [m(0, 5, "PER"), m(10, 14, "ORG"), m(30, 35, "ORG"), m(40, 41, "LOC")]
    (kept,) = vote([[main], [second], [third]])
    assert [(x.start, x.end, x.label) for x in kept] == [(0, 5, "PER"), (10, 14, "ORG"),
                                                        (30, 35, "ORG")]
    assert kept[0] is main[0]  # the main model's mention object where it has one


def test_one_model_is_its_own_vote_and_texts_stay_apart():
    texts = [[m(0, 3, "PER")], [m(4, 9, "LOC")]]
    assert vote([texts]) == texts
    two = vote([texts, [[m(0, 3, "PER")], []]])
    assert [[(x.start, x.label) for x in t] for t in two] == [[(0, "PER")], []]
