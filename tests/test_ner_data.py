"""Readers of the NER data formats, on small files written here in each format."""

from __future__ import annotations

import pytest

from conftest import write
from pipeline.training.ner_data import bio_to_spans, read_examples

CONLL_TAB = """Presiden\tO
Joko\tB-PERSON
Widodo\tI-PERSON
mengunjungi\tO
Kementerian\tB-ORGANISATION
Energi\tI-ORGANISATION
di\tO
Jakarta\tB-PLACE
.\tO

Pertamina\tB-IND
ekspor\tO
ke\tO
Jepang\tB-PLC
saat\tO
Lebaran\tB-EVT
"""
CONLL_UPOS = "Rosatom PROPN B-ORG\nmembangun VERB O\ndi ADP O\nKazakhstan PROPN B-LOC\n"
WIKIANN = "bg:Марко\tB-PER\nbg:Рубио\tI-PER\nbg:посети\tO\nbg:Астана\tB-LOC\n"


def test_token_tab_bio_with_label_mapping(tmp_path):
    ex = read_examples(write(tmp_path / "a.txt", CONLL_TAB))
    assert len(ex) == 2
    got = [(ex[0].text[s:e], lab) for s, e, lab in ex[0].spans]
    assert got == [("Joko Widodo", "PER"), ("Kementerian Energi", "ORG"), ("Jakarta", "LOC")]
    # NERP's IND/PLC map to ORG/LOC; EVT is dropped
    assert [(ex[1].text[s:e], lab) for s, e, lab in ex[1].spans] == [
        ("Pertamina", "ORG"), ("Jepang", "LOC")]
    assert ex[0].words[:3] == ["Presiden", "Joko", "Widodo"]


def test_token_upos_bio_and_wikiann_prefix(tmp_path):
    ex = read_examples(write(tmp_path / "b.txt", CONLL_UPOS))
    assert [(ex[0].text[s:e], lab) for s, e, lab in ex[0].spans] == [
        ("Rosatom", "ORG"), ("Kazakhstan", "LOC")]
    ex = read_examples(write(tmp_path / "c.txt", WIKIANN), "bg")
    assert ex[0].words == ["Марко", "Рубио", "посети", "Астана"]
    assert [(ex[0].text[s:e], lab) for s, e, lab in ex[0].spans] == [
        ("Марко Рубио", "PER"), ("Астана", "LOC")]


def test_slavicner_offsets_over_raw_text(tmp_path):
    raw = "Газпром спря доставките за България.\nПутин говори в Москва."
    write(tmp_path / "corp" / "raw" / "gas" / "bg" / "d1.txt", raw)
    tsv = ("0\t7\tГазпром\tГазпром\tORG\tORG-Gazprom\n"
           "27\t35\tБългария\tБългария\tLOC\tGPE-Bulgaria\n"
           "37\t42\tПутин\tПутин\tPER\tPER-Vladimir-Putin\n"
           "52\t58\tМосква\tМосква\tLOC\tGPE-Moscow\n")
    write(tmp_path / "corp" / "ner" / "gas" / "bg" / "d1.tsv", tsv)
    for path in (tmp_path / "corp", tmp_path / "corp" / "ner" / "gas"):
        ex = read_examples(path, "bg")
        assert len(ex) == 1
        assert [(raw[s:e], lab) for s, e, lab in ex[0].spans] == [
            ("Газпром", "ORG"), ("България", "LOC"), ("Путин", "PER"), ("Москва", "LOC")]
    with pytest.raises(FileNotFoundError):
        read_examples(tmp_path / "corp", "ru")


def test_stray_inside_tag_starts_an_entity():
    text, spans = bio_to_spans(["di", "Asia", "Tengah"], ["O", "I-LOC", "I-LOC"])
    assert [(text[s:e], lab) for s, e, lab in spans] == [("Asia Tengah", "LOC")]


def test_documents_split_into_lines_and_weighted_paths():
    from pipeline.training.ner_data import NerExample, parse_weighted, split_lines

    text = "Путин говори.\n\nГазпром спря газа за България."
    ex = NerExample(text, [(0, 5, "PER"), (15, 22, "ORG"), (36, 44, "LOC")])
    parts = split_lines(ex)
    assert [p.text for p in parts] == ["Путин говори.", "Газпром спря газа за България."]
    assert [[p.text[s:e] for s, e, _ in p.spans] for p in parts] == [["Путин"], ["Газпром", "България"]]
    assert parse_weighted("a/b*3") == ("a/b", 3) and parse_weighted("a*b") == ("a*b", 1)


