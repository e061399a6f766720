"""Memory benchmark: peak memory and time of `lintas run` on one document of growing size.

The document is the sample articles in turn, blank line between, repeated to the size
asked (real news text; a document over `pipeline.core.sections.SECTION_CHARS` goes through the
stages in sections). Each size runs as its own whole command, ``lintas run DOC -o OUT``
with one process (the default), and its peak resident memory is the child's own
(``wait4``'s ``ru_maxrss``; Linux and macOS). The first row, one sample article, is the
cost of the loaded models. Run it with ``lintas benchmark memory [--sizes 1,10,30]``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pipeline.lexicon.lexicons import models_dir

SEEDS = models_dir().parent / "seeds"


def make_document(path: Path, megabytes: float) -> tuple[int, int]:
    """Write a document of about ``megabytes`` MB (UTF-8) made of the sample articles;
    returns its characters and words."""
    articles = [p.read_text(encoding="utf-8").strip() for p in sorted(SEEDS.glob("*.txt"))]
    target = int(megabytes * 1_000_000)
    parts, size, k = [], 0, 0
    while size < target or not parts:
        text = articles[k % len(articles)]
        parts.append(text)
        size += len(text.encode("utf-8")) + 2
        k += 1
    text = "\n\n".join(parts) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text), len(text.split())


def measure(cmd: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident MB and exit code of one command."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - start
    # ru_maxrss is in kilobytes on Linux, bytes on macOS
    peak = usage.ru_maxrss / (1 << 20 if sys.platform == "darwin" else 1 << 10)
    return seconds, peak, proc.returncode


def main(sizes: list[float] | None = None) -> None:
    """Print one table row per document size: characters, seconds, words/s, peak MB, and
    the peak above the first row's per MB of text."""
    sizes = sizes or [1, 10, 30]
    print("| document | characters | seconds | words/s | peak MB | MB above the models per MB |")
    print("|---|---|---|---|---|---|")
    base = None
    with tempfile.TemporaryDirectory() as tmp:
        for mb in [0.0] + sizes:
            doc = Path(tmp) / f"doc-{mb}.txt"
            chars, words = make_document(doc, mb)
            seconds, peak, code = measure([sys.executable, "-m", "cli", "run", str(doc), "-o",
                                           str(Path(tmp) / "out.jsonl"), "--no-progress"])
            if code != 0:
                raise SystemExit(f"lintas run exited {code} on the {mb} MB document")
            size_mb = doc.stat().st_size / 1e6
            if base is None:
                base = peak
                growth = ""
            else:
                growth = f"{(peak - base) / size_mb:.1f}"
            name = "one sample article" if mb == 0 else f"{size_mb:.1f} MB"
            print(f"| {name} | {chars:,} | {seconds:.1f} | {words / seconds:,.0f} | "
                  f"{peak:,.0f} | {growth} |", flush=True)
            doc.unlink()
