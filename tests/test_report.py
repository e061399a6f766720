"""`lintas report`: one self-contained HTML file of the sample articles' records, rendered in
a headless Chromium (skipped, with the reason, where no chromium binary is installed)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from pipeline.corpus.export.browser import dump_dom, find_chromium, screenshot

runner = CliRunner()


@pytest.fixture(scope="module")
def report(tmp_path_factory, seed_records) -> Path:
    folder = tmp_path_factory.mktemp("report")
    run = folder / "records.jsonl"
    run.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed_records),
                   encoding="utf-8")
    page = folder / "report.html"
    result = runner.invoke(app, ["report", str(run), "-o", str(page)])
    assert result.exit_code == 0, result.output
    return page


def _data(html: str) -> dict:
    raw = re.search(r'<script type="application/json" id="lintas-data">(.*?)</script>', html,
                    re.S).group(1)
    return json.loads(raw)


def test_the_page_is_self_contained_and_holds_the_records(report, seed_records) -> None:
    html = report.read_text(encoding="utf-8")
    # nothing is fetched: no external script, style sheet, image or font
    assert not re.search(r'<(script|link|img|iframe)[^>]+(src|href)=', html)
    assert "@import" not in html and "url(" not in html
    data = _data(html)
    assert len(data["docs"]) == sum(r["type"] == "document" for r in seed_records)
    assert len(data["events"]) == sum(r["type"] == "event" for r in seed_records)
    assert len(data["claims"]) == sum(r["type"] == "claim" for r in seed_records)
    keys = [e[0] for e in data["entities"]]
    assert len(keys) == len(set(keys)) == len({r["canonical"]["key"] for r in seed_records
                                               if r["type"] == "entity"})
    kz = data["entities"][keys.index("Q232")]
    assert kz[4]["bg"] == ["Казахстан"] and "Kazakhstan" in kz[4]["id"]
    assert set(data["coverage"]) == {"id", "bg"}


def test_a_quote_cannot_close_the_data_element(tmp_path) -> None:
    """A claim whose text holds "</script>" stays data: the page still parses it."""
    from pipeline.corpus.export.report import render

    html = render({"docs": [], "claims": [["direct", None, "x", "y", "</script><b>", 0, 0, 1,
                                           [], None, None]]})
    assert _data(html)["claims"][0][4] == "</script><b>"


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = find_chromium()
    if binary is None:
        pytest.skip("no chromium binary: `apt-get install chromium` (as .ci/run does) to "
                    "render the report in a browser")
    return binary


def test_the_report_renders_in_chromium_without_script_errors(report, chromium, tmp_path) -> None:
    dom = dump_dom(chromium, report)
    assert 'data-rendered="yes"' in dom
    assert re.search(r'id="script-errors" data-count="0"', dom), dom[-3000:]
    # the timeline: a row per commodity, lithium among them, with its agreements
    timeline = dom[dom.index('id="timeline-table"'):dom.index('id="timeline-list"')]
    assert ">lithium<" in timeline and "t-AGREE" in timeline
    # routes: Russia as the way for Kazakhstan's exports
    routes = dom[dom.index('id="routes"'):dom.index('id="s-network"')]
    assert ">Russia<" in routes and "export" in routes
    # the network has its actors, who said what its speakers, the cards their names
    assert dom.count("<circle") >= 10
    claims = dom[dom.index('id="claims"'):dom.index('id="s-entities"')]
    assert "Peskov" in claims and "<mark>" in claims
    cards = dom[dom.index('id="entities"'):dom.index('id="s-coverage"')]
    assert "Казахстан" in cards and "https://www.wikidata.org/wiki/Q232" in cards
    # every row links to its document and offsets
    assert re.search(r'href="#doc=\d+&amp;s=\d+&amp;e=\d+"', dom)
    shot = tmp_path / "report.png"
    screenshot(chromium, report, shot, height=900)
    assert shot.stat().st_size > 10_000


def test_hostile_text_stays_text_and_feed_urls_stay_inert(chromium, tmp_path) -> None:
    """A title with "<!--<script>" must not stop the page's script; a javascript: URL from
    the input feed is shown, never linked."""
    doc = {"type": "document", "schema": "lintas/1", "doc_id": "d1", "source": "d1.txt",
           "lang": "en", "lang_confidence": 1.0, "text_sha256": "0", "chars": 10,
           "published": None, "title": "Breaking <!--<script> news </script>",
           "url": "javascript:alert(1)", "translation": None, "boilerplate": [],
           "extractors": {}}
    run = tmp_path / "r.jsonl"
    run.write_text(json.dumps(doc) + "\n", encoding="utf-8")
    page = tmp_path / "r.html"
    assert runner.invoke(app, ["report", str(run), "-o", str(page)]).exit_code == 0
    dom = dump_dom(chromium, page)
    assert 'data-rendered="yes"' in dom and 'data-count="0"' in dom
    assert 'href="javascript:' not in dom
