"""`lintas run --translate`: names read on an English translation and mapped back into the
original text. The translator here is a test backend that returns NTREX-128's human English
for NTREX's Bulgarian sentences (newstest2019, CC BY-SA 4.0; read the other way round), so
that the English is real and the mapping can be checked; the CLI tests use a tiny MarianMT
model that the tests build (its English means nothing)."""

from __future__ import annotations

import json
import os

import pytest

from pipeline.backends import register
from pipeline.core.core import DEFAULT_STAGES, PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.io.schema import validation_errors

os.environ.setdefault("HF_HUB_OFFLINE", "1")

PAIRS = {
    "По време на градски съвет в Холиоке, Масачузетс Уорън потвърди, че обмисля да се "
    "кандидатира.":
        "During a town hall in Holyoke, Massachusetts, Warren confirmed she'd consider running.",
    "Позицията на САЩ предизвика негативна реакция от Германия, която отново потвърди "
    "ангажираността си с проекта.":
        "The US stance has drawn backlash from Germany, which has reaffirmed its commitment to "
        "the project.",
    "Тази година Помпео посети Северна Корея три пъти, но последното му пътуване на премина "
    "добре.":
        "Pompeo has visited North Korea three times already this year, but his last trip did "
        "not go well.",
}
TEXT = "\n".join(PAIRS)


class ReferenceTranslator:
    """An `mt` backend with a fixed table: NTREX's English for its Bulgarian sentences."""

    name = "reference"

    def __init__(self, model: str | None = None, batch_size: int = 16) -> None:
        self.calls: list[list[str]] = []

    def version(self) -> str:
        return "NTREX-128 references"

    def supports(self, src: str, tgt: str = "en") -> bool:
        return src == "bg" and tgt == "en"

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        self.calls.append(list(sentences))
        return [PAIRS.get(s.strip(), "") for s in sentences]


register("mt", "reference", f"{__name__}:ReferenceTranslator")


def _records(backends: tuple[str, ...], options: dict) -> list[dict]:
    nlp = build_pipeline(PipelineConfig(ner_backends=backends, ner_options=options))
    return nlp.process_batch([Document("t", "t", TEXT, lang_hint="bg")])[0]


@pytest.fixture(scope="module")
def translated() -> list[dict]:
    return _records(("translate", "transformer", "gazetteer"),
                    {"translate": {"mt": "reference", "langs": "all"}})


def test_names_come_back_with_offsets_into_the_original(translated):
    for rec in translated:
        assert validation_errors(rec) == []
    doc = next(r for r in translated if r["type"] == "document")
    assert doc["translation"]["from"] == "bg" and doc["translation"]["to"] == "en"
    assert doc["translation"]["model"] == "NTREX-128 references"
    assert doc["translation"]["sentences"] == 3 and doc["translation"]["mapped"] >= 4
    assert doc["extractors"]["ner"].startswith("translate (NTREX-128 references)")
    mentions = {(m["text"], m.get("translated")): e["label"]
                for e in translated if e["type"] == "entity" for m in e["mentions"]}
    for m in (m for e in translated if e["type"] == "entity" for m in e["mentions"]):
        assert TEXT[m["start"]:m["end"]] == m["text"]
    assert mentions[("Холиоке", "Holyoke")] == "LOC"  # spelt otherwise: by alignment
    # two English names stay two names where the Bulgarian leaves out the comma between them
    assert mentions[("Масачузетс", "Massachusetts")] == "LOC"
    assert mentions[("Уорън", "Warren")] == "PER"
    assert mentions[("САЩ", "US")] == "LOC"
    assert mentions[("Германия", "Germany")] == "LOC"


def test_both_paths_share_offsets_and_keys(translated):
    """The same text read directly (the multilingual model on the Bulgarian) and through
    the translation: the names both find have the same offsets and the same keys."""
    direct = _records(("transformer", "gazetteer"), {})

    def spans(recs: list[dict]) -> dict[tuple[int, int], str]:
        return {(m["start"], m["end"]): (e["canonical"] or {}).get("key")
                for e in recs if e["type"] == "entity" for m in e["mentions"]}

    a, b = spans(direct), spans(translated)
    shared = set(a) & set(b)
    assert all(a[s] == b[s] for s in shared)
    assert {TEXT[s:e] for s, e in shared} >= {"САЩ", "Германия"}


