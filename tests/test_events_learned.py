"""The learned event heads (models/events-xx) on sentences written for these tests, the
hidden-state output of the NER encoder they read, and `lintas train events` on a slice of
the corpus."""

from __future__ import annotations

import json
import shutil
from typing import Any

import numpy as np
import pytest

from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.stages.events import Events
from pipeline.learned.events_learned import default_dir, load_heads
from pipeline.lexicon.lexicons import models_dir
from pipeline.stages.ner_stage import STATES

NER = models_dir() / "ner-xx"
pytestmark = pytest.mark.skipif(load_heads() is None,
                                reason="no events-xx heads for this NER model")

_UP_TO_CLAIMS: list = []


def learned_events(text: str, lang: str, merge: str | None = None,
                   heads: Any = None) -> list[tuple[str, str]]:
    """(event type, trigger text) of ``text`` through the default stages, the events stage
    with the shipped heads (or ``heads``; ``merge``: another way to combine them with the
    lexicons)."""
    if not _UP_TO_CLAIMS:
        nlp = build_pipeline(PipelineConfig(stages=tuple(s for s in DEFAULT_STAGES
                                                         if s != "events")))
        for stage in nlp.stages:
            if stage.name == "ner":
                stage.keep_states = True
            if stage.name == "claims":
                stage.pop_states = False  # left for the events stage below
        _UP_TO_CLAIMS.append(nlp)
    doc = _UP_TO_CLAIMS[0](Document("t", "t", text, lang_hint=lang))
    Events(merge=merge, encode=True, heads=heads)(doc)  # Indonesian is read by its spaCy NER
    return [(e.event_type, text[e.trigger.start:e.trigger.end]) for e in doc.events]


def types(evs: list[tuple[str, str]]) -> set[str]:
    return {t for t, _ in evs}


# Russian: the heads alone, as for a language nobody wrote a lexicon for
@pytest.mark.parametrize("text,event_type", [
    ("Премьер-министр Японии прибыл с официальным визитом в Астану.", "CONSULT"),
    ("Россия и Казахстан подписали меморандум о строительстве атомной станции.", "AGREE"),
    ("Евросоюз ввел новые санкции против крупнейших российских банков.", "SANCTION"),
])
def test_russian_events_from_the_heads_alone(text, event_type):
    assert event_type in types(learned_events(text, "ru", merge="learned"))


RU_ATTACK = "Боевики атаковали военную базу на севере страны."


def test_russian_attack_trigger_from_the_heads_alone():
    assert "атаковали" in {t for _, t in learned_events(RU_ATTACK, "ru", merge="learned")}


@pytest.mark.xfail(strict=True, reason=(
    "events-xx version 2 (session 18) types it PROTEST: the corpus holds one Russian 'атак' "
    "trigger and many riots and strikes, also after round 5 (Russian violence: killings, "
    "executions, riots); version 1 typed it right. The default pipeline gets ASSAULT from "
    "the Russian lexicon (test_events_slavic.test_russian_attack)"))
def test_russian_attack_typed_by_the_heads_alone():
    # the train split has few ASSAULT triggers and none of 'атаковать'; the session-10 head
    # typed it PROTEST, the session-11 head (new encoder) types it right
    assert "ASSAULT" in types(learned_events(RU_ATTACK, "ru", merge="learned"))


def test_russian_without_a_lexicon_in_the_default_pipeline(monkeypatch):
    """With no Russian trigger lexicon at all, the default merge still finds the events."""
    import pipeline.stages.events as events_module
    from conftest import without_lexicon

    without_lexicon(monkeypatch, events_module, "ru", "events.tsv")
    evs = learned_events("Премьер-министр Японии прибыл с официальным визитом в Астану, "
                         "а Евросоюз ввел новые санкции.", "ru")
    assert {"CONSULT", "SANCTION"} <= types(evs), evs


