"""Reading inputs: every input becomes one document or one error record, never a crash."""

from __future__ import annotations

import io
import json

from conftest import run_records, write
from pipeline.core.document import Document, ErrorRecord
from pipeline.io.reader import read_inputs
from texts import BG, ID


def test_folder_is_read_recursively_in_sorted_order_with_stable_ids(tmp_path):
    write(tmp_path / "b.txt", ID)
    write(tmp_path / "a" / "x.txt", BG)
    write(tmp_path / ".hidden.txt", ID)
    items = list(read_inputs([str(tmp_path)]))
    assert [i.doc_id for i in items] == ["a__x", "b"]
    assert all(isinstance(i, Document) for i in items)
    assert items[1].text == ID


def test_same_file_name_twice_gets_distinct_ids(tmp_path):
    f = write(tmp_path / "x.txt", ID)
    items = list(read_inputs([str(f), str(f)]))
    assert [i.doc_id for i in items] == ["x", "x_2"]


def test_jsonl_fields_and_bad_lines_are_accounted_for(tmp_path):
    lines = [
        json.dumps({"id": "art/1", "text": ID, "title": "T", "url": "http://x", "published":
                    "2024-06-13", "lang": "id"}),
        "{not json",
        json.dumps({"id": "no-text"}),
        json.dumps({"text": "   "}),
        json.dumps([1, 2]),
        json.dumps({"text": ID, "lang": "Indonesian"}),
        "",
        json.dumps({"text": BG}),
    ]
    f = write(tmp_path / "in.jsonl", "\n".join(lines) + "\n")
    items = list(read_inputs([str(f)]))
    assert len(items) == 7  # the blank line is not an article
    doc = items[0]
    assert isinstance(doc, Document)
    assert (doc.doc_id, doc.title, doc.url, doc.published, doc.lang_hint) == (
        "art_1", "T", "http://x", "2024-06-13", "id")
    errors = items[1:6]
    assert all(isinstance(e, ErrorRecord) for e in errors)
    assert [e.line for e in errors] == [2, 3, 4, 5, 6]
    assert "ISO 639" in errors[4].error
    assert "malformed JSON" in errors[0].error
    assert "no 'text' field" in errors[1].error
    assert "blank" in errors[2].error
    assert "JSON object" in errors[3].error
    last = items[6]
    assert isinstance(last, Document) and last.doc_id == "in_L8" and last.source.endswith(":8")


def test_bad_files_become_error_records_and_do_not_stop_others(tmp_path):
    write(tmp_path / "1_empty.txt", b"")
    write(tmp_path / "2_binary.bin", bytes(range(256)) * 4)
    write(tmp_path / "3_good.txt", ID)
    write(tmp_path / "4_cp1251.txt", BG.encode("cp1251"))
    write(tmp_path / "5_utf16.txt", BG.encode("utf-16"))
    items = list(read_inputs([str(tmp_path), str(tmp_path / "missing.txt")]))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["ErrorRecord", "ErrorRecord", "Document", "Document", "Document",
                     "ErrorRecord"]
    assert "empty" in items[0].error
    assert "binary" in items[1].error or "not UTF-8" in items[1].error
    assert items[3].text == BG and items[3].notes == ["decoded from cp1251"]
    assert items[4].text == BG
    assert "cannot read" in items[5].error


def test_huge_file_is_refused_before_reading(tmp_path):
    f = write(tmp_path / "big.txt", "a" * 5000)
    items = list(read_inputs([str(f)], max_bytes=1000))
    assert isinstance(items[0], ErrorRecord) and "--max-bytes" in items[0].error


def test_oversized_jsonl_line_is_skipped_and_next_line_read(tmp_path):
    f = write(tmp_path / "x.jsonl", json.dumps({"text": "x" * 5000}) + "\n"
              + json.dumps({"text": ID}) + "\n")
    items = list(read_inputs([str(f)], max_bytes=1000))
    assert isinstance(items[0], ErrorRecord) and items[0].line == 1
    assert isinstance(items[1], Document) and items[1].text == ID


def test_stdin_text_and_jsonl_are_sniffed():
    text = list(read_inputs(["-"], stdin=io.BufferedReader(io.BytesIO(ID.encode()))))
    assert text[0].doc_id == "stdin" and text[0].text == ID
    jl = (json.dumps({"id": "a", "text": ID}) + "\n" + json.dumps({"id": "b", "text": BG})).encode()
    docs = list(read_inputs(["-"], stdin=io.BufferedReader(io.BytesIO(jl))))
    assert [d.doc_id for d in docs] == ["a", "b"]


def test_every_input_is_accounted_for_in_the_output(tmp_path):
    write(tmp_path / "ok.txt", ID)
    write(tmp_path / "bad.txt", b"\x00\x01\x02binary")
    write(tmp_path / "in.jsonl", '{"text": "' + "Kazakhstan mengekspor minyak ke Eropa melalui "
          'Rusia setiap tahun."}\n{broken\n')
    records, summary = run_records([tmp_path])
    docs = [r for r in records if r["type"] == "document"]
    errs = [r for r in records if r["type"] == "error"]
    assert (len(docs), len(errs)) == (2, 2)
    assert summary.inputs == 4 and summary.errors == 2 and not summary.ok
    assert {e["source"] for e in errs} == {str(tmp_path / "bad.txt"), str(tmp_path / "in.jsonl")}
    assert [e.get("line") for e in errs if e["source"].endswith(".jsonl")] == [2]


def test_special_files_deep_json_and_lines_without_text_become_error_records(tmp_path):
    """A FIFO is refused without being opened (reading one that has no writer would block
    the run for ever), JSON nested 3,000 deep is a malformed line, and a line without
    `text` names its article in the error record."""
    import os

    folder = tmp_path / "in"
    folder.mkdir()
    write(folder / "a.txt", ID)
    os.mkfifo(folder / "b-fifo")
    lines = tmp_path / "x.jsonl"
    lines.write_text('{"id": "deep", "text": ' + "[" * 3000 + "}\n"
                     + '{"id": "art-7", "title": "no text"}\n'
                     + json.dumps({"id": "ok", "text": BG}) + "\n", encoding="utf-8")
    got = list(read_inputs([str(folder), str(lines)]))
    assert [type(x).__name__ for x in got] == ["Document", "ErrorRecord", "ErrorRecord",
                                               "ErrorRecord", "Document"]
    assert "not a regular file (a FIFO)" in got[1].error
    assert "nested too deeply" in got[2].error and got[2].line == 1
    assert got[3].doc_id == "art-7" and "no 'text' field" in got[3].error


def test_symlinked_folders_are_followed_once(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    write(real / "b.txt", BG)
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    write(folder / "a.txt", ID)
    (folder / "sub" / "link").symlink_to(real)
    (folder / "sub" / "loop").symlink_to(folder)  # a cycle: not walked again
    got = list(read_inputs([str(folder)]))
    assert [x.source for x in got] == [str(folder / "a.txt"),
                                       str(folder / "sub" / "link" / "b.txt")]
