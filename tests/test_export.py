"""`lintas export`: Parquet tables (read back by DuckDB and pyarrow), Neo4j graph CSV and
the events CSV, on the sample articles' real records; names that need quoting round-trip."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from conftest import SEEDS

duckdb = pytest.importorskip("duckdb")
pq = pytest.importorskip("pyarrow.parquet")

runner = CliRunner()


@pytest.fixture(scope="module")
def seed_run(tmp_path_factory, seed_records) -> Path:
    path = tmp_path_factory.mktemp("run") / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed_records),
                    encoding="utf-8")
    return path


def _export(run: Path, fmt: str, out: Path) -> None:
    result = runner.invoke(app, ["export", str(run), "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output


def _count(records: list[dict], kind: str) -> int:
    return sum(r["type"] == kind for r in records)


def test_parquet_tables_load_in_duckdb_and_pyarrow(seed_run, seed_records, tmp_path) -> None:
    out = tmp_path / "pq"
    _export(seed_run, "parquet", out)
    con = duckdb.connect()

    def n(table: str) -> int:
        return con.execute(f"SELECT count(*) FROM '{out / table}.parquet'").fetchone()[0]

    assert n("documents") == _count(seed_records, "document") == 5
    assert n("entities") == _count(seed_records, "entity")
    assert n("events") == _count(seed_records, "event")
    assert n("claims") == _count(seed_records, "claim")
    assert n("relations") == _count(seed_records, "relation")
    assert n("errors") == 0
    assert n("mentions") == sum(len(r["mentions"]) for r in seed_records if r["type"] == "entity")
    assert n("event_arguments") == sum(len(r["arguments"]) for r in seed_records
                                       if r["type"] == "event")
    assert n("claim_subjects") == sum(len(r["about"]) for r in seed_records
                                      if r["type"] == "claim")
    # types and the schema version, as pyarrow reads them
    events = pq.read_table(out / "events.parquet")
    assert str(events.schema.field("date").type) == "date32[day]"
    assert str(events.schema.field("trigger_start").type) == "int64"
    assert str(events.schema.field("commodities").type) == "list<element: string>"
    meta = pq.read_metadata(out / "events.parquet").metadata
    assert meta[b"lintas_schema"] == b"lintas/1" and meta[b"lintas_table"] == b"events"
    # every mention's offsets are its text in the sample article
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for doc_id, start, end, text in con.execute(
            f"SELECT doc_id, start, \"end\", text FROM '{out}/mentions.parquet'").fetchall():
        assert texts[doc_id][start:end] == text
    # the README's question: which entities sign agreements about lithium (article 004:
    # Kazakhstan and South Korea)
    signers = {k for (k,) in con.execute(f"""
        SELECT DISTINCT a.canonical_key
        FROM '{out}/events.parquet' ev JOIN '{out}/event_arguments.parquet' a
          ON a.event_id = ev.id
        WHERE ev.event_type = 'AGREE' AND list_contains(ev.commodities, 'lithium')
          AND a.role IN ('actor', 'counterpart') AND a.canonical_key IS NOT NULL""").fetchall()}
    assert {"Q232", "Q884"} <= signers, signers
    # Kazakhstan is one key across the Indonesian and Bulgarian articles
    langs = {lang for (lang,) in con.execute(f"""
        SELECT DISTINCT d.lang FROM '{out}/entities.parquet' e
        JOIN '{out}/documents.parquet' d USING (doc_id) WHERE e.canonical_key = 'Q232'""").fetchall()}
    assert langs == {"id", "bg"}


def _read_csv(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_graph_csv_edges_point_at_nodes(seed_run, seed_records, tmp_path) -> None:
    out = tmp_path / "graph"
    _export(seed_run, "graph-csv", out)
    ids = {
        "Entity": {r["key:ID(Entity)"] for r in _read_csv(out / "entities.csv")},
        "Document": {r["doc_id:ID(Document)"] for r in _read_csv(out / "documents.csv")},
        "Event": {r["id:ID(Event)"] for r in _read_csv(out / "events.csv")},
        "Claim": {r["id:ID(Claim)"] for r in _read_csv(out / "claims.csv")},
        "Commodity": {r["key:ID(Commodity)"] for r in _read_csv(out / "commodities.csv")},
    }
    assert len(ids["Event"]) == _count(seed_records, "event")
    assert len(ids["Entity"]) == len({r["canonical"]["key"] for r in seed_records
                                      if r["type"] == "entity"})
    assert {"lithium", "oil", "gas", "uranium"} <= ids["Commodity"]
    types = set()
    for path in out.glob("*.csv"):
        rows = _read_csv(path)
        if not rows or ":TYPE" not in rows[0]:
            continue
        start = next(k for k in rows[0] if k.startswith(":START_ID("))
        end = next(k for k in rows[0] if k.startswith(":END_ID("))
        for r in rows:
            assert r[start] in ids[start[10:-1]], (path.name, r)
            assert r[end] in ids[end[8:-1]], (path.name, r)
            types.add(r[":TYPE"])
    assert {"MENTIONED_IN", "ARGUMENT", "SAID", "ABOUT", "REPORTED_IN",
            "HOLDS_POSITION"} <= types
    # Kazakhstan: one node, its names in both languages
    kz = next(r for r in _read_csv(out / "entities.csv") if r["key:ID(Entity)"] == "Q232")
    assert kz["name_bg:string[]"] == "Казахстан"
    assert "Kazakhstan" in kz["name_id:string[]"].split("\x1f")
    assert (out / "import.sh").read_text(encoding="utf-8").count("--nodes=") == 5


def test_names_with_quotes_and_newlines_round_trip(tmp_path) -> None:
    """A name with a quote, a comma, a newline and the array delimiter itself: the CSV
    reader gets the name back exactly (the delimiter inside a name becomes a space)."""
    name = 'PT "Maju, Jaya"\nTbk; \\ \'x\''
    records = [
        {"type": "document", "schema": "lintas/1", "doc_id": "d1", "source": "d1.txt",
         "lang": "id", "lang_confidence": 1.0, "text_sha256": "0", "chars": 40,
         "published": "2024-06-13T08:00:00Z", "title": None, "url": "https://example.org/a,b",
         "translation": None, "boilerplate": [], "extractors": {}},
        {"type": "entity", "id": "d1/e1", "doc_id": "d1", "label": "ORG", "name": name,
         "canonical": {"key": "org:pt-maju-jaya", "name": name, "wikidata": None},
         "mentions": [{"start": 0, "end": len(name), "text": name}], "confidence": 0.9},
        {"type": "entity", "id": "d1/e2", "doc_id": "d1", "label": "ORG", "name": "A\x1fB",
         "canonical": {"key": "org:ab", "name": "A\x1fB", "wikidata": None},
         "mentions": [{"start": 0, "end": 3, "text": "A\x1fB"}], "confidence": 0.9},
    ]
    run = tmp_path / "r.jsonl"
    run.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    _export(run, "graph-csv", tmp_path / "g")
    ents = {r["key:ID(Entity)"]: r for r in _read_csv(tmp_path / "g" / "entities.csv")}
    assert ents["org:pt-maju-jaya"]["name"] == name
    assert ents["org:pt-maju-jaya"]["names:string[]"].split("\x1f") == [name]
    assert ents["org:ab"]["names:string[]"].split("\x1f") == ["A B"]
    docs = _read_csv(tmp_path / "g" / "documents.csv")
    assert docs[0]["published:date"] == "2024-06-13"
    assert docs[0]["url"] == "https://example.org/a,b"
    # DuckDB's CSV reader reads the quoted newline too
    got = duckdb.connect().execute(
        f"SELECT name FROM read_csv('{tmp_path}/g/entities.csv', header = true, quote = '\"', "
        "escape = '\"') WHERE name LIKE 'PT%'").fetchone()[0]
    assert got == name


def test_events_csv_rows_point_at_their_text(seed_run, seed_records, tmp_path) -> None:
    out = tmp_path / "ev" / "events.csv"
    _export(seed_run, "events-csv", out)
    rows = _read_csv(out)
    assert len(rows) == _count(seed_records, "event")
    texts = {p.stem: p.read_text(encoding="utf-8") for p in SEEDS.glob("*.txt")}
    for r in rows:
        text = texts[r["doc_id"]]
        assert text[int(r["trigger_start"]):int(r["trigger_end"])] == r["trigger"]
        assert int(r["sentence_start"]) <= int(r["trigger_start"])
    signed = [r for r in rows if r["event_type"] == "AGREE" and "lithium" in r["commodities"]]
    parties = {k for r in signed for k in (r["actor_keys"] + "|" + r["counterpart_keys"]).split("|")}
    assert {"Q232", "Q884"} <= parties, signed


def test_export_refuses_bad_input_before_writing(tmp_path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "document", "doc_id": "a"}\nnot json\n', encoding="utf-8")
    result = runner.invoke(app, ["export", str(bad), "--format", "events-csv",
                                 "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "[L040]" in result.output and "bad.jsonl:2" in result.output
    result = runner.invoke(app, ["export", str(bad), "--format", "xml"])
    assert result.exit_code == 2
    unfinished = tmp_path / "dir"
    unfinished.mkdir()
    result = runner.invoke(app, ["export", str(unfinished), "--out", str(tmp_path / "o2")])
    assert result.exit_code == 2 and not (tmp_path / "o2").exists()


def test_parquet_without_duckdb_names_the_extra(seed_run, tmp_path, monkeypatch) -> None:
    import builtins

    real = builtins.__import__

    def no_duckdb(name, *args, **kwargs):
        if name == "duckdb":
            raise ImportError(name)
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    result = runner.invoke(app, ["export", str(seed_run), "--out", str(tmp_path / "p")])
    assert result.exit_code != 0
    assert 'lintas[export]' in str(result.exception) + result.output


def _doc(doc_id: str, **over) -> dict:
    rec = {"type": "document", "schema": "lintas/1", "doc_id": doc_id, "source": f"{doc_id}.txt",
           "lang": "id", "lang_confidence": 1.0, "text_sha256": "0", "chars": 10,
           "published": None, "title": None, "url": None, "translation": None,
           "boilerplate": [], "extractors": {}}
    rec.update(over)
    return rec


def _write(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def test_node_labels_are_split_like_arrays(seed_run, tmp_path) -> None:
    """neo4j-admin splits :LABEL by the --array-delimiter given (U+001F here)."""
    _export(seed_run, "graph-csv", tmp_path / "g")
    labels = {r[":LABEL"] for r in _read_csv(tmp_path / "g" / "entities.csv")}
    assert labels and all(lab.split("\x1f")[0] == "Entity" and len(lab.split("\x1f")) == 2
                          for lab in labels), labels


def test_published_dates_as_the_pipeline_reads_them(tmp_path) -> None:
    """A date that names no day is no DATE (the text is kept); free text is read."""
    run = _write(tmp_path / "r.jsonl", [_doc("a", published="2024-02-30"),
                                        _doc("b", published="Mon, 03 Jun 2024 10:00:00"),
                                        _doc("c", published="2024-06-13T08:00:00Z")])
    _export(run, "parquet", tmp_path / "p")
    got = duckdb.connect().execute(
        f"SELECT doc_id, published, published_text FROM '{tmp_path}/p/documents.parquet' "
        "ORDER BY doc_id").fetchall()
    assert [(d, str(p) if p else None, t) for d, p, t in got] == [
        ("a", None, "2024-02-30"), ("b", "2024-06-03", "Mon, 03 Jun 2024 10:00:00"),
        ("c", "2024-06-13", "2024-06-13T08:00:00Z")]


def test_two_runs_with_one_document_id_are_refused(seed_run, tmp_path) -> None:
    result = runner.invoke(app, ["export", str(seed_run), str(seed_run), "--format",
                                 "events-csv", "--out", str(tmp_path / "o")])
    assert result.exit_code == 2 and "[L041]" in result.output


def test_a_failed_export_leaves_the_earlier_one_as_it_was(seed_run, tmp_path) -> None:
    out = tmp_path / "o"
    _export(seed_run, "events-csv", out)
    before = (out / "events.csv").read_bytes()
    lines = seed_run.read_text(encoding="utf-8").splitlines(keepends=True)
    bad = tmp_path / "bad.jsonl"
    bad.write_text("".join(lines[:150]) + "{broken\n", encoding="utf-8")
    for fmt in ("events-csv", "graph-csv"):
        result = runner.invoke(app, ["export", str(bad), "--format", fmt, "--out", str(out)])
        assert result.exit_code == 2 and "bad.jsonl:151" in result.output
    assert (out / "events.csv").read_bytes() == before
    assert sorted(p.name for p in out.iterdir()) == ["events.csv"]  # no stage left behind
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"type": "error", "source": "caf\xe9"}\n')
    result = runner.invoke(app, ["export", str(latin), "--format", "events-csv", "--out",
                                 str(tmp_path / "o3")])
    assert result.exit_code == 2 and "latin.jsonl:1: not UTF-8" in result.output