@pytest.mark.parametrize("text,lang,event_type", [
    ("Министърът на отбраната посети Варшава в понеделник.", "bg", "CONSULT"),
    ("Бойци нападнаха полицейски участък в северната част на страната.", "bg", "ASSAULT"),
    ("The European Union imposed new sanctions on Russian banks.", "en", "SANCTION"),
    ("Militants attacked a police station in the north of the country.", "en", "ASSAULT"),
    ("Presiden Joko Widodo mengunjungi Beijing pekan lalu.", "id", "CONSULT"),
    ("Polska podpisała umowę o dostawach gazu z Norwegią.", "pl", "AGREE"),
])
def test_the_heads_in_other_languages(text, lang, event_type):
    assert event_type in types(learned_events(text, lang, merge="learned"))


@pytest.mark.parametrize("text,lang", [
    ("Всички права запазени. Копирането на материали от сайта без писмено разрешение на "
     "редакцията е забранено.", "bg"),
    ("Перепечатка материалов сайта допускается только с письменного разрешения редакции.", "ru"),
])
def test_a_footer_yields_no_event(text, lang):
    assert learned_events(text, lang) == []
    assert learned_events(text, lang, merge="learned") == []


def test_records_name_the_heads():
    doc = build_pipeline()(Document("t", "t", RU_ATTACK, lang_hint="ru"))
    assert doc.extractors["events"].startswith("lintas-events-xx ")
    assert doc.extractors["events"].endswith("+ lintas-lexicons 1")
    assert STATES not in doc.cache  # read by the events stage, not kept


def test_hidden_states_are_the_encoders_and_deterministic():
    """The NER stage keeps what `OnnxEncoder` returns for the same (cleaned) text, and two
    calls return the same states."""
    from pipeline.learned.encoder_runtime import OnnxEncoder

    text = "Президент Казахстана встретился с премьер-министром Японии.\nВстреча прошла в Астане."
    layer = json.loads((NER / "model.json").read_text(encoding="utf-8"))["hidden_layer"]
    enc = OnnxEncoder(NER)
    (spans1, st1), = enc.spans_and_states([text], (layer,))
    (spans2, st2), = enc.spans_and_states([text], (layer,))
    assert np.array_equal(st1.states, st2.states) and spans1 == spans2
    assert st1.states.shape == (len(st1.enc), 1, 384)
    assert spans1 == enc.spans([text])[0]  # the names are the plain pass's
    nlp = build_pipeline(PipelineConfig(stages=("clean", "langid", "segment", "ner")))
    nlp.stages[-1].keep_states = True
    doc = nlp(Document("t", "t", text, lang_hint="ru"))
    assert np.array_equal(doc.cache[STATES].of(layer), st1.of(layer))


def test_plain_ner_does_not_fetch_the_hidden_states(monkeypatch):
    from pipeline.learned.encoder_runtime import OnnxEncoder

    enc = OnnxEncoder(NER)
    asked = []
    real = enc.session.run

    def run(names, feeds, run_options=None):
        asked.append(tuple(names))
        return real(names, feeds, run_options)

    monkeypatch.setattr(enc.session, "run", run)
    enc.spans(["Президент Казахстана встретился с премьер-министром Японии."])
    assert asked == [("logits",)]


def test_heads_are_off_for_another_ner_model(tmp_path):
    """Heads trained on one encoder are not applied to another's states."""
    other = tmp_path / "ner"
    other.mkdir()
    info = json.loads((NER / "model.json").read_text(encoding="utf-8"))
    info["onnx_sha256"] = "0" * 64  # a retrained model
    (other / "model.json").write_text(json.dumps(info), encoding="utf-8")
    assert load_heads(default_dir(), {"transformer": {"model_dir": str(other)}}) is None
    assert load_heads(default_dir()) is not None


