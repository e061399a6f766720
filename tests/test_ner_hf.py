"""The ``hf`` NER backend over a tiny BERT built and trained here (no download, no network).

The model (hidden 32, 2 layers, a 25-word WordPiece vocabulary) learns in about a second to
tag "Kassym Tokayev" / "Tokayev" (two subwords: ``Tok ##ayev``) as PER and "Astana" /
"Almaty" as LOC, whatever the words around them.
"""

from __future__ import annotations

import json
import random
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
pytest.importorskip("transformers")

from pipeline.backends import available  # noqa: E402
from pipeline.backends.ner_hf import (  # noqa: E402
    ENV_MODEL, LINTAS_NAMES, HfNer, bio_name, first_subword, word_text)
from pipeline.core.document import Document  # noqa: E402
from pipeline.core.errors import MissingDependency  # noqa: E402
from pipeline.learned.token_windows import (  # noqa: E402
    Encoded, decode, encode_text, make_windows, pieces_of)

SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
FILLER = "the president met with officials in said talks were good on a day . ,".split()
NAME_PIECES = ["Kassym", "Tok", "##ayev", "Astana", "Almaty"]
LABELS = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"]
ENTITIES = [(["Kassym", "Tok", "##ayev"], "PER"), (["Tok", "##ayev"], "PER"),
            (["Astana"], "LOC"), (["Almaty"], "LOC")]


@pytest.fixture(scope="module", autouse=True)
def _one_thread(torch_one_thread):
    yield


@pytest.fixture(autouse=True)
def offline(no_network, monkeypatch):
    """No network at all; the hub library's own offline flag is set too."""
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


def _build(folder: Path) -> None:
    """Train the tiny tagger on random word sequences with names inserted, and save it."""
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    vocab = {w: i for i, w in enumerate(SPECIAL + FILLER + NAME_PIECES)}
    backend = Tokenizer(models.WordPiece(vocab, unk_token="[UNK]"))
    backend.normalizer = normalizers.BertNormalizer(lowercase=False)
    backend.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    backend.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]", special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    backend.decoder = decoders.WordPiece()
    tok = PreTrainedTokenizerFast(tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]",
                                  cls_token="[CLS]", sep_token="[SEP]", mask_token="[MASK]",
                                  model_max_length=64)
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2,
                        num_attention_heads=2, intermediate_size=64, max_position_embeddings=64,
                        num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                        label2id={name: i for i, name in enumerate(LABELS)})
    torch.manual_seed(0)
    model = BertForTokenClassification(config)
    rng = random.Random(0)

    def example() -> tuple[list[int], list[int]]:
        ids, labels = [], []
        for _ in range(rng.randint(1, 14)):
            if rng.random() < 0.3:
                pieces, kind = rng.choice(ENTITIES)
                for k, piece in enumerate(pieces):
                    ids.append(vocab[piece])
                    labels.append(LABELS.index(f"{'B' if k == 0 else 'I'}-{kind}"))
            else:
                ids.append(vocab[rng.choice(FILLER)])
                labels.append(0)
        return [2, *ids, 3], [-100, *labels, -100]

    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    model.train()
    for _ in range(150):
        batch = [example() for _ in range(16)]
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([i + [0] * (width - len(i)) for i, _ in batch])
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch])
        mask = (ids != 0).long()
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    model.save_pretrained(folder)
    tok.save_pretrained(folder)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hf") / "tiny-ner"
    _build(folder)
    return folder


@pytest.fixture(scope="module")
def ner(model_dir) -> HfNer:
    return HfNer(model=str(model_dir))


def _doc(text: str) -> Document:
    return Document(doc_id="d", source="test", text=text)


def _found(ner: HfNer, text: str) -> list[tuple[str, str, int, int]]:
    mentions = ner.find(_doc(text), text)
    for m in mentions:
        assert text[m.start:m.end] == m.text
        assert m.source == "hf" and 0.0 < m.confidence <= 1.0
    return [(m.text, m.label, m.start, m.end) for m in mentions]


def test_registered():
    assert {"hf", "stanza"} <= set(available("ner"))


def test_exact_offsets(ner):
    # tabs, double spaces, an unknown (Cyrillic) word and punctuation glued to names
    text = ("Президент  the president Kassym Tokayev met officials\tin Astana.\n"
            "Tokayev said talks with Almaty, were good.")
    assert _found(ner, text) == [
        ("Kassym Tokayev", "PER", 25, 39),
        ("Astana", "LOC", 57, 63),
        ("Tokayev", "PER", 65, 72),
        ("Almaty", "LOC", 89, 95),
    ]
    assert ner.version("kk") == "hf tiny-ner"
    assert ner.supports("und") and ner.supports("bg")


