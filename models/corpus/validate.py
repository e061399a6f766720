"""Load the corpus and check every record against its source text and the guideline's sets.

    python models/corpus/validate.py                # every models/corpus/annotations/*.jsonl
    python models/corpus/validate.py models/corpus/annotations/ru-00.jsonl ...
    LINTAS_DATA=/path/to/shared/data python models/corpus/validate.py

Checks: the source exists; sentence offsets lie inside it and the sentence's sha matches;
every span (trigger, argument, antecedent, speaker, speaker_ref, cue) lies inside the
document, its text is the source's and it has the guideline's length; trigger, arguments and
cue lie inside their sentence; content offsets are inside the document and its sha matches;
event types, modes, roles, modalities, claim kinds and tags come from the closed sets in
corpuslib; a claim's speaker and cue do not overlap, except for the one case the guideline
allows: a one-word speaker (the pronoun) inside a longer cue ("По его словам", speaker
"его"); a sentence is annotated once; the document, language and split agree with
models/corpus/documents.tsv and no split group has documents in both train and dev. Then it
prints counts per language and split, and per language and event type.

Warnings (printed, not errors): an Indonesian clitic speaker ("nya", "ku", "mu") that does
not end its word or does not follow its cue directly (the "nya" of "katanya" follows the
cue "kata", or the cue of another claim of the sentence: "katanya, menambahkan…"); a clitic
argument that does not end its word (the "nya" of "banyak").

Exit status 1 when any record is wrong. `load()` is the loader for training code.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpuslib as cl


def load(paths: list[Path] | None = None) -> list[dict]:
    """Every record, with the sentence text (and content text) read from the data folder:
    `record["text"]`, `claim["content"]["text"]`."""
    out = []
    for p in paths or sorted(cl.ANNOTATIONS_DIR.glob("*.jsonl")):
        for line in p.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rec = json.loads(line)
                rec["_file"] = p.name
                out.append(rec)
    return out


def with_text(rec: dict) -> dict:
    text = cl.read_source(rec["source"])
    rec = copy.deepcopy(rec)
    rec["text"] = text[rec["sentence"]["start"]:rec["sentence"]["end"]]
    for c in rec["claims"]:
        c["content"]["text"] = text[c["content"]["start"]:c["content"]["end"]]
    return rec


def _words(s: str) -> int:
    return len(s.split())


CLITICS = ("nya", "ku", "mu")


def speaker_cue_overlap(sp: dict | None, cue: dict | None) -> str | None:
    """Why a claim's speaker and cue overlap wrongly, or None. The one overlap allowed: the
    speaker is one word (the pronoun) inside a cue of more words and not its first word:
    "По его словам" / "его", "Според него" / "него"."""
    if not sp or not cue or not (sp["start"] < cue["end"] and cue["start"] < sp["end"]):
        return None
    inside = cue["start"] < sp["start"] and sp["end"] <= cue["end"]
    if inside and _words(sp["text"]) == 1 and _words(cue["text"]) > 1:
        return None
    return (f"speaker {sp['text']!r} and cue {cue['text']!r} overlap (allowed only: a "
            "one-word speaker inside a longer cue, not its first word, as 'его' in "
            "'По его словам')")


def clitic_warnings(rec: dict, text: str) -> list[str]:
    """Indonesian clitic speakers and arguments that look misplaced (see the doc)."""
    out: list[str] = []
    if rec.get("lang") != "id":
        return out
    where = f"{rec.get('_file', '?')} {rec.get('sid', '?')}"

    def ends_word(x: dict) -> bool:
        return x["end"] >= len(text) or not text[x["end"]].isalnum()

    cue_ends = {c["cue"]["end"] for c in rec.get("claims", []) if c.get("cue")}
    for n, c in enumerate(rec.get("claims", []), 1):
        sp, cue = c.get("speaker"), c.get("cue")
        if not sp or sp.get("text", "").lower() not in CLITICS:
            continue
        ctx = text[max(0, sp["start"] - 12):sp["end"] + 4].replace("\n", " ")
        if not ends_word(sp):
            out.append(f"{where}: claim {n}: clitic speaker does not end a word: …{ctx}…")
        if cue is None:
            out.append(f"{where}: claim {n}: clitic speaker without a cue: …{ctx}…")
        elif sp["start"] not in cue_ends:   # "katanya, menambahkan": the clitic of one cue
            # may be the speaker of the next
            out.append(f"{where}: claim {n}: clitic speaker does not follow its cue "
                       f"{cue['text']!r}: …{ctx}…")
    for n, ev in enumerate(rec.get("events", []), 1):
        for arg in ev.get("args", []):
            if arg.get("text", "").lower() in CLITICS and not ends_word(arg):
                ctx = text[max(0, arg["start"] - 12):arg["end"] + 4]
                out.append(f"{where}: event {n}: clitic {arg['role']} does not end a word: "
                           f"…{ctx}…")
    return out


def check_record(rec: dict, docs: dict[str, dict]) -> list[str]:
    errs: list[str] = []
    sid = rec.get("sid", "?")

    def err(msg: str) -> None:
        errs.append(f"{rec.get('_file', '?')} {sid}: {msg}")

    for key in ("sid", "doc", "lang", "split", "batch", "source", "sentence", "tags",
                "events", "claims", "annotator"):
        if key not in rec:
            err(f"missing field {key}")
    if errs:
        return errs
    try:
        text = cl.read_source(rec["source"])
    except (FileNotFoundError, UnicodeDecodeError) as exc:
        return [f"{sid}: {exc}"]
    s, e = rec["sentence"]["start"], rec["sentence"]["end"]
    if not (0 <= s < e <= len(text)):
        err(f"sentence offsets {s}-{e} outside the document ({len(text)} chars)")
        return errs
    if cl.sha12(text[s:e]) != rec["sentence"].get("sha"):
        err("sentence sha does not match the source text")
    doc = docs.get(rec["doc"])
    if rec["split"] == cl.SAMPLES_SPLIT:
        pass  # a sample article (samples.py): never in the corpus' documents.tsv
    elif doc is None:
        err(f"document {rec['doc']} not in documents.tsv")
    else:
        for k in ("lang", "split", "batch"):
            if doc[k] != rec[k]:
                err(f"{k} {rec[k]!r} but documents.tsv says {doc[k]!r}")
        if doc["key"].split("#")[0] != rec["source"]:
            err(f"source {rec['source']} is not the document's {doc['key']}")
    for t in rec["tags"]:
        if t not in cl.TAGS:
            err(f"tag {t!r} not in {cl.TAGS}")

    def span(sp, what: str, inside: bool, kind: str | None = None) -> None:
        if not isinstance(sp, dict) or not {"start", "end", "text"} <= sp.keys():
            err(f"{what}: not a span {sp!r}")
            return
        a, b = sp["start"], sp["end"]
        if not (0 <= a < b <= len(text)):
            err(f"{what} offsets {a}-{b} outside the document")
            return
        if text[a:b] != sp["text"]:
            err(f"{what} text {sp['text']!r} but the source has {text[a:b]!r}")
        if sp["text"] != sp["text"].strip():
            err(f"{what} {sp['text']!r} has blanks at its ends")
        if inside and not (s <= a and b <= e):
            err(f"{what} {sp['text']!r} outside its sentence")
        if kind in ("trigger", "arg") and ((a > 0 and text[a - 1].isalnum() and text[a].isalnum())
                                           or (b < len(text) and text[b].isalnum()
                                               and text[b - 1].isalnum())):
            err(f"{what} {sp['text']!r} cuts a word")
        if kind and _words(sp["text"]) > cl.MAX_SPAN_WORDS[kind]:
            err(f"{what} {sp['text']!r} longer than {cl.MAX_SPAN_WORDS[kind]} words")

    for n, ev in enumerate(rec["events"], 1):
        w = f"event {n}"
        if ev.get("type") not in cl.MODES:
            err(f"{w}: type {ev.get('type')!r} unknown")
        elif ev.get("mode") not in cl.MODES[ev["type"]]:
            err(f"{w}: mode {ev.get('mode')!r} not one of {ev['type']}'s {cl.MODES[ev['type']]}")
        if ev.get("modality") not in cl.MODALITIES:
            err(f"{w}: modality {ev.get('modality')!r} not in {cl.MODALITIES}")
        span(ev.get("trigger"), f"{w} trigger", True, "trigger")
        for arg in ev.get("args", []):
            if arg.get("role") not in cl.ROLES:
                err(f"{w}: role {arg.get('role')!r} not in {cl.ROLES}")
            span(arg, f"{w} {arg.get('role')}", True, "arg")
            if arg.get("ref") is not None:
                span(arg["ref"], f"{w} {arg.get('role')} ref", False, "speaker")
        seen = [(a["role"], a["start"]) for a in ev.get("args", [])]
        if len(seen) != len(set(seen)):
            err(f"{w}: an argument twice")
    for n, c in enumerate(rec["claims"], 1):
        w = f"claim {n}"
        if c.get("kind") not in cl.CLAIM_KINDS:
            err(f"{w}: kind {c.get('kind')!r} not in {cl.CLAIM_KINDS}")
        if c.get("speaker") is None and c.get("speaker_ref") is None:
            err(f"{w}: neither speaker nor speaker_ref")
        if c.get("speaker") is not None:
            span(c["speaker"], f"{w} speaker", False, "speaker")
        if c.get("speaker_ref") is not None:
            span(c["speaker_ref"], f"{w} speaker_ref", False, "speaker")
        if c.get("cue") is not None:
            span(c["cue"], f"{w} cue", True, "cue")
            why = speaker_cue_overlap(c.get("speaker"), c["cue"])
            if why:
                err(f"{w}: {why}")
        elif c.get("speaker") is not None and not (s <= c["speaker"]["start"] < e):
            err(f"{w}: without a cue, the speaker must be in the sentence")
        ct = c.get("content") or {}
        a, b = ct.get("start", -1), ct.get("end", -1)
        if not (0 <= a < b <= len(text)):
            err(f"{w}: content offsets {a}-{b} outside the document")
        elif cl.sha12(text[a:b]) != ct.get("sha"):
            err(f"{w}: content sha does not match")
        elif "text" in ct:
            err(f"{w}: content keeps no text (the source's license): offsets and sha only")
    return errs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("files", nargs="*", type=Path)
    a = ap.parse_args()
    if not cl.data_root().is_dir():
        sys.exit(f"data folder {cl.data_root()} not found: set {cl.DATA_ENV}")
    docs = {r["doc"]: r for r in cl.read_documents()}
    recs = load(a.files or None)
    errors: list[str] = []
    warnings: list[str] = []
    for rec in recs:
        errors += check_record(rec, docs)
        try:
            warnings += clitic_warnings(rec, cl.read_source(rec["source"]))
        except (KeyError, FileNotFoundError, UnicodeDecodeError):
            pass
    # one record per sentence; splits by document and by split group
    sids = Counter(r.get("sid") for r in recs)
    errors += [f"{sid}: annotated {n} times" for sid, n in sids.items() if n > 1]
    spans = Counter((r.get("source"), r.get("sentence", {}).get("start")) for r in recs)
    errors += [f"{k[0]}@{k[1]}: one sentence under two ids" for k, n in spans.items() if n > 1]
    group_splits: dict[str, set[str]] = defaultdict(set)
    for d in docs.values():
        group_splits[d["group"]].add(d["split"])
    for r in recs:
        if r.get("doc") in docs:
            group_splits[docs[r["doc"]]["group"]].add(r["split"])
    errors += [f"split group {g} is in {sorted(v)}" for g, v in group_splits.items() if len(v) > 1]

    # counts
    by_ls: dict[tuple[str, str], Counter] = defaultdict(Counter)
    by_type: dict[str, Counter] = defaultdict(Counter)
    modality: Counter = Counter()
    kinds: Counter = Counter()
    roles: Counter = Counter()
    for r in recs:
        c = by_ls[(r.get("lang"), r.get("split"))]
        c["sentences"] += 1
        c["docs:" + r.get("doc", "?")] = 1
        c["events"] += len(r.get("events", []))
        c["claims"] += len(r.get("claims", []))
        c["negative"] += not r.get("events") and not r.get("claims")
        c["boilerplate"] += bool(set(r.get("tags", [])) - {"headline"})
        for ev in r.get("events", []):
            by_type[r.get("lang")][ev.get("type")] += 1
            modality[ev.get("modality")] += 1
            roles.update(x.get("role") for x in ev.get("args", []))
        kinds.update(x.get("kind") for x in r.get("claims", []))
    print(f"{'lang':5} {'split':6} {'docs':>5} {'sents':>6} {'events':>7} {'claims':>7} "
          f"{'negative':>9} {'boilerpl.':>9}")
    tot = Counter()
    for (lang, split), c in sorted(by_ls.items()):
        nd = sum(1 for k in c if k.startswith("docs:"))
        tot.update({"docs": nd, **{k: c[k] for k in ("sentences", "events", "claims",
                                                      "negative", "boilerplate")}})
        print(f"{lang:5} {split:6} {nd:5} {c['sentences']:6} {c['events']:7} {c['claims']:7} "
              f"{c['negative']:9} {c['boilerplate']:9}")
    print(f"{'all':5} {'':6} {tot['docs']:5} {tot['sentences']:6} {tot['events']:7} "
          f"{tot['claims']:7} {tot['negative']:9} {tot['boilerplate']:9}")
    langs = sorted(by_type)
    if langs:
        print("\nevents by type: " + " ".join(f"{ln:>4}" for ln in langs))
        for t in cl.EVENT_TYPES:
            if any(by_type[ln][t] for ln in langs):
                print(f"  {t:13} " + " ".join(f"{by_type[ln][t]:4}" for ln in langs))
        print("modality: " + ", ".join(f"{k} {v}" for k, v in modality.most_common()))
        print("roles: " + ", ".join(f"{k} {v}" for k, v in roles.most_common()))
    print("claims: " + ", ".join(f"{k} {v}" for k, v in kinds.most_common()))
    if warnings:
        print(f"\n{len(warnings)} warning(s):", file=sys.stderr)
        for w in warnings:
            print("  " + w, file=sys.stderr)
    if errors:
        print(f"\n{len(errors)} error(s):", file=sys.stderr)
        for e in errors:
            print("  " + e, file=sys.stderr)
        sys.exit(1)
    print(f"\n{len(recs)} records valid")


if __name__ == "__main__":
    main()