def test_hidden_output_names_the_layer(tmp_path):
    """`add_hidden_output` adds one `hidden_K` output (replacing another layer's), records
    it, and the file is left alone when it has it already."""
    onnx = pytest.importorskip("onnx")
    from pipeline.learned.onnx_outputs import add_hidden_output

    folder = tmp_path / "ner"
    folder.mkdir()
    shutil.copy(NER / "model.onnx", folder / "model.onnx")
    shutil.copy(NER / "model.json", folder / "model.json")
    assert add_hidden_output(folder, 3) == "hidden_3"
    outputs = [o.name for o in onnx.load(str(folder / "model.onnx")).graph.output]
    assert outputs == ["logits", "hidden_3"]
    info = json.loads((folder / "model.json").read_text(encoding="utf-8"))
    assert info["hidden_layer"] == 3
    before = (folder / "model.onnx").stat().st_mtime_ns
    add_hidden_output(folder, 3)
    assert (folder / "model.onnx").stat().st_mtime_ns == before


def _corpus_readable() -> bool:
    import sys

    sys.path.insert(0, str(models_dir() / "corpus"))
    import corpuslib  # type: ignore[import-not-found]

    return corpuslib.data_root().is_dir()


@pytest.mark.skipif(not _corpus_readable(), reason="needs ../shared/data (the corpus' sources)")
def test_train_events_on_a_slice(tmp_path):
    """`lintas train events` end to end on six documents, one layer, two epochs, final
    heads averaged over two seeds (about 11 s here), into copies: the shipped models are
    not touched."""
    pytest.importorskip("torch")
    pytest.importorskip("onnx")
    from typer.testing import CliRunner

    from cli import app

    ner = tmp_path / "ner"
    ner.mkdir()
    for name in ("model.onnx", "model.json"):
        shutil.copy(NER / name, ner / name)
    out = tmp_path / "events"
    result = CliRunner().invoke(app, [
        "train", "events", "--out", str(out), "--ner-model", str(ner), "--work",
        str(tmp_path / "work"), "--limit-docs", "6", "--max-epochs", "2", "--layers", "4",
        "--widths", "0", "--no-evaluate", "--ensemble", "2"])
    assert result.exit_code == 0, result.output
    info = json.loads((out / "model.json").read_text(encoding="utf-8"))
    assert info["ensemble"] == 2
    assert info["layer"] == 4 and info["merge"] in ("lexicon", "learned", "union",
                                                   "lexicon_first")
    assert info["arguments"] in ("rules", "learned", "learned_first", "rules_first")
    assert info["argument_threshold"] in (0.5, 0.6, 0.7, 0.8, 0.9)
    assert info["encoder"]["onnx_sha256"] == json.loads(
        (ner / "model.json").read_text(encoding="utf-8"))["onnx_sha256"]
    assert (out / "heads.npz").exists() and (out / "README.md").exists()
    heads = load_heads(out, {"transformer": {"model_dir": str(ner)}})
    assert heads is not None and heads.layer == 4
    # the slice's train documents are Bulgarian alone: no language to leave out, so no
    # threshold of its own for the others (`unseen_threshold`, below)
    assert "unseen" not in info and "unseen" not in info["choice"]


def _sentences(lang: str, n: int, strength: float, rng: np.random.Generator) -> list:
    """``n`` sentences of four tokens in ``lang`` whose second token is a one-token AGREE
    trigger: its state is an AGREE direction of ``strength`` plus noise."""
    from pipeline.learned.token_windows import Encoded
    from pipeline.training.train_corpus import Example

    out = []
    for k in range(n):
        states = rng.normal(0, 1, (4, 1, 8)).astype(np.float16)
        states[1, 0, 0] += strength
        enc = Encoded(np.arange(4), np.array([0, 2, 4, 6]), np.array([1, 3, 5, 7]),
                      np.ones(4, bool))
        out.append(Example(f"{lang}{k // 5}", lang, "a b c d", enc, states,
                           [(2, 3, "AGREE", "agree", "asserted")]))
    return out


