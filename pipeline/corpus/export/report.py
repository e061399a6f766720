"""`lintas report`: one self-contained static HTML file of a run (no network, scripts inline).

The page (`report.html` beside this module, a template) holds the data of `report_data` as
JSON in a ``<script type="application/json">`` element and renders it in the browser:
the timeline of trade / production / investment / agreement / sanction events per commodity
(filterable by modality), the routes table, the actor network, who said what (names in the
quote highlighted), entity cards, coverage per language and error counts, and the documents.
Every row links to its document and character offsets (``#doc=N&s=START&e=END``). Long
lists are shown a page at a time, so the page stays usable with many documents
(`lintas benchmark report` measures its weight and render time).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from pipeline.corpus.export.report_data import gather

TEMPLATE = Path(__file__).with_name("report.html")
_SLOT = "/*DATA*/"


def render(data: dict[str, Any]) -> str:
    """The HTML page for ``data`` (`report_data.gather`)."""
    page = TEMPLATE.read_text(encoding="utf-8")
    # inside <script>, "</script" would close the element and "<!--" open a state that never
    # ends: JSON allows every "<" as a \\u escape, so none is left
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    return page.replace(_SLOT, payload, 1)


def write_report(runs: Sequence[str], out: Path,
                 files: Sequence[list[str]] | None = None) -> dict[str, int]:
    """Write the report of ``runs`` (JSONL files or complete --out-dir folders; ``files``
    as for `pipeline.corpus.export.run_rows`) to ``out``; returns what it shows (documents,
    entities, events, claims, errors, and the page's bytes)."""
    from pipeline.corpus.export import run_rows
    data = gather(run_rows(runs, files))
    html = render(data)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(out)
    return {"documents": len(data["docs"]), "entities": len(data["entities"]),
            "events": len(data["events"]), "claims": len(data["claims"]),
            "errors": sum(n for _, _, n in data["errors"]), "bytes": len(html.encode("utf-8"))}