UNER = """# newdoc id = d1
# sent_id = s1
# text = Dr. Tokayev met Rio Tinto's chief in Astana.
1\tDr.\tO\t-\t-
2\tTokayev\tB-PER\t-\ta
3\tmet\tO\t-\t-
4\tRio\tB-ORG\t-\ta
5\tTinto\tI-ORG\t-\ta
6\t's\tO\t-\t-
7\tchief\tO\t-\t-
8\tin\tO\t-\t-
9\tAstana\tB-LOC\t-\ta
10\t.\tO\t-\t-

# sent_id = s2
# text = Gostou das notícias de Lisboa.
1\tGostou\tO\t-\t-
2\tde\tO\t-\t-
3\tas\tO\t-\t-
4\tnotícias\tO\t-\t-
5\tde\tO\t-\t-
6\tLisboa\tB-LOC\t-\ta
7\t.\tB-OTH\t-\ta
"""


def test_uner_on_the_sentence_text_or_on_joined_words(tmp_path):
    ex = read_examples(write(tmp_path / "x-ud-dev.iob2", UNER))
    assert len(ex) == 2
    # tokens found in the sentence's own text: spans point into it
    assert ex[0].text == "Dr. Tokayev met Rio Tinto's chief in Astana."
    assert [(ex[0].text[s:e], lab) for s, e, lab in ex[0].spans] == [
        ("Tokayev", "PER"), ("Rio Tinto", "ORG"), ("Astana", "LOC")]
    # syntactic words ("de as" for "das") are not the text: words joined by spaces; OTH dropped
    assert ex[1].text.startswith("Gostou de as notícias")
    assert [(ex[1].text[s:e], lab) for s, e, lab in ex[1].spans] == [("Lisboa", "LOC")]


def test_sentences_packed_one_per_line_with_documents_kept_whole(tmp_path):
    from pipeline.training.ner_data import NerExample, pack_sentences

    sents = read_examples(write(tmp_path / "a.txt", CONLL_TAB), "id")
    doc = NerExample("Газпром спря газа.", [(0, 7, "ORG")], "doc")
    packed = pack_sentences(sents + [doc] + sents[:1], per_doc=5)
    assert [p.text.count("\n") for p in packed] == [1, 0, 0]
    first = packed[0]
    assert first.text.split("\n") == [s.text for s in sents]
    assert [first.text[s:e] for s, e, _ in first.spans] == [
        "Joko Widodo", "Kementerian Energi", "Jakarta", "Pertamina", "Jepang"]
    assert packed[1] is doc and packed[2].text == sents[0].text
    # a group closes at per_doc sentences; 0 packs nothing
    assert len(pack_sentences(sents, per_doc=1)) == 2
    assert pack_sentences(sents, per_doc=0) == sents


def test_training_windows_pack_token_file_sentences(tmp_path):
    from pipeline.learned.e5tokenizer import build_tokenizer
    from pipeline.training.train_transformer import build_data, load_config
    from pipeline.learned.token_windows import LABELS

    write(tmp_path / "a.txt", CONLL_TAB)
    recipe = {"data_root": str(tmp_path), "sources": [{"path": "a.txt", "lang": "id"}]}
    cfg_path = write(tmp_path / "train.json", __import__("json").dumps(recipe))
    tok = build_tokenizer()
    single = build_data(load_config(cfg_path), tok, lambda m: None)
    packed = build_data({**load_config(cfg_path), "pack_sentences": 40}, tok, lambda m: None)
    assert len(single) == 2 and len(packed) == 1
    # the packed window holds both sentences' tokens and every label they had
    assert len(packed[0][0]) == sum(len(ids) for ids, _ in single)
    begins = [LABELS[i] for i in packed[0][1] if LABELS[i].startswith("B-")]
    assert begins == ["B-PER", "B-ORG", "B-LOC", "B-ORG", "B-LOC"]
