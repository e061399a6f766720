"""Documents too long to hold whole go through the stages in sections (pipeline.core.sections):
cut where they should be, merged back into one document's records, offsets into the whole
text, and the temp files gone afterwards."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.core.core import PipelineConfig, build_pipeline
from pipeline.core.document import Document
from pipeline.core.runner import record_lines
from pipeline.io.schema import validation_errors
from pipeline.core.sections import SECTION_CHARS, section_bounds
from pipeline.core.spool import SPOOL_PREFIX, SpooledRecords, text_chunks

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))


def test_bounds_cover_the_text_and_prefer_paragraphs_then_lines_then_spaces() -> None:
    text = "a" * 40 + "\n\n" + "b" * 40 + "\n" + "c" * 50 + " " + "d" * 200
    bounds = section_bounds(text, 64)
    assert bounds[0] == (0, 42)  # after the blank line
    assert bounds[1] == (42, 83)  # after the line break
    assert bounds[2] == (83, 134)  # after the space
    assert bounds[3] == (134, 198)  # no break at all: cut at the limit
    assert bounds[-1][1] == len(text)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:]))
    assert all(e - s <= 64 for s, e in bounds)
    assert section_bounds("short", 64) == [(0, 5)]


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline(PipelineConfig())


def _records(nlp, text: str, limit: int, doc_id: str = "d") -> list[dict]:
    nlp.section_chars = limit
    try:
        lines, *_ = record_lines(nlp.process(Document(doc_id, "src", text, lang_hint="id")),
                                 True)
    finally:
        nlp.section_chars = SECTION_CHARS
    return [json.loads(line) for line in "".join(text_chunks(lines)).splitlines()]


def _by_type(records: list[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for rec in records:
        out.setdefault(rec["type"], []).append(rec)
    return out


def _resolved(records: list[dict], shift: int = 0) -> dict[str, list]:
    """Events, claims and relations with entity ids replaced by canonical keys and offsets
    moved by ``shift``: comparable across runs whose numbering differs."""
    keys = {r["id"]: r["canonical"]["key"] for r in records if r["type"] == "entity"}

    def moved(obj):
        if isinstance(obj, dict):
            out = {k: moved(v) for k, v in obj.items() if k not in ("id", "doc_id")}
            if isinstance(obj.get("start"), int):
                out["start"] += shift
                out["end"] += shift
            for k in ("head", "tail", "entity"):
                if obj.get(k) is not None:
                    out[k] = keys[obj[k]]
            if "about" in obj:  # a claim's entities
                out["about"] = [keys[i] for i in obj["about"]]
            return out
        if isinstance(obj, list):
            return [moved(v) for v in obj]
        return obj

    by = _by_type(records)
    return {t: [moved(r) for r in by.get(t, [])] for t in ("relation", "event", "claim")}


def test_two_articles_as_two_sections_are_the_articles_read_alone(nlp) -> None:
    """Each section is read exactly as the article alone would be; the document's records
    are theirs, offsets moved into the whole text, entities merged by identity, every id
    numbered across the document."""
    first = SEEDS[0].read_text(encoding="utf-8").rstrip("\n")
    second = SEEDS[1].read_text(encoding="utf-8").rstrip("\n")
    text = first + "\n\n" + second
    shift = len(first) + 2
    # the cut falls at the blank line between the two
    assert section_bounds(text, shift + 10) == [(0, shift), (shift, len(text))]
    whole = _records(nlp, text, shift + 10)
    alone_a = _records(nlp, first + "\n\n", 10**9)
    alone_b = _records(nlp, second, 10**9)
    by = _by_type(whole)
    assert len(by["document"]) == 1 and by["document"][0]["chars"] == len(text)
    for t, recs in by.items():
        if t != "document":
            ids = [r["id"] for r in recs]
            letter = {"entity": "e", "relation": "r", "event": "v", "claim": "c"}[t]
            assert ids == [f"d/{letter}{n}" for n in range(1, len(recs) + 1)]
    # every span is the text it points at, in the whole text
    for rec in by["entity"]:
        for m in rec["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
    for rec in by["event"]:
        assert text[rec["trigger"]["start"]:rec["trigger"]["end"]] == rec["trigger"]["text"]
    for rec in by["claim"]:
        assert text[rec["content"]["start"]:rec["content"]["end"]] == rec["content"]["text"]
    # events and claims: the first article's, then the second's, moved
    a, b, w = _resolved(alone_a), _resolved(alone_b, shift), _resolved(whole)
    for t in ("event", "claim"):
        assert w[t] == a[t] + b[t], t
        assert w[t], t
    # relations: one per label, head, tail and value across the document
    assert len(w["relation"]) <= len(a["relation"]) + len(b["relation"])
    assert all(r in a["relation"] + b["relation"] for r in w["relation"])
    # entities: each identity once, with the mentions of both articles
    mentions: dict[str, list] = {}
    for recs, s in ((alone_a, 0), (alone_b, shift)):
        for r in recs:
            if r["type"] == "entity":
                mentions.setdefault(r["canonical"]["key"], []).extend(
                    (m["start"] + s, m["end"] + s) for m in r["mentions"])
    got = {r["canonical"]["key"]: [(m["start"], m["end"]) for m in r["mentions"]]
           for r in by["entity"]}
    assert got == mentions
    # and some are named in both articles: merged, not repeated
    assert any(m[0][0] < shift < m[-1][0] for m in got.values())


def test_a_short_form_joins_its_person_across_sections(nlp) -> None:
    """A surname alone in one section joins the full name of another, as it does within
    one section: one entity, and the claim's speaker points at it."""
    text = ("Presiden Kazakhstan Kassym-Jomart Tokayev tiba di Astana pada hari Senin.\n\n"
            "Tokayev mengatakan bahwa ekspor uranium akan naik tahun ini.")
    cut = text.index("\n\n") + 2
    records = _records(nlp, text, cut + 5)
    persons = [r for r in records if r["type"] == "entity" and r["label"] == "PER"]
    assert [p["name"] for p in persons] == ["Kassym-Jomart Tokayev"]
    assert [m["text"] for m in persons[0]["mentions"]] == ["Kassym-Jomart Tokayev", "Tokayev"]
    speakers = [r["speaker"]["entity"] for r in records
                if r["type"] == "claim" and r["speaker"] is not None]
    assert speakers == [persons[0]["id"]]