def test_the_unseen_threshold_is_the_best_mean_over_the_languages_left_out():
    """`unseen_threshold` trains one head per training language left out, scores it on
    that language at each threshold and takes the best mean; one language gives none."""
    import torch

    from pipeline.training.train_heads import HeadConfig
    from pipeline.training.trigger_scores import EVENT_TYPES, THRESHOLDS, unseen_threshold

    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    exs = (_sentences("xa", 40, 6.0, rng) + _sentences("xb", 40, 4.0, rng)
           + _sentences("xc", 40, 2.0, rng))
    info = {"layer": 6, "types": list(EVENT_TYPES), "threshold": 0.5}
    cfg = HeadConfig(lr=3e-3, epochs=5, seed=0)
    got = unseen_threshold(exs, set(), 0, info, cfg, log=lambda _: None)
    assert got is not None and got["languages"] == ["xa", "xb", "xc"]
    mean = got["choice"]["mean"]
    assert set(mean) == set(THRESHOLDS) and set(got["choice"]["left_out"]) == {"xa", "xb", "xc"}
    for t in THRESHOLDS:
        left = [got["choice"]["left_out"][lang][t] for lang in ("xa", "xb", "xc")]
        assert mean[t] == pytest.approx(sum(left) / 3)
    best = max(mean.values())
    assert mean[got["threshold"]] == pytest.approx(best)
    assert best > 0  # the direction is learnt from the other two languages
    assert unseen_threshold(_sentences("xa", 10, 6.0, rng), set(), 0, info, cfg,
                            log=lambda _: None) is None


def test_a_language_the_heads_never_learned_from_has_its_own_threshold():
    """`EventHeads.threshold_for`: the model's threshold for its training languages, the
    `unseen` one for any other (``und`` too); a model without `unseen` (version 3 and
    older) uses its one threshold everywhere."""
    from pipeline.learned.events_learned import EventHeads

    base = load_heads()
    assert base is not None
    info = {**base.info, "threshold": 0.5}
    info.pop("unseen", None)
    old = EventHeads(info, base.trigger)
    assert old.threshold_for("cs") == old.threshold_for("ru") == 0.5
    new = EventHeads({**info, "unseen": {"languages": ["bg", "ru"], "threshold": 0.3}},
                     base.trigger)
    assert new.threshold_for("ru") == 0.5
    assert new.threshold_for("cs") == new.threshold_for("und") == 0.3


CS_TALKS = "Ministr zahraničí Ruska jednal v Astaně s kazachstánským prezidentem o dodávkách plynu."


def test_the_events_stage_reads_the_documents_language_threshold():
    """The events stage asks the heads for its document's language's threshold: a Czech
    sentence (no lexicons, never annotated) loses its learned events when the threshold of
    languages never learned from is out of reach, and keeps them at the seen one."""
    from dataclasses import replace

    base = load_heads()
    assert base is not None
    langs = ["bg", "en", "id", "pl", "ru", "sl", "uk"]

    def events(threshold: float) -> list[tuple[str, str]]:
        heads = replace(base, info={**base.info, "unseen": {"languages": langs,
                                                           "threshold": threshold}})
        return learned_events(CS_TALKS, "cs", merge="learned", heads=heads)

    assert events(float(base.info["threshold"])), "the heads find the talks at the seen threshold"
    assert events(1.01) == []


@pytest.mark.xfail(strict=True, reason=(
    "events-xx version 2 (session 18) gives the Czech agreement the topic 'dohodu' (the "
    "agreement itself) instead of 'dodávkách plynu' (what it is about, the guideline's "
    "topic); version 1 gave the guideline's"))
