"""The agreement scorer (`pipeline.evaluation.agreement`): a second annotation is read over
the same text as the first and scored with `lintas evaluate`'s metrics. Checked on a real dev
document's records (their texts come from the shared data folder; skipped without it)."""

from __future__ import annotations

import copy
import json

import pytest
from conftest import needs_corpus

from pipeline.evaluation.agreement import agreement, format_agreement, paired_documents
from pipeline.evaluation.evaluate_corpus import records_by_document




def _write(tmp_path, recs, name="second.jsonl"):
    path = tmp_path / name
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if k != "_file"},
                                       ensure_ascii=False) + "\n" for r in recs),
                    encoding="utf-8")
    return [path]


def _dev_document_with_events_and_claims():
    for doc, recs in records_by_document(lambda r: r["split"] == "dev"
                                         and r["lang"] == "en").items():
        if sum(len(r["events"]) for r in recs) >= 2 and any(r["claims"] for r in recs):
            return doc, recs
    raise AssertionError("no English dev document with events and claims")


@needs_corpus
def test_an_annotation_agrees_with_itself_and_loses_what_a_copy_changes(tmp_path):
    doc, recs = _dev_document_with_events_and_claims()
    same = agreement(files=_write(tmp_path, recs))["scores"]["second_vs_first"]["all"]
    assert same["trigger_type"]["f"] == 1.0 and same["speaker_content"]["f"] == 1.0
    assert same["trigger_type"]["gold"] == sum(len(r["events"]) for r in recs)

    changed = copy.deepcopy(recs)
    with_event = next(r for r in changed if r["events"])
    with_event["events"][0]["type"] = "SANCTION" if with_event["events"][0]["type"] != \
        "SANCTION" else "AGREE"
    with_claim = next(r for r in changed if r["claims"])
    dropped = with_claim["claims"].pop(0)
    result = agreement(files=_write(tmp_path, changed, "changed.jsonl"))
    scores = result["scores"]["second_vs_first"]["en"]
    n_events = sum(len(r["events"]) for r in recs)
    assert scores["trigger_type"]["tp"] == n_events - 1
    assert scores["speaker_content"]["pred"] == sum(len(r["claims"]) for r in recs) - 1
    assert dropped["content"]["start"] >= 0
    assert "second_vs_first" in format_agreement(result)


@needs_corpus
def test_both_annotations_share_one_text_and_offsets(tmp_path):
    doc, recs = _dev_document_with_events_and_claims()
    [(first, second)] = paired_documents(_write(tmp_path, recs))
    assert first.text == second.text and first.sentences == second.sentences
    for ev in first.events:
        s, e = ev["trigger"]
        assert first.text[s:e].strip()


@needs_corpus
def test_a_sentence_the_first_annotation_lacks_is_refused(tmp_path):
    doc, recs = _dev_document_with_events_and_claims()
    odd = copy.deepcopy(recs[:1])
    odd[0]["sid"] = f"{doc}.99"
    with pytest.raises(ValueError, match="L042"):
        paired_documents(_write(tmp_path, odd))