def test_a_failing_stage_is_one_error_record_and_no_file_is_left(nlp, tmp_path,
                                                                  monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    events = next(s for s in nlp.stages if s.name == "events")
    calls = {"n": 0}
    real = type(events).__call__

    def fail_second(self, doc):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom in section two")
        return real(self, doc)

    monkeypatch.setattr(type(events), "__call__", fail_second)
    text = SEEDS[0].read_text(encoding="utf-8") + "\n\n" + SEEDS[1].read_text(encoding="utf-8")
    nlp.section_chars = len(SEEDS[0].read_text(encoding="utf-8")) + 10
    try:
        out = nlp.process(Document("d", "src", text, lang_hint="id"))
    finally:
        nlp.section_chars = SECTION_CHARS
    assert isinstance(out, list) and len(out) == 1
    assert out[0]["type"] == "error" and out[0]["stage"] == "events"
    assert "boom in section two" in out[0]["error"]
    assert not list(tmp_path.glob(SPOOL_PREFIX + "*"))


def test_records_spool_is_read_and_deleted_once(nlp, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    nlp.section_chars = 4000
    try:
        spooled = nlp.process(Document("d", "src", text, lang_hint="id"))
    finally:
        nlp.section_chars = SECTION_CHARS
    assert isinstance(spooled, SpooledRecords)
    lines, documents, n, errors = record_lines(spooled, True)
    assert not Path(spooled.path).exists()  # read once, then gone
    assert (documents, errors) == (1, 0)
    text_out = "".join(text_chunks(lines))
    assert text_out.count("\n") == n
    records = [json.loads(line) for line in text_out.splitlines()]
    assert all(not validation_errors(r) for r in records)
    assert not list(tmp_path.glob(SPOOL_PREFIX + "*"))  # the text's file too, once read


def test_a_long_document_through_lintas_run_with_workers(tmp_path) -> None:
    """`lintas run` on a document of three sections, in two worker processes: the records
    cross from the worker as a temp file, the output holds them all, nothing is left."""
    text = "\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS)
    big = "\n\n".join([text] * 17)  # 216,000 characters
    assert len(section_bounds(big)) == 3
    src = tmp_path / "big.txt"
    src.write_text(big, encoding="utf-8")
    small = tmp_path / "small.txt"
    small.write_text(SEEDS[1].read_text(encoding="utf-8"), encoding="utf-8")
    spool = tmp_path / "tmp"
    spool.mkdir()
    out = tmp_path / "out.jsonl"
    env = {"TMPDIR": str(spool), "HF_HUB_OFFLINE": "1", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run([sys.executable, "-m", "cli", "run", str(src), str(small),
                           "--workers", "2", "-o", str(out), "--no-progress"],
                          cwd=ROOT, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    docs = [r for r in records if r["type"] == "document"]
    assert [d["source"].rsplit("/", 1)[-1] for d in docs] == ["big.txt", "small.txt"]
    assert docs[0]["chars"] == len(big)
    big_ids = {r["id"] for r in records if r.get("doc_id") == docs[0]["doc_id"] and "id" in r}
    for r in records:
        if r["type"] == "event" and r["doc_id"] == docs[0]["doc_id"]:
            assert big[r["trigger"]["start"]:r["trigger"]["end"]] == r["trigger"]["text"]
            assert all(a["entity"] in big_ids for a in r["arguments"] if a["entity"])
    events = [r for r in records if r["type"] == "event" and r["doc_id"] == docs[0]["doc_id"]]
    assert events[-1]["trigger"]["start"] > len(big) - len(text)  # the last section was read
    assert not list(spool.glob(SPOOL_PREFIX + "*")) and not list(spool.glob("lintas-run-*"))


class _ClosesAfterOne(io.StringIO):
    """An output whose reader goes away after the first input's lines."""

    def write(self, text: str) -> int:
        if self.getvalue():
            raise BrokenPipeError("reader gone")
        return super().write(text)


def test_a_run_that_ends_early_leaves_no_temp_file(tmp_path, monkeypatch) -> None:
    """Three long documents, read in one batch; the output breaks after the first: the
    third's records, already in a temp file but never read, go with the run's folder."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", None)
    from pipeline.core import sections
    from pipeline.core.runner import run

    monkeypatch.setattr(sections, "SECTION_CHARS", 3000)
    monkeypatch.setattr("pipeline.core.core.SECTION_CHARS", 3000)
    docs = []
    for k in range(3):
        path = tmp_path / f"long{k}.txt"
        path.write_text("\n\n".join(p.read_text(encoding="utf-8") for p in SEEDS[:3]),
                        encoding="utf-8")
        docs.append(str(path))
    with pytest.raises(BrokenPipeError):
        run(docs, _ClosesAfterOne(), progress=False)
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("lintas-")]
