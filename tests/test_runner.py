"""Batch runs: workers give the same output, huge documents stay bounded and correct."""

from __future__ import annotations

import json

from conftest import SEEDS, run_records, write
from pipeline.core.core import Pipeline, PipelineConfig, build_pipeline
from pipeline.core.errors import PipelineConfigError
from pipeline.stages.segment import Segment
from texts import BG, ID

import pytest


def test_two_workers_same_records_same_order(tmp_path, seed_records):
    records, summary = run_records([str(SEEDS)], workers=2)
    assert records == seed_records
    assert summary.documents == 5 and summary.errors == 0


def test_workers_with_bad_inputs_in_the_mix(tmp_path):
    lines = [json.dumps({"id": f"d{i}", "text": (ID if i % 2 else BG)}) for i in range(12)]
    lines.insert(5, "{oops")
    f = write(tmp_path / "batch.jsonl", "\n".join(lines) + "\n")
    one, s1 = run_records([f])
    two, s2 = run_records([f], workers=2)
    assert one == two
    assert (s1.documents, s1.errors) == (s2.documents, s2.errors) == (12, 1)


def test_huge_document_is_processed_in_chunks_without_losing_entities(tmp_path):
    para = "Delegasi Kazakhstan tiba di Jakarta untuk membahas ekspor uranium ke Korea Selatan.\n"
    text = para * 3000  # about 260k characters: three segmentation chunks
    f = write(tmp_path / "huge.txt", text)
    records, _ = run_records([f])
    ents = {r["canonical"]["key"]: r for r in records if r["type"] == "entity"}
    assert len(ents["Q232"]["mentions"]) == 3000
    assert len(ents["Q884"]["mentions"]) == 3000
    for m in ents["Q884"]["mentions"][::97]:
        assert text[m["start"]:m["end"]] == "Korea Selatan"


def test_pipeline_checks_requirements_when_built():
    with pytest.raises(PipelineConfigError, match="requires"):
        Pipeline([Segment()])
    with pytest.raises(PipelineConfigError, match="unknown stage"):
        build_pipeline(PipelineConfig(stages=("clean", "nope")))


def test_a_failing_stage_costs_only_its_document(tmp_path, monkeypatch):
    from pipeline.stages import ner_stage

    original = ner_stage.Ner.pipe

    def flaky(self, docs):  # fails for any batch that holds the Bulgarian document
        if any("България" in doc.text for doc in docs):
            raise RuntimeError("boom")
        return original(self, docs)

    monkeypatch.setattr(ner_stage.Ner, "pipe", flaky)
    write(tmp_path / "a.txt", ID)
    write(tmp_path / "b.txt", BG)
    write(tmp_path / "c.txt", ID)
    records, summary = run_records([tmp_path])
    assert [r["type"] for r in records][0] == "document"
    assert summary.documents == 2 and summary.errors == 1
    err = [r for r in records if r["type"] == "error"]
    assert len(err) == 1 and err[0]["stage"] == "ner" and err[0]["doc_id"] == "b"
    assert "RuntimeError: boom" in err[0]["error"]


def test_progress_bar_shows_documents_per_second_when_asked(tmp_path):
    import io

    from pipeline.core.runner import run

    write(tmp_path / "a.txt", ID)
    log = io.StringIO()
    summary = run([str(tmp_path)], io.StringIO(), progress=True, log=log)
    assert "doc/s" in log.getvalue() and summary.documents == 1
    quiet = io.StringIO()  # not a terminal: no bar by default
    run([str(tmp_path)], io.StringIO(), log=quiet)
    assert quiet.getvalue() == ""


def test_a_language_without_lexicons_or_cnn_gets_the_multilingual_model(tmp_path):
    """Malay has no lexicons and no spaCy model: the multilingual model reads it, and the
    gazetteer still gives the places their identity."""
    from texts import MS

    write(tmp_path / "ms.txt", MS)
    records, _ = run_records([tmp_path])
    doc = records[0]
    assert doc["lang"] == "ms"
    assert doc["extractors"]["ner"].startswith("lintas-ner-xx")
    assert {r["canonical"]["key"] for r in records if r["type"] == "entity"} >= {"Q833"}  # Malaysia


class _Killer:
    """A stage that kills its worker process on a document holding "KILLME" (every time),
    or on one holding "ONCE" the first time only (``flag`` marks that it happened)."""

    name = "killer"
    requires: tuple = ()
    assigns: tuple = ()
    flag = ""

    def __call__(self, doc):
        import os

        if "KILLME" in doc.text or ("ONCE" in doc.text and not os.path.exists(_Killer.flag)):
            if "ONCE" in doc.text:
                open(_Killer.flag, "w").close()
            os._exit(9)  # as a kill -9 or the OOM killer would: no exception, no cleanup
        return doc


def test_a_dead_worker_costs_at_most_its_batch_and_never_hangs(tmp_path, monkeypatch):
    """A worker that dies is noticed (no hang), every batch in flight is run again in a new
    pool, and a batch that kills its worker twice becomes error records; the rest keeps
    its order. A worker that dies once loses nothing."""
    from pipeline.core import core
    from pipeline.io.reader import read_inputs
    from pipeline.core.runner import process_stream

    monkeypatch.setitem(core.STAGES, "killer", _Killer)
    monkeypatch.setattr(_Killer, "flag", str(tmp_path / "killed-once"))
    config = PipelineConfig(stages=("clean", "killer"))
    texts = [f"Dokumen nomor {k} tentang minyak." for k in range(12)]
    texts[5] += " KILLME"
    texts[9] += " ONCE"
    for k, t in enumerate(texts):
        write(tmp_path / "in" / f"d{k:02d}.txt", t)
    items = read_inputs([str(tmp_path / "in")])
    out = list(process_stream(items, config, workers=2, batch_size=2))
    kinds = [(recs[0]["doc_id"], recs[0]["type"]) for recs in out]
    assert [d for d, _ in kinds] == [f"d{k:02d}" for k in range(12)]  # all, in order
    # the batch of d04 and d05 killed its worker twice: both are error records
    assert [k for d, k in kinds if d in ("d04", "d05")] == ["error", "error"]
    assert "worker process died" in out[5][0]["error"] and out[5][0]["stage"] == "worker"
    assert all(k == "document" for d, k in kinds if d not in ("d04", "d05"))
    assert (tmp_path / "killed-once").exists()  # d09's worker did die, once
