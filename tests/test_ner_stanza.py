"""The ``stanza`` NER backend over a tiny real Stanza NER model built and trained here.

The model is Stanza's own BiLSTM-CRF tagger (`stanza.models.ner.trainer.Trainer`) with tiny
dimensions, no pretrained word vectors, no character LM and no transformer, trained in
about a second on random word sequences with names in them, and saved with
``Trainer.save`` where ``stanza.download`` would put it (``LANG/ner/tiny.pt`` next to a
``resources.json``). Its tags are OntoNotes-like (PERSON, GPE, DATE) and CoNLL-like (LOC),
so the label mapping is tested end to end. No tokenizer model is built: the backend reads
lintas' tokens (``pretokenized=True``), or, for English, Stanza's spaCy tokenizer variant,
which tokenizes the raw text and gives offsets into it.
"""

from __future__ import annotations

import json
import random
import re
import shutil
import sys
from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("stanza")

from pipeline.backends.ner_stanza import StanzaNer, lintas_sentences, parse_lang_map  # noqa: E402
from pipeline.core.document import Document, Span  # noqa: E402
from pipeline.core.errors import MissingDependency  # noqa: E402

FILLER = "the president met with officials in said talks were good on a".split()
ENTITIES = [(["Kassym", "Tokayev"], "PERSON"), (["Tokayev"], "PERSON"), (["Astana"], "GPE"),
            (["Almaty"], "LOC"), (["Monday"], "DATE")]
TEXT = ("Президент  Kassym Tokayev met officials\tin Astana on Monday.\n"
        "Tokayev said talks in Almaty were good.")
EXPECTED = [("Kassym Tokayev", "PER", 11, 25), ("Astana", "LOC", 43, 49),
            ("Tokayev", "PER", 61, 68), ("Almaty", "LOC", 83, 89)]


@pytest.fixture(scope="module", autouse=True)
def _one_thread(torch_one_thread):
    yield


@pytest.fixture(autouse=True)
def offline(no_network):
    """Any network connection fails the test (Stanza must not fetch resources.json)."""


def _train(path: Path) -> None:
    """Train Stanza's NER tagger with tiny dimensions and save it to ``path``."""
    from stanza.models import ner_tagger
    from stanza.models.common.doc import Document as StanzaDocument
    from stanza.models.ner.data import DataLoader
    from stanza.models.ner.trainer import Trainer

    rng = random.Random(0)
    sentences = []
    for _ in range(60):
        words = []
        for _ in range(rng.randint(3, 10)):
            if rng.random() < 0.3:
                names, kind = rng.choice(ENTITIES)
                for k, w in enumerate(names):
                    prefix = "S" if len(names) == 1 else ("B" if k == 0 else "E")
                    words.append((w, f"{prefix}-{kind}"))
            else:
                words.append((rng.choice(FILLER), "O"))
        sentences.append([{"id": (k + 1,), "text": w, "ner": tag}
                          for k, (w, tag) in enumerate(words)])
    args = ner_tagger.parse_args([
        "--shorthand", "xx_tiny", "--no_pretrain", "--word_emb_dim", "16",
        "--char_emb_dim", "8", "--char_hidden_dim", "8", "--hidden_dim", "16",
        "--dropout", "0", "--word_dropout", "0", "--optim", "adam", "--lr", "0.01",
        "--batch_size", "16", "--cpu"])
    torch.manual_seed(0)
    random.seed(0)  # the loader shuffles with `random`
    data = DataLoader(StanzaDocument(sentences), args["batch_size"], args, evaluation=False)
    trainer = Trainer(args=args, vocab=data.vocab, device="cpu")
    for _ in range(15):
        for batch in data:
            trainer.update(batch)
    path.parent.mkdir(parents=True, exist_ok=True)
    trainer.save(str(path))


def _entry(deps: list[dict[str, str]] | None = None) -> dict:
    """A language of resources.json as stanza.download writes it: a tokenizer package
    ``tiny`` (whose file is not there) and the NER package ``tiny``."""
    ner = {"tiny": {"dependencies": deps} if deps else {}}
    default = {"tokenize": "tiny", "ner": "tiny"}
    return {"lang_name": "x", "tokenize": {"tiny": {}}, "ner": ner,
            "default_processors": default, "packages": {"default": default}}


