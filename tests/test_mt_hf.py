"""The `hf` machine-translation backend with a tiny MarianMT model that the test builds (random
weights, a word-level tokenizer), saved to a temporary folder: loading from a folder only,
batches, order, determinism, and the messages when a model is missing. The translations
of random weights mean nothing; what is checked is the plumbing. The model is conftest's
``tiny_marian``."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

from pipeline.backends import available, get_backend  # noqa: E402
from pipeline.backends.base import MtBackend  # noqa: E402
from pipeline.backends.mt_hf import HfTranslator  # noqa: E402
from pipeline.core.errors import MissingDependency  # noqa: E402

def test_translates_each_sentence_in_order_and_alike_in_any_batch(tiny_marian):
    mt = HfTranslator(model=str(tiny_marian), batch_size=2, max_new_tokens=8)
    assert isinstance(mt, MtBackend) and "hf" in available("mt")
    sentences = ["Rusia menandatangani perjanjian minyak dengan Kazakhstan pada Senin .",
                 "", "gas", "Kazakhstan , Rusia"]
    out = mt.translate(sentences, "id")
    assert len(out) == 4 and out[1] == "" and all(isinstance(t, str) for t in out)
    # the same sentence alone, or in another batch of other sizes, reads the same
    assert [mt.translate([s], "id")[0] for s in sentences] == out
    assert HfTranslator(model=str(tiny_marian), batch_size=16, max_new_tokens=8).translate(
        list(reversed(sentences)), "id") == list(reversed(out))
    assert mt.supports("id") and "marian" in mt.version()


def test_registered_and_loaded_once(tiny_marian):
    a = get_backend("mt", "hf", model=str(tiny_marian))
    assert a is get_backend("mt", "hf", model=str(tiny_marian))


def test_a_missing_model_names_what_to_pass(tmp_path, monkeypatch):
    monkeypatch.delenv("LINTAS_MT_MODEL", raising=False)
    with pytest.raises(MissingDependency, match="--mt-model"):
        HfTranslator()
    with pytest.raises(MissingDependency, match="no config.json"):
        HfTranslator(model=str(tmp_path))
    with pytest.raises(MissingDependency, match="never downloads"):
        HfTranslator(model="Helsinki-NLP/opus-mt-id-en")  # not in the local cache


def test_the_ct2_backend_reads_the_same_model_converted(tiny_marian, tmp_path):
    """The tiny model converted with CTranslate2's own converter (as a user would, with its
    tokenizer copied): the ``ct2`` backend gives the `hf` backend's greedy translations."""
    ctranslate2 = pytest.importorskip("ctranslate2")
    from pipeline.backends.mt_ct2 import Ct2Translator

    out = tmp_path / "ct2"
    ctranslate2.converters.TransformersConverter(
        str(tiny_marian), copy_files=["tokenizer.json"]).convert(str(out))
    ct2 = Ct2Translator(model=str(out), batch_size=2, max_new_tokens=8)
    assert isinstance(ct2, MtBackend) and ct2.kind == "marian" and "ct2" in available("mt")
    sentences = ["Rusia menandatangani perjanjian minyak dengan Kazakhstan pada Senin .",
                 "", "gas", "Kazakhstan , Rusia"]
    hf = HfTranslator(model=str(tiny_marian), batch_size=2, max_new_tokens=8)
    assert ct2.translate(sentences, "id") == hf.translate(sentences, "id")
    assert [ct2.translate([s], "id")[0] for s in sentences] == ct2.translate(sentences, "id")
    with pytest.raises(MissingDependency, match="no model.bin"):
        Ct2Translator(model=str(tmp_path))
