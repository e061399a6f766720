"""Sentences and tokens per language, with offsets into the original text."""

from __future__ import annotations

import pytest

from pipeline.stages.clean import Clean
from pipeline.core.document import Document
from pipeline.stages.segment import Segment, chunks
from pipeline.text.blank import blank_pipeline
from texts import BG, EN, ID, MS


def segment(text: str, lang: str) -> Document:
    return Segment()(Clean()(Document("d", "d", text, lang=lang)))


@pytest.mark.parametrize("text,lang,n", [(ID, "id", 3), (BG, "bg", 3), (EN, "en", 2),
                                         (MS, "ms", 2)])
def test_sentences_and_tokens_point_into_text(text, lang, n):
    doc = segment(text, lang)
    assert len(doc.sentences) == n
    starts, ends = doc.tokens
    assert len(starts) > 10
    for s, e in zip(starts, ends):
        assert text[s:e].strip() == text[s:e] != ""
    for sent in doc.sentences:
        assert text[sent.start:sent.end].strip() == text[sent.start:sent.end]


def test_line_break_ends_a_sentence_without_a_full_stop():
    text = "Kunjungi Kazakhstan, Putin Bahas Energi\nJAKARTA - Presiden Rusia tiba hari ini."
    doc = segment(text, "id")
    assert [text[s.start:s.end] for s in doc.sentences] == [
        "Kunjungi Kazakhstan, Putin Bahas Energi", "JAKARTA - Presiden Rusia tiba hari ini."]


def test_indonesian_reduplication_stays_one_token_like_spacy():
    import spacy

    text = "Negara-negara Asia Tengah dan perusahaan-perusahaan Rusia-Ukraina."
    ours = [t.text for t in blank_pipeline("id")(text)]
    assert ours == [t.text for t in spacy.blank("id")(text)]
    assert "Negara-negara" in ours


def test_unknown_or_undetermined_language_falls_back_to_multilingual():
    assert blank_pipeline("und").lang == "xx"
    assert blank_pipeline("zz").lang == "xx"
    assert segment("Hello there. Second one.", "und").sentences


def test_long_text_is_chunked_at_line_breaks_with_same_result():
    para = ID + "\n"
    text = para * 400  # about 130k characters: more than one chunk
    parts = chunks(text, 50_000)
    assert len(parts) >= 3 and parts[0][0] == 0 and parts[-1][1] == len(text)
    assert all(text[e - 1] == "\n" for _, e in parts[:-1])
    doc = segment(text, "id")
    one = segment(para, "id")
    assert len(doc.sentences) == 400 * len(one.sentences)
    assert len(doc.tokens[0]) == 400 * len(one.tokens[0])


def test_sentence_after_extra_whitespace_still_starts():
    text = "Rusia menolak.  Kazakhstan setuju.\n\n  Uzbekistan diam."
    doc = segment(text, "id")
    assert [text[s.start:s.end] for s in doc.sentences] == [
        "Rusia menolak.", "Kazakhstan setuju.", "Uzbekistan diam."]


TRICKY = {
    "en": "Dr. Smith (cannot) come... \"Why?!\" he asked. U.S. firms, e.g. Exxon, pay $5bn!! Ok",
    "id": "Rp500 juta (kata-nya) dibayar 10km. Dr. Ali: \"Benarkah?\" ...Ya!! Jl. Sudirman No.5",
    "bg": "Г-н Иванов каза: „Не!“ … После? Да. Т.нар. 5 млн. лв. се дадоха (в т.ч. ДДС).",
}


@pytest.mark.parametrize("lang", sorted(TRICKY))
def test_tokens_and_sentences_are_spacys_own(lang):
    """The letters fast path and the array sentencizer change nothing spaCy would do."""
    import spacy
    from spacy.attrs import IS_PUNCT, ORTH

    from pipeline.stages.segment import sentence_punct, sentence_starts

    text = TRICKY[lang] + " " + {"en": EN, "id": ID, "bg": BG}[lang]
    ref = spacy.blank(lang)
    ref.add_pipe("sentencizer")
    want = ref(text)
    ours = blank_pipeline(lang)(text)
    assert [t.text for t in ours] == [t.text for t in want]
    starts = sentence_starts(ours.to_array([ORTH]), ours.to_array([IS_PUNCT]) == 1,
                             sentence_punct())
    assert starts.tolist() == [bool(t.is_sent_start) for t in want]
    assert sum(starts) >= 4
