"""Pick the corpus's documents (seeded, deterministic) and write the "to annotate" batches.

    python models/corpus/sample.py          # writes models/corpus/documents.tsv and work/batches/
    python models/corpus/sample.py --check  # recomputes the plan and compares it with documents.tsv

The plan (models/corpus/documents.tsv) lists every chosen document with its language, split,
batch and the sentences (indexes into the document's sentence list) that are annotated.
The batch files under models/corpus/work/ hold the sentence text for the annotators; they
are working files and never committed (models/corpus/work/.gitignore).

Choice: SlavicNER (ru, bg, pl; cs is the held-out language, annotated for measurement
only, split "heldout"; uk and sl are not sampled) by a fixed topic cycle that favours nord_stream; NTREX English and Indonesian on
disjoint documents; UD id-csui train in blocks of 10 sentences. Duplicated articles (same
opening) and anything sharing a line with the sample articles are skipped. Per document the
first 15 sentences, plus the last 2 when the document is longer (footers, bylines). About 20%
of each language's documents go to dev, chosen by a seeded hash of the document group.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import corpuslib as cl

SEED = 13
FIRST, LAST = 15, 2
DEV_SHARE = 0.2
PILOT_SENTENCES = 20
BATCH_SENTENCES = 45
# sentences per language (and per source for Indonesian)
PLAN = {
    "ru": [("slavicner", 420)],
    "bg": [("slavicner", 420)],
    "pl": [("slavicner", 260)],
    "en": [("ntrex", 200)],
    "id": [("ntrex", 150), ("ud", 150)],
}
# The language held out of training entirely (issue 13: transfer to a language nobody
# annotated for training and nobody wrote lexicons for). Czech: Latin script, no lintas
# lexicons; its documents all go to the split "heldout", which no training reads.
HELDOUT = {"cs": [("slavicner", 150)]}
# Later rounds of annotation (session 15): more SlavicNER documents of the same topic
# cycle, each round's taken after all earlier rounds' (the choice is sequential, so earlier
# documents stay as they were), all in the train split so that the dev split stays the
# documents it was. A round's rows come after every earlier row, in batches of its own
# numbered on from the language's last batch.
EXTENSIONS = [
    {"ru": [("slavicner", 135)], "pl": [("slavicner", 135)], "bg": [("slavicner", 90)]},
    {"ru": [("slavicner", 90)], "bg": [("slavicner", 180)]},
]
PILOT_LANGS = ("ru", "bg", "en", "id")
TOPIC_CYCLE = ("nord_stream", "brexit", "covid-19", "ryanair", "nord_stream", "asia_bibi",
               "brexit", "covid-19", "nord_stream", "ryanair", "asia_bibi")
UD_FILE = "ud/id-csui/id_csui-ud-train.conllu"


def _pick(n: int) -> list[int]:
    if n <= FIRST + LAST:
        return list(range(n))
    return list(range(FIRST)) + list(range(n - LAST, n))


def _ranges(idx: list[int]) -> str:
    out, start, prev = [], None, None
    for i in idx:
        if start is None:
            start = prev = i
        elif i == prev + 1:
            prev = i
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = i
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ",".join(out)


def parse_ranges(spec: str) -> list[int]:
    out = []
    for part in spec.split(","):
        a, _, b = part.partition("-")
        out += list(range(int(a), int(b or a) + 1))
    return out


def _clean_key(text: str) -> str:
    return re.sub(r"\W+", " ", text[:300].lower()).strip()


def slavicner_units(lang: str) -> dict[str, list[str]]:
    root = cl.data_root()
    base = "ner/bg/slavicner/raw" if lang == "bg" else "ner/xx/slavicner/raw"
    out: dict[str, list[cl.Unit]] = {}
    for topic_dir in sorted((root / base).iterdir()):
        files = sorted((topic_dir / lang).glob("*.txt"))
        rel = [str(f.relative_to(root)) for f in files]
        random.Random(f"{SEED}:{lang}:{topic_dir.name}").shuffle(rel)
        out[topic_dir.name] = rel
    return out


def choose_slavicner(lang: str, target: int, excluded: set[str],
                     exhaust: bool = False) -> list[tuple[cl.Unit, str]]:
    """Documents of ``lang`` in the topic cycle's order until their sentences reach
    ``target`` (``exhaust``: until every topic's pool is empty)."""
    pools = slavicner_units(lang)
    seen: set[str] = set()
    chosen, total, turn = [], 0, 0
    while total < target:
        topic = TOPIC_CYCLE[turn % len(TOPIC_CYCLE)]
        turn += 1
        pool = pools.get(topic, [])
        while pool:
            rel = pool.pop(0)
            text = cl.read_source(rel)
            key = _clean_key(text)
            if key in seen or any(ln.strip() in excluded for ln in text.splitlines()):
                continue
            unit = cl.slavicner_document(rel)
            if len(unit.sentences) < 3:
                continue
            seen.add(key)
            chosen.append((unit, topic))
            total += len(_pick(len(unit.sentences)))
            break
        if exhaust and not any(pools.get(t) for t in TOPIC_CYCLE):
            break  # every pool read: the loop ends here, with no limit on turns
        if turn > 10000 and not exhaust:
            raise SystemExit(f"{lang}: not enough documents")
    return chosen


def choose_ntrex(lang: str, target: int, taken: set[str], excluded: set[str]):
    units = cl.ntrex_documents(lang)
    order = list(range(len(units)))
    random.Random(f"{SEED}:ntrex").shuffle(order)
    chosen, total = [], 0
    for i in order:
        u = units[i]
        if total >= target:
            break
        if u.group in taken or len(u.sentences) < 3:
            continue
        text = cl.read_source(u.source)
        if any(text[s:e].strip() in excluded for s, e in u.sentences):
            continue
        taken.add(u.group)
        chosen.append((u, "news"))
        total += len(_pick(len(u.sentences)))
    return chosen


def choose_ud(target: int, excluded: set[str]):
    units = cl.ud_documents(UD_FILE)
    text = cl.read_source(UD_FILE)
    order = list(range(len(units)))
    random.Random(f"{SEED}:ud").shuffle(order)
    chosen, total = [], 0
    for i in order:
        if total >= target:
            break
        if any(text[s:e].strip() in excluded for s, e in units[i].sentences):
            continue
        chosen.append((units[i], "news"))
        total += len(units[i].sentences)
    return chosen


def _interleave(lists):
    out = []
    for i in range(max(len(ln) for ln in lists)):
        out += [ln[i] for ln in lists if i < len(ln)]
    return out


def plan() -> list[dict]:
    excluded = cl.excluded_lines()
    rows: list[dict] = []
    ntrex_taken: set[str] = set()
    for lang, parts in {**PLAN, **HELDOUT}.items():
        lists = []
        for source, target in parts:
            if source == "slavicner":
                lists.append(choose_slavicner(lang, target, excluded))
            elif source == "ntrex":
                lists.append(choose_ntrex(lang, target, ntrex_taken, excluded))
            else:
                lists.append(choose_ud(target, excluded))
        docs = _interleave(lists)
        # split: the first 20% by a seeded hash of the group go to dev
        ranked = sorted(range(len(docs)), key=lambda i: hashlib.sha256(
            f"{SEED}:{docs[i][0].group}".encode()).hexdigest())
        dev = set(ranked[: round(DEV_SHARE * len(docs))])
        held_out = lang in HELDOUT
        batch_no = 0 if lang in PILOT_LANGS else 1
        in_batch = 0
        for i, (unit, topic) in enumerate(docs):
            limit = PILOT_SENTENCES if batch_no == 0 else BATCH_SENTENCES
            if in_batch >= limit:
                batch_no, in_batch = batch_no + 1, 0
            idx = _pick(len(unit.sentences)) if not unit.key.startswith("ud/") \
                else list(range(len(unit.sentences)))
            rows.append({"doc": f"{lang}{i:03d}", "lang": lang,
                         "split": "heldout" if held_out else "dev" if i in dev else "train",
                         "batch": f"{lang}-{batch_no:02d}", "topic": topic, "key": unit.key,
                         "group": unit.group, "sentences": _ranges(idx)})
            in_batch += len(idx)
        # a short last batch joins the one before
        last = [r for r in rows if r["lang"] == lang and r["batch"] == f"{lang}-{batch_no:02d}"]
        if batch_no > 1 and sum(len(parse_ranges(r["sentences"])) for r in last) < PILOT_SENTENCES:
            for r in last:
                r["batch"] = f"{lang}-{batch_no - 1:02d}"
    taken: dict[str, int] = {}  # sentences asked for per language so far
    for lang, parts in PLAN.items():
        taken[lang] = sum(t for source, t in parts if source == "slavicner")
    for extension in EXTENSIONS:
        for lang, parts in extension.items():
            extra = sum(t for source, t in parts if source == "slavicner")
            rows += _extension_rows(lang, taken[lang] + extra, rows, excluded)
            taken[lang] += extra
    rows += _violence_rows(rows, excluded)
    rows += _russian_violence_rows(rows, excluded)
    for later_round in (ROUND6, ROUND7, ROUND8):
        rows += _next_rows(later_round, rows, excluded)
    return rows


# Round 4 (session 16): physical violence. The first three rounds hold 46 ASSAULT triggers
# in train, mostly the killings and executions of the asia_bibi topic, and almost no attack
# (the SlavicNER topics have few), so the learned heads typed "attacked" PROTEST, the type of
# the many ryanair strikes. This round takes the NTREX documents that no language has taken
# yet whose English text reports violence in at least two of the sentences annotated
# (`VIOLENCE`, read on the English source, so a document is chosen alike in every language),
# in the seeded NTREX order, alternately for English and Bulgarian (each document in one
# language only), all train. The choice is by topic, not by the sentences' labels: the
# documents are annotated whole (first 15 and last 2 sentences) like every other one.
VIOLENCE = re.compile(
    r"\b(attack\w*|shot|shoot\w*|kill\w*|bomb\w*|stab\w*|assault\w*|airstrikes?|wounded|"
    r"murder\w*|gunm[ae]n|militants?|explosions?|raids?|opened fire|fired on)\b", re.I)
VIOLENCE_ROUND = {"langs": ("en", "bg"), "documents": 14, "min_hits": 2}


def _violence_rows(rows: list[dict], excluded: set[str]) -> list[dict]:
    """Round 4's rows (`VIOLENCE_ROUND`), after every earlier row."""
    taken = {r["group"] for r in rows}
    eng = cl.read_source(cl.NTREX_FILES["en"])
    units = {lang: cl.ntrex_documents(lang) for lang in VIOLENCE_ROUND["langs"]}
    order = list(range(len(units["en"])))
    random.Random(f"{SEED}:ntrex").shuffle(order)
    picked: list[int] = []
    for i in order:
        u = units["en"][i]
        if len(picked) >= VIOLENCE_ROUND["documents"]:
            break
        if u.group in taken or len(u.sentences) < 3:
            continue
        idx = _pick(len(u.sentences))
        lines = [eng[s:e] for s, e in (u.sentences[j] for j in idx)]
        if sum(bool(VIOLENCE.search(line)) for line in lines) < VIOLENCE_ROUND["min_hits"]:
            continue
        # the language this document would go to: none of its lines from the sample articles
        unit = units[VIOLENCE_ROUND["langs"][len(picked) % len(VIOLENCE_ROUND["langs"])]][i]
        text = cl.read_source(unit.source)
        if any(text[s:e].strip() in excluded for s, e in unit.sentences):
            continue
        picked.append(i)
    out: list[dict] = []
    for k, lang in enumerate(VIOLENCE_ROUND["langs"]):
        mine = [units[lang][i] for n, i in enumerate(picked)
                if n % len(VIOLENCE_ROUND["langs"]) == k]
        first = [r for r in rows if r["lang"] == lang]
        batch_no = max(int(r["batch"].rsplit("-", 1)[1]) for r in first) + 1
        in_batch = 0
        for n, unit in enumerate(mine, start=len(first)):
            if in_batch >= BATCH_SENTENCES:
                batch_no, in_batch = batch_no + 1, 0
            idx = _pick(len(unit.sentences))
            out.append({"doc": f"{lang}{n:03d}", "lang": lang, "split": "train",
                        "batch": f"{lang}-{batch_no:02d}", "topic": "violence",
                        "key": unit.key, "group": unit.group, "sentences": _ranges(idx)})
            in_batch += len(idx)
    return out


# Round 5 (session 18): physical violence in Russian. Round 4 gave the heads attacks in
# English and Bulgarian, and Russian attacks ("атаковали") were still missed: the Russian
# train documents hold almost none. This round takes every Russian SlavicNER document not
# taken yet (nor a copy of one: same opening) whose annotated sentences report violence in at
# least two of them (`RU_VIOLENCE`, on the Russian text), topic by topic in the seeded pool
# order, all train, up to `RU_VIOLENCE_ROUND["documents"]`. Chosen by topic words, annotated
# whole like every other document.
RU_VIOLENCE = re.compile(
    r"\b(атак\w*|напад\w*|убил\w*|убит\w*|убий\w*|застрел\w*|взрыв\w*|обстрел\w*|ранен\w*|"
    r"ранил\w*|избил\w*|избиен\w*|стрельб\w*|расстрел\w*|бомб\w*|поджог\w*|погиб\w*|"
    r"теракт\w*|штурм\w*|захват\w*|зарез\w*|линчев\w*)", re.I)
RU_VIOLENCE_ROUND = {"lang": "ru", "documents": 14, "min_hits": 2}


def _russian_violence_rows(rows: list[dict], excluded: set[str]) -> list[dict]:
    """Round 5's rows (`RU_VIOLENCE_ROUND`), after every earlier row."""
    lang = RU_VIOLENCE_ROUND["lang"]
    first = [r for r in rows if r["lang"] == lang]
    taken = {r["group"] for r in rows}
    seen = {_clean_key(cl.read_source(cl.unit_for(r["key"]).source)) for r in first}
    picked: list[tuple[cl.Unit, str]] = []
    for topic, rels in slavicner_units(lang).items():
        for rel in rels:
            if len(picked) >= RU_VIOLENCE_ROUND["documents"]:
                break
            unit = cl.slavicner_document(rel)
            if unit.group in taken or len(unit.sentences) < 3:
                continue
            text = cl.read_source(rel)
            key = _clean_key(text)
            if key in seen or any(ln.strip() in excluded for ln in text.splitlines()):
                continue
            lines = [text[s:e] for s, e in (unit.sentences[j] for j in _pick(len(unit.sentences)))]
            if sum(bool(RU_VIOLENCE.search(line)) for line in lines) < RU_VIOLENCE_ROUND["min_hits"]:
                continue
            seen.add(key)
            picked.append((unit, topic))
    return _train_rows(lang, picked, first)


# Round 6 (session 19): more of everything, since the learned heads were still rising with
# data (session 19, dev trigger + type F1 of the linear trigger head with 50%, 75% and 100%
# of the train documents: 0.48, 0.48-0.49, 0.53-0.55). SlavicNER documents of the usual
# topic cycle and NTREX documents in the usual seeded order, in each case the next ones not
# taken by any earlier round (nor a copy of one: same opening), all train, so that the dev
# split stays what it was. Bulgarian gets the most: it holds over half of the dev events.
ROUND6 = {"bg": ("slavicner", 135), "ru": ("slavicner", 90), "pl": ("slavicner", 90),
          "id": ("ntrex", 90), "en": ("ntrex", 45)}


# Round 7 (session 23): more of everything again, and Ukrainian, which no round had: the
# second annotation of the dev split (`agreement.py`) put two annotators at trigger + type
# F1 0.90 and claims 0.97 where the learned heads read 0.55 and 0.62, so the distance is
# the model's, and the model has only some 2,700 train sentences for 19 types. Ukrainian is
# train only (no dev documents): it is there for the languages no lexicon covers well.
ROUND7 = {"ru": ("slavicner", 135), "bg": ("slavicner", 90), "pl": ("slavicner", 90),
          "uk": ("slavicner", 135), "en": ("ntrex", 90), "id": ("ntrex", 45)}


# Round 8 (session 23, right after round 7): the same again, weighted to Bulgarian and
# Russian, which hold three quarters of the dev split's events, and Slovene, a fourth
# language no lexicon covers (train only, like Ukrainian).
ROUND8 = {"bg": ("slavicner", 180), "ru": ("slavicner", 180), "pl": ("slavicner", 90),
          "sl": ("slavicner", 90), "en": ("ntrex", 45), "id": ("ntrex", 45)}


def _next_rows(spec: dict[str, tuple[str, int]], rows: list[dict],
               excluded: set[str]) -> list[dict]:
    """A later round's rows: per language of ``spec`` (source, sentences asked), the next
    documents of the usual order (the SlavicNER topic cycle, the seeded NTREX order) that no
    earlier row took, nor a copy of one (same opening), until the sentences reach the
    number asked; all train."""
    taken = {r["group"] for r in rows}
    out: list[dict] = []
    for lang, (source, target) in spec.items():
        first = [r for r in rows if r["lang"] == lang]
        if source == "slavicner":
            seen = {_clean_key(cl.read_source(cl.unit_for(r["key"]).source)) for r in first}
            # the cycle's order, long enough to reach past every document taken so far
            ordered = choose_slavicner(lang, 10 ** 9, excluded, exhaust=True)
            fresh = [(u, t) for u, t in ordered if u.group not in taken
                     and _clean_key(cl.read_source(u.source)) not in seen]
        else:
            fresh = choose_ntrex(lang, 10 ** 9, set(taken), excluded)
        picked, total = [], 0
        for unit, topic in fresh:
            if total >= target:
                break
            picked.append((unit, topic))
            total += len(_pick(len(unit.sentences)))
        taken.update(u.group for u, _ in picked)
        out += _train_rows(lang, picked, first)
    return out


def _extension_rows(lang: str, target: int, rows: list[dict],
                    excluded: set[str]) -> list[dict]:
    """An `EXTENSIONS` round's documents of ``lang`` (``target``: the sentences of every
    round so far): chosen on after the earlier rows', train split, batches of
    `BATCH_SENTENCES` numbered after the language's last batch."""
    first = [r for r in rows if r["lang"] == lang]
    return _train_rows(lang, choose_slavicner(lang, target, excluded)[len(first):], first)


def _train_rows(lang: str, docs: list[tuple[cl.Unit, str]], first: list[dict]) -> list[dict]:
    """Rows of a later round's ``docs`` (unit, topic) in ``lang``: train split, numbered
    after the language's earlier rows ``first``, in batches of `BATCH_SENTENCES` numbered
    after its last batch."""
    # a language no earlier round had (Ukrainian in round 7) starts at batch 1, as the
    # first round's languages after their pilot did
    batch_no = max((int(r["batch"].rsplit("-", 1)[1]) for r in first), default=0) + 1
    out: list[dict] = []
    in_batch = 0
    for i, (unit, topic) in enumerate(docs, start=len(first)):
        if in_batch >= BATCH_SENTENCES:
            batch_no, in_batch = batch_no + 1, 0
        idx = _pick(len(unit.sentences))
        out.append({"doc": f"{lang}{i:03d}", "lang": lang, "split": "train",
                    "batch": f"{lang}-{batch_no:02d}", "topic": topic, "key": unit.key,
                    "group": unit.group, "sentences": _ranges(idx)})
        in_batch += len(idx)
    return out


def write_plan(rows: list[dict]) -> None:
    with open(cl.DOCUMENTS_TSV, "w", encoding="utf-8", newline="") as fh:
        fh.write(f"# The corpus's documents, written by models/corpus/sample.py (seed {SEED}). "
                 "Columns: doc id,\n"
                 "# language, split, batch, topic, key (source path relative to the data folder,\n"
                 "# #dNNN = NTREX document, #bNN = block of 10 UD sentences), split group,\n"
                 "# sentence indexes into the document's sentence list (corpuslib).\n")
        fh.write("\t".join(cl.DOC_COLUMNS) + "\n")
        fh.writelines("\t".join(r[c] for c in cl.DOC_COLUMNS) + "\n" for r in rows)


def batch_sentences(row: dict) -> list[dict]:
    unit = cl.unit_for(row["key"])
    text = cl.read_source(unit.source)
    out = []
    for i in parse_ranges(row["sentences"]):
        s, e = unit.sentences[i]
        out.append({"sid": f"{row['doc']}.{i:02d}", "doc": row["doc"], "lang": row["lang"],
                    "split": row["split"], "batch": row["batch"], "topic": row["topic"],
                    "source": unit.source, "start": s, "end": e, "sha": cl.sha12(text[s:e]),
                    "text": text[s:e]})
    return out


def write_batches(rows: list[dict]) -> dict[str, int]:
    cl.BATCH_DIR.mkdir(parents=True, exist_ok=True)
    gi = cl.WORK_DIR / ".gitignore"
    if not gi.exists():
        gi.write_text("# models/corpus/work/: the batches, working files with source text: "
                      "never committed\n*\n!.gitignore\n")
    by_batch: dict[str, list[dict]] = {}
    for r in rows:
        by_batch.setdefault(r["batch"], []).extend(batch_sentences(r))
    for name, sents in by_batch.items():
        write_batch_files(cl.BATCH_DIR, name, sents)
    return {k: len(v) for k, v in sorted(by_batch.items())}


def write_batch_files(folder: Path, name: str, sents: list[dict], split: bool = True) -> None:
    """A batch's sentences as ``<name>.jsonl`` (with offsets) and ``<name>.txt`` (what an
    annotator reads: a header per document, naming its split when ``split``, then
    ``[sid] text`` lines)."""
    with open(folder / f"{name}.jsonl", "w", encoding="utf-8") as fh:
        fh.writelines(json.dumps(s, ensure_ascii=False) + "\n" for s in sents)
    with open(folder / f"{name}.txt", "w", encoding="utf-8") as fh:
        doc = None
        for s in sents:
            if s["doc"] != doc:
                doc = s["doc"]
                fh.write(f"\n=== {doc}{' ' + s['split'] if split else ''} {s['source']}\n")
            fh.write(f"[{s['sid']}] {s['text']}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="compare with documents.tsv, write nothing")
    ap.add_argument("--plan-only", action="store_true", help="write documents.tsv, no batches")
    ap.add_argument("--batches-only", action="store_true",
                    help="write the batches of the existing documents.tsv")
    a = ap.parse_args()
    if a.batches_only:
        rows = cl.read_documents()
    else:
        rows = plan()
    if a.check:
        old = cl.read_documents()
        same = [{c: r[c] for c in cl.DOC_COLUMNS} for r in old] == rows
        print("documents.tsv is up to date" if same else "documents.tsv differs from the plan")
        sys.exit(0 if same else 1)
    if not a.batches_only:
        write_plan(rows)
    if not a.plan_only:
        counts = write_batches(rows)
        for name, n in counts.items():
            print(f"{name}\t{n}")
        print(f"total\t{sum(counts.values())}")


if __name__ == "__main__":
    main()
