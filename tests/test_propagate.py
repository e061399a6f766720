"""Propagation of model labels to untagged repeats, and window cutting for long texts."""

from __future__ import annotations

from pipeline.backends.ner_spacy import windows
from pipeline.stages.clean import Clean
from pipeline.core.document import Document, Mention
from pipeline.ner.propagate import propagate, repeated_names
from pipeline.stages.segment import Segment
from pipeline.text.tokens import Tokens


def tokens(text: str) -> Tokens:
    doc = Segment()(Clean()(Document("d", "d", text, lang="id")))
    return doc.tokens


def test_repeats_and_surnames_get_the_label():
    text = ("Juru Bicara Kremlin Dmitry Peskov berbicara. Kata Peskov, Kremlin siap. "
            "Dmitry Peskov menambahkan bahwa Kremlin setuju.")
    s = text.index("Dmitry Peskov")
    k = text.index("Kremlin")
    tagged = [Mention(k, k + 7, "Kremlin", "ORG", "spacy", 0.8),
              Mention(s, s + 13, "Dmitry Peskov", "PER", "spacy", 0.8)]
    out = propagate(tagged, tokens(text), "spacy")
    got = [(m.text, m.label, m.start) for m in out]
    assert ("Peskov", "PER", text.index("Peskov,")) in got
    assert ("Dmitry Peskov", "PER", text.rindex("Dmitry Peskov")) in got
    assert sum(1 for t, lab, _ in got if t == "Kremlin" and lab == "ORG") == 3
    assert len(got) == 6
    assert all(text[m.start:m.end] == m.text for m in out)


def test_a_name_tagged_whole_is_whole_where_the_model_cut_it():
    """The lead tags the ministry whole; lower down the model cut the same words into four
    names: they become the one name. An untagged repeat stays untagged, a repeat across a
    line break is no name, and a route of two places is not spread."""
    name = "Kementerian Perindustrian, Perdagangan, dan Sumber Daya Korea Selatan"
    text = (f"{name} mengumumkan kerja sama. Sementara itu, {name} dan Kementerian Energi "
            f"Kazakhstan menandatangani MoU. {name} hadir.\nKementerian Perindustrian, "
            "Perdagangan, dan Sumber Daya Korea\nSelatan juga. Bruksela-Charleroi i "
            "Bruksela-Charleroi.")
    second = text.index(name, 1)
    pieces = [("Kementerian Perindustrian", "ORG"), ("Perdagangan", "ORG"),
              ("Sumber Daya", "ORG"), ("Korea Selatan", "LOC")]
    tagged = [Mention(0, len(name), name, "ORG", "transformer", 0.8)]
    for piece, label in pieces:
        at = text.index(piece, second)
        tagged.append(Mention(at, at + len(piece), piece, label, "transformer", 0.8))
    broken = text.index("Kementerian Perindustrian, \nP".replace(" \nP", " P"),
                        text.index("\n"))
    tagged.append(Mention(broken, broken + 25, "Kementerian Perindustrian", "ORG",
                          "transformer", 0.8))
    route = text.index("Bruksela-Charleroi")
    tagged.append(Mention(route, route + 18, "Bruksela-Charleroi", "LOC", "transformer", 0.8))
    tagged.append(Mention(text.rindex("Bruksela"), text.rindex("Bruksela") + 8, "Bruksela",
                          "LOC", "transformer", 0.8))
    out = repeated_names(sorted(tagged, key=lambda m: m.start), tokens(text), "rules")
    got = [(m.start, m.text, m.label) for m in out]
    assert (second, name, "ORG") in got and not any(
        t == "Perdagangan" and s < text.index("\n") for s, t, _ in got)
    assert not any(t == name and s == text.rindex(name) for s, t, _ in got)  # untagged repeat
    assert all("\n" not in t for _, t, _ in got)
    assert (text.rindex("Bruksela"), "Bruksela", "LOC") in got
    assert all(text[m.start:m.end] == m.text for m in out)


def test_nothing_to_propagate():
    assert propagate([], Tokens([0], [5], "Tidak ada nama.", "id"), "spacy") == []


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
