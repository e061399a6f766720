"""Shared fixtures. Tests are offline: no model hub, no network."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _corpus_readable() -> bool:
    """Whether the event and claim corpus' sources (the shared data folder) can be read."""
    from pipeline.evaluation.evaluate_corpus import gold_documents

    try:
        gold_documents("dev", ["en"])
    except FileNotFoundError:
        return False
    return True


# for the tests that rebuild the corpus' documents from ../shared/data (absent on CI)
needs_corpus = pytest.mark.skipif(not _corpus_readable(), reason="shared data folder absent")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


def run_records(inputs: list[str], **kwargs) -> tuple[list[dict], "object"]:
    """Run the real pipeline on ``inputs`` and return (records, summary)."""
    from pipeline.core.runner import run

    out = io.StringIO()
    summary = run([str(i) for i in inputs], out, progress=False, **kwargs)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    return records, summary


_PIPELINES: dict[bool, object] = {}


def text_records(text: str, lang: str, published: str | None = None,
                 rules_only: bool = False) -> list[dict]:
    """Records of one text through the default pipeline (language given), as `lintas run`
    writes them; ``rules_only``: claims from the lexicons alone (the rules a test is about,
    where a language's default lets the learned head read first)."""
    from pipeline.core.core import PipelineConfig, build_pipeline
    from pipeline.core.document import Document
    from pipeline.io.records import doc_records

    if rules_only not in _PIPELINES:
        _PIPELINES[rules_only] = build_pipeline(PipelineConfig(claims_learned=not rules_only))
    doc = Document("t", "t", text, published=published, lang_hint=lang)
    return doc_records(_PIPELINES[rules_only](doc))  # type: ignore[operator]


def text_events(text: str, lang: str, published: str | None = None) -> list[dict]:
    """The events of one text (`text_records`) as type, mode, trigger, modality, arguments
    by role (an entity's name, else the argument's text) and the time's value."""
    records = text_records(text, lang, published)
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    out = []
    for r in records:
        if r["type"] != "event":
            continue
        args: dict[str, list[str]] = {}
        for a in r["arguments"]:
            args.setdefault(a["role"], []).append(names.get(a["entity"], a["text"]))
        out.append({"type": r["event_type"], "mode": r["mode"], "trigger": r["trigger"]["text"],
                    "modality": r["modality"], "args": args,
                    "time": (r["time"] or {}).get("value")})
    return out


def find_event(evs: list[dict], mode: str) -> dict:
    """The first of `text_events`' events with ``mode`` (fails, showing them all, if none)."""
    found = [e for e in evs if e["mode"] == mode]
    assert found, evs
    return found[0]


def text_claims(text: str, lang: str, rules_only: bool = False) -> list[tuple]:
    """The claims of one text (`text_records`) as (kind, speaker's entity name or text, cue
    text, content text)."""
    records = text_records(text, lang, rules_only=rules_only)
    names = {r["id"]: r["name"] for r in records if r["type"] == "entity"}
    out = []
    for r in records:
        if r["type"] != "claim":
            continue
        speaker = r["speaker"] or {}
        who = names.get(speaker.get("entity")) or speaker.get("text")
        out.append((r["kind"], who, (r["cue"] or {}).get("text"), r["content"]["text"]))
    return out


@pytest.fixture(scope="session")
def seed_records() -> list[dict]:
    """Records of the five sample articles, computed once per test session."""
    records, _ = run_records([str(SEEDS)])
    return records


def write(path: Path, content: str | bytes) -> Path:
    """Write ``content`` to ``path`` (creating folders) and return the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.fixture
def no_network(monkeypatch):
    """Any network connection fails the test, and the Hugging Face hub is offline."""
    import socket

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")

    def refuse(*args, **kwargs):
        raise AssertionError(f"network access attempted: {args}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.fixture(scope="module")
def torch_one_thread():
    """One torch thread for a module's tiny models: faster so when other jobs share the
    CPU; the setting before is restored after the module."""
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


def make_mentions(text: str, names: list[tuple[str, str]], source: str = "spacy"):
    """Mentions of ``names`` (text, label) found in ``text`` in order."""
    from pipeline.core.document import Mention

    out, pos = [], 0
    for name, label in names:
        start = text.index(name, pos)
        out.append(Mention(start, start + len(name), name, label, source, 0.8))
        pos = start + len(name)
    return out


def without_lexicon(monkeypatch, module, lang: str, name: str) -> None:
    """Make ``module``'s ``phrase_table`` give an empty index for ``lang``'s lexicon file
    ``name`` (a language nobody wrote that lexicon for), the others as before."""
    from pipeline.text.phrases import PhraseIndex

    real = module.phrase_table

    def table(lang_: str, name_: str, shared: bool = False):
        if lang_ == lang and name_ == name:
            return PhraseIndex({}, lang_)
        return real(lang_, name_, shared)

    monkeypatch.setattr(module, "phrase_table", table)


# words of the tiny translation model's vocabulary (tests/test_mt_hf.py, test_translate_path.py)
TINY_MT_WORDS = ("Kazakhstan Rusia minyak gas menandatangani perjanjian dengan pada Senin . , the "
                 "oil signed agreement with on Monday Russia").split()


@pytest.fixture(scope="session")
def tiny_marian(tmp_path_factory) -> Path:
    """A tiny MarianMT (random weights, a word-level fast tokenizer) saved to a folder, as
    `save_pretrained` writes a model: what the MT backends load. As in OPUS-MT models,
    "<pad>" is the last id and starts the decoder."""
    torch = pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import MarianConfig, MarianMTModel, PreTrainedTokenizerFast

    folder = tmp_path_factory.mktemp("tiny-marian")
    words = list(dict.fromkeys(TINY_MT_WORDS))
    vocab = {"</s>": 0, "<unk>": 1, **{w: i + 2 for i, w in enumerate(words)},
             "<pad>": len(words) + 2}
    core = Tokenizer(models.WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    torch.manual_seed(0)
    MarianMTModel(MarianConfig(
        vocab_size=len(vocab), d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=vocab["<pad>"],
        eos_token_id=0, decoder_start_token_id=vocab["<pad>"],
        forced_eos_token_id=None)).save_pretrained(folder)
    PreTrainedTokenizerFast(tokenizer_object=core, pad_token="<pad>", eos_token="</s>",
                            unk_token="<unk>").save_pretrained(folder)
    return folder
