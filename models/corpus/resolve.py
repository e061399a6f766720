"""Turn an annotator's draft (spans written as text) into corpus records (spans as offsets).

    python models/corpus/resolve.py ru-00         # models/corpus/drafts/ru-00.jsonl
                                                  #   -> models/corpus/annotations/ru-00.jsonl
    python models/corpus/resolve.py ru-00 --show  # also print every span in its context

(run from the repository's root; the paths do not depend on the working directory)

This is a typing aid, not an annotator: every label, span and boundary in the draft is the
annotator's own judgement (models/corpus/GUIDELINE.md); the resolver only finds where the
text the annotator wrote stands in the source and refuses anything it cannot find exactly.

Draft: one JSON object per sentence of the batch, in any order, every sentence present:

    {"sid": "ru000.02", "tags": [], "note": "",
     "ev": [{"t": "COERCE/fine", "tr": "штраф", "m": "hypothetical",
             "a": {"actor": "ЕК", "counterpart": ["Газпром", "E.ON"]}}],
     "cl": [{"k": "direct", "sp": "С. Сквярнялис", "ref": null, "cue": "сказал",
             "c": ["Сейчас актуальность", "посмотреть мотивы"]}]}

A span is its exact text. Trigger, arguments and cue are looked up inside the sentence
("газ#2" = the second occurrence), as whole words; "~nya" also inside a word (the clitic of
"katanya"). Speaker, speaker_ref (`ref`) and the content anchors may
lie outside the sentence: they are looked up in the sentence first, then at the nearest
occurrence before it, then after it; "<text" looks only before the sentence start, ">text"
only after its end.

"~" lookups. Without "#n", a "~" span prefers the occurrence that fits a clitic or a stem:
an Indonesian clitic ("~nya", "~ku", "~mu") the occurrences that end a word (never the
"nya" of "banyak"), and a claim's clitic speaker first the one right after the claim's cue
("~kata" + "~nya" -> the "nya" of "katanya", not that of an earlier "lainnya"), then a
word-final one after the cue; any other "~" span (a stem: "~kata", "~menurut") the
occurrences that start a word. An explicit "~nya#2" counts every occurrence, inside words
too.

Argument antecedents. An argument that is a pronoun may carry its antecedent, looked up
before the pronoun: `"ref:actor": "Владимир Путин"` beside `"actor": "он"`. A ref applies to
one span only:
  - a role with one span: `"ref:actor": "Путин"`;
  - a role with several spans: a list aligned with them, null where a span has none,
    `"actor": ["он", "ЕС"], "ref:actor": ["Путин", null]`, or the form
    `"ref:actor#1": "Путин"` (the first span of the role; #2 the second, ...).
A single ref string beside several spans of the role is an error, and so is a ref whose
role or span does not exist.

Content is [first words, last words]: it runs from the start of the first to the end of the
last (the last is looked up from the first on; a "~" on it only lifts the whole-word rule).

A sid may appear once in a draft: a repeated sid is an error (not "the last line wins").
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpuslib as cl

ANNOTATOR = "pilot-a1"


class DraftError(ValueError):
    pass


def _occurrences(text: str, needle: str, lo: int, hi: int) -> list[int]:
    """Where needle stands in text[lo:hi], as whole words unless it starts with "~" (a
    clitic or a stem inside a word: "~nya" in "katanya")."""
    inside = needle.startswith("~")
    needle = needle[1:] if inside else needle
    out, i = [], text.find(needle, lo)
    while i != -1 and i + len(needle) <= hi:
        j = i + len(needle)
        cut = (needle[0].isalnum() and i > 0 and text[i - 1].isalnum()) or \
            (needle[-1].isalnum() and j < len(text) and text[j].isalnum())
        if inside or not cut:
            out.append(i)
        i = text.find(needle, i + 1)
    return out


def _plain(span: str) -> str:
    return span.removeprefix("~")


# Indonesian clitic pronouns written "~nya": they stand at the end of a word
CLITICS = ("nya", "ku", "mu")


def _word_end(text: str, j: int) -> bool:
    return j >= len(text) or not text[j].isalnum()


def _word_start(text: str, i: int) -> bool:
    return i == 0 or not text[i - 1].isalnum()


def _prefer(text: str, needle: str, occ: list[int], after: int | None = None,
            backwards: bool = False) -> list[int]:
    """Order the occurrences of a "~" needle (no "#n") by how well they fit: a clitic ("~nya")
    at a word end, and when `after` (a claim's cue end) is given, right after it first, then
    after it; any other "~" needle (a stem) at a word start. Within a rank, text order
    (`backwards`: the last first, for lookups before the sentence). Other needles: as given
    (text order, reversed when `backwards`)."""
    if not needle.startswith("~"):
        return occ[::-1] if backwards else occ
    plain = _plain(needle)
    n = len(plain)
    if plain.lower() in CLITICS:
        def rank(i: int) -> tuple:
            end = _word_end(text, i + n)
            if after is None:
                return (not end,)
            return (i != after, not (end and i >= after), not end)
    else:
        def rank(i: int) -> tuple:
            return (not _word_start(text, i),)
    return sorted(occ[::-1] if backwards else occ, key=rank)   # stable within a rank


def in_sentence(text: str, span: str, s: int, e: int, what: str) -> dict:
    nth = 1
    m = re.fullmatch(r"(.+)#(\d+)", span)
    if m:
        span, nth = m.group(1), int(m.group(2))
    occ = _occurrences(text, span, s, e)
    if not m:
        occ = _prefer(text, span, occ)
    if len(occ) < nth:
        raise DraftError(f"{what} {span!r} (#{nth}) not in the sentence")
    start = occ[nth - 1]
    return {"start": start, "end": start + len(_plain(span)), "text": _plain(span)}


def in_document(text: str, span: str, s: int, e: int, what: str,
                after: int | None = None) -> dict:
    """A span anywhere in the document (see the module's doc); `after`: the end of the
    claim's cue, which a clitic speaker ("~nya") prefers to follow."""
    if span.startswith("<"):
        span = span[1:]
        occ = _occurrences(text, span, 0, s)
        if not occ:
            raise DraftError(f"{what} {span!r} not before the sentence")
        start = occ[-1]
    elif span.startswith(">"):
        span = span[1:]
        occ = _occurrences(text, span, e, len(text))
        if not occ:
            raise DraftError(f"{what} {span!r} not after the sentence")
        start = occ[0]
    else:
        m = re.fullmatch(r"(.+)#(\d+)", span)
        if m:
            return in_sentence(text, span, s, e, what)
        occ = _prefer(text, span, _occurrences(text, span, s, e), after) \
            or _prefer(text, span, _occurrences(text, span, 0, s), backwards=True)[:1] \
            or _prefer(text, span, _occurrences(text, span, e, len(text)))[:1]
        if not occ:
            raise DraftError(f"{what} {span!r} not in the document")
        start = occ[0]
    span = _plain(span)
    return {"start": start, "end": start + len(span), "text": span}


def _arg_refs(a: dict) -> dict[tuple[str, int], str]:
    """The antecedents of an event's arguments, per span: {(role, n): ref}, n from 1.
    "ref:<role>" is a string (the role has one span) or a list aligned with the role's
    spans (null: none); "ref:<role>#n" gives the n-th span's."""
    out: dict[tuple[str, int], str] = {}
    for key, val in a.items():
        if not key.startswith("ref:"):
            continue
        role, _, n = key[4:].partition("#")
        if role not in a:
            raise DraftError(f"{key}: no {role} argument")
        spans = a[role] if isinstance(a[role], list) else [a[role]]
        if n:
            if not n.isdigit() or not 1 <= int(n) <= len(spans):
                raise DraftError(f"{key}: the {role} argument has {len(spans)} span(s)")
            if not isinstance(val, str):
                raise DraftError(f"{key}: one ref string expected")
            pairs = [(int(n), val)]
        elif isinstance(val, list):
            if len(val) != len(spans):
                raise DraftError(f"{key}: {len(val)} refs for {len(spans)} {role} span(s)")
            pairs = list(enumerate(val, 1))
        else:
            if len(spans) > 1 and val:
                raise DraftError(f"{key}: one ref for {len(spans)} {role} spans: give a list "
                                 f"aligned with them or ref:{role}#n")
            pairs = [(1, val)]
        for k, ref in pairs:
            if ref is None:
                continue
            if (role, k) in out:
                raise DraftError(f"{key}: {role} span {k} has two refs")
            out[(role, k)] = ref
    return out


def resolve_sentence(row: dict, draft: dict) -> dict:
    text = cl.read_source(row["source"])
    s, e = row["start"], row["end"]
    events = []
    for ev in draft.get("ev", []):
        etype, _, mode = ev["t"].partition("/")
        args = []
        refs = _arg_refs(ev.get("a", {}))
        for role, spans in ev.get("a", {}).items():
            if role.startswith("ref:"):
                continue
            for k, span in enumerate(spans if isinstance(spans, list) else [spans], 1):
                arg = {"role": role, **in_sentence(text, span, s, e, f"{role} argument")}
                ref = refs.get((role, k))
                if ref:
                    arg["ref"] = in_document(text, ref if ref[0] in "<>" else "<" + ref,
                                             arg["start"], e, "ref")
                args.append(arg)
        events.append({"type": etype, "mode": mode or None,
                       "trigger": in_sentence(text, ev["tr"], s, e, "trigger"),
                       "modality": ev.get("m", "asserted"), "args": args})
    claims = []
    for c in draft.get("cl", []):
        a, b = c["c"]
        first = in_document(text, a, s, e, "content start")
        last = _occurrences(text, b, first["start"], len(text))
        if not last:
            raise DraftError(f"content end {b!r} not after {a!r}")
        cs, ce = first["start"], last[0] + len(_plain(b))
        cue = in_sentence(text, c["cue"], s, e, "cue") if c.get("cue") else None
        speaker = in_document(text, c["sp"], s, e, "speaker",
                              after=cue["end"] if cue else None) if c.get("sp") else None
        claim = {"kind": c["k"], "speaker": speaker, "speaker_ref": None, "cue": cue,
                 "content": {"start": cs, "end": ce, "sha": cl.sha12(text[cs:ce])}}
        if c.get("ref"):
            ref = c["ref"]
            claim["speaker_ref"] = in_document(text, ref, s, e, "speaker_ref")
        claims.append(claim)
    return {"sid": row["sid"], "doc": row["doc"], "lang": row["lang"], "split": row["split"],
            "batch": row["batch"], "source": row["source"],
            "sentence": {"start": s, "end": e, "sha": row["sha"]},
            "tags": draft.get("tags", []), "events": events, "claims": claims,
            "annotator": draft.get("annotator", ANNOTATOR), "note": draft.get("note", "")}


def show(rec: dict) -> None:
    text = cl.read_source(rec["source"])
    s, e = rec["sentence"]["start"], rec["sentence"]["end"]
    print(f"[{rec['sid']}] {' '.join(rec['tags'])} {text[s:e][:160]}")
    for ev in rec["events"]:
        args = "; ".join(f"{a['role']}={a['text']}" + (f" (={a['ref']['text']})" if a.get("ref") else "")
                         for a in ev["args"])
        print(f"   E {ev['type']}/{ev['mode']} «{ev['trigger']['text']}» {ev['modality']} | {args}")
    for c in rec["claims"]:
        ct = text[c["content"]["start"]:c["content"]["end"]]
        sp = c["speaker"]["text"] if c["speaker"] else "-"
        ref = c["speaker_ref"]["text"] if c["speaker_ref"] else ""
        cue = c["cue"]["text"] if c["cue"] else "-"
        print(f"   C {c['kind']} {sp}{' =' + ref if ref else ''} «{cue}» :: {ct[:70]} … {ct[-50:]}")


def read_draft(path: Path) -> dict[str, dict]:
    """A draft file's lines by sid; a line that is not JSON or repeats a sid is an error."""
    drafts, seen = {}, {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SystemExit(f"draft line {n}: {exc}")
            if d["sid"] in drafts:
                raise SystemExit(f"draft line {n}: sid {d['sid']} again (line "
                                 f"{seen[d['sid']]}): a sentence has one draft line")
            drafts[d["sid"]] = d
            seen[d["sid"]] = n
    return drafts


def resolve_rows(rows: list[dict], drafts: dict[str, dict]) -> list[dict]:
    """The records of a batch's sentences (``rows``) from their drafts; every sentence must
    have a draft line and every draft line a sentence. Exits with every error found."""
    missing = [r["sid"] for r in rows if r["sid"] not in drafts]
    unknown = sorted(set(drafts) - {r["sid"] for r in rows})
    if missing or unknown:
        raise SystemExit(f"draft incomplete: missing {missing}, unknown {unknown}")
    out, errors = [], []
    for row in rows:
        try:
            out.append(resolve_sentence(row, drafts[row["sid"]]))
        except (DraftError, KeyError, ValueError) as exc:
            errors.append(f"{row['sid']}: {exc}")
    if errors:
        raise SystemExit("\n".join(errors))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("batch")
    ap.add_argument("--show", action="store_true")
    a = ap.parse_args()
    rows = [json.loads(ln) for ln in
            (cl.BATCH_DIR / f"{a.batch}.jsonl").read_text(encoding="utf-8").splitlines()]
    out = resolve_rows(rows, read_draft(cl.DRAFT_DIR / f"{a.batch}.jsonl"))
    write_records(cl.ANNOTATIONS_DIR, a.batch, out, a.show)


def write_records(folder: Path, batch: str, out: list[dict], show_spans: bool = False) -> None:
    """Write a batch's records to ``folder/<batch>.jsonl``, print every span when
    ``show_spans``, and the batch's counts."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / f"{batch}.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in out)
    if show_spans:
        for rec in out:
            show(rec)
    print(f"{batch}: {len(out)} sentences, {sum(len(r['events']) for r in out)} events, "
          f"{sum(len(r['claims']) for r in out)} claims")


if __name__ == "__main__":
    main()