def test_a_language_not_asked_for_is_read_directly():
    """``untrained``: Bulgarian is one of the model's training languages, so it is read
    directly; a listed language the translator cannot read is refused up front."""
    nlp = build_pipeline(PipelineConfig(
        stages=DEFAULT_STAGES[:DEFAULT_STAGES.index("entities") + 1],
        ner_backends=("translate", "transformer", "gazetteer"),
        ner_options={"translate": {"mt": "reference", "langs": "untrained"}}))
    doc = nlp(Document("t", "t", TEXT, lang_hint="bg"))
    assert doc.translation is None and all(m.translated is None for m in doc.mentions)
    assert any(m.text == "Германия" for m in doc.mentions)
    from pipeline.backends.ner_translate import TranslateNer

    from pipeline.core.errors import BackendSetupError

    with pytest.raises(BackendSetupError, match="L042.*kk"):
        TranslateNer(mt="reference", langs="bg,kk")


# -- the command line, with a tiny MarianMT the test builds -------------------------------

def test_run_translate_writes_the_translation_field(tiny_marian, tmp_path):
    from typer.testing import CliRunner

    from cli import app

    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = CliRunner().invoke(app, ["run", str(src), "--lang", "bg", "--translate", "all",
                                      "--mt-model", str(tiny_marian), "-o", str(out)])
    assert result.exit_code == 0, result.output
    recs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    doc = recs[0]
    assert doc["translation"]["backend"] == "hf" and "marian" in doc["translation"]["model"]
    assert all(validation_errors(r) == [] for r in recs)


def test_run_translate_without_a_model_stops_before_reading(tmp_path):
    from typer.testing import CliRunner

    from cli import app

    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    os.environ.pop("LINTAS_MT_MODEL", None)
    result = CliRunner().invoke(app, ["run", str(src), "--translate", "all", "-o", str(out)])
    assert result.exit_code == 2 and "--mt-model" in result.output
    assert not out.exists()
    result = CliRunner().invoke(app, ["run", str(src), "--mt-model", "x", "-o", str(out)])
    assert result.exit_code == 2 and "--translate" in result.output
    result = CliRunner().invoke(app, ["run", str(src), "--translate", "k1", "-o", str(out)])
    assert result.exit_code == 2


def test_a_document_read_in_sections_keeps_its_translation():
    nlp = build_pipeline(PipelineConfig(ner_backends=("translate", "transformer", "gazetteer"),
                                        ner_options={"translate": {"mt": "reference",
                                                                   "langs": "all"}}))
    nlp.section_chars = 150  # the three sentences become three sections
    recs = list(nlp.process_batch([Document("t", "t", TEXT, lang_hint="bg")])[0])
    doc = next(r for r in recs if r["type"] == "document")
    assert doc["translation"]["sentences"] == 3 and doc["translation"]["mapped"] >= 3
    # the claims found on each section's English, summed over the sections
    assert doc["translation"]["records"]["claims"]["mapped"] == \
        sum(r["type"] == "claim" for r in recs) >= 1
    for rec in recs:
        assert validation_errors(rec) == []
    # the English names stay with their mentions, as in a document read whole
    translated = {m["text"]: m.get("translated") for e in recs if e["type"] == "entity"
                  for m in e["mentions"]}
    assert translated["Германия"] == "Germany" and translated["Холиоке"] == "Holyoke"


# -- relations, claims and events found on the English and mapped back ------------------