@pytest.fixture(scope="module")
def resources(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("stanza_resources")
    _train(folder / "kk" / "ner" / "tiny.pt")
    # en: the same model; ru: the same, but it depends on word vectors that are not there
    for lang in ("en", "ru"):
        (folder / lang / "ner").mkdir(parents=True)
        shutil.copy(folder / "kk" / "ner" / "tiny.pt", folder / lang / "ner" / "tiny.pt")
    res = {"kk": _entry(), "en": _entry(), "kazakh": {"alias": "kk"},
           "ru": _entry([{"model": "pretrain", "package": "conll17"}]),
           "de": _entry()}  # in resources.json, but no file on disk
    (folder / "resources.json").write_text(json.dumps(res), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def pretokenized(resources) -> StanzaNer:
    return StanzaNer(model_dir=str(resources), pretokenized=True, lang="kz:kk")


@pytest.fixture(scope="module")
def raw_english(resources) -> StanzaNer:
    return StanzaNer(model_dir=str(resources), tokenize_package="spacy")


def _doc(text: str, lang: str, tokens: bool = False) -> Document:
    doc = Document(doc_id="d", source="test", text=text, lang=lang)
    if tokens:  # what the segment stage sets: sentences, and tokens as (starts, ends)
        found = [(m.start(), m.end()) for m in re.finditer(r"\S+", text)]
        doc.tokens = ([s for s, _ in found], [e for _, e in found])  # type: ignore[assignment]
        doc.sentences = [Span(0, len(text))]
    return doc


def _found(backend: StanzaNer, doc: Document, text: str) -> list[tuple[str, str, int, int]]:
    mentions = backend.find(doc, text)
    for m in mentions:
        assert text[m.start:m.end] == m.text
        assert m.source == "stanza" and m.confidence == 0.75
    return [(m.text, m.label, m.start, m.end) for m in mentions]


def test_pretokenized_real_model(pretokenized):
    """Before segmentation (no doc.tokens): words and punctuation per line; PERSON -> PER,
    GPE and LOC -> LOC, DATE dropped; offsets exact in the original text."""
    assert _found(pretokenized, _doc(TEXT, "kk"), TEXT) == EXPECTED
    assert pretokenized.version("kk") == "stanza kk ner=tiny"  # no unpinned version in records


def test_pretokenized_reads_lintas_tokens(pretokenized):
    """With doc.tokens the model reads those tokens (here: whitespace-separated, so
    "Astana," is one token, tagged as a whole); blanked boilerplate is skipped."""
    original = "Kassym Tokayev met officials in Almaty,\nRead more at Example\nAstana said"
    doc = _doc(original, "kk", tokens=True)
    text = original.replace("Read more at Example", " " * 20)  # as clean_text blanks it
    found = _found(pretokenized, doc, text)
    assert ("Kassym Tokayev", "PER", 0, 14) in found
    assert ("Astana", "LOC", 61, 67) in found
    assert all(name in ("Kassym Tokayev", "Astana", "Almaty,") for name, *_ in found)
    sents = lintas_sentences(doc, text)
    assert [[text[s:e] for s, e in sent] for sent in sents] == [
        ["Kassym", "Tokayev", "met", "officials", "in", "Almaty,"], ["Astana", "said"]]


def test_stanza_tokenizer_offsets_into_the_original_text(raw_english):
    """Stanza tokenizes the raw text itself (spaCy variant): its start_char / end_char are
    used as they are."""
    assert _found(raw_english, _doc(TEXT, "en"), TEXT) == EXPECTED
    # Stanza allows its spaCy tokenizer for English only: a clear error for the others
    with pytest.raises(MissingDependency, match="the Stanza pipeline for 'kk'"):
        raw_english.find(_doc(TEXT, "kk"), TEXT)


@pytest.mark.parametrize("mode", ["pretokenized", "raw_english"])
def test_names_never_cross_a_line_break(mode, request):
    backend = request.getfixturevalue(mode)
    text = "the president met Kassym\nTokayev in Astana"
    found = _found(backend, _doc(text, "en"), text)
    assert all("\n" not in name for name, *_ in found)
    assert ("Tokayev", "PER", 25, 32) in found and ("Astana", "LOC", 36, 42) in found


def test_batch_of_languages(pretokenized):
    texts = ["Tokayev met officials", "", "talks in Almaty", "   \n  "]
    docs = [_doc(texts[0], "kk"), _doc(texts[1], "kk"), _doc(texts[2], "kazakh"),
            _doc(texts[3], "kk")]
    found = pretokenized.find_batch(docs, texts)
    assert [[(m.text, m.label) for m in ms] for ms in found] == [
        [("Tokayev", "PER")], [], [("Almaty", "LOC")], []]


def test_supports_only_what_is_on_disk(resources, pretokenized, tmp_path):
    assert pretokenized.supports("kk") and pretokenized.supports("kazakh")
    assert pretokenized.supports("kz")  # lang="kz:kk"
    assert pretokenized.version("kz").endswith("kk ner=tiny")
    assert not pretokenized.supports("ru")  # its word vectors are missing
    assert not pretokenized.supports("de")  # no model file
    assert not pretokenized.supports("fr")  # not in resources.json
    assert not pretokenized.supports("und")
    # Stanza's own tokenizer: its model file is not there either
    assert not StanzaNer(model_dir=str(resources)).supports("kk")
    # no resources folder at all
    assert not StanzaNer(model_dir=str(tmp_path / "none"), pretokenized=True).supports("kk")


def test_resources_folder_from_the_environment(resources, monkeypatch):
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(resources))
    assert StanzaNer(pretokenized=True).supports("kk")


def test_unsupported_language_is_a_clear_error(pretokenized):
    with pytest.raises(MissingDependency, match=r"\[L001\] a Stanza NER model for 'de'"):
        pretokenized.find(_doc("Tokayev", "de"), "Tokayev")


def test_missing_stanza_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "stanza", None)
    with pytest.raises(MissingDependency, match=r'pip install "lintas\[stanza\]"'):
        StanzaNer()


