"""A second, independent annotation of the dev split, to measure how far two annotators agree.

    python models/corpus/agreement.py write           # work/agreement/<batch>.txt, .jsonl
    python models/corpus/agreement.py resolve agr-ru-1 [--show]
                                                      # agreement/drafts/agr-ru-1.jsonl
                                                      #   -> agreement/annotations/agr-ru-1.jsonl

(run from the repository's root). The dev documents are cut into the batches of `BATCHES`,
whole documents each. A second annotator drafts them from GUIDELINE.md alone, without
reading the corpus' annotations or drafts of those documents, in the draft format of
`resolve.py`; `resolve` turns the draft into records exactly as `resolve.py` does for the
corpus, into `agreement/annotations/`, which no training or evaluation of lintas reads.
`python -m pipeline.evaluation.agreement` scores one annotation against the other with the
metrics `lintas evaluate events|claims` uses (models/corpus/README.md, "Agreement").
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpuslib as cl
import resolve as rs
import sample

AGREEMENT_DIR = cl.CORPUS_DIR / "agreement"
DRAFTS = AGREEMENT_DIR / "drafts"
ANNOTATIONS = AGREEMENT_DIR / "annotations"
WORK = cl.WORK_DIR / "agreement"  # batch texts: source text, never committed

# Every dev document once, whole documents per batch, about 40-60 sentences each.
BATCHES: dict[str, list[str]] = {
    "agr-ru-1": ["ru005", "ru015", "ru019", "ru024"],
    "agr-ru-2": ["ru028", "ru032", "ru035"],
    "agr-bg-1": ["bg005", "bg011", "bg015", "bg016"],
    "agr-bg-2": ["bg030", "bg031", "bg033", "bg034"],
    "agr-pl": ["pl002", "pl005", "pl007", "pl019"],
    "agr-en": ["en002", "en010", "en013"],
    "agr-id": ["id001", "id008", "id009", "id014", "id016", "id025"],
}


def batch_rows(batch: str) -> list[dict]:
    """The sentences of an agreement batch, as the corpus batches list them (their own
    ``batch`` field is the corpus batch of their document)."""
    docs = {r["doc"]: r for r in cl.read_documents()}
    out: list[dict] = []
    for doc in BATCHES[batch]:
        if docs[doc]["split"] != "dev":
            raise SystemExit(f"{doc} is not a dev document")
        out.extend(sample.batch_sentences(docs[doc]))
    return out


def write() -> None:
    """Write every agreement batch's sentences to work/agreement/."""
    WORK.mkdir(parents=True, exist_ok=True)
    for name in BATCHES:
        rows = batch_rows(name)
        sample.write_batch_files(WORK, name, rows, split=False)
        print(f"{name}: {len(rows)} sentences")


def resolve(batch: str, show: bool = False) -> None:
    """Resolve agreement/drafts/<batch>.jsonl into agreement/annotations/<batch>.jsonl."""
    rows = batch_rows(batch)
    drafts = rs.read_draft(DRAFTS / f"{batch}.jsonl")
    out = rs.resolve_rows(rows, drafts)
    for rec in out:  # resolve.py's default annotator is the pilot's
        rec["annotator"] = drafts[rec["sid"]].get("annotator", f"second-{batch}")
    rs.write_records(ANNOTATIONS, batch, out, show)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("write")
    r = sub.add_parser("resolve")
    r.add_argument("batch", choices=sorted(BATCHES))
    r.add_argument("--show", action="store_true")
    a = ap.parse_args()
    if a.cmd == "write":
        write()
    else:
        resolve(a.batch, a.show)


if __name__ == "__main__":
    main()