def test_claims_and_events_come_from_the_english_with_source_offsets(translated):
    """The Bulgarian's claim ("Уорън потвърди, че ...") and event (Pompeo visited North
    Korea) are found on NTREX's English and mapped into the Bulgarian: every span's text is
    the original's at its offsets, and it keeps the English."""
    doc = next(r for r in translated if r["type"] == "document")
    assert doc["extractors"]["claims"].endswith("on the English")
    assert doc["extractors"]["events"].endswith("on the English")
    counts = doc["translation"]["records"]
    assert counts["claims"]["english"] >= 1 and counts["claims"]["mapped"] >= 1
    assert counts["events"]["mapped"] <= counts["events"]["english"]
    ids = {r["id"]: r for r in translated if r["type"] == "entity"}
    claims = [r for r in translated if r["type"] == "claim"]
    warren = next(c for c in claims if c["speaker"] and c["speaker"]["text"] == "Уорън")
    assert warren["speaker"]["translated"] == "Warren"
    # the source entity whose mention holds the mapped speaker
    assert any(m["start"] <= warren["speaker"]["start"] and warren["speaker"]["end"] <= m["end"]
               for m in ids[warren["speaker"]["entity"]]["mentions"])
    assert warren["cue"]["text"] == "потвърди" and warren["cue"]["translated"] == "confirmed"
    assert "кандидатира" in warren["content"]["text"]
    events = [r for r in translated if r["type"] == "event"]
    visit = next(r for r in events if r["trigger"]["text"] == "посети")
    assert visit["trigger"]["translated"] == "visited"
    assert {(a["role"], a["text"]) for a in visit["arguments"]} >= {("actor", "Помпео")}
    spans = [r["trigger"] for r in events] + [c["content"] for c in claims] + \
        [a for r in events for a in r["arguments"]] + \
        [c[k] for c in claims for k in ("speaker", "cue") if c[k]]
    for sp in spans:
        assert TEXT[sp["start"]:sp["end"]] == sp["text"] and sp.get("translated")
    for r in events:  # the event's sentence is the Bulgarian sentence its trigger is in
        s, e = r["sentence"]["start"], r["sentence"]["end"]
        assert s <= r["trigger"]["start"] and r["trigger"]["end"] <= e
        assert TEXT[s:e].strip() in PAIRS
        for a in r["arguments"]:
            assert a["entity"] is None or a["entity"] in ids


@pytest.mark.xfail(strict=True, reason=(
    "events-xx version 3 (the mean of five seeds' heads, session 29) finds no event in 'The "
    "US stance has drawn backlash from Germany' (Germany criticising the US, an ACCUSE); "
    "version 2 found it, with Germany as origin rather than actor"))
def test_criticism_drawn_from_a_country_is_an_event(translated):
    events = [r for r in translated if r["type"] == "event"]
    assert any(r["event_type"] == "ACCUSE" and
               any(a["text"] == "Германия" for a in r["arguments"]) for r in events)


def test_a_trigger_maps_onto_one_run_of_words():
    """A trigger or a cue (``gap`` 0) maps to one run of aligned words; a clause
    (``whole``) from the first aligned word to the last."""
    from pipeline.text.align import map_span
    from pipeline.learned.token_windows import Encoded
    import numpy as np

    src = "Уорън потвърди, че обмисля да се кандидатира"
    words = [(0, 5), (6, 14), (16, 18), (19, 26), (27, 29), (30, 32), (33, 44)]
    enc = Encoded(np.arange(len(words)), np.array([a for a, _ in words]),
                  np.array([b for _, b in words]), np.ones(len(words), bool))
    tgt = Encoded(np.arange(2), np.array([0, 10]), np.array([9, 15]), np.ones(2, bool))
    # English token 0 ("confirmed") aligned with "потвърди" and, astray, with "обмисля"
    pairs = {(1, 0), (3, 0), (6, 1)}
    assert map_span((0, 9), tgt, src, enc, pairs, gap=0) in ((6, 14), (19, 26))
    assert map_span((0, 9), tgt, src, enc, pairs) == (6, 26)  # one word between: one name
    assert map_span((0, 15), tgt, src, enc, pairs, whole=True) == (6, 44)


def test_evaluate_claims_through_the_ntrex_english():
    """`lintas evaluate claims --translate id --mt ntrex --source ntrex`: the corpus' NTREX
    documents read through NTREX's own English (skipped without the shared data)."""
    from typer.testing import CliRunner

    from cli import app
    from pipeline.backends.mt_ntrex import FILES, default_folder

    if not (default_folder() / FILES["id"]).is_file():
        pytest.skip(f"no NTREX-128 in {default_folder()}")
    result = CliRunner().invoke(app, ["evaluate", "claims", "--split", "dev", "--lang", "id",
                                      "--source", "ntrex", "--translate", "id", "--mt",
                                      "ntrex", "--json"])
    assert result.exit_code == 0, result.output
    got = json.loads(result.output)
    assert got["documents"] == 3
    assert got["scores"]["id"]["content"]["gold"] > 0


