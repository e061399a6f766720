"""Generated input (hypothesis) through the reader and the whole pipeline: control
characters, mixed scripts, lone surrogates, binary files, huge lines and deep JSON. No
exception escapes, every input is accounted for, and records stay valid with offsets into
the original text. Derandomized, so that a run is reproducible."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.core.core import build_pipeline
from pipeline.core.document import Document, ErrorRecord
from pipeline.io.reader import read_inputs
from pipeline.core.runner import record_lines
from pipeline.io.schema import check_offsets, validation_errors

FUZZ = settings(derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])

# real words in several scripts, and characters that break naive code
WORDS = ["Kazakhstan", "Казахстан", "Tokayev", "Токаев", "Токаєв", "Jakarta", "Moskow",
         "uranium", "нефть", "заяви", "kata", "dia", "Putin", "PT", "Timah", "Tbk", "(",
         ")", "\"", "«", "»", ".", ",", "\n", "\n\n", "\r\n", "\t", "\x00", "\x07", "\x1b[31m",
         "\u200b", "\u200d", "\ufeff", "\u2028", "e\u0301", "𝕏", "👩‍👩‍👧", "ﷺ", "中国", "العراق",
         "ԁ", "Tpъмп", "İstanbul", "ß", "\U0010ffff", "\ud800", "\udfff"]
texts = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=6)), max_size=80).map(" ".join)


def _jsonl_line() -> st.SearchStrategy[bytes]:
    """One line of a JSONL file: a good article, a broken one, or no JSON at all."""
    article = st.fixed_dictionaries(
        {"text": st.one_of(texts, st.just(""), st.integers())},
        optional={"id": st.one_of(st.text(max_size=8), st.integers()), "lang": st.text(max_size=4),
                  "title": st.one_of(texts, st.none()), "published": st.text(max_size=12)})
    return st.one_of(
        article.map(lambda o: json.dumps(o).encode()),  # ASCII escapes: surrogates survive
        article.map(lambda o: json.dumps(o, ensure_ascii=False).encode("utf-8", "replace")),
        st.integers(1, 5000).map(lambda n: b"[" * n),  # nested deeper than the parser goes
        st.integers(1, 3000).map(lambda n: b'{"text": "' + b"x" * n + b'"}'),  # huge lines
        st.binary(max_size=60).map(lambda b: b.replace(b"\n", b" ")),
        st.just(b""), st.just(b"   "),
    )


files = st.lists(st.one_of(
    st.tuples(st.just("txt"), st.one_of(st.binary(max_size=400),
                                        texts.map(lambda t: t.encode("utf-8", "surrogatepass")))),
    st.tuples(st.just("jsonl"), st.lists(_jsonl_line(), max_size=6).map(b"\n".join)),
), min_size=1, max_size=5)


def _expected_inputs(kind: str, data: bytes) -> int:
    """One input per text file; one per non-blank line of a JSONL file."""
    if kind == "txt":
        return 1
    return sum(1 for line in data.split(b"\n") if line.strip())


@FUZZ
@given(files)
# the cases that once crashed or lost a run, always tried besides the generated ones
@example([("jsonl", b'{"id": "a\\udc80", "title": "T \\ud800", "text": "ok"}\n'
                    b'{"text": "Putin \\ud800 Tokayev"}\n' + b"[" * 3000 + b"\n{}")])
@example([("txt", b"\xff\xfe\x00\xd8"), ("txt", b""), ("jsonl", b'{"id": 7}\n{"text": 1}')])
def test_the_reader_accounts_for_every_input(spec):
    with tempfile.TemporaryDirectory() as tmp:
        for k, (kind, data) in enumerate(spec):
            Path(tmp, f"f{k}.{kind}").write_bytes(data)
        items = list(read_inputs([tmp], max_bytes=2000))
    assert len(items) == sum(_expected_inputs(kind, data) for kind, data in spec)
    for item in items:
        assert isinstance(item, (Document, ErrorRecord))
        if isinstance(item, ErrorRecord):
            assert item.error and item.stage == "read"
        else:
            item.text.encode("utf-8")  # every document's text can be written out


_PIPELINE: list = []


def _pipeline():
    if not _PIPELINE:
        _PIPELINE.append(build_pipeline())
    return _PIPELINE[0]


@settings(FUZZ, max_examples=60)
@given(st.lists(st.tuples(texts, st.sampled_from([None, "id", "bg", "ru", "en", "xx"])),
                min_size=1, max_size=4))
@example([("Putin \ud800 bertemu Tokayev", "id"), ("Токаев \udfff заяви", None)])
def test_the_whole_pipeline_never_raises_and_keeps_offsets(articles):
    """Articles as JSONL (lone surrogates as JSON escapes), through every stage as a run
    does: one document or error record first per article, valid records, exact offsets."""
    lines = [json.dumps({"id": f"a{k}", "text": t, **({"lang": lang} if lang else {})})
             for k, (t, lang) in enumerate(articles)]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "in.jsonl")
        path.write_text("\n".join(lines) + "\n", encoding="ascii")
        items = list(read_inputs([str(path)]))
    assert len(items) == len(articles)
    texts_by_id = {item.doc_id: item.text for item in items if isinstance(item, Document)}
    out = _pipeline().process_batch(items)
    assert len(out) == len(items)
    for records in out:
        assert records[0]["type"] in ("document", "error")
        text, documents, n, errors = record_lines(records, validate=True)
        text.encode("utf-8")
        assert (documents, errors) in ((1, 0), (0, 1)) and n == text.count("\n")
        for rec in records:
            assert validation_errors(rec) == []
            if rec["type"] != "error":
                assert check_offsets(rec, texts_by_id[rec["doc_id"]]) == []