def test_the_argument_head_adds_roles_the_rules_leave_empty():
    """Czech has no lintas lexicons or grammar: the clause rules give the names around
    the trigger, and the shipped argument head adds what the agreement is about (a role
    the rules never give); with `arguments="rules"` it is absent."""
    from conftest import text_events

    text = "Rusko a Kazachstán podepsaly v Astaně dohodu o dodávkách plynu."
    ev = text_events(text, "cs")[0]
    assert ev["type"] == "AGREE" and ev["trigger"] == "podepsaly"
    assert "dodávkách plynu" in ev["args"]["topic"]
    assert "Kazachstán" in ev["args"]["actor"]
    heads = load_heads()
    assert heads.args is not None and heads.argument_merge == "rules_first"
    if not _UP_TO_CLAIMS:
        learned_events("Tes.", "id")  # builds the pipeline up to the claims stage
    doc = _UP_TO_CLAIMS[0](Document("t", "t", text, lang_hint="cs"))
    Events(arguments="rules")(doc)
    assert doc.events and not any(a.role == "topic" for a in doc.events[0].arguments)


def test_a_train_copy_of_a_dev_document_is_left_out_of_training():
    """News sites reprint one story: a train document that shares at least 30% of its
    sentences with a dev one of its language is never trained on; another language's, or
    a smaller share, is."""
    from pipeline.training.train_corpus import CorpusDoc, Sentence, dev_copies

    def doc(name, lang, split, sentences):
        text, sents = "", []
        for s in sentences:
            sents.append(Sentence(len(text), len(text) + len(s)))
            text += s + "\n"
        return CorpusDoc(name, lang, split, text, sents)

    story = ["Премиерът обяви сделка.", "Тя е за газ.", "Подписана е в Баку.", "Край."]
    docs = [doc("dev1", "bg", "dev", story),
            doc("copy", "bg", "train", ["Заглавие."] + story[:2] + ["Друго.", "Още."]),
            doc("other", "bg", "train", [story[0], "А.", "Б.", "В.", "Г."]),
            doc("ru", "ru", "train", story)]
    assert dev_copies(docs) == {"copy"}


@pytest.mark.parametrize("folder", ["events-xx", "claims-xx"])
def test_the_shipped_heads_corpus_is_the_corpus_without_the_skipped_batches(folder):
    """The card's retrain command (`--skip-batches`) reads exactly the annotation files the
    shipped heads were trained on: their sha256 is the corpus' without those batches."""
    from pipeline.training.train_corpus import corpus_sha

    corpus = json.loads((models_dir() / folder / "model.json").read_text(encoding="utf-8"))["corpus"]
    skip = corpus.get("skip_batches", ())
    if corpus.get("commit"):
        # the corpus was changed after the heads (rulings): the card's checkout of that
        # commit's annotation files, then the command, reads what they were trained on
        assert corpus_sha(skip) != corpus["sha256"]
        assert committed_corpus_sha(corpus["commit"], skip) == corpus["sha256"]
    else:
        assert corpus_sha(skip) == corpus["sha256"]
    if skip:
        assert corpus_sha() != corpus["sha256"]


def committed_corpus_sha(commit: str, skip: list[str]) -> str:
    """`corpus_sha` of the annotation files of git ``commit`` (skips the test without git
    or without that commit, as in a shallow clone)."""
    import subprocess

    from pipeline.lexicon.lexicons import models_dir
    from pipeline.training.train_corpus import files_sha

    root = models_dir().parent
    folder = "models/corpus/annotations"
    try:
        names = subprocess.run(["git", "ls-tree", "--name-only", f"{commit}:{folder}"],
                               cwd=root, capture_output=True, check=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"no git history with commit {commit[:12]} here")

    def blob(name: str):
        return lambda: subprocess.run(["git", "show", f"{commit}:{folder}/{name}"], cwd=root,
                                      capture_output=True, check=True).stdout

    return files_sha(((n, blob(n)) for n in sorted(names.split()) if n.endswith(".jsonl")),
                     skip)


def test_skipping_a_batch_the_corpus_does_not_have_is_refused():
    from pipeline.training.train_corpus import corpus_splits

    with pytest.raises(ValueError, match="L029"):
        corpus_splits(0, None, print, skip_batches=("xx-99",))
