"""Majority vote of several NER models (pipeline.backends.ner_spacy.vote)."""

from __future__ import annotations

import pytest

from pipeline.backends.ner_spacy import SpacyNer, member_folders, vote
from pipeline.core.document import Document, Mention
from pipeline.lexicon.lexicons import models_dir
from pipeline.stages.segment import Segment


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


def test_shipped_indonesian_members_vote():
    """`lintas run --vote` loads the Indonesian members (models/ner-id/members) and keeps a
    name only when at least three of the five models find it alike, on a text written for
    this test."""
    folders = [models_dir() / "ner-id", *member_folders(models_dir() / "ner-id")]
    if len(folders) < 5:
        pytest.skip("models/ner-id/members is not built")
    text = ("Presiden Joko Widodo bertemu Menteri Luar Negeri Retno Marsudi di Jakarta pada hari "
            "Senin untuk membahas ekspor nikel ke Korea Selatan bersama Hyundai Motor Group. "
            "Kepala Badan Koordinasi Penanaman Modal Bahlil Lahadalia ikut hadir di Istana Bogor.")
    doc = Segment()(Document("t", "t", text, lang="id"))
    raw = dict(require_capital=False)
    alone = [{(m.start, m.end, m.label) for m in SpacyNer(model_dir=str(f), **raw).find(doc, text)}
             for f in folders]
    backend = SpacyNer(vote=True, **raw)
    voted = {(m.start, m.end, m.label) for m in backend.find(doc, text)}
    assert backend.version("id").endswith("(vote of 5)")
    majority = {k for k in set().union(*alone) if sum(k in a for a in alone) >= 3}
    assert voted == majority
    assert {(text[s:e], lab) for s, e, lab in voted} >= {
        ("Joko Widodo", "PER"), ("Retno Marsudi", "PER"), ("Jakarta", "LOC")}
