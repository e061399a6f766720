"""The event and claim corpus (`models/corpus`): every annotation checked against its source
text and the guideline's closed sets by the corpus' own validator. The texts are read from
the shared data folder (``LINTAS_DATA``, default ``../shared/data``); without it the test
is skipped, since the corpus stores offsets, not the texts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "models" / "corpus"
sys.path.insert(0, str(CORPUS))
import corpuslib  # noqa: E402


@pytest.mark.skipif(not corpuslib.data_root().is_dir(), reason="shared data folder absent")
def test_every_annotation_validates():
    done = subprocess.run([sys.executable, str(CORPUS / "validate.py")], capture_output=True,
                          text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    import validate

    assert f"{len(validate.load())} records valid" in done.stdout


def test_split_is_by_document():
    import validate

    split_of: dict[str, set[str]] = {}
    for rec in validate.load():
        split_of.setdefault(rec["doc"], set()).add(rec["split"])
    assert len(split_of) >= 100
    assert all(len(s) == 1 for s in split_of.values())
    assert {s for v in split_of.values() for s in v} == {"train", "dev", "heldout"}
    # the held-out language is held out whole: Czech, and nothing else
    langs = {rec["lang"] for rec in validate.load() if rec["split"] == "heldout"}
    assert langs == {"cs"}
