"""The sample articles annotated by the corpus guideline (models/corpus/samples/, apart
from the corpus): the gold reads without the shared data folder and covers every sentence,
and the learned heads lose nothing on them that the lexicons alone find (the issue: "lose
nothing that works now: on the sample articles ... as a careful reader lists them")."""

from __future__ import annotations

import sys

import pytest

from pipeline.core.core import PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.evaluation.evaluate_corpus import SAMPLES, found_gold, gold_documents, predicted
from pipeline.lexicon.lexicons import models_dir

sys.path.insert(0, str(models_dir() / "corpus"))
import corpuslib  # type: ignore[import-not-found]  # noqa: E402
import validate  # type: ignore[import-not-found]  # noqa: E402

SAMPLES_FILE = corpuslib.SAMPLES_FILE
# what the heads lose against the lexicons, each marked where it is explained: the claims
# head reads "Putin" of "Artikel Putin muncul setelah menteri energi Kazakhstan ...
# mengatakan" as the speaker (tests/test_events.py::test_sample_article_described_speaker)
KNOWN_LOSSES = {("sa001", "claims", "menteri energi Kazakhstan")}


def test_the_gold_covers_every_sentence_of_every_sample_article():
    recs = validate.load([SAMPLES_FILE])
    assert not [e for r in recs for e in validate.check_record(r, {})]
    seeds = sorted((corpuslib.REPO_DIR / corpuslib.SAMPLES_SOURCE).glob("*.txt"))
    for path in seeds:
        text = path.read_text(encoding="utf-8")
        mine = sorted((r["sentence"]["start"], r["sentence"]["end"]) for r in recs
                      if r["source"] == corpuslib.SAMPLES_SOURCE + path.name)
        assert mine == corpuslib.split_sentences(text), path.name
    assert {r["split"] for r in recs} == {SAMPLES}
    # never part of the corpus the heads learn from
    assert not [r for r in validate.load() if r["source"].startswith(corpuslib.SAMPLES_SOURCE)]


def _found(config: PipelineConfig) -> set[tuple[str, str, int, str]]:
    """(document, events|claims, gold index, its trigger or speaker text) of every gold
    item found."""
    nlp = build_pipeline(config)
    out = set()
    for gold in gold_documents(SAMPLES):
        doc = nlp(Document(doc_id=gold.doc, source=gold.doc, text=gold.text, lang_hint=gold.lang))
        events, claims = predicted(doc, gold.sentences)
        for j in found_gold("events", events, gold.events):
            a, b = gold.events[j]["trigger"]
            out.add((gold.doc, "events", j, gold.text[a:b]))
        for j in found_gold("claims", claims, gold.claims):
            a, b = gold.claims[j]["speakers"][0] if gold.claims[j]["speakers"] else (0, 0)
            out.add((gold.doc, "claims", j, gold.text[a:b]))
    return out


@pytest.fixture(scope="module")
def found() -> dict[str, set[tuple[str, str, int, str]]]:
    return {"default": _found(PipelineConfig()),
            "lexicons": _found(PipelineConfig(events_learned=False, claims_learned=False))}


def test_the_heads_lose_nothing_the_lexicons_find_on_the_sample_articles(found):
    lost = found["lexicons"] - found["default"]
    assert {(doc, what, text) for doc, what, _, text in lost} <= KNOWN_LOSSES, lost


def test_the_default_pipeline_finds_at_least_as_much_as_the_lexicons(found):
    for what in ("events", "claims"):
        default = [f for f in found["default"] if f[1] == what]
        lexicons = [f for f in found["lexicons"] if f[1] == what]
        assert len(default) >= len(lexicons), what


def test_lintas_evaluate_reads_the_samples_without_the_data_folder(monkeypatch, tmp_path):
    """`lintas evaluate claims --split samples` scores the sample articles even where the
    shared data folder is missing (the corpus' sources are not needed for them)."""
    from typer.testing import CliRunner

    from cli import app

    monkeypatch.setenv(corpuslib.DATA_ENV, str(tmp_path / "no-data"))
    result = CliRunner().invoke(app, ["evaluate", "claims", "--split", "samples"])
    assert result.exit_code == 0, result.output
    assert "claims on the corpus' samples split, 5 documents" in result.output
    assert result.output.splitlines()[-1].startswith("all")
