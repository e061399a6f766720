"""The sample articles (seeds/) annotated by the guideline, to check what lintas finds in them.

    python models/corpus/samples.py rows            # samples/rows.jsonl: every sentence
    python models/corpus/samples.py resolve --show  # samples/draft.jsonl -> samples/samples.jsonl

(run from the repository's root). The issue that made events and claims learned asks to lose
nothing that worked on the sample articles "as a careful reader lists them"; this is that
list, written in the corpus' draft format (resolve.py) by its guideline (GUIDELINE.md). The
records are never part of the corpus (the guideline keeps the sample articles out of it):
they live in samples/, which neither the trainers nor validate.py read, and
`lintas evaluate events|claims --split samples` scores against them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpuslib as cl
import resolve

ROWS = cl.SAMPLES_DIR / "rows.jsonl"
DRAFT = cl.SAMPLES_DIR / "draft.jsonl"
BATCH = cl.SAMPLES_SPLIT  # resolve.write_records writes cl.SAMPLES_FILE
# each article's language, as a reader names it (the file names are the seeds')
LANGS = {"000": "id", "001": "id", "002": "id", "003": "bg", "004": "id"}


def rows() -> list[dict]:
    """One row per sentence of every sample article (the corpus' sentence splitter), in the
    form of a batch's rows (sid ``sa001.03``: article 001, sentence 3)."""
    out = []
    for path in sorted((cl.REPO_DIR / cl.SAMPLES_SOURCE).glob("*.txt")):
        rel = cl.SAMPLES_SOURCE + path.name
        text = cl.read_source(rel)
        num = path.name[:3]
        for k, (s, e) in enumerate(cl.split_sentences(text)):
            out.append({"sid": f"sa{num}.{k:02d}", "doc": f"sa{num}", "lang": LANGS[num],
                        "split": cl.SAMPLES_SPLIT, "batch": BATCH, "source": rel, "start": s, "end": e,
                        "sha": cl.sha12(text[s:e]), "text": text[s:e]})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", choices=("rows", "resolve"))
    ap.add_argument("--show", action="store_true", help="resolve: print every span")
    a = ap.parse_args()
    if a.what == "rows":
        cl.SAMPLES_DIR.mkdir(exist_ok=True)
        with open(ROWS, "w", encoding="utf-8") as fh:
            fh.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows())
        print(f"{ROWS}: {sum(1 for _ in open(ROWS, encoding='utf-8'))} sentences")
        return
    batch_rows = [json.loads(ln) for ln in ROWS.read_text(encoding="utf-8").splitlines()]
    out = resolve.resolve_rows(batch_rows, resolve.read_draft(DRAFT))
    resolve.write_records(cl.SAMPLES_DIR, BATCH, out, a.show)


if __name__ == "__main__":
    main()
