"""The hand-annotated event/claim corpus: where the text is, how it is cut, what may be said.

The corpus stores annotations *by reference*: a source path relative to the data folder,
character offsets into that file (end exclusive) and a short sha256 prefix of the sentence.
This module is the one place that knows how to find and read the sources, how documents
and sentences are cut (deterministically, with offsets into the original file), and the
closed sets of labels the guideline (GUIDELINE.md, beside this file) allows. The sampler,
the resolver and the validator all import it; nothing here depends on the lintas pipeline.

Standard library only: it runs without the project's venv.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CORPUS_DIR = Path(__file__).resolve().parent        # <repo>/models/corpus
REPO_DIR = CORPUS_DIR.parents[1]                   # the repository's root
DATA_ENV = "LINTAS_DATA"
DOCUMENTS_TSV = CORPUS_DIR / "documents.tsv"
ANNOTATIONS_DIR = CORPUS_DIR / "annotations"
WORK_DIR = CORPUS_DIR / "work"
BATCH_DIR = WORK_DIR / "batches"
DRAFT_DIR = CORPUS_DIR / "drafts"  # committed: the annotators' source, with their notes
# the sample articles (seeds/), annotated to check what lintas finds in them; never part of
# the corpus (GUIDELINE.md: no sentence from the sample articles), so kept apart
SAMPLES_DIR = CORPUS_DIR / "samples"
SAMPLES_SPLIT = "samples"  # their records' split and batch
SAMPLES_FILE = SAMPLES_DIR / f"{SAMPLES_SPLIT}.jsonl"
SAMPLES_SOURCE = "seeds/"  # a source path under the repository's own seeds/ folder
SHA_CHARS = 12

# ---------------------------------------------------------------------------------------
# The closed label sets of the guideline (GUIDELINE.md). Change them only together
# with the guideline.

MODES: dict[str, tuple[str, ...]] = {
    "AGREE": ("agree", "sign", "ratify", "pledge"),
    "CONSULT": ("visit", "host", "meet", "talks", "call"),
    "SUPPORT": ("praise", "endorse", "defend", "apologize", "recognize"),
    "COOPERATE": ("cooperate", "alliance", "share"),
    "AID": ("economic", "military", "humanitarian", "asylum"),
    "CONCEDE": ("ease", "accede", "resign", "acquit"),
    "RETREAT": ("release", "return", "withdraw", "ceasefire", "access"),
    "REQUEST": ("request", "demand", "invite"),
    "ACCUSE": ("accuse", "criticize", "investigate", "sue", "convict"),
    "REJECT": ("reject", "deny", "veto", "defy"),
    "THREATEN": ("sanction", "force", "relations", "protest", "other"),
    "PROTEST": ("demo", "strike", "boycott", "obstruct", "riot"),
    "SANCTION": ("sanction", "ban", "restrict", "withdraw", "expel", "suspend"),
    "MOBILIZE": ("troops", "police", "alert"),
    "COERCE": ("arrest", "deport", "confiscate", "restrict", "emergency", "fine", "censor"),
    "ASSAULT": ("attack", "kill", "beat", "bomb", "abduct", "destroy"),
    "TRADE": ("export", "import", "transit", "supply", "shipment", "sale"),
    "INVEST": ("invest", "fund", "acquire", "build"),
    "PRODUCE": ("produce", "mining", "exploration"),
}
EVENT_TYPES = tuple(MODES)
ROLES = ("actor", "counterpart", "topic", "commodity", "amount",
         "location", "origin", "destination", "route", "time")
MODALITIES = ("asserted", "negated", "planned", "hypothetical", "requested")
CLAIM_KINDS = ("direct", "reported", "factual")
TAGS = ("headline", "byline", "dateline", "footer", "teaser", "caption", "fragment", "list")
# an argument, speaker or cue is an entity or a short phrase, never a clause
MAX_SPAN_WORDS = {"trigger": 4, "cue": 5, "arg": 12, "speaker": 10}

# ---------------------------------------------------------------------------------------
# Sources


def data_root() -> Path:
    """The shared data folder: $LINTAS_DATA, else ../shared/data beside the repository (that
    is, relative to the repository's root, not to models/corpus)."""
    env = os.environ.get(DATA_ENV)
    return Path(env) if env else (REPO_DIR.parent / "shared" / "data").resolve()


@lru_cache(maxsize=64)
def read_source(rel: str) -> str:
    """A source file's text exactly as stored: UTF-8, no newline translation (offsets count
    every character, '\\r' included). A path under seeds/ is one of the repository's sample
    articles."""
    path = (REPO_DIR if rel.startswith(SAMPLES_SOURCE) else data_root()) / rel
    if not path.is_file():
        raise FileNotFoundError(f"{path} not found: set {DATA_ENV} to the shared data folder")
    return path.read_bytes().decode("utf-8")


def sha12(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:SHA_CHARS]


# ---------------------------------------------------------------------------------------
# Sentences: one line is never split across sentences; within a line a sentence ends at
# . ! ? … (and closing quotes/brackets) before whitespace and an upper-case letter, a digit,
# an opening quote or a dash followed by an upper-case letter; not after a known
# abbreviation or a one-letter upper-case initial.

_END = re.compile(r"[.!?…]+[\"'”»“’)\]]*(?=\s)")
_OPEN = "\"'«„“‘([-–—"
ABBREVIATIONS = {
    # en
    "mr", "mrs", "ms", "dr", "st", "prof", "gen", "sen", "rep", "gov", "lt", "col", "sgt",
    "capt", "jr", "sr", "inc", "corp", "ltd", "co", "no", "vs", "jan", "feb", "aug", "sept",
    "oct", "nov", "dec", "rev", "mt", "ft", "approx",
    # ru / bg / uk
    "им", "ул", "пр", "проф", "акад", "тыс", "млн", "млрд", "руб", "долл", "др", "см", "ср",
    "стр", "д-р", "хил", "лв", "гр", "о", "бл", "чл", "ал", "пл", "с", "сп", "в",
    # pl / cs / sl
    "np", "tys", "mln", "mld", "ul", "ks", "św", "tzw", "m.in", "wg", "ok", "tj", "zł", "ws",
    "płk", "mjr",
    # id
    "tn", "ny", "nn", "jl", "hj", "kh", "drs", "ir", "sdr",
}
# a year's abbreviation: an abbreviation after a number ("в 2019 г.", "w 2018 r.") ends
# sentences often, before a name ("г. Москва") never. Lower-case "в." is the Bulgarian
# newspaper ("в. „Труд“"), "сп." the magazine
_YEARISH = {"г", "гг", "r", "rr", "god"}
_WORD_BEFORE = re.compile(r"([\w.-]+)$")


def _is_abbreviation(line: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(line, 0, dot)
    if not m:
        return False
    word = m.group(1)
    low = word.lower().rstrip(".")
    if len(word) == 1 and word.isupper():
        return True  # an initial: "J. Smith", "А. Иванов"
    if low in ABBREVIATIONS or low.split(".")[-1] in ABBREVIATIONS and "." in low:
        return True
    if low in _YEARISH:
        before = line[: m.start()].rstrip()
        return not (before and before[-1].isdigit())
    return bool(re.fullmatch(r"(\w\.)+\w", word))  # "U.S", "m.in", "т.е"


def _split_line(line: str, base: int) -> list[tuple[int, int]]:
    out, start = [], 0
    for m in _END.finditer(line):
        end = m.end()
        rest = line[end:].lstrip()
        if not rest:
            continue
        nxt = rest[0]
        ok = nxt.isupper() or nxt.isdigit() or nxt == "©"
        if not ok and nxt in _OPEN:
            after = rest[1:].lstrip()
            ok = bool(after) and (after[0].isupper() or after[0].isdigit())
        if not ok:
            continue
        if line[m.start()] == "." and m.end() - m.start() == 1 and _is_abbreviation(line, m.start()):
            continue
        if line[start:m.start()].strip().isdigit():
            continue  # a list number: "1. Причинителят…"
        out.append((start, end))
        start = end
    out.append((start, len(line)))
    spans = []
    for s, e in out:
        seg = line[s:e]
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg.rstrip())
        if trail > lead:
            spans.append((base + s + lead, base + s + trail))
    return spans


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Sentences of text[start:end] as (start, end) offsets into text, blanks trimmed."""
    end = len(text) if end is None else end
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\r\n]+", text[start:end]):
        spans += _split_line(line.group(0), start + line.start())
    return spans


# ---------------------------------------------------------------------------------------
# Documents: a SlavicNER file is one document; NTREX has no document marks in this copy, so a
# document starts at a headline (a line without sentence-final punctuation, at most 20
# words, after a line that is not one) and very short runs join the document before; a UD
# treebank is cut in blocks of 10 consecutive sentences (its documents are not marked).

NTREX_FILES = {"en": "mt/ntrex/newstest2019-src.eng.txt",
               "id": "mt/ntrex/newstest2019-ref.ind.txt",
               "bg": "mt/ntrex/newstest2019-ref.bul.txt"}
UD_BLOCK = 10


@dataclass
class Unit:
    """One document as the corpus sees it: where it is and its sentences."""

    key: str                       # stable key: path, or path#dNNN / path#bNN
    source: str                    # file relative to the data folder
    group: str                     # what the train/dev split is decided on
    sentences: list[tuple[int, int]]


def ntrex_line_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every line, line breaks excluded."""
    spans, pos = [], 0
    for line in text.split("\n"):
        body = line.removesuffix("\r")
        spans.append((pos, pos + len(body)))
        pos += len(line) + 1
    if spans and spans[-1][0] == spans[-1][1] == len(text):
        spans.pop()
    return spans


def _headline(line: str) -> bool:
    return bool(line.strip()) and not re.search(r"[.!?…][\"'”’)\]]*\s*$", line) \
        and len(line.split()) <= 20


def ntrex_documents(lang: str = "en") -> list[Unit]:
    """NTREX pseudo-documents, the same line ranges in every language (cut on English)."""
    eng = read_source(NTREX_FILES["en"])
    elines = ntrex_line_spans(eng)
    heads = [_headline(eng[s:e]) for s, e in elines]
    starts = [i for i, h in enumerate(heads) if h and (i == 0 or not heads[i - 1])]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    ranges = [(a, b) for a, b in zip(starts, starts[1:] + [len(elines)])]
    merged: list[list[int]] = []
    for a, b in ranges:
        if merged and b - a <= 3:
            merged[-1][1] = b
        else:
            merged.append([a, b])
    src = NTREX_FILES[lang]
    text = read_source(src)
    lines = ntrex_line_spans(text)
    assert len(lines) == len(elines), f"{src}: {len(lines)} lines, English has {len(elines)}"
    out = []
    for i, (a, b) in enumerate(merged):
        sents = [lines[j] for j in range(a, b) if lines[j][1] > lines[j][0]]
        out.append(Unit(f"{src}#d{i:03d}", src, f"ntrex#d{i:03d}", sents))
    return out


def ud_sentences(rel: str) -> list[tuple[int, int]]:
    """Offsets of the text of every `# text = ` line of a CoNLL-U file."""
    text = read_source(rel)
    out = []
    for m in re.finditer(r"^# text = ([^\r\n]*)", text, re.MULTILINE):
        out.append((m.start(1), m.end(1)))
    return out


def ud_documents(rel: str) -> list[Unit]:
    sents = ud_sentences(rel)
    return [Unit(f"{rel}#b{i // UD_BLOCK:02d}", rel, f"{rel}#b{i // UD_BLOCK:02d}",
                 sents[i:i + UD_BLOCK]) for i in range(0, len(sents), UD_BLOCK)]


def slavicner_document(rel: str) -> Unit:
    return Unit(rel, rel, rel, split_sentences(read_source(rel)))


def unit_for(key: str) -> Unit:
    """The document a documents.tsv key names."""
    if key.startswith("mt/ntrex/"):
        src = key.split("#")[0]
        lang = next(k for k, v in NTREX_FILES.items() if v == src)
        return next(u for u in ntrex_documents(lang) if u.key == key)
    if key.startswith("ud/"):
        src = key.split("#")[0]
        return next(u for u in ud_documents(src) if u.key == key)
    return slavicner_document(key)


# ---------------------------------------------------------------------------------------
# The document plan (written by sample.py)

DOC_COLUMNS = ("doc", "lang", "split", "batch", "topic", "key", "group", "sentences")


def read_documents(path: Path = DOCUMENTS_TSV) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader((ln for ln in fh if not ln.startswith("#")),
                                          delimiter="\t")]
    return rows


def excluded_lines() -> set[str]:
    """Lines (over 40 characters) of the sample articles, which never enter the corpus."""
    out = set()
    for folder in (REPO_DIR / "seeds", REPO_DIR.parent / "shared" / "seeds"):
        if folder.is_dir():
            for f in folder.glob("*.txt"):
                out |= {ln.strip() for ln in f.read_text(encoding="utf-8").splitlines()
                        if len(ln.strip()) > 40}
    return out
