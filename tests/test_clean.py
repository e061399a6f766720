"""Boilerplate is masked out of extraction, and no offset moves."""

from __future__ import annotations

from conftest import run_records, write
from pipeline.stages.clean import Clean, clean_text
from pipeline.core.document import Document

ARTICLE = (
    "beritaenergi.co.id – Rusia dan Kazakhstan sepakat memperluas pasokan minyak.\n"
    "Baca juga: Harga Minyak Dunia Naik, Indonesia Siap Impor dari Rusia\n"
    "Kesepakatan itu diteken di Astana.\n"
    "error: Content is protected !!\n"
    "Прочетете още: Китай купува повече петрол\n"
)


def test_masks_lines_and_site_prefix_but_keeps_text():
    doc = Clean()(Document("d", "d", ARTICLE))
    masked = [ARTICLE[s.start:s.end] for s in doc.masked]
    assert masked == [
        "beritaenergi.co.id – ",
        "Baca juga: Harga Minyak Dunia Naik, Indonesia Siap Impor dari Rusia",
        "error: Content is protected !!",
        "Прочетете още: Китай купува повече петрол",
    ]
    cleaned = clean_text(doc)
    assert len(cleaned) == len(ARTICLE)
    assert cleaned.count("\n") == ARTICLE.count("\n")
    assert "Baca juga" not in cleaned and "Rusia dan Kazakhstan" in cleaned
    assert doc.text == ARTICLE  # the original is never changed


def test_entities_in_boilerplate_are_not_extracted_and_offsets_point_into_original(tmp_path):
    f = write(tmp_path / "a.txt", ARTICLE)
    records, _ = run_records([f], lang="id")
    doc = records[0]
    assert doc["chars"] == len(ARTICLE)
    assert len(doc["boilerplate"]) == 4
    mentions = [m for r in records if r["type"] == "entity" for m in r["mentions"]]
    assert mentions, "the article names Russia, Kazakhstan and Astana"
    for m in mentions:
        assert ARTICLE[m["start"]:m["end"]] == m["text"]
        assert not any(b["start"] < m["end"] and m["start"] < b["end"] for b in doc["boilerplate"])
    # "Indonesia" appears only inside the masked "Baca juga" line
    assert "Indonesia" not in {m["text"] for m in mentions}
    assert {"Rusia", "Kazakhstan", "Astana"} <= {m["text"] for m in mentions}