def test_name_on_window_border_found_once(model_dir):
    """Windows of 8 subwords overlapping by 3: "Tokayev" at every position of a long line,
    so also cut by a window's end; it is found once, with its own offsets."""
    small = HfNer(model=str(model_dir), window=8, overlap=3, batch_size=4)
    rng = random.Random(1)
    texts, starts = [], []
    for p in range(24):
        words = [rng.choice(FILLER[:-2]) for _ in range(30)]
        words[p] = "Tokayev"
        text = " ".join(words)
        texts.append(text)
        starts.append(len(" ".join(words[:p])) + (1 if p else 0))
    loaded = small.load()
    assert (loaded.window, loaded.overlap) == (8, 3)
    cut = 0
    for text in texts:
        enc = encode_text(loaded.tokenizer, text, pieces_of(text))
        windows = make_windows(enc.piece_start, loaded.window, loaded.overlap)
        assert len(windows) > 3
        tok = int(np.flatnonzero(enc.ids == loaded.tokenizer.token_to_id("Tok"))[0])
        cut += any(b == tok + 1 for _, b in windows)  # a window ends between Tok and ##ayev
    assert cut >= 3
    found = small.find_batch([_doc(t) for t in texts], texts)
    for text, start, mentions in zip(texts, starts, found):
        assert [(m.text, m.label, m.start, m.end) for m in mentions] == [
            ("Tokayev", "PER", start, start + 7)], text


def test_batches_give_the_same_mentions(model_dir, ner):
    """Padding in a batch changes nothing: one text per batch or all texts together."""
    texts = ["Kassym Tokayev met officials in Astana .",
             "the president said talks were good on a day",
             "Almaty",
             " ".join(["talks"] * 70 + ["Tokayev", "in", "Almaty"])]
    one = HfNer(model=str(model_dir), batch_size=1)
    alone = one.find_batch([_doc(t) for t in texts], texts)
    together = ner.find_batch([_doc(t) for t in texts], texts)
    assert [[(m.start, m.end, m.label) for m in ms] for ms in alone] == \
        [[(m.start, m.end, m.label) for m in ms] for ms in together]
    assert [m.text for ms in together for m in ms] == [
        "Kassym Tokayev", "Astana", "Almaty", "Tokayev", "Almaty"]
    for a, b in zip(alone, together):
        assert [m.confidence for m in a] == pytest.approx([m.confidence for m in b], abs=1e-3)


def test_names_never_cross_a_line_break(ner):
    text = "the president met Kassym\nTokayev in Astana\n\nAlmaty"
    found = _found(ner, text)
    assert all("\n" not in name for name, *_ in found)
    assert ("Tokayev", "PER", 25, 32) in found
    assert ("Astana", "LOC", 36, 42) in found and ("Almaty", "LOC", 44, 50) in found


def test_empty_and_blank_texts(ner):
    assert ner.find_batch([_doc(""), _doc(" \n\t ")], ["", " \n\t "]) == [[], []]


@pytest.mark.parametrize("raw, name", [
    ("O", "O"), ("B-PER", "B-PER"), ("I-PER", "I-PER"), ("b-per", "B-PER"),
    ("B-PERSON", "B-PER"), ("I-ORGANIZATION", "I-ORG"), ("B_ORGANISATION", "B-ORG"),
    ("U-ORG", "B-ORG"), ("S-GPE", "B-LOC"), ("L-LOC", "I-LOC"), ("E-FAC", "I-LOC"),
    ("B-geo-loc", "B-LOC"), ("B-MISC", "B-MISC"), ("PER", "I-PER"), ("LOCATION", "I-LOC"),
    ("B-DATE", "O"), ("I-NORP", "O"), ("LABEL_0", "O"),
])
def test_label_mapping(raw, name):
    assert bio_name(raw) == name


def test_other_label_schemes_end_to_end(model_dir, tmp_path):
    """The same weights with BILOU/OntoNotes label names give the same mentions; labels
    lintas does not keep (DATE) give none."""
    bilou = tmp_path / "bilou"
    shutil.copytree(model_dir, bilou)
    config = json.loads((bilou / "config.json").read_text())
    config["id2label"] = {"0": "O", "1": "U-PERSON", "2": "L-PERSON", "3": "U-GPE", "4": "L-GPE"}
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (bilou / "config.json").write_text(json.dumps(config))
    text = "Kassym Tokayev met officials in Astana ."
    assert _found(HfNer(model=str(bilou)), text) == [
        ("Kassym Tokayev", "PER", 0, 14), ("Astana", "LOC", 32, 38)]

    dates = tmp_path / "dates"
    shutil.copytree(bilou, dates)
    config["id2label"].update({"3": "B-DATE", "4": "I-DATE"})
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (dates / "config.json").write_text(json.dumps(config))
    assert _found(HfNer(model=str(dates)), text) == [("Kassym Tokayev", "PER", 0, 14)]

    useless = tmp_path / "useless"
    shutil.copytree(bilou, useless)
    config["id2label"] = {str(i): f"LABEL_{i}" for i in range(5)}
    config["label2id"] = {v: int(k) for k, v in config["id2label"].items()}
    (useless / "config.json").write_text(json.dumps(config))
    with pytest.raises(MissingDependency, match="name no PER/ORG/LOC/MISC"):
        HfNer(model=str(useless)).load()


