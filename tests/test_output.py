"""Real output against the shipped JSON Schema and the record shapes the README documents."""

from __future__ import annotations

import hashlib
import json

from conftest import SEEDS, run_records, write
from pipeline.io.schema import SCHEMA_PATH, check_offsets, load_schema, validation_errors
from pipeline.io.schema_build import build


def test_schema_file_matches_its_source():
    assert json.loads(SCHEMA_PATH.read_text(encoding="utf-8")) == build()


def test_seed_output_is_valid_and_offsets_exact(seed_records):
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    assert [r["doc_id"] for r in seed_records if r["type"] == "document"] == sorted(texts)
    for rec in seed_records:
        assert validation_errors(rec) == []
        assert check_offsets(rec, texts[rec["doc_id"]]) == []


def test_document_record_fields(seed_records):
    doc = seed_records[0]
    text = (SEEDS / "000_856839adc05d6453.txt").read_text(encoding="utf-8")
    assert doc["type"] == "document" and doc["schema"] == "lintas/1"
    assert doc["doc_id"] == "000_856839adc05d6453"
    assert doc["source"].endswith("seeds/000_856839adc05d6453.txt")
    assert doc["lang"] == "id" and doc["lang_confidence"] > 0.8
    assert doc["chars"] == len(text)
    assert doc["text_sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert set(doc["extractors"]) == {"langid", "segment", "ner", "relations", "events", "claims"}
    assert doc["extractors"]["langid"].startswith("py3langid ")


def test_records_name_only_pinned_library_versions(seed_records):
    """The same input gives the same bytes on any install: a library version in
    `extractors` must be one that pyproject.toml pins exactly."""
    import re

    from conftest import ROOT

    pins = dict(re.findall(r'"([A-Za-z0-9_.-]+)==([0-9][^";]*)', (ROOT / "pyproject.toml").read_text()))
    found = []
    for rec in seed_records:
        for value in (rec.get("extractors") or {}).values():
            found += re.findall(r"\b([A-Za-z][\w-]*) (\d+\.\d+(?:\.\d+)?)\b", value)
    libraries = [(name, v) for name, v in found if not name.startswith("lintas-")]
    assert ("py3langid", "0.4.0") in libraries  # the check sees what it is meant to see
    for name, version in libraries:
        assert pins.get(name) == version, f"{name} {version} is in the records but not pinned"


def test_records_follow_their_document(seed_records):
    current = None
    for rec in seed_records:
        if rec["type"] == "document":
            current = rec["doc_id"]
        else:
            assert rec["doc_id"] == current
    langs = [r["lang"] for r in seed_records if r["type"] == "document"]
    assert langs == ["id", "id", "id", "bg", "id"]


def test_entity_ids_are_deterministic_and_canonical_keys_shared(seed_records):
    ents = [r for r in seed_records if r["type"] == "entity"]
    assert all(r["id"] == f"{r['doc_id']}/e{i}" for r in ents
               for i in [int(r["id"].rsplit("/e", 1)[1])])
    kz_docs = {r["doc_id"] for r in ents if r["canonical"]["key"] == "Q232"}
    assert len(kz_docs) == 5  # Kazakhstan / Казахстан in all five articles
    assert any(m["text"] == "Казахстан" for r in ents for m in r["mentions"]
               if r["canonical"]["key"] == "Q232")
    ru_docs = {r["doc_id"] for r in ents if r["canonical"]["key"] == "Q159"}
    assert len(ru_docs) == 4  # Rusia / Русия (the Korean article does not name Russia)


def test_same_input_same_output(seed_records):
    again, _ = run_records([str(SEEDS)])
    assert again == seed_records


def test_fast_validator_agrees_with_the_reference(seed_records):
    from jsonschema import Draft202012Validator

    reference = Draft202012Validator(load_schema())
    broken = [{"type": "entity", "id": "x/e1"}, {"type": "document", "schema": "lintas/2"},
              {**seed_records[1], "confidence": 1.5}, {**seed_records[0], "lang": "Indonesian"}]
    for rec in [*seed_records, *broken]:
        assert (validation_errors(rec) == []) == reference.is_valid(rec)


def test_schema_rejects_broken_records():
    assert validation_errors({"type": "entity", "id": "x/e1"})
    assert validation_errors({"type": "nonsense"})
    bad_lang = {"type": "error", "doc_id": None, "source": "x", "stage": "read", "error": 3}
    assert validation_errors(bad_lang)


def test_error_records_validate(tmp_path):
    write(tmp_path / "bin.dat", b"\x00\x00\x00\x01")
    records, _ = run_records([tmp_path])
    assert records[0]["type"] == "error" and validation_errors(records[0]) == []
    assert load_schema()["title"] == "lintas/1 record"