def test_lang_map_option():
    assert parse_lang_map("zh:zh-hans, no:nb") == {"zh": "zh-hans", "no": "nb"}
    assert parse_lang_map({"kz": "kk"}) == {"kz": "kk"}
    assert parse_lang_map(None) == {}


def test_types_lintas_keeps(pretokenized):
    text = "Ann IBM Paris Oslo Cafe Euro Danes May"
    ents = [(0, 3, "PERSON"), (4, 7, "ORG"), (8, 13, "GPE"), (14, 18, "LOC"), (19, 23, "FAC"),
            (24, 28, "MISC"), (29, 34, "NORP"), (35, 38, "DATE"), (None, None, "PER")]
    assert [(m.text, m.label) for m in pretokenized._mentions(text, ents)] == [
        ("Ann", "PER"), ("IBM", "ORG"), ("Paris", "LOC"), ("Oslo", "LOC"), ("Cafe", "LOC"),
        ("Euro", "MISC")]


def test_a_name_across_a_line_break_is_cut(pretokenized):
    """Should Stanza's tokenizer put a line break inside a name, lintas gets its lines."""
    text = "met Kassym \n  Tokayev\n"
    assert [(m.text, m.start, m.end) for m in pretokenized._mentions(text, [(4, 21, "PER")])] \
        == [("Kassym", 4, 10), ("Tokayev", 14, 21)]


@pytest.mark.parametrize("options", [{"pretokenized": True}, {"tokenize_package": "spacy"}])
def test_in_the_pipeline(resources, options):
    """``lintas run --ner stanza`` with the resources folder as the backend's option; with
    ``pretokenized`` the model reads the segment stage's tokens."""
    from pipeline.core.core import PipelineConfig, build_pipeline

    config = PipelineConfig(stages=("clean", "langid", "segment", "entities"),
                            ner_backends=("stanza",),
                            ner_options={"stanza": {"model_dir": str(resources), **options}})
    text = "Kassym Tokayev met officials in Astana.\nTokayev said talks were good."
    doc = build_pipeline(config)(Document("d", "test", text, lang_hint="en"))
    assert doc.extractors["ner"].startswith("stanza ") and doc.extractors["ner"].endswith(
        "en ner=tiny")
    assert [(m.text, m.label, m.start, m.end) for m in doc.mentions] == [
        ("Kassym Tokayev", "PER", 0, 14), ("Astana", "LOC", 32, 38), ("Tokayev", "PER", 40, 47)]