def test_word_takes_its_first_subwords_label():
    text = "Tokayev met"
    enc = Encoded(np.array([1, 2, 3]), np.array([0, 3, 8]), np.array([3, 7, 11]),
                  np.array([True, False, False]))
    names = ("O", "B-PER", "I-PER") + LINTAS_NAMES
    labels, probs = first_subword(text, enc, np.array([1, 0, 0]), np.array([0.9, 0.2, 0.8]),
                                  names)
    assert [names[i] for i in labels] == ["B-PER", "I-PER", "O"]
    assert probs.tolist() == [0.9, 0.9, 0.8]
    assert decode(text, enc, labels, probs, names) == [(0, 7, "PER", 0.9)]


def test_scripts_without_spaces_keep_token_spans():
    """Chinese: a name is its tokens, not the whole run of letters around it."""
    text = "托卡耶夫在阿斯塔纳"
    n = len(text)
    enc = Encoded(np.arange(n), np.arange(n), np.arange(1, n + 1),
                  np.array([True] + [False] * (n - 1)))
    names = LINTAS_NAMES
    tags = ["B-PER", "I-PER", "I-PER", "I-PER", "O", "B-LOC", "I-LOC", "I-LOC", "I-LOC"]
    labels = np.array([names.index(t) for t in tags])
    words = word_text(text)
    assert len(words) == len(text)
    labels, probs = first_subword(words, enc, labels, np.ones(n), names)
    spans = decode(text, enc, labels, probs, names)  # decode blanks such scripts itself
    assert [(text[s:e], label) for s, e, label, _ in spans] == [("托卡耶夫", "PER"),
                                                                ("阿斯塔纳", "LOC")]


def test_model_from_the_cache_by_name(model_dir, tmp_path, monkeypatch):
    """A model name in the Hugging Face cache loads from there, offline."""
    import huggingface_hub.constants

    commit = "0123456789abcdef0123456789abcdef01234567"
    repo = tmp_path / "hub" / "models--lintas-test--tiny-ner"
    shutil.copytree(model_dir, repo / "snapshots" / commit)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(commit)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    cached = HfNer(model="lintas-test/tiny-ner")
    assert cached.version() == "hf lintas-test/tiny-ner"
    assert _found(cached, "Tokayev in Almaty") == [("Tokayev", "PER", 0, 7),
                                                   ("Almaty", "LOC", 11, 17)]


def test_model_from_the_environment(model_dir, monkeypatch):
    monkeypatch.setenv(ENV_MODEL, str(model_dir))
    assert HfNer().version() == "hf tiny-ner"


def test_no_model_named(monkeypatch):
    monkeypatch.delenv(ENV_MODEL, raising=False)
    with pytest.raises(MissingDependency, match=rf"\[L001\].*model=.*{ENV_MODEL}"):
        HfNer()


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(MissingDependency, match="not a folder, not in the local cache"):
        HfNer(model=str(tmp_path / "no-such-folder"))
    with pytest.raises(MissingDependency, match="hf download lintas-test/no-such-model"):
        HfNer(model="lintas-test/no-such-model")
    (tmp_path / "empty").mkdir()
    with pytest.raises(MissingDependency, match="no config.json"):
        HfNer(model=str(tmp_path / "empty"))


def test_missing_library_names_the_extra(model_dir, monkeypatch):
    monkeypatch.setitem(sys.modules, "transformers", None)
    with pytest.raises(MissingDependency, match=r'pip install "lintas\[hf\]"'):
        HfNer(model=str(model_dir))


def test_slow_tokenizer_is_refused(model_dir, monkeypatch):
    import transformers

    class Slow:
        is_fast = False

    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained",
                        lambda *a, **k: Slow())
    with pytest.raises(MissingDependency, match="fast tokenizer"):
        HfNer(model=str(model_dir)).load()


def test_in_the_pipeline(model_dir):
    """``lintas run --ner hf,gazetteer`` with the model folder as the backend's option."""
    from pipeline.core.core import PipelineConfig, build_pipeline

    config = PipelineConfig(stages=("clean", "langid", "segment", "entities"),
                            ner_backends=("hf", "gazetteer"),
                            ner_options={"hf": {"model": str(model_dir)}})
    text = "Kassym Tokayev met officials in Astana.\nTokayev said talks were good."
    doc = build_pipeline(config)(Document("d", "test", text, lang_hint="en"))
    assert doc.extractors["ner"].startswith("hf tiny-ner")
    assert [(m.text, m.label, m.source) for m in doc.mentions] == [
        ("Kassym Tokayev", "PER", "hf"), ("Astana", "LOC", "hf"), ("Tokayev", "PER", "hf")]
