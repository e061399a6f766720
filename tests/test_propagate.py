"""Propagation of model labels to untagged repeats, and window cutting for long texts."""

from __future__ import annotations

from pipeline.backends.ner_spacy import windows
from pipeline.clean import Clean
from pipeline.document import Document, Mention
from pipeline.propagate import propagate
from pipeline.segment import Segment


def tokens(text: str):
    doc = Segment()(Clean()(Document("d", "d", text, lang="id")))
    return doc.tokens


def test_repeats_and_surnames_get_the_label():
    text = ("Juru Bicara Kremlin Dmitry Peskov berbicara. Kata Peskov, Kremlin siap. "
            "Dmitry Peskov menambahkan bahwa Kremlin setuju.")
    starts, ends = tokens(text)
    s = text.index("Dmitry Peskov")
    k = text.index("Kremlin")
    tagged = [Mention(k, k + 7, "Kremlin", "ORG", "spacy", 0.8),
              Mention(s, s + 13, "Dmitry Peskov", "PER", "spacy", 0.8)]
    out = propagate(tagged, text, starts, ends, "spacy")
    got = [(m.text, m.label, m.start) for m in out]
    assert ("Peskov", "PER", text.index("Peskov,")) in got
    assert ("Dmitry Peskov", "PER", text.rindex("Dmitry Peskov")) in got
    assert sum(1 for t, lab, _ in got if t == "Kremlin" and lab == "ORG") == 3
    assert len(got) == 6
    assert all(text[m.start:m.end] == m.text for m in out)


def test_nothing_to_propagate():
    assert propagate([], "Tidak ada nama.", [0], [5], "spacy") == []


def test_windows_keep_sentences_whole_and_cover_every_token():
    sent_starts = [0, 300, 700, 1500, 1600]
    ws = windows(2000, sent_starts, size=1000, overlap=64)
    assert ws[0] == (0, 700, 0, 700)
    assert [w[:2] for w in ws] == [(0, 700), (700, 1600), (1600, 2000)]
    # a 2500-token sentence: overlapping windows whose kept parts tile it exactly
    ws = windows(2500, [0], size=1000, overlap=64)
    kept = [(kf, kt) for _, _, kf, kt in ws]
    assert kept[0][0] == 0 and kept[-1][1] == 2500
    assert all(a[1] == b[0] for a, b in zip(kept, kept[1:]))
    assert all(e - s <= 1000 for s, e, _, _ in ws)
