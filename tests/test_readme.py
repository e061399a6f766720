"""The README's claims about the sample articles, and its graph example, run for real."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path

from pipeline.corpus.link import link_file

README = Path(__file__).resolve().parent.parent / "README.md"


def linked(seed_records, tmp_path) -> list[dict]:
    src = tmp_path / "records.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in seed_records),
                   encoding="utf-8")
    with open(tmp_path / "linked.jsonl", "w", encoding="utf-8") as out:
        link_file(str(src), out)
    return [json.loads(x) for x in (tmp_path / "linked.jsonl").read_text("utf-8").splitlines()]


def test_shared_keys_across_the_sample_articles(seed_records, tmp_path):
    records = linked(seed_records, tmp_path)
    docs_of: dict[str, set[str]] = {}
    names_of: dict[str, set[str]] = {}
    for r in records:
        if r["type"] == "entity":
            docs_of.setdefault(r["canonical"]["key"], set()).add(r["doc_id"][:3])
            # the entity's name and its mentions' texts: the surname alone may be a
            # mention of the full name's entity or an entity of its own
            names_of.setdefault(r["canonical"]["key"], set()).update(
                [r["name"]] + [m["text"] for m in r["mentions"]])
    assert {"000", "001", "002", "003", "004"} <= docs_of["Q232"]  # Kazakhstan everywhere
    assert {"000", "001", "002", "003"} <= docs_of["Q159"]  # Russia / Русия
    assert {"002", "003"} <= docs_of["Q148"] and {"000", "003"} <= docs_of["Q27275"]
    tokayev = docs_of["per:kasim-jomart-tokaev"]
    assert {"001", "002", "003"} <= tokayev
    assert {"Tokayev", "Kassym-Jomart Tokayev", "Токаев"} <= names_of["per:kasim-jomart-tokaev"]
    assert {"001", "002"} <= docs_of["per:vladimir-putin"]


def test_graph_example_runs_on_linked_output(seed_records, tmp_path, monkeypatch):
    linked(seed_records, tmp_path)
    text = README.read_text(encoding="utf-8")
    section = text[text.index("### A graph from the output"):]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(code, "README graph example", "exec"), {})
    lines = out.getvalue().splitlines()
    assert 1 <= len(lines) <= 5 and all(" -[" in line and "]-> " in line for line in lines)


def test_readme_record_examples_are_real_output(seed_records):
    def comparable(rec: dict) -> str:
        # the README ran `lintas run seeds/` from the repository: only `source` may differ,
        # and a confidence in its last digit (the int8 kernels onnxruntime picks for a CPU,
        # AVX2 or AVX-512, round differently: 0.876 on one machine is 0.875 on another)
        return json.dumps({k: v for k, v in rec.items() if k not in ("source", "confidence")},
                          ensure_ascii=False, separators=(",", ":"))

    real = {}
    for r in seed_records:
        real.setdefault(comparable(r), []).append(r.get("confidence"))
    text = README.read_text(encoding="utf-8")
    examples = [x for x in re.findall(r"^\{\"type\":.*\}$", text, re.M) if '"doc_id":"00' in x]
    assert len(examples) >= 8
    for line in examples:
        shown = json.loads(line)
        assert line.startswith('{"type"') and comparable(shown) in real, line[:120]
        want = shown.get("confidence")
        assert any(c == want or (c is not None and want is not None and abs(c - want) <= 0.002)
                   for c in real[comparable(shown)]), line[:120]
