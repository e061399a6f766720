"""Report benchmark: page weight and render time of `lintas report` as the corpus grows.

The corpus is the sample articles' records repeated (each copy under its own document ids)
to 100, 1,000 and 10,000 documents. For each size: the seconds `lintas report` takes to
write the page, the page's size, and the time a headless Chromium takes from navigation to
the end of the page's script (every section drawn; the page records it in
``data-render-ms``), median of three loads. Run it with ``lintas benchmark report [--docs
N]``; it needs the ``chromium`` binary for the render time (without one that column is
empty).
"""

from __future__ import annotations

import io
import re
import statistics
import tempfile
import time
from pathlib import Path

from pipeline.corpus.export.browser import dump_dom, find_chromium
from pipeline.corpus.export.report import write_report
from pipeline.lexicon.lexicons import models_dir

SEEDS = models_dir().parent / "seeds"
SIZES = (100, 1000, 10000)


def seed_lines() -> list[str]:
    """The sample articles' records, as `lintas run` writes them."""
    from pipeline.core.runner import run

    out = io.StringIO()
    run([str(SEEDS)], out, progress=False)
    return out.getvalue().splitlines(keepends=True)


def corpus(lines: list[str], documents: int, path: Path) -> None:
    """Write ``documents`` documents' records: copies of ``lines`` with new document ids."""
    ids = sorted({m for m in re.findall(r'"doc_id":"([^"]+)"', "".join(lines))})
    per = len(ids)
    with open(path, "w", encoding="utf-8") as fh:
        for k in range((documents + per - 1) // per):
            keep = ids[:min(per, documents - k * per)]
            for line in lines:
                owner = next((i for i in ids if f'"doc_id":"{i}"' in line), None)
                if owner not in keep:
                    continue
                fh.write(line.replace(owner, f"{owner}_{k:05d}"))


def main(documents: int | None = None, repeats: int = 3) -> None:
    """Print the table for the sizes (or one size ``documents``)."""
    chromium = find_chromium()
    lines = seed_lines()
    print("| documents | records | lintas report (s) | page (MB) | render, median of "
          f"{repeats} (s) |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="lintas-bench-report-") as tmp:
        for n in ([documents] if documents else SIZES):
            run = Path(tmp) / f"run{n}.jsonl"
            corpus(lines, n, run)
            records = sum(1 for _ in open(run, encoding="utf-8"))
            page = Path(tmp) / f"report{n}.html"
            started = time.perf_counter()
            write_report([str(run)], page)
            seconds = time.perf_counter() - started
            render = ""
            if chromium:
                times = []
                for _ in range(repeats):
                    dom = dump_dom(chromium, page, timeout=600)
                    got = re.search(r'data-render-ms="(\d+)"', dom)
                    if got:
                        times.append(int(got.group(1)) / 1000)
                render = f"{statistics.median(times):.2f}" if times else "failed"
            print(f"| {n:,} | {records:,} | {seconds:.1f} | {page.stat().st_size / 1e6:.1f} "
                  f"| {render} |", flush=True)