def test_ntrex_is_for_measuring_only(tmp_path):
    """`--mt ntrex` knows NTREX's sentences only: `lintas run` refuses it, and `lintas
    evaluate` takes it for the NTREX documents alone."""
    from typer.testing import CliRunner

    from cli import app

    src = tmp_path / "a.txt"
    src.write_text(TEXT, encoding="utf-8")
    result = CliRunner().invoke(app, ["run", str(src), "--translate", "bg", "--mt", "ntrex"])
    assert result.exit_code == 2 and "ntrex" in result.output
    result = CliRunner().invoke(app, ["evaluate", "claims", "--translate", "bg", "--mt", "ntrex"])
    assert result.exit_code == 2 and "--source ntrex" in result.output


class TableTranslator(ReferenceTranslator):
    """A translator with a table the test sets (`TABLE`), for cases NTREX does not have."""

    name = "table"
    TABLE: dict[str, str] = {}

    def translate(self, sentences: list[str], src: str, tgt: str = "en") -> list[str]:
        return [self.TABLE.get(s.strip(), "") for s in sentences]


register("mt", "table", f"{__name__}:TableTranslator")


def _table_records(table: dict[str, str], published: str | None = None) -> list[dict]:
    TableTranslator.TABLE = table
    nlp = build_pipeline(PipelineConfig(ner_backends=("translate", "transformer", "gazetteer"),
                                        ner_options={"translate": {"mt": "table",
                                                                   "langs": "all"}}))
    text = "\n".join(table)
    return nlp.process_batch([Document("d", "d", text, lang_hint="bg",
                                       published=published)])[0]


def test_an_argument_stays_in_its_events_sentence():
    """The English names a person where the Bulgarian says "Тя" (she): the event's actor
    is not taken from another sentence (review of session 17)."""
    recs = _table_records({"Сенатор Уорън посети Берлин.": "Senator Warren visited Berlin.",
                           "Тя критикува остро Германия.": "Warren sharply criticized Germany."})
    events = [r for r in recs if r["type"] == "event"]
    assert events
    for ev in events:
        s, e = ev["sentence"]["start"], ev["sentence"]["end"]
        for a in ev["arguments"]:
            assert s <= a["start"] and a["end"] <= e, (ev["trigger"], a)


def test_a_relative_date_resolves_on_the_translation_path():
    """The English document keeps the original's publication date, so "on Tuesday" gets
    its day as it does when English is read directly."""
    recs = _table_records({"Във вторник Германия критикува САЩ.":
                           "On Tuesday, Germany criticized the United States."}, "2024-03-14")
    times = [ev["time"] for ev in recs if ev["type"] == "event" and ev["time"]]
    assert times and times[0]["text"] == "вторник" and times[0]["value"] == "2024-03-12"


def test_a_translator_that_gives_no_english_leaves_the_original_to_the_stages():
    """No English at all (a sentence the translator cannot read): the stages read the
    original, as without --translate, rather than give nothing."""
    TableTranslator.TABLE = {}
    nlp = build_pipeline(PipelineConfig(ner_backends=("translate", "transformer", "gazetteer"),
                                        ner_options={"translate": {"mt": "table",
                                                                   "langs": "all"}}))
    doc = nlp(Document("d", "d", TEXT, lang_hint="bg"))
    assert doc.translation["mapped"] == 0
    assert "on the English" not in doc.extractors.get("claims", "")
    assert any(c.speaker is not None for c in doc.claims)


def test_a_place_the_english_model_misses_comes_back_by_the_gazetteer(monkeypatch):
    """The English gazetteer's places are English names too: with the model's English
    names taken away, "US" and "Germany" still come back onto "САЩ" and "Германия" (by
    their identity) with their English."""
    from pipeline.backends.ner_translate import TranslateNer
    from pipeline.learned.encoder_runtime import OnnxEncoder

    original = OnnxEncoder.spans_and_states
    english = set(PAIRS.values())

    def no_english_names(self, texts, layers=None, **kw):
        read = original(self, texts, layers, **kw)
        return [([] if t in english else spans, st) for t, (spans, st) in zip(texts, read)]

    monkeypatch.setattr(OnnxEncoder, "spans_and_states", no_english_names)
    backend = TranslateNer(mt="reference", langs="all")
    nlp = build_pipeline(PipelineConfig(stages=("clean", "langid", "segment")))
    doc = nlp(Document("t", "t", TEXT, lang_hint="bg"))
    got = {(m.text, m.translated) for m in backend.find(doc, TEXT)}
    assert {("САЩ", "US"), ("Германия", "Germany")} <= got
    assert doc.translation["english_names"] >= 2
